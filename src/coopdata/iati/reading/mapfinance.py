"""The money of an IATI activity: budgets, planned disbursements, transactions (with
their provider and receiver), capital spend, country budget items, CRS and FSS data."""

from __future__ import annotations

from typing import Any

from coopdata.iati.reading.mapstate import (
    ACTIVITY,
    PROJECT,
    Activity,
    Handler,
    as_given,
    fields_of,
    new_object,
)
from coopdata.iati.reading.mapvalues import iso_day, line_of, short_text
from coopdata.model.spec import Field, by_name


def _capital_spend(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/capital-spend"
    if act.attr(data, PROJECT, "capital_spend", el, "percentage", path):
        act.log.append(path)


def _value(act: Activity, item: dict[str, Any], fields: dict[str, Field], el: Any, path: str,
           currency: str | None) -> None:
    """``value`` (amount, ``@currency`` else the default, ``@value-date``) into ``item``."""
    value = act.child(el, "value")
    if value is None:
        return
    vpath = f"{path}/value"
    mark = len(act.log)
    if not currency_known(act, item, fields, value, vpath):
        return
    if not act.put(item, fields, "amount", value.text, vpath, value.sourceline):
        item.pop("currency", None)
        del act.log[mark:]
        return
    if "currency" not in item and currency \
            and fields.get("currency") is not None and fields["currency"].required:
        item["currency"] = currency  # (the activity's @default-currency, counted there)
    act.attr(item, fields, "value_date", value, "value-date", vpath)


def currency_known(act: Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
                   path: str) -> bool:
    """``el/@currency`` into ``item``; False, with a warning, when the currency of the
    amounts of ``el`` cannot be known: its ``@currency`` is not one coopdata knows, or it
    has none and the activity's ``@default-currency`` is not (an amount is not carried
    in a currency it is not in)."""
    if (el.get("currency") or "").strip():
        return act.qualifier(item, fields, "currency", el, "currency", path)
    if act.unread_currency is not None:
        act.warn("iati-value-not-carried", f"{path}: no @currency, and the activity's "
                 f'@default-currency "{short_text(act.unread_currency)}" is not a currency '
                 "coopdata knows; not carried", line_of(el))
        return False
    return True


def period_dates(act: Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
            path: str, names: tuple[str, str] = ("period_start", "period_end")) -> None:
    for tag, name in zip(("period-start", "period-end"), names, strict=True):
        act.child_attr(item, fields, name, el, tag, "iso-date", path)


def in_order(act: Activity, el: Any, path: str) -> bool:
    """False, with a warning, for a period that ends before it starts: the IATI rules
    (``date_order``) refuse it, so it is not carried (and not written back)."""
    start, end = act.child(el, "period-start"), act.child(el, "period-end")
    first = iso_day(start.get("iso-date") or "") if start is not None else None
    last = iso_day(end.get("iso-date") or "") if end is not None else None
    if first and last and len(first) == len(last) == 10 and last < first:
        act.warn("iati-period-order", f"{path}: the period ends ({last}) before it starts "
                 f"({first}), which the IATI rules refuse; not carried", el.sourceline)
        return False
    return True


def _budget(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/budget"
    fields = fields_of("budgets")
    if not fields or not in_order(act, el, path):
        return
    mark, item = len(act.log), new_object()
    if not (act.qualifier(item, fields, "type", el, "type", path)
            and act.qualifier(item, fields, "status", el, "status", path)):
        del act.log[mark:]  # (an original or indicative budget it may not be)
        return
    period_dates(act, item, fields, el, path)
    _value(act, item, fields, el, path, currency)
    act.keep(data, PROJECT, "budgets", item, mark, path, el.sourceline)


def _party(act: Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
           path: str, role: str) -> None:
    """``provider-org`` or ``receiver-org`` of a transaction or planned disbursement."""
    party = act.child(el, f"{role}-org")
    if party is None:
        return
    ppath = f"{path}/{role}-org"
    mark = len(act.log)
    if (party.get("ref") or "").strip() and role in fields:
        record, name = act.organisation(party, ppath)
        if act.put(item, fields, role, record, ppath, party.sourceline):
            as_given(act, item, fields, party, ppath, mark, f"{role}_name", f"{role}_type",
                      name)
    else:
        act.put_text(item, fields, f"{role}_name", party, ppath)
        act.attr(item, fields, f"{role}_type", party, "type", ppath)
    act.attr(item, fields, f"{role}_activity", party, f"{role}-activity-id", ppath)
    if len(act.log) > mark and ppath not in act.log[mark:]:
        act.log.append(ppath)


def _planned_disbursement(act: Activity, data: dict[str, Any], el: Any,
                          currency: str | None) -> None:
    path = f"{ACTIVITY}/planned-disbursement"
    fields = fields_of("planned_disbursements")
    if not fields or not in_order(act, el, path):
        return
    mark, item = len(act.log), new_object()
    act.attr(item, fields, "type", el, "type", path)
    period_dates(act, item, fields, el, path)
    _value(act, item, fields, el, path, currency)
    _party(act, item, fields, el, path, "provider")
    _party(act, item, fields, el, path, "receiver")
    act.keep(data, PROJECT, "planned_disbursements", item, mark, path, el.sourceline)


_TRANSACTION_CODES = (("transaction-type", "type"), ("disbursement-channel",
                      "disbursement_channel"), ("flow-type", "flow_type"),
                      ("finance-type", "finance_type"), ("tied-status", "tied_status"))


_OVERRIDDEN = {"flow-type": "default_flow_type", "finance-type": "default_finance_type",
               "tied-status": "default_tied_status"}
"""The codes of a transaction that override the activity's defaults (the fields of those)."""


def _transaction(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/transaction"
    fields = fields_of("transactions")
    if not fields:
        return
    mark, item = len(act.log), new_object()
    act.attr(item, fields, "ref", el, "ref", path)
    act.attr(item, fields, "humanitarian", el, "humanitarian", path)
    for tag, name in _TRANSACTION_CODES:
        child = act.child(el, tag)
        if child is not None and data.get(_OVERRIDDEN.get(tag, "")) is not None:
            # (without it, the transaction would read as the activity's default)
            if not act.qualifier(item, fields, name, child, "code", f"{path}/{tag}",
                                 whole="transaction"):
                del act.log[mark:]
                return
            if name in item:
                act.log.append(f"{path}/{tag}")
        else:
            act.child_attr(item, fields, name, el, tag, "code", path)
    act.child_attr(item, fields, "date", el, "transaction-date", "iso-date", path)
    _value(act, item, fields, el, path, currency)
    act.put_text(item, fields, "description", act.child(el, "description"), f"{path}/description")
    _party(act, item, fields, el, path, "provider")
    _party(act, item, fields, el, path, "receiver")
    act.child_attr(item, fields, "country", el, "recipient-country", "code", path)
    region = act.child(el, "recipient-region")
    if region is not None:
        rmark = len(act.log)
        if not (act.qualifier(item, fields, "region_vocabulary", region, "vocabulary",
                              f"{path}/recipient-region")
                and act.child_attr(item, fields, "region", el, "recipient-region", "code",
                                   path)):
            item.pop("region_vocabulary", None)
            del act.log[rmark:]
    for tag, name in (("sector", "sectors"), ("aid-type", "aid_types")):
        sub_fields = by_name(fields[name].fields) if name in fields else {}
        overrides = tag == "aid-type" and bool(data.get("default_aid_types"))
        for child in el.iterchildren(tag) if sub_fields else ():
            cpath, cmark, code = f"{path}/{tag}", len(act.log), new_object()
            if not act.qualifier(code, sub_fields, "vocabulary", child, "vocabulary", cpath,
                                 whole="transaction" if overrides else None):
                if overrides:  # (without it, it would take the activity's default aid type)
                    del act.log[mark:]
                    return
                continue
            act.attr(code, sub_fields, "code", child, "code", cpath)
            act.attr(code, sub_fields, "vocabulary_uri", child, "vocabulary-uri", cpath)
            act.put_text(code, sub_fields, "text", child, cpath, counted=False)
            act.keep(item, fields, name, code, cmark, cpath, child.sourceline)
    act.keep(data, PROJECT, "transactions", item, mark, path, el.sourceline)


def _country_budget_items(act: Activity, data: dict[str, Any], el: Any,
                          currency: str | None) -> None:
    path = f"{ACTIVITY}/country-budget-items"
    mark = len(act.log)
    fields = fields_of("budget_items")
    if "budget_items" in data:
        return  # (a second one, which the schema refuses: its vocabulary is not the first's)
    if not act.qualifier({}, PROJECT, "budget_items_vocabulary", el, "vocabulary", path):
        return  # (its budget items' codes are of a classification unknown)
    del act.log[mark:]  # (the vocabulary is carried below, with the items)
    for budget_item in el.iterchildren("budget-item") if fields else ():
        ipath, imark, entry = f"{path}/budget-item", len(act.log), new_object()
        act.attr(entry, fields, "code", budget_item, "code", ipath)
        act.attr(entry, fields, "percentage", budget_item, "percentage", ipath)
        act.put_text(entry, fields, "description", budget_item.find("description"),
                     f"{ipath}/description")
        act.keep(data, PROJECT, "budget_items", entry, imark, ipath, budget_item.sourceline)
    if len(act.log) > mark:  # (the vocabulary alone, without a budget item, says nothing)
        act.attr(data, PROJECT, "budget_items_vocabulary", el, "vocabulary", path)
        act.log.append(path)


_LOAN_DATES = ("commitment-date", "repayment-first-date", "repayment-final-date")


_LOAN_AMOUNTS = ("interest-received", "principal-outstanding", "principal-arrears",
                 "interest-arrears")


def _crs_add(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/crs-add"
    mark = len(act.log)
    flags = fields_of("crs_other_flags")
    for flag in el.iterchildren("other-flags") if flags else ():
        fpath, fmark, entry = f"{path}/other-flags", len(act.log), new_object()
        act.attr(entry, flags, "code", flag, "code", fpath)
        act.attr(entry, flags, "significance", flag, "significance", fpath)
        act.keep(data, PROJECT, "crs_other_flags", entry, fmark, fpath, flag.sourceline)
    terms, terms_fields = el.find("loan-terms"), fields_of("loan_terms")
    if terms is not None and terms_fields:
        tpath, tmark, entry = f"{path}/loan-terms", len(act.log), new_object()
        act.attr(entry, terms_fields, "rate_1", terms, "rate-1", tpath)
        act.attr(entry, terms_fields, "rate_2", terms, "rate-2", tpath)
        act.child_attr(entry, terms_fields, "repayment_type", terms, "repayment-type", "code",
                       tpath)
        act.child_attr(entry, terms_fields, "repayment_plan", terms, "repayment-plan", "code",
                       tpath)
        for tag in _LOAN_DATES:
            act.child_attr(entry, terms_fields, tag.replace("-", "_"), terms, tag, "iso-date",
                           tpath)
        act.keep(data, PROJECT, "loan_terms", entry, tmark, tpath, terms.sourceline)
    status, status_fields = el.find("loan-status"), fields_of("loan_status")
    if status is not None and status_fields:
        spath, smark, entry = f"{path}/loan-status", len(act.log), new_object()
        if currency_known(act, entry, status_fields, status, spath):
            act.attr(entry, status_fields, "year", status, "year", spath)
            act.attr(entry, status_fields, "value_date", status, "value-date", spath)
            for tag in _LOAN_AMOUNTS:
                act.child_text(entry, status_fields, tag.replace("-", "_"), status, tag, spath)
            act.keep(data, PROJECT, "loan_status", entry, smark, spath, status.sourceline)
    act.child_text(data, PROJECT, "crs_channel_code", el, "channel-code", path)
    if len(act.log) > mark:
        act.log.append(path)


def _fss(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/fss"
    fields = fields_of("fss")
    if not fields:
        return
    mark, item = len(act.log), new_object()
    act.attr(item, fields, "extraction_date", el, "extraction-date", path)
    act.attr(item, fields, "priority", el, "priority", path)
    act.attr(item, fields, "phaseout_year", el, "phaseout-year", path)
    if not act.keep(data, PROJECT, "fss", item, mark, path, el.sourceline):
        return  # (forecasts without the survey's extraction date cannot be written back)
    fields = fields_of("fss_forecasts")
    for forecast in el.iterchildren("forecast") if fields else ():
        fpath, fmark, entry = f"{path}/forecast", len(act.log), new_object()
        if not currency_known(act, entry, fields, forecast, fpath):
            continue
        if act.put(entry, fields, "amount", forecast.text, fpath, forecast.sourceline):
            act.log.pop()  # (the element counts once, when the forecast is kept)
        act.attr(entry, fields, "year", forecast, "year", fpath)
        act.attr(entry, fields, "value_date", forecast, "value-date", fpath)
        act.keep(data, PROJECT, "fss_forecasts", entry, fmark, fpath, forecast.sourceline)


HANDLERS: dict[str, Handler] = {
    "budget": _budget, "planned-disbursement": _planned_disbursement,
    "capital-spend": _capital_spend, "transaction": _transaction,
    "country-budget-items": _country_budget_items, "crs-add": _crs_add, "fss": _fss,
}
"""The handlers of this module's children of ``iati-activity``."""

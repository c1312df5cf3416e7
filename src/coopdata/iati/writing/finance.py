"""An activity's money: budgets, planned disbursements, transactions (with their provider
and receiver organisations), country budget items, the CRS additions (loans) and the
forward spending survey. A budget, disbursement or transaction whose dates are not known
to the day is left out and named in the activity's type-4 description."""

from __future__ import annotations

from typing import Any

from lxml import etree

from coopdata.iati.writing.builder import Builder
from coopdata.iati.writing.codes import iati_code
from coopdata.iati.writing.values import attrs, flag, is_day, maybe_num, narratives, num, year_text
from coopdata.model.dates import PartialDate


class Finance(Builder):
    """The financial children of ``iati-activity``."""

    def _amount(self, parent: Any, item: dict[str, Any], date: PartialDate) -> None:
        """``value`` with its currency and value date (the record's, else ``date``: IATI
        requires one, and it only names the day of the exchange rate)."""
        currency = item.get("currency")
        value_date = item.get("value_date") if is_day(item.get("value_date")) else date
        etree.SubElement(parent, "value", attrs(currency=currency, **{
            "value-date": str(value_date)})).text = num(item["amount"])

    def budgets(self, body: Any) -> None:
        sub = etree.SubElement
        for n, budget in enumerate(self.data.get("budgets", []), start=1):
            start, end = budget.get("period_start"), budget.get("period_end")
            if not (is_day(start) and is_day(end)):
                self.note(f"budgets[{n}]", f"Budget of {num(budget['amount'])} "
                          f"{budget.get('currency', '')}".rstrip() + (
                              f" for {start}–{end}" if start and end else " (no period)")
                          + ": IATI budgets need a period with days.")
                continue
            element = sub(body, "budget", attrs(
                type=iati_code("budget-type", budget.get("type")) or "1",
                status=iati_code("budget-status", budget.get("status"))))
            sub(element, "period-start", **{"iso-date": str(start)})
            sub(element, "period-end", **{"iso-date": str(end)})
            self._amount(element, budget, start)

    def planned_disbursements(self, body: Any) -> None:
        sub = etree.SubElement
        for n, planned in enumerate(self.data.get("planned_disbursements", []), start=1):
            start, end = planned.get("period_start"), planned.get("period_end")
            if not is_day(start) or (end is not None and not is_day(end)):
                self.note(f"planned_disbursements[{n}]", f"Planned disbursement of "
                          f"{num(planned['amount'])} with a period not known to the day.")
                continue
            element = sub(body, "planned-disbursement", attrs(type=iati_code(
                "budget-type", planned.get("type"))))
            sub(element, "period-start", **{"iso-date": str(start)})
            if end is not None:
                sub(element, "period-end", **{"iso-date": str(end)})
            self._amount(element, planned, start)
            self.party(element, planned, "provider")
            self.party(element, planned, "receiver")

    def party(self, parent: Any, item: dict[str, Any], role: str) -> None:
        org = self.organisation(item.get(role))
        ref = item.get(f"{role}_ref") or (org.data.get("iati_ref") if org else None)
        name = item.get(f"{role}_name") or (org.data.get("name") if org else None)
        activity = item.get(f"{role}_activity")
        if not (ref or name or activity or org):
            return
        kind = item.get(f"{role}_type") or (org.data.get("type") if org else None)
        element = etree.SubElement(parent, f"{role}-org", attrs(
            ref=ref, type=iati_code("organisation-type", kind),
            **{f"{role}-activity-id": activity}))
        narratives(element, name)

    def transactions(self, body: Any) -> None:
        sub = etree.SubElement
        for n, transaction in enumerate(self.data.get("transactions", []), start=1):
            date = transaction.get("date")
            if not is_day(date):
                self.note(f"transactions[{n}]", f"Transaction of {num(transaction['amount'])}"
                          f" dated {date}, not known to the day.")
                continue
            element = sub(body, "transaction", attrs(
                ref=transaction.get("ref"), humanitarian=flag(transaction["humanitarian"])
                if transaction.get("humanitarian") is not None else None))
            sub(element, "transaction-type", code=iati_code(
                "transaction-type", transaction["type"]) or transaction["type"])
            sub(element, "transaction-date", **{"iso-date": str(date)})
            self._amount(element, transaction, date)
            if transaction.get("description"):
                narratives(sub(element, "description"), transaction["description"])
            self.party(element, transaction, "provider")
            self.party(element, transaction, "receiver")
            if transaction.get("disbursement_channel"):
                sub(element, "disbursement-channel", code=iati_code(
                    "disbursement-channel", transaction["disbursement_channel"]) or "")
            for sector in transaction.get("sectors", []):
                narratives(sub(element, "sector", attrs(vocabulary=iati_code(
                    "sector-vocabulary", sector.get("vocabulary")), **{
                        "vocabulary-uri": sector.get("vocabulary_uri")}, code=sector["code"])),
                    sector.get("text"))
            if transaction.get("country"):
                sub(element, "recipient-country", code=transaction["country"])
            if transaction.get("region"):
                sub(element, "recipient-region", attrs(code=transaction["region"], vocabulary=(
                    iati_code("region-vocabulary", transaction.get("region_vocabulary")))))
            for name, scheme in (("flow_type", "flow-type"), ("finance_type", "finance-type")):
                if transaction.get(name):
                    sub(element, name.replace("_", "-"),
                        code=iati_code(scheme, transaction[name]) or "")
            for aid in transaction.get("aid_types", []):
                sub(element, "aid-type", attrs(code=aid["code"], vocabulary=iati_code(
                    "aid-type-vocabulary", aid.get("vocabulary"))))
            if transaction.get("tied_status"):
                sub(element, "tied-status", code=iati_code(
                    "tied-status", transaction["tied_status"]) or "")


    def country_budget_items(self, body: Any) -> None:
        items = self.data.get("budget_items", [])
        vocabulary = iati_code("budget-identifier-vocabulary",
                               self.data.get("budget_items_vocabulary"))
        if not items:
            return
        if vocabulary is None:
            self.note("budget_items", "Budget items without the vocabulary of their codes.")
            return
        element = etree.SubElement(body, "country-budget-items", vocabulary=vocabulary)
        for item in items:
            node = etree.SubElement(element, "budget-item", attrs(
                code=item["code"], percentage=maybe_num(item.get("percentage"))))
            if item.get("description"):
                narratives(etree.SubElement(node, "description"), item["description"])


    def crs_add(self, body: Any) -> None:
        data, sub = self.data, etree.SubElement
        flags, terms, status = (data.get("crs_other_flags", []), data.get("loan_terms"),
                                data.get("loan_status"))
        channel = data.get("crs_channel_code")
        if not (flags or terms or status or channel):
            return
        element = sub(body, "crs-add")
        for other in flags:
            sub(element, "other-flags", code=iati_code("crs-other-flag", other["code"]) or "",
                significance=flag(other["significance"]))
        if terms:
            node = sub(element, "loan-terms", attrs(**{
                "rate-1": maybe_num(terms.get("rate_1")),
                "rate-2": maybe_num(terms.get("rate_2"))}))
            for name, scheme in (("repayment_type", "loan-repayment-type"),
                                 ("repayment_plan", "loan-repayment-period")):
                if terms.get(name):
                    sub(node, name.replace("_", "-"), code=iati_code(scheme, terms[name]) or "")
            for name in ("commitment_date", "repayment_first_date", "repayment_final_date"):
                if is_day(terms.get(name)):
                    sub(node, name.replace("_", "-"), **{"iso-date": str(terms[name])})
        if status:
            year = status["year"]
            node = sub(element, "loan-status", attrs(
                year=year_text(year),
                currency=status.get("currency"), **{"value-date": str(status["value_date"])
                                                    if is_day(status.get("value_date")) else None}))
            for name in ("interest_received", "principal_outstanding", "principal_arrears",
                         "interest_arrears"):
                if status.get(name) is not None:
                    sub(node, name.replace("_", "-")).text = num(status[name])
        if channel:
            sub(element, "channel-code").text = channel

    def fss(self, body: Any) -> None:
        survey = self.data.get("fss")
        if not survey or not is_day(survey.get("extraction_date")):
            if survey:
                self.note("fss", "A forward spending survey whose extraction date is not "
                          "known to the day.")
            return
        phaseout = survey.get("phaseout_year")
        element = etree.SubElement(body, "fss", attrs(**{
            "extraction-date": str(survey["extraction_date"]),
            "priority": flag(survey["priority"]) if survey.get("priority") is not None
            else None,
            "phaseout-year": year_text(phaseout) if phaseout is not None else None}))
        for forecast in self.data.get("fss_forecasts", []):
            year = forecast["year"]
            etree.SubElement(element, "forecast", attrs(
                year=year_text(year),
                currency=forecast.get("currency"), **{
                    "value-date": str(forecast["value_date"]) if is_day(
                        forecast.get("value_date")) else None})).text = num(
                forecast["amount"])

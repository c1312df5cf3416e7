"""Records out as IATI 2.03: ``iati-activities.xml`` and ``iati-organisations.xml``.

One ``iati-activity`` for every project record that holds what IATI requires, written one
at a time with lxml's incremental writer (the file is never one tree in memory), its
children in the order the 2.03 schema requires. What the writer does with facts IATI
cannot hold is in ``docs/iati.md`` ("IATI out"); in short, it never invents a fact:

- a date known to the day is an ``activity-date``; a date known to the month or year is
  not (IATI dates have a day), and the activity says so in a ``description`` of type 4;
- a budget, planned disbursement, transaction or indicator period whose dates are not
  known to the day is left out, and so is a budget without a period (the activity's
  type-4 description says what was left out of it);
- IATI requires of every activity a status, one date known to the day, a description
  and a participating organisation with an IATI role: a project whose record lacks one
  of them is not written, and :attr:`Written.left_out` says why, with the record's file,
  line and field.

Identifiers: an activity imported from IATI keeps its ``iati_identifier``; a curated
project is ``{iati_organisation_ref}-{record id}`` (the release configuration's
reference), the same in every release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from coopdata.iati import rules, xsd
from coopdata.iati.codes import iati_code
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset, Record
from coopdata.model.dates import PartialDate
from coopdata.model.uris import Uris
from coopdata.report import Finding

VERSION = "2.03"
STANDARD_URI = "http://iatistandard.org/203/"
"""The IATI Standard 2.03, as a catalogue's ``dct:conformsTo`` names it."""
ACTIVITIES = "iati-activities.xml"
ORGANISATIONS = "iati-organisations.xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SRS_NAME = "http://www.opengis.net/def/crs/EPSG/0/4326"

DATE_TYPES = (("planned_start", "1"), ("actual_start", "2"), ("planned_end", "3"),
              ("actual_end", "4"))
"""The record's date fields and their IATI activity-date types."""

ELEMENT_FIELDS: dict[str, str] = {
    "iati-identifier": "iati_identifier", "reporting-org": "reporting_organisation",
    "title": "title", "description": "description", "participating-org": "participations",
    "other-identifier": "other_identifiers", "activity-status": "status",
    "activity-date": "planned_start", "contact-info": "contacts", "activity-scope": "scope",
    "recipient-country": "countries", "recipient-region": "regions", "location": "locations",
    "sector": "sectors", "tag": "tags", "humanitarian-scope": "humanitarian_scopes",
    "policy-marker": "policy_markers", "collaboration-type": "collaboration_type",
    "default-flow-type": "default_flow_type", "default-finance-type": "default_finance_type",
    "default-aid-type": "default_aid_types", "default-tied-status": "default_tied_status",
    "budget": "budgets", "planned-disbursement": "planned_disbursements",
    "capital-spend": "capital_spend", "transaction": "transactions",
    "document-link": "document_links", "related-activity": "related_activities",
    "result": "results",
}
"""The record field each child of ``iati-activity`` comes from (for findings)."""


@dataclass
class Written:
    """What :func:`write_activities` wrote."""

    path: Path
    activities: list[tuple[str, Record]] = field(default_factory=list)
    """(IATI identifier, record) of each activity, in file order."""
    left_out: list[Finding] = field(default_factory=list)
    """Why a project is not an activity, or a fact not in its activity (severity info)."""


def identifier(record: Record, config: ReleaseConfig) -> str:
    """The IATI identifier of a project: its own, or the publisher's reference + its id."""
    own = record.data.get("iati_identifier")
    return own if isinstance(own, str) and own else f"{config.iati_organisation_ref}-{record.id}"


class _Activity:
    """Builds the ``iati-activity`` element of one project record."""

    def __init__(self, record: Record, dataset: Dataset, config: ReleaseConfig, uris: Uris,
                 today: dt.date) -> None:
        self.record, self.dataset, self.config, self.uris = record, dataset, config, uris
        self.today = today
        self.data: dict[str, Any] = record.data
        self.notes: list[str] = []
        """Facts of the record the activity does not carry (its type-4 description)."""
        self.findings: list[Finding] = []

    def note(self, field_path: str, message: str) -> None:
        self.notes.append(message)
        self.findings.append(self._finding("iati-not-carried", field_path, message))

    def _finding(self, code: str, field_path: str, message: str) -> Finding:
        return Finding(code, message, severity="info", path=self.record.path,
                       line=self.record.line(field_path), record=self.record.id,
                       field=field_path)

    def missing(self) -> list[Finding]:
        """What IATI requires of an activity that the record does not give."""
        data = self.data
        lacks = []
        if iati_code("activity-status", data.get("status")) is None:
            lacks.append(("status", "IATI requires an activity status; the record has none"))
        if not any(_day(data.get(name)) for name, _ in DATE_TYPES):
            lacks.append(("planned_start", "IATI requires a start or end date known to the day; "
                          "the record has none (dates known to the month or year are never "
                          "given a day)"))
        if not data.get("description") and not data.get("objectives") and not any(
                iati_code("description-type", d.get("type")) for d in
                data.get("other_descriptions", [])):
            lacks.append(("description", "IATI requires a description; the record has none"))
        if not any(self._role(p) for p in data.get("participations", [])):
            lacks.append(("participations", "IATI requires a participating organisation in an "
                          "IATI role (funding, accountable, extending, implementing); the "
                          "record has none"))
        return [self._finding("iati-not-published", path,
                              f"not in {ACTIVITIES}: {message}") for path, message in lacks]

    def _role(self, participation: dict[str, Any]) -> str | None:
        return iati_code("participation-role", participation.get("role"))

    def organisation(self, record_id: str | None) -> Record | None:
        return self.dataset.get("organisation", record_id) if record_id else None

    # -- the element ------------------------------------------------------------------------

    def element(self) -> Any:
        data = self.data
        activity = etree.Element("iati-activity")
        if data.get("language"):
            activity.set(XML_LANG, data["language"])
        if data.get("default_currency"):
            activity.set("default-currency", data["default_currency"])
        if data.get("humanitarian") is not None:
            activity.set("humanitarian", _bool(data["humanitarian"]))
        if data.get("hierarchy") is not None:
            activity.set("hierarchy", _number(data["hierarchy"]))
        if data.get("last_updated"):
            activity.set("last-updated-datetime", data["last_updated"])
        if data.get("budget_not_provided"):
            activity.set("budget-not-provided", iati_code(
                "budget-not-provided", data["budget_not_provided"]) or "")
        # the publisher's own linked-data URI where the activity came with one, else ours
        activity.set("linked-data-uri", data.get("linked_data_uri")
                     or self.uris.record("project", self.record.id))
        sub = etree.SubElement
        sub(activity, "iati-identifier").text = identifier(self.record, self.config)
        self.reporting_org(activity)
        _narratives(sub(activity, "title"), data["title"])
        body = etree.Element("body")  # the children after the descriptions, noted meanwhile
        self.participations(body)
        self.other_identifiers(body)
        sub(body, "activity-status", code=iati_code("activity-status", data["status"]) or "")
        self.dates(body)
        self.contacts(body)
        self.code(body, "activity-scope", "scope", "activity-scope")
        self.countries(body)
        for region in data.get("regions", []):
            sub(body, "recipient-region", _attrs(code=region["code"], vocabulary=iati_code(
                "region-vocabulary", region.get("vocabulary")),
                percentage=_maybe(region.get("percentage")),
                **{"vocabulary-uri": region.get("vocabulary_uri")}))
        self.locations(body)
        self.sectors(body)
        for tag in data.get("tags", []):
            _narratives(sub(body, "tag", _attrs(vocabulary=iati_code(
                "tag-vocabulary", tag.get("vocabulary")) or "99", code=tag["code"],
                **{"vocabulary-uri": tag.get("vocabulary_uri")})), tag.get("text"))
        self.country_budget_items(body)
        for scope in data.get("humanitarian_scopes", []):
            _narratives(sub(body, "humanitarian-scope", _attrs(
                type=iati_code("humanitarian-scope-type", scope["type"]),
                vocabulary=iati_code("humanitarian-scope-vocabulary", scope.get("vocabulary")),
                code=scope["code"], **{"vocabulary-uri": scope.get("vocabulary_uri")})),
                scope.get("text"))
        for marker in data.get("policy_markers", []):
            _narratives(sub(body, "policy-marker", _attrs(
                vocabulary=iati_code("policy-marker-vocabulary", marker.get("vocabulary")),
                code=marker["code"], significance=iati_code(
                    "policy-significance", marker.get("significance")),
                **{"vocabulary-uri": marker.get("vocabulary_uri")})), marker.get("text"))
        self.code(body, "collaboration-type", "collaboration_type", "collaboration-type")
        self.code(body, "default-flow-type", "default_flow_type", "flow-type")
        self.code(body, "default-finance-type", "default_finance_type", "finance-type")
        for aid in data.get("default_aid_types", []):
            sub(body, "default-aid-type", _attrs(code=aid["code"], vocabulary=iati_code(
                "aid-type-vocabulary", aid.get("vocabulary"))))
        self.code(body, "default-tied-status", "default_tied_status", "tied-status")
        self.budgets(body)
        self.planned_disbursements(body)
        if data.get("capital_spend") is not None:
            sub(body, "capital-spend", percentage=_number(data["capital_spend"]))
        self.transactions(body)
        self.document_links(body, data.get("document_links", []), "document_links")
        for related in data.get("related_activities", []):
            sub(body, "related-activity", ref=related["ref"], type=iati_code(
                "related-activity-type", related["type"]) or related["type"])
        for legacy in data.get("legacy_data", []):
            sub(body, "legacy-data", _attrs(name=legacy["name"], value=legacy["value"], **{
                "iati-equivalent": legacy.get("iati_equivalent")}))
        self.conditions(body)
        self.results(body)
        self.crs_add(body)
        self.fss(body)
        self.descriptions(activity)
        activity.extend(list(body))
        return activity

    def reporting_org(self, activity: Any) -> None:
        data, config = self.data, self.config
        reporter = self.organisation(data.get("reporting_organisation"))
        if reporter is None:  # the publisher, or its organisation record where there is one
            reporter = next((o for o in self.dataset.of_kind("organisation")
                             if o.data.get("iati_ref") == config.iati_organisation_ref), None)
        if reporter is not None and reporter.data.get("iati_ref"):
            ref, name = reporter.data["iati_ref"], reporter.data["name"]
            kind = iati_code("organisation-type", reporter.data.get("type")) or "90"
        else:
            ref, name, kind = config.iati_organisation_ref, {"en": config.publisher_name}, "90"
        org = etree.SubElement(activity, "reporting-org", _attrs(
            ref=ref, type=kind, **{"secondary-reporter": _bool(data["reporting_secondary"])
                                   if data.get("reporting_secondary") is not None else None}))
        _narratives(org, name)

    def descriptions(self, activity: Any) -> None:
        data, sub = self.data, etree.SubElement
        if data.get("description"):
            _narratives(sub(activity, "description", type="1"), data["description"])
        for objective in data.get("objectives", []):
            _narratives(sub(activity, "description", type="2"), objective)
        for other in data.get("other_descriptions", []):
            code = iati_code("description-type", other.get("type"))
            if code:
                _narratives(sub(activity, "description", type=code), other["text"])
        if self.notes:
            note = ("Facts of the linked-data record that this activity does not carry: "
                    + " ".join(self.notes))
            _narratives(sub(activity, "description", type="4"), {"en": note})

    def participations(self, body: Any) -> None:
        for participation in self.data.get("participations", []):
            role = self._role(participation)
            if role is None:
                continue  # partner, steering committee, beneficiary: no IATI role
            org = self.organisation(participation["organisation"])
            org_data = org.data if org is not None else {}
            element = etree.SubElement(body, "participating-org", _attrs(
                ref=org_data.get("iati_ref"), type=iati_code(
                    "organisation-type", participation.get("organisation_type")
                    or org_data.get("type")), role=role,
                **{"activity-id": participation.get("activity_id"),
                   "crs-channel-code": participation.get("crs_channel")}))
            _narratives(element, participation.get("name") or org_data.get("name"))

    def other_identifiers(self, body: Any) -> None:
        for other in self.data.get("other_identifiers", []):
            element = etree.SubElement(body, "other-identifier", ref=other["ref"], type=iati_code(
                "other-identifier-type", other.get("type")) or "A1")
            if other.get("owner_ref") or other.get("owner_name"):
                owner = etree.SubElement(element, "owner-org", _attrs(ref=other.get("owner_ref")))
                _narratives(owner, other.get("owner_name"))

    def dates(self, body: Any) -> None:
        partial = []
        for name, kind in DATE_TYPES:
            date = self.data.get(name)
            if _day(date):
                etree.SubElement(body, "activity-date", type=kind, **{"iso-date": str(date)})
            elif date is not None:
                partial.append(f"{name.replace('_', ' ')} {date}")
                self.findings.append(self._finding(
                    "iati-not-carried", name, f"{name} {date} is known to the "
                    f"{date.precision} only: no activity-date (IATI dates have a day)"))
        if partial:
            self.notes.append(f"Dates known to the month or year only, which IATI dates (a "
                              f"day) cannot hold: {'; '.join(partial)}.")

    def contacts(self, body: Any) -> None:
        sub = etree.SubElement
        for contact in self.data.get("contacts", []):
            element = sub(body, "contact-info", _attrs(type=iati_code(
                "contact-type", contact.get("type"))))
            for name in ("organisation", "department", "person_name", "job_title"):
                if contact.get(name):
                    _narratives(sub(element, name.replace("_", "-")), contact[name])
            for name in ("telephone", "email", "website"):
                if contact.get(name):
                    sub(element, name).text = contact[name]
            if contact.get("mailing_address"):
                _narratives(sub(element, "mailing-address"), contact["mailing_address"])

    def code(self, body: Any, element: str, name: str, scheme: str) -> None:
        code = iati_code(scheme, self.data.get(name))
        if code is not None:
            etree.SubElement(body, element, code=code)

    def countries(self, body: Any) -> None:
        shares = {s["country"]: s["percentage"] for s in self.data.get("country_shares", [])}
        for country in self.data.get("countries", []):
            etree.SubElement(body, "recipient-country", _attrs(
                code=country, percentage=_maybe(shares.get(country))))

    def locations(self, body: Any) -> None:
        sub = etree.SubElement
        for location in self.data.get("locations", []):
            element = sub(body, "location", _attrs(ref=location.get("ref")))
            if location.get("reach"):
                sub(element, "location-reach", code=iati_code(
                    "geographic-location-reach", location["reach"]) or location["reach"])
            if location.get("location_id"):
                sub(element, "location-id", code=location["location_id"], vocabulary=iati_code(
                    "geographic-vocabulary", location.get("location_id_vocabulary")) or "")
            for name in ("name", "description", "activity_description"):
                if location.get(name):
                    _narratives(sub(element, name.replace("_", "-")), location[name])
            for area in location.get("administratives", []):
                sub(element, "administrative", _attrs(
                    vocabulary=iati_code("geographic-vocabulary", area.get("vocabulary")),
                    level=_maybe(area.get("level")), code=area["code"]))
            if location.get("point"):
                point = sub(element, "point", srsName=SRS_NAME)
                sub(point, "pos").text = _point(location["point"])
            for name, scheme in (("exactness", "geographic-exactness"),
                                 ("location_class", "geographic-location-class"),
                                 ("feature_designation", "location-type")):
                if location.get(name):
                    sub(element, name.replace("_", "-"),
                        code=iati_code(scheme, location[name]) or location[name])

    def sectors(self, body: Any) -> None:
        shares = self.data.get("sector_shares", [])
        shared = {s["code"] for s in shares if iati_code("sector-vocabulary",
                                                         s.get("vocabulary")) in (None, "1")}
        for code in self.data.get("sectors", []):
            if code not in shared:
                etree.SubElement(body, "sector", vocabulary="1", code=code)
        for share in shares:
            _narratives(etree.SubElement(body, "sector", _attrs(
                vocabulary=iati_code("sector-vocabulary", share.get("vocabulary")) or "1",
                **{"vocabulary-uri": share.get("vocabulary_uri")},
                code=share["code"], percentage=_maybe(share.get("percentage")))),
                share.get("text"))

    def _amount(self, parent: Any, item: dict[str, Any], date: PartialDate) -> None:
        """``value`` with its currency and value date (the record's, else ``date``: IATI
        requires one, and it only names the day of the exchange rate)."""
        currency = item.get("currency")
        value_date = item.get("value_date") if _day(item.get("value_date")) else date
        etree.SubElement(parent, "value", _attrs(currency=currency, **{
            "value-date": str(value_date)})).text = _number(item["amount"])

    def budgets(self, body: Any) -> None:
        sub = etree.SubElement
        for n, budget in enumerate(self.data.get("budgets", []), start=1):
            start, end = budget.get("period_start"), budget.get("period_end")
            if not (_day(start) and _day(end)):
                self.note(f"budgets[{n}]", f"Budget of {_number(budget['amount'])} "
                          f"{budget.get('currency', '')}".rstrip() + (
                              f" for {start}–{end}" if start and end else " (no period)")
                          + ": IATI budgets need a period with days.")
                continue
            element = sub(body, "budget", _attrs(
                type=iati_code("budget-type", budget.get("type")) or "1",
                status=iati_code("budget-status", budget.get("status"))))
            sub(element, "period-start", **{"iso-date": str(start)})
            sub(element, "period-end", **{"iso-date": str(end)})
            self._amount(element, budget, start)

    def planned_disbursements(self, body: Any) -> None:
        sub = etree.SubElement
        for n, planned in enumerate(self.data.get("planned_disbursements", []), start=1):
            start, end = planned.get("period_start"), planned.get("period_end")
            if not _day(start) or (end is not None and not _day(end)):
                self.note(f"planned_disbursements[{n}]", f"Planned disbursement of "
                          f"{_number(planned['amount'])} with a period not known to the day.")
                continue
            element = sub(body, "planned-disbursement", _attrs(type=iati_code(
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
        element = etree.SubElement(parent, f"{role}-org", _attrs(
            ref=ref, type=iati_code("organisation-type", kind),
            **{f"{role}-activity-id": activity}))
        _narratives(element, name)

    def transactions(self, body: Any) -> None:
        sub = etree.SubElement
        for n, transaction in enumerate(self.data.get("transactions", []), start=1):
            date = transaction.get("date")
            if not _day(date):
                self.note(f"transactions[{n}]", f"Transaction of {_number(transaction['amount'])}"
                          f" dated {date}, not known to the day.")
                continue
            element = sub(body, "transaction", _attrs(
                ref=transaction.get("ref"), humanitarian=_bool(transaction["humanitarian"])
                if transaction.get("humanitarian") is not None else None))
            sub(element, "transaction-type", code=iati_code(
                "transaction-type", transaction["type"]) or transaction["type"])
            sub(element, "transaction-date", **{"iso-date": str(date)})
            self._amount(element, transaction, date)
            if transaction.get("description"):
                _narratives(sub(element, "description"), transaction["description"])
            self.party(element, transaction, "provider")
            self.party(element, transaction, "receiver")
            if transaction.get("disbursement_channel"):
                sub(element, "disbursement-channel", code=iati_code(
                    "disbursement-channel", transaction["disbursement_channel"]) or "")
            for sector in transaction.get("sectors", []):
                _narratives(sub(element, "sector", _attrs(vocabulary=iati_code(
                    "sector-vocabulary", sector.get("vocabulary")), **{
                        "vocabulary-uri": sector.get("vocabulary_uri")}, code=sector["code"])),
                    sector.get("text"))
            if transaction.get("country"):
                sub(element, "recipient-country", code=transaction["country"])
            if transaction.get("region"):
                sub(element, "recipient-region", _attrs(code=transaction["region"], vocabulary=(
                    iati_code("region-vocabulary", transaction.get("region_vocabulary")))))
            for name, scheme in (("flow_type", "flow-type"), ("finance_type", "finance-type")):
                if transaction.get(name):
                    sub(element, name.replace("_", "-"),
                        code=iati_code(scheme, transaction[name]) or "")
            for aid in transaction.get("aid_types", []):
                sub(element, "aid-type", _attrs(code=aid["code"], vocabulary=iati_code(
                    "aid-type-vocabulary", aid.get("vocabulary"))))
            if transaction.get("tied_status"):
                sub(element, "tied-status", code=iati_code(
                    "tied-status", transaction["tied_status"]) or "")

    def document_links(self, parent: Any, links: list[dict[str, Any]], path: str) -> None:
        """``document-link`` elements (of the activity, a result, an indicator, a baseline,
        a target or an actual value) under ``parent``."""
        sub = etree.SubElement
        for n, link in enumerate(links, start=1):
            categories = [c for c in (iati_code("document-category", c)
                                      for c in link.get("categories", [])) if c]
            where = link.get("url") or link.get("address")
            if not categories:
                self.note(f"{path}[{n}]", f"Document {where} has no IATI document category.")
                continue
            element = sub(parent, "document-link", url=where,
                          format=link.get("format") or "text/html")
            _narratives(sub(element, "title"), link["title"])
            if link.get("description"):
                _narratives(sub(element, "description"), link["description"])
            for category in categories:
                sub(element, "category", code=category)
            for language in link.get("languages", []):
                sub(element, "language", code=language)
            if _day(link.get("date")):
                sub(element, "document-date", **{"iso-date": str(link["date"])})

    def observation(self, parent: Any, item: dict[str, Any], prefix: str, path: str,
                    comment: str | None = None) -> None:
        """The ``location``, ``dimension``, ``comment`` and ``document-link`` of a baseline
        (``comment`` after the document links, as the schema orders them), a target or an
        actual value (``comment`` before them)."""
        sub = etree.SubElement
        for ref in item.get(f"{prefix}_location_refs", []):
            sub(parent, "location", ref=ref)
        for dimension in item.get(f"{prefix}_dimensions", []):
            sub(parent, "dimension", name=dimension["name"], value=dimension["value"])
        if prefix != "baseline" and comment:
            _narratives(sub(parent, "comment"), item[comment])
        self.document_links(parent, item.get(f"{prefix}_document_links", []),
                            f"{path}.{prefix}_document_links")

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
            node = etree.SubElement(element, "budget-item", _attrs(
                code=item["code"], percentage=_maybe(item.get("percentage"))))
            if item.get("description"):
                _narratives(etree.SubElement(node, "description"), item["description"])

    def conditions(self, body: Any) -> None:
        data = self.data
        if data.get("conditions_attached") is None and not data.get("conditions"):
            return
        attached = data.get("conditions_attached")
        element = etree.SubElement(body, "conditions", attached=_bool(
            attached if attached is not None else True))
        for condition in data.get("conditions", []):
            _narratives(etree.SubElement(element, "condition", type=iati_code(
                "condition-type", condition["type"]) or ""), condition.get("text"))

    def crs_add(self, body: Any) -> None:
        data, sub = self.data, etree.SubElement
        flags, terms, status = (data.get("crs_other_flags", []), data.get("loan_terms"),
                                data.get("loan_status"))
        channel = data.get("crs_channel_code")
        if not (flags or terms or status or channel):
            return
        element = sub(body, "crs-add")
        for flag in flags:
            sub(element, "other-flags", code=iati_code("crs-other-flag", flag["code"]) or "",
                significance=_bool(flag["significance"]))
        if terms:
            node = sub(element, "loan-terms", _attrs(**{
                "rate-1": _maybe(terms.get("rate_1")), "rate-2": _maybe(terms.get("rate_2"))}))
            for name, scheme in (("repayment_type", "loan-repayment-type"),
                                 ("repayment_plan", "loan-repayment-period")):
                if terms.get(name):
                    sub(node, name.replace("_", "-"), code=iati_code(scheme, terms[name]) or "")
            for name in ("commitment_date", "repayment_first_date", "repayment_final_date"):
                if _day(terms.get(name)):
                    sub(node, name.replace("_", "-"), **{"iso-date": str(terms[name])})
        if status:
            year = status["year"]
            node = sub(element, "loan-status", _attrs(
                year=str(year.year if isinstance(year, PartialDate) else year),
                currency=status.get("currency"), **{"value-date": str(status["value_date"])
                                                    if _day(status.get("value_date")) else None}))
            for name in ("interest_received", "principal_outstanding", "principal_arrears",
                         "interest_arrears"):
                if status.get(name) is not None:
                    sub(node, name.replace("_", "-")).text = _number(status[name])
        if channel:
            sub(element, "channel-code").text = channel

    def fss(self, body: Any) -> None:
        survey = self.data.get("fss")
        if not survey or not _day(survey.get("extraction_date")):
            if survey:
                self.note("fss", "A forward spending survey whose extraction date is not "
                          "known to the day.")
            return
        phaseout = survey.get("phaseout_year")
        element = etree.SubElement(body, "fss", _attrs(**{
            "extraction-date": str(survey["extraction_date"]),
            "priority": _bool(survey["priority"]) if survey.get("priority") is not None
            else None,
            "phaseout-year": str(phaseout.year if isinstance(phaseout, PartialDate)
                                 else phaseout) if phaseout is not None else None}))
        for forecast in self.data.get("fss_forecasts", []):
            year = forecast["year"]
            etree.SubElement(element, "forecast", _attrs(
                year=str(year.year if isinstance(year, PartialDate) else year),
                currency=forecast.get("currency"), **{
                    "value-date": str(forecast["value_date"]) if _day(
                        forecast.get("value_date")) else None})).text = _number(
                forecast["amount"])

    def results(self, body: Any) -> None:
        sub = etree.SubElement
        for n, result in enumerate(self.data.get("results", []), start=1):
            indicators = list(self.indicators(result, f"results[{n}]"))
            if not indicators:
                self.note(f"results[{n}]", f"Result \u201c{_first(result['title'])}\u201d has "
                          "no indicator, which an IATI result needs.")
                continue
            element = sub(body, "result", _attrs(
                type=iati_code("result-type", result["type"]) or "9",
                **{"aggregation-status": _bool(result["aggregation_status"])
                   if result.get("aggregation_status") is not None else None}))
            _narratives(sub(element, "title"), result["title"])
            if result.get("description"):
                _narratives(sub(element, "description"), result["description"])
            self.document_links(element, result.get("document_links", []),
                                f"results[{n}].document_links")
            for reference in result.get("references", []):
                sub(element, "reference", _attrs(vocabulary=iati_code(
                    "result-vocabulary", reference["vocabulary"]), code=reference["code"],
                    **{"vocabulary-uri": reference.get("vocabulary_uri")}))
            element.extend(indicators)

    def indicators(self, result: dict[str, Any], path: str) -> Iterator[Any]:
        sub = etree.SubElement
        for n, indicator in enumerate(result.get("indicators", []), start=1):
            element = etree.Element("indicator", _attrs(
                measure=iati_code("indicator-measure", indicator.get("measure")) or "1",
                ascending=_bool(indicator["ascending"]) if indicator.get("ascending")
                is not None else None,
                **{"aggregation-status": _bool(indicator["aggregation_status"])
                   if indicator.get("aggregation_status") is not None else None}))
            _narratives(sub(element, "title"), indicator["title"])
            if indicator.get("description"):
                _narratives(sub(element, "description"), indicator["description"])
            where = f"{path}.indicators[{n}]"
            self.document_links(element, indicator.get("document_links", []),
                                f"{where}.document_links")
            for reference in indicator.get("references", []):
                sub(element, "reference", _attrs(vocabulary=iati_code(
                    "indicator-vocabulary", reference["vocabulary"]), code=reference["code"],
                    **{"indicator-uri": reference.get("indicator_uri")}))
            baseline = indicator.get("baseline")
            if baseline and baseline.get("year") is not None:
                year = baseline["year"]
                node = sub(element, "baseline", _attrs(
                    year=str(year.year if isinstance(year, PartialDate) else year),
                    **{"iso-date": str(baseline["date"]) if _day(baseline.get("date"))
                       else None}, value=_maybe(baseline.get("value"))))
                self.observation(node, indicator, "baseline", where)
                if baseline.get("comment"):
                    _narratives(sub(node, "comment"), baseline["comment"])
            for m, period in enumerate(indicator.get("periods", []), start=1):
                if not (_day(period.get("start")) and _day(period.get("end"))):
                    self.note(f"{path}.indicators[{n}].periods[{m}]", "An indicator period "
                              "not known to the day.")
                    continue
                node = sub(element, "period")
                sub(node, "period-start", **{"iso-date": str(period["start"])})
                sub(node, "period-end", **{"iso-date": str(period["end"])})
                for kind in ("target", "actual"):
                    if period.get(kind) is not None or period.get(f"{kind}_comment"):
                        value = sub(node, kind, _attrs(value=_maybe(period.get(kind))))
                        self.observation(value, period, kind, f"{where}.periods[{m}]",
                                         f"{kind}_comment" if period.get(f"{kind}_comment")
                                         else None)
            yield element
        for n, target in enumerate(result.get("targets", []), start=1):
            # A curated target (a number of something) is a unit indicator; its value has
            # no period, so it is said in the indicator's description.
            element = etree.Element("indicator", measure="1")
            _narratives(sub(element, "title"), target["unit"])
            at_least = "at least " if target.get("at_least") else ""
            _narratives(sub(element, "description"),
                        {"en": f"Target: {at_least}{_number(target['value'])} "
                               f"({path}.targets[{n}] of the linked-data record)."})
            yield element


def _narratives(parent: Any, text: dict[str, str] | None) -> None:
    """One ``narrative`` per language of ``text`` (in language order)."""
    for language in sorted(text or {}):
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, language)
        narrative.text = text[language]  # type: ignore[index]


def _attrs(**values: str | None) -> dict[str, str]:
    """The attributes with a value (``secondary_reporter`` is written as given)."""
    return {name: value for name, value in values.items() if value is not None}


def _day(date: object) -> bool:
    return isinstance(date, PartialDate) and date.precision == "day"


def _bool(value: bool) -> str:
    return "1" if value else "0"


def _number(value: Decimal | int) -> str:
    number = Decimal(value)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _maybe(value: Decimal | int | None) -> str | None:
    return None if value is None else _number(value)


def _point(point: Any) -> str:
    """A point as IATI's ``pos``: latitude, a space, longitude."""
    if isinstance(point, str):
        return " ".join(point.split())
    latitude, longitude = point
    return f"{_number(latitude)} {_number(longitude)}"


def _first(text: dict[str, str]) -> str:
    return text.get("en") or next(iter(text.values()))


def activity_elements(dataset: Dataset, config: ReleaseConfig, uris: Uris, today: dt.date,
                      written: Written) -> Iterator[Any]:
    """The ``iati-activity`` element of each project that IATI can hold, one at a time;
    what is left out goes into ``written``."""
    for record in dataset.of_kind("project"):
        builder = _Activity(record, dataset, config, uris, today)
        missing = builder.missing()
        if missing:
            written.left_out.extend(missing)
            continue
        element = builder.element()
        written.left_out.extend(builder.findings)
        written.activities.append((identifier(record, config), record))
        yield element


def write_activities(dataset: Dataset, path: Path, *, config: ReleaseConfig | None = None,
                     uris: Uris | None = None, today: dt.date | None = None) -> Written:
    """Write ``iati-activities.xml`` at ``path``, streamed: one activity built, written and
    dropped at a time. Nothing is written when no project can be an activity (the schema
    requires at least one): ``Written.activities`` is then empty."""
    config = config or ReleaseConfig()
    uris = uris or Uris(config.base_uri)
    today = today or dt.date.today()
    written = Written(path)
    elements = activity_elements(dataset, config, uris, today, written)
    first = next(elements, None)
    if first is None:
        return written
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("iati-activities", version=VERSION):
            xf.write("\n")
            for element in _chain(first, elements):
                xf.write(element, pretty_print=True)
    return written


def _chain(first: Any, rest: Iterable[Any]) -> Iterator[Any]:
    yield first
    yield from rest


# -- organisations ---------------------------------------------------------------------------

def write_organisations(dataset: Dataset, path: Path) -> int:
    """Write ``iati-organisations.xml``: one ``iati-organisation`` for every organisation
    record with an IATI reference (its identifier, name and reporting organisation, itself).
    Returns how many were written; nothing is written when none has a reference."""
    organisations = [o for o in dataset.of_kind("organisation") if o.data.get("iati_ref")]
    if not organisations:
        return 0
    sub = etree.SubElement
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("iati-organisations", version=VERSION):
            xf.write("\n")
            for record in organisations:
                ref, name = record.data["iati_ref"], record.data["name"]
                element = etree.Element("iati-organisation")
                sub(element, "organisation-identifier").text = ref
                _narratives(sub(element, "name"), name)
                reporter = sub(element, "reporting-org", _attrs(
                    ref=ref, type=iati_code("organisation-type", record.data.get("type"))
                    or "90"))
                _narratives(reporter, name)
                xf.write(element, pretty_print=True)
    return len(organisations)


# -- written and checked -------------------------------------------------------------------

@dataclass
class Exported:
    """The IATI files of a release (or of ``export-iati``), and what their checks found."""

    activities: Path | None
    """``iati-activities.xml``, or None when no project could be an activity."""
    organisations: Path | None
    findings: list[Finding]
    """Schema and rule violations (each at its record and field), rule warnings, and what
    was left out (infos)."""
    written: Written

    @property
    def valid(self) -> bool:
        return not any(f.severity == "violation" for f in self.findings)


def export(dataset: Dataset, activities: Path, organisations: Path | None = None, *,
           config: ReleaseConfig | None = None, uris: Uris | None = None,
           today: dt.date | None = None) -> Exported:
    """Write the IATI files and check them against the official 2.03 schemas and the
    IATI rules; every problem becomes a finding at the record and field it comes from."""

    config = config or ReleaseConfig()
    today = today or dt.datetime.now(dt.UTC).date()
    written = write_activities(dataset, activities, config=config, uris=uris, today=today)
    findings = list(written.left_out)
    if written.activities:
        for error in xsd.check(activities):
            findings.append(_located(written, error.index, error.element, "iati-schema",
                                     f"{ACTIVITIES}:{error.line}: {error.message}"))
        for problem in rules.check(activities, today=today):
            findings.append(_located(written, problem.index, problem.element, problem.code,
                                     f"{ACTIVITIES}:{problem.line}: {problem.message}",
                                     problem.severity))
    organisations_written = None
    if organisations is not None and write_organisations(dataset, organisations):
        organisations_written = organisations
        records = [o for o in dataset.of_kind("organisation") if o.data.get("iati_ref")]
        for error in xsd.check(organisations, organisations=True):
            record = records[error.index - 1] if 0 < error.index <= len(records) else None
            findings.append(Finding(
                "iati-schema", f"{ORGANISATIONS}:{error.line}: {error.message}",
                path=record.path if record else None,
                line=record.line("iati_ref") if record else None,
                record=record.id if record else None, field="iati_ref" if record else None))
    return Exported(activities if written.activities else None, organisations_written,
                    findings, written)


def _located(written: Written, index: int, element: str, code: str, message: str,
             severity: str = "violation") -> Finding:
    """A finding about activity number ``index``, at its record's field for ``element``."""
    if not 0 < index <= len(written.activities):
        return Finding(code, message, severity=severity,  # type: ignore[arg-type]
                       path=str(written.path))
    _, record = written.activities[index - 1]
    name = ELEMENT_FIELDS.get(element, "id")
    shares = {"sector": "sector_shares", "recipient-country": "country_shares"}
    if element in shares and shares[element] in record.data:
        name = shares[element]
    if element == "activity-date":
        name = next((n for n, _ in DATE_TYPES if n in record.data), name)
    return Finding(code, message, severity=severity,  # type: ignore[arg-type]
                   path=record.path, line=record.line(name), record=record.id, field=name)

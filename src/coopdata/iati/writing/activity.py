"""The ``iati-activity`` of one project record: its header (identifier, reporting and
participating organisations, title and descriptions), status and dates, its codes, and
the children that :mod:`~coopdata.iati.writing.places`, :mod:`~coopdata.iati.writing.finance` and
:mod:`~coopdata.iati.writing.results` write, in the order the 2.03 schema requires."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from coopdata.iati.writing.builder import identifier
from coopdata.iati.writing.codes import iati_code
from coopdata.iati.writing.finance import Finance
from coopdata.iati.writing.places import Places
from coopdata.iati.writing.results import Results
from coopdata.iati.writing.timing import activity_dates, activity_status
from coopdata.iati.writing.values import ACTIVITIES, XML_LANG, attrs, flag, narratives, num
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset, Record
from coopdata.model.uris import Uris
from coopdata.report import Finding


def publisher(dataset: Dataset, config: ReleaseConfig) -> Record | None:
    """The organisation record of the publisher (whose ``iati_ref`` is the configuration's
    reference), if there is one: the reporting organisation of the activities whose
    record names none."""
    return next((o for o in dataset.of_kind("organisation")
                 if o.data.get("iati_ref") == config.iati_organisation_ref), None)


class Activity(Places, Finance, Results):
    """Builds the ``iati-activity`` element of one project record (``publisher``: what
    :func:`publisher` finds in ``dataset``, found once for all activities)."""

    def __init__(self, record: Record, dataset: Dataset, config: ReleaseConfig, uris: Uris,
                 today: dt.date, *, publisher: Record | None) -> None:
        super().__init__(record, dataset, config, uris, today)
        self.publisher = publisher
        self.status = activity_status(self.data, today)
        self.activity_dates = activity_dates(self.data)

    def missing(self) -> list[Finding]:
        """What IATI requires of an activity that the record does not give and that no
        rule of :mod:`coopdata.iati.writing.timing` derives from it."""
        data = self.data
        lacks = []
        if self.status is None:
            why = ("its dates do not tell (they straddle the day the file is written, "
                   f"{self.today.isoformat()})" if self.activity_dates.written
                   or self.activity_dates.not_carried else "it has no date to derive one from")
            lacks.append(("status", "IATI requires an activity status; the record states "
                          f"none and {why}"))
        if not self.activity_dates.has_start:
            lacks.append(("planned_start", "IATI requires a planned or actual start date; the "
                          "record has none, not even one known to the month or year"))
        if not data.get("description") and not data.get("objectives") and not any(
                iati_code("description-type", d.get("type")) for d in
                data.get("other_descriptions", [])):
            lacks.append(("description", "IATI requires a description; the record has none"))
        if not any(self.role(p) for p in data.get("participations", [])):
            lacks.append(("participations", "IATI requires a participating organisation in an "
                          "IATI role (funding, accountable, extending, implementing); the "
                          "record has none"))
        return [self.finding("iati-not-published", path,
                             f"not in {ACTIVITIES}: {message}") for path, message in lacks]

    # -- the element ------------------------------------------------------------------------

    def element(self) -> Any:
        data = self.data
        activity = etree.Element("iati-activity")
        if data.get("language"):
            activity.set(XML_LANG, data["language"])
        if data.get("default_currency"):
            activity.set("default-currency", data["default_currency"])
        if data.get("humanitarian") is not None:
            activity.set("humanitarian", flag(data["humanitarian"]))
        if data.get("hierarchy") is not None:
            activity.set("hierarchy", num(data["hierarchy"]))
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
        narratives(sub(activity, "title"), data["title"])
        body = etree.Element("body")  # the children after the descriptions, noted meanwhile
        self.participations(body)
        self.other_identifiers(body)
        status = self.status
        if status is None:  # activity_elements writes only what missing() lets through
            raise ValueError(f"{self.record.id}: no activity status, which IATI requires")
        sub(body, "activity-status", code=status.code)
        if status.derivation:
            self.derive("status", status.derivation)
        self.dates(body)
        self.contacts(body)
        self.code(body, "activity-scope", "scope", "activity-scope")
        self.countries(body)
        self.regions(body)
        self.locations(body)
        self.sectors(body)
        for tag in data.get("tags", []):
            narratives(sub(body, "tag", attrs(vocabulary=iati_code(
                "tag-vocabulary", tag.get("vocabulary")) or "99", code=tag["code"],
                **{"vocabulary-uri": tag.get("vocabulary_uri")})), tag.get("text"))
        self.country_budget_items(body)
        for scope in data.get("humanitarian_scopes", []):
            narratives(sub(body, "humanitarian-scope", attrs(
                type=iati_code("humanitarian-scope-type", scope["type"]),
                vocabulary=iati_code("humanitarian-scope-vocabulary", scope.get("vocabulary")),
                code=scope["code"], **{"vocabulary-uri": scope.get("vocabulary_uri")})),
                scope.get("text"))
        for marker in data.get("policy_markers", []):
            narratives(sub(body, "policy-marker", attrs(
                vocabulary=iati_code("policy-marker-vocabulary", marker.get("vocabulary")),
                code=marker["code"], significance=iati_code(
                    "policy-significance", marker.get("significance")),
                **{"vocabulary-uri": marker.get("vocabulary_uri")})), marker.get("text"))
        self.code(body, "collaboration-type", "collaboration_type", "collaboration-type")
        self.code(body, "default-flow-type", "default_flow_type", "flow-type")
        self.code(body, "default-finance-type", "default_finance_type", "finance-type")
        for aid in data.get("default_aid_types", []):
            sub(body, "default-aid-type", attrs(code=aid["code"], vocabulary=iati_code(
                "aid-type-vocabulary", aid.get("vocabulary"))))
        self.code(body, "default-tied-status", "default_tied_status", "tied-status")
        self.budgets(body)
        self.planned_disbursements(body)
        if data.get("capital_spend") is not None:
            sub(body, "capital-spend", percentage=num(data["capital_spend"]))
        self.transactions(body)
        self.document_links(body, data.get("document_links", []), "document_links")
        for related in data.get("related_activities", []):
            sub(body, "related-activity", ref=related["ref"], type=iati_code(
                "related-activity-type", related["type"]) or related["type"])
        for legacy in data.get("legacy_data", []):
            sub(body, "legacy-data", attrs(name=legacy["name"], value=legacy["value"], **{
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
            reporter = self.publisher
        if reporter is not None and reporter.data.get("iati_ref"):
            ref, name = reporter.data["iati_ref"], reporter.data["name"]
            kind = iati_code("organisation-type", reporter.data.get("type")) or "90"
        else:
            ref, name, kind = config.iati_organisation_ref, {"en": config.publisher_name}, "90"
        org = etree.SubElement(activity, "reporting-org", attrs(
            ref=ref, type=kind, **{"secondary-reporter": flag(data["reporting_secondary"])
                                   if data.get("reporting_secondary") is not None else None}))
        narratives(org, name)

    def descriptions(self, activity: Any) -> None:
        data, sub = self.data, etree.SubElement
        if data.get("description"):
            narratives(sub(activity, "description", type="1"), data["description"])
        for objective in data.get("objectives", []):
            narratives(sub(activity, "description", type="2"), objective)
        for other in data.get("other_descriptions", []):
            code = iati_code("description-type", other.get("type"))
            if code:
                narratives(sub(activity, "description", type=code), other["text"])
        parts = list(self.derived)
        if self.notes:
            parts.append("Facts of the linked-data record that this activity does not carry: "
                         + " ".join(self.notes))
        if parts:
            narratives(sub(activity, "description", type="4"), {"en": " ".join(parts)})

    def participations(self, body: Any) -> None:
        for participation in self.data.get("participations", []):
            role = self.role(participation)
            if role is None:
                continue  # partner, steering committee, beneficiary: no IATI role
            org = self.organisation(participation["organisation"])
            org_data = org.data if org is not None else {}
            element = etree.SubElement(body, "participating-org", attrs(
                ref=org_data.get("iati_ref"), type=iati_code(
                    "organisation-type", participation.get("organisation_type")
                    or org_data.get("type")), role=role,
                **{"activity-id": participation.get("activity_id"),
                   "crs-channel-code": participation.get("crs_channel")}))
            narratives(element, participation.get("name") or org_data.get("name"))

    def other_identifiers(self, body: Any) -> None:
        for other in self.data.get("other_identifiers", []):
            element = etree.SubElement(body, "other-identifier", ref=other["ref"], type=iati_code(
                "other-identifier-type", other.get("type")) or "A1")
            if other.get("owner_ref") or other.get("owner_name"):
                owner = etree.SubElement(element, "owner-org", attrs(ref=other.get("owner_ref")))
                narratives(owner, other.get("owner_name"))

    def dates(self, body: Any) -> None:
        """The ``activity-date``s (the rule of :mod:`coopdata.iati.writing.timing`)."""
        for date in self.activity_dates.written:
            element = etree.SubElement(body, "activity-date", type=date.type,
                                       **{"iso-date": date.iso_date.isoformat()})
            if date.narrative:  # a date known to the month or year: said, and found
                narratives(element, {"en": date.narrative})
                self.findings.append(self.finding("iati-derived", date.field, date.narrative))
        for name, message in self.activity_dates.not_carried:
            self.note(name, message[0].upper() + message[1:] + ".")

    def contacts(self, body: Any) -> None:
        sub = etree.SubElement
        for contact in self.data.get("contacts", []):
            element = sub(body, "contact-info", attrs(type=iati_code(
                "contact-type", contact.get("type"))))
            for name in ("organisation", "department", "person_name", "job_title"):
                if contact.get(name):
                    narratives(sub(element, name.replace("_", "-")), contact[name])
            for name in ("telephone", "email", "website"):
                if contact.get(name):
                    sub(element, name).text = contact[name]
            if contact.get("mailing_address"):
                narratives(sub(element, "mailing-address"), contact["mailing_address"])

    def code(self, body: Any, element: str, name: str, scheme: str) -> None:
        code = iati_code(scheme, self.data.get(name))
        if code is not None:
            etree.SubElement(body, element, code=code)


    def conditions(self, body: Any) -> None:
        data = self.data
        if data.get("conditions_attached") is None and not data.get("conditions"):
            return
        attached = data.get("conditions_attached")
        element = etree.SubElement(body, "conditions", attached=flag(
            attached if attached is not None else True))
        for condition in data.get("conditions", []):
            narratives(etree.SubElement(element, "condition", type=iati_code(
                "condition-type", condition["type"]) or ""), condition.get("text"))

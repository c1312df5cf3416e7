"""One IATI activity → one project record (and the organisations it names).

The mapping follows ``docs/iati.md``, element by element: one handler a child element of
``iati-activity`` (:data:`_HANDLERS`). This module maps the activity's header (its
identifiers, titles and descriptions, organisations, dates, status, sectors and other
codes); :mod:`.mapplaces` where it takes place, :mod:`.mapfinance` its money,
:mod:`.mapresults` its results and documents. Every value goes into the record through
:meth:`.mapstate.Activity.put`, which looks the field up in the model, turns the IATI text
into the field's type (:mod:`.mapvalues`) and counts the IATI path as carried. A value
that the model has no field for, or that is not of the field's type, is not carried: it
stays in the report's ``dropped`` list, with a warning for a value that could not be read.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from coopdata.iati.reading import mapfinance as finance
from coopdata.iati.reading import mapplaces as places
from coopdata.iati.reading import mapresults as results
from coopdata.iati.reading.mapstate import (
    ACTIVITY,
    PROJECT,
    Activity,
    Handler,
    Mapped,
    Organisations,
    Warn,
    as_given,
    coded,
    fields_of,
    new_object,
)
from coopdata.iati.reading.mapvalues import language_of, notation, short_text
from coopdata.iati.reading.read import XML_LANG
from coopdata.iati.writing.places import shares
from coopdata.iati.writing.rules import percentage_errors

_DAC_5 = "1"
"""The IATI sector vocabulary of the OECD DAC 5-digit purpose codes (the default)."""


def map_activity(activity: Any, *, warn: Warn, orgs: Organisations,
                 default_lang: str = "en") -> Mapped:
    """The project record of ``activity`` (an ``iati-activity`` element)."""
    lang = language_of(activity.get(XML_LANG) or "") or default_lang
    act = Activity(warn, lang, orgs)
    act.log.append(ACTIVITY)
    data: dict[str, Any] = {"type": "project"}
    identifier_element = act.child(activity, "iati-identifier")
    identifier = (identifier_element.text or "").strip() if identifier_element is not None \
        else ""
    if identifier:
        act.put(data, PROJECT, "iati_identifier", identifier, f"{ACTIVITY}/iati-identifier",
                identifier_element.sourceline)
    for attribute, name in (("{http://www.w3.org/XML/1998/namespace}lang", "language"),
                            ("default-currency", "default_currency"),
                            ("humanitarian", "humanitarian"), ("hierarchy", "hierarchy"),
                            ("linked-data-uri", "linked_data_uri"),
                            ("last-updated-datetime", "last_updated"),
                            ("budget-not-provided", "budget_not_provided")):
        shown = "xml:lang" if attribute == XML_LANG else attribute
        act.put(data, PROJECT, name, activity.get(attribute), f"{ACTIVITY}/@{shown}",
                activity.sourceline, quiet=attribute == XML_LANG)
    written_lang = (activity.get(XML_LANG) or "").strip()
    if written_lang and "language" not in data:  # (its texts are kept, and said to be so)
        warn("iati-value-not-carried", f'{ACTIVITY}/@xml:lang: "{short_text(written_lang)}" '
             "is not an ISO 639-1 language; not carried, and the narratives without an "
             f"xml:lang of their own are taken as written in {lang!r}", activity.sourceline)
    currency = data.get("default_currency")
    if currency is None and (activity.get("default-currency") or "").strip():
        act.unread_currency = activity.get("default-currency").strip()
    for child in activity:
        handler = _HANDLERS.get(child.tag) if isinstance(child.tag, str) else None
        if handler is not None:
            handler(act, data, child, currency)
    published = list(percentage_errors(activity))  # (the release's IATI checks say so)
    for broken in published:
        warn(broken.code, f"{broken.message}, as published (the IATI Standard's rule"
             + ("; a release writes the activity only once they do)"
                if broken.severity == "violation" else ")"), broken.line)
    if not _shares_carried(activity, act.log):  # (what a release will sum differs)
        said = {broken.message for broken in published}
        for broken in percentage_errors(shares(data)):
            if broken.message not in said:
                warn(broken.code, f"{broken.message}, as carried (not every recipient "
                     "country, region or sector or its percentage above was carried; a "
                     "release writes the activity only once they sum as the IATI Standard's "
                     "rule says)" if broken.severity == "violation" else
                     f"{broken.message}, as carried", activity.sourceline)
    if "title" not in data:
        warn("iati-no-title", f"the activity {identifier or '(no identifier)'} has no title; "
             "its identifier stands as its title", activity.sourceline)
        data["title"] = {lang: identifier or "(untitled IATI activity)"}
    return Mapped(identifier, data, Counter(act.log), activity.sourceline, act.log)


_SHARED = ("recipient-country", "recipient-region", "sector")
"""The children of ``iati-activity`` whose percentages the IATI rules sum."""


def _shares_carried(activity: Any, log: list[str]) -> bool:
    """Whether every recipient country, region and sector of ``activity``, and each of
    their percentages, was carried (``log``: the paths carried): the record then sums as
    the activity does."""
    present: Counter[str] = Counter()
    for child in activity:
        if child.tag in _SHARED:
            present[f"{ACTIVITY}/{child.tag}"] += 1
            if child.get("percentage") is not None:
                present[f"{ACTIVITY}/{child.tag}/@percentage"] += 1
    if not present:
        return True
    carried = Counter(path for path in log if path in present)
    return carried == present


def _reporting_org(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/reporting-org"
    if "reporting_organisation" not in PROJECT or "reporting_organisation" in data:
        return
    record, _ = act.organisation(el, path)
    if act.put(data, PROJECT, "reporting_organisation", record, path, el.sourceline):
        act.attr(data, PROJECT, "reporting_secondary", el, "secondary-reporter", path)


def _title(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    act.put_text(data, PROJECT, "title", el, f"{ACTIVITY}/title")


def _description(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/description"
    kind = (el.get("type") or "").strip() or "1"  # (blank: absent, the general one)
    if kind == "1":
        if act.put_text(data, PROJECT, "description", el, path) and el.get("type"):
            act.log.append(f"{path}/@type")
    elif kind == "2":
        if act.put_text(data, PROJECT, "objectives", el, path):
            act.log.append(f"{path}/@type")
    elif "other_descriptions" in PROJECT:
        fields, mark, item = fields_of("other_descriptions"), len(act.log), new_object()
        if not act.qualifier(item, fields, "type", el, "type", path):
            return  # (without its type, a description is the activity's general one)
        act.put_text(item, fields, "text", el, path, counted=False)
        act.keep(data, PROJECT, "other_descriptions", item, mark, path, el.sourceline)


def _other_identifier(act: Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    path = f"{ACTIVITY}/other-identifier"
    if "other_identifiers" not in PROJECT:
        return
    fields, mark, item = fields_of("other_identifiers"), len(act.log), new_object()
    if not act.qualifier(item, fields, "type", el, "type", path):
        return  # (written back without it: the reporting organisation's own identifier)
    act.attr(item, fields, "ref", el, "ref", path)
    owner = act.child(el, "owner-org")
    if owner is not None:
        opath = f"{path}/owner-org"
        carried = act.attr(item, fields, "owner_ref", owner, "ref", opath)
        carried = act.put_text(item, fields, "owner_name", owner, opath, counted=False) \
            or carried
        if carried:
            act.log.append(opath)
    act.keep(data, PROJECT, "other_identifiers", item, mark, path, el.sourceline)


def _participating_org(act: Activity, data: dict[str, Any], el: Any,
                       currency: str | None) -> None:
    path = f"{ACTIVITY}/participating-org"
    if "participations" not in PROJECT:
        return
    fields, mark, item = fields_of("participations"), len(act.log), new_object()
    if "role" not in fields or not act.attr(item, fields, "role", el, "role", path):
        return
    record, name = act.organisation(el, path)
    act.put(item, fields, "organisation", record, f"{path}", el.sourceline)
    if "organisation" in item:
        act.log.pop()  # (the element itself is counted when the participation is kept)
        as_given(act, item, fields, el, path, mark, "name", "organisation_type", name)
    act.attr(item, fields, "activity_id", el, "activity-id", path)
    act.attr(item, fields, "crs_channel", el, "crs-channel-code", path)
    act.keep(data, PROJECT, "participations", item, mark, path, el.sourceline)


_CODE_ELEMENTS = {
    "activity-status": "status", "activity-scope": "scope",
    "collaboration-type": "collaboration_type", "default-flow-type": "default_flow_type",
    "default-finance-type": "default_finance_type", "default-tied-status": "default_tied_status",
}
"""Child elements of ``iati-activity`` that hold one code in ``@code``: the field each
becomes."""


def _code_element(tag: str, name: str) -> Handler:
    """The handler of a child element ``tag`` whose ``@code`` becomes the field ``name``."""
    path = f"{ACTIVITY}/{tag}"

    def handle(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
        if act.attr(data, PROJECT, name, el, "code", path):
            act.log.append(path)

    return handle


_DATES = {"1": "planned_start", "2": "actual_start", "3": "planned_end", "4": "actual_end"}


def _activity_date(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/activity-date"
    name = _DATES.get((el.get("type") or "").strip())
    if name is not None and act.attr(data, PROJECT, name, el, "iso-date", path):
        act.log.extend((path, f"{path}/@type"))


_CONTACT_TEXTS = (("organisation", "organisation"), ("department", "department"),
                  ("person-name", "person_name"), ("job-title", "job_title"),
                  ("mailing-address", "mailing_address"))


def _contact_info(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/contact-info"
    if "contacts" not in PROJECT:
        return
    fields, mark, item = fields_of("contacts"), len(act.log), new_object()
    act.attr(item, fields, "type", el, "type", path)
    for tag, name in _CONTACT_TEXTS:
        act.put_text(item, fields, name, act.child(el, tag), f"{path}/{tag}")
    for tag, name in (("telephone", "telephone"), ("email", "email"), ("website", "website")):
        act.child_text(item, fields, name, el, tag, path)
    act.keep(data, PROJECT, "contacts", item, mark, path, el.sourceline)


def _sector(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/sector"
    vocabulary = (el.get("vocabulary") or "").strip() or _DAC_5  # (blank: absent)
    plain = el.get("percentage") is None and el.get("vocabulary-uri") is None and \
        act.child(el, "narrative") is None
    if vocabulary == _DAC_5 and plain and act.attr(data, PROJECT, "sectors", el, "code",
                                                   path, quiet=True):
        act.log.append(path)
        if el.get("vocabulary") is not None:
            act.log.append(f"{path}/@vocabulary")
        return
    coded(act, data, el, path, "sector_shares", (("percentage", "percentage"),), text=True)
    if vocabulary == _DAC_5 and act.put(  # with a percentage: in the DAC sectors too
            data, PROJECT, "sectors", el.get("code"), f"{path}/@code", el.sourceline,
            quiet=True):
        act.log.pop()  # (@code counted once, with the sector share)


def _tag(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    coded(act, data, el, f"{ACTIVITY}/tag", "tags", text=True)


def _policy_marker(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    coded(act, data, el, f"{ACTIVITY}/policy-marker", "policy_markers",
           (("significance", "significance"),), text=True)


def _humanitarian_scope(act: Activity, data: dict[str, Any], el: Any,
                        currency: str | None) -> None:
    coded(act, data, el, f"{ACTIVITY}/humanitarian-scope", "humanitarian_scopes",
           (("type", "type"),), text=True)


def _default_aid_type(act: Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    coded(act, data, el, f"{ACTIVITY}/default-aid-type", "default_aid_types")


def _related_activity(act: Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    path = f"{ACTIVITY}/related-activity"
    fields = fields_of("related_activities")
    if not fields:
        return
    mark, item = len(act.log), new_object()
    act.attr(item, fields, "ref", el, "ref", path)
    act.attr(item, fields, "type", el, "type", path)
    act.keep(data, PROJECT, "related_activities", item, mark, path, el.sourceline)


def _conditions(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/conditions"
    mark = len(act.log)
    act.attr(data, PROJECT, "conditions_attached", el, "attached", path)
    fields = fields_of("conditions")
    for condition in el.iterchildren("condition") if fields else ():
        cpath, cmark, item = f"{path}/condition", len(act.log), new_object()
        act.attr(item, fields, "type", condition, "type", cpath)
        act.put_text(item, fields, "text", condition, cpath, counted=False)
        act.keep(data, PROJECT, "conditions", item, cmark, cpath, condition.sourceline)
    if len(act.log) > mark:
        act.log.append(path)


def _legacy_data(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/legacy-data"
    fields = fields_of("legacy_data")
    if not fields:
        return
    mark, item = len(act.log), new_object()
    for attribute in ("name", "value", "iati-equivalent"):
        act.attr(item, fields, attribute.replace("-", "_"), el, attribute, path)
    act.keep(data, PROJECT, "legacy_data", item, mark, path, el.sourceline)


_HANDLERS: dict[str, Handler] = {
    "reporting-org": _reporting_org, "title": _title, "description": _description,
    "participating-org": _participating_org, "other-identifier": _other_identifier,
    "activity-date": _activity_date, "contact-info": _contact_info, "sector": _sector,
    "tag": _tag, "policy-marker": _policy_marker, "humanitarian-scope": _humanitarian_scope,
    "default-aid-type": _default_aid_type, "related-activity": _related_activity,
    "conditions": _conditions, "legacy-data": _legacy_data,
    **{tag: _code_element(tag, name) for tag, name in _CODE_ELEMENTS.items()},
    **places.HANDLERS, **finance.HANDLERS, **results.HANDLERS,
}
"""What each child element of ``iati-activity`` becomes; anything else is dropped."""


__all__ = ["Mapped", "Organisations", "Warn", "map_activity", "notation"]

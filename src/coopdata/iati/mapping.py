"""One IATI activity → one project record (and the organisations it names).

The mapping follows ``docs/iati.md``, element by element. Every value goes into the
record through :meth:`_Activity.put`, which looks the field up in the model
(:mod:`coopdata.model.spec`), turns the IATI text into the field's type (an IATI code into
the notation of the field's code list, a date, a number, a point…) and counts the IATI
path as carried. A value that the model has no field for, or that is not of the field's
type, is not carried: it stays in the report's ``dropped`` list, with a warning for a
value that could not be read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from coopdata.iati.read import XML_LANG
from coopdata.model import codes as registries
from coopdata.model.dates import DateError, PartialDate
from coopdata.model.spec import KINDS, Field, by_name
from coopdata.records.checks import MAX_NUMBER_EXPONENT, MAX_SIGNIFICANT_DIGITS
from coopdata.records.values import parse_point, point_text

Warn = Callable[[str, str, "int | None"], None]
"""``warn(code, message, line)``: one warning about a value that was not carried."""

_A = "iati-activity"
_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WGS84 = ("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326",
          "urn:ogc:def:crs:EPSG::4326")
_TRUE, _FALSE = ("1", "true"), ("0", "false")
_DAC_5 = "1"
"""The IATI sector vocabulary of the OECD DAC 5-digit purpose codes (the default)."""


class Organisations(Protocol):
    """Where the organisations an activity names become records (deduplicated)."""

    def identify(self, ref: str | None, name: dict[str, str], type_code: str | None,
                 line: int | None) -> tuple[str | None, bool]:
        """The id of the organisation record for ``ref`` (else ``name``), or None when
        both are missing; and whether ``type_code`` was carried."""


@cache
def _notations(scheme: str) -> frozenset[str]:
    return frozenset(registries.schemes().get(scheme, ()))


def notation(scheme: str, code: str) -> str | None:
    """The notation of the concept of ``scheme`` whose IATI code (or notation) is ``code``
    (:func:`coopdata.model.codes.from_iati`)."""
    found = registries.from_iati(scheme, code)
    return found if found is not None else code if code in _notations(scheme) else None


@dataclass
class Mapped:
    """One activity as a project record."""

    identifier: str
    data: dict[str, Any]
    carried: Counter[str]
    line: int | None
    log: list[str]
    """The paths carried, once an occurrence (what ``carried`` counts)."""


def _fields(*names: str) -> dict[str, Field]:
    """The fields of the project's object field reached by ``names`` (empty if none)."""
    found = _FIELDS.get(names)
    if found is None:
        found = by_name(KINDS["project"].fields)
        for name in names:
            spec = found.get(name)
            if spec is None or spec.type != "object":
                found = {}
                break
            found = by_name(spec.fields)
        _FIELDS[names] = found
    return found


_FIELDS: dict[tuple[str, ...], dict[str, Field]] = {}


class _Activity:
    """The state of one activity being mapped: the paths carried, the warnings."""

    def __init__(self, warn: Warn, lang: str, orgs: Organisations) -> None:
        self.log: list[str] = []
        self.warn = warn
        self.lang = lang
        self.orgs = orgs
        self._children: dict[Any, dict[Any, Any]] = {}

    def child(self, element: Any, tag: str) -> Any:
        """``element.find(tag)`` for a plain tag: the first child so named, or None. The
        children of an element are gathered in one pass, the first time one is asked for
        (one ``find`` costs about as much as that pass)."""
        children = self._children.get(element)
        if children is None:
            children = self._children[element] = {}
            for found in element:
                children.setdefault(found.tag, found)
        return children.get(tag)

    # --- values -----------------------------------------------------------------
    def put(self, obj: dict[str, Any], fields: dict[str, Field], name: str, raw: Any,
            path: str, line: Any, *, quiet: bool = False) -> bool:
        """Set (or append to) ``obj[name]`` from ``raw`` if the model has the field and
        the value is of its type; count ``path`` as carried. ``line`` is the line of the
        value, or the element that holds it (its line is looked up only for a warning)."""
        spec = fields.get(name)
        if spec is None or raw is None:
            return False
        value = self.convert(spec, raw, path, line, quiet)
        if value is None:
            return False
        if spec.many:
            obj.setdefault(name, []).append(value)
        elif name in obj:
            return False  # a second one (two titles, two planned starts): dropped
        else:
            obj[name] = value
        self.log.append(path)
        return True

    def convert(self, spec: Field, raw: Any, path: str, line: Any, quiet: bool) -> Any:
        kind = spec.type
        if kind == "text" or kind == "ref":
            return raw or None
        text = raw.strip()
        if not text:
            return None
        value: Any = None
        if kind in _PURE:  # (the commonest: codes and dates)
            key = (kind, spec.scheme, text)
            value = _PURE_VALUES.get(key, _UNKNOWN)
            if value is _UNKNOWN:
                value = _pure(kind, spec.scheme, text)
                if len(_PURE_VALUES) >= _PURE_LIMIT:
                    _PURE_VALUES.clear()
                _PURE_VALUES[key] = value
        elif kind == "decimal":
            value = _decimal(text)
        elif kind == "string":
            value = _CONTROL.sub(" ", text)
        elif kind == "url":
            text = text.replace(" ", "%20")  # (spaces are common in published URLs)
            value = text if _url(text) else None
        elif kind == "point":
            point = parse_point(text)
            value = point_text(*point) if point else None
        if value is None and not quiet:
            what = f"a {spec.scheme} code" if kind == "code" else f"a {kind}"
            self.warn("iati-value-not-carried", f'{path}: "{_short(text)}" is not {what} '
                      "coopdata knows; not carried", _line(line))
        return value

    def texts(self, element: Any, path: str) -> tuple[dict[str, str], list[str]]:
        """The narratives of ``element`` by language, and the paths they carried."""
        found: dict[str, str] = {}
        used: list[str] = []
        narrative_path = f"{path}/narrative"
        for narrative in element.iterchildren("narrative"):
            text = (narrative.text or "").strip()
            written = narrative.get(XML_LANG)
            lang = self.lang if written is None else _language(written)
            if lang is None:
                self.warn("iati-value-not-carried", f'{narrative_path}/@xml:lang: "'
                          f'{_short(written or "")}" is not an ISO 639-1 language; not carried',
                          narrative.sourceline)
                continue
            if not text or lang in found:
                continue  # empty, or a second text in the same language: dropped
            found[lang] = _CONTROL.sub(" ", text)
            used.append(narrative_path)
            if written is not None:
                used.append(f"{narrative_path}/@xml:lang")
        return found, used

    def put_text(self, obj: dict[str, Any], fields: dict[str, Field], name: str,
                 element: Any | None, path: str, *, counted: bool = True) -> bool:
        """``obj[name]`` from the narratives of ``element`` (the element counts too, unless
        not ``counted``: when it is the object the text belongs to, counted when kept)."""
        if element is None or name not in fields:
            return False
        found, used = self.texts(element, path)
        if found and self.put(obj, fields, name, found, path, element.sourceline):
            if not counted:
                self.log.pop()
            self.log.extend(used)
            return True
        return False

    def attr(self, obj: dict[str, Any], fields: dict[str, Field], name: str, element: Any,
             attribute: str, path: str, *, quiet: bool = False) -> bool:
        raw = element.get(attribute)
        if raw is None:
            return False  # (most attributes asked for are absent: no path made for them)
        return self.put(obj, fields, name, raw, f"{path}/@{attribute}", element, quiet=quiet)

    def child_attr(self, obj: dict[str, Any], fields: dict[str, Field], name: str,
                   element: Any, child: str, attribute: str, path: str) -> bool:
        """``obj[name]`` from ``element/child/@attribute`` (the child counts too)."""
        found = self.child(element, child)
        if found is not None and self.attr(obj, fields, name, found, attribute,
                                           f"{path}/{child}"):
            self.log.append(f"{path}/{child}")
            return True
        return False

    def child_text(self, obj: dict[str, Any], fields: dict[str, Field], name: str,
                   element: Any, child: str, path: str) -> bool:
        found = self.child(element, child)
        return found is not None and self.put(obj, fields, name, found.text,
                                              f"{path}/{child}", found.sourceline)

    # --- objects ----------------------------------------------------------------
    def keep(self, obj: dict[str, Any], fields: dict[str, Field], name: str,
             child: dict[str, Any], mark: int, path: str, line: int | None) -> bool:
        """Add the object ``child`` (built since ``mark``) as ``obj[name]``, or drop all
        it carried when it lacks a required field."""
        spec = fields[name]
        missing = [f.name for f in spec.fields if f.required and f.name not in child]
        if not child or missing:
            del self.log[mark:]
            if child:
                self.warn("iati-value-not-carried", f"{path}: no {', '.join(missing)} that "
                          "coopdata can read; not carried", line)
            return False
        if spec.many:
            obj.setdefault(name, []).append(child)
        elif name in obj:
            del self.log[mark:]
            return False
        else:
            obj[name] = child
        self.log.append(path)
        return True

    def organisation(self, element: Any, path: str) -> tuple[str | None, dict[str, str]]:
        """The organisation record named by ``element`` (with ``@ref``, ``@type`` and
        narratives), or None; and its name as written."""
        name, used = self.texts(element, path)
        ref = (element.get("ref") or "").strip() or None
        record, typed = self.orgs.identify(ref, name, element.get("type"), element.sourceline)
        if record is not None:
            self.log.extend(used)
            if ref:
                self.log.append(f"{path}/@ref")
            if typed:
                self.log.append(f"{path}/@type")
        return record, name


_PURE = frozenset({"code", "date", "boolean", "country", "currency", "language"})
"""Field types whose value depends on the text alone (remembered in :data:`_PURE_VALUES`)."""
_PURE_VALUES: dict[tuple[str, str | None, str], Any] = {}
_PURE_LIMIT = 1 << 16
_UNKNOWN = object()


def _pure(kind: str, scheme: str | None, text: str) -> Any:
    """The value of ``text`` (stripped, not empty) for a field of type ``kind`` in
    :data:`_PURE`, or None."""
    if kind == "code":
        assert scheme is not None
        return notation(scheme, text)
    if kind == "date":
        return _date(text)
    if kind == "boolean":
        return True if text.lower() in _TRUE else False if text.lower() in _FALSE else None
    if kind == "country":
        return text.upper() if registries.country(text.upper()) else None
    if kind == "currency":
        return text.upper() if registries.currency(text.upper()) else None
    return _language(text)


def _item() -> dict[str, Any]:
    """A new, empty object of a record."""
    return {}


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if len(text) <= MAX_SIGNIFICANT_DIGITS and "e" not in text and "E" not in text and \
            number.is_finite():
        return number  # (no more digits than characters, no exponent: within the limits)
    if not number.is_finite() or (number and (
            len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
            or not -MAX_NUMBER_EXPONENT <= number.adjusted() < MAX_NUMBER_EXPONENT)):
        return None
    return number


def _date(text: str) -> str | None:
    day = text[:10]  # an IATI iso-date; a dateTime carries its day first
    if _DAY.fullmatch(day):
        try:
            return date.fromisoformat(day).isoformat()
        except ValueError:
            return None
    try:
        return str(PartialDate.parse(day))
    except DateError:
        return None


def _language(text: str) -> str | None:
    found = _LANGUAGES.get(text, _UNKNOWN)
    if found is _UNKNOWN:
        tag = text.strip().lower().split("-")[0]
        found = tag if registries.language(tag) is not None else None
        if len(_LANGUAGES) >= _PURE_LIMIT:
            _LANGUAGES.clear()
        _LANGUAGES[text] = found
    return found  # type: ignore[return-value]


_LANGUAGES: dict[str, str | None] = {}


def _line(where: Any) -> int | None:
    """The line of ``where``: a line, None, or an element."""
    return where if where is None or type(where) is int else where.sourceline


def _url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and \
        not any(c in '<>"{}|\\^`' or ord(c) <= 32 for c in text)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


_PROJECT = by_name(KINDS["project"].fields)


def map_activity(activity: Any, *, warn: Warn, orgs: Organisations,
                 default_lang: str = "en") -> Mapped:
    """The project record of ``activity`` (an ``iati-activity`` element)."""
    lang = _language(activity.get(XML_LANG) or "") or default_lang
    act = _Activity(warn, lang, orgs)
    act.log.append(_A)
    data: dict[str, Any] = {"type": "project"}
    identifier_element = act.child(activity, "iati-identifier")
    identifier = (identifier_element.text or "").strip() if identifier_element is not None \
        else ""
    if identifier:
        act.put(data, _PROJECT, "iati_identifier", identifier, f"{_A}/iati-identifier",
                identifier_element.sourceline)
    for attribute, name in (("{http://www.w3.org/XML/1998/namespace}lang", "language"),
                            ("default-currency", "default_currency"),
                            ("humanitarian", "humanitarian"), ("hierarchy", "hierarchy"),
                            ("linked-data-uri", "linked_data_uri"),
                            ("last-updated-datetime", "last_updated"),
                            ("budget-not-provided", "budget_not_provided")):
        shown = "xml:lang" if attribute == XML_LANG else attribute
        act.put(data, _PROJECT, name, activity.get(attribute), f"{_A}/@{shown}",
                activity.sourceline)
    currency = data.get("default_currency")
    for child in activity:
        handler = _HANDLERS.get(child.tag) if isinstance(child.tag, str) else None
        if handler is not None:
            handler(act, data, child, currency)
    if "title" not in data:
        warn("iati-no-title", f"the activity {identifier or '(no identifier)'} has no title; "
             "its identifier stands as its title", activity.sourceline)
        data["title"] = {lang: identifier or "(untitled IATI activity)"}
    return Mapped(identifier, data, Counter(act.log), activity.sourceline, act.log)


# --- one handler an element of iati-activity ---------------------------------------

Handler = Callable[[_Activity, dict[str, Any], Any, "str | None"], None]


def _reporting_org(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/reporting-org"
    if "reporting_organisation" not in _PROJECT or "reporting_organisation" in data:
        return
    record, _ = act.organisation(el, path)
    if act.put(data, _PROJECT, "reporting_organisation", record, path, el.sourceline):
        act.attr(data, _PROJECT, "reporting_secondary", el, "secondary-reporter", path)


def _title(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    act.put_text(data, _PROJECT, "title", el, f"{_A}/title")


def _description(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/description"
    kind = (el.get("type") or "1").strip()
    if kind == "1":
        if act.put_text(data, _PROJECT, "description", el, path) and el.get("type"):
            act.log.append(f"{path}/@type")
    elif kind == "2":
        if act.put_text(data, _PROJECT, "objectives", el, path):
            act.log.append(f"{path}/@type")
    elif "other_descriptions" in _PROJECT:
        fields, mark, item = _fields("other_descriptions"), len(act.log), _item()
        act.attr(item, fields, "type", el, "type", path)
        act.put_text(item, fields, "text", el, path, counted=False)
        act.keep(data, _PROJECT, "other_descriptions", item, mark, path, el.sourceline)


def _other_identifier(act: _Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    path = f"{_A}/other-identifier"
    if "other_identifiers" not in _PROJECT:
        return
    fields, mark, item = _fields("other_identifiers"), len(act.log), _item()
    act.attr(item, fields, "ref", el, "ref", path)
    act.attr(item, fields, "type", el, "type", path)
    owner = act.child(el, "owner-org")
    if owner is not None:
        opath = f"{path}/owner-org"
        carried = act.attr(item, fields, "owner_ref", owner, "ref", opath)
        carried = act.put_text(item, fields, "owner_name", owner, opath, counted=False) \
            or carried
        if carried:
            act.log.append(opath)
    act.keep(data, _PROJECT, "other_identifiers", item, mark, path, el.sourceline)


def _participating_org(act: _Activity, data: dict[str, Any], el: Any,
                       currency: str | None) -> None:
    path = f"{_A}/participating-org"
    if "participations" not in _PROJECT:
        return
    fields, mark, item = _fields("participations"), len(act.log), _item()
    if "role" not in fields or not act.attr(item, fields, "role", el, "role", path):
        return
    record, name = act.organisation(el, path)
    act.put(item, fields, "organisation", record, f"{path}", el.sourceline)
    if "organisation" in item:
        act.log.pop()  # (the element itself is counted when the participation is kept)
        _as_given(act, item, fields, el, path, mark, "name", "organisation_type", name)
    act.attr(item, fields, "activity_id", el, "activity-id", path)
    act.attr(item, fields, "crs_channel", el, "crs-channel-code", path)
    act.keep(data, _PROJECT, "participations", item, mark, path, el.sourceline)



_CODE_ELEMENTS = {
    "activity-status": "status", "activity-scope": "scope",
    "collaboration-type": "collaboration_type", "default-flow-type": "default_flow_type",
    "default-finance-type": "default_finance_type", "default-tied-status": "default_tied_status",
}
"""Child elements of ``iati-activity`` that hold one code in ``@code``: the field each
becomes."""


def _code_element(tag: str, name: str) -> Handler:
    """The handler of a child element ``tag`` whose ``@code`` becomes the field ``name``."""
    path = f"{_A}/{tag}"

    def handle(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
        if act.attr(data, _PROJECT, name, el, "code", path):
            act.log.append(path)

    return handle


_DATES = {"1": "planned_start", "2": "actual_start", "3": "planned_end", "4": "actual_end"}


def _activity_date(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/activity-date"
    name = _DATES.get((el.get("type") or "").strip())
    if name is not None and act.attr(data, _PROJECT, name, el, "iso-date", path):
        act.log.extend((path, f"{path}/@type"))


_CONTACT_TEXTS = (("organisation", "organisation"), ("department", "department"),
                  ("person-name", "person_name"), ("job-title", "job_title"),
                  ("mailing-address", "mailing_address"))


def _contact_info(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/contact-info"
    if "contacts" not in _PROJECT:
        return
    fields, mark, item = _fields("contacts"), len(act.log), _item()
    act.attr(item, fields, "type", el, "type", path)
    for tag, name in _CONTACT_TEXTS:
        act.put_text(item, fields, name, act.child(el, tag), f"{path}/{tag}")
    for tag, name in (("telephone", "telephone"), ("email", "email"), ("website", "website")):
        act.child_text(item, fields, name, el, tag, path)
    act.keep(data, _PROJECT, "contacts", item, mark, path, el.sourceline)



def _recipient_country(act: _Activity, data: dict[str, Any], el: Any,
                       currency: str | None) -> None:
    path = f"{_A}/recipient-country"
    if not act.attr(data, _PROJECT, "countries", el, "code", path):
        return
    act.log.append(path)
    if el.get("percentage") is not None and "country_shares" in _PROJECT:
        fields, mark, item = _fields("country_shares"), len(act.log), _item()
        item["country"] = data["countries"][-1]
        if act.attr(item, fields, "percentage", el, "percentage", path):
            data.setdefault("country_shares", []).append(item)
        else:
            del act.log[mark:]


def _coded(act: _Activity, data: dict[str, Any], el: Any, path: str, name: str,
           extra: tuple[tuple[str, str], ...] = (), text: bool = False) -> None:
    """One item of a list of codes with a vocabulary (region, sector, tag, policy marker,
    humanitarian scope, aid type): ``@vocabulary``, ``@code`` and ``extra`` attributes."""
    fields = _fields(name)
    if not fields:
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "code", el, "code", path)
    act.attr(item, fields, "vocabulary", el, "vocabulary", path)
    act.attr(item, fields, "vocabulary_uri", el, "vocabulary-uri", path)
    for attribute, field_name in extra:
        act.attr(item, fields, field_name, el, attribute, path)
    if text:
        act.put_text(item, fields, "text", el, path, counted=False)
    act.keep(data, _PROJECT, name, item, mark, path, el.sourceline)


def _recipient_region(act: _Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    _coded(act, data, el, f"{_A}/recipient-region", "regions", (("percentage", "percentage"),))


def _sector(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/sector"
    vocabulary = (el.get("vocabulary") or _DAC_5).strip()
    plain = el.get("percentage") is None and el.get("vocabulary-uri") is None and \
        act.child(el, "narrative") is None
    if vocabulary == _DAC_5 and plain and act.attr(data, _PROJECT, "sectors", el, "code",
                                                   path, quiet=True):
        act.log.append(path)
        if el.get("vocabulary") is not None:
            act.log.append(f"{path}/@vocabulary")
        return
    _coded(act, data, el, path, "sector_shares", (("percentage", "percentage"),), text=True)
    if vocabulary == _DAC_5 and act.put(  # with a percentage: in the DAC sectors too
            data, _PROJECT, "sectors", el.get("code"), f"{path}/@code", el.sourceline,
            quiet=True):
        act.log.pop()  # (@code counted once, with the sector share)


def _tag(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    _coded(act, data, el, f"{_A}/tag", "tags", text=True)


def _policy_marker(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    _coded(act, data, el, f"{_A}/policy-marker", "policy_markers",
           (("significance", "significance"),), text=True)


def _humanitarian_scope(act: _Activity, data: dict[str, Any], el: Any,
                        currency: str | None) -> None:
    _coded(act, data, el, f"{_A}/humanitarian-scope", "humanitarian_scopes",
           (("type", "type"),), text=True)






def _default_aid_type(act: _Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    _coded(act, data, el, f"{_A}/default-aid-type", "default_aid_types")


def _capital_spend(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/capital-spend"
    if act.attr(data, _PROJECT, "capital_spend", el, "percentage", path):
        act.log.append(path)


def _value(act: _Activity, item: dict[str, Any], fields: dict[str, Field], el: Any, path: str,
           currency: str | None) -> None:
    """``value`` (amount, ``@currency`` else the default, ``@value-date``) into ``item``."""
    value = act.child(el, "value")
    if value is None:
        return
    vpath = f"{path}/value"
    if not act.put(item, fields, "amount", value.text, vpath, value.sourceline):
        return
    if not act.attr(item, fields, "currency", value, "currency", vpath) and currency \
            and fields.get("currency") is not None and fields["currency"].required:
        item["currency"] = currency  # (the activity's @default-currency, counted there)
    act.attr(item, fields, "value_date", value, "value-date", vpath)


def _period(act: _Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
            path: str, names: tuple[str, str] = ("period_start", "period_end")) -> None:
    for tag, name in zip(("period-start", "period-end"), names, strict=True):
        act.child_attr(item, fields, name, el, tag, "iso-date", path)


def _ordered(act: _Activity, el: Any, path: str) -> bool:
    """False, with a warning, for a period that ends before it starts: the IATI rules
    (``date_order``) refuse it, so it is not carried (and not written back)."""
    start, end = act.child(el, "period-start"), act.child(el, "period-end")
    first = _date(start.get("iso-date") or "") if start is not None else None
    last = _date(end.get("iso-date") or "") if end is not None else None
    if first and last and len(first) == len(last) == 10 and last < first:
        act.warn("iati-period-order", f"{path}: the period ends ({last}) before it starts "
                 f"({first}), which the IATI rules refuse; not carried", el.sourceline)
        return False
    return True


def _budget(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/budget"
    fields = _fields("budgets")
    if not fields or not _ordered(act, el, path):
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "type", el, "type", path)
    act.attr(item, fields, "status", el, "status", path)
    _period(act, item, fields, el, path)
    _value(act, item, fields, el, path, currency)
    act.keep(data, _PROJECT, "budgets", item, mark, path, el.sourceline)


def _party(act: _Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
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
            _as_given(act, item, fields, party, ppath, mark, f"{role}_name", f"{role}_type",
                      name)
    else:
        act.put_text(item, fields, f"{role}_name", party, ppath)
        act.attr(item, fields, f"{role}_type", party, "type", ppath)
    act.attr(item, fields, f"{role}_activity", party, f"{role}-activity-id", ppath)
    if len(act.log) > mark and ppath not in act.log[mark:]:
        act.log.append(ppath)


def _as_given(act: _Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
              path: str, mark: int, name_field: str, type_field: str,
              name: dict[str, str]) -> None:
    """The name and type of an organisation as this activity gives them, beside the
    organisation record (deduplicated by reference, it keeps the first name and type met):
    counted with the record already, they are kept so that they are written back."""
    if name and f"{path}/narrative" in act.log[mark:] and name_field in fields:
        item[name_field] = name
    written = el.get("type")
    if written and f"{path}/@type" in act.log[mark:] and type_field in fields:
        found = notation("organisation-type", written.strip())
        if found is not None:
            item[type_field] = found


def _planned_disbursement(act: _Activity, data: dict[str, Any], el: Any,
                          currency: str | None) -> None:
    path = f"{_A}/planned-disbursement"
    fields = _fields("planned_disbursements")
    if not fields or not _ordered(act, el, path):
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "type", el, "type", path)
    _period(act, item, fields, el, path)
    _value(act, item, fields, el, path, currency)
    _party(act, item, fields, el, path, "provider")
    _party(act, item, fields, el, path, "receiver")
    act.keep(data, _PROJECT, "planned_disbursements", item, mark, path, el.sourceline)


_TRANSACTION_CODES = (("transaction-type", "type"), ("disbursement-channel",
                      "disbursement_channel"), ("flow-type", "flow_type"),
                      ("finance-type", "finance_type"), ("tied-status", "tied_status"))


def _transaction(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/transaction"
    fields = _fields("transactions")
    if not fields:
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "ref", el, "ref", path)
    act.attr(item, fields, "humanitarian", el, "humanitarian", path)
    for tag, name in _TRANSACTION_CODES:
        act.child_attr(item, fields, name, el, tag, "code", path)
    act.child_attr(item, fields, "date", el, "transaction-date", "iso-date", path)
    _value(act, item, fields, el, path, currency)
    act.put_text(item, fields, "description", act.child(el, "description"), f"{path}/description")
    _party(act, item, fields, el, path, "provider")
    _party(act, item, fields, el, path, "receiver")
    act.child_attr(item, fields, "country", el, "recipient-country", "code", path)
    if act.child_attr(item, fields, "region", el, "recipient-region", "code", path):
        act.attr(item, fields, "region_vocabulary", act.child(el, "recipient-region"), "vocabulary",
                 f"{path}/recipient-region")
    for tag, name in (("sector", "sectors"), ("aid-type", "aid_types")):
        sub_fields = by_name(fields[name].fields) if name in fields else {}
        for child in el.iterchildren(tag) if sub_fields else ():
            cpath, cmark, code = f"{path}/{tag}", len(act.log), _item()
            act.attr(code, sub_fields, "code", child, "code", cpath)
            act.attr(code, sub_fields, "vocabulary", child, "vocabulary", cpath)
            act.attr(code, sub_fields, "vocabulary_uri", child, "vocabulary-uri", cpath)
            act.put_text(code, sub_fields, "text", child, cpath, counted=False)
            act.keep(item, fields, name, code, cmark, cpath, child.sourceline)
    act.keep(data, _PROJECT, "transactions", item, mark, path, el.sourceline)


def _document_link(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    _document(act, data, _PROJECT, "document_links", el, f"{_A}/document-link")


def _document(act: _Activity, obj: dict[str, Any], parent: dict[str, Field], name: str,
              el: Any, path: str) -> None:
    """A ``document-link`` (of the activity, a result, an indicator, a baseline, a target
    or an actual value) into ``obj[name]``: its ``@url``, else, where that is not an
    http(s) URL with a host, its address as written."""
    spec = parent.get(name)
    if spec is None or spec.type != "object":
        return
    fields = by_name(spec.fields)
    mark, item = len(act.log), _item()
    if not act.attr(item, fields, "url", el, "url", path, quiet=True):
        act.attr(item, fields, "address", el, "url", path)
    act.attr(item, fields, "format", el, "format", path)
    act.put_text(item, fields, "title", act.child(el, "title"), f"{path}/title")
    act.put_text(item, fields, "description", act.child(el, "description"), f"{path}/description")
    for tag, field_name in (("category", "categories"), ("language", "languages")):
        for child in el.iterchildren(tag):
            if act.attr(item, fields, field_name, child, "code", f"{path}/{tag}"):
                act.log.append(f"{path}/{tag}")
    act.child_attr(item, fields, "date", el, "document-date", "iso-date", path)
    if "url" not in item and "address" not in item:
        del act.log[mark:]
        if item:
            act.warn("iati-value-not-carried", f"{path}: no url; not carried", el.sourceline)
        return
    act.keep(obj, parent, name, item, mark, path, el.sourceline)


def _observation(act: _Activity, obj: dict[str, Any], fields: dict[str, Field], el: Any,
                 path: str, prefix: str) -> None:
    """``location/@ref``, ``dimension`` and ``document-link`` of a baseline (into the
    indicator), a target or an actual value (into the period), into the fields named
    with ``prefix``."""
    head = f"{prefix}_"
    for location in el.iterchildren("location"):
        if act.attr(obj, fields, f"{head}location_refs", location, "ref", f"{path}/location"):
            act.log.append(f"{path}/location")
    spec = fields.get(f"{head}dimensions")
    for dimension in el.iterchildren("dimension") if spec is not None else ():
        dpath, dmark, item = f"{path}/dimension", len(act.log), _item()
        sub = by_name(spec.fields)  # type: ignore[union-attr]
        act.put(item, sub, "name", dimension.get("name"), f"{dpath}/@name",
                dimension.sourceline)
        act.put(item, sub, "value", dimension.get("value"), f"{dpath}/@value",
                dimension.sourceline)
        act.keep(obj, fields, f"{head}dimensions", item, dmark, dpath, dimension.sourceline)
    for link in el.iterchildren("document-link"):
        _document(act, obj, fields, f"{head}document_links", link, f"{path}/document-link")


def _references(act: _Activity, obj: dict[str, Any], fields: dict[str, Field], el: Any,
                path: str, uri: str) -> None:
    """``reference`` of a result (``@vocabulary-uri``) or an indicator (``@indicator-uri``)."""
    spec = fields.get("references")
    if spec is None:
        return
    sub = by_name(spec.fields)
    for reference in el.iterchildren("reference"):
        rpath, mark, item = f"{path}/reference", len(act.log), _item()
        act.attr(item, sub, "vocabulary", reference, "vocabulary", rpath)
        act.attr(item, sub, "code", reference, "code", rpath)
        act.attr(item, sub, uri.replace("-", "_"), reference, uri, rpath)
        act.keep(obj, fields, "references", item, mark, rpath, reference.sourceline)


def _related_activity(act: _Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    path = f"{_A}/related-activity"
    fields = _fields("related_activities")
    if not fields:
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "ref", el, "ref", path)
    act.attr(item, fields, "type", el, "type", path)
    act.keep(data, _PROJECT, "related_activities", item, mark, path, el.sourceline)


_RESULT = by_name(KINDS["project"].field("results").fields)


def _result(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/result"
    mark, item = len(act.log), _item()
    act.attr(item, _RESULT, "type", el, "type", path)
    act.attr(item, _RESULT, "aggregation_status", el, "aggregation-status", path)
    act.put_text(item, _RESULT, "title", act.child(el, "title"), f"{path}/title")
    act.put_text(item, _RESULT, "description", act.child(el, "description"), f"{path}/description")
    for link in el.iterchildren("document-link"):
        _document(act, item, _RESULT, "document_links", link, f"{path}/document-link")
    _references(act, item, _RESULT, el, path, "vocabulary-uri")
    fields = _fields("results", "indicators")
    for indicator in el.iterchildren("indicator") if fields else ():
        _indicator(act, item, fields, indicator, f"{path}/indicator")
    act.keep(data, _PROJECT, "results", item, mark, path, el.sourceline)


def _indicator(act: _Activity, result: dict[str, Any], fields: dict[str, Field], el: Any,
               path: str) -> None:
    mark, item = len(act.log), _item()
    act.attr(item, fields, "measure", el, "measure", path)
    act.attr(item, fields, "ascending", el, "ascending", path)
    act.attr(item, fields, "aggregation_status", el, "aggregation-status", path)
    act.put_text(item, fields, "title", act.child(el, "title"), f"{path}/title")
    act.put_text(item, fields, "description", act.child(el, "description"), f"{path}/description")
    for link in el.iterchildren("document-link"):
        _document(act, item, fields, "document_links", link, f"{path}/document-link")
    _references(act, item, fields, el, path, "indicator-uri")
    baseline = act.child(el, "baseline")
    base_fields = _fields("results", "indicators", "baseline")
    if baseline is not None and base_fields:
        bpath, bmark, base = f"{path}/baseline", len(act.log), _item()
        act.attr(base, base_fields, "year", baseline, "year", bpath)
        act.attr(base, base_fields, "date", baseline, "iso-date", bpath)
        act.attr(base, base_fields, "value", baseline, "value", bpath)
        act.put_text(base, base_fields, "comment", act.child(baseline, "comment"),
                     f"{bpath}/comment")
        if act.keep(item, fields, "baseline", base, bmark, bpath, baseline.sourceline):
            _observation(act, item, fields, baseline, bpath, "baseline")
    period_fields = _fields("results", "indicators", "periods")
    for period in el.iterchildren("period") if period_fields else ():
        ppath, pmark, entry = f"{path}/period", len(act.log), _item()
        if not _ordered(act, period, ppath):
            continue
        _period(act, entry, period_fields, period, ppath, ("start", "end"))
        for tag in ("target", "actual"):
            found = act.child(period, tag)
            if found is not None and act.attr(entry, period_fields, tag, found, "value",
                                              f"{ppath}/{tag}"):
                act.log.append(f"{ppath}/{tag}")
                act.put_text(entry, period_fields, f"{tag}_comment", act.child(found, "comment"),
                             f"{ppath}/{tag}/comment")
                _observation(act, entry, period_fields, found, f"{ppath}/{tag}", tag)
        act.keep(item, fields, "periods", entry, pmark, ppath, period.sourceline)
    act.keep(result, _RESULT, "indicators", item, mark, path, el.sourceline)


_LOCATION_CODES = (("exactness", "exactness"), ("location-reach", "reach"),
                   ("location-class", "location_class"),
                   ("feature-designation", "feature_designation"))


def _location(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/location"
    fields = _fields("locations")
    if not fields:
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "ref", el, "ref", path)
    found = act.child(el, "location-id")
    if found is not None and act.attr(item, fields, "location_id", found, "code",
                                      f"{path}/location-id"):
        act.attr(item, fields, "location_id_vocabulary", found, "vocabulary",
                 f"{path}/location-id")
        act.log.append(f"{path}/location-id")
    for tag, name in (("name", "name"), ("description", "description"),
                      ("activity-description", "activity_description")):
        act.put_text(item, fields, name, act.child(el, tag), f"{path}/{tag}")
    admin_fields = _fields("locations", "administratives")
    for admin in el.iterchildren("administrative") if admin_fields else ():
        apath, amark, area = f"{path}/administrative", len(act.log), _item()
        act.attr(area, admin_fields, "vocabulary", admin, "vocabulary", apath)
        act.attr(area, admin_fields, "level", admin, "level", apath)
        act.attr(area, admin_fields, "code", admin, "code", apath)
        act.keep(item, fields, "administratives", area, amark, apath, admin.sourceline)
    point = act.child(el, "point")
    if point is not None:
        _point(act, item, fields, point, f"{path}/point")
    for tag, name in _LOCATION_CODES:
        act.child_attr(item, fields, name, el, tag, "code", path)
    act.keep(data, _PROJECT, "locations", item, mark, path, el.sourceline)


def _point(act: _Activity, item: dict[str, Any], fields: dict[str, Field], point: Any,
           path: str) -> None:
    srs = (point.get("srsName") or "").strip()
    pos = act.child(point, "pos")
    if pos is None or srs not in _WGS84:
        if pos is not None:
            act.warn("iati-value-not-carried", f'{path}/@srsName: "{_short(srs)}" is not WGS 84 '
                     "(EPSG:4326); the point is not carried", point.sourceline)
        return
    if act.put(item, fields, "point", pos.text, f"{path}/pos", pos.sourceline):
        act.log.extend((path, f"{path}/@srsName"))


def _country_budget_items(act: _Activity, data: dict[str, Any], el: Any,
                          currency: str | None) -> None:
    path = f"{_A}/country-budget-items"
    mark = len(act.log)
    fields = _fields("budget_items")
    for budget_item in el.iterchildren("budget-item") if fields else ():
        ipath, imark, entry = f"{path}/budget-item", len(act.log), _item()
        act.attr(entry, fields, "code", budget_item, "code", ipath)
        act.attr(entry, fields, "percentage", budget_item, "percentage", ipath)
        act.put_text(entry, fields, "description", budget_item.find("description"),
                     f"{ipath}/description")
        act.keep(data, _PROJECT, "budget_items", entry, imark, ipath, budget_item.sourceline)
    if len(act.log) > mark:  # (the vocabulary alone, without a budget item, says nothing)
        act.attr(data, _PROJECT, "budget_items_vocabulary", el, "vocabulary", path)
        act.log.append(path)


def _conditions(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/conditions"
    mark = len(act.log)
    act.attr(data, _PROJECT, "conditions_attached", el, "attached", path)
    fields = _fields("conditions")
    for condition in el.iterchildren("condition") if fields else ():
        cpath, cmark, item = f"{path}/condition", len(act.log), _item()
        act.attr(item, fields, "type", condition, "type", cpath)
        act.put_text(item, fields, "text", condition, cpath, counted=False)
        act.keep(data, _PROJECT, "conditions", item, cmark, cpath, condition.sourceline)
    if len(act.log) > mark:
        act.log.append(path)


def _legacy_data(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/legacy-data"
    fields = _fields("legacy_data")
    if not fields:
        return
    mark, item = len(act.log), _item()
    for attribute in ("name", "value", "iati-equivalent"):
        act.attr(item, fields, attribute.replace("-", "_"), el, attribute, path)
    act.keep(data, _PROJECT, "legacy_data", item, mark, path, el.sourceline)


_LOAN_DATES = ("commitment-date", "repayment-first-date", "repayment-final-date")
_LOAN_AMOUNTS = ("interest-received", "principal-outstanding", "principal-arrears",
                 "interest-arrears")


def _crs_add(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/crs-add"
    mark = len(act.log)
    flags = _fields("crs_other_flags")
    for flag in el.iterchildren("other-flags") if flags else ():
        fpath, fmark, entry = f"{path}/other-flags", len(act.log), _item()
        act.attr(entry, flags, "code", flag, "code", fpath)
        act.attr(entry, flags, "significance", flag, "significance", fpath)
        act.keep(data, _PROJECT, "crs_other_flags", entry, fmark, fpath, flag.sourceline)
    terms, terms_fields = el.find("loan-terms"), _fields("loan_terms")
    if terms is not None and terms_fields:
        tpath, tmark, entry = f"{path}/loan-terms", len(act.log), _item()
        act.attr(entry, terms_fields, "rate_1", terms, "rate-1", tpath)
        act.attr(entry, terms_fields, "rate_2", terms, "rate-2", tpath)
        act.child_attr(entry, terms_fields, "repayment_type", terms, "repayment-type", "code",
                       tpath)
        act.child_attr(entry, terms_fields, "repayment_plan", terms, "repayment-plan", "code",
                       tpath)
        for tag in _LOAN_DATES:
            act.child_attr(entry, terms_fields, tag.replace("-", "_"), terms, tag, "iso-date",
                           tpath)
        act.keep(data, _PROJECT, "loan_terms", entry, tmark, tpath, terms.sourceline)
    status, status_fields = el.find("loan-status"), _fields("loan_status")
    if status is not None and status_fields:
        spath, smark, entry = f"{path}/loan-status", len(act.log), _item()
        act.attr(entry, status_fields, "year", status, "year", spath)
        act.attr(entry, status_fields, "currency", status, "currency", spath)
        act.attr(entry, status_fields, "value_date", status, "value-date", spath)
        for tag in _LOAN_AMOUNTS:
            act.child_text(entry, status_fields, tag.replace("-", "_"), status, tag, spath)
        act.keep(data, _PROJECT, "loan_status", entry, smark, spath, status.sourceline)
    act.child_text(data, _PROJECT, "crs_channel_code", el, "channel-code", path)
    if len(act.log) > mark:
        act.log.append(path)


def _fss(act: _Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{_A}/fss"
    fields = _fields("fss")
    if not fields:
        return
    mark, item = len(act.log), _item()
    act.attr(item, fields, "extraction_date", el, "extraction-date", path)
    act.attr(item, fields, "priority", el, "priority", path)
    act.attr(item, fields, "phaseout_year", el, "phaseout-year", path)
    if not act.keep(data, _PROJECT, "fss", item, mark, path, el.sourceline):
        return  # (forecasts without the survey's extraction date cannot be written back)
    fields = _fields("fss_forecasts")
    for forecast in el.iterchildren("forecast") if fields else ():
        fpath, fmark, entry = f"{path}/forecast", len(act.log), _item()
        if act.put(entry, fields, "amount", forecast.text, fpath, forecast.sourceline):
            act.log.pop()  # (the element counts once, when the forecast is kept)
        act.attr(entry, fields, "year", forecast, "year", fpath)
        act.attr(entry, fields, "currency", forecast, "currency", fpath)
        act.attr(entry, fields, "value_date", forecast, "value-date", fpath)
        act.keep(data, _PROJECT, "fss_forecasts", entry, fmark, fpath, forecast.sourceline)


_HANDLERS: dict[str, Handler] = {
    "reporting-org": _reporting_org, "title": _title, "description": _description,
    "participating-org": _participating_org, "other-identifier": _other_identifier,
    "activity-date": _activity_date, "contact-info": _contact_info,
    "recipient-country": _recipient_country, "recipient-region": _recipient_region,
    "location": _location, "sector": _sector, "tag": _tag, "policy-marker": _policy_marker,
    "humanitarian-scope": _humanitarian_scope, "default-aid-type": _default_aid_type,
    "budget": _budget, "planned-disbursement": _planned_disbursement,
    "capital-spend": _capital_spend, "transaction": _transaction,
    "document-link": _document_link, "related-activity": _related_activity, "result": _result,
    "country-budget-items": _country_budget_items, "conditions": _conditions,
    "legacy-data": _legacy_data, "crs-add": _crs_add, "fss": _fss,
    **{tag: _code_element(tag, name) for tag, name in _CODE_ELEMENTS.items()},
}
"""What each child element of ``iati-activity`` becomes; anything else is dropped."""

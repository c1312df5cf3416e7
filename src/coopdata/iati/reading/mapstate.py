"""The state of one activity being mapped (:class:`Activity`): every value goes into the
record through :meth:`Activity.put`, which looks the field up in the model
(:mod:`coopdata.model.spec`), turns the IATI text into the field's type
(:mod:`coopdata.iati.reading.mapvalues`) and counts the IATI path as carried; and what the
handlers of the elements share."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from coopdata.iati.reading.mapvalues import (
    PURE_KINDS,
    PURE_LIMIT,
    PURE_VALUES,
    UNKNOWN,
    is_url,
    language_of,
    line_of,
    notation,
    pure_value,
    short_text,
    to_decimal,
)
from coopdata.iati.reading.read import XML_LANG
from coopdata.model.spec import KINDS, Field, by_name
from coopdata.model.values import parse_point, point_text

Warn = Callable[[str, str, "int | None"], None]
"""``warn(code, message, line)``: one warning about a value that was not carried."""


ACTIVITY = "iati-activity"


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Organisations(Protocol):
    """Where the organisations an activity names become records (deduplicated)."""

    def identify(self, ref: str | None, name: dict[str, str], type_code: str | None,
                 line: int | None) -> tuple[str | None, bool]:
        """The id of the organisation record for ``ref`` (else ``name``), or None when
        both are missing; and whether ``type_code`` was carried."""


@dataclass
class Mapped:
    """One activity as a project record."""

    identifier: str
    data: dict[str, Any]
    carried: Counter[str]
    line: int | None
    log: list[str]
    """The paths carried, once an occurrence (what ``carried`` counts)."""


def fields_of(*names: str) -> dict[str, Field]:
    """The fields of the project's object field reached by ``names`` (empty if none)."""
    found = _FIELDS.get(names)
    if found is None:
        found = by_name(KINDS["project"].fields)
        for name in names:
            spec = found.get(name)
            if spec is None or not spec.is_object:
                found = {}
                break
            found = by_name(spec.fields)
        _FIELDS[names] = found
    return found


_FIELDS: dict[tuple[str, ...], dict[str, Field]] = {}


class Activity:
    """The state of one activity being mapped: the paths carried, the warnings."""

    def __init__(self, warn: Warn, lang: str, orgs: Organisations) -> None:
        self.log: list[str] = []
        self.warn = warn
        self.lang = lang
        self.orgs = orgs
        self._children: dict[Any, dict[Any, Any]] = {}
        self.unread_currency: str | None = None
        """The activity's ``@default-currency`` when written but not a currency coopdata
        knows: a value without its own ``@currency`` is then in a currency unknown."""

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
        return self._store(obj, spec, name, raw, path, line, quiet)

    def _store(self, obj: dict[str, Any], spec: Field, name: str, raw: Any, path: str,
               line: Any, quiet: bool) -> bool:
        """:meth:`put` of a value of a field the model has."""
        kind = spec.type
        if kind in PURE_KINDS:  # (a code or date met before: no conversion)
            value = PURE_VALUES.get((kind, spec.scheme, raw.strip()))
            if value is None:
                value = self.convert(spec, raw, path, line, quiet)
        elif kind == "text" or kind == "ref":  # (as convert gives them)
            value = raw or None
        else:
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
        if kind in PURE_KINDS:  # (the commonest: codes and dates)
            key = (kind, spec.scheme, text)
            value = PURE_VALUES.get(key, UNKNOWN)
            if value is UNKNOWN:
                value = pure_value(kind, spec.scheme, text)
                if len(PURE_VALUES) >= PURE_LIMIT:
                    PURE_VALUES.clear()
                PURE_VALUES[key] = value
        elif kind == "decimal":
            value = to_decimal(text)
        elif kind == "string":
            value = CONTROL.sub(" ", text) if CONTROL.search(text) else text
        elif kind == "url":
            text = text.replace(" ", "%20")  # (spaces are common in published URLs)
            value = text if is_url(text) else None
        elif kind == "point":
            point = parse_point(text)
            value = point_text(*point) if point else None
        if value is None and not quiet:
            what = f"a {spec.scheme} code" if kind == "code" else f"a {kind}"
            self.warn("iati-value-not-carried", f'{path}: "{short_text(text)}" is not {what} '
                      "coopdata knows; not carried", line_of(line))
        return value

    def texts(self, element: Any, path: str) -> tuple[dict[str, str], list[str]]:
        """The narratives of ``element`` by language, and the paths they carried."""
        found: dict[str, str] = {}
        used: list[str] = []
        narrative_path = f"{path}/narrative"
        for narrative in element.iterchildren("narrative"):
            text = (narrative.text or "").strip()
            written = narrative.get(XML_LANG)
            lang = self.lang if written is None else language_of(written)
            if lang is None:
                self.warn("iati-value-not-carried", f'{narrative_path}/@xml:lang: "'
                          f'{short_text(written or "")}" is not an ISO 639-1 language; not carried',
                          narrative.sourceline)
                continue
            if not text or lang in found:
                continue  # empty, or a second text in the same language: dropped
            found[lang] = CONTROL.sub(" ", text) if CONTROL.search(text) else text
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
        """``put(obj, fields, name, element.get(attribute), f"{path}/@{attribute}",
        element, quiet=quiet)``, the commonest call: the path is made only for an
        attribute that is there."""
        raw = element.get(attribute)
        if raw is None:
            return False  # (most attributes asked for are absent: no path made for them)
        spec = fields.get(name)
        if spec is None:
            return False
        return self._store(obj, spec, name, raw, f"{path}/@{attribute}", element, quiet)

    def qualifier(self, obj: dict[str, Any], fields: dict[str, Field], name: str,
                  element: Any, attribute: str, path: str, whole: str | None = None) -> bool:
        """:meth:`attr` of an attribute that says how other values of ``element`` read (a
        vocabulary, a currency, a budget's type), which absent means the IATI Standard's
        default: True when it is carried, or not written (blank counts as not written);
        False, with a warning, when it is written but cannot be read. The caller then
        drops what it qualifies: kept without it, a code, an amount or a budget would
        read as the default's (a sector of vocabulary 999 as a DAC sector, an amount in
        XYZ as one in the activity's currency). ``whole``: what the caller drops, when
        more than ``element`` (a transaction whose flow type overrides the activity's)."""
        raw = element.get(attribute)
        if raw is None or not raw.strip():
            return True
        if self.attr(obj, fields, name, element, attribute, path, quiet=True):
            return True
        spec = fields.get(name)
        what = "a value" if spec is None else (
            f"a code of {spec.scheme}" if spec.type == "code" else f"a {spec.type}")
        self.warn("iati-value-not-carried",
                  f'{path}/@{attribute}: "{short_text(raw)}" is not {what} coopdata knows; '
                  f"the {whole or path.rsplit('/', 1)[-1]} is not carried, as without its "
                  f"@{attribute} it would say something else", line_of(element))
        return False

    def child_attr(self, obj: dict[str, Any], fields: dict[str, Field], name: str,
                   element: Any, child: str, attribute: str, path: str) -> bool:
        """``obj[name]`` from ``element/child/@attribute`` (the child counts too)."""
        found = self.child(element, child)
        if found is None:
            return False
        child_path = f"{path}/{child}"
        if self.attr(obj, fields, name, found, attribute, child_path):
            self.log.append(child_path)
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
        missing = [f for f in _required(spec) if f not in child]
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


def _required(spec: Field) -> tuple[str, ...]:
    """The names of the required fields of the object field ``spec`` (worked out once)."""
    found = _REQUIRED.get(spec.name)
    if found is None or found[0] is not spec:
        found = _REQUIRED[spec.name] = (spec, tuple(f.name for f in spec.fields if f.required))
    return found[1]


_REQUIRED: dict[str, tuple[Field, tuple[str, ...]]] = {}


def new_object() -> dict[str, Any]:
    """A new, empty object of a record."""
    return {}


PROJECT = by_name(KINDS["project"].fields)


Handler = Callable[[Activity, dict[str, Any], Any, "str | None"], None]


def coded(act: Activity, data: dict[str, Any], el: Any, path: str, name: str,
           extra: tuple[tuple[str, str], ...] = (), text: bool = False) -> None:
    """One item of a list of codes with a vocabulary (region, sector, tag, policy marker,
    humanitarian scope, aid type): ``@vocabulary``, ``@code`` and ``extra`` attributes."""
    fields = fields_of(name)
    if not fields:
        return
    mark, item = len(act.log), new_object()
    if not act.qualifier(item, fields, "vocabulary", el, "vocabulary", path):
        return
    act.attr(item, fields, "code", el, "code", path)
    act.attr(item, fields, "vocabulary_uri", el, "vocabulary-uri", path)
    for attribute, field_name in extra:
        act.attr(item, fields, field_name, el, attribute, path)
    if text:
        act.put_text(item, fields, "text", el, path, counted=False)
    act.keep(data, PROJECT, name, item, mark, path, el.sourceline)


def as_given(act: Activity, item: dict[str, Any], fields: dict[str, Field], el: Any,
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

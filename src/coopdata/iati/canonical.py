"""The canonical form in which an activity's round trip (IATI → records → IATI) is compared.

An activity is the multiset of its ``(path, value)`` pairs, one for every element and
every attribute, in no order (so the order of siblings, of attributes and of the
elements of a multiset never matters). Paths are those of the import report
(:mod:`coopdata.iati.paths`: ``iati-activity/transaction/value/@currency``):

- an element's value is its text, whitespace at both ends removed ("" when it has none);
- a ``narrative``'s value is its language and its text (``fr|Titre``), the language being
  its ``xml:lang``, else the activity's, else ``en``, in lower case (language tags are
  case-insensitive), and its text with each run of whitespace as one space (XML
  narratives lay out text freely; line ends are not kept in records); its ``@xml:lang``
  is then no pair of its own (IATI gives the same narrative with or without it when it
  is the activity's);
- ``xml:lang`` and a document's ``language/@code`` are compared in lower case; a
  ``@url`` with its spaces written ``%20`` (the form a URI gives them, which the import
  writes);
- a ``pos``'s value is its two numbers, each compared by value (``11.5500`` = ``11.55``);
- an attribute's value is written as given, except numbers (amounts, percentages,
  rates, levels, years) compared by value (``10000.00`` = ``10000``) and the schema's
  booleans, where ``true`` = ``1`` and ``false`` = ``0``, as xsd:decimal and xsd:boolean
  define them.

``docs/iati.md`` ("Round trip") says the same.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from coopdata.iati.reading.read import XML_LANG, attribute_name, element_name

NUMBER_ATTRIBUTES = frozenset({"value", "percentage", "rate-1", "rate-2", "level",
                               "hierarchy", "year", "phaseout-year"})
"""Attributes whose values IATI types as numbers (``dimension/@value`` is text)."""
NUMBER_ELEMENTS = frozenset({"value", "forecast", "interest-received", "principal-outstanding",
                             "principal-arrears", "interest-arrears"})
BOOLEAN_ATTRIBUTES = frozenset({"humanitarian", "secondary-reporter", "aggregation-status",
                                "ascending", "attached", "priority"})
"""xsd:boolean attributes (``other-flags/@significance`` too, handled by its path)."""


def pairs(activity: Any) -> Counter[tuple[str, str]]:
    """The ``(path, value)`` multiset of ``activity`` (an ``iati-activity`` element)."""
    found: Counter[tuple[str, str]] = Counter()
    lang = (activity.get(XML_LANG) or "en").lower()
    _walk(activity, "iati-activity", lang, found)
    return found


def _walk(element: Any, path: str, lang: str, found: Counter[tuple[str, str]]) -> None:
    text = (element.text or "").strip()
    name = path.rsplit("/", 1)[-1]
    if name == "narrative":
        written = (element.get(XML_LANG) or lang).lower()
        found[(path, f"{written}|{' '.join(text.split())}")] += 1
    elif name == "pos":  # (a point: latitude and longitude, each a number)
        found[(path, " ".join(_number(n) for n in text.split()))] += 1
    else:
        found[(path, _number(text) if name in NUMBER_ELEMENTS else text)] += 1
    for key, value in element.attrib.items():
        shown = attribute_name(element, key)
        if name == "narrative" and shown == "xml:lang":
            continue
        found[(f"{path}/@{shown}", _attribute(path, shown, value.strip()))] += 1
    for child in element:
        if isinstance(child.tag, str):
            _walk(child, f"{path}/{element_name(child)}", lang, found)


def _attribute(path: str, name: str, value: str) -> str:
    if name == "xml:lang" or (name == "code" and path.endswith("/language")):
        return value.lower()
    if name == "url":
        return value.replace(" ", "%20")
    if name in NUMBER_ATTRIBUTES and not path.endswith("/dimension"):
        return _number(value)
    if name in BOOLEAN_ATTRIBUTES or (name == "significance" and path.endswith("other-flags")):
        return {"true": "1", "false": "0"}.get(value, value)
    return value


def _number(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return format(number.normalize(), "f") if number else "0"


def paths(found: Counter[tuple[str, str]]) -> Counter[str]:
    """How many pairs of ``found`` each path has."""
    counts: Counter[str] = Counter()
    for (path, _), n in found.items():
        counts[path] += n
    return counts

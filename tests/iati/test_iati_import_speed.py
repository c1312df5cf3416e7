"""The shortcuts import-iati takes for speed give what the long way gives: the paths of an
activity (from tables of known paths), numbers (without normalising short ones),
languages (remembered), record text (fields in the model's order, worked out once a set
of keys), values put into records (codes and dates remembered, attributes put without a
call to ``put``), required fields (worked out once)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.iati import paths
from coopdata.iati.reading.mapstate import PROJECT, Activity, _required, fields_of
from coopdata.iati.reading.mapvalues import language_of, to_decimal
from coopdata.iati.reading.read import attribute_name, element_name
from coopdata.iati.reading.recordtext import record_text
from coopdata.model import codes as registries
from coopdata.model.fieldtypes import MAX_NUMBER_EXPONENT, MAX_SIGNIFICANT_DIGITS

_TAGS = ["narrative", "value", "transaction", "sector", "x:extra", "y:extra", "z:extra",
         "title"]
_ATTRIBUTES = ["code", "ref", "xml:lang", "x:note", "y:note", "z:note", "type"]
_DECLARED = ' xmlns:x="http://example.org/x" xmlns:y="http://example.org/y"'
_REBOUND = ' xmlns:z="http://example.org/x"'
"""``z``: the namespace of ``x`` under another prefix, declared on some elements only."""


def _reference(element: Any, path: str, found: list[str]) -> None:
    """The paths of ``element`` the long way: every name joined each time."""
    found.append(path)
    for name in element.keys():  # noqa: SIM118
        found.append(f"{path}/@{attribute_name(element, name)}")
    for child in element:
        _reference(child, f"{path}/{element_name(child)}", found)


@st.composite
def _trees(draw: Any, depth: int = 0) -> str:
    """An activity's XML text: names with and without prefixes, one namespace under two
    prefixes (``z`` declared only where drawn)."""
    rebound = depth > 0 and draw(st.booleans())
    tags = _TAGS if rebound else [t for t in _TAGS if not t.startswith("z:")]
    tag = "iati-activity" if depth == 0 else draw(st.sampled_from(tags))
    names = draw(st.lists(st.sampled_from([a for a in _ATTRIBUTES if rebound or
                                           not a.startswith("z:")]), max_size=3, unique=True))
    if "x:note" in names and "z:note" in names:  # (one attribute under two prefixes)
        names.remove("z:note")
    inner = "".join(draw(st.lists(_trees(depth + 1), max_size=3))) if depth < 4 else ""
    declared = _DECLARED if depth == 0 else _REBOUND if rebound else ""
    attributes = "".join(f' {name}="v"' for name in names)
    return f"<{tag}{declared}{attributes}>{inner}</{tag}>"


@settings(max_examples=150, deadline=None)
@given(_trees(), st.integers(min_value=0, max_value=2))
def test_paths_are_those_of_the_long_way(text: str, limit_used: int) -> None:
    """Whatever paths were remembered before (none, some, the table full), an activity's
    paths are those joined one by one, prefixes and all."""
    tree = etree.fromstring(text)
    if limit_used == 2:  # (the table full: names joined each time)
        saved = paths._SIZE[0]
        paths._SIZE[0] = paths._LIMIT
    try:
        expected: list[str] = []
        _reference(tree, "iati-activity", expected)
        assert paths.path_list(tree) == expected
        assert paths.paths_in(tree) == Counter(expected)
    finally:
        if limit_used == 2:
            paths._SIZE[0] = saved


def _decimal_long_way(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or (number and (
            len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
            or not -MAX_NUMBER_EXPONENT <= number.adjusted() < MAX_NUMBER_EXPONENT)):
        return None
    return number


_NUMBERS = st.one_of(
    st.from_regex(r"[+-]?[0-9_]{0,40}(\.[0-9]{0,40})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["NaN", "-Infinity", "Infinity", "inf", "sNaN", "0", "-0.000", "1e99",
                     "1e100", "1E-100", "1e-101", "9" * 28, "9" * 29, "0." + "0" * 30 + "1"]))


@settings(max_examples=500, deadline=None)
@given(_NUMBERS)
def test_numbers_are_those_of_the_long_way(text: str) -> None:
    found, expected = to_decimal(text), _decimal_long_way(text)
    assert (found is None) == (expected is None)
    if expected is not None:
        assert str(found) == str(expected)


@settings(deadline=None)
@given(st.one_of(st.sampled_from(["en", "EN", " fr ", "fr-CA", "xx", "", "-", "ar-"]),
                 st.text(max_size=8)))
def test_languages_are_those_of_the_long_way(text: str) -> None:
    tag = text.strip().lower().split("-")[0]
    expected = tag if registries.language(tag) is not None else None
    assert language_of(text) == expected == language_of(text)


@settings(max_examples=100, deadline=None)
@given(st.permutations(["title", "file", "language", "published", "note"]),
       st.sets(st.sampled_from(["published", "note"])))
def test_record_text_does_not_depend_on_the_order_of_keys(order: list[str],
                                                          left_out: set[str]) -> None:
    values = {"title": {"en": "T", "no": "N"}, "file": "a.xml", "language": "en",
              "published": "2024-01-01", "note": {"en": "a note"}}
    data = {name: values[name] for name in order if name not in left_out}
    expected = "".join(f"{name}: {text}\n" for name, text in (
        ("title", '{en: "T", "no": "N"}'), ("file", '"a.xml"'), ("language", '"en"'),
        ("published", '"2024-01-01"'), ("note", '{en: "a note"}')) if name not in left_out)
    assert record_text("source", "s", data) == 'id: "s"\n' + expected


def _put_long_way(act: Activity, obj: dict[str, Any], fields: dict[str, Any], name: str,
                  raw: Any, path: str, line: Any, quiet: bool) -> bool:
    """A value into a record the long way: every value converted, nothing remembered."""
    spec = fields.get(name)
    if spec is None or raw is None:
        return False
    value = act.convert(spec, raw, path, line, quiet)
    if value is None:
        return False
    if spec.many:
        obj.setdefault(name, []).append(value)
    elif name in obj:
        return False
    else:
        obj[name] = value
    act.log.append(path)
    return True


_OBJECTS = ["", "transactions", "budgets", "locations", "participations", "document_links"]
_RAW = st.one_of(st.sampled_from(["1", "2", " 3 ", "10", "USD", "usd", "MA", "ma", "en", "EN",
                                  "2024-01-01", "2024-02-30", "2024", "1e999", "12.50", "x",
                                  "", " ", "true", "0", "http://e.org/a b", "1.5 2.5",
                                  "a\x85b", "\u00e9t\u00e9"]),
                 st.text(max_size=12))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_OBJECTS), st.data(), st.lists(_RAW, min_size=1, max_size=3),
       st.booleans(), st.booleans())
def test_values_are_put_as_the_long_way_puts_them(where: str, data: Any, raws: list[str],
                                                  quiet: bool, as_attribute: bool) -> None:
    """:meth:`Activity.put` (codes and dates remembered, texts and references as they
    are) and :meth:`Activity.attr` (``put`` written out) give the value, the paths carried
    and the warnings of the long way, value after value into the same object."""
    fields = fields_of(where) if where else PROJECT
    name = data.draw(st.sampled_from(sorted(fields)))
    runs = []
    for way in ("short", "long"):
        warnings: list[Any] = []
        act = Activity(lambda *w, found=warnings: found.append(w), "en", None)  # type: ignore
        obj: dict[str, Any] = {}
        kept = []
        for raw in raws:
            element = etree.Element("x", a=raw) if raw.isprintable() else etree.Element("x")
            given = element.get("a")
            if way == "long":
                kept.append(_put_long_way(act, obj, fields, name, given, "p/@a", element,
                                          quiet))
            elif as_attribute:
                kept.append(act.attr(obj, fields, name, element, "a", "p", quiet=quiet))
            else:
                kept.append(act.put(obj, fields, name, given, "p/@a", element, quiet=quiet))
        runs.append((kept, obj, act.log, warnings))
    assert runs[0] == runs[1]


def test_required_fields_are_the_model_s() -> None:
    for name in _OBJECTS[1:]:
        spec = PROJECT[name]
        assert _required(spec) == tuple(f.name for f in spec.fields if f.required)

"""The field types (coopdata.model.fieldtypes): each defined once, in one place, and each
scalar type's cells read back as the values they were made from."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopdata.model import codes, fieldtypes
from coopdata.model.fieldtypes import FIELD_TYPES, SLUG, FieldType
from coopdata.model.spec import KINDS, TYPES, Field
from coopdata.model.values import Problem, point_text
from coopdata.tables.layout import TEXT_TYPES, guard, unguard
from tests.strategies import partial_dates, plain_text


def _all_fields(fields: tuple[Field, ...]) -> list[Field]:
    return [f for spec in fields for f in (spec, *_all_fields(spec.fields))]


def test_every_type_is_one_registered_class() -> None:
    """A type is a class of the module, registered by its name: one with no entry, or a
    name with no class, fails here."""
    classes = {cls for _, cls in inspect.getmembers(fieldtypes, inspect.isclass)
               if issubclass(cls, FieldType) and cls is not FieldType}
    assert {type(kind) for kind in FIELD_TYPES.values()} == classes
    assert {name: type(kind).name for name, kind in FIELD_TYPES.items()} == \
        {name: name for name in FIELD_TYPES}
    assert set(FIELD_TYPES) == TYPES
    assert {name for name, kind in FIELD_TYPES.items() if kind.guarded} == TEXT_TYPES


def test_every_field_has_its_type_and_structures_are_flagged() -> None:
    fields = [f for kind in KINDS.values() for f in _all_fields(kind.fields)]
    assert {f.type for f in fields} <= TYPES
    for spec in fields:
        assert spec.field_type is FIELD_TYPES[spec.type]
        assert spec.is_object == bool(spec.fields)
        assert spec.is_reference == (spec.ref is not None)
    assert [name for name, kind in FIELD_TYPES.items() if kind.is_object] == ["object"]
    assert [name for name, kind in FIELD_TYPES.items() if kind.is_text] == ["text"]


_SCHEME = next(f.scheme for kind in KINDS.values() for f in _all_fields(kind.fields)
               if f.scheme is not None)


def _spec(name: str) -> Field:
    return Field("value", name, "dct:description", "A value.",
                 ref="project" if FIELD_TYPES[name].is_reference else None,
                 scheme=_SCHEME if name == "code" else None)


_coordinates = st.decimals(min_value=-90, max_value=90, places=6, allow_nan=False)
_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "string": plain_text,
    "ref": st.from_regex(SLUG, fullmatch=True),
    "code": st.sampled_from(codes.schemes()[_SCHEME]),
    "country": st.sampled_from(["MA", "SN", "ML", "CI", "DE", "NO", "FR"]),
    "currency": st.sampled_from(["EUR", "USD", "MAD", "XOF"]),
    "language": st.sampled_from(["fr", "en", "de", "ar", "no"]),
    "date": partial_dates().map(str),  # (as a record file writes it)
    "decimal": st.decimals(min_value=Decimal("-1e20"), max_value=Decimal("1e20"),
                           allow_nan=False, allow_infinity=False, places=6),
    "boolean": st.booleans(),
    "url": st.builds(lambda host, path: f"https://{host}.example.org/{path}",
                     st.from_regex(SLUG, fullmatch=True), st.from_regex(SLUG, fullmatch=True)),
    "point": st.builds(point_text, _coordinates, _coordinates.map(lambda d: d * 2)),
}
_SCALARS = sorted(name for name, kind in FIELD_TYPES.items()
                  if not kind.is_object and not kind.is_text)


def test_every_scalar_type_has_values_here() -> None:
    assert sorted(_VALUES) == _SCALARS


@pytest.mark.parametrize("name", _SCALARS)
@given(data=st.data())
def test_a_cell_reads_back_as_its_value(name: str, data: st.DataObject) -> None:
    """value → cell (guarded where the type says so) → cell unguarded → from_cell → read
    gives the value again, as tables → records do."""
    kind, spec = FIELD_TYPES[name], _spec(name)
    value = data.draw(_VALUES[name])
    typed = kind.read(spec, value)  # a generated value is one the checks accept
    assert not isinstance(typed, Problem), typed
    cell = kind.cell(typed)
    written = guard(cell) if kind.guarded else cell
    assert written == cell or kind.guarded
    back = kind.from_cell(unguard(written) if kind.guarded else written)
    assert kind.read(spec, back) == typed
    if name in ("decimal", "boolean"):
        assert back == typed  # read from its cell as a typed value already


@pytest.mark.parametrize(("name", "value", "code"), [
    ("string", "Ã©tÃ©", "mojibake"), ("string", "a\x07b", "control-character"),
    ("ref", "Not An Id", "invalid-reference"), ("code", "no-such-code", "unknown-code"),
    ("country", "XX", "unknown-country"), ("currency", "EURO", "unknown-currency"),
    ("language", "xx", "unknown-language"), ("date", "2013-13", "invalid-date"),
    ("decimal", "4,1 M", "type-error"), ("decimal", Decimal("1e200"), "type-error"),
    ("boolean", "yes", "type-error"), ("url", "ftp://example.org", "invalid-url"),
    ("point", "91 0", "invalid-point"), ("country", True, "type-error"),
    ("date", "  ", "type-error"), ("string", ["a"], "type-error"),
])
def test_a_value_refused_is_a_problem(name: str, value: Any, code: str) -> None:
    problem = FIELD_TYPES[name].read(_spec(name), value)
    assert isinstance(problem, Problem) and problem.code == code


def test_whole_numbers_are_read_as_digits_where_the_type_says_so() -> None:
    assert FIELD_TYPES["date"].read(_spec("date"), 2013) == \
        FIELD_TYPES["date"].read(_spec("date"), "2013")
    assert isinstance(FIELD_TYPES["string"].read(_spec("string"), 2013), Problem)


@given(st.one_of(st.integers(), st.integers(-10**30, 10**30),
                 st.sampled_from([0, -1, 10**28 - 1, 10**28, -10**28 + 1, -10**28, 10**99,
                                  10**100, 2**100])))
def test_a_whole_number_reads_as_its_decimal_reads(number: int) -> None:
    """Whole numbers of few digits are made Decimals at once: the same value, or the same
    problem, as the number given as a Decimal (which takes the general way)."""
    kind = FIELD_TYPES["decimal"]
    spec = next(f for kind_ in KINDS.values() for f in _all_fields(kind_.fields)
                if f.type == "decimal")
    assert repr(kind.read(spec, number)) == repr(kind.read(spec, Decimal(number)))

"""Hypothesis strategies that generate valid, typed records from the record spec."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any

from hypothesis import strategies as st

from coopdata.model import codes
from coopdata.model.dataset import Dataset, Record
from coopdata.model.dates import PartialDate
from coopdata.model.spec import DEFAULT_VOCABULARY, KINDS, LANGUAGES, Field
from coopdata.model.values import mojibake_repairs, point_text

IDS = ("alpha", "beta", "gamma-2")
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèàçôœÉ’«» 0123456789,.;:'\"-=+@\n"

plain_text = st.text(alphabet=_LETTERS, min_size=1, max_size=30).map(str.strip).filter(
    lambda text: bool(text) and not mojibake_repairs(text))


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


def texts() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(LANGUAGES), plain_text, min_size=1).map(
        lambda d: {lang: d[lang] for lang in LANGUAGES if lang in d})


def value(spec: Field) -> st.SearchStrategy[Any]:
    kind = spec.type
    if kind == "object":
        required = {f.name: value_or_list(f) for f in spec.fields if f.required}
        optional = {f.name: value_or_list(f) for f in spec.fields if not f.required}
        objects = st.fixed_dictionaries(required, optional=optional)
        for field in spec.fields:
            if field.vocabularies:  # a code of the list its vocabulary names, where checked
                objects = objects.flatmap(partial(_listed, field))
        # an empty object is no value: the checks drop a single one (as null), so a typed
        # record never holds one
        return objects if spec.many else objects.filter(bool)
    if kind == "text":
        return texts()
    if kind == "string":
        return plain_text
    if kind == "ref":
        return st.sampled_from(IDS)
    if kind == "code":
        assert spec.scheme is not None
        return st.sampled_from(codes.schemes()[spec.scheme])
    if kind == "country":
        return st.sampled_from(["MA", "SN", "ML", "CI", "DE"])
    if kind == "currency":
        return st.sampled_from(["EUR", "USD", "MAD"])
    if kind == "language":
        return st.sampled_from(["fr", "en", "de"])
    if kind == "date":
        return partial_dates()
    if kind == "decimal":
        return st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"),
                           allow_nan=False, allow_infinity=False, places=3)
    if kind == "boolean":
        return st.booleans()
    if kind == "url":
        return st.sampled_from(IDS).map(lambda s: f"https://example.org/{s}")
    if kind == "point":
        return st.builds(
            point_text,
            st.decimals(min_value=-90, max_value=90, places=6, allow_nan=False),
            st.decimals(min_value=-180, max_value=180, places=6, allow_nan=False))
    raise AssertionError(kind)


def _listed(field: Field, data: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    assert field.vocabulary_field is not None
    scheme = dict(field.vocabularies).get(data.get(field.vocabulary_field, DEFAULT_VOCABULARY))
    if scheme is None or field.name not in data:
        return st.just(data)
    return st.sampled_from(codes.schemes()[scheme]).map(lambda code: {**data, field.name: code})


def value_or_list(spec: Field) -> st.SearchStrategy[Any]:
    return st.lists(value(spec), min_size=1, max_size=3) if spec.many else value(spec)


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    """A dataset of typed records of every kind, with ids from :data:`IDS`."""
    dataset = Dataset()
    for kind in KINDS.values():
        for record_id in draw(st.lists(st.sampled_from(IDS), unique=True, max_size=2)):
            data = draw(value(Field("record", "object", "x", "x", node_class="x",
                                    fields=kind.fields)))
            dataset.add(Record(kind.name, record_id, f"{kind.folder}/{record_id}.yaml", data))
    return dataset

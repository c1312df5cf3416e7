"""Texts in any ISO 639-1 language (issue 16: IATI narratives come in en, fr, es, pt, de,
ar…): the checks accept them, the tables keep them (the translations tables) so that
records → tables → records is lossless, and both graph builders give the same triples."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from coopdata import build_graph, read_tables, write_package
from coopdata.model.dataset import Dataset, Record
from coopdata.model.spec import KINDS, LANGUAGES, Field, text_order
from coopdata.rdf.triples import ntriples, triples
from coopdata.records.dataset import check_records
from coopdata.tables.cells import columns
from coopdata.tables.layout import Table, tables
from coopdata.tables.package import table_cells
from coopdata.tables.rows import TableError, records_from_rows
from tests.strategies import datasets, plain_text

ROOT = Path(__file__).resolve().parents[2]
ISO_639_1 = sorted(str(lang.alpha_2) for lang in pycountry.languages if hasattr(lang, "alpha_2"))
OTHERS = [lang for lang in ISO_639_1 if lang not in LANGUAGES]


def _add_languages(draw: st.DrawFn, fields: tuple[Field, ...], data: dict[str, Any]) -> None:
    """Give each text of ``data`` (a record or a nested object) texts in random other
    ISO 639-1 languages, sometimes in place of en and fr."""
    for spec in fields:
        value = data.get(spec.name)
        if value is None:
            continue
        if spec.type == "object" and not spec.many and value == {}:
            del data[spec.name]  # (an empty single object has no cell to come back from)
            continue
        values = value if spec.many else [value]
        for index, item in enumerate(values):
            if spec.type == "object":
                _add_languages(draw, spec.fields, item)
            elif spec.type == "text":
                extra = draw(st.dictionaries(st.sampled_from(OTHERS), plain_text, max_size=3))
                if extra and draw(st.booleans()):
                    item = {}  # only other languages: no en, no fr cell
                new = text_order({**item, **extra}) or item
                if spec.many:
                    value[index] = new
                else:
                    data[spec.name] = new


@st.composite
def multilingual(draw: st.DrawFn) -> Dataset:
    dataset = draw(datasets())
    for record in dataset:
        _add_languages(draw, KINDS[record.kind].fields, record.data)
    return dataset


def plain(dataset: Dataset) -> dict[tuple[str, str], dict[str, object]]:
    return {(r.kind, r.id): r.data for r in dataset}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multilingual())
def test_records_tables_records_keeps_every_language(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as directory:
        write_package(dataset, Path(directory))
        back, report = read_tables(directory)
    assert [f for f in report.findings if f.code != "missing-reference"] == []
    assert plain(back) == plain(dataset)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multilingual())
def test_fast_and_reference_graphs_agree_in_every_language(dataset: Dataset) -> None:
    fast = triples(dataset)
    reference = build_graph(dataset)
    assert isomorphic(Graph().parse(data=ntriples(fast), format="nt"), reference)


def _check(title: dict[Any, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    record = Record("source", "a-source", "sources/a-source.yaml",
                    {"title": title, "type": "report", "sources": ["a-source"]})
    dataset, findings = check_records([record])
    checked = dataset.get("source", "a-source")
    return (checked.data.get("title") if checked else None,
            [f"{f.field} {f.code} {f.message}" for f in findings if f.field and "title" in f.field])


@pytest.mark.parametrize("lang", ["es", "pt", "de", "ar", "zh", "sw", "no"])
def test_any_iso_639_1_language_is_accepted_and_ordered(lang: str) -> None:
    title, problems = _check({lang: "Texte", "fr": "Titre", "en": "Title"})
    assert problems == []
    assert title is not None and list(title) == ["en", "fr", lang]


@pytest.mark.parametrize("lang, hint", [
    ("xx", "ISO 639-1"), ("eng", "ISO 639-1"), ("ES", 'write it "es"'), ("", "ISO 639-1"),
    (False, "in quotes"), ("en-GB", "ISO 639-1")])
def test_other_tags_are_refused_with_a_hint(lang: Any, hint: str) -> None:
    _, problems = _check({lang: "Text", "en": "Title"})
    assert len(problems) == 1 and "unknown-language" in problems[0] and hint in problems[0]


def test_the_shapes_list_every_iso_639_1_language() -> None:
    from rdflib import URIRef
    from rdflib.collection import Collection

    shapes = Graph().parse(ROOT / "shapes" / "coopdata.ttl")
    listed = Collection(shapes, URIRef("https://w3id.org/coopdata/shapes#languages"))
    assert sorted(str(lang) for lang in listed) == ISO_639_1


def _rows(translations: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    project = {"id": "p", "title_en": "Title"}
    budget = {"project": "p", "position": "1", "value": "1"}
    return {"projects": [project], "project_budgets": [budget],
            "project_translations": translations}


def _translation(**cells: str) -> dict[str, str]:
    return {"project": "p", "position": "1", "table": "projects", "positions": "",
            "column": "title", "language": "es", "text": "Título", **cells}


def test_translations_are_read_back_into_their_text() -> None:
    out = records_from_rows(_rows([_translation(),
                                   _translation(position="2", table="project_budgets",
                                                positions="1", column="note",
                                                language="ar", text="'=وصف")]))
    assert out["project"]["p"]["title"] == {"en": "Title", "es": "Título"}
    assert out["project"]["p"]["budgets"][0]["note"] == {"ar": "=وصف"}


@pytest.mark.parametrize("cells, message", [
    ({"table": "budgets"}, "is not a table of projects"),
    ({"column": "name"}, 'no text column "name"'),
    ({"language": "fr"}, "goes in the column title_fr"),
    ({"positions": "1"}, "should give 0 positions"),
    ({"table": "project_budgets", "positions": "2", "column": "note"},
     'no row at positions "2"'),
    ({"project": "q"}, 'no project "q"'),
])
def test_a_translation_that_cannot_be_placed_is_refused(cells: dict[str, str],
                                                        message: str) -> None:
    with pytest.raises(TableError, match=message):
        records_from_rows(_rows([_translation(**cells)]))


def test_a_translation_given_twice_is_refused() -> None:
    with pytest.raises(TableError, match="given twice"):
        records_from_rows(_rows([_translation(), _translation(position="2")]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multilingual(), st.integers(1, 3), st.integers(1, 3))
def test_translations_found_through_the_other_tables_are_those_of_every_record_walked(
        dataset: Dataset, size: int, batch: int) -> None:
    """Made with its kind's other tables (whose text columns tell which records have a
    text in another language), a translations table holds what walking every record
    finds (the table made alone), also a chunk of ``size`` records at a time, each made
    ``batch`` records at a time."""
    from coopdata.tables import cells as cells_module

    alone = {t.name: columns(t, dataset) for t in tables() if t.translations}
    assert {t.name: c for t, c in table_cells(dataset) if t.translations} == alone
    defaults = cells_module.CHUNK, cells_module.BATCH
    cells_module.CHUNK, cells_module.BATCH = size, batch
    try:
        chunked = {t.name: c for t, c in table_cells(dataset) if t.translations}
    finally:
        cells_module.CHUNK, cells_module.BATCH = defaults
    assert chunked == alone


def _text_places() -> list[tuple[Table, tuple[str, ...]]]:
    """Every place a text can be in a record: each table's text fields (a path within
    its row), and the lists of texts (an empty path: the entry is the text)."""
    return [(table, column.path) for table in tables() if not table.translations
            for column in table.columns
            if column.spec.is_text and column.lang in (LANGUAGES[0], None)]


@pytest.mark.parametrize("table, path", _text_places(),
                         ids=[f"{t.name}:{'.'.join(p) or 'value'}" for t, p in _text_places()])
def test_a_text_in_another_language_is_found_wherever_it_is(
        table: Table, path: tuple[str, ...]) -> None:
    """A record whose one text in another language is at ``path`` in a row of ``table``:
    the translations table made with the others finds it, as every record walked does."""
    data: Any = {"es": "Texto"}
    for name in reversed((*table.field_path, *path)):
        data = {name: [data] if name in table.field_path else data}
    dataset = Dataset()
    dataset.add(Record(table.kind.name, "r", f"{table.kind.folder}/r.yaml", data))
    alone = {t.name: columns(t, dataset) for t in tables() if t.translations}
    found = {t.name: c for t, c in table_cells(dataset) if t.translations}
    assert found == alone
    assert found[f"{table.kind.name}_translations"][-1] == ["Texto"]

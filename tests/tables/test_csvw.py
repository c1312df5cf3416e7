"""The CSVW metadata (``csv-metadata.json``): a CSVW processor accepts it with the release's
tables, and the linked data it makes of them is coopdata's own graph, but for the
differences listed in :data:`DIFFERENCES`.

The csvw package (cldf/csvw) reads and validates the tables and expands the URI templates;
it has no csv2rdf, so :func:`csv2rdf` below turns its reading of the tables into triples by
the rules of https://www.w3.org/TR/csv2rdf/ (standard mode). Its csv2json
(``csvw2json``, ``CSVW.to_json``) crashes on a number or boolean in a column with its own
``aboutUrl``, a bug of the package (docs/csvw.md): the tests at the end reproduce it and
run csv2json on the metadata with a workaround, checking what it gives against the graph.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

import coopdata
from coopdata import KINDS
from coopdata.model import codes
from coopdata.model.uris import DEFAULT_BASE, Uris
from coopdata.model.vocab import PREFIXES, expand
from coopdata.tables.csvw import csvw_metadata
from tests.conftest import FIXTURES

csvw = pytest.importorskip("csvw")

CSVW = Namespace("http://www.w3.org/ns/csvw#")
OTHER_BASE = "https://data.example.org/coop/"

Triple = tuple[Node, Node, Node]

DIFFERENCES: dict[str, str] = {
    "country": "cells hold ISO 3166 alpha-2 codes; the graph uses the EU authority URI made "
               "from the alpha-3 code, which a URI template cannot derive: CSVW gives the code "
               "as a literal (the graph's country node has it as skos:notation)",
    "language": "cells hold ISO 639-1 codes; the graph uses the EU authority URI made from the "
                "alpha-3 code, which a URI template cannot derive: CSVW gives the code as a "
                "literal",
    "date": "the graph types each date by its precision (xsd:gYear, xsd:gYearMonth, "
            "xsd:date); a CSVW column has one datatype, so dates are plain strings with the "
            "same text",
    "optional single object": "virtual columns give a triple on every row, so the link from "
                              "a record to an optional single object (an event's place) and "
                              "the object's rdf:type are left out: rows without the object "
                              "would link to a node that does not exist",
}
"""What CSVW cannot say as coopdata's graph says it: name → reason."""


def _csv_rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


@pytest.fixture(scope="module")
def dataset() -> coopdata.Dataset:
    return coopdata.load(FIXTURES / "records")[0]


def _release(directory: Path, dataset: coopdata.Dataset, base: str) -> Path:
    (directory / "tables").mkdir(parents=True)
    coopdata.write_package(dataset, directory / "tables")
    metadata = directory / "csv-metadata.json"
    metadata.write_text(json.dumps(csvw_metadata(base_uri=base), indent=2) + "\n",
                        encoding="utf-8")
    return metadata


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory, dataset: coopdata.Dataset) -> Path:
    return _release(tmp_path_factory.mktemp("release"), dataset, DEFAULT_BASE)


# --- the metadata -------------------------------------------------------------------

def test_metadata_has_one_table_a_csv_file() -> None:
    metadata = csvw_metadata()
    assert metadata["@context"] == ["http://www.w3.org/ns/csvw", {"@language": "en"}]
    assert [t["url"] for t in metadata["tables"]] == \
        [f"tables/{t.name}.csv" for t in coopdata.tables()]
    assert json.dumps(metadata) == json.dumps(csvw_metadata())
    assert csvw_metadata(tables_prefix="")["tables"][0]["url"] == "sources.csv"


def test_base_uri_goes_into_the_templates() -> None:
    text = json.dumps(csvw_metadata(base_uri=OTHER_BASE))
    assert DEFAULT_BASE not in text
    assert f'"{OTHER_BASE}project/{{project}}/budgets/{{position}}"' in text
    with pytest.raises(ValueError, match="base URI"):
        csvw_metadata(base_uri="https://example.org/no-slash")


def test_csvw_reads_and_validates_the_tables(release: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:  # csvw warns of what it finds wrong
        warnings.simplefilter("always")
        group = csvw.TableGroup.from_file(release)
        for table in group.tables:
            rows = list(table.iterdicts())  # strict: a cell that does not fit raises
            assert len(rows) == _csv_rows(release.parent / str(table.url))
            assert table.check_primary_key()
        assert group.validate_schema(strict=True)
        assert group.check_referential_integrity()
        # csvw's strict mode rejects any empty foreign key cell (an optional reference),
        # which CSVW allows: validate as `csvwvalidate --lax` does
        processor = csvw.CSVW(str(release), validate=True, strict=False)
        assert processor.is_valid, [str(w.message) for w in processor.warnings]
    assert [str(w.message) for w in caught] == []


def test_csvw_finds_broken_references(release: Path, tmp_path: Path) -> None:
    shutil.copytree(release.parent, tmp_path / "release")
    budgets = tmp_path / "release" / "tables" / "project_budgets.csv"
    budgets.write_text(budgets.read_text(encoding="utf-8").replace(",agency,", ",nobody,"),
                       encoding="utf-8")
    group = csvw.TableGroup.from_file(tmp_path / "release" / "csv-metadata.json")
    assert not group.check_referential_integrity(log=logging.getLogger("test-csvw"))


# --- the linked data ----------------------------------------------------------------

def _strings(table: Any, row: dict[str, Any]) -> dict[str, str | None]:
    """The row's cells as text, the values URI templates are filled with."""
    columns = {c.header: c for c in table.tableSchema.columns}
    return {name: value if value is None or name not in columns or columns[name].virtual
            else columns[name].write(value) for name, value in row.items()}


def csv2rdf(group: Any) -> Graph:
    """The triples of csv2rdf standard mode (https://www.w3.org/TR/csv2rdf/) for the tables
    of ``group`` (a csvw.TableGroup), read and templates expanded by the csvw package."""
    graph = Graph()
    group_node = BNode()
    graph.add((group_node, RDF.type, CSVW.TableGroup))
    for table in group.tables:
        url = Path(table.url.resolve(group.base)).resolve().as_uri()
        table_node = BNode()
        graph.add((group_node, CSVW.table, table_node))
        graph.add((table_node, RDF.type, CSVW.Table))
        graph.add((table_node, CSVW.url, URIRef(url)))
        for number, (_, line, row) in enumerate(table.iterdicts(with_metadata=True), start=1):
            row_node = BNode()
            graph.add((table_node, CSVW.row, row_node))
            graph.add((row_node, RDF.type, CSVW.Row))
            graph.add((row_node, CSVW.rownum, Literal(number)))
            graph.add((row_node, CSVW.url, URIRef(f"{url}#row={line}")))
            for triple in _cell_triples(table, url, row, number):
                graph.add(triple)
                graph.add((row_node, CSVW.describes, triple[0]))
    return graph


def _cell_triples(table: Any, url: str, row: dict[str, Any], number: int) -> Iterator[Triple]:
    """The triples of the cells of one row: subject, predicate and object from the
    column's aboutUrl, propertyUrl and valueUrl or the cell's value."""
    cells = _strings(table, row)
    default = BNode()

    def url_of(template: Any, name: str) -> URIRef | None:
        if template is None:
            return None
        return URIRef(str(table.expand(template, cells, _row=number, _name=name)))

    for column in table.tableSchema.columns:
        value = None if column.virtual else row.get(column.header)
        if column.suppressOutput or (value is None and not column.virtual):
            continue  # a virtual column has no value, and gives its valueUrl
        name = column.header
        subject = url_of(column.inherit("aboutUrl"), name) or default
        predicate = url_of(column.inherit("propertyUrl"), name) or URIRef(f"{url}#{quote(name)}")
        yield subject, predicate, url_of(column.inherit("valueUrl"), name) or \
            _literal(column, value)


def _literal(column: Any, value: Any) -> Literal:
    datatype = column.inherit("datatype")
    base = datatype.base if datatype else "string"
    if base == "string":
        lang = column.inherit("lang")
        return Literal(value, lang=None if lang == "und" else lang)
    return Literal(datatype.formatted(value), datatype=XSD[base])


SAME, DROP = object(), object()
Change = Callable[[Graph, Triple], Any]


def _country(graph: Graph, triple: Triple) -> Any:
    subject, predicate, obj = triple
    if isinstance(obj, URIRef) and obj.startswith(codes.COUNTRY_BASE):
        return subject, predicate, graph.value(obj, SKOS.notation)
    return SAME


def _language(graph: Graph, triple: Triple) -> Any:
    import pycountry

    subject, predicate, obj = triple
    if isinstance(obj, URIRef) and obj.startswith(codes.LANGUAGE_BASE):
        alpha_3 = obj.removeprefix(codes.LANGUAGE_BASE).lower()
        language = pycountry.languages.get(alpha_3=alpha_3)
        assert language is not None, obj
        return subject, predicate, Literal(language.alpha_2)
    return SAME


def _date(graph: Graph, triple: Triple) -> Any:
    subject, predicate, obj = triple
    if isinstance(obj, Literal) and obj.datatype in (XSD.gYear, XSD.gYearMonth, XSD.date):
        return subject, predicate, Literal(str(obj))
    return SAME


def _optional_objects(fields: tuple[coopdata.Field, ...]) -> set[tuple[str, str, str]]:
    """(predicate, field name, class) of every optional single object, at any depth."""
    found = set()
    for spec in fields:
        if spec.type == "object":
            if not spec.many and not spec.required:
                assert spec.node_class is not None
                found.add((expand(spec.predicate), spec.name, expand(spec.node_class)))
            found |= _optional_objects(spec.fields)
    return found


OPTIONAL_OBJECTS = {o for kind in KINDS.values() for o in _optional_objects(kind.fields)}


def _optional_object(graph: Graph, triple: Triple) -> Any:
    subject, predicate, obj = triple
    for link, name, node_class in OPTIONAL_OBJECTS:
        if str(predicate) == link and str(obj) == f"{subject}/{name}":
            return DROP
        if predicate == RDF.type and str(obj) == node_class and str(subject).endswith(f"/{name}"):
            return DROP
    return SAME


CHANGES: dict[str, Change] = {"country": _country, "language": _language, "date": _date,
                              "optional single object": _optional_object}
assert CHANGES.keys() == DIFFERENCES.keys()


def as_csvw_says_it(graph: Graph, uris: Uris, applied: set[str]) -> set[Triple]:
    """coopdata's triples about records and the nodes nested in them (not the countries
    and concepts it describes, nor rdfs:label), each changed as DIFFERENCES say."""
    out: set[Triple] = set()
    for triple in graph:
        subject, predicate, _ = triple
        if uris.locate(str(subject)) is None or predicate == RDFS.label:
            continue
        changed: Any = triple
        for name, change in CHANGES.items():
            result = change(graph, triple)
            if result is not SAME:
                applied.add(name)
                changed = result
                break
        if changed is not DROP:
            out.add(changed)
    return out


def _show(triples: set[Triple]) -> str:
    return "\n".join(sorted(" ".join(t.n3() for t in triple) for triple in triples)[:20])


@pytest.mark.parametrize("base", [DEFAULT_BASE, OTHER_BASE])
def test_csv2rdf_gives_coopdata_graph(base: str, dataset: coopdata.Dataset,
                                      tmp_path: Path) -> None:
    metadata = _release(tmp_path, dataset, base)
    converted = csv2rdf(csvw.TableGroup.from_file(metadata))
    facts = {t for t in converted if isinstance(t[0], URIRef)}
    assert {t for t in converted if not isinstance(t[0], URIRef)}, "standard mode: rows"
    vocabularies = tuple(PREFIXES.values())
    assert all(str(p).startswith(vocabularies) for _, p, _ in facts), "a default propertyUrl"

    uris = Uris(base)
    applied: set[str] = set()
    expected = as_csvw_says_it(coopdata.build_graph(dataset, uris=uris), uris, applied)
    assert not facts - expected, "CSVW says what coopdata does not:\n" + _show(facts - expected)
    assert not expected - facts, "CSVW leaves out:\n" + _show(expected - facts)
    # every listed difference shows in the fixtures: none is listed that no longer applies
    assert applied == set(DIFFERENCES)


# --- csv2json (csvw2json) ---------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "csvw.md"
NATIVE = {"decimal": "1.5", "integer": "2", "double": "1.5", "boolean": "true"}
"""Datatypes whose values csvw hands to rdflib as JSON numbers or booleans → a cell."""


def _reproduction(directory: Path, datatype: str, *, about: bool) -> Path:
    """docs/csvw.md's reproduction, with the column's datatype (and cell) replaced and,
    unless ``about``, the column's own aboutUrl removed."""
    text = DOCS.read_text(encoding="utf-8")
    (table,) = re.findall(r"`numbers\.csv`:\n\n```csv\n(.*?)```", text, re.S)
    (metadata_text,) = re.findall(r"`numbers-metadata\.json`:\n\n```json\n(.*?)```", text, re.S)
    metadata = json.loads(metadata_text)
    column = metadata["tableSchema"]["columns"][1]
    column["datatype"] = datatype
    if not about:
        del column["aboutUrl"]
    header, row = table.splitlines()
    (directory / "numbers.csv").write_text(
        f"{header}\n{row.split(',')[0]},{NATIVE.get(datatype, 'text')}\n", encoding="utf-8")
    path = directory / "numbers-metadata.json"
    path.write_text(json.dumps(metadata), encoding="utf-8")
    return path


@pytest.mark.parametrize("datatype", sorted(NATIVE))
def test_csvw2json_bug_reproduction(datatype: str, tmp_path: Path) -> None:
    """The bug docs/csvw.md describes, as it describes it. When this fails because csvw
    no longer crashes, the package was fixed: update docs/csvw.md and drop the
    workaround in :func:`_csv2json`."""
    crashing = _reproduction(tmp_path, datatype, about=True)
    python_type = {"decimal": "float", "double": "float", "integer": "int",
                   "boolean": "bool"}[datatype]
    with pytest.raises(TypeError, match=f"object of type '{python_type}' has no len"):
        csvw.CSVW(str(crashing)).to_json()
    # Not the datatype alone, nor the aboutUrl alone: both together.
    for path in (_reproduction(tmp_path, datatype, about=False),
                 _reproduction(tmp_path, "string", about=True)):
        assert csvw.CSVW(str(path)).to_json()["tables"][0]["row"]


def _csv2json(metadata: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """csvw's own csv2json of ``metadata``, with the workaround of docs/csvw.md: an object
    whose ``@value`` is a JSON number or boolean becomes that value before csvw's
    ``to_json`` (which calls len() on it) sees it."""
    import csvw.jsonld

    package_to_json = csvw.jsonld.to_json

    def to_json(obj: Any, flatten_list: bool = False) -> Any:
        if isinstance(obj, dict) and isinstance(obj.get("@value"), bool | int | float):
            return obj["@value"]
        return package_to_json(obj, flatten_list=flatten_list)

    monkeypatch.setattr(csvw.jsonld, "to_json", to_json)  # (it recurses through the module)
    result: dict[str, Any] = csvw.CSVW(str(metadata)).to_json()
    return result


def _native_values(node: Any) -> Iterator[tuple[str, str, bool | int | float]]:
    """(subject, property as csvw writes it, value) of every number and boolean in the
    csv2json objects ``node``, nested objects included."""
    if isinstance(node, list):
        for item in node:
            yield from _native_values(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, bool | int | float) and "@id" in node:
                    yield node["@id"], key, item
                else:
                    yield from _native_values(item)


def _native_cells(metadata: dict[str, Any], root: Path) -> int:
    """How many non-empty cells the output columns of numeric or boolean type hold."""
    count = 0
    for table in metadata["tables"]:
        if table.get("suppressOutput"):
            continue
        columns = [c["name"] for c in table["tableSchema"]["columns"]
                   if c.get("datatype") in NATIVE and not c.get("suppressOutput")
                   and not c.get("virtual")]
        with open(root / table["url"], encoding="utf-8", newline="") as handle:
            count += sum(1 for row in csv.DictReader(handle) for name in columns if row[name])
    return count


def test_csvw2json_of_the_release_agrees_with_the_graph(
        release: Path, dataset: coopdata.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    metadata = json.loads(release.read_text(encoding="utf-8"))
    about_columns = [c for t in metadata["tables"] for c in t["tableSchema"]["columns"]
                     if "aboutUrl" in c and c.get("datatype") in NATIVE]
    assert about_columns, "no column meets the csvw bug: update docs/csvw.md"
    with pytest.raises(TypeError, match="has no len"):  # as docs/csvw.md says
        csvw.CSVW(str(release)).to_json()

    converted = _csv2json(release, monkeypatch)

    shown = [t["url"] for t in metadata["tables"] if not t.get("suppressOutput")]
    urls = [table["url"].removeprefix(f"{release.parent}/") for table in converted["tables"]]
    assert urls == shown  # (csvw gives them resolved against the metadata's folder)
    for url, table in zip(urls, converted["tables"], strict=True):
        assert len(table.get("row", [])) == _csv_rows(release.parent / url), url
    graph = coopdata.build_graph(dataset)
    from csvw.metadata_utils import NAMESPACES

    values = list(_native_values(converted))
    # every number and boolean of the tables, each one a fact of the graph
    assert len(values) == _native_cells(metadata, release.parent) > 0
    crashing = {c["propertyUrl"] for c in about_columns}
    assert any(str(NAMESPACES.get(k.partition(":")[0], "")) + k.partition(":")[2] in crashing
               or k in crashing for _, k, _ in values), "no value of the columns that crash"
    for subject, key, value in values:
        prefix, _, local = key.partition(":")
        predicate = URIRef(NAMESPACES[prefix] + local if prefix in NAMESPACES else key)
        objects = [o for o in graph.objects(URIRef(subject), predicate)
                   if isinstance(o, Literal)]
        if isinstance(value, bool):
            assert Literal(value) in objects, (subject, key, value)
        else:
            assert any(float(o.toPython()) == value for o in objects), (subject, key, value)

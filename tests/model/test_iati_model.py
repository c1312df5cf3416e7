"""The model carries what IATI activities carry (issue 16): the IATI code lists, pinned to
their sources; a record using every new field validates with both engines, goes through
the tables and back unchanged, and makes the same triples in both graph builders."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS, XSD

from coopdata import build_graph, load, validate
from coopdata.model import codes
from coopdata.model.spec import KINDS, Field
from coopdata.model.values import parse_point, point_text
from coopdata.model.vocab import wkt_point
from coopdata.rdf.triples import ntriples, triples
from coopdata.tables.cells import columns
from coopdata.tables.layout import ancestor_keys, tables
from coopdata.tables.rows import records_from_rows

ROOT = Path(__file__).resolve().parents[2]
RECORDS = Path(__file__).resolve().parents[1] / "fixtures" / "records-iati"
EMBEDDED_COMMIT = "75e827bacd29f77356cb43defbc0b655705432f3"
NON_EMBEDDED_COMMIT = "7aeece773c60afa0265eb95e988d5e61e96d8482"


def test_code_lists_are_pinned_to_their_source_commits() -> None:
    text = (ROOT / "schema" / "codelists.ttl").read_text(encoding="utf-8")
    assert f"IATI/IATI-Codelists version-2.03 commit {EMBEDDED_COMMIT}" in text
    assert f"IATI/IATI-Codelists-NonEmbedded master commit {NON_EMBEDDED_COMMIT}" in text
    assert EMBEDDED_COMMIT in (ROOT / "docs" / "iati.md").read_text(encoding="utf-8")


MIRRORS = Path("/work/.mirror")


@pytest.mark.skipif(not (MIRRORS / "IATI+IATI-Codelists" / "repo").exists(),
                    reason="the IATI repositories are not mirrored here")
def test_the_code_list_block_is_what_the_generator_makes_from_the_pinned_commits() -> None:
    import importlib.util

    loader = importlib.util.spec_from_file_location("codelists", ROOT / "tools" / "codelists.py")
    assert loader is not None and loader.loader is not None
    tool = importlib.util.module_from_spec(loader)
    sys.modules["codelists"] = tool  # its dataclasses look their module up
    loader.loader.exec_module(tool)
    sources = {"embedded": tool.Source.parse(
                   f"{MIRRORS}/IATI+IATI-Codelists/repo@{EMBEDDED_COMMIT}"),
               "non-embedded": tool.Source.parse(
                   f"{MIRRORS}/IATI+IATI-Codelists-NonEmbedded/repo@{NON_EMBEDDED_COMMIT}")}
    block = tool.generate(sources)
    text = (ROOT / "schema" / "codelists.ttl").read_text(encoding="utf-8")
    written = text[text.index(tool.BEGIN):text.index(tool.END) + len(tool.END)]
    # the header names the branches the commits were read from; the rest is identical
    assert _body(block) == _body(written)


def _body(block: str) -> list[str]:
    return [line for line in block.splitlines() if not line.startswith("# source:")]


def test_every_iati_organisation_type_is_a_code() -> None:
    """Organisation types come from the official list (with 71, 72, 73 since 2.03): the
    notations records used before stay, a code added to the list gets its own."""
    official = ("10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72",
                "73", "80", "90")
    notations = [codes.from_iati("organisation-type", code) for code in official]
    assert None not in notations
    assert set(notations) == set(codes.schemes()["organisation-type"])
    assert notations[0] == "government" and notations[-1] == "other"
    assert codes.from_iati("organisation-type", "73") == "private-sector-in-third-country"


def test_known_codes() -> None:
    assert {"15190", "25030"} <= set(codes.schemes()["dac-sector"])
    assert codes.from_iati("transaction-type", "3") == "disbursement"
    assert codes.iati_code("transaction-type", "disbursement") == "3"
    assert codes.from_iati("result-type", "2") == "outcome"
    assert codes.iati_code("dac-sector", "15190") == "15190"
    assert len(codes.schemes()["dac-sector"]) > 300


def test_code_lists_read_by_pyoxigraph_are_what_rdflib_reads() -> None:
    """codes.codelist_triples (pyoxigraph, fast) reads exactly the triples rdflib reads
    from schema/codelists.ttl, so the schemes, IATI codes and copied concept triples are
    those of the file."""
    reference = Graph().parse(ROOT / "schema" / "codelists.ttl")
    fast = set()
    for subject, predicate, (kind, value, datatype, lang) in codes.codelist_triples():
        plain = datatype in ("", str(XSD.string))  # rdflib leaves xsd:string implicit
        term = URIRef(value) if kind == "i" else Literal(
            value, lang=lang or None, datatype=None if plain else datatype)
        fast.add((URIRef(subject), URIRef(predicate), term))
    assert fast == set(reference)
    by_scheme: dict[str, list[str]] = {}
    for concept, scheme in reference.subject_objects(SKOS.inScheme):
        by_scheme.setdefault(str(scheme).removeprefix(codes.CODE_BASE), []).append(
            str(reference.value(concept, SKOS.notation)))
    assert codes.schemes() == {k: tuple(sorted(v)) for k, v in sorted(by_scheme.items())}


def test_validate_reads_the_code_lists_quickly() -> None:
    """coopdata validate parses the code lists on every run: with pyoxigraph it takes a few
    hundredths of a second (rdflib took about 0.8 s)."""
    import time

    codes.codelist_triples.cache_clear()
    start = time.perf_counter()
    codes.codelist_triples()
    assert time.perf_counter() - start < 0.4


def _walk(fields: tuple[Field, ...]):  # type: ignore[no-untyped-def]
    for spec in fields:
        yield spec
        yield from _walk(spec.fields)


def test_the_fixture_uses_every_project_and_organisation_field() -> None:
    """The record below exercises the whole model (a field added later must be added to
    it, so that the round trips below cover it)."""
    dataset, report = load(RECORDS)
    assert report.valid, report.findings

    def used(fields: tuple[Field, ...], values: list[dict]) -> set[str]:  # type: ignore[type-arg]
        names = set()
        for spec in fields:
            present = [v[spec.name] for v in values if spec.name in v]
            if present:
                names.add(spec.name)
            if spec.type == "object" and present:
                items = [i for p in present for i in (p if spec.many else [p])]
                names |= {f"{spec.name}.{n}" for n in used(spec.fields, items)}
        return names

    def declared(fields: tuple[Field, ...]) -> set[str]:
        return {n for spec in fields for n in [spec.name, *(
            f"{spec.name}.{inner}" for inner in declared(spec.fields))]}

    for kind, skip in (("project", {"acronym", "places", "themes", "programme", "follows",
                                    "related", "strategies", "milestones", "url", "note",
                                    "actual_end", "budgets.funder", "budgets.note",
                                    "participations.note", "results.targets"}),
                       ("organisation", {"acronym", "country", "part_of", "replaces",
                                         "note"})):
        fields = KINDS[kind].fields
        data = [r.data for r in dataset.of_kind(kind)]
        missing = {n for n in declared(fields) - used(fields, data)
                   if not any(n == s or n.startswith(s + ".") for s in skip)}
        assert missing == set(), kind


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_every_new_field_validates(engine: str) -> None:
    report = validate(RECORDS, engine=engine).report
    assert report.findings == []


def test_fast_and_reference_graphs_are_isomorphic() -> None:
    dataset, _ = load(RECORDS)
    fast = Graph().parse(data=ntriples(triples(dataset)), format="nt")
    reference = build_graph(dataset)
    assert isomorphic(fast, reference)
    location = URIRef("https://w3id.org/coopdata/id/project/iati-aa-aaa-123456789-abc123/"
                      "locations/1")
    geo = "http://www.opengis.net/ont/geosparql#"
    point = reference.value(location, URIRef(geo + "hasGeometry"))
    assert point == URIRef(f"{location}/point")
    assert reference.value(point, URIRef(geo + "asWKT")) == Literal(
        "POINT(65.716944 31.616944)", datatype=URIRef(geo + "wktLiteral"))


def test_records_tables_records() -> None:
    dataset, _ = load(RECORDS)
    rows = {}
    for table in tables():
        cells = columns(table, dataset)
        rows[table.name] = [dict(zip(table.header, row, strict=True))
                            for row in zip(*cells, strict=True)]
    assert rows["project_results_indicators_periods"][0]["grandparent_position"] == "1"
    plain = records_from_rows(rows)
    from coopdata.model.dataset import Record
    from coopdata.records.dataset import check_records

    again, findings = check_records(
        Record(kind, record_id, f"{record_id}.yaml",
               {k: v for k, v in data.items() if k != "id"}, {})
        for kind, by_id in plain.items() for record_id, data in by_id.items())
    assert findings == []
    assert {(r.kind, r.id): r.data for r in again} == {(r.kind, r.id): r.data for r in dataset}


def test_ancestor_keys() -> None:
    assert ancestor_keys(1) == ()
    assert ancestor_keys(2) == ("parent_position",)
    assert ancestor_keys(3) == ("grandparent_position", "parent_position")
    assert len(set(ancestor_keys(6))) == 5


coordinate = st.decimals(allow_nan=False, allow_infinity=False, places=6)


@given(coordinate.filter(lambda d: -90 <= d <= 90), coordinate.filter(lambda d: -180 <= d <= 180))
def test_points_read_back_as_written(latitude, longitude) -> None:  # type: ignore[no-untyped-def]
    text = point_text(latitude, longitude)
    assert parse_point(text) is not None
    assert point_text(*parse_point(text)) == text  # type: ignore[misc]
    lat, lon = parse_point(text)  # type: ignore[misc]
    assert (lat, lon) == (latitude, longitude)
    assert re.fullmatch(r"POINT\(\S+ \S+\)", wkt_point(text))


@pytest.mark.parametrize("value", ["91 0", "0 181", "a b", "1", "1 2 3", "١ ٢"])
def test_points_off_the_globe_or_malformed_are_refused(value: str) -> None:
    assert parse_point(value) is None


def _vocabulary_codes(fields: tuple[Field, ...], path: tuple[Field, ...] = ()):  # type: ignore[no-untyped-def]
    for spec in fields:
        if spec.vocabularies:
            yield (*path, spec)
        yield from _vocabulary_codes(spec.fields, (*path, spec))


VOCABULARY_CODES = list(_vocabulary_codes(KINDS["project"].fields))


def _vocabulary_findings(path: tuple[Field, ...], code: str, vocabulary: str | None):  # type: ignore[no-untyped-def]
    from coopdata.model.dataset import RawRecord as Record
    from coopdata.records.dataset import check_records

    leaf = path[-1]
    data: dict = {leaf.name: code}  # type: ignore[type-arg]
    if vocabulary is not None:
        data[leaf.vocabulary_field] = vocabulary  # type: ignore[index]
    for parent in reversed(path[:-1]):
        data = {parent.name: [data] if parent.many else data}
    _, findings = check_records([Record("project", "p", "p.yaml", data, {})])
    return [f for f in findings if f.code == "unknown-vocabulary-code"]


def test_every_vocabulary_dependent_code_is_covered() -> None:
    names = {".".join(f.name for f in path) for path in VOCABULARY_CODES}
    assert {"sector_shares.code", "regions.code", "policy_markers.code",
            "default_aid_types.code", "transactions.aid_types.code",
            "transactions.sectors.code", "transactions.region"} <= names


@pytest.mark.parametrize("path", VOCABULARY_CODES,
                         ids=[".".join(f.name for f in p) for p in VOCABULARY_CODES])
def test_codes_are_checked_against_their_vocabulary_list(path: tuple[Field, ...]) -> None:
    leaf = path[-1]
    for vocabulary, scheme in leaf.vocabularies:
        for known in codes.schemes()[scheme][:3]:
            assert _vocabulary_findings(path, known, vocabulary) == []
        found = _vocabulary_findings(path, "ZZ-0", vocabulary)
        assert len(found) == 1 and found[0].severity == "warning"
        assert found[0].field is not None and found[0].field.endswith(leaf.name)
        assert f'{scheme} code "ZZ-0"' in found[0].message
    # no vocabulary named: IATI's default (1)
    assert len(_vocabulary_findings(path, "ZZ-0", None)) == 1
    assert _vocabulary_findings(path, codes.schemes()[leaf.vocabularies[0][1]][0], None) == []
    # another vocabulary of the list (a publisher's own, 99…) is free
    sibling = path[-2].child(leaf.vocabulary_field)  # type: ignore[arg-type]
    assert sibling.scheme is not None
    free = [v for v in codes.schemes()[sibling.scheme] if v not in dict(leaf.vocabularies)]
    assert free
    for vocabulary in free:
        assert _vocabulary_findings(path, "ZZ-0", vocabulary) == []


def test_a_code_of_the_other_sector_vocabulary_is_pointed_at() -> None:
    path = next(p for p in VOCABULARY_CODES if p[0].name == "sector_shares")
    found = _vocabulary_findings(path, "151", "1")
    assert len(found) == 1 and 'vocabulary: "2"' in found[0].message
    assert _vocabulary_findings(path, "151", "2") == []
    found = _vocabulary_findings(path, "15191", "1")
    assert 'did you mean "15190"' in found[0].message or "did you mean" in found[0].message

"""SHACL layer: business rules fire on the right record, field and line, and the
prepared-query path gives exactly pyshacl's plain results."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from coopdata import build_graph, load
from coopdata.reference.pyshacl import shacl_results
from coopdata.validate.shacl.terms import shapes_graph
from tests.test_cli import READING, replace_in, run

SECOND = "records/projects/second.yaml"
CASES = [
    ("projects/second.yaml", 'planned_end: "2020"', 'planned_end: "2016-12"',
     f"{SECOND}:14 second planned_end: the end (2016-12) is before the start (2017) "
     "[shacl-end-not-before-start]"),
    ("events/conference.yaml", 'end: "2018-12-07"', 'end: "2018-11"',
     "records/events/conference.yaml:5 conference end: the end (2018-11) is before the start "
     "(2018-12-05) "
     "[shacl-end-not-before-start]"),
    ("projects/second.yaml", 'actual_start: "2018-03-15"', 'actual_start: "2999-01"',
     f"{SECOND}:13 second actual_start: 2999-01 is in the future: an actual start or end "
     "cannot be later than today (a date yet to come is a planned_start or planned_end) "
     "[shacl-actual-date-not-in-future]"),
    ("projects/second.yaml", "amount: 2.5", "amount: -2.5",
     f"{SECOND}:20 second budgets[2].amount: the amount (-2.5) is negative "
     "[shacl-budget-not-negative]"),
    ("projects/second.yaml", "programme: programme", "programme: first",
     f"{SECOND}:34 second programme: https://w3id.org/coopdata/id/project/first is not a "
     'programme: "programme" names a project record of type programme '
     "[shacl-programme-member-of-programme]"),
    ("events/audience.yaml", "  - person: guest\n", "  - person: guest\n    organisation: agency\n",
     "records/events/audience.yaml:7 audience participants[1].person: a participant is a "
     'person or an organisation: give exactly one of "person" and "organisation" (value: '
     '"https://w3id.org/coopdata/id/person/guest") [shacl-participant-is-person-or-organisation]'),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES,
                         ids=[c[3].rsplit("[", 1)[-1].rstrip("]") for c in CASES])
def test_business_rules(records: Path, file: str, old: str, new: str, expected: str) -> None:
    replace_in(records / file, old, new)
    code, output = run("validate", "--records", "records")
    first, *findings, _summary = output.splitlines(keepends=True)
    violations = [line.rstrip("\n") for line in findings if not line.rstrip().endswith(")")]
    assert (code, first, violations) == (1, READING, [expected])


def test_warnings_do_not_fail_unless_strict(records: Path) -> None:
    replace_in(records / "agreements" / "mou.yaml", 'signed: "2013-06"\n', "")
    code, output = run("validate", "--records", "records")
    assert (code, output) == (0, READING + "records/agreements/mou.yaml:1 mou signed: the "
                              'agreement is signed (status "signed") but its signing date '
                              '("signed") is not '
                              "given [shacl-signed-agreement-has-date] (warning)\n"
                              "valid: 13 records: 0 violations, 1 warning, 0 infos\n")
    assert run("validate", "--records", "records", "--strict")[0] == 1


def test_prepared_queries_give_the_reference_results(records: Path) -> None:
    for file, old, new, _ in CASES:
        replace_in(records / file, old, new)
    dataset, _ = load(records)
    graph = build_graph(dataset)
    shapes = shapes_graph()
    prepared, plain = shacl_results(graph, shapes), shacl_results(graph, shapes, prepared=False)
    assert len(prepared) > 20 and isomorphic(prepared, plain)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["<urn:a>", "_:b1", "_:x"]),
                          st.sampled_from(["<urn:p>", "<urn:q>"]),
                          st.sampled_from(["<urn:a>", "_:b1", '"t"@fr', '"x_:y"', '"2.50"^^<'
                                           'http://www.w3.org/2001/XMLSchema#decimal>'])),
                max_size=8), st.integers(1, 3), st.integers(1, 200))
def test_store_of_streamed_chunks_is_the_store_of_the_document(
        triples: list[tuple[str, str, str]], lines: int, batch: int) -> None:
    """SHACL-SPARQL's store loaded from N-Triples chunks, a batch of them at a time, holds
    what the whole document gives, blank node labels kept."""
    from coopdata.validate.shacl.sparql import load_chunks, load_ntriples

    document = [f"{s} {p} {o} .\n".encode() for s, p, o in triples]
    chunks = [b"".join(document[i:i + lines]) for i in range(0, len(document), lines)]

    def quads(store: Any) -> set[str]:
        return {str(quad) for quad in store}
    whole = quads(load_ntriples(b"".join(document)))
    assert quads(load_chunks(lambda: iter(chunks), batch=batch)) == whole
    assert quads(load_chunks(lambda: iter(chunks))) == whole
    with tempfile.TemporaryDirectory() as folder:  # (a store on disk, loaded a batch a time)
        assert quads(load_chunks(lambda: iter(chunks), Path(folder), batch=batch)) == whole


def test_a_store_on_disk_gives_the_results_of_one_in_memory(
        records: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Above ON_DISK_FROM triples, SHACL-SPARQL queries a store kept in a temporary
    folder: the same results as the store in memory, and the folder is gone after."""
    from coopdata.model.uris import Uris
    from coopdata.rdf.triples import triples
    from coopdata.validate.shacl import sparql
    from coopdata.validate.shacl.check import validate_triples

    for file, old, new, _ in CASES:
        replace_in(records / file, old, new)
    dataset, _ = load(records)
    made = triples(dataset)
    in_memory = validate_triples(made, dataset, uris=Uris())
    monkeypatch.setattr(sparql, "ON_DISK_FROM", 0)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    opened: list[Path] = []
    folder_for = sparql._folder_for

    def watched(size: int, scratch: Path | None = None):  # type: ignore[no-untyped-def]
        with folder_for(size, scratch) as folder:
            assert folder is not None and folder.parent == tmp_path
            yield opened.append(folder) or folder
            assert any(folder.iterdir())  # (the store was written there)
    monkeypatch.setattr(sparql, "_folder_for", contextmanager(watched))
    on_disk = validate_triples(made, dataset, uris=Uris())
    sparql_rules = [f for f in in_memory if f.code in {
        "shacl-end-not-before-start", "shacl-programme-member-of-programme",
        "shacl-participant-is-person-or-organisation"}]
    assert len(opened) == 1 and not opened[0].exists()
    assert len(sparql_rules) >= 3 and on_disk == in_memory

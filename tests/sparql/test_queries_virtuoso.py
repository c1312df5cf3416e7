"""The query library on Virtuoso: the embedded release pushed with ``coopdata push`` to a
real Virtuoso Open Source (tests/virtuoso.py), and every query of docs/queries/ sent to
its ``/sparql`` endpoint over HTTP with ``default-graph-uri`` = the pushed graph, as
docs/queries.md says, gives the answer stored beside it, read through the traits of
Virtuoso that docs/queries.md describes (and only those): booleans as ``1`` and ``0``,
numbers in Virtuoso's own notation, and rows in any order where the query sets none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdata.cli import main
from coopdata.model.resources import default_records
from coopdata.release.job import release
from tests.stores import GRAPH, QUERIES, ROOT, expected, ordered, second_version, with_from
from tests.virtuoso import Virtuoso, credentials, needs_virtuoso, started

pytestmark = needs_virtuoso

MAX_ROWS = 10_000
"""``ResultSetMaxRows`` of the virtuoso.ini that Debian installs."""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso with Debian's row limit, as readers of docs/queries.md meet it."""
    with started(tmp_path_factory, max_rows=MAX_ROWS) as server:
        yield server


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release of the embedded dataset, version 1.0.0."""
    return release(tmp_path_factory.mktemp("releases"), records=default_records(),
                   version="1.0.0", date="2026-11-23", site=False).directory


def push(release_dir: Path, virtuoso: Virtuoso) -> str:
    """``coopdata push`` of the release into its default graph, staged as docs/push.md
    says for Virtuoso; that graph's IRI."""
    options, env = credentials()
    result = CliRunner().invoke(
        main, ["push", "--release", str(release_dir), "--endpoint", virtuoso.store,
               "--update-endpoint", virtuoso.update, *options, "--timeout", "60"], env=env)
    assert result.exit_code == 0, result.output
    return GRAPH.format(version=release_dir.name)


@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso, released: Path) -> str:
    return push(released, virtuoso)


def as_virtuoso_writes(cell: str) -> str:
    """A documented cell as Virtuoso's CSV writes the same value: ``true`` and ``false``
    as ``1`` and ``0`` (docs/queries.md says so). Numbers need nothing: Virtuoso writes
    the decimals and integers of these answers as pyoxigraph does (``4100000``)."""
    return {"true": "1", "false": "0"}.get(cell, cell)


def same_answer(path: Path, actual: list[list[str]]) -> None:
    wanted = expected(path)
    assert actual[0] == wanted[0], f"{path.stem}: the variables differ"
    want = [[as_virtuoso_writes(cell) for cell in row] for row in wanted[1:]]
    if ordered(path.read_text(encoding="utf-8")):
        assert actual[1:] == want, path.stem
    else:
        assert sorted(actual[1:]) == sorted(want), path.stem


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.stem)
def test_documented_query_answers_on_virtuoso(virtuoso: Virtuoso, pushed: str,
                                              path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    same_answer(path, virtuoso.select(query, **{"default-graph-uri": pushed}))


def test_one_version_among_two_gives_its_own_totals(virtuoso: Virtuoso, released: Path,
                                                    pushed: str, tmp_path: Path) -> None:
    """A second version whose RECOSA budget changed sits beside the first one: the two
    documented ways of addressing a version (``default-graph-uri``, ``FROM``) give each
    version's own answers on Virtuoso, and Virtuoso's default view, the union of its
    graphs (the pitfall docs/queries.md warns of), adds the two amounts up."""
    later = second_version(tmp_path)
    second = push(later, virtuoso)

    for path in QUERIES:  # nothing of the second version leaks into the first
        query = path.read_text(encoding="utf-8")
        same_answer(path, virtuoso.select(query, **{"default-graph-uri": pushed}))
        same_answer(path, virtuoso.select(with_from(query, pushed)))

    budgets = ROOT / "docs" / "queries" / "budget-per-funder.rq"
    query = budgets.read_text(encoding="utf-8")
    documented = expected(budgets)
    changed = [[cell.replace("4100000", "4200000") for cell in row] for row in documented]
    assert changed != documented
    assert virtuoso.select(query, **{"default-graph-uri": second}) == changed
    assert virtuoso.select(with_from(query, second)) == changed

    union = virtuoso.select(query)
    assert union[0] == documented[0] and len(union) == len(documented)
    for mixed, old, new in zip(union[1:], documented[1:], changed[1:], strict=True):
        total = int(old[3]) + int(new[3]) if old[3] != new[3] else int(old[3])
        assert int(mixed[3]) == total, mixed


def test_a_long_answer_is_cut_without_an_error(virtuoso: Virtuoso, pushed: str) -> None:
    """The trait docs/queries.md warns of: an answer longer than ResultSetMaxRows comes
    back cut, with 200 OK, and only the X-SPARQL-MaxRows header says so."""
    prefix = "PREFIX coop: <https://w3id.org/coopdata/vocab#>\n"
    pattern = "{ ?s ?p ?o . ?project a coop:Project }"
    query = f"{prefix}SELECT ?s ?p ?o ?project WHERE {pattern}"
    total = virtuoso.select(f"{prefix}SELECT (COUNT(*) AS ?n) WHERE {pattern}",
                            **{"default-graph-uri": pushed})
    assert int(total[1][0]) > MAX_ROWS
    rows, headers = virtuoso.answer(query, **{"default-graph-uri": pushed})
    assert len(rows) - 1 == MAX_ROWS
    assert headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    short, headers = virtuoso.answer(query + " LIMIT 10", **{"default-graph-uri": pushed})
    assert len(short) - 1 == 10 and "X-SPARQL-MaxRows" not in headers

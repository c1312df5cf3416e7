"""The query library where the data goes: the embedded release pushed with ``coopdata
push`` to a real Oxigraph server, and every query of docs/queries/ sent to its SPARQL
endpoint over HTTP, addressed to the pushed graph as docs/queries.md says
(``default-graph-uri``, or ``FROM <graph>`` in the query), gives the answer stored
beside it. With two versions in the store, the addressed version's totals are right
where the union of the graphs gives others."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdata.cli import main
from coopdata.model.resources import default_records
from coopdata.release.job import release
from tests.stores import (
    GRAPH,
    NO_PROXY,
    QUERIES,
    ROOT,
    NotStarted,
    expected,
    ordered,
    oxigraph,
    second_version,
    with_from,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real Oxigraph server; skipped, with the reason, only when it cannot
    be started."""
    try:
        with oxigraph(tmp_path_factory.mktemp("oxigraph")) as url:
            yield url
    except NotStarted as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release of the embedded dataset, version 1.0.0."""
    return release(tmp_path_factory.mktemp("releases"), records=default_records(),
                   version="1.0.0", date="2026-11-23", site=False).directory


def push(release_dir: Path, url: str) -> str:
    """``coopdata push`` of the release into its default graph; that graph's IRI."""
    result = CliRunner().invoke(main, ["push", "--release", str(release_dir),
                                       "--endpoint", f"{url}/store", "--timeout", "30"])
    assert result.exit_code == 0, result.output
    return GRAPH.format(version=release_dir.name)


def select(url: str, query: str, **parameters: str) -> list[list[str]]:
    """The SPARQL CSV results of ``query`` at the server's query endpoint (a POST of
    the SPARQL 1.1 Protocol, ``parameters`` such as ``default-graph-uri`` beside it)."""
    data = urllib.parse.urlencode({"query": query, **parameters}).encode()
    request = urllib.request.Request(
        f"{url}/query", data=data,
        headers={"Accept": "text/csv", "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with NO_PROXY.open(request, timeout=60) as response:
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        pytest.fail(f"the server answered {exc.code}: {exc.read().decode(errors='replace')}")
    return list(csv.reader(io.StringIO(text, newline="")))


def same_answer(path: Path, actual: list[list[str]]) -> None:
    wanted = expected(path)
    assert actual[0] == wanted[0], f"{path.stem}: the variables differ"
    if ordered(path.read_text(encoding="utf-8")):
        assert actual[1:] == wanted[1:], path.stem
    else:
        assert sorted(actual[1:]) == sorted(wanted[1:]), path.stem


@pytest.fixture(scope="module")
def pushed(server: str, released: Path) -> str:
    return push(released, server)


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.stem)
def test_documented_query_answers_on_oxigraph(server: str, pushed: str, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    same_answer(path, select(server, query, **{"default-graph-uri": pushed}))


def test_the_plain_default_graph_is_empty_after_a_push(server: str, pushed: str) -> None:
    # why the graph must be addressed: push writes a named graph, not the default one
    assert select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [["n"], ["0"]]


def test_one_version_among_two_gives_its_own_totals(server: str, released: Path,
                                                    tmp_path: Path) -> None:
    """A second version whose RECOSA budget changed sits beside the first one: the
    documented ways of addressing one version (default-graph-uri, FROM) give each
    version's own totals; the union of the graphs gives wrong ones."""
    first = push(released, server)
    later = second_version(tmp_path)
    second = push(later, server)

    budgets = ROOT / "docs" / "queries" / "budget-per-funder.rq"
    query = budgets.read_text(encoding="utf-8")
    same_answer(budgets, select(server, query, **{"default-graph-uri": first}))
    same_answer(budgets, select(server, with_from(query, first)))
    for path in QUERIES:  # nothing of the second version leaks into the first
        same_answer(path, select(server, path.read_text(encoding="utf-8"),
                                 **{"default-graph-uri": first}))

    documented = expected(budgets)
    changed = [[cell.replace("4100000", "4200000") for cell in row] for row in documented]
    assert changed != documented
    assert select(server, query, **{"default-graph-uri": second}) == changed
    assert select(server, with_from(query, second)) == changed

    # the pitfall docs/queries.md warns of: the union of the two graphs sees both
    # amounts of the changed budget and adds them up
    union = select(server, query, **{"union-default-graph": ""})
    assert union[0] == documented[0] and len(union) == len(documented)
    for mixed, old, new in zip(union[1:], documented[1:], changed[1:], strict=True):
        total = int(old[3]) + int(new[3]) if old[3] != new[3] else int(old[3])
        assert int(mixed[3]) == total, mixed

"""``coopdata push`` into a real Virtuoso Open Source (Debian's ``virtuoso-opensource``,
installed by ``.ci/run``): Digest authentication on ``/sparql-graph-crud-auth``, the
store's own reason for a refusal, and a replace that a bad line cannot leave half done
(Virtuoso keeps the triples it read before the bad line; the staging graph and ``MOVE``
of ``--update-endpoint`` keep the old graph whole).

The server (tests/virtuoso.py) runs on loopback ports with a database directory and a
``virtuoso.ini`` of its own, started once for the module (about 8 s on a fresh
database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.publish.test_push import fake_release, lines_of, released, run  # noqa: F401
from tests.virtuoso import USER, Virtuoso, credentials, needs_virtuoso, started

pytestmark = needs_virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso on free loopback ports, a fresh database, and the user ``loader``."""
    with started(tmp_path_factory) as server:
        yield server


def numbered(count: int, bad_at: int | None = None, tag: str = "") -> Iterator[str]:
    """``count`` triples; the line ``bad_at`` (1-based) is not N-Triples."""
    for n in range(1, count + 1):
        yield ("<https://example.org/broken \n" if n == bad_at else
               f'<https://example.org/s/{n}> <https://example.org/p> "{tag}{n}" .\n')


def test_digest_push_reads_back(virtuoso: Virtuoso, released: Path) -> None:  # noqa: F811
    graph = "https://example.org/virtuoso/release"
    args, env = credentials()
    for _ in range(2):  # new, then replaced: one copy
        result = run("--release", str(released), "--endpoint", virtuoso.store,
                     "--graph", graph, *args, env=env)
        assert result.exit_code == 0, result.output
        assert result.output == (f"pushed {lines_of(released / 'graph.nt')} triples to "
                                 f"{graph} at {virtuoso.store}\n")
    assert virtuoso.count(graph) == lines_of(released / "graph.nt")


def test_a_wrong_password_is_explained(virtuoso: Virtuoso, released: Path) -> None:  # noqa: F811
    result = run("--release", str(released), "--endpoint", virtuoso.store, "--user", USER,
                 env={"COOPDATA_PUSH_PASSWORD": "not the password"})
    assert result.exit_code == 1
    assert result.output == ('Error: the store refused the credentials (401 Unauthorized); '
                             'it asks for Digest realm="SPARQL"\n')
    assert "not the password" not in result.output


def test_the_anonymous_endpoint_says_why(virtuoso: Virtuoso, released: Path) -> None:  # noqa: F811
    result = run("--release", str(released), "--endpoint", f"{virtuoso.url}/sparql-graph-crud",
                 env={"COOPDATA_PUSH_TOKEN": ""})
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: the store refused the credentials (403 Forbidden): none were given (use "
        "--user, or COOPDATA_PUSH_TOKEN); it says: Error 42000: SQ110:SECURITY: Permission "
        "denied")
    assert "<" not in result.output  # the HTML page is read, not printed


def test_a_direct_put_leaves_a_partial_graph(virtuoso: Virtuoso, tmp_path: Path) -> None:
    """Why --update-endpoint exists: Virtuoso keeps what it read before a bad line."""
    graph = "https://example.org/virtuoso/direct"
    args, env = credentials()
    bad = fake_release(tmp_path / "bad" / "1.0.0", numbered(5000, bad_at=3001))
    result = run("--release", str(bad), "--endpoint", virtuoso.store, "--graph", graph, *args,
                 env=env)
    assert result.exit_code == 1
    assert "line 3001" in result.output
    assert virtuoso.count(graph) == 3000


@pytest.mark.parametrize("bad_at", [1, 3001, 5000])
def test_a_failed_staged_load_leaves_the_old_graph_whole(virtuoso: Virtuoso, tmp_path: Path,
                                                         bad_at: int) -> None:
    graph = f"https://example.org/virtuoso/staged-{bad_at}"
    args, env = credentials()
    staged = ["--endpoint", virtuoso.store, "--update-endpoint", virtuoso.update,
              "--graph", graph, *args]
    old = fake_release(tmp_path / "old" / "1.0.0", numbered(1200, tag="old "))
    result = run("--release", str(old), *staged, env=env)
    assert result.exit_code == 0, result.output
    assert virtuoso.count(graph) == 1200
    bad = fake_release(tmp_path / "bad" / "1.0.0", numbered(5000, bad_at=bad_at))
    result = run("--release", str(bad), *staged, env=env)
    assert result.exit_code == 1
    assert result.output.endswith(f"; the graph {graph} was left as it was\n"), result.output
    assert virtuoso.count(graph) == 1200
    assert virtuoso.graphs("urn:coopdata:staging:") == []  # the partial staging graph is gone
    new = fake_release(tmp_path / "new" / "1.0.0", numbered(1500, tag="new "))
    result = run("--release", str(new), *staged, env=env)
    assert result.exit_code == 0, result.output
    assert virtuoso.count(graph) == 1500  # replaced: none of the 1200 old triples is left
    assert virtuoso.graphs("urn:coopdata:staging:") == []


def test_a_staged_empty_release_empties_the_graph(virtuoso: Virtuoso, tmp_path: Path) -> None:
    graph = "https://example.org/virtuoso/emptied"
    args, env = credentials()
    staged = ["--endpoint", virtuoso.store, "--update-endpoint", virtuoso.update,
              "--graph", graph, *args]
    assert run("--release", str(fake_release(tmp_path / "a" / "1", numbered(10))), *staged,
               env=env).exit_code == 0
    result = run("--release", str(fake_release(tmp_path / "b" / "1", [])), *staged, env=env)
    assert result.exit_code == 0, result.output
    assert virtuoso.count(graph) == 0

"""``coopdata push`` into a real Virtuoso Open Source (Debian's ``virtuoso-opensource``,
installed by ``.ci/run``): Digest authentication on ``/sparql-graph-crud-auth``, the
store's own reason for a refusal, and a replace that a bad line cannot leave half done
(Virtuoso keeps the triples it read before the bad line; the staging graph and ``MOVE``
of ``--update-endpoint`` keep the old graph whole).

The server runs on loopback ports with a database directory and a ``virtuoso.ini`` of
this module's own, started once for the module (about 8 s on a fresh database)."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from test_push import NO_PROXY, fake_release, free_port, lines_of, released, run  # noqa: F401

pytestmark = pytest.mark.skipif(
    shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None,
    reason="Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")

USER, PASSWORD = "loader", "pa55 wörd"
"""A user of the test's own, granted SPARQL_UPDATE; a password with a space and a
non-ASCII letter."""

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
"""


@dataclass
class Virtuoso:
    url: str

    @property
    def store(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def update(self) -> str:
        return f"{self.url}/sparql-auth"

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(self._csv(query)[0][0])

    def graphs(self, prefix: str) -> list[str]:
        query = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                 f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }} ORDER BY ?g')
        return [row[0] for row in self._csv(query)]

    def _csv(self, query: str) -> list[list[str]]:
        url = f"{self.url}/sparql?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "text/csv"})
        with NO_PROXY.open(request, timeout=30) as response:
            lines = response.read().decode("utf-8").splitlines()[1:]
        return [[cell.strip('"') for cell in line.split(",")] for line in lines]


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso on free loopback ports, a fresh database, and the user ``loader``."""
    for _attempt in range(3):  # a free port may be taken before the server binds it
        directory = tmp_path_factory.mktemp("virtuoso")
        sql, http = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(INI.format(dir=directory, sql=sql, http=http), encoding="utf-8")
        with open(directory / "server.out", "wb") as output:
            server = subprocess.Popen(["virtuoso-t", "-c", str(ini), "+foreground"],
                                      cwd=directory, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{http}"
        try:
            deadline = time.monotonic() + 90
            while server.poll() is None and time.monotonic() < deadline:
                try:
                    with NO_PROXY.open(f"{url}/sparql?query=ASK%7B%7D", timeout=2):
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:]
                if server.poll() is None:
                    pytest.fail(f"Virtuoso did not answer within 90 s: {log}")
                continue  # it exited (a port was taken): try other ports
            subprocess.run(
                ["isql-vt", f"127.0.0.1:{sql}", "dba", "dba",
                 f"exec=DB.DBA.USER_CREATE('{USER}', '{PASSWORD}'); "
                 f'GRANT SPARQL_UPDATE TO "{USER}";'],
                check=True, capture_output=True, timeout=60)
            yield Virtuoso(url)
            return
        finally:
            _stop(server)
    pytest.fail("Virtuoso would not start on three pairs of free ports")


def credentials() -> tuple[list[str], dict[str, str]]:
    return ["--user", USER], {"COOPDATA_PUSH_PASSWORD": PASSWORD, "COOPDATA_PUSH_TOKEN": ""}


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

"""A real Virtuoso Open Source for the tests (Debian's ``virtuoso-opensource``,
installed by ``.ci/run``): started on free loopback ports with a database directory and
a ``virtuoso.ini`` of its own, and a user granted ``SPARQL_UPDATE`` for ``coopdata
push``. Used by tests/publish/test_push_virtuoso.py and tests/sparql/test_queries_virtuoso.py, each
starting one server for its module (about 8 s on a fresh database)::

    @pytest.fixture(scope="module")
    def virtuoso(tmp_path_factory):
        with started(tmp_path_factory) as server:
            yield server
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

import pytest

from tests.stores import NO_PROXY, free_port, stop

needs_virtuoso = pytest.mark.skipif(
    shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None,
    reason="Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")
"""The module's ``pytestmark``: the only reason to skip."""

USER, PASSWORD = "loader", "pa55 wörd"
"""A user of the tests' own, granted SPARQL_UPDATE; a password with a space and a
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
ResultSetMaxRows = {max_rows}
"""


@dataclass
class Virtuoso:
    url: str

    @property
    def store(self) -> str:
        """The Graph Store Protocol endpoint that takes Digest authentication."""
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def update(self) -> str:
        """The SPARQL endpoint that takes updates (Digest authentication)."""
        return f"{self.url}/sparql-auth"

    def select(self, query: str, **parameters: str) -> list[list[str]]:
        """The SPARQL CSV results of ``query`` at the public ``/sparql`` endpoint (a POST
        of the SPARQL 1.1 Protocol, ``parameters`` such as ``default-graph-uri`` beside
        it), the header row first."""
        return self.answer(query, **parameters)[0]

    def answer(self, query: str, **parameters: str) -> tuple[list[list[str]], Message]:
        """The CSV results of ``query``, and the response's headers."""
        data = urllib.parse.urlencode({"query": query, **parameters}).encode()
        request = urllib.request.Request(
            f"{self.url}/sparql", data=data,
            headers={"Accept": "text/csv", "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with NO_PROXY.open(request, timeout=60) as response:
                text = response.read().decode("utf-8")
                headers = response.headers
        except urllib.error.HTTPError as exc:
            pytest.fail(f"Virtuoso answered {exc.code}: {exc.read().decode(errors='replace')}")
        return list(csv.reader(io.StringIO(text, newline=""))), headers

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(self.select(query)[1][0])

    def graphs(self, prefix: str) -> list[str]:
        query = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                 f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }} ORDER BY ?g')
        return [row[0] for row in self.select(query)[1:]]


def credentials() -> tuple[list[str], dict[str, str]]:
    """``coopdata push`` options and environment for ``USER``."""
    return ["--user", USER], {"COOPDATA_PUSH_PASSWORD": PASSWORD, "COOPDATA_PUSH_TOKEN": ""}


@contextmanager
def started(tmp_path_factory: pytest.TempPathFactory,
            max_rows: int = 100_000) -> Iterator[Virtuoso]:
    """A Virtuoso on free loopback ports, a fresh database and the user ``USER``, that
    answers at most ``max_rows`` rows (``ResultSetMaxRows``; Debian's own virtuoso.ini
    says 10,000); stopped on leaving."""
    for _attempt in range(3):  # a free port may be taken before the server binds it
        directory = tmp_path_factory.mktemp("virtuoso")
        sql, http = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(INI.format(dir=directory, sql=sql, http=http, max_rows=max_rows),
                       encoding="utf-8")
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
            stop(server, wait=20)
    pytest.fail("Virtuoso would not start on three pairs of free ports")

"""Real triple stores for the tests, and the query library's answers.

One place for what tests/publish/test_push.py, tests/sparql/test_queries_*.py and
tests/virtuoso.py share: a free loopback port, an HTTP opener that ignores
proxies, a real Oxigraph server (the ``oxigraph`` package of the test extras) started on
a fresh data directory, and the documented queries of docs/queries/ with the answers
stored beside them. Whether a store that cannot start is a failure or a skip is the
caller's to say: :func:`oxigraph` raises :class:`NotStarted` with the reason.
"""

from __future__ import annotations

import csv
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "docs" / "queries").glob("*.rq"))
"""The documented queries run on the embedded dataset (docs/queries/iati/ aside)."""
GRAPH = "https://w3id.org/coopdata/graph/{version}"
"""The named graph ``coopdata push`` writes a release's version into by default."""
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class NotStarted(Exception):
    """A store that could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(server: subprocess.Popen[bytes], wait: float = 10) -> None:
    server.terminate()
    try:
        server.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def oxigraph_command() -> str | None:
    """The server of the ``oxigraph`` package: its console script beside this Python, or
    on the PATH, or None."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


@contextmanager
def oxigraph(directory: Path) -> Iterator[str]:
    """The URL of a real Oxigraph server on a free loopback port, with a data directory
    of its own under ``directory``; stopped on leaving. NotStarted when it cannot be."""
    command = oxigraph_command()
    if command is None:
        raise NotStarted("no oxigraph server: the `oxigraph` package of the test extras is "
                         "not installed (pip install -e '.[test]')")
    reason = "it exited at once on three free ports"
    for _attempt in range(3):  # a free port may be taken before the server binds it
        port = free_port()
        log = directory / f"oxigraph-{port}.log"
        with open(log, "wb") as output:
            try:
                server = subprocess.Popen(
                    [command, "serve", "--location", str(directory / f"store-{port}"),
                     "--bind", f"127.0.0.1:{port}"], stdout=output, stderr=subprocess.STDOUT)
            except OSError as exc:
                raise NotStarted(f"the oxigraph server cannot be started: {exc}") from None
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while server.poll() is None and time.monotonic() < deadline:
                try:
                    with NO_PROXY.open(f"{url}/", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.05)
            else:
                reason = log.read_text(errors="replace").strip() or "no answer within 20 s"
                if server.poll() is None:
                    raise NotStarted(f"oxigraph did not answer within 20 s: {reason}")
                continue  # it exited (its port was taken): try another
            yield url
            return
        finally:
            stop(server)
    raise NotStarted(f"the oxigraph server would not start: {reason}")


def expected(path: Path) -> list[list[str]]:
    """The answer documented beside the query ``path`` (its .csv), the header row first."""
    with open(path.with_suffix(".csv"), encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def ordered(query: str) -> bool:
    """Whether the query orders its solutions (comment lines aside)."""
    code = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", code, re.IGNORECASE) is not None


def with_from(query: str, graph: str) -> str:
    """The query with ``FROM <graph>`` on a line of its own before its first (the outer
    query's) WHERE, as docs/queries.md tells readers to add it."""
    lines = query.splitlines()
    for number, line in enumerate(lines):
        if not line.lstrip().startswith("#") and re.search(r"\bWHERE\b", line):
            lines[number] = re.sub(r"\bWHERE\b", f"FROM <{graph}>\nWHERE", line, count=1)
            return "\n".join(lines) + "\n"
    raise AssertionError("the query has no WHERE")


def second_version(tmp_path: Path) -> Path:
    """A release 2.0.0 of the embedded records whose RECOSA budget is 4,200,000 instead of
    4,100,000 (a second version to push beside the first)."""
    from coopdata.model.resources import default_records
    from coopdata.release.job import release

    records = shutil.copytree(default_records(), tmp_path / "records")
    recosa = records / "projects" / "recosa.yaml"
    text = recosa.read_text(encoding="utf-8")
    assert "amount: 4100000\n" in text
    recosa.write_text(text.replace("amount: 4100000\n", "amount: 4200000\n"), encoding="utf-8")
    return release(tmp_path / "releases", records=records, version="2.0.0",
                   date="2026-11-24", site=False).directory

"""SERVICE is decided on the parsed query (issue 14, case 1), property-tested over
generated spellings; ``coopdata query`` refuses it unless --allow-service, stops at once
on Ctrl-C (case 13), and loads --records through the fast path (issue 15, item 1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata.cli import main
from coopdata.sparql.query import QueryRefused, check_query, open_store
from tests.conftest import FIXTURES

KEYWORDS = ("SELECT", "WHERE", "OPTIONAL", "FILTER", "EXISTS", "SERVICE", "SILENT", "PREFIX")


def spelled(draw: st.DrawFn, keyword: str) -> str:
    """A keyword in any case."""
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in keyword)


def space(draw: st.DrawFn) -> str:
    return draw(st.sampled_from([" ", "\t", "\n", "  ", " # SERVICE <a:b> { } '\"\n",
                                 "\n# } SERVICE\n ", " #\\\n"]))


def local(draw: st.DrawFn) -> str:
    """A local name with escapes, percent codes, dots and colons (PN_LOCAL); one ``#``
    at most, so that the IRI it stands for is valid; one unescaped dot at most, since
    pyoxigraph (0.5) refuses a second one (``ex:a.b.c``), valid as it is in SPARQL 1.1."""
    first = draw(st.sampled_from(["a", "b1", "_x", "9", "\\#", "\\'", "\\-", "%41",
                                  "\\~", "service"]))
    rest = draw(st.lists(st.sampled_from(["a", "\\'", "\\.", "\\,", "%2F", ":",
                                          "-", "\\?", "\\$", "SERVICE"]),
                         max_size=4))
    if draw(st.booleans()):
        rest.insert(draw(st.integers(0, len(rest))), "x.y")
    return first + "".join(rest)


def literal(draw: st.DrawFn) -> str:
    return draw(st.sampled_from([
        '"SERVICE <http://x/> { }"', "'service'", '"a \\" SERVICE \\" # "',
        "'''it's\nSERVICE'''", '"""\\"\\"\\" SERVICE"""', "'\\' SERVICE'", '"#"', "'<'"]))


@st.composite
def group(draw: st.DrawFn, depth: int, service: bool) -> str:
    """A group graph pattern; with a SERVICE somewhere in it when ``service``."""
    parts = []  # a group with a SERVICE may hold nothing else (then maybe only a FILTER)
    for _ in range(draw(st.integers(0 if service else 1, 3))):
        kind = draw(st.sampled_from(["triple", "filter", "optional", "group", "select",
                                     "exists"] if depth else ["triple", "filter"]))
        s = space(draw)
        if kind == "triple":
            parts.append(f"?s{s}ex:{local(draw)}{s}?o{s}.")
        elif kind == "filter":
            parts.append(f"{spelled(draw, 'FILTER')}(?o{s}!={s}{literal(draw)})")
        elif kind == "optional":
            parts.append(f"{spelled(draw, 'OPTIONAL')}{s}{draw(group(depth - 1, False))}")
        elif kind == "group":
            parts.append(draw(group(depth - 1, False)))
        elif kind == "select":
            parts.append(f"{{ {spelled(draw, 'SELECT')} ?s {spelled(draw, 'WHERE')}{s}"
                         f"{draw(group(depth - 1, False))} }}")
        else:
            parts.append(f"{spelled(draw, 'FILTER')}{s}{spelled(draw, 'EXISTS')}"
                         f"{draw(group(depth - 1, False))}")
    if service:
        silent = f"{spelled(draw, 'SILENT')} " if draw(st.booleans()) else ""
        where = draw(st.sampled_from(["<http://127.0.0.1:9/sparql>", "?endpoint",
                                      "ex:endpoint", "<http://e/%73ervice>"]))
        clause = f"{spelled(draw, 'SERVICE')}{space(draw)}{silent}{where} {{ ?s ?p ?o }}"
        into = draw(st.integers(0, len(parts)))
        if depth and draw(st.booleans()):  # deeper: inside a nested group or a sub-select
            nested = draw(group(depth - 1, True))
            clause = draw(st.sampled_from([
                nested, f"{spelled(draw, 'OPTIONAL')} {nested}",
                f"{spelled(draw, 'FILTER')} {spelled(draw, 'EXISTS')} {nested}",
                f"{{ SELECT * WHERE {nested} }}"]))
        parts.insert(into, clause)
    return "{" + space(draw) + space(draw).join(parts) + space(draw) + "}"


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, bool]:
    service = draw(st.booleans())
    prefix = f"{spelled(draw, 'PREFIX')} ex:{space(draw)}<http://example.org/>{space(draw)}"
    form = draw(st.sampled_from(["SELECT * WHERE", "ASK", "CONSTRUCT { ?s ?p ?o } WHERE"]))
    form = " ".join(spelled(draw, word) if word in KEYWORDS else word
                    for word in form.split(" "))
    return prefix + form + space(draw) + draw(group(2, service)), service


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_a_query_is_refused_exactly_when_it_holds_a_service(case: tuple[str, bool]) -> None:
    text, service = case
    if service:
        with pytest.raises(QueryRefused):
            check_query(text)
    else:
        check_query(text)  # not refused
        ox.Store().query(text)  # and a valid query: pyoxigraph runs it


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX ex: <http://e/> SELECT ?s WHERE { OPTIONAL { ?x ex:a\\# ?y } "
    "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o } ORDER BY (EXISTS { SERVICE <http://x/> {} })",
    "SELECT (EXISTS { SERVICE <http://x/> {} } AS ?e) {}",
    "ASK { ?s ?p ?o } GROUP BY ?s HAVING (EXISTS { service ?x {} })",
    # a group that holds only a FILTER EXISTS: rdflib's algebra drops that filter
    "SELECT * WHERE { FILTER EXISTS { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } } }",
    "SELECT * WHERE { FILTER EXISTS { FILTER EXISTS { SERVICE <http://127.0.0.1:9/x> {} } } }",
    "ASK { FILTER(EXISTS { FILTER(NOT EXISTS { SERVICE <http://127.0.0.1:9/> {} }) }) }",
    "ASK { { FILTER NOT EXISTS { SERVICE SILENT ?e { ?s ?p ?o } } } }",
])
def test_service_anywhere_is_refused(text: str) -> None:
    with pytest.raises(QueryRefused):
        check_query(text)


@pytest.mark.parametrize("text", ["LOAD <http://127.0.0.1:9/>", "CLEAR ALL",
                                  "INSERT DATA { <a:b> <a:c> <a:d> }"])
def test_updates_are_malformed_queries(text: str) -> None:
    with pytest.raises(SyntaxError):
        check_query(text)


SERVICE_QUERY = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"


def test_the_command_refuses_service_unless_allowed() -> None:
    result = CliRunner().invoke(main, ["query", SERVICE_QUERY])
    assert result.exit_code == 2
    assert "SERVICE is not allowed" in result.output and "--allow-service" in result.output
    allowed = CliRunner().invoke(main, ["query", "--allow-service", SERVICE_QUERY])
    assert allowed.exit_code == 1 and "the query failed" in allowed.output  # it tried


def test_records_load_through_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import coopdata.reference.graph
    from coopdata.validate.validation import Validation

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an rdflib graph was built")

    monkeypatch.setattr(coopdata.reference.graph, "build_graph", refuse)
    monkeypatch.setattr(Validation, "graph", property(refuse))
    store = open_store(records=FIXTURES / "records")
    assert len(store) > 300


def test_ctrl_c_stops_a_long_query_at_once() -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal
    try:
        launched = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "coopdata", "query", "--records", str(FIXTURES / "records"),
             runaway], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()  # every command's first line
        assert first.startswith("reading ") and \
            first.rstrip("\n").endswith(f" records from {FIXTURES / 'records'}"), first
        # the time to start (imports, arguments, records found): on a loaded machine,
        # stopping may take as long, and a query that ran on would take minutes
        bound = max(1.0, time.monotonic() - launched)
        _wait_deep_in_query(process)
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = process.wait(max(10.0, 2 * bound))
        assert time.monotonic() - started < bound
        _, err = process.communicate()
        assert code == 130, err
        assert "Traceback" not in err and err.strip() == "interrupted"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_deep_in_query(process: subprocess.Popen[str], cpu: float = 1.0) -> None:
    """Wait until the query's child process has worked ``cpu`` seconds of CPU time (its
    records, a few hundred triples, load in a fraction of that): deep in the query,
    however loaded the machine (Linux /proc; else a fixed wait)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if not children.exists():
        time.sleep(4)
        return
    deadline = time.monotonic() + 120
    tick = os.sysconf("SC_CLK_TCK")
    while time.monotonic() < deadline:
        assert process.poll() is None, "the query stopped by itself"
        for child in children.read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if (int(fields[11]) + int(fields[12])) / tick >= cpu:  # utime + stime
                return
        time.sleep(0.05)
    raise AssertionError("the query's process did not start working within 120 s")

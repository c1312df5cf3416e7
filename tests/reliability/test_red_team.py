"""A second, adversarial read of issue 14: other members of its classes than the
examples the first fixes were tested on (see docs/reliability.md, rows 14.x-rt)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coopdata import UsageError
from coopdata.sparql.handler import Handler
from coopdata.sparql.server import Limits, Server
from tests.sparql.test_serve_hostile import start, stop


@pytest.fixture
def small_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """Two handlers; a request must arrive within 2 s."""
    monkeypatch.setattr(Handler, "timeout", 2)
    server, thread = start(Limits(timeout=3, handlers=2, waiting=4))
    yield server
    stop(server, thread)


def _exchange(server: Server, data: bytes, wait: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as client:
        client.settimeout(wait)
        client.sendall(data)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
        return answer


def _drip(server: Server, seconds: float, outcome: list[str]) -> None:
    """A slowloris client: a header line every half second, never the blank line."""
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as client:
        client.sendall(b"GET / HTTP/1.1\r\n")
        start_time = time.monotonic()
        try:
            while time.monotonic() - start_time < seconds:
                time.sleep(0.5)
                client.sendall(b"X-Slow: yes\r\n")
        except OSError:
            outcome.append(f"cut after {time.monotonic() - start_time:.1f} s")
            return
        outcome.append("still held")


def test_a_request_that_trickles_in_is_cut_at_the_deadline(small_server: Server) -> None:
    """Slowloris: each byte arrives well within the socket timeout, but the request as a
    whole may take no longer than the handler's timeout; meanwhile, others are answered."""
    outcome: list[str] = []
    drips = [threading.Thread(target=_drip, args=(small_server, 9, outcome))
             for _ in range(2)]  # as many as there are handlers
    for drip in drips:
        drip.start()
    time.sleep(1)
    begun = time.monotonic()
    answer = _exchange(small_server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n\r\n")
    waited = time.monotonic() - begun
    for drip in drips:
        drip.join()
    assert answer.startswith(b"HTTP/1.0 200"), answer[:80]
    assert waited < 5, waited
    assert outcome == ["cut after 2.0 s"] * 2 or all(
        o.startswith("cut after") and float(o.split()[2]) < 5 for o in outcome), outcome


def test_a_body_shorter_than_its_length_gets_408(small_server: Server) -> None:
    answer = _exchange(small_server, b"POST /sparql HTTP/1.1\r\nContent-Type: "
                       b"application/sparql-query\r\nContent-Length: 60\r\n\r\nASK {}")
    assert answer.startswith(b"HTTP/1.0 408"), answer[:80]
    assert b"took longer than 2 s" in answer


@pytest.mark.parametrize("headers", [
    b"Content-Length: 6\r\nContent-Length: 60\r\n",
    b"Content-Length: 6\r\nContent-Length: 7\r\n",
])
def test_conflicting_content_lengths_are_400(small_server: Server, headers: bytes) -> None:
    answer = _exchange(small_server, b"POST /sparql HTTP/1.1\r\nContent-Type: "
                       b"application/sparql-query\r\n" + headers + b"\r\nASK {}")
    assert answer.startswith(b"HTTP/1.0 400"), answer[:80]
    assert b"more than once" in answer


@pytest.mark.parametrize("headers", [
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\n",
])
def test_a_chunked_body_is_refused_not_misread(small_server: Server, headers: bytes) -> None:
    answer = _exchange(small_server, b"POST /sparql HTTP/1.1\r\nContent-Type: "
                       b"application/sparql-query\r\n" + headers +
                       b"\r\n6\r\nASK {}\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 411"), answer[:80]
    assert b"chunked" in answer


@pytest.mark.parametrize("workbook", ["xlsx", "ods"])
def test_a_workbook_never_replaces_a_file_that_appears_while_it_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workbook: str) -> None:
    """``export-tables --format xlsx|ods`` checks that its file is new when it starts;
    a file the user saves under that name while the workbook is written is kept."""
    from coopdata.tables import workbook as module

    target = tmp_path / f"book.{workbook}"
    writer = getattr(module, f"_write_{workbook}")

    def user_saves_meanwhile(path: Path, sheets: Any) -> None:
        target.write_text("the user's edits")
        writer(path, sheets)

    monkeypatch.setattr(module, f"_write_{workbook}", user_saves_meanwhile)
    with pytest.raises(UsageError, match="appeared while the workbook was written"):
        module.write_workbook(target, [("projects", [["id"], ["p1"]])], workbook)
    assert target.read_text() == "the user's edits"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no partial file left


HOSTILE = "x\x1b]0;owned\x07\x1b[31mred\u202eevil\u200b"  # a title, a colour, RLO, ZWSP


def _printable(output: str) -> bool:
    return all(line.isprintable() for line in output.split("\n"))


def test_an_error_naming_a_hostile_file_is_printed_escaped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings escape what is invisible; so do the errors and the first line, which
    name files and folders found on disk (a user's file in the way of --out)."""
    from click.testing import CliRunner

    from coopdata.cli import main
    from tests.conftest import FIXTURES

    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / HOSTILE).write_text("mine")
    result = CliRunner().invoke(main, ["build", "--records", str(FIXTURES / "records"),
                                       "--out", "d"], color=True)
    assert result.exit_code == 2, result.output
    assert "x\\x1b]0;owned\\x07\\x1b[31mred\\u202eevil\\u200b" in result.output
    assert _printable(result.output), repr(result.output)


def test_the_first_line_escapes_a_hostile_records_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from click.testing import CliRunner

    from coopdata.cli import main
    from tests.conftest import FIXTURES

    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "records", tmp_path / HOSTILE)
    result = CliRunner().invoke(main, ["validate", "--records", HOSTILE], color=True)
    assert "reading " in result.output
    assert _printable(result.output), repr(result.output)


@pytest.mark.parametrize("breaker", ["\r", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\x00"])
def test_a_comment_ended_otherwise_than_by_a_newline_fetches_nothing(breaker: str) -> None:
    """rdflib decides, pyoxigraph runs: where a comment ends must be the same for both,
    or a SERVICE hidden in rdflib's comment would run. Whatever the check lets through
    fetches nothing."""
    import pyoxigraph

    from coopdata.sparql.query import QueryRefused, check_query

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    text = (f"SELECT * WHERE {{ ?s ?p ?o # note{breaker} SERVICE "
            f"<http://127.0.0.1:{port}/> {{ ?a ?b ?c }} \n}}")
    try:
        try:
            check_query(text)
        except (QueryRefused, SyntaxError):
            return  # refused: held
        list(pyoxigraph.Store().query(text))  # type: ignore[arg-type]
        with pytest.raises(TimeoutError):
            listener.accept()[0].close()
    finally:
        listener.close()


_YAML_1_1 = ["yes", "No", "ON", "off", "y", "N", "~", "Null", "0x1F", "0o17", "017", "0b101",
             "1_000", "+1", "-0", ".5", "5.", "1e3", "1.5e-3", ".inf", "-.Inf", ".NaN",
             "1:20", "190:20:30", "-1:20", "2001-12-14t21:59:43.10-05:00", "2021-1-1",
             "2021-02-30", "0000-01-01", "2021-03-01 10:00", "09", "0_8", "0x_1", "1__0",
             "+.inf", "a #b", "a#b", "a'b", 'a"b', "a,b", "a:b", "::", "?a", "!a", "|-",
             "\\", "a\\", "''", '""', "٣", "３", "a\u00a0", "\u00a0a"]


@pytest.mark.parametrize("leaf", _YAML_1_1)
def test_yaml_1_1_scalars_are_read_alike_by_both_readers(leaf: str) -> None:
    """Booleans, nulls, octal, sexagesimal, underscored and special floats, timestamps
    (also impossible ones) of YAML 1.1, and other digits: in a flow map, a value, a flow
    list, a block list, a key."""
    from tests.records.test_fastyaml import read_both_ways

    for text in (f"id: a\nname: {{fr: {leaf}}}\n", f"id: a\nx: {leaf}\n",
                 f"id: a\nx: [{leaf}, b]\n", f"id: a\nx:\n- {leaf}\n",
                 f"id: a\nx: {{{leaf}: 1}}\n", f"id: a\n{leaf}: 1\n"):
        fast_way, pyyaml_way = read_both_ways(text)
        assert repr(fast_way) == repr(pyyaml_way), text
        assert not str(fast_way).startswith("raised"), text

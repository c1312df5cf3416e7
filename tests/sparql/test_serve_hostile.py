"""``coopdata serve`` against hostile and careless clients (issue 14, cases 1, 2, 9-12):
SERVICE refused on the parsed query, a pathological query that delays nobody else,
saturation answered 503 with Retry-After, a malformed Content-Length, clients that go
away early, and CORS preflight."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from coopdata.sparql.serve import make_server
from coopdata.sparql.server import Limits, Server
from tests.conftest import FIXTURES

ASK = "ASK { ?s ?p ?o }"


def start(limits: Limits) -> tuple[Server, threading.Thread]:
    server = make_server("127.0.0.1", 0, records=FIXTURES / "records", limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server: Server, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    server, thread = start(Limits(timeout=3))
    yield server
    stop(server, thread)


def request(server: Server, method: str, path: str, body: bytes | None = None,
            **headers: str) -> tuple[int, Any, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=20)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        if body is not None and "Content-Length" not in headers:
            headers = {**headers, "Content-Length": str(len(body))}
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value.encode("utf-8"))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def query(server: Server, text: str) -> tuple[int, bytes]:
    status, _, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": text}))
    return status, body


def test_the_ssrf_of_the_issue_is_refused_and_nothing_is_fetched(server: Server) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        for text in (
            "PREFIX ex: <http://e/> SELECT ?s WHERE { OPTIONAL { ?x ex:a\\# ?y } "
            f"SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            "PREFIX ex: <http://e/> SELECT ?s WHERE { ?x ex:a\\' ?y . "
            f"SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }} # '",
            f"ASK {{ FILTER EXISTS {{ SERVICE <http://127.0.0.1:{port}/> {{ }} }} }}",
            f"SELECT * {{ {{ SELECT ?s {{ SERVICE SILENT <http://127.0.0.1:{port}/> "
            "{ ?s ?p ?o } } } }",
        ):
            status, body = query(server, text)
            assert status == 400 and body.startswith(b"SERVICE is not allowed") or \
                body.startswith(b"the query could not be checked for SERVICE"), (text, body)
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody came
    finally:
        listener.close()


def test_a_query_child_cannot_reach_the_network(server: Server) -> None:
    """Should a query ever pass the check, its process cannot open a socket: a query
    rdflib cannot read but pyoxigraph can is refused, not run."""
    status, body = query(server, "ASK { <a:b> <a:c> <<( <a:d> <a:e> <a:f> )>> }")
    assert status == 400 and body.startswith(b"the query could not be checked"), body


@pytest.mark.parametrize("pathological", [  # 80 kB of escaped quotes, unterminated
    'ASK { FILTER("""' + '\\"' * 40_000 + ") }",
    'ASK { FILTER("' + '\\"' * 40_000 + ") }",
    "ASK { FILTER(" + '"\\' * 40_000 + ") }",
    'ASK { FILTER("""' + '\\"' * 40_000 + '") }',
], ids=["long-string", "string", "quote-backslash", "closed"])
def test_a_pathological_query_delays_no_other_client(server: Server, pathological: str) -> None:
    answers: list[tuple[int, bytes]] = []
    slow = threading.Thread(target=lambda: answers.append(request(
        server, "POST", "/sparql", pathological.encode(),
        **{"Content-Type": "application/sparql-query"})[::2]))
    slow.start()
    time.sleep(0.1)
    for _ in range(3):
        started = time.monotonic()
        assert query(server, ASK) == (200, b'{"head":{},"boolean":true}')
        assert time.monotonic() - started < 1.5
    slow.join(10)
    assert answers and answers[0][0] in (400, 503), answers


def test_saturation_is_answered_503_with_retry_after() -> None:
    server, thread = start(Limits(timeout=3, handlers=1, waiting=1))
    held = []
    try:
        # silent connections until one holds the handler and one waits in the line
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if len(server._line) == 1:
                time.sleep(0.3)  # still there: the handler is busy with a silent one
                if len(server._line) == 1:
                    break
            else:
                held.append(socket.create_connection(("127.0.0.1", server.server_address[1])))
                time.sleep(0.1)
        started = time.monotonic()
        status, headers, body = request(server, "GET", "/sparql?query=ASK%7B%7D")
        assert time.monotonic() - started < 2
        assert (status, headers["Retry-After"]) == (503, "1")
        assert body == b"the server is busy: try again later\n"
    finally:
        for sock in held:
            sock.close()
        stop(server, thread)


def test_a_connection_that_waits_too_long_is_turned_away() -> None:
    server, thread = start(Limits(timeout=0.5, handlers=1, waiting=4))
    silent = socket.create_connection(("127.0.0.1", server.server_address[1]))
    try:
        time.sleep(0.2)
        waiting = socket.create_connection(("127.0.0.1", server.server_address[1]))
        waiting.settimeout(5)
        waiting.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n")
        started = time.monotonic()
        answer = waiting.recv(1000)
        assert answer.startswith(b"HTTP/1.0 503 ") and b"Retry-After: 1" in answer
        assert time.monotonic() - started < 2
        waiting.close()
    finally:
        silent.close()
        stop(server, thread)


def test_the_listen_backlog_is_realistic(server: Server) -> None:
    assert server.request_queue_size >= 128


@pytest.mark.parametrize("length", ["²", "３", "٣", "1_0", "-1", "0x10", "1e3", " ", "1 2",
                                    "+5"])
def test_a_malformed_content_length_is_400(server: Server, length: str) -> None:
    status, _, body = request(server, "POST", "/sparql", b"ASK{}", **{
        "Content-Type": "application/sparql-query", "Content-Length": length})
    assert status == 400, (length, body)
    assert body.startswith(b"malformed Content-Length header")


def test_a_huge_content_length_is_413_not_a_crash(server: Server) -> None:
    status, _, _ = request(server, "POST", "/sparql", None, **{
        "Content-Type": "application/sparql-query", "Content-Length": "9" * 5000})
    assert status == 413
    status, _, body = request(server, "POST", "/sparql", b"ASK{}", **{
        "Content-Type": "application/sparql-query", "Content-Length": "0005"})
    assert status == 200, body


def test_a_client_that_goes_away_early_is_one_line_in_the_log(
        server: Server, capfd: pytest.CaptureFixture[str]) -> None:
    port = server.server_address[1]
    big = "SELECT * { ?s ?p ?o } LIMIT 5000"
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.sendall(f"GET /sparql?{urllib.parse.urlencode({'query': big})} HTTP/1.0\r\n"
                     "Accept: text/csv\r\n\r\n".encode())
        sock.close()  # reset: the answer cannot be written
    time.sleep(1.5)
    assert query(server, ASK)[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err.replace(
        "(BrokenPipeError)", ""), err
    gone = [line for line in err.splitlines() if "went away" in line]
    assert all(line.startswith("client 127.0.0.1:") for line in gone)


def test_cors_preflight(server: Server) -> None:
    status, headers, body = request(server, "OPTIONS", "/sparql", None, **{
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-requested-with"})
    assert status == 204 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"].split(", ")
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-requested-with"
    status, headers, _ = request(server, "OPTIONS", "/id/project/first")
    assert status == 204 and "POST" not in headers["Access-Control-Allow-Methods"]
    assert request(server, "OPTIONS", "/nowhere")[0] == 404
    status, headers, body = request(server, "POST", "/sparql", ASK.encode(), **{
        "Content-Type": "application/sparql-query", "Origin": "https://example.org"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"

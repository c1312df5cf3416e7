"""``coopdata serve`` over real HTTP on 127.0.0.1: the SPARQL endpoint, its limits, the
entity URIs and the release files."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from coopdata.sparql.answers import negotiate
from coopdata.sparql.pages import PAGE_CSP
from coopdata.sparql.query import open_store
from coopdata.sparql.serve import make_server
from coopdata.sparql.server import Limits, Server
from tests.conftest import FIXTURES

ID = "https://w3id.org/coopdata/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSS = '<script>alert("x")</script> & more'
LABEL = f"SELECT ?label WHERE {{ <{ID}project/first> <{RDFS_LABEL}> ?label }}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
Response = tuple[int, Any, bytes]


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small release-like directory (what the server reads of a release: graph.nt and
    the files), next to a file that must never be served."""
    root = tmp_path_factory.mktemp("releases")
    (root / "secret.txt").write_text("do not serve\n")
    directory = root / "1.0.0"
    (directory / "tables").mkdir(parents=True)
    open_store(records=FIXTURES / "records").dump(directory / "graph.nt", ox.RdfFormat.N_TRIPLES,
                                                  from_graph=ox.DefaultGraph())
    (directory / "tables" / "projects.csv").write_bytes(b"id,title\r\nfirst,Premier projet\r\n")
    (directory / "SHA256SUMS").write_text("0000  graph.nt\n")
    (directory / "escape.txt").symlink_to(root / "secret.txt")
    return directory


@pytest.fixture(scope="module")
def server(release_dir: Path) -> Iterator[Server]:
    limits = Limits(timeout=1, max_results=100, max_request_bytes=10_000)
    server = make_server("127.0.0.1", 0, release=release_dir, limits=limits)
    server.store.add(ox.Quad(ox.NamedNode(f"{ID}project/first"), ox.NamedNode(RDFS_LABEL),
                             ox.Literal(XSS)))
    with running(server):
        yield server


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server`` answering in a thread of its own; shut down and closed on leaving."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fetch(url: str, data: bytes | None = None, **headers: str) -> Response:
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def get(server: Server, query: str, **headers: str) -> Response:
    return fetch(f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}", None,
                 **headers)


def raw(server: Server, method: str, path: str, **headers: str) -> Response:
    """A request sent as is: no normalisation of the path, no body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_select_as_json_by_default(server: Server) -> None:
    status, headers, body = get(server, LABEL)
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    bindings = json.loads(body)["results"]["bindings"]
    assert {"type": "literal", "value": "Premier projet", "xml:lang": "fr"} in \
        [row["label"] for row in bindings]


def test_select_as_xml(server: Server) -> None:
    status, headers, body = get(server, LABEL, Accept="application/sparql-results+xml")
    assert (status, headers["Content-Type"]) == (200, "application/sparql-results+xml")
    ns = "{http://www.w3.org/2005/sparql-results#}"
    literals = ET.fromstring(body).iter(f"{ns}literal")
    assert ("Premier projet", "fr") in \
        [(e.text, e.get("{http://www.w3.org/XML/1998/namespace}lang")) for e in literals]


def test_select_as_csv_and_tsv(server: Server) -> None:
    status, headers, body = get(server, LABEL, Accept="text/csv")
    assert (status, headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["label"] and ["Premier projet"] in rows and [XSS] in rows
    status, headers, body = get(server, LABEL, Accept="text/tab-separated-values;q=0.9, */*;q=0.1")
    assert headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    lines = body.decode().splitlines()
    assert lines[0] == "?label" and '"Premier projet"@fr' in lines


def test_ask_and_not_acceptable(server: Server) -> None:
    assert json.loads(get(server, "ASK { ?s ?p ?o }")[2]) == {"head": {}, "boolean": True}
    status, _, body = get(server, "ASK { ?s ?p ?o }", Accept="image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_construct_as_turtle_and_jsonld(server: Server) -> None:
    query = (f"CONSTRUCT {{ ?s <{RDFS_LABEL}> ?l }} WHERE {{ ?s a "
             f"<https://w3id.org/coopdata/vocab#Project> ; <{RDFS_LABEL}> ?l }}")
    graphs = []
    for media, fmt in (("text/turtle", ox.RdfFormat.TURTLE),
                       ("application/ld+json", ox.RdfFormat.JSON_LD)):
        status, headers, body = get(server, query, Accept=media)
        assert (status, headers["Content-Type"]) == (200, media)
        graphs.append({quad.triple for quad in ox.parse(body, fmt)})
    assert graphs[0] == graphs[1]
    assert ox.Triple(ox.NamedNode(f"{ID}project/first"), ox.NamedNode(RDFS_LABEL),
                     ox.Literal("Premier projet", language="fr")) in graphs[0]


def test_post_as_form_and_as_query(server: Server) -> None:
    form = urllib.parse.urlencode({"query": LABEL}).encode()
    for data, content_type in ((form, "application/x-www-form-urlencoded"),
                               (LABEL.encode(), "application/sparql-query")):
        status, _, body = fetch(f"{server.url}/sparql", data, **{"Content-Type": content_type})
        assert status == 200 and b"Premier projet" in body


@pytest.mark.parametrize(("data", "content_type"), [
    (b"update=INSERT+DATA+%7B%3Ca%3Ab%3E+%3Ca%3Ac%3E+%3Ca%3Ad%3E%7D",
     "application/x-www-form-urlencoded"),
    (b"LOAD <http://example.org/data.ttl>", "application/sparql-update"),
])
def test_updates_are_refused(server: Server, data: bytes, content_type: str) -> None:
    status, _, body = fetch(f"{server.url}/sparql", data, **{"Content-Type": content_type})
    assert status == 403
    assert body == b"updates are not allowed: this endpoint is read-only\n"
    assert get(server, "ASK { <a:b> ?p ?o }")[2] == b'{"head":{},"boolean":false}'


def test_an_update_as_a_query_is_malformed(server: Server) -> None:
    status, _, body = get(server, "INSERT DATA { <a:b> <a:c> <a:d> }")
    assert status == 400 and body.startswith(b"malformed query: error at 1:")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z .SERVICE ?x { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_service_is_refused(server: Server, query: str) -> None:
    assert get(server, query)[:3:2] == (400, b"SERVICE is not allowed\n")


def test_negotiation() -> None:
    offers = ["text/turtle", "application/ld+json", "text/html"]
    assert negotiate(None, offers) == "text/turtle"
    assert negotiate("text/html,application/xhtml+xml,*/*;q=0.8", offers) == "text/html"
    assert negotiate("application/*;q=0.5, text/turtle;q=0.4", offers) == "application/ld+json"
    assert negotiate("text/turtle;q=0, image/png", offers) is None


def test_a_runaway_query_is_stopped_and_others_still_answer(server: Server) -> None:
    # the time of a small query on this machine, as loaded as it is now: a small query
    # answered beside the runaway may take a few times as long, never the 1 s limit
    timings = []
    for _ in range(3):
        before = time.monotonic()
        assert get(server, LABEL)[0] == 200
        timings.append(time.monotonic() - before)
    slack = max(0.7, 5 * sum(timings) / len(timings))
    answers: list[Response] = []
    known = _children()
    started = time.monotonic()
    runaway = threading.Thread(target=lambda: answers.append(get(server, RUNAWAY)))
    runaway.start()
    _wait_for_child(known)  # the runaway's process is running
    before = time.monotonic()
    assert get(server, LABEL)[0] == 200
    assert time.monotonic() - before < slack and runaway.is_alive()
    runaway.join(10 + 3 * slack)
    assert answers[0][:3:2] == (503, b"query exceeded the time limit of 1 s\n")
    assert time.monotonic() - started < 1 + 3 * slack
    before = time.monotonic()
    assert get(server, LABEL)[0] == 200 and time.monotonic() - before < slack


def _children() -> set[str] | None:
    """The ids of this process's child processes (Linux /proc), None where unknown."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    try:
        return {pid for task in tasks.iterdir()
                for pid in (task / "children").read_text().split()}
    except OSError:
        return None


def _wait_for_child(known: set[str] | None) -> None:
    """Wait until a child process other than ``known`` runs (else 0.2 s, as a guess)."""
    if known is None:
        time.sleep(0.2)
        return
    deadline = time.monotonic() + 10
    while not (_children() or set()) - known:
        assert time.monotonic() < deadline, "no query process was started"
        time.sleep(0.01)


def test_results_larger_than_the_limit_are_refused(server: Server) -> None:
    assert get(server, "SELECT * { ?s ?p ?o }")[:3:2] == (500, b"result larger than 100 rows\n")
    assert get(server, "CONSTRUCT WHERE { ?s ?p ?o }")[2] == b"result larger than 100 triples\n"
    assert get(server, "SELECT * { ?s ?p ?o } LIMIT 100")[0] == 200


def test_a_malformed_query_gets_the_parser_message(server: Server) -> None:
    status, headers, body = get(server, "SELECT * WHERE {\n  ?s ?p }")
    assert (status, headers["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert body.startswith(b"malformed query: error at 2:") and b"expected" in body


def test_an_entity_in_turtle_and_jsonld_with_its_nested_objects(server: Server) -> None:
    for media, fmt in (("text/turtle", ox.RdfFormat.TURTLE),
                       ("application/ld+json", ox.RdfFormat.JSON_LD)):
        status, headers, body = fetch(f"{server.url}/id/project/first", Accept=media)
        assert (status, headers["Content-Type"]) == (200, media)
        triples = {quad.triple for quad in ox.parse(body, fmt)}
        assert ox.Triple(ox.NamedNode(f"{ID}project/first"), ox.NamedNode(RDFS_LABEL),
                         ox.Literal(XSS)) in triples
        assert {str(t.subject) for t in triples} == \
            {f"<{ID}project/first>", f"<{ID}project/first/participations/1>"}
    status, _, body = fetch(f"{server.url}/id/project/first/participations/1")
    assert status == 200 and f"{ID}project/first>".encode() not in body


def test_an_entity_page_escapes_every_text(server: Server) -> None:
    status, headers, body = fetch(f"{server.url}/id/project/first",
                                  Accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert headers["Content-Security-Policy"] == PAGE_CSP
    page = body.decode()
    assert XSS not in page and page.lower().count("<script") == 1
    assert '<script src="/assets/serve.js" defer></script>' in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert "&amp; more" in page and "Premier projet" in page


def test_an_unknown_entity_is_404(server: Server) -> None:
    assert fetch(f"{server.url}/id/project/nowhere")[:3:2] == \
        (404, f"no entity {ID}project/nowhere\n".encode())
    assert fetch(f"{server.url}/id/project/<bad>")[0] == 404


def test_release_files_download(server: Server, release_dir: Path) -> None:
    for name, media in (("graph.nt", "application/n-triples"),
                        ("tables/projects.csv", "text/csv; charset=utf-8"),
                        ("SHA256SUMS", "text/plain; charset=utf-8")):
        status, headers, body = fetch(f"{server.url}/releases/{name}")
        assert (status, headers["Content-Type"]) == (200, media)
        assert body == (release_dir / name).read_bytes()
        assert headers["Content-Length"] == str(len(body))
    assert fetch(f"{server.url}/releases/missing.ttl")[0] == 404
    assert fetch(f"{server.url}/releases/tables")[0] == 404


@pytest.mark.parametrize("path", [
    "/releases/../../etc/passwd", "/releases/../secret.txt", "/releases/%2e%2e/secret.txt",
    "/releases/%2E%2E%2Fsecret.txt", "/releases/tables/..%2f..%2fsecret.txt",
    "/releases//etc/passwd", "/releases/%2fetc%2fpasswd", "/releases/graph.nt%00.txt",
    "/releases/..%5csecret.txt", "/releases/escape.txt",
])
def test_paths_out_of_the_release_are_refused(server: Server, path: str) -> None:
    status, _, body = raw(server, "GET", path)
    assert status in (400, 404) and b"do not serve" not in body and b"root:" not in body


def test_an_oversized_post_is_refused_unread(server: Server) -> None:
    status, headers, body = raw(server, "POST", "/sparql", **{
        "Content-Type": "application/sparql-query", "Content-Length": "10001"})
    assert (status, body) == (413, b"request larger than 10000 bytes\n")
    assert raw(server, "POST", "/sparql", **{"Content-Type": "application/sparql-query"})[0] \
        == 411


def test_the_command_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Started as from a terminal: were the tests run in the background (SIGINT ignored),
    # the server would inherit that, and rightly ignore Ctrl-C too.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "coopdata", "serve", "--records", str(FIXTURES / "records"),
             "--port", "0", "--timeout", "5"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        count = len(open_store(records=FIXTURES / "records"))
        assert line.startswith(f"serving the records in {FIXTURES / 'records'} ({count} "
                               "triples) at http://127.0.0.1:")
        url = line.split(" at ")[1].strip()
        assert url.endswith("/sparql")
        status, _, body = fetch(f"{url}?{urllib.parse.urlencode({'query': LABEL})}")
        assert status == 200 and b"Premier projet" in body
        assert fetch(url.replace("/sparql", "/releases/graph.nt"))[0] == 404
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

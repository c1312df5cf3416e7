"""``coopdata push``: a release into a real Oxigraph server over the SPARQL 1.1 Graph Store
HTTP Protocol, read back with SPARQL; error statuses from a tiny stub server."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import socket
import threading
import time
import tracemalloc
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coopdata.cli import main
from coopdata.publish.auth import challenges, digest_authorization
from coopdata.publish.push import push
from coopdata.release.job import release
from tests import stores
from tests.conftest import FIXTURES
from tests.stores import NO_PROXY, free_port

GRAPH = "https://w3id.org/coopdata/graph/1.0.0"
SECOND = "https://w3id.org/coopdata/id/project/second"


@dataclass
class Oxigraph:
    url: str

    @property
    def store(self) -> str:
        return f"{self.url}/store"

    def select(self, query: str) -> list[dict[str, str]]:
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            f"{self.url}/query", data=data,
            headers={"Accept": "application/sparql-results+json",
                     "Content-Type": "application/x-www-form-urlencoded"})
        with NO_PROXY.open(request, timeout=10) as response:
            results = json.load(response)
        return [{name: value["value"] for name, value in row.items()}
                for row in results["results"]["bindings"]]

    def count(self, graph: str = GRAPH) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"])

    def graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        return [row["g"] for row in rows]

    def triples(self, graph: str = GRAPH) -> set[Any]:
        request = urllib.request.Request(f"{self.store}?graph={urllib.parse.quote(graph)}",
                                         headers={"Accept": "application/n-triples"})
        with NO_PROXY.open(request, timeout=10) as response:
            text = response.read().decode("utf-8")
        return comparable(rdflib.Graph().parse(data=text, format="nt"))


def comparable(graph: rdflib.Graph) -> set[Any]:
    """The triples, literals by value: a store may write 2.50 as 2.5."""
    return {tuple((term.datatype, term.language, term.toPython())
                  if isinstance(term, rdflib.Literal) else term for term in triple)
            for triple in graph}


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Oxigraph]:
    """A real Oxigraph server on a free port with a fresh data directory (the test
    extras install it: its absence is a failure here, not a skip)."""
    try:
        with stores.oxigraph(tmp_path) as url:
            yield Oxigraph(url)
    except stores.NotStarted as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("releases")
    return release(out, records=FIXTURES / "records", version="1.0.0",
                   date="2026-11-23").directory


def lines_of(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def fake_release(directory: Path, lines: Iterator[str] | list[str],
                 version: str = "2.0.0") -> Path:
    """A release directory holding only graph.nt, release.json and a matching SHA256SUMS."""
    directory.mkdir(parents=True)
    with open(directory / "graph.nt", "w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(lines)
    (directory / "release.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    sums = []
    for name in ("graph.nt", "release.json"):
        digest = hashlib.sha256()
        with open(directory / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        sums.append(f"{digest.hexdigest()}  {name}\n")
    (directory / "SHA256SUMS").write_text("".join(sums), encoding="utf-8")
    return directory


def run(*args: str, env: Mapping[str, str | None] | None = None) -> Any:
    return CliRunner().invoke(main, ["push", *args], env=env)


# --- the round trip, with a real Oxigraph ---------------------------------------------

def test_push_loads_the_graph_and_reads_back(oxigraph: Oxigraph, released: Path) -> None:
    result = run("--release", str(released), "--endpoint", oxigraph.store, "--timeout", "20")
    assert result.exit_code == 0, result.output
    triples = lines_of(released / "graph.nt")
    assert result.output == f"pushed {triples} triples to {GRAPH} at {oxigraph.store}\n"
    assert oxigraph.count() == triples
    rows = oxigraph.select(
        f"SELECT ?title WHERE {{ GRAPH <{GRAPH}> {{ <{SECOND}> <http://purl.org/dc/terms/title> "
        '?title FILTER(lang(?title) = "en") } }')
    assert rows == [{"title": "Second project"}]
    expected = comparable(rdflib.Graph().parse(released / "graph.nt", format="nt"))
    assert oxigraph.triples() == expected


def test_pushing_twice_leaves_one_copy(oxigraph: Oxigraph, released: Path) -> None:
    for _ in range(2):
        result = run("--release", str(released), "--endpoint", oxigraph.store)
        assert result.exit_code == 0, result.output
    assert oxigraph.graphs() == [GRAPH]
    assert oxigraph.count() == lines_of(released / "graph.nt")


def test_push_replaces_the_graph(oxigraph: Oxigraph, released: Path, tmp_path: Path) -> None:
    assert run("--release", str(released), "--endpoint", oxigraph.store).exit_code == 0
    with open(released / "graph.nt", encoding="utf-8") as handle:
        kept = handle.readlines()[:10]
    smaller = fake_release(tmp_path / "smaller" / "1.0.0", kept, version="1.0.0")
    result = run("--release", str(smaller), "--endpoint", oxigraph.store)
    assert result.exit_code == 0, result.output
    assert result.output == f"pushed 10 triples to {GRAPH} at {oxigraph.store}\n"
    assert oxigraph.count() == 10  # the triples of the first push are gone


def test_another_graph_is_a_second_copy(oxigraph: Oxigraph, released: Path) -> None:
    other = "urn:example:coopdata graph"  # a space: the IRI must be URL-encoded
    assert run("--release", str(released), "--endpoint", oxigraph.store).exit_code == 0
    result = run("--release", str(released), "--endpoint", oxigraph.store,
                 "--graph", "https://example.org/graphs/staging?x=1&y=2")
    assert result.exit_code == 0, result.output
    assert "to https://example.org/graphs/staging?x=1&y=2 at" in result.output
    triples = lines_of(released / "graph.nt")
    assert sorted(oxigraph.graphs()) == ["https://example.org/graphs/staging?x=1&y=2", GRAPH]
    assert oxigraph.count("https://example.org/graphs/staging?x=1&y=2") == triples
    bad = run("--release", str(released), "--endpoint", oxigraph.store, "--graph", other)
    assert bad.exit_code == 2
    assert "the graph name must be an absolute IRI" in bad.output


def test_wrong_path_on_a_real_store_is_404(oxigraph: Oxigraph, released: Path) -> None:
    result = run("--release", str(released), "--endpoint", f"{oxigraph.url}/nowhere")
    assert result.exit_code == 1
    assert result.output == (f"Error: the store answered 404: no Graph Store endpoint at "
                             f"{oxigraph.url}/nowhere (for Oxigraph it ends in /store, for "
                             "Virtuoso in /sparql-graph-crud-auth)\n")


# --- errors -----------------------------------------------------------------------------

def test_unreachable_endpoint(released: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    result = run("--release", str(released), "--endpoint", endpoint, "--timeout", "5")
    assert result.exit_code == 1
    assert result.output == f"Error: cannot reach {endpoint}: connection refused\n"


def test_unknown_host(released: Path) -> None:
    result = run("--release", str(released), "--endpoint", "http://no-such-host.invalid/store",
                 "--timeout", "5")
    assert result.exit_code == 1
    assert result.output == ("Error: cannot reach http://no-such-host.invalid/store: "
                             "unknown host\n")


def test_a_store_that_never_answers(released: Path) -> None:
    with socket.socket() as silent:  # listens, never accepts: the request sits in a queue
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/store"
        started = time.monotonic()
        result = run("--release", str(released), "--endpoint", endpoint, "--timeout", "0.5")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: the store at {endpoint} gave no answer within "
                                    "0.5 s")


def test_unknown_release_directory(tmp_path: Path) -> None:
    result = run("--release", str(tmp_path / "missing"), "--endpoint", "http://127.0.0.1:1/")
    assert result.exit_code == 2
    assert result.output == f"Error: no release at {tmp_path / 'missing'}: not a directory\n"
    result = run("--release", str(tmp_path), "--endpoint", "http://127.0.0.1:1/")
    assert result.exit_code == 2
    assert "graph.nt is missing" in result.output


def test_the_parent_of_releases_is_not_a_release(released: Path) -> None:
    result = run("--release", str(released.parent), "--endpoint", "http://127.0.0.1:1/")
    assert result.exit_code == 2
    assert result.output == (f"Error: {released.parent} holds releases (1.0.0), not one "
                             f"release: give one of them, e.g. {released}\n")


@pytest.mark.parametrize("endpoint", ["ftp://example.org/store", "localhost:7878/store",
                                      "http:///store", "http://127.0.0.1:99999/store", ""])
def test_endpoint_must_be_http(released: Path, endpoint: str) -> None:
    result = run("--release", str(released), "--endpoint", endpoint)
    assert result.exit_code == 2
    assert result.output == (f'Error: the endpoint must be an http:// or https:// URL, got '
                             f'"{endpoint}"\n')


def test_credentials_in_the_url_are_refused_unprinted(released: Path) -> None:
    result = run("--release", str(released), "--endpoint", "http://me:s3cret@127.0.0.1:1/store")
    assert result.exit_code == 2
    assert "s3cret" not in result.output
    assert "do not put credentials in the endpoint URL" in result.output


# --- a stub store for statuses Oxigraph will not give ------------------------------------

@dataclass
class Stub:
    status: int = 204
    body: bytes = b""
    requests: list[dict[str, Any]] = field(default_factory=list)
    """The PUT requests."""
    url: str = ""
    others: list[dict[str, Any]] = field(default_factory=list)
    """HEAD, POST and DELETE requests: method, path, headers."""
    challenge: str = ""
    """A WWW-Authenticate value: when set, a request ``accept`` refuses gets 401 and it."""
    accept: Callable[[str, str, str], bool] = lambda method, path, authorization: True
    content_type: str = "text/plain"


@pytest.fixture
def stub() -> Iterator[Stub]:
    """A Graph Store on 127.0.0.1 that answers every PUT with ``status`` and ``body``."""
    state = Stub()

    class Handler(http.server.BaseHTTPRequestHandler):
        def refused(self) -> bool:
            authorization = self.headers.get("Authorization", "")
            if not state.challenge or state.accept(self.command, self.path, authorization):
                return False
            self.send_response(401)
            self.send_header("WWW-Authenticate", state.challenge)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True

        def do_PUT(self) -> None:  # noqa: N802
            left = int(self.headers.get("Content-Length", 0))
            digest = hashlib.sha256()
            while left > 0:  # in blocks: the streaming test measures this process's memory
                block = self.rfile.read(min(left, 1 << 16))
                if not block:
                    break
                digest.update(block)
                left -= len(block)
            state.requests.append({"path": self.path, "headers": dict(self.headers),
                                   "bytes": int(self.headers.get("Content-Length", 0)) - left,
                                   "sha256": digest.hexdigest()})
            if self.refused():
                return
            self.send_response(state.status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def other(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.others.append({"method": self.command, "path": self.path,
                                 "headers": dict(self.headers),
                                 "body": self.rfile.read(length) if length else b""})
            if self.refused():
                return
            self.send_response(404 if self.command == "HEAD" else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_POST = do_DELETE = other  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/ds/data"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_request_is_a_graph_store_put(stub: Stub, released: Path) -> None:
    result = run("--release", str(released), "--endpoint", stub.url + "?x=1",
                 "--graph", "urn:coopdata:test%20graph/a")
    assert result.exit_code == 0, result.output
    [request] = stub.requests
    assert request["path"] == "/ds/data?x=1&graph=urn%3Acoopdata%3Atest%2520graph%2Fa"
    assert request["headers"]["Content-Type"] == "application/n-triples"
    assert int(request["headers"]["Content-Length"]) == (released / "graph.nt").stat().st_size
    assert request["bytes"] == (released / "graph.nt").stat().st_size
    assert "Authorization" not in request["headers"]


def test_basic_auth_refused(stub: Stub, released: Path) -> None:
    stub.status, stub.body = 401, b"Unauthorized"
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "loader",
                 env={"COOPDATA_PUSH_PASSWORD": "pa55-word"})
    assert result.exit_code == 1
    assert result.output == ("Error: the store refused the credentials (401 Unauthorized); "
                             "it says: Unauthorized\n")
    assert "pa55-word" not in result.output
    [request] = stub.requests
    assert request["headers"]["Authorization"] == "Basic bG9hZGVyOnBhNTUtd29yZA=="


def test_no_credentials_refused(stub: Stub, released: Path) -> None:
    stub.status = 403
    result = run("--release", str(released), "--endpoint", stub.url,
                 env={"COOPDATA_PUSH_TOKEN": "", "COOPDATA_PUSH_PASSWORD": "unused"})
    assert result.exit_code == 1
    assert result.output == ("Error: the store refused the credentials (403 Forbidden): none "
                             "were given (use --user, or COOPDATA_PUSH_TOKEN)\n")
    assert "Authorization" not in stub.requests[0]["headers"]


def test_bearer_token(stub: Stub, released: Path) -> None:
    result = run("--release", str(released), "--endpoint", stub.url,
                 env={"COOPDATA_PUSH_TOKEN": "t0ken"})
    assert result.exit_code == 0, result.output
    assert stub.requests[0]["headers"]["Authorization"] == "Bearer t0ken"
    assert "t0ken" not in result.output
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "u",
                 "--password", "p", env={"COOPDATA_PUSH_TOKEN": "t0ken"})
    assert result.exit_code == 0, result.output
    assert stub.requests[1]["headers"]["Authorization"] == "Basic dTpw"


def test_password_without_user_and_user_without_password(stub: Stub, released: Path) -> None:
    result = run("--release", str(released), "--endpoint", stub.url, "--password", "x")
    assert (result.exit_code, result.output) == (2, "Error: --password needs --user\n")
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "u",
                 env={"COOPDATA_PUSH_PASSWORD": None})
    assert result.exit_code == 2
    assert "--user needs a password" in result.output
    assert stub.requests == []


def test_server_error(stub: Stub, released: Path) -> None:
    stub.status, stub.body = 500, b"\nStorage full: cannot write\nat line 2 of the trace\n"
    result = run("--release", str(released), "--endpoint", stub.url)
    assert result.exit_code == 1
    assert result.output == "Error: the store answered 500: Storage full: cannot write\n"


def test_corrupt_release_is_refused(stub: Stub, released: Path, tmp_path: Path) -> None:
    copy = tmp_path / "1.0.0"
    shutil.copytree(released, copy)
    with open(copy / "graph.nt", "a", encoding="utf-8") as handle:
        handle.write("<urn:x> <urn:y> <urn:z> .\n")
    result = run("--release", str(copy), "--endpoint", stub.url)
    assert result.exit_code == 2
    assert result.output == (f"Error: the release {copy} is corrupt: graph.nt does not match "
                             "its checksum in SHA256SUMS; nothing was pushed\n")
    assert stub.requests == []


def test_push_streams_the_body(stub: Stub, tmp_path: Path) -> None:
    """200,000 triples (25 MB) go out in blocks: the process never holds the file."""
    count = 200_000
    lines = (f"<https://example.org/s/{n}> <https://example.org/p> "
             f'"a literal long enough to make the file a few dozen megabytes: {n}" .\n'
             for n in range(count))
    big = fake_release(tmp_path / "big" / "2.0.0", lines)
    size = (big / "graph.nt").stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    try:
        done = push(big, stub.url, timeout=30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (done.triples, done.graph) == (count, "https://w3id.org/coopdata/graph/2.0.0")
    assert peak < size / 20, f"peak {peak} bytes for a {size} byte file: not streamed"
    [request] = stub.requests
    assert request["bytes"] == size
    assert f"{request['sha256']}  graph.nt\n" in (big / "SHA256SUMS").read_text()


def test_a_larger_graph_into_oxigraph(oxigraph: Oxigraph, tmp_path: Path) -> None:
    count = 20_000
    lines = (f'<https://example.org/s/{n}> <https://example.org/p> "{n}" .\n'
             for n in range(count))
    done = push(fake_release(tmp_path / "mid" / "3.0.0", lines), oxigraph.store, timeout=30)
    assert done.status == 201
    assert oxigraph.count(done.graph) == count


# --- replace through a staging graph (--update-endpoint) ---------------------------------

def staged(oxigraph: Oxigraph) -> list[str]:
    return ["--endpoint", oxigraph.store, "--update-endpoint", f"{oxigraph.url}/update"]


def test_staged_push_replaces(oxigraph: Oxigraph, released: Path, tmp_path: Path) -> None:
    result = run("--release", str(released), *staged(oxigraph))
    assert result.exit_code == 0, result.output
    assert result.output == (f"pushed {lines_of(released / 'graph.nt')} triples to {GRAPH} "
                             f"at {oxigraph.store}\n")
    assert oxigraph.graphs() == [GRAPH]  # the staging graph was moved, not copied
    assert oxigraph.triples() == comparable(rdflib.Graph().parse(released / "graph.nt"))
    with open(released / "graph.nt", encoding="utf-8") as handle:
        kept = handle.readlines()[:10]
    smaller = fake_release(tmp_path / "smaller" / "1.0.0", kept, version="1.0.0")
    assert run("--release", str(smaller), *staged(oxigraph)).exit_code == 0
    assert (oxigraph.graphs(), oxigraph.count()) == ([GRAPH], 10)
    empty = fake_release(tmp_path / "empty" / "1.0.0", [], version="1.0.0")
    assert run("--release", str(empty), *staged(oxigraph)).exit_code == 0
    assert oxigraph.count() == 0


@pytest.mark.parametrize("bad_at", [0, 500, 999])
def test_a_failed_staged_load_keeps_the_old_graph(oxigraph: Oxigraph, released: Path,
                                                  tmp_path: Path, bad_at: int) -> None:
    assert run("--release", str(released), *staged(oxigraph)).exit_code == 0
    before = oxigraph.triples()
    lines = [f'<https://example.org/s/{n}> <https://example.org/p> "{n}" .\n'
             for n in range(1000)]
    lines[bad_at] = '<https://example.org/s> <https://example.org/p> "unterminated .\n'
    bad = fake_release(tmp_path / "bad" / "1.0.0", lines, version="1.0.0")
    result = run("--release", str(bad), *staged(oxigraph))
    assert result.exit_code == 1
    assert result.output.startswith("Error: the store answered 400: ")
    assert result.output.endswith(f"; the graph {GRAPH} was left as it was\n")
    assert oxigraph.graphs() == [GRAPH]
    assert oxigraph.triples() == before


def test_a_refused_move_drops_the_staging_graph(stub: Stub, released: Path) -> None:
    stub.status, stub.challenge = 201, 'Basic realm="updates"'
    stub.accept = lambda method, path, authorization: method != "POST"
    result = run("--release", str(released), "--endpoint", stub.url, "--update-endpoint",
                 stub.url.replace("/data", "/update"), "--graph", "urn:x:g",
                 env={"COOPDATA_PUSH_TOKEN": "t"})
    assert result.exit_code == 1
    assert result.output == ('Error: the store refused the credentials (401 Unauthorized); '
                             'it asks for Basic realm="updates"; the graph urn:x:g was not '
                             'replaced\n')
    [put] = stub.requests
    staging = urllib.parse.parse_qs(urllib.parse.urlsplit(put["path"]).query)["graph"][0]
    assert staging.startswith("urn:coopdata:staging:")
    post, delete = stub.others
    assert post["body"] == f"MOVE GRAPH <{staging}> TO GRAPH <urn:x:g>".encode()
    assert post["headers"]["Content-Type"] == "application/sparql-update"
    assert (delete["method"], delete["path"]) == ("DELETE", put["path"])


# --- Digest authentication ---------------------------------------------------------------

HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def digest_checker(password: str, realm: str, nonce: str) -> Callable[[str, str, str], bool]:
    """Whether an Authorization header answers the challenge, computed here from RFC 7616
    (not with coopdata's code)."""
    def accept(method: str, path: str, authorization: str) -> bool:
        scheme, _, rest = authorization.partition(" ")
        if scheme != "Digest":
            return False
        fields = dict(urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest)))
        algorithm = fields["algorithm"]
        h = HASHES[algorithm.removesuffix("-sess")]

        def H(text: str) -> str:  # noqa: N802
            return h(text.encode()).hexdigest()

        secret = H(f"{fields['username']}:{realm}:{password}")
        if algorithm.endswith("-sess"):
            secret = H(f"{secret}:{nonce}:{fields['cnonce']}")
        expected = H(f"{secret}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:"
                     f"{H(f'{method}:{path}')}")
        return (fields["response"], fields["uri"], fields["realm"], fields["nonce"],
                fields["qop"], fields.get("opaque")) == \
            (expected, path, realm, nonce, "auth", "0pa")
    return accept


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256", "MD5-sess", "SHA-256-sess"])
def test_digest_after_a_head_challenge(stub: Stub, released: Path, algorithm: str) -> None:
    stub.challenge = (f'Digest realm="SPARQL", domain="/ds/data", nonce="n0nce", opaque="0pa", '
                      f'stale="false", qop="auth", algorithm="{algorithm}"')
    stub.accept = digest_checker("pa55 wörd", "SPARQL", "n0nce")
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "loader",
                 env={"COOPDATA_PUSH_PASSWORD": "pa55 wörd"})
    assert result.exit_code == 0, result.output
    [head] = stub.others
    assert head["method"] == "HEAD" and "Authorization" not in head["headers"]
    [put] = stub.requests  # the graph is sent once, already answering the challenge
    assert put["headers"]["Authorization"].startswith('Digest username="loader"')
    assert put["bytes"] == (released / "graph.nt").stat().st_size


def test_basic_refused_with_a_digest_challenge_is_sent_again(stub: Stub,
                                                              released: Path) -> None:
    """A store that lets HEAD through and challenges only the PUT."""
    stub.challenge = 'Digest realm="r", nonce="n0nce", opaque="0pa", qop="auth"'
    check = digest_checker("pw", "r", "n0nce")
    stub.accept = lambda method, path, auth: method == "HEAD" or check(method, path, auth)
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "u",
                 "--password", "pw")
    assert result.exit_code == 0, result.output
    assert [put["headers"]["Authorization"].split()[0] for put in stub.requests] == \
        ["Basic", "Digest"]


def test_a_basic_challenge_gets_basic(stub: Stub, released: Path) -> None:
    stub.challenge = 'Basic realm="loaders", charset="UTF-8"'
    stub.accept = lambda method, path, auth: auth == "Basic dTpwdw=="
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "u",
                 "--password", "pw")
    assert result.exit_code == 0, result.output
    assert [put["headers"]["Authorization"] for put in stub.requests] == ["Basic dTpwdw=="]


def test_a_digest_the_push_cannot_answer(stub: Stub, released: Path) -> None:
    stub.challenge = 'Digest realm="r", nonce="n", algorithm=SHA-1-X, qop="auth"'
    stub.accept = lambda method, path, auth: False
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "u",
                 "--password", "pw")
    assert result.exit_code == 1
    assert result.output == ("Error: the store asks for Digest authentication with algorithm "
                             "SHA-1-X, which coopdata does not support\n")
    assert stub.requests == []


def test_a_refusal_gives_the_store_s_reason_escaped(stub: Stub, released: Path) -> None:
    stub.challenge = 'Digest realm="\x1b[31mred\x9b", nonce="n", qop="auth"'
    stub.accept = lambda method, path, auth: method == "HEAD"  # refuses the PUT
    stub.content_type = "text/html; charset=UTF-8"
    stub.status = 401
    result = run("--release", str(released), "--endpoint", stub.url, "--user", "u",
                 "--password", "wrong")
    assert result.exit_code == 1
    assert result.output == ('Error: the store refused the credentials (401 Unauthorized); it '
                             'asks for Digest realm="\\x1b[31mred\\x9b"\n')
    stub.challenge = ""
    stub.status = 403
    stub.body = (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>'
                 b'SPARQL request failed</title></head>\n<body><h1>HTTP/1.1 403 Forbidden</h1>'
                 b'\n<h3>Error 42000</h3>\n<xmp>SQ110:SECURITY: Permission denied &amp; '
                 b'more' + b"x" * 300 + b'</xmp></body></html>')
    result = run("--release", str(released), "--endpoint", stub.url,
                 env={"COOPDATA_PUSH_TOKEN": ""})
    assert result.exit_code == 1
    reason = "Error 42000: SQ110:SECURITY: Permission denied & more" + "x" * 300
    assert result.output == (
        "Error: the store refused the credentials (403 Forbidden): none were given (use "
        f"--user, or COOPDATA_PUSH_TOKEN); it says: {reason[:200]}… ({len(reason)} "
        "characters)\n")


text = st.text(st.characters(max_codepoint=0xD7FF), max_size=30)
quotable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=30)


@given(user=quotable.filter(lambda user: '"' not in user and "\\" not in user),
       password=quotable,
       realm=quotable.filter(lambda realm: '"' not in realm and "\\" not in realm),
       nonce=st.text("abcdefABCDEF0123456789+/=", min_size=1, max_size=40),
       uri=st.from_regex(r"/[A-Za-z0-9/?=&%._-]{0,40}", fullmatch=True),
       method=st.sampled_from(["PUT", "POST", "DELETE", "HEAD"]),
       count=st.integers(1, 2**32 - 1))
def test_digest_agrees_with_the_standard_library(user: str, password: str, realm: str,
                                                 nonce: str, uri: str, method: str,
                                                 count: int) -> None:
    """MD5 with qop=auth against urllib's own Digest handler, an independent implementation
    (ASCII only, as urllib hashes; a UTF-8 password is tested with the stub and Virtuoso)."""
    passwords = urllib.request.HTTPPasswordMgr()
    passwords.add_password(realm, "http://h/", user, password)
    handler = urllib.request.HTTPDigestAuthHandler(passwords)
    vars(handler).update(nonce_count=count - 1, last_nonce=nonce)  # urllib's nc is count
    handler.get_cnonce = lambda nonce: "c0ffee"  # type: ignore[method-assign]
    challenge = {"realm": realm, "nonce": nonce, "qop": "auth", "algorithm": "MD5"}
    request = urllib.request.Request("http://h" + uri, method=method)
    theirs = urllib.request.parse_keqv_list(urllib.request.parse_http_list(
        handler.get_authorization(request, challenge) or ""))
    ours = digest_authorization(user, password, method, uri, challenge, count, "c0ffee")
    [(scheme, fields)] = challenges([ours])
    assert scheme == "Digest"
    assert {name: fields[name] for name in ("username", "realm", "nonce", "uri", "response",
                                            "nc", "cnonce")} == \
        {name: theirs[name] for name in ("username", "realm", "nonce", "uri", "response",
                                         "nc", "cnonce")}


token = st.text("abcxyzABC0123456789-._~!#$%&'*+^`|", min_size=1, max_size=12)


@given(st.lists(st.tuples(token, st.dictionaries(token.map(str.lower), text, max_size=4)),
                min_size=1, max_size=4), st.booleans())
def test_challenges_are_read_back(written: list[tuple[str, dict[str, str]]],
                                  separate: bool) -> None:
    """Challenges written with every value quoted (quotes and backslashes escaped) are read
    back as written, in one header or one header each."""
    values = [scheme + " " + ", ".join(f"{name}=" + '"' + value.replace("\\", "\\\\")
                                       .replace('"', '\\"') + '"'
                                       for name, value in params.items())
              for scheme, params in written]
    parsed = challenges(values if separate else [", ".join(values)])
    assert parsed == written

"""``coopdata serve``: a read-only SPARQL endpoint, the entity URIs and the release files
over HTTP, with the standard library (see docs/serve.md).

* ``/``: the SPARQL query form (:mod:`coopdata.sparql.pages`), also what a browser gets at
  ``/sparql`` without a query; the results of a query asked for as HTML are a table.
* ``/sparql``: SPARQL 1.1 Protocol queries (GET ``?query=``, POST as a form or as
  ``application/sparql-query``, CORS preflight ``OPTIONS``); updates (403) and
  ``SERVICE`` (400) are refused; ``format=`` picks the format of a download.
* ``/id/{kind}/{id}[/…]``: the triples of an entity and of the objects nested in it
  (also as ``….ttl``, ``….jsonld``, ``….nt``); asked for as HTML, the release site's
  page of the entity, which is served under ``/id/`` with the rest of the site.
* ``/releases/{file}``: the files of the release directory.

Every query and entity lookup runs in a child process forked from the server, which
inherits the store (copy-on-write). pyoxigraph cannot cancel a query, so the server kills
a child that runs past the time limit and goes on answering; the child also arms
``alarm()`` to die by itself should the server go away. Once serving, the server never
touches the store itself, so no lock of the store is held by a thread when it forks.

The query is parsed in its child too (:func:`coopdata.sparql.query.check_query`: a SERVICE
anywhere in its algebra is refused), within its time limit: the server itself does no
more than read the request. The child can open no file or socket
(:func:`coopdata.sparql.query.confine`), so no query reaches the network whatever it holds.

Connections are accepted by one thread and answered by a fixed pool of handler threads
(``Limits.handlers``); at most ``Limits.waiting`` accepted connections wait for one, and
none longer than the time limit. Beyond that a connection is answered ``503`` with
``Retry-After`` at once, so no client is left hanging.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import math
import os
import re
import select
import selectors
import shutil
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pyoxigraph as ox

from coopdata.errors import UsageError
from coopdata.model.config import ReleaseConfig
from coopdata.model.uris import DEFAULT_BASE, Uris
from coopdata.model.vocab import PREFIXES as VOCAB_PREFIXES
from coopdata.rdf.triples import ntriples_chunks, triples
from coopdata.records.load import load
from coopdata.release.dir import CHECKSUMS
from coopdata.release.files import MEDIA_TYPES
from coopdata.release.site import SiteInput, site_files
from coopdata.sparql import pages as serve_page
from coopdata.sparql.query import QueryRefused, check_query, confine, open_store, prepare_checks

Answer = tuple[int, str, bytes]
"""Status, Content-Type and body of a response."""
Job = Callable[[ox.Store], Answer]

RESULTS = {  # SELECT and ASK, by media type; the first is the default
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPHS = {  # CONSTRUCT, DESCRIBE and entities
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
ENTITIES: dict[str, ox.RdfFormat | None] = {  # None: a page
    **GRAPHS, "text/html": None, "application/json": ox.RdfFormat.JSON_LD}
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json",
            ".nt": "application/n-triples"}  # /id/{kind}/{id}.ttl …
FORMATS = {  # the format= parameter of /sparql (a link cannot choose its Accept header)
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
    "nt": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "html": "text/html"}
HTML = "text/html; charset=utf-8"
PREFIXES = {name: VOCAB_PREFIXES[name] for name in ("coop", "dct", "rdf", "rdfs", "skos", "xsd")}
"""The prefixes of the Turtle the endpoint writes: the release's own (``coop:`` for the
vocabulary, as in ``graph.ttl``)."""
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", int() "３"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name
RETRY_AFTER = 1  # seconds a client turned away is told to wait
LINGER = 2.0  # seconds a turned-away connection is read and thrown away before closing


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    timeout: float = 10.0  # seconds a query may run, serialisation included
    max_results: int = 10_000  # rows of a SELECT, triples of a CONSTRUCT or DESCRIBE
    max_request_bytes: int = 1_000_000  # larger bodies are refused (413) unread
    workers: int = 8  # queries running at once; more wait up to ``timeout`` for a slot
    handlers: int = 32  # connections answered at once, each by a thread of a fixed pool
    waiting: int = 256  # accepted connections waiting for a handler; more get 503
    backlog: int = 1024  # connections the kernel queues before they are accepted


def text(status: int, message: str) -> Answer:
    return status, "text/plain; charset=utf-8", f"{message}\n".encode()


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (the first offer without one), or None."""
    if not accept:
        return offers[0]
    ranges: dict[str, float] = {}
    for item in accept.split(","):
        media, *parameters = (part.strip().lower() for part in item.split(";"))
        quality = next((value for name, _, value in (p.partition("=") for p in parameters)
                        if name.strip() == "q"), "1")
        with contextlib.suppress(ValueError):
            ranges[media] = max(float(quality), ranges.get(media, 0.0))
    best, best_quality = None, 0.0
    for offer in offers:  # the most specific matching range gives the quality
        pattern = next((p for p in (offer, offer.split("/")[0] + "/*", "*/*") if p in ranges),
                       None)
        if pattern is not None and ranges[pattern] > best_quality:
            best, best_quality = offer, ranges[pattern]
    return best


def _unacceptable(accept: str | None, offers: list[str]) -> Answer:
    return text(406, f"cannot answer in any format the request accepts ({accept}); "
                     f"available: {', '.join(offers)}")


def _term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON Format."""
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return {"type": "uri" if isinstance(term, ox.NamedNode) else "bnode",
                "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term(term.subject),
                                            "predicate": _term(term.predicate),
                                            "object": _term(term.object)}}
    data = {"type": "literal", "value": term.value}
    if term.language:
        data["xml:lang"] = term.language
        if term.direction is not None:
            data["its:dir"] = str(term.direction)
    elif term.datatype.value != _XSD_STRING:
        data["datatype"] = term.datatype.value
    return data


def query_job(query: str, accept: str | None, max_results: int, *,
              page: serve_page.Context | None = None, form: tuple[tuple[str, str], ...] = (),
              **dataset: Any) -> Job:
    """Checks ``query`` (a SERVICE is refused, see :func:`coopdata.sparql.query.check_query`),
    runs it and serialises it when it has at most ``max_results`` rows or triples. With
    ``page``, ``text/html`` is offered too (last, so only a request that prefers it gets
    it): the query form holding the query, the results below as a table (``form``: the
    dataset parameters, kept in the form and the download links)."""
    def job(store: ox.Store) -> Answer:
        try:
            check_query(query)
            result = store.query(query, **dataset)
        except SyntaxError as exc:
            return text(400, f"malformed query: {exc}")
        except QueryRefused as exc:
            return text(400, str(exc))
        offers = list(GRAPHS if isinstance(result, ox.QueryTriples) else RESULTS)
        offers += ["text/html"] if page is not None else []
        media = negotiate(accept, offers)
        if media is None:
            return _unacceptable(accept, offers)
        if isinstance(result, ox.QueryTriples):
            triples: list[ox.Triple] = []
            for triple in result:
                if len(triples) == max_results:
                    return text(500, f"result larger than {max_results} triples")
                triples.append(triple)
            if page is not None and media == "text/html":
                return 200, HTML, serve_page.form_page(page, query, dataset=form, results=(
                    serve_page.results_html(page, query, form, rows=_rows(triples),
                                            triples=True)))
            return 200, media, ox.serialize(triples, format=GRAPHS[media],
                                            prefixes=PREFIXES) or b""
        if page is not None and media == "text/html" and isinstance(result, ox.QueryBoolean):
            shown = serve_page.results_html(page, query, form, boolean=bool(result))
            return 200, HTML, serve_page.form_page(page, query, dataset=form, results=shown)
        fmt = RESULTS.get(media, ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            return 200, fmt.media_type, result.serialize(format=fmt) or b""
        names = [variable.value for variable in result.variables]
        rows: list[dict[str, Any]] = []
        for solution in result:
            if len(rows) == max_results:
                return text(500, f"result larger than {max_results} rows")
            rows.append({name: _term(term) for name, term in zip(names, solution, strict=True)
                         if term is not None})
        if page is not None and media == "text/html":
            shown = serve_page.results_html(page, query, form, names=names, rows=rows)
            return 200, HTML, serve_page.form_page(page, query, dataset=form, results=shown)
        data = json.dumps({"head": {"vars": names}, "results": {"bindings": rows}},
                          ensure_ascii=False, separators=(",", ":")).encode()
        if fmt != ox.QueryResultsFormat.JSON:  # pyoxigraph reads back what it writes
            data = ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(
                format=fmt) or b""
        return 200, fmt.media_type, data

    return job


def _rows(triples: list[ox.Triple]) -> list[dict[str, Any]]:
    return [{"subject": _term(t.subject), "predicate": _term(t.predicate),
             "object": _term(t.object)} for t in triples]


def entity_job(uri: str, accept: str | None, page: serve_page.Context | None = None) -> Job:
    """Describes ``uri``: its triples and those of the objects nested under it
    (``{uri}/{field}/{n}``), as Turtle, N-Triples, JSON-LD (also for ``application/json``),
    RDF/XML or an HTML page listing them (:func:`coopdata.sparql.pages.entity_page`)."""
    def job(store: ox.Store) -> Answer:
        try:
            todo, seen, triples = [ox.NamedNode(uri)], {uri}, list[ox.Triple]()
        except ValueError:
            return text(404, f"no entity {uri}")
        while todo:
            for quad in store.quads_for_pattern(todo.pop(), None, None):
                triples.append(quad.triple)
                node = quad.object
                if isinstance(node, ox.NamedNode) and node.value.startswith(f"{uri}/") \
                        and node.value not in seen:
                    seen.add(node.value)
                    todo.append(node)
        if not triples:
            return text(404, f"no entity {uri}")
        triples.sort(key=lambda triple: (str(triple.subject) != f"<{uri}>", str(triple)))
        media = negotiate(accept, list(ENTITIES))
        if media is None:
            return _unacceptable(accept, list(ENTITIES))
        fmt = ENTITIES[media]
        if fmt is None:
            return 200, HTML, serve_page.entity_page(page or serve_page.Context(DEFAULT_BASE),
                                                     uri, _rows(triples))
        media = "application/ld+json" if fmt == ox.RdfFormat.JSON_LD else media
        return 200, media, ox.serialize(triples, format=fmt, prefixes=PREFIXES) or b""

    return job


def safe_name(name: str) -> bool:
    """Whether ``name`` is a relative path with no ``..``, ``.`` or empty segment, no
    backslash and no NUL."""
    return "\x00" not in name and "\\" not in name and \
        not {"", ".", ".."} & set(name.split("/"))


class SiteFiles:
    """The release's website, served under ``/id/``: the ``site`` folder of a release
    directory, or the pages rendered in memory (``files``: path → bytes)."""

    def __init__(self, root: Path | None = None, files: dict[str, bytes] | None = None) -> None:
        self.root = root.resolve() if root is not None else None
        self.files = files or {}

    def read(self, name: str) -> bytes | None:
        """The file ``name`` of the site (relative to its root), or None; never a file
        outside the folder (``..``, a symbolic link out of it)."""
        if not safe_name(name):
            return None
        if self.root is None:
            return self.files.get(name)
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        with contextlib.suppress(OSError):
            return path.read_bytes()
        return None


def busy_response(message: str = "the server is busy: try again later") -> bytes:
    """A whole HTTP response 503 with Retry-After, for a connection turned away."""
    body = f"{message}\n".encode()
    return (f"HTTP/1.0 503 Service Unavailable\r\nServer: coopdata\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"Retry-After: {RETRY_AFTER}\r\nAccess-Control-Allow-Origin: *\r\n"
            "Connection: close\r\n\r\n").encode() + body


class Server(HTTPServer):
    """The HTTP server: a fixed pool of threads for the connections, a child process a
    query; connections beyond the pool and its waiting line are answered 503."""

    def __init__(self, address: tuple[str, int], store: ox.Store, *,
                 release: Path | None = None, limits: Limits = Limits(),
                 base: str = DEFAULT_BASE, site: SiteFiles | None = None,
                 examples: tuple[serve_page.Example, ...] | None = None) -> None:
        self.store, self.limits, self.base = store, limits, base
        self.release = Path(release).resolve() if release is not None else None
        if site is None and self.release is not None and (self.release / "site").is_dir():
            site = SiteFiles(self.release / "site")
        self.site = site
        self.page = serve_page.Context(
            base, serve_page.load_examples() if examples is None else examples,
            site is not None)
        self.assets = serve_page.assets()  # read once: the handlers never open them
        self.request_queue_size = limits.backlog  # listen(); the kernel caps it (somaxconn)
        self._slots = threading.BoundedSemaphore(limits.workers)
        self._children: set[int] = set()
        self._line: deque[tuple[socket.socket, Any, float]] = deque()  # waiting connections
        self._ready = threading.Condition()
        self._turned_away: deque[socket.socket] = deque()  # for the lingering thread
        self._closing = False
        prepare_checks()  # before any child is forked: a child can import nothing
        super().__init__(address, Handler)
        self._threads = [threading.Thread(target=self._handle_line, daemon=True,
                                          name=f"coopdata-handler-{n}")
                         for n in range(limits.handlers)]
        self._threads.append(threading.Thread(target=self._linger, daemon=True,
                                              name="coopdata-turn-away"))
        for thread in self._threads:
            thread.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Puts the accepted connection in the waiting line, or turns it away when the
        line is full. Never blocks: the accepting thread only accepts."""
        with self._ready:
            if len(self._line) < self.limits.waiting:
                self._line.append((request, client_address, time.monotonic()))
                self._ready.notify()
                return
        self.turn_away(request)

    def turn_away(self, request: socket.socket) -> None:
        """Answers 503 with Retry-After, then lets the lingering thread read what the
        client still sends before closing (closing on unread data would reset the
        connection, and the client could lose the answer)."""
        try:
            request.setblocking(False)
            request.send(busy_response())  # a new connection's buffer takes it whole
            request.shutdown(socket.SHUT_WR)
        except OSError:
            request.close()
            return
        with self._ready:
            self._turned_away.append(request)

    def _handle_line(self) -> None:
        """A handler thread: answers the waiting connections, one after another."""
        while True:
            with self._ready:
                while not self._line and not self._closing:
                    self._ready.wait()
                if self._closing:
                    return
                request, address, _ = self._line.popleft()
            try:
                self.finish_request(request, address)
            except Exception:
                self.handle_error(request, address)
            finally:
                self.shutdown_request(request)

    def _linger(self) -> None:
        """Turns away the connections that waited longer than the time limit, and
        reads and discards what turned-away clients send until they close (at most
        ``LINGER`` seconds)."""
        selector = selectors.DefaultSelector()
        deadlines: dict[socket.socket, float] = {}
        while not self._closing:
            now = time.monotonic()
            with self._ready:
                stale = []
                while self._line and now - self._line[0][2] > self.limits.timeout:
                    stale.append(self._line.popleft()[0])
            for request in stale:
                self.turn_away(request)
            with self._ready:
                fresh, self._turned_away = list(self._turned_away), deque()
            for request in fresh:
                if len(deadlines) >= 4 * self.limits.waiting:  # too many: close at once
                    request.close()
                    continue
                deadlines[request] = now + LINGER
                selector.register(request, selectors.EVENT_READ)
            for key, _ in selector.select(0.05):
                request = key.fileobj  # type: ignore[assignment]
                try:
                    done = not request.recv(1 << 16)
                except BlockingIOError:
                    done = False
                except OSError:
                    done = True
                if done:
                    deadlines[request] = 0.0
            for request, deadline in list(deadlines.items()):
                if deadline <= now:
                    selector.unregister(request)
                    request.close()
                    del deadlines[request]
        for request in deadlines:
            request.close()
        selector.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line in the log, never a traceback: a client that went away before its
        answer was sent is no error of the server's."""
        error = sys.exc_info()[1]
        where = ":".join(str(part) for part in client_address) if isinstance(
            client_address, tuple) else str(client_address)
        if isinstance(error, ConnectionError | TimeoutError):
            what = f"client {where} went away before its answer was sent " \
                   f"({type(error).__name__})"
        else:
            what = f"error while answering {where}: {type(error).__name__}: {error}"
        sys.stderr.write(f"{what}\n")

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]!s}:{self.server_address[1]}"

    def run(self, job: Job) -> Answer:
        """The answer of ``job``, run on the store in a child process within the limits
        (the job is given the store and may not open any file or socket)."""
        if not self._slots.acquire(timeout=self.limits.timeout):
            return text(503, "the server is busy: try again later")
        try:
            data = self._fork(job)
        except OSError as exc:  # too many processes or open files
            return text(503, f"cannot start a query process: {exc}")
        finally:
            self._slots.release()
        if data is None:
            return text(503, f"query exceeded the time limit of {self.limits.timeout:g} s")
        head, _, body = data.partition(b"\n")
        status, length, content_type = (head.decode().split(" ", 2) + ["", ""])[:3]
        if not length.isdigit() or int(length) != len(body):
            return text(500, "the query failed: its worker process died")
        return int(status), content_type, body

    def _fork(self, job: Job) -> bytes | None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:
            _child(job, self.store, write, self.limits.timeout)
        os.close(write)
        self._children.add(pid)
        try:
            return _read(read, self.limits.timeout)
        finally:
            os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # done, or past the time limit
            self._children.discard(pid)
            os.waitpid(pid, 0)

    def server_close(self) -> None:
        super().server_close()
        with self._ready:
            self._closing = True
            self._ready.notify_all()
            waiting = [request for request, _, _ in self._line]
            self._line.clear()
        for request in waiting:
            request.close()
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _child(job: Job, store: ox.Store, write: int, timeout: float) -> NoReturn:
    """In the forked child: writes the answer of ``job`` into the pipe, then exits."""
    code = 1
    try:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(math.ceil(timeout) + 1)
        write = confine(write)  # closes the sockets and pipes of other requests too
        try:
            status, content_type, body = job(store)
        except Exception as exc:  # every failure becomes an answer
            status, content_type, body = text(500, f"the query failed: {exc}")
        with open(write, "wb") as out:
            out.write(f"{status} {len(body)} {content_type}\n".encode() + body)
        code = 0
    finally:
        os._exit(code)


def _read(fd: int, timeout: float) -> bytes | None:
    """All that is written to the pipe ``fd`` until it closes, or None after ``timeout``."""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(math.ceil(remaining * 1000)):
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class _DeadlineReader(io.RawIOBase):
    """The handler's socket, read against the handler's deadline: a client that sends
    its request a byte at a time (slowloris) is cut off when the deadline passes, not
    only when it stays silent for ``timeout`` seconds."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        handler = self.handler
        if handler.deadline is not None:
            remaining = handler.deadline - time.monotonic()
            if remaining <= 0:
                handler.timed_out = True
                raise TimeoutError("the request took too long to arrive")
            handler.connection.settimeout(min(remaining, handler.timeout))
        try:
            received: int = handler.connection.recv_into(buffer)
            return received
        except TimeoutError:
            handler.timed_out = True
            raise


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the endpoint, the entities and the release files."""

    server: Server
    server_version = "coopdata"
    timeout = 20  # seconds a client may take to send its whole request (it holds a handler)
    _answered = False
    deadline: float | None = None  # when the request must have arrived, while it is read
    timed_out = False

    def setup(self) -> None:
        super().setup()
        self.rfile = io.BufferedReader(_DeadlineReader(self))

    def request_read(self) -> None:
        """The whole request has arrived: no deadline for reading any more."""
        self.deadline = None
        self.connection.settimeout(self.timeout)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if parsed and self.command != "POST":  # no body to read
            self.request_read()
        return parsed

    def handle_one_request(self) -> None:
        """Answers 500 to a request that failed before it was answered (the server's
        handle_error then logs one line), and 408 to one that took longer than
        ``timeout`` seconds to arrive, however it trickled in; a client that went away
        gets nothing."""
        self._answered, self.timed_out = False, False
        self.deadline = time.monotonic() + self.timeout
        try:
            super().handle_one_request()
            if self.timed_out and not self._answered:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.settimeout(self.timeout)
                    self._send(*text(408, f"the request took longer than {self.timeout:g} s "
                                          "to arrive"))
                    self.wfile.flush()
        except (ConnectionError, TimeoutError):
            raise
        except Exception:
            if not self._answered:
                with contextlib.suppress(OSError):
                    self._send(*text(500, "internal error: the request was not answered"))
                    self.wfile.flush()
            raise

    def do_OPTIONS(self) -> None:
        """A CORS preflight: any origin may GET, and POST to /sparql, with the headers
        it asks for (those that are tokens)."""
        path = urlsplit(self.path).path
        if path not in ("/sparql", "*") and not path.startswith(("/id/", "/releases/")):
            return self._send(*text(404, "not found"))
        methods = "GET, HEAD, POST, OPTIONS" if path in ("/sparql", "*") \
            else "GET, HEAD, OPTIONS"
        asked = [name.strip() for name in
                 self.headers.get("Access-Control-Request-Headers", "").split(",")]
        allowed = ", ".join(name for name in asked if _TOKEN.fullmatch(name)) \
            or "Accept, Content-Type"
        self._answered = True
        self.send_response(204)
        for name, value in (("Allow", methods), ("Access-Control-Allow-Origin", "*"),
                            ("Access-Control-Allow-Methods", methods),
                            ("Access-Control-Allow-Headers", allowed),
                            ("Access-Control-Max-Age", "86400"),
                            ("Vary", "Access-Control-Request-Headers"),
                            ("Content-Length", "0")):
            self.send_header(name, value)
        self.end_headers()
        return None

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/sparql":
            self._sparql(parse_qs(url.query, keep_blank_values=True))
        elif url.path == "/":
            self._home(parse_qs(url.query, keep_blank_values=True))
        elif url.path.startswith("/assets/") and url.path[8:] in self.server.assets:
            self._send(200, *self.server.assets[url.path[8:]])
        elif url.path.startswith("/id/"):
            self._entity(url.path[len("/id/"):])
        elif url.path.startswith("/releases/"):
            self._download(unquote(url.path[len("/releases/"):]))
        elif self._release_file(unquote(url.path[1:])):  # the site's links to the files
            target = "/releases" + url.path
            self._send(308, "text/plain; charset=utf-8", f"moved to {target}\n".encode(),
                       [("Location", target)])
        else:
            self._send(*text(404, "not found: the query form is /, the SPARQL endpoint "
                                  "/sparql, entities are under /id/ and release files under "
                                  "/releases/"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        kind = self.headers.get_content_type()
        if url.path != "/sparql":
            return self._send(*text(405, "only /sparql answers POST requests"))
        if kind not in ("application/x-www-form-urlencoded", "application/sparql-query",
                        "application/sparql-update"):
            return self._send(*text(415, "send application/x-www-form-urlencoded or "
                                         "application/sparql-query"))
        body = self._body()
        if body is None:
            return None
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            if kind == "application/x-www-form-urlencoded":
                for name, values in parse_qs(body.decode(), keep_blank_values=True).items():
                    params.setdefault(name, []).extend(values)
            else:  # the query or the update itself
                params.setdefault(kind.rpartition("-")[2], []).append(body.decode())
        except UnicodeDecodeError:
            return self._send(*text(400, "the request body is not UTF-8"))
        return self._sparql(params)

    def _body(self) -> bytes | None:
        """The request body, or None after refusing it: no Content-Length (411), one
        that is not ASCII digits (400), or one over the limit (413)."""
        length = self.headers.get("Content-Length")
        limit = self.server.limits.max_request_bytes
        value = (length or "").strip(" \t")
        lengths = {given.strip(" \t") for given in self.headers.get_all("Content-Length", [])}
        if "Transfer-Encoding" in self.headers:  # a chunked body is not read by its length
            refusal: Answer | None = text(411, "a chunked body is not accepted: send the "
                                               "body with a Content-Length header")
        elif len(lengths) > 1:  # which one is meant cannot be known
            refusal = text(400, "malformed Content-Length header: it is given more than "
                                "once, with different values")
        elif length is None:
            refusal = text(411, "a Content-Length header is required")
        elif not _DIGITS.fullmatch(value):
            refusal = text(400, "malformed Content-Length header: give the length of the "
                                "body in ASCII digits")
        elif len(value.lstrip("0")) > 18 or int(value) > limit:  # int() of any size
            refusal = text(413, f"request larger than {limit} bytes")
        else:
            refusal = None
        if refusal is not None:
            self.close_connection = True  # the body stays unread
            self._send(*refusal)
            return None
        body = self.rfile.read(int(value))
        self.request_read()
        return body

    def _home(self, params: dict[str, list[str]]) -> None:
        """The query form; ``?example=NAME`` fills it with a query of the library."""
        name = (params.get("example") or [""])[0]
        example = self.server.page.names.get(name)
        if name and example is None:
            return self._send(404, HTML, serve_page.form_page(
                self.server.page, error=f"no example query named {name!r}"))
        return self._send(200, HTML, serve_page.form_page(
            self.server.page, example.text if example else "", example=name))

    def _sparql(self, params: dict[str, list[str]]) -> None:
        accept = self.headers.get("Accept")
        formats = params.get("format", [])
        if len(formats) > 1 or (formats and formats[0] not in FORMATS
                                and formats[0] not in FORMATS.values()):
            return self._send(*text(400, "format= takes one of " + ", ".join(FORMATS)))
        if formats:  # a download link: the format is in the URL, not in Accept
            accept = FORMATS.get(formats[0], formats[0])
        browser = negotiate(accept, ["application/sparql-results+json", "text/html"]) \
            == "text/html"
        queries = params.get("query", [])
        form = tuple((name, value) for name in ("default-graph-uri", "named-graph-uri")
                     for value in params.get(name, []))
        if "update" in params:
            answer = text(403, "updates are not allowed: this endpoint is read-only")
        elif not queries and browser and not formats:  # a browser at /sparql: the form
            return self._send(200, HTML, serve_page.form_page(self.server.page, dataset=form))
        elif len(queries) != 1:
            answer = text(400, "give one query parameter: the SPARQL query")
        else:
            answer = self._query(queries[0], accept, params, form, browser)
        status, content_type, body = answer
        extra: list[tuple[str, str]] = []
        if browser and status != 200 and content_type.startswith("text/plain"):
            body = serve_page.form_page(self.server.page, queries[0] if len(queries) == 1
                                        else "", dataset=form, error=body.decode().strip())
            content_type = HTML
        elif formats and status == 200 and not content_type.startswith("text/html"):
            suffix = next((name for name, media in FORMATS.items()
                           if media == content_type.split(";")[0]), "txt")
            suffix = {"rdfxml": "rdf"}.get(suffix, suffix)
            extra.append(("Content-Disposition", f'attachment; filename="query-results.{suffix}"'))
        return self._send(status, content_type, body, extra)

    def _query(self, query: str, accept: str | None, params: dict[str, list[str]],
               form: tuple[tuple[str, str], ...], browser: bool) -> Answer:
        dataset: dict[str, Any] = {}
        try:
            for param, key in (("default-graph-uri", "default_graph"),
                               ("named-graph-uri", "named_graphs")):
                if params.get(param):
                    dataset[key] = [ox.NamedNode(uri) for uri in params[param]]
        except ValueError as exc:
            return text(400, f"bad graph URI: {exc}")
        job = query_job(query, accept, self.server.limits.max_results,
                        page=self.server.page if browser else None, form=form, **dataset)
        return self.server.run(job)

    def _entity(self, rest: str) -> None:
        """``/id/{rest}``: an entity (in the format asked for, or by suffix), or a file of
        the release site, which lives under ``/id/`` as entities do under the base URI."""
        server, accept = self.server, self.headers.get("Accept")
        for suffix, media in SUFFIXES.items():
            stem = rest[:-len(suffix)]
            if rest.endswith(suffix) and stem and not stem.endswith("/"):
                return self._send(*server.run(entity_job(server.base + stem, media)))
        name = unquote(rest)
        if server.site is not None:
            data = server.site.read(name + "index.html" if not name or name.endswith("/")
                                    else name)
            if data is not None:
                media = MEDIA_TYPES.get(Path(name).suffix, "text/html") if name and \
                    not name.endswith("/") else "text/html"
                charset = "; charset=utf-8" if media.startswith("text/") else ""
                return self._send(200, media + charset, data,
                                  [("Content-Security-Policy", serve_page.SITE_CSP)])
            if negotiate(accept, list(ENTITIES)) == "text/html" and \
                    server.site.read(name + "/index.html") is not None:
                target = f"/id/{quote(name, safe='/')}/"
                return self._send(303, "text/plain; charset=utf-8",
                                  f"the page of {server.base}{name} is {target}\n".encode(),
                                  [("Location", target)])
        return self._send(*server.run(entity_job(server.base + rest, accept, server.page)))

    def _release_file(self, name: str) -> bool:
        """Whether ``name`` is a file of the release directory (the site, under ``/id/``,
        links to them as ``../{name}``)."""
        root = self.server.release
        if root is None or not safe_name(name):
            return False
        path = (root / name).resolve()
        return path.is_relative_to(root) and path.is_file()

    def _download(self, name: str) -> None:
        """Sends a regular file of the release directory, never one outside it."""
        root = self.server.release
        if not safe_name(name):
            return self._send(*text(400, "bad file name"))
        path = (root / name).resolve() if root is not None else None
        if root is None or path is None or not path.is_relative_to(root) or not path.is_file():
            return self._send(*text(404, f"no release file {name}"))
        with open(path, "rb") as handle:
            media = MEDIA_TYPES.get(path.suffix, "text/plain" if path.name == CHECKSUMS
                                    else "application/octet-stream")
            charset = "; charset=utf-8" if media.startswith("text/") else ""
            self._headers(200, media + charset, os.fstat(handle.fileno()).st_size)
            if self.command != "HEAD":
                shutil.copyfileobj(handle, self.wfile)
        return None

    def _headers(self, status: int, content_type: str, length: int,
                 extra: list[tuple[str, str]] | None = None) -> None:
        """The headers of every answer: an HTML page gets the page's CSP (``extra`` may
        give another), anything else ``default-src 'none'``."""
        self._answered = True
        self.send_response(status)
        extra = list(extra or [])
        if not any(name == "Content-Security-Policy" for name, _ in extra):
            extra.append(("Content-Security-Policy", serve_page.PAGE_CSP
                          if content_type.startswith("text/html") else "default-src 'none'"))
        for name, value in (("Content-Type", content_type), ("Content-Length", str(length)),
                            ("Access-Control-Allow-Origin", "*"), ("Vary", "Accept"),
                            ("X-Content-Type-Options", "nosniff"), *extra):
            self.send_header(name, value)
        if content_type.startswith("text/html"):
            self.send_header("Referrer-Policy", "no-referrer")
        if status == 503:  # busy, or a query past its time limit: both may pass
            self.send_header("Retry-After", str(RETRY_AFTER))
        self.end_headers()

    def _send(self, status: int, content_type: str, body: bytes,
              extra: list[tuple[str, str]] | None = None) -> None:
        self._headers(status, content_type, len(body), extra)
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(host: str = "127.0.0.1", port: int = 8000, *, release: Path | None = None,
                records: Path | None = None, limits: Limits = Limits()) -> Server:
    """Loads the graph of ``release`` (else of ``records``, else the embedded dataset) and
    listens on ``host:port`` (0: any free port); a UsageError when it cannot.

    A release's site is its ``site`` folder; for records, the site is rendered in memory
    here, as ``coopdata release`` would write it (version ``unreleased``, today's date)."""

    if release is not None:
        store, site = open_store(release, None), None
    else:
        store, site = _records_store(records)
    try:
        return Server((host, port), store, release=release, limits=limits, site=site)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _records_store(records: Path | None) -> tuple[ox.Store, SiteFiles]:
    """The store of the records (as :func:`coopdata.sparql.query.open_store` loads it) and
    their site, from one reading of the records."""


    dataset, _ = load(records)
    uris = Uris(DEFAULT_BASE)
    graph = triples(dataset, uris=uris)
    store = ox.Store()
    store.bulk_load(b"".join(ntriples_chunks(graph)), format=ox.RdfFormat.N_TRIPLES)
    source = SiteInput(dataset, graph, uris, ReleaseConfig(), "unreleased",
                       datetime.date.today().isoformat(), [])
    return store, SiteFiles(files=site_files(source))

"""One HTTP request to the endpoint: read within its limits, routed (``/sparql``, ``/id/…``,
the release files, the site) and answered."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pyoxigraph as ox

from coopdata.release.dir import CHECKSUMS
from coopdata.release.files import MEDIA_TYPES
from coopdata.sparql import pages as serve_page
from coopdata.sparql.answers import (
    ENTITIES,
    FORMATS,
    HTML,
    RETRY_AFTER,
    SUFFIXES,
    Answer,
    Job,
    entity_job,
    negotiate,
    query_job,
    text,
)


class RequestLimits(Protocol):
    """What a request may cost, as far as its handler checks it (``server.Limits``)."""

    @property
    def max_request_bytes(self) -> int: ...
    @property
    def max_results(self) -> int: ...


class Endpoint(Protocol):
    """What a handler asks of the server that received its request (``server.Server`` is
    one): a protocol, so that this module, which the server imports, imports no server."""

    @property
    def assets(self) -> dict[str, tuple[str, bytes]]: ...
    @property
    def base(self) -> str: ...
    @property
    def limits(self) -> RequestLimits: ...
    @property
    def page(self) -> serve_page.Context: ...
    @property
    def release(self) -> Path | None: ...
    @property
    def site(self) -> SiteFiles | None: ...
    def run(self, job: Job) -> Answer: ...


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


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the endpoint, the entities and the release files."""

    server_version = "coopdata"
    timeout = 20  # seconds a client may take to send its whole request (it holds a handler)
    _answered = False
    deadline: float | None = None  # when the request must have arrived, while it is read
    timed_out = False

    @property
    def endpoint(self) -> Endpoint:
        """The server that received the request, as the handler uses it."""
        return cast(Endpoint, self.server)

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
        elif url.path.startswith("/assets/") and url.path[8:] in self.endpoint.assets:
            self._send(200, *self.endpoint.assets[url.path[8:]])
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
        limit = self.endpoint.limits.max_request_bytes
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
        example = self.endpoint.page.names.get(name)
        if name and example is None:
            return self._send(404, HTML, serve_page.form_page(
                self.endpoint.page, error=f"no example query named {name!r}"))
        return self._send(200, HTML, serve_page.form_page(
            self.endpoint.page, example.text if example else "", example=name))

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
            return self._send(200, HTML, serve_page.form_page(self.endpoint.page, dataset=form))
        elif len(queries) != 1:
            answer = text(400, "give one query parameter: the SPARQL query")
        else:
            answer = self._query(queries[0], accept, params, form, browser)
        status, content_type, body = answer
        extra: list[tuple[str, str]] = []
        if browser and status != 200 and content_type.startswith("text/plain"):
            body = serve_page.form_page(self.endpoint.page, queries[0] if len(queries) == 1
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
        job = query_job(query, accept, self.endpoint.limits.max_results,
                        page=self.endpoint.page if browser else None, form=form, **dataset)
        return self.endpoint.run(job)

    def _entity(self, rest: str) -> None:
        """``/id/{rest}``: an entity (in the format asked for, or by suffix), or a file of
        the release site, which lives under ``/id/`` as entities do under the base URI."""
        server, accept = self.endpoint, self.headers.get("Accept")
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
        root = self.endpoint.release
        if root is None or not safe_name(name):
            return False
        path = (root / name).resolve()
        return path.is_relative_to(root) and path.is_file()

    def _download(self, name: str) -> None:
        """Sends a regular file of the release directory, never one outside it."""
        root = self.endpoint.release
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


_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", int() "３"


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name


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

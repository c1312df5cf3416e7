"""Load a release into a triple store: ``coopdata push --release DIR --endpoint URL``.

The release's ``graph.nt`` is sent with one HTTP ``PUT`` of the SPARQL 1.1 Graph Store
HTTP Protocol to ``{endpoint}?graph={IRI}``, which replaces the named graph: pushing
the same release twice leaves one copy. Tested with Oxigraph and Virtuoso.

A store that does not replace a graph in one transaction (Virtuoso keeps the triples
read before a bad line) is given ``update_endpoint``: the graph is then loaded into a
staging graph, and only a complete load is moved into place with SPARQL ``MOVE``; a
failed load leaves the old graph whole.

Credentials are sent as HTTP Basic or, when the store asks for it, HTTP Digest
(RFC 7616): a small ``HEAD`` request fetches the challenge first, so the graph is
streamed once, with the Digest ``Authorization``.

The file is checked against the release's SHA256SUMS first, then streamed from disk in
blocks with a ``Content-Length`` header, so a graph of any size is pushed in constant
memory. Only the standard library is used (:mod:`http.client`).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import socket
import ssl
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import SplitResult, quote, urlsplit

from coopdata.errors import OutputError, UsageError
from coopdata.release.dir import CHECKSUMS, GRAPH, ReleaseDir, releases_in
from coopdata.report import escape_invisible

DEFAULT_GRAPH = "https://w3id.org/coopdata/graph/{version}"
"""The named graph a release goes into unless another is given."""

STAGING_GRAPH = "urn:coopdata:staging:{digest}"
"""The graph a release is loaded into before ``MOVE`` (with an update endpoint);
``digest`` is the start of the SHA-256 of the target graph's IRI, so a push that died
half-way leaves one staging graph, which the next push of that graph replaces."""

DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for the store to accept the connection, each block or the answer."""

GRAPH_FILE = GRAPH
MEDIA_TYPE = "application/n-triples"
BLOCK_SIZE = 1 << 16

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")

_Cleanup = Callable[[], None]


@dataclass(frozen=True)
class Push:
    """What :func:`push` did."""

    graph: str
    """The IRI of the named graph that was replaced."""
    endpoint: str
    triples: int
    """Lines of ``graph.nt``: one triple a line."""
    status: int
    """The store's last HTTP status: of the ``PUT`` (201 when the graph was new, 200 or
    204 when replaced), or of the ``MOVE`` with an update endpoint (200 or 204)."""
    staging: str | None = None
    """The staging graph the release went through, with an update endpoint."""


def push(release_dir: Path | str, endpoint: str, *, graph: str | None = None,
         user: str | None = None, password: str | None = None, token: str | None = None,
         timeout: float = DEFAULT_TIMEOUT, update_endpoint: str | None = None) -> Push:
    """Replace the named graph ``graph`` at the Graph Store ``endpoint`` with the
    release's ``graph.nt``.

    ``graph`` defaults to :data:`DEFAULT_GRAPH` with the release's version. Credentials
    are either ``user`` and ``password`` (Basic, or Digest when the store asks for it) or
    ``token`` (bearer). With ``update_endpoint`` (the store's SPARQL Update endpoint) the
    graph is loaded into a staging graph and moved into place with ``MOVE``, so a failed
    load leaves the old graph whole on a store without transactions. Raises
    :class:`~coopdata.UsageError` for a directory that is no release, a corrupt
    release, a bad endpoint URL or graph IRI, and :class:`~coopdata.OutputError` when
    the store cannot be reached or refuses the graph.
    """
    directory = Path(release_dir)
    source = _graph_file(directory)
    target = _endpoint(endpoint)
    update = _endpoint(update_endpoint) if update_endpoint is not None else None
    iri = graph if graph is not None else DEFAULT_GRAPH.format(version=_version(directory))
    if not _IRI.fullmatch(iri):
        raise UsageError(f'the graph name must be an absolute IRI such as '
                         f'{DEFAULT_GRAPH.format(version="1.0.0")}, got "{iri}"')
    if timeout <= 0:
        raise UsageError(f"the timeout must be a positive number of seconds, got {timeout:g}")
    credentials = _Credentials.of(user, password, token)
    triples = _check(directory, source)
    headers = {"Content-Type": MEDIA_TYPE, "Content-Length": str(source.stat().st_size)}
    store = _Store(credentials, timeout)
    if update is None or update_endpoint is None:
        reply = store.send(target, endpoint, "PUT", _graph_path(target, iri), source, headers,
                           unsure="the graph may or may not have been replaced")
        return Push(iri, endpoint, triples, _success(reply, endpoint, credentials))
    staging = STAGING_GRAPH.format(digest=hashlib.sha256(iri.encode()).hexdigest()[:32])
    kept = f"the graph {iri} was left as it was"
    if triples:
        reply = store.send(target, endpoint, "PUT", _graph_path(target, staging), source,
                           headers, unsure=kept, cleanup=lambda: store.drop(
                               target, endpoint, staging))
        _success(reply, endpoint, credentials, consequence=kept,
                 cleanup=lambda: store.drop(target, endpoint, staging))
        statement = f"MOVE GRAPH <{staging}> TO GRAPH <{iri}>"
    else:  # an empty release: nothing was staged (Virtuoso has no empty graphs)
        statement = f"DROP SILENT GRAPH <{iri}>"
    body = statement.encode()
    reply = store.send(update, update_endpoint, "POST", _request_path(update), body,
                       {"Content-Type": "application/sparql-update",
                        "Content-Length": str(len(body))},
                       unsure=f"the graph {iri} may or may not have been replaced")
    status = _success(reply, update_endpoint, credentials,
                      consequence=f"the graph {iri} was not replaced",
                      cleanup=lambda: store.drop(target, endpoint, staging))
    return Push(iri, endpoint, triples, status, staging)


def _request_path(target: SplitResult) -> str:
    return (target.path or "/") + ("?" + target.query if target.query else "")


def _graph_path(target: SplitResult, iri: str) -> str:
    return (target.path or "/") + ("?" + target.query + "&" if target.query else "?") \
        + "graph=" + quote(iri, safe="")


def _graph_file(directory: Path) -> Path:
    if not directory.is_dir():
        raise UsageError(f"no release at {directory}: not a directory")
    found = ReleaseDir(directory)
    source = found.graph
    if found.is_release():
        return source
    versions = releases_in(directory)
    if versions:
        raise UsageError(f"{directory} holds releases ({', '.join(versions)}), not one "
                         f"release: give one of them, e.g. {directory / versions[-1]}")
    missing = GRAPH_FILE if not source.is_file() else CHECKSUMS
    raise UsageError(f"no release at {directory}: {missing} is missing (give a DIR/VERSION "
                     "folder written by `coopdata release`)")


def _endpoint(endpoint: str) -> SplitResult:
    target: SplitResult | None
    try:
        target = urlsplit(endpoint)
        target.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        target = None
    if target is None or target.scheme not in ("http", "https") or not target.hostname:
        raise UsageError(f'the endpoint must be an http:// or https:// URL, got "{endpoint}"')
    if target.username is not None or target.password is not None:
        raise UsageError("do not put credentials in the endpoint URL: use --user with "
                         "COOPDATA_PUSH_PASSWORD, or COOPDATA_PUSH_TOKEN")
    return target


def _version(directory: Path) -> str:
    return ReleaseDir(directory).version()


@dataclass(frozen=True)
class _Credentials:
    user: str | None = None
    password: str = field(default="", repr=False)
    token: str | None = field(default=None, repr=False)

    @staticmethod
    def of(user: str | None, password: str | None, token: str | None) -> _Credentials:
        if user is not None:
            if password is None:
                raise UsageError("--user needs a password: --password or "
                                 "COOPDATA_PUSH_PASSWORD")
            return _Credentials(user, password)
        if password is not None:
            raise UsageError("--password needs --user")
        return _Credentials(token=token or None)

    @property
    def given(self) -> bool:
        return self.user is not None or self.token is not None


@dataclass
class _Reply:
    status: int
    reason: str
    text: str
    """The start of the body, decoded."""
    content_type: str
    location: str
    challenges: list[tuple[str, dict[str, str]]]
    """The ``WWW-Authenticate`` challenges: scheme and parameters (names in lower case)."""


@dataclass
class _Store:
    """Requests to one store, with what its ``WWW-Authenticate`` taught: a Digest
    challenge is kept and reused (its nonce counted) for the next requests."""

    credentials: _Credentials
    timeout: float
    digest: dict[str, str] | None = None
    count: int = 0
    probed: bool = False

    def send(self, target: SplitResult, endpoint: str, method: str, path: str,
             body: Path | bytes, headers: dict[str, str], *, unsure: str,
             cleanup: _Cleanup | None = None) -> _Reply:
        """``method`` with ``body`` (streamed from disk when a path): the challenge is
        fetched first with ``HEAD`` when a user is given and no Digest challenge is known,
        and the request is sent again once when it is refused with a fresh challenge."""
        if self.credentials.user is not None and self.digest is None and not self.probed:
            self.probed = True
            self._learn(self._exchange(target, endpoint, "HEAD", path, None, {}, unsure=""))
        used = self.digest
        reply = self._exchange(target, endpoint, method, path, body,
                               headers | self._authorization(method, path), unsure=unsure,
                               cleanup=cleanup)
        if reply.status == 401 and self._learn(reply, used):
            reply = self._exchange(target, endpoint, method, path, body,
                                   headers | self._authorization(method, path),
                                   unsure=unsure, cleanup=cleanup)
        return reply

    def drop(self, target: SplitResult, endpoint: str, graph: str) -> None:
        """Remove ``graph`` with a Graph Store ``DELETE``, silently: a clean-up."""
        with suppress(OutputError):
            self.send(target, endpoint, "DELETE", _graph_path(target, graph), b"",
                      {"Content-Length": "0"}, unsure="")

    def _learn(self, reply: _Reply, used: dict[str, str] | None = None) -> bool:
        """Keep the Digest challenge of a 401; whether it is worth a second try (a
        challenge not tried yet, or the same one marked stale)."""
        if reply.status != 401 or self.credentials.user is None:
            return False
        for scheme, params in reply.challenges:
            if scheme.lower() == "digest" and "nonce" in params and "realm" in params:
                stale = params.get("stale", "").lower() == "true"
                fresh = used is None or stale or used.get("realm") != params["realm"]
                self.digest, self.count = params, 0
                return fresh
        return False

    def _authorization(self, method: str, path: str) -> dict[str, str]:
        credentials = self.credentials
        if credentials.user is None:
            return {"Authorization": f"Bearer {credentials.token}"} if credentials.token \
                else {}
        if self.digest is None:
            pair = f"{credentials.user}:{credentials.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        self.count += 1
        return {"Authorization": digest_authorization(
            credentials.user, credentials.password, method, path, self.digest,
            self.count, os.urandom(16).hex())}

    def _exchange(self, target: SplitResult, endpoint: str, method: str, path: str,
                  body: Path | bytes | None, headers: dict[str, str], *, unsure: str,
                  cleanup: _Cleanup | None = None) -> _Reply:
        host, timeout = target.hostname or "", self.timeout
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, target.port, timeout=timeout, context=ssl.create_default_context(),
                blocksize=BLOCK_SIZE)
        else:
            connection = http.client.HTTPConnection(host, target.port, timeout=timeout,
                                                    blocksize=BLOCK_SIZE)
        headers = {"User-Agent": "coopdata-push"} | headers
        try:
            try:
                connection.connect()
            except OSError as exc:
                raise OutputError(f"cannot reach {endpoint}: {_reason(exc, timeout)}") \
                    from None
            try:
                # the store may answer (401…) before reading the whole body: ask it below
                with suppress(BrokenPipeError, ConnectionResetError):
                    if isinstance(body, Path):
                        with open(body, "rb") as handle:
                            connection.request(method, path, body=handle, headers=headers)
                    else:
                        connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = b"" if method == "HEAD" else response.read(16384)
                return _Reply(response.status, response.reason or "",
                              text.decode("utf-8", "replace"),
                              response.getheader("Content-Type") or "",
                              response.getheader("Location") or "",
                              challenges(response.headers.get_all("WWW-Authenticate") or []))
            except TimeoutError:
                if cleanup is not None:
                    cleanup()
                if not unsure:
                    raise OutputError(f"the store at {endpoint} gave no answer within "
                                      f"{timeout:g} s") from None
                raise OutputError(f"the store at {endpoint} gave no answer within "
                                  f"{timeout:g} s; {unsure} (a large graph may need a "
                                  "longer --timeout)") from None
            except (OSError, http.client.HTTPException) as exc:
                if cleanup is not None:
                    cleanup()
                raise OutputError(f"the {method} to {endpoint} failed: "
                                  f"{_reason(exc, timeout)}" + (f"; {unsure}" if unsure else "")
                                  ) from None
        finally:
            connection.close()


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf'({_TOKEN})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|{_TOKEN})[ \t]*(?=,|$)')
_SCHEME = re.compile(rf"({_TOKEN})(?=[ \t,]|$)")
_TOKEN68 = re.compile(r"([A-Za-z0-9._~+/-]+=*)[ \t]*(?=,|$)")
_SEPARATOR = re.compile(r"[ \t,]*")


def challenges(values: list[str]) -> list[tuple[str, dict[str, str]]]:
    """The challenges of ``WWW-Authenticate`` header values (RFC 9110 section 11.6.1):
    each scheme with its parameters, names in lower case, quoted strings unquoted; a
    token68 is kept as the parameter ``""``. Unparseable text ends a header's parsing."""
    found: list[tuple[str, dict[str, str]]] = []
    for value in values:
        position = 0
        current: dict[str, str] | None = None
        while True:
            position = _SEPARATOR.match(value, position).end()  # type: ignore[union-attr]
            if position >= len(value):
                break
            param = _PARAM.match(value, position)
            if param and current is not None:
                raw = param[2]
                current[param[1].lower()] = re.sub(r"\\(.)", r"\1", raw[1:-1]) \
                    if raw.startswith('"') else raw
                position = param.end()
                continue
            scheme = _SCHEME.match(value, position)
            if scheme is None:
                break
            current = {}
            found.append((scheme[1], current))
            position = scheme.end()
            while value[position:position + 1] in (" ", "\t"):  # a token68 follows spaces
                position += 1
            token68 = _TOKEN68.match(value, position)
            if token68 and position > scheme.end() and not _PARAM.match(value, position):
                current[""] = token68[1]
                position = token68.end()
    return found


_DIGESTS = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def digest_authorization(user: str, password: str, method: str, uri: str,
                         challenge: dict[str, str], count: int, cnonce: str) -> str:
    """The ``Authorization`` header answering the Digest ``challenge`` (RFC 7616) for
    ``method`` on ``uri`` (the request target as sent): algorithms MD5, SHA-256 and
    SHA-512-256 and their ``-sess`` forms, ``qop=auth`` (or none, as in RFC 2069).
    Raises :class:`~coopdata.OutputError` for a challenge it cannot answer."""
    algorithm = challenge.get("algorithm", "MD5")
    name = algorithm.upper()
    session = name.endswith("-SESS")
    base = _DIGESTS.get(name.removesuffix("-SESS"))
    qops = [qop.strip().lower() for qop in challenge.get("qop", "").split(",") if qop.strip()]
    if base is None or (qops and "auth" not in qops):
        asked = f"algorithm {algorithm}" if base is None else f"qop {challenge['qop']}"
        raise OutputError(f"the store asks for Digest authentication with "
                          f"{_shown_reply(asked)}, which coopdata does not support")

    def digest(text: str) -> str:
        return hashlib.new(base, text.encode("utf-8")).hexdigest()

    realm, nonce = challenge["realm"], challenge["nonce"]
    secret = digest(f"{user}:{realm}:{password}")
    if session:
        secret = digest(f"{secret}:{nonce}:{cnonce}")
    request = digest(f"{method}:{uri}")
    nc = f"{count:08x}"
    response = digest(f"{secret}:{nonce}:{nc}:{cnonce}:auth:{request}") if qops \
        else digest(f"{secret}:{nonce}:{request}")
    if user.isascii():
        fields = [f"username={_quoted(user)}"]
    else:
        fields = [f"username*=UTF-8''{quote(user, safe='')}"]
    fields += [f"realm={_quoted(realm)}", f"nonce={_quoted(nonce)}", f"uri={_quoted(uri)}",
               f"algorithm={algorithm}", f"response={_quoted(response)}"]
    if "opaque" in challenge:
        fields.append(f"opaque={_quoted(challenge['opaque'])}")
    if qops:
        fields += ["qop=auth", f"nc={nc}", f"cnonce={_quoted(cnonce)}"]
    return "Digest " + ", ".join(fields)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(directory: Path, source: Path) -> int:
    """The number of lines of ``source``, once it matches its checksum."""
    try:
        expected = ReleaseDir(directory).checksums().get(GRAPH_FILE)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {directory / CHECKSUMS}: {exc}") from None
    if expected is None:
        raise UsageError(f"the release {directory} is corrupt: {CHECKSUMS} has no checksum "
                         f"for {GRAPH_FILE}; nothing was pushed")
    digest = hashlib.sha256()
    lines, last = 0, b"\n"
    try:
        with open(source, "rb") as handle:
            for block in iter(lambda: handle.read(BLOCK_SIZE * 4), b""):
                digest.update(block)
                lines += block.count(b"\n")
                last = block[-1:]
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    if digest.hexdigest() != expected:
        raise UsageError(f"the release {directory} is corrupt: {GRAPH_FILE} does not match "
                         f"its checksum in {CHECKSUMS}; nothing was pushed")
    return lines + (last != b"\n")


def _reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def _success(reply: _Reply, endpoint: str, credentials: _Credentials, *,
             consequence: str = "", cleanup: _Cleanup | None = None) -> int:
    """``reply``'s status when it is a success; else an :class:`OutputError` that says
    why, in the store's own words, after ``cleanup``."""
    status = reply.status
    if 200 <= status < 300:
        return status
    if cleanup is not None:
        cleanup()
    said = _said(reply)
    after = f"; {consequence}" if consequence else ""
    if status in (401, 403):
        hint = "" if credentials.given else \
            ": none were given (use --user, or COOPDATA_PUSH_TOKEN)"
        asked = "; it asks for " + " or ".join(
            scheme + (f' realm="{_shown_reply(params["realm"])}"' if "realm" in params else "")
            for scheme, params in reply.challenges) if reply.challenges else ""
        says = f"; it says: {said}" if said else ""
        raise OutputError(f"the store refused the credentials ({status} "
                          f"{http.client.responses.get(status, 'Forbidden')}){hint}{asked}"
                          f"{says}{after}")
    if status == 404:
        raise OutputError(f"the store answered 404: no Graph Store endpoint at {endpoint} "
                          "(for Oxigraph it ends in /store, for Virtuoso in "
                          f"/sparql-graph-crud-auth){after}")
    if 300 <= status < 400 and reply.location:
        raise OutputError(f"the store answered {status}: it redirects to "
                          f"{_shown_reply(reply.location)}; "
                          f"give that URL as --endpoint{after}")
    raise OutputError(f"the store answered {status}: "
                      f"{said or _shown_reply(reply.reason) or 'no reason'}{after}")


class _Text(HTMLParser):
    """The text of an HTML page, one string a block, without its head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "title", "script", "style"):
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "title", "script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.extend(line.strip() for line in data.splitlines() if line.strip())


def _said(reply: _Reply) -> str:
    """What the store said: the first line of a text reply, or the text of an HTML page
    (Virtuoso's: "Error 42000: SQ110:SECURITY: Permission denied …") without the lines
    that repeat the status; escaped and cut by :func:`_shown_reply`."""
    if "html" in reply.content_type.lower():
        page = _Text()
        with suppress(AssertionError):  # html.parser's complaint about broken markup
            page.feed(reply.text)
            page.close()
        parts = [part for part in page.parts
                 if not re.fullmatch(r"HTTP/\S+ \d{3}\b.*", part)]
        return _shown_reply(": ".join(parts))
    first = next((line.strip() for line in reply.text.splitlines() if line.strip()), "")
    return _shown_reply(first)


REPLY_SHOWN = 200
"""How many characters of the store's reply an error shows (after escaping)."""


def _shown_reply(text: str) -> str:
    """A line of the store's reply as an error may print it: every control, format and
    other invisible character escaped (an escape sequence, a right-to-left override, a
    NUL never reach the terminal), cut at :data:`REPLY_SHOWN` characters."""
    shown = escape_invisible(text)
    if len(shown) <= REPLY_SHOWN:
        return shown
    return f"{shown[:REPLY_SHOWN]}… ({len(text)} characters)"

"""Load a release into a triple store: ``coopdata push --release DIR --endpoint URL``.

The release's ``graph.nt`` is sent with one HTTP ``PUT`` of the SPARQL 1.1 Graph Store
HTTP Protocol to ``{endpoint}?graph={IRI}``, which replaces the named graph: pushing
the same release twice leaves one copy. Oxigraph, Apache Jena Fuseki, GraphDB,
Virtuoso and Amazon Neptune all speak it.

The file is checked against the release's SHA256SUMS first, then streamed from disk in
blocks with a ``Content-Length`` header, so a graph of any size is pushed in constant
memory. Only the standard library is used (:mod:`http.client`).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import socket
import ssl
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, quote, urlsplit

from ._errors import OutputError, UsageError
from .release import CHECKSUMS, releases_in
from .report import escape_invisible

DEFAULT_GRAPH = "https://w3id.org/coopdata/graph/{version}"
"""The named graph a release goes into unless another is given."""

DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for the store to accept the connection, each block or the answer."""

GRAPH_FILE = "graph.nt"
MEDIA_TYPE = "application/n-triples"
BLOCK_SIZE = 1 << 16

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


@dataclass(frozen=True)
class Push:
    """What :func:`push` did."""

    graph: str
    """The IRI of the named graph that was replaced."""
    endpoint: str
    triples: int
    """Lines of ``graph.nt``: one triple a line."""
    status: int
    """The store's HTTP status (201 when the graph was new, 200 or 204 when replaced)."""


def push(release_dir: Path | str, endpoint: str, *, graph: str | None = None,
         user: str | None = None, password: str | None = None, token: str | None = None,
         timeout: float = DEFAULT_TIMEOUT) -> Push:
    """Replace the named graph ``graph`` at the Graph Store ``endpoint`` with the
    release's ``graph.nt``.

    ``graph`` defaults to :data:`DEFAULT_GRAPH` with the release's version. Credentials
    are either ``user`` and ``password`` (basic) or ``token`` (bearer). Raises
    :class:`~coopdata.UsageError` for a directory that is no release, a corrupt
    release, a bad endpoint URL or graph IRI, and :class:`~coopdata.OutputError` when
    the store cannot be reached or refuses the graph.
    """
    directory = Path(release_dir)
    source = _graph_file(directory)
    target = _endpoint(endpoint)
    iri = graph if graph is not None else DEFAULT_GRAPH.format(version=_version(directory))
    if not _IRI.fullmatch(iri):
        raise UsageError(f'the graph name must be an absolute IRI such as '
                         f'{DEFAULT_GRAPH.format(version="1.0.0")}, got "{iri}"')
    if timeout <= 0:
        raise UsageError(f"the timeout must be a positive number of seconds, got {timeout:g}")
    headers = {"Content-Type": MEDIA_TYPE, "Content-Length": str(source.stat().st_size),
               "User-Agent": "coopdata-push"}
    headers.update(_auth(user, password, token))
    triples = _check(directory, source)
    path = (target.path or "/") + ("?" + target.query + "&" if target.query else "?") \
        + "graph=" + quote(iri, safe="")
    status = _put(target.scheme, target.hostname or "", target.port, path, source, headers,
                  endpoint, timeout)
    return Push(iri, endpoint, triples, status)


def _graph_file(directory: Path) -> Path:
    if not directory.is_dir():
        raise UsageError(f"no release at {directory}: not a directory")
    source = directory / GRAPH_FILE
    if source.is_file() and (directory / CHECKSUMS).is_file():
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
    try:
        version = json.loads((directory / "release.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return directory.resolve().name
    return version if isinstance(version, str) and version else directory.resolve().name


def _auth(user: str | None, password: str | None, token: str | None) -> dict[str, str]:
    if user is not None:
        if password is None:
            raise UsageError("--user needs a password: --password or COOPDATA_PUSH_PASSWORD")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    if password is not None:
        raise UsageError("--password needs --user")
    if token:
        return {"Authorization": f"Bearer {token}"}
    return {}


def _check(directory: Path, source: Path) -> int:
    """The number of lines of ``source``, once it matches its checksum."""
    expected = None
    try:
        for line in (directory / CHECKSUMS).read_text(encoding="utf-8").splitlines():
            checksum, _, name = line.partition("  ")
            if name == GRAPH_FILE:
                expected = checksum
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


def _put(scheme: str, host: str, port: int | None, path: str, source: Path,
         headers: dict[str, str], endpoint: str, timeout: float) -> int:
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout,
                                                 context=ssl.create_default_context(),
                                                 blocksize=BLOCK_SIZE)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout,
                                                blocksize=BLOCK_SIZE)
    try:
        try:
            connection.connect()
        except OSError as exc:
            raise OutputError(f"cannot reach {endpoint}: {_reason(exc, timeout)}") from None
        try:
            # the store may answer (401…) before reading the whole body: ask it below
            with open(source, "rb") as body, suppress(BrokenPipeError, ConnectionResetError):
                connection.request("PUT", path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            text = response.read(4096).decode("utf-8", "replace")
            location = response.getheader("Location") or ""
        except TimeoutError:
            raise OutputError(f"the store at {endpoint} gave no answer within {timeout:g} s; "
                              "the graph may or may not have been replaced (a large graph "
                              "may need a longer --timeout)") from None
        except (OSError, http.client.HTTPException) as exc:
            raise OutputError(f"the push to {endpoint} failed: {_reason(exc, timeout)}; "
                              "the graph may or may not have been replaced") from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return status
    first = _shown_reply(next((line.strip() for line in text.splitlines() if line.strip()), ""))
    if status in (401, 403):
        hint = "" if "Authorization" in headers else \
            ": none were given (use --user, or COOPDATA_PUSH_TOKEN)"
        raise OutputError(f"the store refused the credentials ({status} "
                          f"{http.client.responses.get(status, 'Forbidden')}){hint}")
    if status == 404:
        raise OutputError(f"the store answered 404: no Graph Store endpoint at {endpoint} "
                          "(for Oxigraph it ends in /store, for Fuseki in /DATASET/data)")
    if 300 <= status < 400 and location:
        raise OutputError(f"the store answered {status}: it redirects to "
                          f"{_shown_reply(location)}; "
                          "give that URL as --endpoint")
    raise OutputError(f"the store answered {status}: "
                      f"{first or _shown_reply(response.reason or '') or 'no reason'}")


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

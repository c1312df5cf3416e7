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

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from coopdata.errors import UsageError
from coopdata.publish.auth import Credentials
from coopdata.publish.store import BLOCK_SIZE, GraphStore, check_success, graph_path, request_path
from coopdata.release.dir import CHECKSUMS, GRAPH, ReleaseDir, releases_in

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
    credentials = Credentials.of(user, password, token)
    triples = _check(directory, source)
    headers = {"Content-Type": MEDIA_TYPE, "Content-Length": str(source.stat().st_size)}
    store = GraphStore(credentials, timeout)
    if update is None or update_endpoint is None:
        reply = store.send(target, endpoint, "PUT", graph_path(target, iri), source, headers,
                           unsure="the graph may or may not have been replaced")
        return Push(iri, endpoint, triples, check_success(reply, endpoint, credentials))
    staging = STAGING_GRAPH.format(digest=hashlib.sha256(iri.encode()).hexdigest()[:32])
    kept = f"the graph {iri} was left as it was"
    if triples:
        reply = store.send(target, endpoint, "PUT", graph_path(target, staging), source,
                           headers, unsure=kept, cleanup=lambda: store.drop(
                               target, endpoint, staging))
        check_success(reply, endpoint, credentials, consequence=kept,
                 cleanup=lambda: store.drop(target, endpoint, staging))
        statement = f"MOVE GRAPH <{staging}> TO GRAPH <{iri}>"
    else:  # an empty release: nothing was staged (Virtuoso has no empty graphs)
        statement = f"DROP SILENT GRAPH <{iri}>"
    body = statement.encode()
    reply = store.send(update, update_endpoint, "POST", request_path(update), body,
                       {"Content-Type": "application/sparql-update",
                        "Content-Length": str(len(body))},
                       unsure=f"the graph {iri} may or may not have been replaced")
    status = check_success(reply, update_endpoint, credentials,
                      consequence=f"the graph {iri} was not replaced",
                      cleanup=lambda: store.drop(target, endpoint, staging))
    return Push(iri, endpoint, triples, status, staging)


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


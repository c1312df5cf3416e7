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

import datetime
from pathlib import Path

import pyoxigraph as ox

from coopdata.errors import UsageError
from coopdata.model.config import ReleaseConfig
from coopdata.model.uris import DEFAULT_BASE, Uris
from coopdata.rdf.triples import ntriples_chunks, triples
from coopdata.records.load import load
from coopdata.release.site import SiteInput, site_files
from coopdata.sparql.handler import SiteFiles
from coopdata.sparql.query import open_store
from coopdata.sparql.server import Limits, Server

_DEFAULT = Limits()


def make_server(host: str = "127.0.0.1", port: int = 8000, *, release: Path | None = None,
                records: Path | None = None, limits: Limits = _DEFAULT) -> Server:
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

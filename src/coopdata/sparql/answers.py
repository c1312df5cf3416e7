"""What the endpoint answers, worked out in a child process: the media type a client
accepts, query results in it, and an entity's description."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from coopdata.model.uris import DEFAULT_BASE
from coopdata.model.vocab import PREFIXES as VOCAB_PREFIXES
from coopdata.sparql import pages as serve_page
from coopdata.sparql.query import QueryRefused, check_query

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


Answer = tuple[int, str, bytes]
"""Status, Content-Type and body of a response."""


Job = Callable[[ox.Store], Answer]


ENTITIES: dict[str, ox.RdfFormat | None] = {  # None: a page
    **GRAPHS, "text/html": None, "application/json": ox.RdfFormat.JSON_LD}


RETRY_AFTER = 1  # seconds a client turned away is told to wait

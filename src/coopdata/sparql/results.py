"""Query results written for people and programs: solutions as a table, CSV, TSV or JSON,
a boolean, a graph as Turtle or JSON-LD, with the release's prefixes."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, TypeAlias

import pyoxigraph

from coopdata.errors import CoopdataError, UsageError
from coopdata.model.codes import CODE_BASE, COUNTRY_BASE, LANGUAGE_BASE
from coopdata.model.uris import DEFAULT_BASE
from coopdata.model.vocab import PREFIXES
from coopdata.rdf.jsonld import compacted

QueryResult: TypeAlias = (pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean
                          | pyoxigraph.QueryTriples)
"""What :func:`run_query` returns: solutions (SELECT), a boolean (ASK) or triples
(CONSTRUCT, DESCRIBE). Each can be formatted once: the solutions are an iterator."""



SOLUTION_FORMATS = ("table", "csv", "tsv", "json")
"""Formats of SELECT and ASK results."""


GRAPH_FORMATS = ("turtle", "jsonld")
"""Formats of CONSTRUCT and DESCRIBE results."""


FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS


_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}"
            for name in ("integer", "decimal", "double", "float", "int", "long")}


def format_result(result: QueryResult, fmt: str | None = None) -> str:
    """``result`` as text in format ``fmt`` (one of :data:`FORMATS`; None: ``table`` for
    SELECT and ASK, ``turtle`` for CONSTRUCT and DESCRIBE). A format that does not suit
    the query form raises a :class:`~coopdata.UsageError`."""

    graph = isinstance(result, pyoxigraph.QueryTriples)
    fmt = fmt or ("turtle" if graph else "table")
    if fmt not in FORMATS:
        raise UsageError(f'unknown format "{fmt}": use one of {", ".join(FORMATS)}')
    if graph != (fmt in GRAPH_FORMATS):
        form = "CONSTRUCT and DESCRIBE" if graph else "SELECT and ASK"
        allowed = GRAPH_FORMATS if graph else SOLUTION_FORMATS
        raise UsageError(f"--format {fmt} does not suit {form} queries: use "
                         f"{', '.join(allowed[:-1])} or {allowed[-1]}")
    try:
        if isinstance(result, pyoxigraph.QueryBoolean):
            return format_boolean(result, fmt)
        if isinstance(result, pyoxigraph.QuerySolutions):
            return format_solutions(result, fmt)
        return format_graph(result, fmt)
    except OSError as exc:
        raise CoopdataError(f"the query failed: {exc}") from None


def format_boolean(result: pyoxigraph.QueryBoolean, fmt: str = "table") -> str:
    """An ASK result: ``true`` or ``false``, or the SPARQL JSON form for ``json``."""

    if fmt == "json":
        return _text(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON))
    return "true\n" if result else "false\n"


def format_solutions(result: pyoxigraph.QuerySolutions, fmt: str = "table") -> str:
    """SELECT results as an aligned table for people (``table``: literals by their
    lexical form, IRIs compacted, a ``N rows`` footer), or as SPARQL 1.1 Query Results
    ``csv``, ``tsv`` or ``json``, serialised by pyoxigraph."""

    if fmt != "table":
        formats = {"csv": pyoxigraph.QueryResultsFormat.CSV,
                   "tsv": pyoxigraph.QueryResultsFormat.TSV,
                   "json": pyoxigraph.QueryResultsFormat.JSON}
        return _text(result.serialize(format=formats[fmt]))
    variables, rows = _terms(result)
    cells = [[display(term) for term in row] for row in rows]
    numeric = [all(row[i] is None or _is_number(row[i]) for row in rows)
               for i in range(len(variables))]
    widths = [max([len(name), *(len(row[i]) for row in cells)])
              for i, name in enumerate(variables)]

    def line(values: list[str]) -> str:
        return "  ".join(value.rjust(width) if right else value.ljust(width)
                         for value, width, right in zip(values, widths, numeric,
                                                        strict=True)).rstrip()

    lines = [line(variables), line(["-" * width for width in widths]),
             *(line(row) for row in cells)]
    return "\n".join(lines) + f"\n{len(rows)} row{'' if len(rows) == 1 else 's'}\n"


def _text(serialized: bytes | None) -> str:
    text = (serialized or b"").decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def _terms(result: pyoxigraph.QuerySolutions) -> tuple[list[str], list[list[Any]]]:
    variables = [v.value for v in result.variables]
    return variables, [[row[name] for name in variables] for row in result]


def _is_number(term: Any) -> bool:
    return getattr(getattr(term, "datatype", None), "value", None) in _NUMERIC


def solution_table(result: pyoxigraph.QuerySolutions) -> tuple[list[str], list[list[str]]]:
    """The variables of SELECT results and their rows, each value as :func:`display`
    shows it (an unbound variable is an empty string)."""
    variables, rows = _terms(result)
    return variables, [[display(term) for term in row] for row in rows]


def display(term: Any) -> str:
    """A term as people read it: a literal by its lexical form (no language tag or
    datatype), an IRI compacted with :func:`prefixes`, a blank node as ``_:id``; None
    (unbound) as an empty string. Line breaks become spaces."""

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return compact(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return " ".join(str(term.value).splitlines())


@cache
def prefixes() -> dict[str, str]:
    """Prefix → namespace for showing IRIs: those of :data:`coopdata.model.vocab.PREFIXES`,
    with ``code:`` (code lists), ``country:`` and ``language:`` (EU authority tables)
    and ``id:`` (records)."""

    return {**PREFIXES, "code": CODE_BASE, "country": COUNTRY_BASE,
            "language": LANGUAGE_BASE, "id": DEFAULT_BASE}


def compact(iri: str) -> str:
    """``iri`` as ``prefix:rest`` with the longest namespace of :func:`prefixes` that
    starts it (``id:project/recosa``, ``code:theme/diaspora``), else unchanged."""
    best = max(((p, ns) for p, ns in prefixes().items()
                if iri.startswith(ns) and len(iri) > len(ns)),
               key=lambda item: len(item[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


def format_graph(result: pyoxigraph.QueryTriples, fmt: str = "turtle") -> str:
    """CONSTRUCT and DESCRIBE results as Turtle (rdflib's serialiser, as ``graph.ttl``)
    or as JSON-LD compacted with the published context, embedded as in a release's
    ``graph.jsonld`` (never fetched)."""

    from rdflib import Graph  # rdflib: slow to import, only this path needs it


    graph = Graph()
    graph.parse(data=_text(result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)),
                format="nt")
    if fmt == "jsonld":
        return json.dumps(compacted(graph), ensure_ascii=False, indent=2) + "\n"
    for prefix, namespace in prefixes().items():  # rdflib writes those it uses
        graph.bind(prefix, namespace, replace=True)
    return graph.serialize(format="turtle")

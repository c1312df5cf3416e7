"""SPARQL over the published graph, with pyoxigraph.

:func:`open_store` loads a release (its ``graph.nt``) or, when no release is named,
the embedded dataset into an in-memory pyoxigraph store. :func:`run_query` runs a
SPARQL 1.1 query on it and :func:`format_result` prints what the query returns:

* SELECT: ``table`` (the default: aligned, for people), ``csv``, ``tsv`` or ``json``
  (the SPARQL 1.1 Query Results formats, serialised by pyoxigraph);
* ASK: ``true`` or ``false``, or with ``json`` the SPARQL JSON boolean form;
* CONSTRUCT, DESCRIBE: ``turtle`` (the default) or ``jsonld`` (compacted with the
  published context).

No prefix is predefined: queries declare theirs, so a query that runs here runs on any
SPARQL endpoint that serves the same graph.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from ._errors import CoopdataError, UsageError

if TYPE_CHECKING:
    import pyoxigraph

QueryResult: TypeAlias = Union["pyoxigraph.QuerySolutions", "pyoxigraph.QueryBoolean",
                               "pyoxigraph.QueryTriples"]
"""What :func:`run_query` returns: solutions (SELECT), a boolean (ASK) or triples
(CONSTRUCT, DESCRIBE). Each can be formatted once: the solutions are an iterator."""

SOLUTION_FORMATS = ("table", "csv", "tsv", "json")
"""Formats of SELECT and ASK results."""
GRAPH_FORMATS = ("turtle", "jsonld")
"""Formats of CONSTRUCT and DESCRIBE results."""
FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS

_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}"
            for name in ("integer", "decimal", "double", "float", "int", "long")}
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
# a reason among the tokens the parser expected: "The SELECT contains a variable that…"
_REASON = re.compile(r"(?:^|, )([A-Z][A-Za-z]*(?: [A-Za-z]+)*(?: [a-z]+)+)(?=,|$)")
# prefixed names (group "name"), outside comments, IRIs and strings
_NAMES = re.compile(r"""#[^\n]*|<[^<>"{}|^`\\\s]*>|(?:\"\"\"|\'\'\')[\s\S]*?(?:\"\"\"|\'\'\')"""
                    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
                    r"""|(?<![\w?$:])(?P<name>(?P<prefix>[^\W\d_][\w.-]*|):)""")


def release_graph_file(release: Path) -> Path:
    """The N-Triples file of a release directory (``DIR/<version>``), or a UsageError."""
    path = Path(release) / "graph.nt"
    if not path.is_file():
        raise UsageError(f"{release} is not a coopdata release: it has no graph.nt")
    return path


def open_store(release: Path | str | None = None,
               records: Path | str | None = None) -> pyoxigraph.Store:
    """An in-memory store holding the graph of ``release``, or of the records in
    ``records`` (the embedded dataset when both are None)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    if release is not None:
        with open(release_graph_file(Path(release)), "rb") as handle:
            store.bulk_load(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    from .graph import build_graph
    from .serialize import ntriples_lines
    from .validate import load

    dataset, _ = load(records)
    store.bulk_load("".join(ntriples_lines(build_graph(dataset))).encode("utf-8"),
                    format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def read_query(argument: str) -> str:
    """The query text of ``argument``: the content of the file it names when it is an
    existing file (or ends in ``.rq``), else the argument itself."""
    try:
        if "\n" in argument or not (argument.endswith(".rq") or Path(argument).exists()):
            return argument
    except (OSError, ValueError):  # too long, or a NUL: not a path
        return argument
    try:
        return Path(argument).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) \
            else exc.strerror or str(exc)
        raise UsageError(f"cannot read the query file {argument}: {why}") from None


def run_query(store: pyoxigraph.Store, text: str) -> QueryResult:
    """Run the SPARQL 1.1 query ``text`` (SELECT, ASK, CONSTRUCT or DESCRIBE) on ``store``.

    A malformed query raises a :class:`~coopdata.UsageError` whose message gives the
    position and the parser's message: ``malformed query: line 4, column 15: unknown
    prefix "dct:"``. A query that fails while running (a SERVICE that cannot be
    reached…) raises a :class:`~coopdata.CoopdataError`.
    """
    try:
        return store.query(text)
    except SyntaxError as exc:
        raise UsageError(f"malformed query: {_syntax_message(str(exc), text)}") from None
    except OSError as exc:
        raise CoopdataError(f"the query failed: {exc}") from None


def _syntax_message(message: str, text: str) -> str:
    """``line L, column C: what went wrong`` from pyoxigraph's ``error at L:C: …``: an
    undeclared prefix where the query uses one, else the reason the parser lists among
    the tokens it expected ("the SELECT contains a variable that is unbound"), else the
    parser's message."""
    match = _POSITION.match(message)
    if match is None:
        return message
    line, column, detail = int(match[1]), int(match[2]), match[3].replace("\n", " ")
    declared = {m[1] or "" for m in re.finditer(r"(?i)\bPREFIX\s+([^\W\d_][\w.-]*)?:", text)}
    for name in _NAMES.finditer(text):
        if name["name"] is not None and name["prefix"] not in declared:
            start = name.start("name")
            at = (text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
            if at <= (line, column):
                line, column = at
                return f'line {line}, column {column}: unknown prefix "{name["prefix"]}:"'
            break
    reason = _REASON.search(detail.removeprefix("expected ").removeprefix("one of "))
    if reason is not None:
        detail = reason[1][0].lower() + reason[1][1:] if reason[1][1:2].islower() \
            else reason[1]
    return f"line {line}, column {column}: {detail}"


def format_result(result: QueryResult, fmt: str | None = None) -> str:
    """``result`` as text in format ``fmt`` (one of :data:`FORMATS`; None: ``table`` for
    SELECT and ASK, ``turtle`` for CONSTRUCT and DESCRIBE). A format that does not suit
    the query form raises a :class:`~coopdata.UsageError`."""
    import pyoxigraph

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
    import pyoxigraph

    if fmt == "json":
        return _text(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON))
    return "true\n" if result else "false\n"


def format_solutions(result: pyoxigraph.QuerySolutions, fmt: str = "table") -> str:
    """SELECT results as an aligned table for people (``table``: literals by their
    lexical form, IRIs compacted, a ``N rows`` footer), or as SPARQL 1.1 Query Results
    ``csv``, ``tsv`` or ``json``, serialised by pyoxigraph."""
    import pyoxigraph

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
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return compact(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return " ".join(str(term.value).splitlines())


@cache
def prefixes() -> dict[str, str]:
    """Prefix → namespace for showing IRIs: those of :data:`coopdata.spec.PREFIXES`,
    with ``code:`` (code lists), ``country:`` and ``language:`` (EU authority tables)
    and ``id:`` (records)."""
    from .codes import CODE_BASE, COUNTRY_BASE, LANGUAGE_BASE
    from .spec import PREFIXES
    from .uris import DEFAULT_BASE

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
    import json

    import pyoxigraph
    from rdflib import Graph

    from .serialize import compacted

    graph = Graph()
    graph.parse(data=_text(result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)),
                format="nt")
    if fmt == "jsonld":
        return json.dumps(compacted(graph), ensure_ascii=False, indent=2) + "\n"
    for prefix, namespace in prefixes().items():  # rdflib writes those it uses
        graph.bind(prefix, namespace, replace=True)
    return graph.serialize(format="turtle")

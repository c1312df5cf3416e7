"""JSON-LD files: the graph compacted with the published context (``schema/context.jsonld``,
embedded in the file, never fetched): by pyld, the JSON-LD reference implementation
(:func:`compacted`, for small graphs), or by :mod:`coopdata.rdf.compact` from the triples
(:func:`write_compacted`, for the release's graph)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopdata.errors import UsageError
from coopdata.jsonfile import dump_json_list
from coopdata.rdf.compact import compact_nodes, published_context
from coopdata.rdf.triples import parse_term
from coopdata.rdf.turtle import ntriples_lines

if TYPE_CHECKING:
    from rdflib import Graph

    from coopdata.rdf.triples import Triple


def _refuse_network(url: str, options: Any = None) -> Any:
    from pyld import jsonld  # pyld: the JSON-LD processor, loaded only for small graphs

    raise jsonld.JsonLdError(f"coopdata never fetches JSON-LD documents ({url})",
                             "loading document failed")


def compacted(graph: Graph, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The graph as compacted JSON-LD with the context (by default the published one)
    embedded."""
    from pyld import jsonld  # pyld: the JSON-LD processor, loaded only for small graphs

    # The graph's triples handed to pyld as its parser would give them (the parser reads a
    # document of N-Quads comparing each triple with every one before it, time that grows
    # with the square of the triples; and it splits lines at every line break Python
    # knows, form feeds and U+2028 in literals included). The lines of a graph are
    # distinct already, and sorted: the same order every time.
    dataset = {"@default": [_pyld_triple(line) for line in ntriples_lines(graph)]}
    expanded = jsonld.from_rdf(dataset, {})
    try:
        result: dict[str, Any] = jsonld.compact(expanded, context or published_context(),
                                                {"documentLoader": _refuse_network})
    except jsonld.JsonLdError as exc:  # pyld wraps the reason: give the innermost one
        reason: BaseException = exc
        while isinstance(reason.__cause__, jsonld.JsonLdError):
            reason = reason.__cause__
        raise UsageError(f"cannot write JSON-LD with this context: {reason.args[0]}") from None
    return result


def _pyld_triple(line: str) -> dict[str, dict[str, str]]:
    """An N-Triples line as pyld's N-Quads parser gives a triple."""
    subject, predicate, value = line[:-3].split(" ", 2)  # (without its " .\n")
    return {"subject": _pyld_term(subject), "predicate": _pyld_term(predicate),
            "object": _pyld_term(value)}


def _pyld_term(nt: str) -> dict[str, str]:
    kind, value, datatype, language = parse_term(nt)
    if kind == "i":
        return {"type": "IRI", "value": value}
    if kind == "b":
        return {"type": "blank node", "value": f"_:{value}"}
    term = {"type": "literal", "datatype": datatype, "value": value}
    if language:
        term["language"] = language
    return term


def write_compacted(triples: Iterable[Triple | Sequence[str]], path: Path) -> None:
    """``graph.jsonld``: the document :func:`coopdata.rdf.compact.compact` makes of the
    (sorted) triples, as :func:`dump_json` writes it, a node at a time."""

    dump_json_list({"@context": published_context()["@context"]}, "@graph",
                   compact_nodes(triples), path)


def ntriples_to_jsonld(source: Path, target: Path) -> None:
    """``graph.jsonld`` from ``graph.nt`` (sorted, as :func:`~coopdata.rdf.triples.write_ntriples`
    writes it: one triple a line, its terms apart by single spaces, as no term but the last
    holds a space): the same bytes as :func:`write_compacted` of its triples, read a line
    at a time."""
    with open(source, encoding="utf-8", newline="\n") as lines:
        write_compacted(_triples_of_lines(lines), target)


def _triples_of_lines(lines: Iterable[str]) -> Iterator[list[str]]:
    for line in lines:
        yield line[:-3].split(" ", 2)  # (without its " .\n")

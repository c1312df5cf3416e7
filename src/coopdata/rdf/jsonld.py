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

    # The graph's triples, each line read by pyld's parser on its own: read as one document,
    # each triple is compared with every one before it (pyld drops duplicates that way),
    # time that grows with the square of the triples (2 s for a release's catalogue); the
    # lines of a graph are distinct already, and the dataset is the same.
    read = jsonld.JsonLdProcessor.parse_nquads
    dataset = {"@default": [triple for line in ntriples_lines(graph)
                            for triple in read(line).get("@default", ())]}
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

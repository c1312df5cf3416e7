"""Turtle and N-Triples, byte for byte the same every time.

* Turtle: pyoxigraph's serialiser for the release's graph (:func:`turtle`,
  :func:`ntriples_to_turtle`), rdflib's for the small catalogue files (:func:`write_turtle`).
* N-Triples: one triple a line, lines sorted, so bulk loaders and ``diff`` can use it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from coopdata.jsonfile import dump_json as dump_json  # every JSON file of a release
from coopdata.model import codes
from coopdata.model.vocab import PREFIXES
from coopdata.rdf.triples import ntriples

if TYPE_CHECKING:
    from rdflib import Graph

    from coopdata.rdf.triples import Triple


def read_turtle(path: Path) -> Graph:
    """The Turtle file ``path`` as an rdflib graph, read by pyoxigraph (rdflib's own Turtle
    parser takes a second or so for a catalogue of 2,000 triples; this, a few hundredths),
    its triples handed to rdflib as N-Triples. A SyntaxError for a file that is not Turtle."""
    from rdflib import Graph  # rdflib: slow to import, only the catalogue needs it

    try:
        triples = pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE)
        data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    except SyntaxError:
        raise
    except ValueError as exc:
        raise SyntaxError(str(exc)) from None
    assert data is not None
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def write_turtle(graph: Graph, path: Path) -> None:
    """Turtle by rdflib (the reference serialiser; used for the small catalogue files)."""
    path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))


def turtle(triples: list[Triple]) -> bytes:
    """Sorted triples as Turtle by pyoxigraph (fast; subjects in the order given)."""
    parsed = pyoxigraph.parse(ntriples(triples).encode("utf-8"),
                              format=pyoxigraph.RdfFormat.N_TRIPLES)
    output = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.TURTLE,
                                  prefixes=turtle_prefixes())
    assert output is not None
    return output


def ntriples_to_turtle(source: Path, target: Path) -> None:
    """The N-Triples file ``source`` as Turtle in ``target``, streamed by pyoxigraph: the
    same bytes as :func:`turtle` of the same triples, without holding them in memory."""
    parsed = pyoxigraph.parse(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
    pyoxigraph.serialize(parsed, output=target, format=pyoxigraph.RdfFormat.TURTLE,
                         prefixes=turtle_prefixes())


def turtle_prefixes() -> dict[str, str]:
    """The prefixes of ``graph.ttl``."""
    return {**PREFIXES, "code": codes.CODE_BASE, "country": codes.COUNTRY_BASE}


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph as sorted N-Triples lines (each ending in a newline). Split at newlines
    only: rdflib's writer leaves other line breaks in a literal (form feed, U+2028…) as
    they are."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line + "\n" for line in text.split("\n") if line.strip())


# --- framed projects, straight from the records ------------------------------------


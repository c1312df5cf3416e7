"""The engine that validates: the fast one (triples straight from the records, table checks
in one pass, SHACL compiled to checks on the N-Triples terms and to SPARQL on pyoxigraph)
or the reference (rdflib, Frictionless and pyshacl, from :mod:`coopdata.reference`).

This is the one module of the production path that imports the reference engine: its
functions are the switch. Tests check that both engines give the same findings and the
same graph.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from coopdata.errors import UsageError
from coopdata.reference import frictionless, pyshacl
from coopdata.reference.graph import build_graph
from coopdata.validate.shacl.report import report_results
from coopdata.validate.shacl.terms import shapes_graph

if TYPE_CHECKING:
    from rdflib import Graph

    from coopdata.model.dataset import Dataset
    from coopdata.model.uris import Uris
    from coopdata.validate.shacl.terms import Result


class Engine(Enum):
    """Which engine validates: ``fast`` or ``reference``."""

    FAST = "fast"
    REFERENCE = "reference"

    @classmethod
    def of(cls, name: Engine | str) -> Engine:
        """The engine named ``name``: ``fast``, or ``reference`` (also written by the name
        of its part: ``frictionless`` for the tables, ``pyshacl`` for SHACL)."""
        if isinstance(name, Engine):
            return name
        found = _NAMES.get(name)
        if found is None:
            raise UsageError(f'unknown engine "{name}": use one of fast, reference')
        return found


_NAMES = {"fast": Engine.FAST, "reference": Engine.REFERENCE,
          "frictionless": Engine.REFERENCE, "pyshacl": Engine.REFERENCE}


def reference_graph(dataset: Dataset, uris: Uris) -> Graph:
    """The records' graph built by rdflib (the reference engine's graph)."""
    return build_graph(dataset, uris=uris)


def reference_table_errors(data: dict[str, list[list[str]]]) -> dict[str, list[Any]]:
    """Frictionless's errors by table (tables as rows, header first)."""
    return frictionless.frictionless_errors(data)


def reference_shacl_results(graph: Graph) -> list[Result]:
    """pyshacl's results for ``graph`` against the shapes."""
    return report_results(pyshacl.shacl_results(graph, shapes_graph()))

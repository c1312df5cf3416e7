"""pyshacl, the reference SHACL engine: the graph validated against the shapes, giving
pyshacl's report graph (:mod:`coopdata.validate.shacl.report` reads it as results)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Graph


@cache
def _prepared(query: str) -> Any:
    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query)


def _with_prepared_queries(graph: Graph) -> Graph:
    """The same graph (sharing its store, no copy), but parsing each SPARQL query text
    once: pyshacl sends a SHACL-SPARQL constraint's text again for every focus node,
    and rdflib would parse it every time. The results are the same (a test compares)."""
    from rdflib import Graph  # rdflib: slow to import, only this path needs it

    class PreparedQueryGraph(Graph):
        def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(query_object, str) and not kwargs.get("initNs") and \
                    (len(args) < 3 or not args[2]):
                query_object = _prepared(query_object)
            return super().query(query_object, *args, **kwargs)

    view = PreparedQueryGraph(store=graph.store, identifier=graph.identifier,
                              namespace_manager=graph.namespace_manager)
    return view


def shacl_results(graph: Graph, shapes: Graph, *, prepared: bool = True) -> Graph:
    """pyshacl's validation report graph for ``graph`` against the ``shapes`` graph."""
    from pyshacl import validate  # pyshacl: the reference engine, loaded only when it runs
    from rdflib import Graph  # rdflib: slow to import, only this path needs it

    data = _with_prepared_queries(graph) if prepared else graph
    _conforms, results, _text = validate(data, shacl_graph=shapes, inference="none",
                                         allow_warnings=True, allow_infos=True)
    assert isinstance(results, Graph)
    return results

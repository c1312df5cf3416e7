"""pyshacl, the reference SHACL engine: the graph validated against the shapes, and its
results in the fast engine's form (:class:`~coopdata.validate.shacl.terms.Result`)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from coopdata.validate.shacl.terms import SH, Result, of_rdflib, shapes_graph, term_text

if TYPE_CHECKING:
    from rdflib import Graph


def results_of_pyshacl(report: Graph) -> list[Result]:
    """The results of a pyshacl report graph, as :func:`validate` gives them (a path that is
    not an IRI is None)."""
    from rdflib import RDF as RDFNS  # rdflib: slow to import, only this path needs it
    from rdflib import URIRef  # rdflib: slow to import, only this path needs it

    def get(result: Any, name: str) -> Any:
        return report.value(result, URIRef(SH + name))
    results = []
    for result in report.subjects(RDFNS.type, URIRef(SH + "ValidationResult")):
        focus, path, constraint, value = (get(result, name) for name in (
            "focusNode", "resultPath", "sourceConstraint", "value"))
        results.append(Result(
            str(focus) if isinstance(focus, URIRef) else term_text(of_rdflib(focus)),
            str(path) if isinstance(path, URIRef) else None,
            str(get(result, "sourceConstraintComponent")),
            str(constraint) if isinstance(constraint, URIRef) else None,
            str(get(result, "resultSeverity")),
            None if value is None else term_text(of_rdflib(value)),
            min(map(str, report.objects(result, URIRef(SH + "resultMessage"))), default="")))
    return results


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


def shacl_results(graph: Graph, *, prepared: bool = True) -> Graph:
    """pyshacl's validation report graph for ``graph`` against ``shapes/``."""
    from pyshacl import validate  # pyshacl: the reference engine, loaded only when it runs
    from rdflib import Graph  # rdflib: slow to import, only this path needs it

    data = _with_prepared_queries(graph) if prepared else graph
    _conforms, results, _text = validate(data, shacl_graph=shapes_graph(), inference="none",
                                         allow_warnings=True, allow_infos=True)
    assert isinstance(results, Graph)
    return results

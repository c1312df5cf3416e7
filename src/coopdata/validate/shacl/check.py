"""SHACL validation of the graph (the fast engine of :mod:`coopdata.validate.shacl.core`, or
pyshacl), with each result mapped back to the record file, line and field it concerns."""

from __future__ import annotations

import re
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from coopdata.model.dataset import Dataset
from coopdata.model.resources import resource
from coopdata.model.spec import KINDS, Field
from coopdata.model.uris import Uris
from coopdata.reference.graph import expand
from coopdata.report import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from rdflib import Graph

    from coopdata.rdf.triples import Triple
    from coopdata.validate.shacl.core import CompiledShapes, Result

SH = "http://www.w3.org/ns/shacl#"
_SEVERITY: dict[str, Severity] = {f"{SH}Violation": "violation", f"{SH}Warning": "warning",
                                  f"{SH}Info": "info"}


def shapes_graph() -> Graph:
    """Every shapes file of ``shapes/`` in one graph."""
    from rdflib import Graph

    graph = Graph()
    for path in sorted(resource("shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


@cache
def _predicate_fields() -> dict[tuple[str, str], str]:
    """(kind or nested field path without positions, predicate IRI) → field name."""
    table: dict[tuple[str, str], str] = {}

    def walk(owner: str, fields: tuple[Field, ...]) -> None:
        for spec in fields:
            table.setdefault((owner, expand(spec.predicate)), spec.name)
            if spec.type == "object":
                walk(f"{owner}.{spec.name}", spec.fields)

    for kind in KINDS.values():
        walk(kind.name, kind.fields)
    return table


def locate(uri: str, predicate: str | None, uris: Uris) -> tuple[str, str, str] | None:
    """``(kind, id, field path)`` of a focus node and result path, or None."""
    found = uris.locate(uri)
    if found is None:
        return None
    kind, record_id, path = found
    owner = ".".join([kind, *(re.sub(r"\[\d+\]", "", p) for p in path.split(".") if p)])
    if predicate is not None:
        name = _predicate_fields().get((owner, predicate))
        if name is None and predicate == "http://www.w3.org/2000/01/rdf-schema#label":
            name = KINDS[kind].label_field
        if name is not None:
            path = f"{path}.{name}" if path else name
    return kind, record_id, path


def _code(component: str, constraint: str | None) -> str:
    if constraint is not None and not constraint.startswith(SH):
        local = re.split(r"[#/]", constraint)[-1]
    else:
        local = component.removeprefix(SH).removesuffix("ConstraintComponent")
    return "shacl-" + re.sub(r"(?<!^)(?=[A-Z])", "-", local).lower()


@cache
def _prepared(query: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query)


def _with_prepared_queries(graph: Graph) -> Graph:
    """The same graph (sharing its store, no copy), but parsing each SPARQL query text
    once: pyshacl sends a SHACL-SPARQL constraint's text again for every focus node,
    and rdflib would parse it every time. The results are the same (a test compares)."""
    from rdflib import Graph

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
    from pyshacl import validate
    from rdflib import Graph

    data = _with_prepared_queries(graph) if prepared else graph
    _conforms, results, _text = validate(data, shacl_graph=shapes_graph(), inference="none",
                                         allow_warnings=True, allow_infos=True)
    assert isinstance(results, Graph)
    return results


def validate_graph(graph: Graph, dataset: Dataset, *, uris: Uris,
                   engine: str = "fast") -> list[Finding]:
    """The SHACL results for ``graph`` against ``shapes/``, as findings. ``engine``:
    ``fast`` (the shapes compiled once, :mod:`coopdata.validate.shacl.core`; it falls back on
    pyshacl for shapes it does not compile) or ``pyshacl``."""
    from coopdata.validate.shacl.core import graph_triples, results_of_pyshacl, validate

    if engine not in ("fast", "pyshacl"):
        raise ValueError(f'unknown SHACL engine "{engine}": fast or pyshacl')
    compiled = _compiled() if engine == "fast" else None
    results = validate(graph_triples(graph), compiled) if compiled is not None \
        else results_of_pyshacl(shacl_results(graph))
    return _findings(results, dataset, uris)


def validate_triples(triples: Iterable[Triple] | str | bytes, dataset: Dataset, *,
                     uris: Uris) -> list[Finding]:
    """The fast engine on the triples of :mod:`coopdata.rdf.triples` (each once, as N-Triples
    terms), or on an N-Triples document (``str`` or ``bytes``, one triple a line), without
    an rdflib graph (pyshacl stands in when the shapes use a feature the fast engine lacks)."""
    return begin_triples(triples, dataset, uris=uris)()


def begin_triples(triples: Iterable[Triple] | str | bytes, dataset: Dataset, *,
                  uris: Uris) -> Callable[[], list[Finding]]:
    """:func:`validate_triples`, started: its SHACL-SPARQL half runs in a thread from now
    on (:func:`coopdata.validate.shacl.core.begin`); the function returned gives the findings."""
    from coopdata.validate.shacl.core import begin

    compiled = _compiled()
    if compiled is None:
        from rdflib import Graph

        from coopdata.rdf.triples import ntriples

        data = triples if isinstance(triples, (str, bytes)) else ntriples(triples)
        return partial(validate_graph, Graph().parse(data=data, format="nt"), dataset,
                       uris=uris, engine="pyshacl")
    finish = begin(triples, compiled)
    return lambda: _findings(finish(), dataset, uris)


def _findings(results: Iterable[Result], dataset: Dataset, uris: Uris) -> list[Finding]:
    findings = []
    for result in results:
        focus = result.focus.removeprefix("_:")
        message = result.message or "does not conform to the shapes"
        value = result.value_text
        if result.value is not None and result.value != (
                result.focus if result.focus.startswith("_:") else f"<{focus}>") and \
                str(value) not in message:
            message += f' (value: "{value}")'
        where = locate(focus, result.path, uris)
        record = dataset.get(where[0], where[1]) if where else None
        findings.append(Finding(
            _code(result.component, result.constraint), message,
            severity=_SEVERITY.get(result.severity, "violation"), layer="shacl",
            path=record.path if record else None,
            line=record.line(where[2]) if record and where else None,
            record=where[1] if where else focus, field=(where[2] or None) if where else None))
    return findings


@cache
def _compiled() -> CompiledShapes | None:
    """The shapes compiled for the fast engine, or None if they use a feature it lacks."""
    from coopdata.validate.shacl.core import UnsupportedShapes, compile_shapes

    try:
        return compile_shapes(shapes_graph())
    except UnsupportedShapes:
        return None

"""SHACL validation of the graph (the fast engine of :mod:`coopdata.validate.shacl.core`, or
pyshacl), with each result mapped back to the record file, line and field it concerns."""

from __future__ import annotations

import re
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from coopdata.model.dataset import Dataset
from coopdata.model.spec import KINDS, Field
from coopdata.model.uris import Uris
from coopdata.model.vocab import expand
from coopdata.rdf.triples import ntriples
from coopdata.report import Finding, Severity
from coopdata.validate.engine import Engine, reference_shacl_results
from coopdata.validate.shacl.core import CompiledShapes, begin, compile_shapes, shape_results
from coopdata.validate.shacl.terms import (
    Result,
    UnsupportedShapes,
    graph_triples,
    parse_ntriples,
    shapes_graph,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from rdflib import Graph

    from coopdata.rdf.triples import Triple

SH = "http://www.w3.org/ns/shacl#"
_SEVERITY: dict[str, Severity] = {f"{SH}Violation": "violation", f"{SH}Warning": "warning",
                                  f"{SH}Info": "info"}


@cache
def _predicate_fields() -> dict[tuple[str, str], str]:
    """(kind or nested field path without positions, predicate IRI) → field name."""
    table: dict[tuple[str, str], str] = {}

    def walk(owner: str, fields: tuple[Field, ...]) -> None:
        for spec in fields:
            table.setdefault((owner, expand(spec.predicate)), spec.name)
            if spec.is_object:
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


def validate_graph(graph: Graph, dataset: Dataset, *, uris: Uris,
                   engine: Engine | str = Engine.FAST) -> list[Finding]:
    """The SHACL results for ``graph`` against ``shapes/``, as findings. ``engine``:
    ``fast`` (the shapes compiled once, :mod:`coopdata.validate.shacl.core`; pyshacl stands
    in for shapes it does not compile, and a ``shacl-engine-fallback`` info says so) or
    ``reference`` (pyshacl; also named ``pyshacl``)."""
    compiled = _compiled() if Engine.of(engine) is Engine.FAST else None
    if isinstance(compiled, CompiledShapes):
        return _findings(shape_results(graph_triples(graph), compiled), dataset, uris)
    findings = _findings(reference_shacl_results(graph), dataset, uris)
    return findings if compiled is None else [*findings, _fallback(compiled)]


def validate_triples(triples: Iterable[Triple] | str | bytes, dataset: Dataset, *,
                     uris: Uris) -> list[Finding]:
    """The fast engine on the triples of :mod:`coopdata.rdf.triples` (each once, as N-Triples
    terms), or on an N-Triples document (``str`` or ``bytes``, one triple a line), without
    an rdflib graph (pyshacl stands in when the shapes use a feature the fast engine lacks)."""
    return begin_triples(triples, dataset, uris=uris)()


def begin_triples(triples: Iterable[Triple] | str | bytes | Path, dataset: Dataset, *,
                  uris: Uris, scratch: Path | None = None) -> Callable[[], list[Finding]]:
    """:func:`validate_triples`, started: its SHACL-SPARQL half runs in a thread from now
    on (:func:`coopdata.validate.shacl.core.begin`; ``scratch``: see there); the function
    returned gives the findings. ``triples`` may also be the path of a sorted N-Triples
    file (:mod:`coopdata.rdf.ntfile`), for a graph too large to hold in memory."""
    compiled = _compiled()
    if not isinstance(compiled, CompiledShapes):
        data = triples.read_bytes() if isinstance(triples, Path) else triples \
            if isinstance(triples, (str, bytes)) else ntriples(triples)
        return partial(validate_graph, parse_ntriples(data), dataset, uris=uris)
    finish = begin(triples, compiled, scratch)
    return lambda: _findings(finish(), dataset, uris)


def _fallback(unsupported: UnsupportedShapes) -> Finding:
    return Finding("shacl-engine-fallback",
                   "the shapes use what the fast SHACL engine does not compile "
                   f"({unsupported}): pyshacl checked the graph instead",
                   severity="info", layer="shacl")


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
def _compiled() -> CompiledShapes | UnsupportedShapes:
    """The shapes compiled for the fast engine, or why they cannot be (a feature it lacks)."""
    try:
        return compile_shapes(shapes_graph())
    except UnsupportedShapes as unsupported:
        return unsupported

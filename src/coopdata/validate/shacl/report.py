"""A SHACL validation report graph (the reference engine's, pyshacl's) read as results in
the fast engine's form (:class:`~coopdata.validate.shacl.terms.Result`), so that the two
engines' results compare."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coopdata.validate.shacl.terms import SH, Result, of_rdflib, term_text

if TYPE_CHECKING:
    from rdflib import Graph


def report_results(report: Graph) -> list[Result]:
    """The results of a SHACL validation report graph (pyshacl's), in the fast engine's
    form (a path that is not an IRI is None)."""
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

"""The IATI code of each of coopdata's codes (``coop:iatiCode`` in the code lists, else the
notation), as the IATI files are written and checked."""

from __future__ import annotations

from functools import cache

from coopdata.model.codes import CODE_BASE
from coopdata.model.resources import resource
from coopdata.model.uris import VOCAB


@cache
def iati_codes() -> dict[str, dict[str, str]]:
    """Every code list of ``schema/codelists.ttl``: scheme → {notation: IATI code}. The IATI
    code is ``coop:iatiCode`` where the concept has one; a concept of a scheme that has
    IATI codes but none of its own (``partner``) is left out: it has no IATI code."""
    from rdflib import Graph, URIRef  # heavy: read once (cached), only when IATI files are made
    from rdflib.namespace import SKOS

    graph = Graph().parse(resource("schema") / "codelists.ttl")
    iati_code = URIRef(VOCAB + "iatiCode")
    found: dict[str, dict[str, str | None]] = {}
    for concept, in_scheme in graph.subject_objects(SKOS.inScheme):
        given = graph.value(concept, iati_code)
        found.setdefault(str(in_scheme).removeprefix(CODE_BASE), {})[
            str(graph.value(concept, SKOS.notation))] = None if given is None else str(given)
    result: dict[str, dict[str, str]] = {}
    for name, concepts in found.items():
        coded = any(code is not None for code in concepts.values())
        result[name] = {notation: code if code is not None else notation
                        for notation, code in concepts.items() if code is not None or not coded}
    return result


def iati_code(scheme: str, notation: str | None) -> str | None:
    """The IATI code of ``notation`` in ``scheme``, or None when it has none."""
    if notation is None:
        return None
    return iati_codes().get(scheme, {}).get(notation)

"""The IATI code of each of coopdata's codes (``coop:iatiCode`` in the code lists, else the
notation), as the IATI files are written and checked."""

from __future__ import annotations

from functools import cache

from coopdata.model.codes import CODE_BASE, IATI_CODE, SKOS, codelist_triples


@cache
def iati_codes() -> dict[str, dict[str, str]]:
    """Every code list of ``schema/codelists.ttl``: scheme → {notation: IATI code}. The IATI
    code is ``coop:iatiCode`` where the concept has one; a concept of a scheme that has
    IATI codes but none of its own (``partner``) is left out: it has no IATI code. Read
    from the code lists' triples as pyoxigraph parses them once for every use (a test
    checks that rdflib's graph of the file gives the same)."""
    in_scheme, notation = SKOS + "inScheme", SKOS + "notation"
    concepts: dict[str, dict[str, str]] = {}
    for subject, predicate, term in codelist_triples():
        if predicate in (in_scheme, notation, IATI_CODE):
            concepts.setdefault(subject, {})[predicate] = term[1]
    found: dict[str, dict[str, str | None]] = {}
    for concept in concepts.values():
        if in_scheme in concept:
            found.setdefault(concept[in_scheme].removeprefix(CODE_BASE), {})[
                concept.get(notation, "None")] = concept.get(IATI_CODE)
    result: dict[str, dict[str, str]] = {}
    for name, codes in found.items():
        coded = any(code is not None for code in codes.values())
        result[name] = {code_notation: code if code is not None else code_notation
                        for code_notation, code in codes.items()
                        if code is not None or not coded}
    return result


def iati_code(scheme: str, notation: str | None) -> str | None:
    """The IATI code of ``notation`` in ``scheme``, or None when it has none."""
    if notation is None:
        return None
    return iati_codes().get(scheme, {}).get(notation)

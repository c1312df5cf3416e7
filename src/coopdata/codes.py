"""Code lists (read from the SKOS schemes in ``schema/codelists.ttl``) and the ISO
registries (from pycountry) that record values are checked against."""

from __future__ import annotations

import difflib
from functools import cache

from .resources import resource

CODE_BASE = "https://w3id.org/coopdata/code/"
COUNTRY_BASE = "http://publications.europa.eu/resource/authority/country/"
LANGUAGE_BASE = "http://publications.europa.eu/resource/authority/language/"


@cache
def schemes() -> dict[str, tuple[str, ...]]:
    """Every code list: scheme name → its codes (skos:notation), in file order of URI."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    graph = Graph().parse(resource("schema") / "codelists.ttl")
    found: dict[str, list[str]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        name = str(scheme).removeprefix(CODE_BASE)
        found.setdefault(name, []).append(str(graph.value(concept, SKOS.notation)))
    return {name: tuple(sorted(codes)) for name, codes in sorted(found.items())}


@cache
def iati_codes() -> dict[str, dict[str, str]]:
    """Scheme name → notation → IATI code (``coop:iatiCode``), for the concepts that have
    one: ``iati_codes()["transaction-type"]["disbursement"] == "3"``."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    graph = Graph().parse(resource("schema") / "codelists.ttl")
    iati_code = URIRef("https://w3id.org/coopdata/vocab#iatiCode")
    found: dict[str, dict[str, str]] = {}
    for concept, code in graph.subject_objects(iati_code):
        scheme = str(graph.value(concept, SKOS.inScheme)).removeprefix(CODE_BASE)
        found.setdefault(scheme, {})[str(graph.value(concept, SKOS.notation))] = str(code)
    return found


def iati_code(scheme: str, notation: str) -> str | None:
    """The IATI code of a concept: its ``coop:iatiCode``, or None where it has none."""
    return iati_codes().get(scheme, {}).get(notation)


@cache
def _from_iati(scheme: str) -> dict[str, str]:
    return {code: notation for notation, code in iati_codes().get(scheme, {}).items()}


def from_iati(scheme: str, code: str) -> str | None:
    """The notation records use for the IATI code ``code`` of ``scheme``
    (``from_iati("transaction-type", "3") == "disbursement"``), or None."""
    return _from_iati(scheme).get(code)


def concept_uri(scheme: str, code: str) -> str:
    return f"{CODE_BASE}{scheme}/{code}"


def suggest(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean "x"?)`` when a close choice exists, else ``""``."""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


@cache
def country(alpha_2: str) -> tuple[str, str, str] | None:
    """``(alpha_3, English name, French name)`` of an ISO 3166-1 alpha-2 code, or None."""
    import pycountry

    if len(alpha_2) != 2 or not alpha_2.isupper():
        return None
    entry = pycountry.countries.get(alpha_2=alpha_2)
    if entry is None:
        return None
    name = getattr(entry, "common_name", None) or entry.name
    french = _french("iso3166-1")
    common = french(name)  # "Tanzanie" rather than "Tanzanie, République unie de"
    return entry.alpha_3, name, common if common != name else french(entry.name)


def country_hint(value: str) -> str:
    """How to write ``value`` as an alpha-2 code, where it can be guessed."""
    import pycountry

    entry = None
    if len(value) == 3 and value.isalpha():
        entry = pycountry.countries.get(alpha_3=value.upper())
    if entry is None:
        try:
            entry = pycountry.countries.lookup(value)
        except LookupError:
            entry = None
    example = entry.alpha_2 if entry else "MA"
    return f'use an ISO 3166-1 alpha-2 code such as "{example}"'


def country_uri(alpha_2: str) -> str:
    info = country(alpha_2)
    assert info is not None, alpha_2
    return COUNTRY_BASE + info[0]


@cache
def currency(alpha_3: str) -> bool:
    """True for an ISO 4217 currency code."""
    import pycountry

    return len(alpha_3) == 3 and alpha_3.isupper() and \
        pycountry.currencies.get(alpha_3=alpha_3) is not None


@cache
def language(alpha_2: str) -> str | None:
    """The EU authority URI of an ISO 639-1 language code, or None."""
    import pycountry

    if len(alpha_2) != 2 or not alpha_2.islower():
        return None
    entry = pycountry.languages.get(alpha_2=alpha_2)
    if entry is None:
        return None
    return LANGUAGE_BASE + str(entry.alpha_3).upper()


@cache
def _french(domain: str):  # type: ignore[no-untyped-def]
    import gettext

    import pycountry

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["fr"]).gettext
    except OSError:  # translations not installed
        return lambda text: text

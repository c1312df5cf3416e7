"""Code lists (read from the SKOS schemes in ``schema/codelists.ttl``) and the ISO
registries (from pycountry) that record values are checked against."""

from __future__ import annotations

import difflib
import gettext
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from coopdata.model.resources import resource

if TYPE_CHECKING:
    from rdflib import Graph

CODE_BASE = "https://w3id.org/coopdata/code/"
COUNTRY_BASE = "http://publications.europa.eu/resource/authority/country/"
LANGUAGE_BASE = "http://publications.europa.eu/resource/authority/language/"


SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IATI_CODE = "https://w3id.org/coopdata/vocab#iatiCode"

CodeTerm = tuple[str, str, str, str]
"""A term of the code lists: kind (``i`` IRI, ``l`` literal), IRI or text, datatype IRI
(``""`` for an IRI or a literal with a language), language (``""`` for none)."""


@cache
def codelist_triples() -> tuple[tuple[str, str, CodeTerm], ...]:
    """Every triple of ``schema/codelists.ttl`` (subject IRI, predicate IRI, object),
    in file order, read with pyoxigraph (about 25 times faster than rdflib's Turtle
    parser, which ``coopdata validate`` would otherwise wait for on every run; a test
    checks both parsers read the same triples)."""

    out = []
    for quad in ox.parse(path=resource("schema") / "codelists.ttl", format=ox.RdfFormat.TURTLE):
        value = quad.object
        if isinstance(value, ox.Literal):
            lang = value.language or ""
            term: CodeTerm = ("l", value.value, "" if lang else value.datatype.value, lang)
        else:
            term = ("i", value.value, "", "")
        out.append((quad.subject.value, quad.predicate.value, term))
    return tuple(out)


@cache
def _concepts() -> dict[str, dict[str, str]]:
    """Concept IRI → {"scheme", "notation", "iati"} (what a concept has of each)."""
    found: dict[str, dict[str, str]] = {}
    keys = {SKOS + "inScheme": "scheme", SKOS + "notation": "notation", IATI_CODE: "iati"}
    for subject, predicate, term in codelist_triples():
        key = keys.get(predicate)
        if key is not None:
            found.setdefault(subject, {})[key] = term[1]
    return found


@cache
def schemes() -> dict[str, tuple[str, ...]]:
    """Every code list: scheme name → its codes (skos:notation), sorted."""
    found: dict[str, list[str]] = {}
    for concept in _concepts().values():
        if "scheme" in concept:
            name = concept["scheme"].removeprefix(CODE_BASE)
            found.setdefault(name, []).append(concept["notation"])
    return {name: tuple(sorted(codes)) for name, codes in sorted(found.items())}


@cache
def iati_codes() -> dict[str, dict[str, str]]:
    """Scheme name → notation → IATI code (``coop:iatiCode``), for the concepts that have
    one: ``iati_codes()["transaction-type"]["disbursement"] == "3"``."""
    found: dict[str, dict[str, str]] = {}
    for concept in _concepts().values():
        if "iati" in concept and "scheme" in concept:
            scheme = concept["scheme"].removeprefix(CODE_BASE)
            found.setdefault(scheme, {})[concept["notation"]] = concept["iati"]
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
    import pycountry  # pycountry: large ISO databases, loaded on first use

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
    import pycountry  # pycountry: large ISO databases, loaded on first use

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
    import pycountry  # pycountry: large ISO databases, loaded on first use

    return len(alpha_3) == 3 and alpha_3.isupper() and \
        pycountry.currencies.get(alpha_3=alpha_3) is not None


@cache
def language(alpha_2: str) -> str | None:
    """The EU authority URI of an ISO 639-1 language code, or None."""
    import pycountry  # pycountry: large ISO databases, loaded on first use

    if len(alpha_2) != 2 or not alpha_2.islower():
        return None
    entry = pycountry.languages.get(alpha_2=alpha_2)
    if entry is None:
        return None
    return LANGUAGE_BASE + str(entry.alpha_3).upper()


@cache
def _french(domain: str):  # type: ignore[no-untyped-def]

    import pycountry  # pycountry: large ISO databases, loaded on first use

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["fr"]).gettext
    except OSError:  # translations not installed
        return lambda text: text


@cache
def codelists() -> Graph:
    """The code lists (``schema/codelists.ttl``) as an rdflib graph."""
    from rdflib import Graph  # rdflib: slow to import, only this path needs it

    return Graph().parse(resource("schema") / "codelists.ttl")

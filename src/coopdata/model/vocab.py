"""The vocabulary's namespaces and the terms written with them: CURIEs expanded, points as
WKT, decimals in their canonical lexical form, countries as Wikidata items."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from coopdata.model.resources import resource

if TYPE_CHECKING:
    pass


PREFIXES: dict[str, str] = {
    "coop": "https://w3id.org/coopdata/vocab#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sf": "http://www.opengis.net/ont/sf#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


POINT_CLASS = "sf:Point"
"""The class of the geometry node a ``point`` field makes (``<node>/<field name>``)."""


POINT_WKT = "geo:asWKT"
"""The property of that node holding the point as WKT (``POINT(longitude latitude)``,
CRS84 order, typed ``geo:wktLiteral``)."""


WKT_LITERAL = "geo:wktLiteral"


WIKIDATA = "http://www.wikidata.org/entity/"


def expand(curie: str) -> str:
    """The full IRI of a CURIE such as ``dct:title``."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


@cache
def wikidata_countries() -> dict[str, str]:
    """ISO alpha-2 → Wikidata item, from ``schema/wikidata-countries.csv``."""
    with open(resource("schema") / "wikidata-countries.csv", encoding="utf-8") as handle:
        return {row["alpha_2"]: row["wikidata"] for row in csv.DictReader(handle)}


def wkt_point(point: str) -> str:
    """The WKT of a point held as ``"lat lon"``: ``POINT(lon lat)``, the axis order of
    ``geo:wktLiteral`` without a reference system (CRS84: longitude first)."""
    latitude, longitude = point.split()
    return f"POINT({longitude} {latitude})"


def decimal_text(value: Decimal) -> str:
    """The canonical ``xsd:decimal`` lexical form (XML Schema 1.0): no exponent, a point
    with at least one digit on each side, no other trailing zeros (``1.25E+6`` →
    ``1250000.0``, ``2.50`` → ``2.5``). Turtle writes it unquoted as the same text."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return "0.0" if text == "-0.0" else text

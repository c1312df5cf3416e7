"""Each entity as data: its triples as Turtle and JSON-LD files beside its page, the same
JSON-LD embedded in the page, and a schema.org description for search engines."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .. import codes
from ..graph import wikidata_countries
from ..jsonld import compact
from ..serialize import framed_projects, published_context, turtle
from ..uris import Uris
from .markup import plain
from .model import Model, Target

if TYPE_CHECKING:
    from ..fastgraph import Triple


def split_triples(triples: list[Triple], uris: Uris,
                  countries: list[str]) -> dict[Target, list[Triple]]:
    """The triples about each record (its nested nodes included) and each country, in
    the order given (sorted, as the release's triples are)."""
    by_uri = {f"<{codes.country_uri(c)}>": c for c in countries}
    parts: dict[Target, list[Triple]] = defaultdict(list)
    for triple in triples:
        subject = triple[0]
        found = uris.locate(subject[1:-1]) if subject.startswith("<") else None
        if found is not None:
            parts[(found[0], found[1])].append(triple)
        elif subject in by_uri:
            parts[("country", by_uri[subject])].append(triple)
    return parts


def entity_turtle(part: list[Triple]) -> bytes:
    return turtle(part)


def entity_jsonld(part: list[Triple], framed: dict[str, Any] | None) -> dict[str, Any]:
    """A project's framed document (what ``projects.jsonld`` holds), else the compacted
    triples, with the published context embedded."""
    if framed is not None:
        return {"@context": published_context()["@context"], **framed}
    return compact(part)


def framed_by_id(model: Model, uris: Uris) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in framed_projects(model.dataset, uris)["@graph"]}


SCHEMA_TYPES = {"project": "Project", "organisation": "Organization", "person": "Person",
                "event": "Event", "agreement": "CreativeWork", "strategy": "CreativeWork",
                "source": "CreativeWork", "country": "Country"}


def schema_org(model: Model, uris: Uris, kind: str, key: str, page_url: str) -> dict[str, Any]:
    """A schema.org description of an entity (the terms search engines read)."""
    uri = codes.country_uri(key) if kind == "country" else uris.record(kind, key)
    node: dict[str, Any] = {"@context": "https://schema.org", "@type": SCHEMA_TYPES[kind],
                            "@id": uri, "name": plain(model.label(kind, key)), "url": page_url}
    if kind == "country":
        node["identifier"] = key
        if key in wikidata_countries():
            node["sameAs"] = f"http://www.wikidata.org/entity/{wikidata_countries()[key]}"
        return node
    data = model.dataset.by_kind[kind][key].data
    acronym = model.acronym(kind, key)
    if acronym:
        node["alternateName"] = plain(acronym)
    if isinstance(data.get("description"), dict):
        node["description"] = plain(data["description"])
    if "url" in data:
        node["sameAs"] = data["url"]

    def org(key: str) -> dict[str, Any]:
        return {"@type": "Organization", "@id": uris.record("organisation", key),
                "name": plain(model.label("organisation", key))}

    if kind == "project":
        funders = model.project(key).funders
        if funders:
            node["funder"] = [org(f) for f in funders]
        if data.get("countries"):
            node["areaServed"] = [{"@type": "Country", "name": plain(model.label("country", c)),
                                   "identifier": c} for c in data["countries"]]
    elif kind == "organisation":
        if "country" in data:
            node["address"] = {"@type": "PostalAddress", "addressCountry": data["country"]}
        if "part_of" in data:
            node["parentOrganization"] = org(data["part_of"])
    elif kind == "person":
        if "position" in data:
            node["jobTitle"] = plain(data["position"])
        if "organisation" in data:
            node["affiliation"] = org(data["organisation"])
    elif kind == "event":
        for field, term in (("start", "startDate"), ("end", "endDate")):
            if field in data:
                node[term] = str(data[field])
        if "place" in data:
            place = data["place"]
            node["location"] = {"@type": "Place", "name": place["name"], "address": {
                "@type": "PostalAddress", "addressCountry": place["country"]}}
    else:
        date = data.get("signed") or data.get("adopted") or data.get("published")
        if date is not None:
            node["datePublished"] = str(date)
        if "publisher" in data:
            node["publisher"] = org(data["publisher"])
        if "language" in data:
            node["inLanguage"] = data["language"]
    return node

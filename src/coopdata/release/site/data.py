"""Each entity as data: its triples as Turtle and JSON-LD files beside its page, the same
JSON-LD embedded in the page, and a schema.org description for search engines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from coopdata.model import codes
from coopdata.model.uris import Uris
from coopdata.model.vocab import wikidata_countries
from coopdata.rdf.compact import compact, published_context
from coopdata.rdf.frame import framed_project_nodes
from coopdata.rdf.turtle import turtle
from coopdata.release.site.markup import plain
from coopdata.release.site.model import Model, Target

if TYPE_CHECKING:
    from coopdata.rdf.triples import Triple


def split_triples(triples: list[Triple], uris: Uris,
                  countries: list[str]) -> dict[Target, list[Triple]]:
    """The triples about each record (its nested nodes included) and each country, in
    the order given (sorted, as the release's triples are)."""
    by_uri = {f"<{codes.country_uri(c)}>": c for c in countries}
    parts: dict[Target, list[Triple]] = defaultdict(list)
    last, part = None, None  # a subject's triples come together: located once
    for triple in triples:
        subject = triple[0]
        if subject != last:
            last, part = subject, None
            found = uris.locate(subject[1:-1]) if subject.startswith("<") else None
            if found is not None:
                part = parts[(found[0], found[1])]
            elif subject in by_uri:
                part = parts[("country", by_uri[subject])]
        if part is not None:
            part.append(triple)
    return parts


LINKED_LABELS = ("<http://www.w3.org/2000/01/rdf-schema#label>",)
"""What a project's framed JSON-LD embeds of every record and country it links to."""
COUNTRY_LABELS = (*LINKED_LABELS, "<http://www.w3.org/2004/02/skos/core#notation>")
"""… and of a country, its code too."""


def with_linked_labels(parts: dict[Target, list[Triple]], triples: list[Triple], uris: Uris,
                       countries: list[str]) -> dict[Target, list[Triple]]:
    """Each entity's triples with the labels of the records and countries it links to.

    A project's JSON-LD is its framed document, which names each record and country it
    links to (so that it reads on its own); its Turtle must say the same (the two are
    serialisations of one resource): the same labels go into every entity's part, taken
    from the release's triples, so both files of every entity hold them.
    """
    country_uris = {f"<{codes.country_uri(c)}>" for c in countries}
    labels: dict[str, list[Triple]] = defaultdict(list)
    for triple in triples:
        subject, predicate = triple[0], triple[1]
        if subject in country_uris:
            if predicate in COUNTRY_LABELS:
                labels[subject].append(triple)
        elif predicate in LINKED_LABELS and subject.startswith("<") \
                and uris.locate(subject[1:-1]) is not None:
            labels[subject].append(triple)
    found: dict[Target, list[Triple]] = {}
    for target, part in parts.items():
        own = {t[0] for t in part}
        linked = sorted({o for _, _, o in part if o in labels and o not in own})
        extra = [t for o in linked for t in labels[o]]
        found[target] = sorted(part + extra) if extra else part
    return found


def entity_turtle(part: list[Triple]) -> bytes:
    return turtle(part)


def entity_jsonld(part: list[Triple], framed: dict[str, Any] | None) -> dict[str, Any]:
    """A project's framed document (what ``projects.jsonld`` holds), else the compacted
    triples, with the published context embedded."""
    if framed is not None:
        return {"@context": published_context()["@context"], **framed}
    return compact(part)


def framed_projects_in_order(model: Model, uris: Uris) -> Iterator[dict[str, Any]]:
    """Each project's framed document, one at a time, in the order of its id (the order
    of ``model.dataset.ids("project")``); each checked to be the project expected."""
    ids = iter(model.dataset.ids("project"))
    for node in framed_project_nodes(model.dataset, uris):
        expected = uris.record("project", next(ids))
        if node["@id"] != expected:
            raise AssertionError(f"framed {node['@id']} where {expected} was expected")
        yield node


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

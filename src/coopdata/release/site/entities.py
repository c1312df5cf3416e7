"""One page per record and per country, with its data files, and a list page per kind."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from markupsafe import Markup

from coopdata.jsonfile import json_bytes
from coopdata.model import codes
from coopdata.model.spec import KINDS
from coopdata.model.vocab import WIKIDATA, wikidata_countries
from coopdata.release.site.activity import project_views
from coopdata.release.site.charts import country_grid
from coopdata.release.site.data import (
    entity_jsonld,
    entity_turtle,
    framed_projects_in_order,
    schema_org,
    split_triples,
    with_linked_labels,
)
from coopdata.release.site.facts import Facts
from coopdata.release.site.i18n import field_label, kind_label, relation_label
from coopdata.release.site.markup import code_text, html, joined, link, pair, plain, text, ui_pair
from coopdata.release.site.model import data_path, page_path
from coopdata.release.site.render import NAV, Pages

LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("acronym", "type", "country"),
    "agreement": ("type", "status", "signed", "countries"),
    "event": ("start", "type", "project"),
    "person": ("position", "organisation", "country"),
    "strategy": ("type", "country", "adopted"),
    "source": ("publisher", "published", "language"),
}
"""The columns of each kind's list page, after its name."""


def entity_files(pages: Pages) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of every entity page and data file, and of the list pages."""
    model, source = pages.model, pages.source
    parts = with_linked_labels(split_triples(source.triples, source.uris, model.countries),
                               source.triples, source.uris, model.countries)
    # one project's framed document at a time, made in the order of the projects' pages
    framed = framed_projects_in_order(model, source.uris)
    for kind in KINDS:
        for key in model.dataset.ids(kind):
            part = parts.pop((kind, key))  # let go of each entity's triples once written
            document = entity_jsonld(part, next(framed) if kind == "project" else None)
            yield from _data(kind, key, part, document)
            yield page_path(kind, key), record_page(pages, kind, key, document)
    for country in model.countries:
        part = parts.pop(("country", country))
        document = entity_jsonld(part, None)
        yield from _data("country", country, part, document)
        yield page_path("country", country), country_page(pages, country, document)
    for kind in NAV:
        if kind != "project":
            yield f"{kind}/index.html", list_page(pages, kind)


def _data(kind: str, key: str, part: Any, document: dict[str, Any]) -> Iterator[tuple[str,
                                                                                       bytes]]:

    yield data_path(kind, key, "ttl"), entity_turtle(part)
    yield data_path(kind, key, "jsonld"), json_bytes(document) + b"\n"


def _related(pages: Pages, kind: str, key: str, href: Any) -> list[tuple[Markup, list[Any]]]:
    model = pages.model
    groups = []
    links = sorted(model.backlinks.get((kind, key), []),
                   key=lambda b: (NAV.index(b.kind) if b.kind in NAV else len(NAV), b.path))
    for (other, path), items in groupby(links, key=lambda b: (b.kind, b.path)):
        shown = []
        for item in items:
            qualifier = code_text(*item.qualifier) if item.qualifier else None
            shown.append((link(href(item.kind, item.id), text(model.label(item.kind, item.id))),
                          qualifier))
        groups.append((pair(relation_label(other, path)), shown))
    return groups


def _sources(pages: Pages, ids: list[str], href: Any) -> list[Markup]:
    model, shown = pages.model, []
    for key in ids:
        record = model.dataset.get("source", key)
        if record is None:
            continue
        parts = [link(href("source", key), text(model.label("source", key)))]
        if "publisher" in record.data:
            parts.append(text(model.short("organisation", record.data["publisher"])))
        if "published" in record.data:
            parts.append(html("<time>{}</time>", record.data["published"]))
        if "url" in record.data:
            parts.append(link(record.data["url"], pair(("online", "en ligne")), rel="external"))
        shown.append(joined(parts, " · "))
    return shown


def record_page(pages: Pages, kind: str, key: str, document: dict[str, Any]) -> bytes:
    model = pages.model
    path = page_path(kind, key)
    root = pages.root(path)
    href = pages.linker(root)
    data = model.dataset.by_kind[kind][key].data
    label = model.label(kind, key)
    badges = []
    for field in ("type", "status"):
        spec = next((f for f in KINDS[kind].fields if f.name == field), None)
        if spec is not None and spec.scheme and field in data and data[field] != kind:
            badges.append(code_text(spec.scheme, data[field]))
    acronym = model.acronym(kind, key)
    views = project_views(model, href, data) if kind == "project" else []
    shown = tuple(name for view in views for name in view.fields)
    return pages.render(
        "entity.html", path, title=(plain(label, "en"), plain(label, "fr")),
        schema=schema_org(model, pages.source.uris, kind, key, pages.page_url(path)),
        data=document, current=kind,
        crumbs=[pages.list_crumb(kind, root), (None, text(label, 60))],
        alternates=[("text/turtle", f"../{key}.ttl"), ("application/ld+json", f"../{key}.jsonld")],
        kind_name=pair(kind_label(kind)), badge=joined(badges, " · "),
        heading=text(label), acronym=text(acronym) if acronym else None,
        facts=Facts(model, href, shown).record(kind, data), views=views,
        related=_related(pages, kind, key, href),
        sources=_sources(pages, data.get("sources", []), href),
        uri=pages.source.uris.record(kind, key), turtle=f"../{key}.ttl",
        jsonld=f"../{key}.jsonld")


def country_page(pages: Pages, country: str, document: dict[str, Any]) -> bytes:
    model = pages.model
    path = page_path("country", country)
    root = pages.root(path)
    href = pages.linker(root)
    label = model.label("country", country)
    uri = codes.country_uri(country)
    facts = [(ui_pair("iso_code"), html("<code>{}</code>", country)),
             (ui_pair("eu_authority"), link(uri, uri, rel="external"))]
    if country in wikidata_countries():
        item = WIKIDATA + wikidata_countries()[country]
        facts.append((ui_pair("wikidata"), link(item, item, rel="external")))
    return pages.render(
        "entity.html", path, title=(plain(label, "en"), plain(label, "fr")),
        schema=schema_org(model, pages.source.uris, "country", country, pages.page_url(path)),
        data=document, current="country",
        crumbs=[pages.list_crumb("country", root), (None, text(label))],
        alternates=[("text/turtle", f"../{country}.ttl"),
                    ("application/ld+json", f"../{country}.jsonld")],
        kind_name=pair(kind_label("country")), badge=Markup(""), heading=text(label),
        acronym=None, facts=facts, views=[], related=_related(pages, "country", country, href),
        sources=[], uri=uri, turtle=f"../{country}.ttl", jsonld=f"../{country}.jsonld")


def list_page(pages: Pages, kind: str) -> bytes:
    model = pages.model
    path = f"{kind}/index.html"
    root = pages.root(path)
    href = pages.linker(root)
    facts = Facts(model, href)
    charts = []
    if kind == "country":
        columns = [ui_pair("name"), ui_pair("code"), pair(kind_label("project", True)),
                   pair(kind_label("agreement", True))]
        rows = []
        for country in model.sorted_ids("country"):
            links = model.backlinks.get(("country", country), [])
            rows.append([link(href("country", country), text(model.label("country", country))),
                         html("<code>{}</code>", country),
                         html("{}", sum(1 for b in links if b.path == "countries"
                                                 and b.kind == "project")),
                         html("{}", sum(1 for b in links if b.kind == "agreement"))])
        grid = country_grid(model, href)
        charts = [grid] if grid else []
    else:
        spec = KINDS[kind]
        names = [n for n in LIST_COLUMNS[kind] if n in spec.field_names]
        columns = [pair(field_label(kind, spec.label_field))] + \
            [pair(field_label(kind, n)) for n in names]
        rows = []
        for key in model.sorted_ids(kind):
            data = model.dataset.by_kind[kind][key].data
            row = [link(href(kind, key), text(model.label(kind, key)))]
            row += [facts.field(kind, spec.field(n), data[n], n) if n in data else Markup("")
                    for n in names]
            rows.append(row)
    heading = kind_label(kind, plural=True)
    schema = {"@context": "https://schema.org", "@type": "CollectionPage",
              "name": heading[0], "url": pages.page_url(path)}
    return pages.render("list.html", path, title=heading, schema=schema, current=kind,
                        crumbs=[(None, pair(heading))], heading=pair(heading), columns=columns,
                        rows=rows, charts=charts)

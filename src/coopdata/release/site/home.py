"""The home page (what the data is, counts, charts, downloads, how to cite) and the
project list with its filter."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from coopdata.release.catalog import DESCRIPTIONS
from coopdata.release.site.charts import (
    STATUSES,
    budgets_by_country,
    budgets_by_funder,
    country_grid,
    status_words,
    timeline,
)
from coopdata.release.site.i18n import code_label, kind_label, ui
from coopdata.release.site.markup import html, joined, link, pair, plain, text, ui_pair
from coopdata.release.site.model import format_amount, format_bytes
from coopdata.release.site.network import network
from coopdata.release.site.render import Pages


def home_page(pages: Pages) -> bytes:
    model, source, config = pages.model, pages.source, pages.config
    href = pages.linker("")
    projects = [p for p in model.projects if p.type != "programme"]
    programmes = [p for p in model.projects if p.type == "programme"]
    counts = [("project/index.html", len(projects), ui_pair("projects_n")),
              ("project/index.html", len(programmes), ui_pair("programmes_n")),
              ("organisation/index.html", len(model.dataset.ids("organisation")),
               ui_pair("organisations_n")),
              ("country/index.html", len(model.release_countries()), ui_pair("countries_n")),
              ("agreement/index.html", len(model.dataset.ids("agreement")),
               ui_pair("agreements_n")),
              ("event/index.html", len(model.dataset.ids("event")), ui_pair("events_n"))]
    budgets = budgets_by_funder(model, href) + budgets_by_country(model, href)
    charts = [c for c in (timeline(model, href), *budgets, country_grid(model, href),
                          network(model, href)) if c is not None]
    order = list(DESCRIPTIONS)
    downloads = [Download(f.name, f.media_type, f.byte_size, format_bytes(f.byte_size),
                          f.sha256, DESCRIPTIONS.get(f.name) or _table(f.name))
                 for f in sorted(source.files, key=lambda f: (
                     order.index(f.name) if f.name in order else len(order), f.name))]
    tables = [f for f in downloads if f.name.startswith("tables/")]
    downloads = [f for f in downloads if not f.name.startswith("tables/")]
    url = f"{config.download_url}{source.version}/"
    year = source.issued[:4]
    citation = (f"{config.publisher_name} ({year}). {config.title}, version {source.version} "
                f"[data set]. Released {source.issued}. {url}")
    bibtex = "\n".join([
        f"@misc{{coopdata-{source.version},", f"  author = {{{config.publisher_name}}},",
        f"  title = {{{config.title}}},", f"  version = {{{source.version}}},",
        f"  year = {{{year}}},", f"  date = {{{source.issued}}},", f"  url = {{{url}}},",
        f"  note = {{Licence: {config.license}}}", "}"])
    sources = []
    for key in model.sorted_ids("source"):
        data = model.dataset.by_kind["source"][key].data
        item = link(href("source", key), text(model.label("source", key)))
        if "publisher" in data:
            item += Markup(" · ") + text(model.short("organisation", data["publisher"]))
        sources.append(item)
    schema = _dataset_schema(pages, downloads + tables)
    return pages.render("home.html", "index.html", title=(config.title, config.title),
                        schema=schema, counts=counts, charts=charts, budgets=budgets,
                        downloads=downloads, tables=tables, citation=citation,
                        bibtex=bibtex, sources=sources)


@dataclass(frozen=True)
class Download:
    """A release file as the downloads table shows it."""

    name: str
    media_type: str
    byte_size: int
    size: str
    sha256: str
    description: str


def _table(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if name.startswith("tables/") and name.endswith(".csv"):
        return f"The {stem} table, one row a record (CSV)."
    return name


def _dataset_schema(pages: Pages, downloads: list[Download]) -> dict[str, Any]:
    model, source, config = pages.model, pages.source, pages.config
    url = f"{config.download_url}{source.version}/"
    node: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Dataset", "name": config.title,
        "description": config.description, "version": source.version,
        "datePublished": source.issued, "license": config.license_uri,
        "url": pages.page_url("index.html"), "keywords": list(config.keywords),
        "inLanguage": list(config.languages),
        "publisher": {"@type": "Organization", "name": config.publisher_name,
                      "url": config.publisher_uri},
        "spatialCoverage": [{"@type": "Country", "name": plain(model.label("country", c)),
                             "identifier": c} for c in model.release_countries()],
        "distribution": [{"@type": "DataDownload", "name": f.name,
                          "contentUrl": url + f.name, "encodingFormat": f.media_type,
                          "contentSize": f"{f.byte_size} B", "sha256": f.sha256}
                         for f in downloads]}
    dated = [p for p in model.projects if p.start is not None and p.end is not None]
    if dated:
        start = min(p.start for p in dated if p.start is not None)
        end = max(p.end for p in dated if p.end is not None)
        node["temporalCoverage"] = f"{start}/{end}"
    return node


def _fold(value: str) -> str:
    plain_text = unicodedata.normalize("NFKD", value)
    return "".join(c for c in plain_text if not unicodedata.combining(c)).casefold()


def project_list(pages: Pages) -> bytes:
    """The projects, with a filter by country, funder, status and year that runs in the
    browser: each row carries its values in ``data-`` attributes."""
    model = pages.model
    path = "project/index.html"
    href = pages.linker(pages.root(path))
    rows = []
    for project in sorted(model.projects, key=lambda p: (
            -(p.start.earliest.toordinal() if p.start else 0),
            plain(model.label("project", p.id)).casefold(), p.id)):
        label = model.label("project", project.id)
        acronym = model.acronym("project", project.id)
        words = [*label.values(), *(acronym or {}).values()]
        words += [plain(model.label("country", c), lang) for c in project.countries
                  for lang in ("en", "fr")]
        words += [w for f in project.funders for w in (
            *model.label("organisation", f).values(),
            *(model.acronym("organisation", f) or {}).values())]
        budget = joined([html("{} {}", format_amount(amount), currency)
                         for currency, amount in _sums(project.budgets)], "<br>")
        rows.append({
            "countries": " ".join(project.countries), "funders": " ".join(project.funders),
            "status": project.status or "none", "years": " ".join(map(str, project.years)),
            "search": _fold(" ".join(words)),
            "link": link(href("project", project.id), text(label)),
            "programme": ui_pair("programme") if project.type == "programme" else None,
            "status_label": text(status_words(project.status)),
            "country_links": joined([link(href("country", c), text(model.label("country", c)))
                                     for c in project.countries], ", "),
            "funder_links": joined([link(href("organisation", f),
                                         text(model.short("organisation", f)))
                                    for f in project.funders], ", "),
            "period": html("{} – {}", project.start or "…", project.end or "…")
            if project.start or project.end else Markup(""),
            "budget": budget})
    selects = [
        ("country", "country", [(c, plain(model.label("country", c), "en"),
                                 plain(model.label("country", c), "fr"))
                                for c in model.recipient_countries()]),
        ("funder", "funder", [(f, plain(model.short("organisation", f), "en"),
                               plain(model.short("organisation", f), "fr"))
                              for f in model.funders()]),
        ("status", "status", _statuses(pages)),
        ("year", "year", [(str(y), str(y), str(y)) for y in sorted(
            {y for p in model.projects for y in p.years})])]
    heading = kind_label("project", plural=True)
    schema = {"@context": "https://schema.org", "@type": "CollectionPage", "name": heading[0],
              "url": pages.page_url(path)}
    return pages.render("projects.html", path, title=heading, schema=schema, current="project",
                        crumbs=[(None, pair(heading))], heading=pair(heading),
                        selects=selects, projects=rows, all=ui("all"))


def _statuses(pages: Pages) -> list[tuple[str, str, str]]:

    present = {p.status for p in pages.model.projects}
    options = []
    for status in STATUSES:
        if status in present:
            words = code_label("activity-status", status)
            options.append((status, plain(words, "en"), plain(words, "fr")))
    if None in present:
        options.append(("none", *ui("not_stated")))
    return options


def _sums(budgets: list[Any]) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = {}
    for budget in budgets:
        totals[budget.currency] = totals.get(budget.currency, Decimal(0)) + budget.amount
    return sorted(totals.items())

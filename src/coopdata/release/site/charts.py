"""Charts drawn as SVG (and one HTML grid) in Python: nothing to load to see them.

Every mark (a bar, a tile, a node) carries ``data-mark``; every chart comes with its
data as a table, the text alternative the page shows under it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup

from coopdata.release.site.i18n import Pair, code_label, ui
from coopdata.release.site.markup import (
    code_text,
    html,
    joined,
    link,
    plain,
    svg_attrs,
    svg_text,
    svg_title,
    text,
    ui_pair,
)
from coopdata.release.site.model import Model, Text, format_amount, sort_key

Href = Callable[[str, str], str]
"""(kind, id) → the link from the page the chart is on."""

WIDTH = 960
STATUSES = ("pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended")


@dataclass
class Chart:
    """A chart: its drawing, legend and the table of its data."""

    id: str
    title: Pair
    body: Markup
    marks: int
    columns: list[Pair]
    rows: list[list[Markup]]
    notes: list[Pair] = field(default_factory=list)
    legend: list[tuple[str, Markup]] = field(default_factory=list)
    wide: bool = False
    """Drawn for a wide screen: scrolls sideways on a narrow one."""


def _svg(chart_id: str, height: float, content: Markup) -> Markup:
    return html('<svg{}>{}</svg>', svg_attrs({
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {height:g}",
        "class": "chart", "id": f"{chart_id}-svg", "aria-labelledby": f"{chart_id}-title",
        "focusable": "false"}), content)


def join_texts(texts: list[Text], separator: str = " + ") -> Text:

    joined = {lang: separator.join(plain(t, lang) for t in texts) for lang in ("en", "fr")}
    return joined if joined["en"] != joined["fr"] else {"": joined["en"]}


def status_words(status: str | None) -> Text:
    return code_label("activity-status", status) if status else dict(zip(
        ("en", "fr"), ui("not_stated"), strict=True))


def timeline(model: Model, href: Href) -> Chart | None:
    """One bar per project with a start and an end, coloured by status."""
    dated = sorted((p for p in model.projects if p.dated),
                   key=lambda p: (p.start.earliest, p.end.latest,  # type: ignore[union-attr]
                                  sort_key(model.label("project", p.id)), p.id))
    if not dated:
        return None
    first = min(p.start.year for p in dated)  # type: ignore[union-attr]
    last = max(p.end.year for p in dated)  # type: ignore[union-attr]
    left, right, top, row = 350, 16, 30, 30
    origin = dt.date(first, 1, 1).toordinal()
    span = dt.date(last + 1, 1, 1).toordinal() - origin

    def x(day: dt.date) -> float:
        return round(left + (day.toordinal() - origin) / span * (WIDTH - left - right), 1)

    height = top + row * len(dated) + 8
    step = 1 if last - first < 14 else 2 if last - first < 28 else 5
    parts = []
    for year in range(first, last + 2, step):
        at = x(dt.date(year, 1, 1))
        parts.append(html('<line class="grid" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>'
                            '<text class="tick" x="{0}" y="{3}">{4}</text>',
            at, top - 6, height - 4, top - 12, year))
    rows = []
    for n, project in enumerate(dated):
        assert project.start is not None and project.end is not None
        y = top + n * row
        label = model.label("project", project.id)
        start, end = x(project.start.earliest), x(project.end.latest + dt.timedelta(days=1))
        status = status_words(project.status)
        period = f"{project.start} – {project.end}"
        classes = f"bar s-{project.status or 'none'}" + (" planned" if project.planned else "")
        parts.append(html('<a href="{}">{}{}<rect{}/></a>',
            href("project", project.id),
            svg_title({k: f"{v}: {period}" for k, v in label.items()}),
            svg_text(model.chart_label("project", project.id), 42, x=left - 10, y=y + 19,
                     class_="label end"),
            svg_attrs({"class": classes, "data-mark": "timeline", "x": start, "y": y + 6,
                       "width": max(round(end - start, 1), 2), "height": 18, "rx": 3})))
        rows.append([link(href("project", project.id), text(label)), text(status),
                     html("{}", project.start), html("{}", project.end)])
    present = [s for s in STATUSES if any(p.status == s for p in dated)]
    legend = [(f"s-{s}", code_text("activity-status", s)) for s in present]
    if any(p.status is None for p in dated):
        legend.append(("s-none", ui_pair("not_stated")))
    if any(p.planned for p in dated):
        legend.append(("planned", ui_pair("planned")))
    undated = len(model.projects) - len(dated)
    notes = [ui("timeline_desc")]
    if undated:
        notes.append((f"{ui('undated')[0]}: {undated}.", f"{ui('undated')[1]} : {undated}."))
    return Chart("timeline", ui("timeline"), _svg("timeline", height, joined(parts)),
                 len(dated), [ui("title"), ui("status"), ui("start"), ui("end")], rows, notes,
                 legend, wide=True)


def _bars(chart_id: str, title: Pair, currency: str,
          groups: list[tuple[Text, str | None, Decimal, int]], notes: list[Pair]) -> Chart:
    """Horizontal bars drawn in HTML, so that they reflow on a phone: (label, link or
    None, amount, number of projects) each."""
    largest = max(amount for _, _, amount, _ in groups) or Decimal(1)
    items, rows = [], []
    for label, href, amount, count in groups:
        share = max(round(float(amount / largest), 3), 0.005)
        value = f"{format_amount(amount)} {currency}"
        name = link(href, text(label)) if href else text(label)
        items.append(html(
            '<li><span class="hbar-label">{}</span><span class="hbar-track"><span class="hbar" '
            'data-mark="{}" style="--share: {}"></span><span class="hbar-value">{}</span></span>'
            '</li>', name, chart_id, share, value))
        rows.append([name, html("{}", value), html("{}", count)])
    body = html('<ul class="hbars">{}</ul>', joined(items))
    full_title = (f"{title[0]} ({currency})", f"{title[1]} ({currency})")
    return Chart(chart_id, full_title, body, len(groups),
                 [ui("name"), ui("amount"), ui("projects")], rows, notes)


def budgets_by_funder(model: Model, href: Href) -> list[Chart]:
    """One chart per currency: the budgets summed by funder (or group of co-funders)."""
    sums: dict[tuple[str, tuple[str, ...]], list[Decimal]] = defaultdict(list)
    for project in model.projects:
        for budget in project.budgets:
            sums[(budget.currency, budget.funders)].append(budget.amount)
    charts = []
    for currency in sorted({c for c, _ in sums}):
        groups = []
        for (cur, funders), amounts in sums.items():
            if cur != currency:
                continue
            label = join_texts([model.short("organisation", f) for f in funders]) if funders \
                else dict(zip(("en", "fr"), ui("no_funder"), strict=True))
            target = href("organisation", funders[0]) if len(funders) == 1 else None
            groups.append((label, target, sum(amounts, Decimal(0)), len(amounts)))
        groups.sort(key=lambda g: (-g[2], sort_key(g[0])))
        charts.append(_bars(f"budget-funder-{currency.lower()}", ui("budget_funder"), currency,
                            groups, [ui("budget_note")]))
    return charts


def budgets_by_country(model: Model, href: Href) -> list[Chart]:
    """One chart per currency: the budgets of the projects in each recipient country."""
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for project in model.projects:
        for budget in project.budgets:
            for country in project.countries or ("",):
                sums[(budget.currency, country)].append(budget.amount)
    charts = []
    for currency in sorted({c for c, _ in sums}):
        groups = []
        for (cur, country), amounts in sums.items():
            if cur != currency:
                continue
            label = model.label("country", country) if country else \
                dict(zip(("en", "fr"), ui("not_stated"), strict=True))
            groups.append((label, href("country", country) if country else None,
                           sum(amounts, Decimal(0)), len(amounts)))
        groups.sort(key=lambda g: (-g[2], sort_key(g[0])))
        charts.append(_bars(f"budget-country-{currency.lower()}", ui("budget_country"),
                            currency, groups, [ui("budget_note"), ui("budget_country_note")]))
    return charts


def country_grid(model: Model, href: Href) -> Chart | None:
    """A tile per recipient country, darker with more projects."""
    counts = {c: sum(1 for p in model.projects if c in p.countries)
              for c in model.recipient_countries()}
    if not counts:
        return None
    most = max(counts.values())
    tiles, rows = [], []
    for country in sorted(counts, key=lambda c: (-counts[c], sort_key(model.label("country",
                                                                                  c)), c)):
        level = 1 + round(4 * (counts[country] - 1) / max(most - 1, 1))
        number = html('<span class="tile-count">{}</span> {}',
            counts[country], ui_pair("projects_n" if counts[country] != 1 else "project_1"))
        tiles.append(html(
            '<li><a class="tile level-{}" data-mark="country" href="{}"><span class="tile-code">'
            '{}</span><span class="tile-name">{}</span>{}</a></li>',
            level, href("country", country), country, text(model.label("country", country)),
            number))
        rows.append([link(href("country", country), text(model.label("country", country))),
                     html("{}", counts[country])])
    body = html('<ul class="tiles" id="country-grid-tiles">{}</ul>',
        joined(tiles))
    return Chart("country-grid", ui("country_grid"), body, len(counts),
                 [ui("country"), ui("projects")], rows, [ui("country_grid_desc")])

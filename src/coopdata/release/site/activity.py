"""What a project's IATI data show on its page: its money (transactions per year, budgets
by period), its places (a table of coordinates and a map drawn offline) and its indicators
(baseline, target and actual, period by period).

Each view appears only where the record has the data it shows (see :func:`project_views`);
the fields a view shows are then left out of the page's facts list. Field names are those
of ``docs/iati.md`` (``transactions``, ``budgets[].period_start``, ``locations[].point``,
``results[].indicators``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from coopdata.release.site.charts import Chart
from coopdata.release.site.i18n import Pair, iati_code, ui
from coopdata.release.site.markup import (
    code_text,
    escaped,
    html,
    joined,
    link,
    pair,
    svg_attrs,
    svg_title,
    text,
    ui_pair,
)
from coopdata.release.site.model import Model, Text, format_amount

Href = Callable[[str, str], str]

SERIES = (("commitment", "2", ("commitment", "outgoing-commitment")),
          ("disbursement", "3", ("disbursement",)),
          ("expenditure", "4", ("expenditure",)))
"""The transaction types the money chart draws: (series, IATI code, notations read as it).
Other types (incoming funds, loan repayments…) are listed in the table only."""


@dataclass
class View:
    """One section of a project page: a heading, notes, charts and tables."""

    id: str
    title: Pair
    body: Markup
    charts: list[Chart] = field(default_factory=list)
    notes: list[Pair] = field(default_factory=list)
    fields: tuple[str, ...] = ()
    """The record's field paths it shows (left out of the facts list)."""


def project_views(model: Model, href: Href, data: dict[str, Any]) -> list[View]:
    """The views of a project that has the data for them, in page order."""
    found = [transactions_view(model, href, data), budgets_view(model, href, data),
             locations_view(data), indicators_view(data)]
    return [v for v in found if v is not None]


def _series(code: str) -> str | None:
    known = iati_code("transaction-type", code)
    for name, iati, notations in SERIES:
        if known == iati or code in notations:
            return name
    return None


def _amount(value: Decimal, currency: str) -> Markup:
    # normalised: the tables give 900000.0 where the records give 900000 (same bytes both ways)
    return html('<data value="{}">{} {}</data>', format(value.normalize(), "f"),
                                                          format_amount(value), currency)


def _date(value: Any) -> Markup:
    return html('<time datetime="{0}">{0}</time>', value) if value is not None \
        else Markup("")


def _party(model: Model, href: Href, item: dict[str, Any], role: str) -> Markup:
    if role in item:
        key = item[role]
        if model.dataset.get("organisation", key) is not None:
            return link(href("organisation", key), text(model.short("organisation", key)))
        return html("{}", key)
    if f"{role}_name" in item:
        return text(item[f"{role}_name"])
    return html("{}", item.get(f"{role}_ref", ""))


def _table(columns: list[Pair], rows: list[list[Markup]], numeric: set[int],
           css: str = "") -> Markup:
    """A table that reflows into cards on a phone: each cell carries its column's label."""
    labels = [pair(c) for c in columns]
    marks = [' class="num"' if n in numeric else "" for n in range(len(columns))]
    head = "".join(f'<th scope="col"{mark}>{label}</th>'
                   for mark, label in zip(marks, labels, strict=True))
    # each cell's opening, its column's label included, made once for every row
    opening = [f'<td{mark}><span class="cell-label">{label}: </span>'
               for mark, label in zip(marks, labels, strict=True)]
    body = "".join(["<tr>" + "".join([opening[n] + escaped(cell) + "</td>"
                                      for n, cell in enumerate(row)]) + "</tr>"
                    for row in rows])
    return html('<div class="scroll"><table class="nested cards{}"><thead><tr>{}</tr>'
                '</thead><tbody>{}</tbody></table></div>',
                f" {css}" if css else "", Markup(head), Markup(body))


def transactions_view(model: Model, href: Href, data: dict[str, Any]) -> View | None:
    """Commitments against disbursements (and expenditure), summed per year, one chart per
    currency; every transaction in a table below."""
    items = data.get("transactions") or []
    if not items:
        return None
    default = data.get("default_currency", "")
    sums: dict[str, dict[int, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal)))
    for item in items:
        series = _series(item["type"])
        if series is not None:
            currency = item.get("currency") or default
            sums[currency][item["date"].year][series] += item["amount"]
    charts = [_money_chart(currency, sums[currency]) for currency in sorted(sums)]
    ordered = sorted(items, key=lambda t: (t["date"].earliest, str(t["type"]),
                                           t.get("currency") or default, t["amount"]))
    rows = [[_date(t["date"]), code_text("transaction-type", t["type"]),
             _amount(t["amount"], t.get("currency") or default),
             _party(model, href, t, "provider"), _party(model, href, t, "receiver"),
             text(t.get("description"))] for t in ordered]
    table = _table([ui("date"), ui("type"), ui("amount"), ui("provider"), ui("receiver"),
                    ui("description")], rows, {2}, "transactions")
    return View("transactions", ui("transactions"), table, charts,
                [ui("transactions_desc"), ui("budget_note")], ("transactions",))


def _money_chart(currency: str, years: dict[int, dict[str, Decimal]]) -> Chart:
    """Per year, one bar per series, drawn in HTML so that it reflows on a phone."""
    present = [name for name, _, _ in SERIES if any(name in y for y in years.values())]
    largest = max((v for y in years.values() for v in y.values()), default=Decimal(0)) \
        or Decimal(1)
    chart_id = f"transactions-{currency.lower() or 'none'}"
    groups, rows = [], []
    for year in sorted(years):
        bars = []
        for name in present:
            amount = years[year].get(name, Decimal(0))
            share = round(float(amount / largest), 3) if amount > 0 else 0
            bars.append(html(
                '<span class="hbar-track"><span class="hbar t-{0}" data-mark="transaction" '
                'data-series="{0}" style="--share: {1}"></span><span class="hbar-value">'
                '<span class="visually-hidden">{2}: </span>{3}</span></span>',
                name, share, ui_pair(name), f"{format_amount(amount)} {currency}"))
            rows.append([html("{}", year), ui_pair(name),
                         html("{}", f"{format_amount(amount)} {currency}")])
        groups.append(html('<li><span class="hbar-label">{}</span><span class="hbar-group">'
                             '{}</span></li>', year, joined(bars)))
    body = html('<ul class="hbars grouped">{}</ul>', joined(groups))
    legend = [(f"t-{name}", ui_pair(name)) for name in present]
    title = ui("transactions_year")
    return Chart(chart_id, (f"{title[0]} ({currency})", f"{title[1]} ({currency})"), body,
                 len(years) * len(present), [ui("year"), ui("type"), ui("amount")], rows,
                 [], legend)


def budgets_view(model: Model, href: Href, data: dict[str, Any]) -> View | None:
    """The budgets in the order of their periods, where they have periods (else they stay in
    the facts list, as before IATI)."""
    items = data.get("budgets") or []
    if not any("period_start" in b or "period_end" in b for b in items):
        return None
    default = data.get("default_currency", "")

    def when(item: dict[str, Any]) -> tuple[Any, ...]:
        start, end = item.get("period_start"), item.get("period_end")
        return (start is None, start.earliest if start else None,
                end.latest if end else None, str(item.get("type", "")))

    rows: list[list[Markup]] = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in sorted(items, key=when):
        currency = item.get("currency") or default
        totals[currency] += item["amount"]
        funder = link(href("organisation", item["funder"]),
                      text(model.short("organisation", item["funder"]))) \
            if "funder" in item and model.dataset.get("organisation", item["funder"]) \
            else html("{}", item.get("funder", ""))
        rows.append([_date(item.get("period_start")), _date(item.get("period_end")),
                     code_text("budget-type", item["type"]) if "type" in item
                     else Markup(""),
                     code_text("budget-status", item["status"]) if "status" in item
                     else Markup(""), _amount(item["amount"], currency), funder])
    for currency in sorted(totals):
        rows.append([html("<strong>{}</strong>", ui_pair("total")), Markup(""),
                     Markup(""), Markup(""), html("<strong>{}</strong>",
                         _amount(totals[currency], currency)), Markup("")])
    table = _table([ui("start"), ui("end"), ui("type"), ui("status"), ui("amount"),
                    ui("funder")], rows, {4}, "budgets")
    return View("budgets", ui("budgets_period"), table, [], [ui("budget_note")], ("budgets",))


def point(value: Any) -> tuple[float, float] | None:
    """(latitude, longitude) of a ``point`` field: ``"33.57 -7.58"`` as written, or a pair
    of numbers as a loader may give it; None where it is not a point on the globe."""
    parts: list[Any]
    if isinstance(value, str):
        parts = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = [getattr(value, "latitude", None), getattr(value, "longitude", None)]
    try:
        lat, lon = (float(p) for p in parts)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def locations_view(data: dict[str, Any]) -> View | None:
    items = data.get("locations") or []
    if not items:
        return None
    rows, placed = [], []
    for n, item in enumerate(items, start=1):
        where = point(item.get("point"))
        name = text(item.get("name")) if item.get("name") else html("{}",
            item.get("ref") or item.get("location_id") or n)
        coordinates = Markup("")
        if where is not None:
            placed.append((n, where, item.get("name") or {"": str(n)}))
            coordinates = html('<data class="coords" value="{0} {1}">{2}, {3}</data>',
                where[0], where[1], _degrees(where[0], "N", "S"), _degrees(where[1], "E", "W"))
        codes = [code_text(scheme, item[key]) for key, scheme in (
            ("exactness", "geographic-exactness"), ("reach", "geographic-location-reach"),
            ("location_class", "geographic-location-class")) if key in item]
        rows.append([html("{}", n), name, coordinates,
                     joined(codes, " · "), text(item.get("activity_description"))])
    table = _table([ui("number"), ui("name"), ui("coordinates"), ui("type"),
                    ui("activity_there")], rows, set(), "locations")
    charts = [location_map(placed)] if placed else []
    return View("locations", ui("locations"), table, charts, [], ("locations",))


def _degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):.4f}° {positive if value >= 0 else negative}"


def _tick(value: int, positive: str, negative: str) -> str:
    return f"{abs(value)}° {positive if value >= 0 else negative}" if value else "0°"


MAP_WIDTH = 480


def location_map(placed: list[tuple[int, tuple[float, float], Text]]) -> Chart:
    """The points on an equirectangular frame around them (longitudes shrunk by the cosine
    of the middle latitude, so that shapes keep their proportions there), with a graticule
    and no tiles: nothing is fetched to draw it or to view it."""
    lats = [lat for _, (lat, _), _ in placed]
    lons = [lon for _, (_, lon), _ in placed]
    middle = (min(lats) + max(lats)) / 2
    shrink = max(math.cos(math.radians(middle)), 0.2)
    # at least 4 degrees of latitude shown, and a margin around the points
    half_lat = max((max(lats) - min(lats)) / 2 * 1.3, 2.0)
    half_lon = max((max(lons) - min(lons)) / 2 * 1.2 + 1, half_lat / shrink * 0.75)
    half_lat = max(half_lat, half_lon * shrink / 2)  # never flatter than 2:1
    centre_lon = (min(lons) + max(lons)) / 2
    top, bottom = min(middle + half_lat, 90.0), max(middle - half_lat, -90.0)
    west, east = centre_lon - half_lon, centre_lon + half_lon
    scale = MAP_WIDTH / ((east - west) * shrink)
    height = round((top - bottom) * scale, 1)

    def x(lon: float) -> float:
        return round((lon - west) * shrink * scale, 1)

    def y(lat: float) -> float:
        return round((top - lat) * scale, 1)

    step = next(s for s in (1, 2, 5, 10, 15, 30, 45, 90)
                if max(top - bottom, east - west) / s <= 8)
    parts = [html('<rect class="map-frame" x="0" y="0" width="{}" height="{}"/>',
        MAP_WIDTH, height)]
    for parallel in range(math.ceil(bottom / step) * step, math.floor(top / step) * step + 1,
                          step):
        if y(parallel) < 18 or y(parallel) > height - 24:  # its label: cut, or on the others
            continue
        parts.append(html('<line class="grid" x1="0" x2="{0}" y1="{1}" y2="{1}"/>'
                            '<text class="tick start" x="4" y="{2}">{3}</text>',
            MAP_WIDTH, y(parallel), y(parallel) - 4, _tick(parallel, "N", "S")))
    for meridian in range(math.ceil(west / step) * step, math.floor(east / step) * step + 1,
                          step):
        parts.append(html('<line class="grid" x1="{0}" x2="{0}" y1="0" y2="{1}"/>'
                            '<text class="tick" x="{0}" y="{2}">{3}</text>',
            x(meridian), height, height - 6, _tick(meridian, "E", "W")))
    rows = []
    for n, (lat, lon), name in placed:
        parts.append(html('<g class="place">{}<circle{}/><text{}>{}</text></g>',
            svg_title({k: f"{n}. {v}" for k, v in name.items()}),
            svg_attrs({"class": "point", "data-mark": "location", "cx": x(lon), "cy": y(lat),
                       "r": 7}),
            svg_attrs({"class": "label point-number" + (" end" if x(lon) > MAP_WIDTH - 40
                                                         else ""),
                       "x": x(lon) + (-10 if x(lon) > MAP_WIDTH - 40 else 10),
                       "y": y(lat) + (22 if y(lat) < 24 else -8)}), n))
        rows.append([html("{}", n), text(name), html("{}", f"{lat:g}"),
                     html("{}", f"{lon:g}")])
    body = html('<svg{}>{}</svg>', svg_attrs({
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {MAP_WIDTH} {height:g}",
        "class": "chart map", "id": "location-map-svg", "role": "img",
        "aria-labelledby": "location-map-title", "focusable": "false"}),
        joined(parts))
    return Chart("location-map", ui("location_map"), body, len(placed),
                 [ui("number"), ui("name"), ui("latitude"), ui("longitude")], rows,
                 [ui("location_map_desc")])


def _decimal(value: Any) -> Markup:
    return html("{}", format_amount(value)) if value is not None else Markup("")


def indicators_view(data: dict[str, Any]) -> View | None:
    """Each result with indicators: per indicator its baseline, then target and actual
    period by period."""
    results = [r for r in data.get("results") or [] if r.get("indicators")]
    if not results:
        return None
    blocks = []
    for result in results:
        badge = html('<span class="badge">{}</span> ',
            code_text("result-type", result["type"])) if "type" in result else ""
        indicators = []
        for item in result["indicators"]:
            baseline = item.get("baseline") or {}
            said = []
            if "value" in baseline:
                said.append(html("<strong>{}</strong>", _decimal(baseline["value"])))
            when = baseline.get("date") or baseline.get("year")
            if when is not None:
                said.append(html("({})", _date(when)))
            if "comment" in baseline:
                said.append(html("— {}", text(baseline["comment"])))
            measure = html(' <span class="qualifier">{}</span>',
                code_text("indicator-measure", item["measure"])) \
                if "measure" in item else ""
            rows = [[_date(p.get("start")), _date(p.get("end")), _decimal(p.get("target")),
                     _decimal(p.get("actual")),
                     joined([text(p[k]) for k in ("target_comment", "actual_comment")
                                       if k in p], " ")]
                    for p in item.get("periods") or []]
            table = _table([ui("start"), ui("end"), ui("target"), ui("actual"), ui("comment")],
                           rows, {2, 3}, "periods") if rows else Markup("")
            indicators.append(html(
                '<div class="indicator" data-mark="indicator"><h4>{}{}</h4>{}{}</div>',
                text(item["title"]), measure,
                html('<p class="baseline">{}: {}</p>',
                    ui_pair("baseline"), joined(said, " ")) if said else "", table))
        blocks.append(html('<div class="result"><h3>{}{}</h3>{}</div>',
            badge, text(result["title"]), joined(indicators)))
    return View("indicators", ui("indicators"), joined(blocks), [], [],
                ("results.indicators",))


__all__ = ["View", "location_map", "point", "project_views"]

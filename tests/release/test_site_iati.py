"""A project's IATI views on the release site (docs/site.md): money per year, budgets by
period, locations with an offline map, indicators; shown only where the records have the
data, escaped, and the same bytes for the same records."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata import load
from coopdata.release.job import release
from coopdata.release.site import site_for_release
from coopdata.release.site.activity import SERIES, location_map, point
from coopdata.release.site.i18n import iati_code
from tests.conftest import FIXTURES
from tests.release.test_site import page, tree

RECORDS = FIXTURES / "iati-site" / "records"
VIEWS = ("transactions", "budgets", "locations", "indicators")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("iati-site")
    release(out, RECORDS, version="1.0.0", date="2026-11-23")
    return out / "1.0.0"


def mobility() -> dict[str, Any]:
    dataset, report = load(RECORDS)
    assert report.count("violation") == 0, report
    record = dataset.get("project", "mobility")
    assert record is not None
    return record.data


def series_of(code: str) -> str | None:
    return next((name for name, iati, names in SERIES
                 if iati_code("transaction-type", code) == iati or code in names), None)


def test_views_show_the_data_with_one_mark_per_datum(released: Path) -> None:
    data = mobility()
    html = (released / "site" / "project" / "mobility" / "index.html").read_text("utf-8")
    parsed = page(released / "site" / "project" / "mobility" / "index.html")
    for view in VIEWS:
        assert f'<section aria-labelledby="{view}-title" class="view" id="{view}">' in html
    # per currency, one bar per year and series present in that currency
    sums: dict[str, dict[tuple[int, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in data["transactions"]:
        name = series_of(item["type"])
        if name is not None:
            currency = item.get("currency") or data["default_currency"]
            sums[currency][(item["date"].year, name)] += item["amount"]
    expected = sum(len({y for y, _ in s}) * len({n for _, n in s}) for s in sums.values())
    assert parsed.marks["transaction"] == expected == 8
    assert 'data-series="commitment"' in html and 'data-series="disbursement"' in html
    # a sum of two disbursements in one year, drawn and in the chart's table
    assert sums["EUR"][(2022, "disbursement")] == Decimal("325000.5")
    assert "325\u202f000.5 EUR" in html
    located = [loc for loc in data["locations"] if "point" in loc]
    assert parsed.marks["location"] == len(located) == 3
    assert html.count('<data class="coords"') == len(located)
    indicators = [i for r in data["results"] for i in r.get("indicators", [])]
    assert parsed.marks["indicator"] == len(indicators) == 2
    assert "<script>union" not in html and "Tunis <hub>" not in html
    assert "Workers&#39; &lt;script&gt;union&lt;/script&gt;" in html
    # the facts list leaves out what the views show
    facts = html.split('id="facts-title"')[1].split("</dl>")[0]
    assert "325\u202f000.5" not in facts and "33.5731" not in facts


def test_views_appear_only_where_the_data_are(released: Path, tmp_path: Path) -> None:
    html = (released / "site" / "project" / "plain" / "index.html").read_text("utf-8")
    for view in VIEWS:
        assert f'id="{view}-title"' not in html
    assert "data-mark" not in html  # its budget stays in the facts list
    assert "100\u202f000" in html


def test_embedded_projects_have_no_iati_views(tmp_path: Path) -> None:
    release(tmp_path, version="1.0.0", date="2026-11-23", site=False)
    site = site_for_release(tmp_path / "1.0.0")
    for html in sorted((site / "project").glob("*/index.html")):
        text = html.read_text("utf-8")
        assert not re.search(r'class="view" id="', text), html


def test_iati_site_rebuilt_alike(released: Path, tmp_path: Path) -> None:
    release(tmp_path, RECORDS, version="1.0.0", date="2026-11-23", site=False)
    assert tree(site_for_release(tmp_path / "1.0.0")) == tree(released / "site")


@pytest.mark.parametrize(("value", "expected"), [
    ("33.5731 -7.5898", (33.5731, -7.5898)), ("-90 180", (-90.0, 180.0)),
    ((12, 3.5), (12.0, 3.5)), ("91 0", None), ("0 181", None), ("north", None),
    ("1 2 3", None), (None, None)])
def test_point_reads_latitude_then_longitude(value: object, expected: object) -> None:
    assert point(value) == expected


coordinates = st.tuples(st.floats(-80, 80), st.floats(-179, 179))


@settings(max_examples=60, deadline=None)
@given(st.lists(coordinates, min_size=1, max_size=8))
def test_map_places_every_point_inside_it_in_order(points: list[tuple[float, float]]) -> None:
    chart = location_map([(n, p, {"en": f"p{n}"}) for n, p in enumerate(points, start=1)])
    svg = str(chart.body)
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert box is not None
    width, height = float(box[1]), float(box[2])
    drawn = [(float(x), float(y)) for x, y in
             re.findall(r'data-mark="location" cx="([-\d.]+)" cy="([-\d.]+)"', svg)]
    assert len(drawn) == chart.marks == len(points)
    for x, y in drawn:
        assert 0 <= x <= width and 0 <= y <= height
    for (lat1, lon1), (x1, y1) in zip(points, drawn, strict=True):
        for (lat2, lon2), (x2, y2) in zip(points, drawn, strict=True):
            if lon1 < lon2 - 0.05:
                assert x1 <= x2
            if lat1 < lat2 - 0.05:
                assert y1 >= y2  # north is up
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched

"""The IATI queries of the library (docs/queries/iati/): run on the records imported
from the shared IATI files, each gives the answer stored beside it, and that answer is
the one computed straight from the XML with lxml (disbursements per donor and year,
commitments against disbursements per activity, indicator progress)."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from lxml import etree

from coopdata.iati.reading.importer import import_iati
from coopdata.sparql.query import open_store, run_query
from coopdata.sparql.results import format_solutions

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "docs" / "queries" / "iati"
SHARED = ROOT.parent / "shared" / "iati" / "activities"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(),
                                reason="../shared/iati is not beside the checkout")

Row = dict[str, str]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    records = tmp_path_factory.mktemp("iati") / "records"
    imported = import_iati(sorted(SHARED.glob("*.xml")), records)
    assert imported.report.valid, imported.report.to_text()
    return open_store(records=records)


def activities() -> list[Any]:
    return [activity for path in sorted(SHARED.glob("*.xml"))
            for activity in etree.parse(str(path)).getroot().iter("iati-activity")]


def answer(store: Any, name: str) -> list[Row]:
    result = run_query(store, (QUERIES / f"{name}.rq").read_text("utf-8"))
    assert isinstance(result, pyoxigraph.QuerySolutions)
    text = format_solutions(result, "csv")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def number(value: str) -> Decimal | None:
    """The decimal a value holds; None where it holds none (an IATI indicator value that
    is not a number, such as "£3,500,000", is not imported)."""
    try:
        return Decimal(value.strip())
    except ArithmeticError:
        return None


def text_of(element: Any, path: str) -> str:
    return (element.findtext(path) or "").strip()


def transactions(activity: Any) -> list[tuple[str, Any, str, Decimal]]:
    """(type code, element, currency, amount) of each transaction of an activity."""
    out = []
    for transaction in activity.findall("transaction"):
        value = transaction.find("value")
        currency = value.get("currency") or activity.get("default-currency")
        out.append((transaction.find("transaction-type").get("code"), transaction,
                    currency, Decimal(value.text.strip())))
    return out


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_query_gives_its_stored_answer(store: Any, path: Path) -> None:
    first, second = path.read_text(encoding="utf-8").splitlines()[:2]
    assert first.startswith("# title: ") and second.startswith("# question: ")
    with open(path.with_suffix(".csv"), encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle))
    assert answer(store, path.stem) == expected  # every query orders its rows


def test_disbursements_per_donor_and_year(store: Any) -> None:
    expected: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    for activity in activities():
        reporter = activity.find("reporting-org").get("ref").strip()
        for code, transaction, currency, amount in transactions(activity):
            if code != "3":
                continue
            provider = transaction.find("provider-org")
            ref = (provider.get("ref") or "").strip() if provider is not None else ""
            name = text_of(provider, "narrative") if provider is not None else ""
            donor = ref or (f"name: {name}" if name else reporter)
            year = transaction.find("transaction-date").get("iso-date")[:4]
            expected[donor, year, currency][0] += amount
            expected[donor, year, currency][1] += 1
    rows = answer(store, "disbursements-per-donor-and-year")
    actual = {(row["donorRef"] or f"name: {row['donorName']}", row["year"], row["currency"]):
              [Decimal(row["total"]), int(row["disbursements"])] for row in rows}
    assert len(rows) == len(actual)
    assert actual == dict(expected)
    assert len({donor for donor, _, _ in actual}) >= 3  # several donors, several years
    assert len({year for _, year, _ in actual}) >= 5


def test_commitments_and_disbursements_per_project(store: Any) -> None:
    expected: dict[tuple[str, str], list[Any]] = {}
    for activity in activities():
        identifier = text_of(activity, "iati-identifier")
        for code, _, currency, amount in transactions(activity):
            if code not in {"2", "3"}:
                continue
            sums = expected.setdefault((identifier, currency), [Decimal(0), Decimal(0), 0, 0])
            sums[code == "3"] += amount
            sums[2 + (code == "3")] += 1
    rows = answer(store, "commitments-and-disbursements-per-project")
    actual = {(row["identifier"], row["currency"]):
              [Decimal(row["committed"]), Decimal(row["disbursed"]),
               int(row["commitments"]), int(row["disbursements"])] for row in rows}
    assert len(rows) == len(actual)
    assert actual == expected
    for row in rows:
        assert Decimal(row["remaining"]) == Decimal(row["committed"]) - Decimal(row["disbursed"])
    # both kinds of project: with commitments, and with disbursements only
    assert {sums[2] > 0 for sums in expected.values()} == {True, False}


def progress(baseline: Decimal | None, target: Decimal | None,
             actual: Decimal | None) -> int | None:
    """fn:round of the per cent from baseline to target (halves round up)."""
    if baseline is None or target is None or actual is None or target == baseline:
        return None
    share = Fraction(100) * Fraction(actual - baseline) / Fraction(target - baseline)
    return math.floor(share + Fraction(1, 2))


def test_indicator_progress(store: Any) -> None:
    expected: Counter[tuple[Any, ...]] = Counter()
    for activity in activities():
        identifier = text_of(activity, "iati-identifier")
        for indicator in activity.iterfind("result/indicator"):
            titles = [(n.text or "").strip() for n in indicator.iterfind("title/narrative")]
            base = indicator.find("baseline")
            year = base.get("year", "") if base is not None else ""
            baseline = number(base.get("value", "")) if base is not None else None
            periods = [(p.find("period-start").get("iso-date"),
                        p.find("period-end").get("iso-date"),
                        number(p.find("target").get("value", "")
                               if p.find("target") is not None else ""),
                        number(p.find("actual").get("value", "")
                               if p.find("actual") is not None else ""))
                       for p in indicator.iterfind("period")]
            # a period that ends before it starts is not imported (docs/iati.md)
            periods = [p for p in periods if p[1] >= p[0]] or [("", "", None, None)]
            for start, end, target, actual in periods:
                expected[identifier, min(titles, default=""), year, baseline, start, end,
                         target, actual, progress(baseline, target, actual)] += 1
    rows = answer(store, "indicator-progress")
    actual_rows = Counter(
        (row["identifier"], row["indicatorTitle"], row["baselineYear"],
         number(row["baseline"]), row["start"], row["end"], number(row["target"]),
         number(row["actual"]), int(row["progress"]) if row["progress"] else None)
        for row in rows)
    assert actual_rows == expected
    # rows with progress, rows where the target equals the baseline, rows without values
    assert any(key[-1] is not None for key in expected)
    assert any(key[3] is not None and key[3] == key[6] for key in expected)
    assert any(key[6] is None for key in expected)

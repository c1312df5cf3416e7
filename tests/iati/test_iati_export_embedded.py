"""IATI out on the embedded dataset: every project or programme whose record holds what IATI
requires (or what the documented rules derive from it) is an activity; the file passes the
official 2.03 schema and the IATI rules; a third-party reader (iatikit, and XPath on the
file) finds the same activities, organisations and money as the records; every other
project is named with what it lacks."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coopdata.iati.writing import rules, xsd
from coopdata.iati.writing.write import export
from coopdata.model.dataset import Dataset, Record
from coopdata.model.dates import PartialDate
from coopdata.model.resources import default_records
from coopdata.records.load import load

TODAY = dt.date(2026, 12, 6)
IATI_ROLES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
"""The curated roles that have an IATI meaning (IATI OrganisationRole), as the records'
code list gives them; partner, steering committee and beneficiary have none."""
DATES = ("planned_start", "actual_start", "planned_end", "actual_end")


def _qualifies(record: Record) -> bool:
    """What IATI requires, read from the record alone: a start (any precision), a status
    stated or derivable (with TODAY after every date of the embedded records, any date
    tells one), a description and a participation in an IATI role."""
    data = record.data
    dated = [data[name] for name in DATES if isinstance(data.get(name), PartialDate)]
    assert all(date.latest < TODAY for date in dated)  # what makes any date tell a status
    return (any(name in data for name in ("planned_start", "actual_start"))
            and bool(data.get("status") or dated)
            and bool(data.get("description") or data.get("objectives")
                     or data.get("other_descriptions"))
            and any(p.get("role") in IATI_ROLES for p in data.get("participations", [])))


def _export(dataset: Dataset, tmp_path: Path) -> Any:
    return export(dataset, tmp_path / "iati-activities.xml", tmp_path / "iati-organisations.xml",
                  today=TODAY)


def _records(dataset: Dataset, exported: Any) -> list[Record]:
    """The project of each activity written, in file order."""
    found = [dataset.get("project", i) for _, i in exported.written.activities]
    assert all(found)
    return found  # type: ignore[return-value]


def _budgets(records: list[Record]) -> dict[str, Decimal]:
    """Budget totals per currency of the records' budgets whose period is known to the day
    (IATI budgets need one)."""
    totals: Counter[str] = Counter()
    for record in records:
        for budget in record.data.get("budgets", []):
            start, end = budget.get("period_start"), budget.get("period_end")
            if all(isinstance(d, PartialDate) and d.precision == "day" for d in (start, end)):
                totals[budget.get("currency") or record.data["default_currency"]] += \
                    Decimal(budget["amount"])
    return dict(totals)


def _read_back(path: Path) -> tuple[list[str], dict[str, Decimal], Counter[tuple[str, str]]]:
    """Identifiers, budget totals per currency and (role, organisation name) of the
    participating organisations, as iatikit and XPath read the file."""
    iatikit = pytest.importorskip("iatikit")
    activities = list(iatikit.Dataset(str(path)).activities)
    budgets: Counter[str] = Counter()
    organisations: Counter[tuple[str, str]] = Counter()
    for activity in activities:
        tree = activity.etree
        for value in tree.xpath("budget/value"):
            budgets[value.get("currency") or tree.get("default-currency")] += \
                Decimal(value.text)
        for org in tree.xpath("participating-org"):
            organisations[(org.get("role"), org.findtext("narrative") or "")] += 1
    return [a.iati_identifier for a in activities], dict(budgets), organisations


def _expected_organisations(dataset: Dataset, records: list[Record]) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    for record in records:
        for participation in record.data.get("participations", []):
            if participation.get("role") in IATI_ROLES:
                org = dataset.get("organisation", participation["organisation"])
                name = participation.get("name") or (org.data["name"] if org else {})
                expected[(IATI_ROLES[participation["role"]],
                          name[sorted(name)[0]] if name else "")] += 1
    return expected


def test_every_project_that_can_be_is_a_valid_activity(tmp_path: Path) -> None:
    dataset, report = load(None)
    assert report.valid
    projects = list(dataset.of_kind("project"))
    assert len(projects) == len(list((default_records() / "projects").glob("*.yaml")))
    expected = [r for r in projects if _qualifies(r)]
    exported = _export(dataset, tmp_path)
    assert [i for _, i in exported.written.activities] == [r.id for r in expected]
    assert expected  # the embedded dataset has activities
    assert exported.valid, [str(f) for f in exported.findings if f.severity == "violation"]
    assert list(xsd.check(exported.activities)) == []
    assert [e for e in rules.check(exported.activities, today=TODAY)
            if e.severity == "violation"] == []
    # every other project is named, at its record, with each thing IATI requires it lacks
    named = {f.record for f in exported.findings if f.code == "iati-not-published"}
    assert named == {r.id for r in projects} - {r.id for r in expected}
    assert all(f.path and f.line for f in exported.findings if f.code == "iati-not-published")


def test_a_third_party_reader_finds_the_same_totals(tmp_path: Path) -> None:
    dataset, _ = load(None)
    exported = _export(dataset, tmp_path)
    records = _records(dataset, exported)
    identifiers, budgets, organisations = _read_back(exported.activities)
    assert identifiers == [identifier for identifier, _ in exported.written.activities]
    assert len(identifiers) == sum(_qualifies(r) for r in dataset.of_kind("project"))
    assert budgets == _budgets(records)
    assert organisations == _expected_organisations(dataset, records)
    # a budget of the records that the file lacks is named (no period known to the day)
    for record in records:
        for n, budget in enumerate(record.data.get("budgets", []), start=1):
            start = budget.get("period_start")
            if not (isinstance(start, PartialDate) and start.precision == "day"):
                assert any(f.record == record.id and f.field == f"budgets[{n}]"
                           and f.code == "iati-not-carried" for f in exported.findings)


def test_totals_with_budgets_known_to_the_day(tmp_path: Path) -> None:
    """The same reading on the embedded records where MTD II has dated budgets in two
    currencies: the totals per currency are the records'."""
    folder = tmp_path / "records"
    shutil.copytree(default_records(), folder)
    path = folder / "projects" / "migrations-territoires-developpement-ii.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "budgets:\n"
        '  - {amount: 500000.25, currency: EUR, period_start: "2020-01-01", '
        'period_end: "2020-12-31"}\n'
        '  - {amount: 250000, currency: EUR, period_start: "2021-01-01", '
        'period_end: "2021-12-31"}\n'
        '  - {amount: 900000, currency: MAD, period_start: "2021-01-01", '
        'period_end: "2021-12-31"}\n'
        '  - {amount: 70000, currency: EUR, period_start: "2022", period_end: "2022"}\n'),
        encoding="utf-8")
    dataset, report = load(folder)
    assert report.valid, report.to_text()
    exported = _export(dataset, tmp_path)
    assert exported.valid
    records = _records(dataset, exported)
    _, budgets, organisations = _read_back(exported.activities)
    assert budgets == _budgets(records) == {"EUR": Decimal("750000.25"),
                                            "MAD": Decimal("900000")}
    assert organisations == _expected_organisations(dataset, records)


def test_derived_statuses_and_partial_dates_are_said(tmp_path: Path) -> None:
    """An activity whose status is derived says so in its type-4 description; one whose
    dates are known to the year only has planned dates whose narratives say so."""
    dataset, _ = load(None)
    exported = _export(dataset, tmp_path)
    iatikit = pytest.importorskip("iatikit")
    by_id = {a.iati_identifier: a for a in iatikit.Dataset(str(exported.activities)).activities}
    for (identifier, _), record in zip(exported.written.activities,
                                       _records(dataset, exported), strict=True):
        tree = by_id[identifier].etree
        other = " ".join(tree.xpath("description[@type='4']/narrative/text()"))
        if record.data.get("status"):
            assert "derived, not stated" not in other
        else:
            assert "derived, not stated" in other and "when this file was written" in other
        for name in DATES:
            date = record.data.get(name)
            if isinstance(date, PartialDate) and date.precision != "day":
                said = tree.xpath(f"activity-date/narrative[starts-with(., '{date}: ')]")
                assert said or name in {f.field for f in exported.findings
                                        if f.record == record.id}
        assert not tree.xpath("activity-date[@type='2' or @type='4']/narrative")

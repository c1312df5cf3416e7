"""Issue 14, cases 6 and 8: dates are ASCII digits in the years the release's own date
code handles; any other digits, in any field that reads digits, are a finding."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.model.dataset import Record
from coopdata.model.dates import DateError, PartialDate
from coopdata.records.dataset import check_records
from coopdata.records.load import load
from coopdata.release.job import release
from tests.conftest import write

# Digits of every script that ``str.isdigit`` (and ``\d``, and ``int``) accept.
_OTHER_DIGITS = [c for c in map(chr, range(0x80, 0x20000)) if c.isdigit()]


def _findings(kind: str, data: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    record = Record(kind, data["id"], f"{kind}.yaml", data)
    _, findings = check_records([record])
    return [(f.code, f.field, f.message) for f in findings]


@pytest.mark.parametrize("text", ["２０２１-０３", "２０２１", "2021-٠٣", "٢٠٢١-03-01",
                                  "२०२१", "2021-0３-01", "²⁰²¹", "𝟐𝟎𝟐𝟏"])
def test_other_digits_in_a_date_are_a_finding_that_says_so(text: str) -> None:
    found = _findings("project", {"id": "p", "type": "project", "title": {"fr": "x"},
                                  "planned_start": text})
    dated = [(code, message) for code, field, message in found if field == "planned_start"]
    assert [code for code, _ in dated] == ["invalid-date"]
    assert "ASCII digits 0-9" in dated[0][1]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from([*"0123456789-- ", *_OTHER_DIGITS[::7]]), max_size=11))
def test_a_date_is_read_only_from_ascii_digits_and_works_everywhere(text: str) -> None:
    """Whatever validation accepts, the release's date code handles: ASCII digits, a
    year 0001-9999, and its first and last days exist."""
    try:
        date = PartialDate.parse(text)
    except DateError as exc:
        if any(c.isdigit() and not c.isascii() for c in text):
            assert "digits other than the ASCII digits 0-9" in str(exc)
        return
    assert str(date) == text.strip() and str(date).isascii()
    assert date.earliest <= date.latest  # (neither raises)


@pytest.mark.parametrize("text", ["0000", "0000-01", "0000-12-31"])
def test_year_zero_is_a_finding(text: str) -> None:
    with pytest.raises(DateError, match="there is no year 0000"):
        PartialDate.parse(text)


@pytest.mark.parametrize("text, last", [("9999", "9999-12-31"), ("9999-12", "9999-12-31"),
                                        ("9999-12-31", "9999-12-31"), ("0001-01", "0001-01-31"),
                                        ("2024-02", "2024-02-29"), ("2023-02", "2023-02-28")])
def test_the_years_at_the_edges_of_the_calendar_have_a_last_day(text: str, last: str) -> None:
    assert PartialDate.parse(text).latest.isoformat() == last


def test_other_digits_in_amounts_and_codes_are_refused() -> None:
    found = _findings("project", {
        "id": "p", "type": "project", "title": {"fr": "x"}, "status": "２",
        "budgets": [{"amount": "１２", "currency": "EUR"}]})
    assert {(code, field) for code, field, _ in found} >= {
        ("unknown-code", "status"), ("type-error", "budgets[1].amount")}


def test_year_zero_validates_as_a_finding_and_release_does_not_crash(
        records: Path, tmp_path: Path) -> None:
    first = records / "projects" / "first.yaml"
    text = first.read_text(encoding="utf-8")
    write(first, text.replace('actual_start: "2012-07"', 'planned_start: "0000"\n'
                              'actual_start: "2012-07"'))
    _, report = load(records)
    assert [(f.code, f.field, f.message) for f in report.findings if f.code != "id-mismatch"] \
        == [("invalid-date", "planned_start", '"0000" is not a real date: there is no year 0000 '
             "(years run from 0001 to 9999)")]
    # the last year of the calendar is a date the release handles to its end
    write(first, text.replace('status: closed', 'status: implementation')
          .replace('actual_end: "2015-06"', 'planned_end: "9999-12"'))
    done = release(tmp_path / "out", records, version="1.0.0", date="2026-01-01", site=False)
    assert (tmp_path / "out" / "1.0.0").is_dir(), done


def test_other_digits_message_names_them() -> None:
    with pytest.raises(DateError) as caught:
        PartialDate.parse("２０２１-03")
    assert unicodedata.name("２") in str(caught.value)

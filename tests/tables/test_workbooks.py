"""Import that curators can live with (issue 18, item 2): workbooks (.xlsx, .ods) with a
sheet per table, and `import --into` that updates a records folder in place, writing
only the records that changed and keeping their files' layout."""

from __future__ import annotations

import datetime
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from coopdata import RecordsInvalid, read_tables
from coopdata.cli import main
from coopdata.model.dataset import Dataset
from coopdata.records.files import record_files
from coopdata.records.load import load
from coopdata.records.update import updated_text
from coopdata.release.build import export_tables, import_into, workbook_sheets
from coopdata.tables.layout import tables
from coopdata.tables.workbook import (
    SHEET_NAME_LIMIT,
    sheet_name,
    table_of_sheet,
    write_workbook,
)
from tests.conftest import FIXTURES
from tests.strategies import datasets

SETTINGS = settings(max_examples=15, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


def plain(dataset: Dataset) -> dict[tuple[str, str], object]:
    return {(r.kind, r.id): r.data for r in dataset}


def tabular(value: object) -> object:
    """``value`` without the empty objects (``loan_terms: {}``) that the generated records
    may hold: no table has a row or a cell for them, in CSV as in a workbook."""
    if isinstance(value, dict):
        return {k: tabular(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [tabular(v) for v in value]
    return value


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("books")
    export_tables(folder / "records.xlsx", FIXTURES / "records", workbook="xlsx")
    export_tables(folder / "records.ods", FIXTURES / "records", workbook="ods")
    return folder


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", target)
    monkeypatch.chdir(tmp_path)
    return target


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def set_cell(book: Path, table: str, match: dict[str, str], column: str, value: object,
             out: Path) -> int:
    """Set a cell of an xlsx workbook (as a spreadsheet user would, typed); its row."""
    workbook = load_workbook(book)
    sheet = workbook[sheet_name(table)]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if all(row[header.index(k)].value == v for k, v in match.items()):
            row[header.index(column)].value = value
            workbook.save(out)
            return row[0].row
    raise AssertionError(f"no row {match} in {table}")


# --- sheets ----------------------------------------------------------------------------

def test_every_table_has_a_sheet_excel_opens_and_it_reads_back() -> None:
    names = [sheet_name(t.name) for t in tables()]
    assert all(0 < len(n) <= SHEET_NAME_LIMIT for n in names)
    assert len(set(names)) == len(names)
    assert all(table_of_sheet(sheet_name(t.name)) == table_of_sheet(t.name) == t.name
               for t in tables())
    assert sheet_name("project_budgets") == "project_budgets"


# --- the round trip --------------------------------------------------------------------

@SETTINGS
@given(datasets())
def test_an_xlsx_export_imports_as_the_same_records(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as directory:
        book = Path(directory) / "records.xlsx"
        write_workbook(book, list(workbook_sheets(dataset)), "xlsx")
        imported, report = read_tables(book)
    assert [f for f in report.findings if f.code != "missing-reference"] == []
    assert tabular(plain(imported)) == tabular(plain(dataset))


@settings(SETTINGS, max_examples=5)
@given(datasets())
def test_an_ods_export_imports_as_the_same_records(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as directory:
        book = Path(directory) / "records.ods"
        write_workbook(book, list(workbook_sheets(dataset)), "ods")
        imported, report = read_tables(book)
    assert [f for f in report.findings if f.code != "missing-reference"] == []
    assert tabular(plain(imported)) == tabular(plain(dataset))


@pytest.mark.parametrize("ending", ["xlsx", "ods"])
def test_export_tables_then_import_gives_the_same_records(books: Path, tmp_path: Path,
                                                          ending: str) -> None:
    code, stdout, stderr = run("import", str(books / f"records.{ending}"), "--out",
                               str(tmp_path / "new"))
    assert code == 0, stderr
    assert stdout.splitlines()[0] == f"read 54 rows from {len(tables())} tables in " \
                                     f"{books / f'records.{ending}'}"
    assert plain(load(tmp_path / "new")[0]) == plain(load(FIXTURES / "records")[0])


def test_cells_a_spreadsheet_typed_read_as_the_csv_would_hold_them(books: Path,
                                                                   tmp_path: Path) -> None:
    book = tmp_path / "typed.xlsx"
    set_cell(books / "records.xlsx", "project_budgets", {"project": "second", "position": "1"},
             "amount", 4200000, book)
    set_cell(book, "project_results_targets", {"project": "second", "position": "2"},
             "at_least", False, book)
    set_cell(book, "projects", {"id": "second"}, "actual_start", datetime.datetime(2018, 3, 16),
             book)
    set_cell(book, "project_budgets", {"project": "second", "position": "2"}, "amount", 2.75,
             book)
    imported, report = read_tables(book)
    assert report.valid, report.to_text()
    second = next(r for r in imported if r.id == "second").data
    assert str(second["budgets"][0]["amount"]) == "4200000"
    assert str(second["budgets"][1]["amount"]) == "2.75"
    assert second["results"][0]["targets"][1]["at_least"] is False
    assert str(second["actual_start"]) == "2018-03-16"


def test_a_workbook_is_never_written_over_a_file(books: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.xlsx").write_bytes(b"edits")
    code, _, stderr = run("export-tables", "--records", str(FIXTURES / "records"),
                          "--format", "xlsx", "--out", str(tmp_path / "mine.xlsx"))
    assert code == 2 and "already exists" in stderr
    assert (tmp_path / "mine.xlsx").read_bytes() == b"edits"
    code, _, stderr = run("export-tables", "--records", str(FIXTURES / "records"),
                          "--format", "ods", "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and "ending in .ods" in stderr


# --- findings in workbooks -------------------------------------------------------------

def test_a_bad_cell_is_reported_at_its_sheet_and_row(books: Path, tmp_path: Path) -> None:
    book = tmp_path / "bad.xlsx"
    row = set_cell(books / "records.xlsx", "project_results_targets",
                   {"project": "second", "parent_position": "1", "position": "2"}, "value",
                   "4,1 M", book)
    _, report = read_tables(book)
    assert [(f.path, f.line, f.record, f.field, f.code) for f in report.findings] == [
        (f"{book}[project_results_targets]", row, "second", "results[1].targets[2].value",
         "type-error")]


def test_missing_and_unknown_sheets(books: Path, tmp_path: Path) -> None:
    workbook = load_workbook(books / "records.xlsx")
    del workbook["project_budgets"]
    workbook.create_sheet("Notes")
    workbook.save(tmp_path / "b.xlsx")
    _, report = read_tables(tmp_path / "b.xlsx")
    assert sorted((f.path, f.code, f.severity) for f in report.findings) == [
        (f"{tmp_path / 'b.xlsx'}[Notes]", "unknown-table", "warning"),
        (f"{tmp_path / 'b.xlsx'}[project_budgets]", "missing-table", "violation")]


def test_a_damaged_workbook_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    for name in ("x.xlsx", "x.ods"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 not really")
        _, report = read_tables(tmp_path / name)
        assert [f.code for f in report.findings] == ["unreadable-table"]


# --- import --into ---------------------------------------------------------------------

def test_into_with_nothing_changed_writes_nothing(records: Path, books: Path) -> None:
    before = snapshot(records)
    code, stdout, stderr = run("import", str(books / "records.xlsx"), "--into", "records")
    assert code == 0, stderr
    assert stderr.splitlines()[0] == "reading 13 records from records"
    assert stdout.splitlines()[-1] == "updated records from 13 records: 0 changed, 0 added, " \
                                      "13 unchanged"
    assert snapshot(records) == before


def test_into_rewrites_only_the_changed_record_and_keeps_its_layout(records: Path,
                                                                    books: Path) -> None:
    second = records / "projects" / "second.yaml"
    second.write_text("# curated by hand\n" + second.read_text(encoding="utf-8")
                      .replace("currency: EUR\n", "currency: EUR  # as signed\n"),
                      encoding="utf-8")
    before = snapshot(records)
    book = records.parent / "edited.xlsx"
    set_cell(books / "records.xlsx", "project_budgets", {"project": "second", "position": "1"},
             "amount", 4200000, book)
    code, stdout, stderr = run("import", str(book), "--into", "records")
    assert code == 0, stderr
    assert stdout.splitlines()[1:] == [
        "changed project/second: budgets[1].amount 1250000 → 4200000",
        "updated records from 13 records: 1 changed, 0 added, 12 unchanged"]
    after = snapshot(records)
    assert {k for k in after if after[k] != before[k]} == {"projects/second.yaml"}
    old_lines = before["projects/second.yaml"][0].decode().splitlines()
    new_lines = second.read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b] == [
        ("  - amount: 1250000", "  - amount: 4200000")]


def test_into_adds_records_and_refuses_to_remove_any(records: Path, books: Path,
                                                     tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "records" / "persons" / "guest.yaml",
                records / "persons" / "other-guest.yaml")
    (records / "persons" / "other-guest.yaml").write_text(
        (records / "persons" / "other-guest.yaml").read_text(encoding="utf-8")
        .replace("id: guest", "id: other-guest"), encoding="utf-8")
    before = snapshot(records)
    code, stdout, stderr = run("import", str(books / "records.xlsx"), "--into", "records")
    assert code == 1
    assert stderr.splitlines()[1:] == [
        "records/persons/other-guest.yaml other-guest: the tables have no person other-guest: "
        "import --into never deletes a record file; delete it yourself if it should go, or put "
        "its rows back in the tables [not-in-tables]",
        "invalid: 14 records: 1 violation, 0 warnings, 0 infos",
        "nothing was written"]
    assert snapshot(records) == before
    (records / "persons" / "guest.yaml").unlink()
    code, stdout, stderr = run("import", str(books / "records.xlsx"), "--into", "records")
    assert code == 1 and snapshot(records) != before  # (the deletion above, nothing else)
    (records / "persons" / "other-guest.yaml").unlink()
    code, stdout, stderr = run("import", str(books / "records.xlsx"), "--into", "records")
    assert code == 0, stderr
    assert stdout.splitlines()[1:] == [
        "added person/guest (records/persons/guest.yaml)",
        "updated records from 13 records: 0 changed, 1 added, 12 unchanged"]


def test_an_invalid_import_into_writes_nothing(records: Path, books: Path) -> None:
    before = snapshot(records)
    book = records.parent / "bad.xlsx"
    set_cell(books / "records.xlsx", "project_budgets", {"project": "second", "position": "1"},
             "amount", -5, book)  # a number to the record checks; SHACL refuses it
    set_cell(book, "projects", {"id": "second"}, "status", "closed", book)
    with pytest.raises(RecordsInvalid):
        import_into(book, records)
    assert snapshot(records) == before


def test_into_and_out_are_one_or_the_other(records: Path, books: Path) -> None:
    assert run("import", str(books / "records.xlsx"))[0] == 2
    assert run("import", str(books / "records.xlsx"), "--out", "x", "--into", "records")[0] == 2
    assert not Path("x").exists()


def test_the_layout_of_every_record_file_survives_an_edit(tmp_path: Path) -> None:
    """Measured on the embedded and fixture records: a record whose note changes is
    rewritten with every other line as it was."""
    from coopdata.model.resources import default_records

    for root in (default_records(), FIXTURES / "records"):
        dataset, _ = load(root)
        for old in dataset:
            new = type(old)(old.kind, old.id, old.path, {**old.data, "note": {"en": "Edited."}})
            text, kept = updated_text(Path(old.path), old, new)
            assert kept, old.path
            before = Path(old.path).read_text(encoding="utf-8").splitlines()
            after = text.splitlines()
            assert len([line for line in after if line not in before]) <= 2, old.path
            assert len([line for line in before if line not in after]) <= 3, old.path


def test_files_coopdata_cannot_read_stop_the_update(records: Path, books: Path) -> None:
    (records / "persons" / "broken.yaml").write_text("id: broken\nname: [x\n", encoding="utf-8")
    before = snapshot(records)
    with pytest.raises(RecordsInvalid) as caught:
        import_into(books / "records.xlsx", records)
    assert [f.code for f in caught.value.report.findings] == ["unreadable-record"]
    assert snapshot(records) == before
    assert sum(1 for _ in record_files(records)) == 14

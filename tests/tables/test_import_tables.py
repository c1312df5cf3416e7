"""`coopdata import` accounts for every table and every column of the package (issue 14,
case 4), says what it read, and points each finding at the file and row it came from
(issue 18, item 2)."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata import RecordsInvalid, read_tables, write_package
from coopdata.cli import main
from coopdata.model.dataset import Dataset
from coopdata.records.load import load
from coopdata.release.build import export_tables, import_tables
from coopdata.tables.cells import rows
from coopdata.tables.layout import tables
from coopdata.tables.read import read_tables_in
from tests.conftest import FIXTURES
from tests.strategies import datasets

TABLES = {t.name: t for t in tables()}
SETTINGS = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("exported") / "tables"
    export_tables(directory, FIXTURES / "records")
    return directory


def plain(dataset: Dataset) -> dict[tuple[str, str], object]:
    return {(r.kind, r.id): r.data for r in dataset}


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)


def copy(exported: Path) -> Path:
    target = Path(tempfile.mkdtemp()) / "tables"
    shutil.copytree(exported, target)
    return target


def codes(directory: Path) -> list[tuple[str, str, str]]:
    """(file name, code, severity) of every finding of reading ``directory``."""
    read = read_tables_in(directory)
    return sorted((Path(f.path or "").name, f.code, f.severity) for f in read.report.findings)


# --- the round trip --------------------------------------------------------------

@SETTINGS
@given(datasets())
def test_exported_tables_import_as_the_same_records(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as directory:
        write_package(dataset, Path(directory))  # what export-tables writes
        read = read_tables_in(directory)
    assert [f for f in read.report.findings if f.code != "missing-reference"] == []
    assert plain(read.dataset) == plain(dataset)
    assert read.tables == len(TABLES)
    assert read.rows == sum(len(list(rows(t, dataset))) for t in tables())


def test_export_then_import_gives_the_same_records(tmp_path: Path) -> None:
    export_tables(tmp_path / "tables", FIXTURES / "records")
    imported, files = import_tables(tmp_path / "tables", tmp_path / "records")
    original, _ = load(FIXTURES / "records")
    assert plain(load(tmp_path / "records")[0]) == plain(original) == plain(imported)
    assert len(files) == len(original)


# --- every table and every column, once ------------------------------------------

@SETTINGS
@given(name=st.sampled_from(sorted(TABLES)), data=st.data())
def test_a_removed_column_is_an_error(exported: Path, name: str, data: st.DataObject) -> None:
    directory = copy(exported)
    rows = read_rows(directory / f"{name}.csv")
    column = data.draw(st.integers(0, len(rows[0]) - 1))
    removed = rows[0][column]
    write_rows(directory / f"{name}.csv", [row[:column] + row[column + 1:] for row in rows])
    read = read_tables_in(directory)
    assert [(Path(f.path or "").name, f.code, f.line) for f in read.report.findings] == [
        (f"{name}.csv", "missing-column", 1)]
    assert f"missing columns: {removed}:" in read.report.findings[0].message
    assert len(read.dataset) == 0
    shutil.rmtree(directory.parent)


@SETTINGS
@given(name=st.sampled_from(sorted(TABLES)), data=st.data())
def test_a_repeated_column_is_an_error(exported: Path, name: str, data: st.DataObject) -> None:
    directory = copy(exported)
    rows = read_rows(directory / f"{name}.csv")
    column = data.draw(st.integers(0, len(rows[0]) - 1))
    at = data.draw(st.integers(0, len(rows[0])))
    write_rows(directory / f"{name}.csv", [row[:at] + [row[column]] + row[at:] for row in rows])
    read = read_tables_in(directory)
    assert [(Path(f.path or "").name, f.code) for f in read.report.findings] == [
        (f"{name}.csv", "repeated-column")]
    assert rows[0][column] in read.report.findings[0].message
    assert len(read.dataset) == 0
    shutil.rmtree(directory.parent)


@SETTINGS
@given(names=st.sets(st.sampled_from(sorted(TABLES)), min_size=1, max_size=4))
def test_a_missing_table_is_an_error(exported: Path, names: set[str]) -> None:
    directory = copy(exported)
    for name in names:
        (directory / f"{name}.csv").unlink()
    assert codes(directory) == sorted((f"{name}.csv", "missing-table", "violation")
                                      for name in names)
    shutil.rmtree(directory.parent)


@pytest.mark.parametrize(("edit", "code"), [
    ("drop-type", "missing-column"), ("twice-note", "repeated-column"),
    ("no-budgets", "missing-table"), ("xlsx", "missing-table")])
def test_the_examples_of_the_issue_exit_1_and_write_nothing(
        exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str,
        code: str) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(exported, "tables")
    if edit == "drop-type":
        rows = read_rows(Path("tables/organisations.csv"))
        at = rows[0].index("type")
        write_rows(Path("tables/organisations.csv"), [r[:at] + r[at + 1:] for r in rows])
    elif edit == "twice-note":
        rows = read_rows(Path("tables/projects.csv"))
        write_rows(Path("tables/projects.csv"), [r + [r[rows[0].index("note_en")]] for r in rows])
    elif edit == "no-budgets":
        Path("tables/project_budgets.csv").unlink()
    else:
        Path("tables/project_budgets.csv").rename("tables/project_budgets.xlsx")
    result = CliRunner().invoke(main, ["import", "tables", "--out", "imported"])
    assert result.exit_code == 1, result.output
    assert f"[{code}]" in result.output and result.output.endswith("nothing was written\n")
    assert "Traceback" not in result.output
    assert not Path("imported").exists()
    if edit == "xlsx":
        assert "project_budgets.xlsx is not read (save it as project_budgets.csv)" \
            in result.output


def test_unknown_files_are_warnings_and_not_read(exported: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(exported, "tables")
    Path("tables/notes.txt").write_text("mine", encoding="utf-8")
    Path("tables/projects.xlsx").write_bytes(b"PK")
    Path("tables/Persons.csv").write_text("id\n", encoding="utf-8")
    Path("tables/budgets.csv").write_text("id\n", encoding="utf-8")
    Path("tables/old").mkdir()
    result = CliRunner().invoke(main, ["import", "tables", "--out", "imported"])
    assert result.exit_code == 0, result.output
    assert result.output == "\n".join([
        f"read 54 rows from {len(TABLES)} tables in tables",
        "tables/Persons.csv: not read: table names are lower case (persons.csv) "
        "[unknown-file] (warning)",
        "tables/budgets.csv: not read: no table is called budgets [unknown-table] (warning)",
        "tables/notes.txt: not read: not a table of the package [unknown-file] (warning)",
        "tables/old: not read: a folder (import reads the CSV files beside it) "
        "[unknown-file] (warning)",
        "tables/projects.xlsx: not read: import reads CSV files only; save it as projects.csv "
        "(comma-separated, UTF-8) [unknown-file] (warning)",
        "valid: 13 records: 0 violations, 5 warnings, 0 infos",
        "imported 13 records into imported: 13 files", ""])


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons (;)"), ("\t", "tabs")])
@pytest.mark.parametrize("table", ["projects", "project_budgets", "persons"])
def test_another_separator_is_said(exported: Path, delimiter: str, name: str,
                                   table: str) -> None:
    directory = copy(exported)
    write_rows(directory / f"{table}.csv", read_rows(directory / f"{table}.csv"), delimiter)
    read = read_tables_in(directory)
    assert [(f.code, f.line, f.message) for f in read.report.findings] == [
        ("wrong-separator", 1, f"the columns are separated by {name}, not commas: save the "
         'table as CSV with commas between cells (in a spreadsheet: CSV, field delimiter ",")')]
    shutil.rmtree(directory.parent)


# --- findings at their own table and row -----------------------------------------

def edit_cell(directory: Path, table: str, match: dict[str, str], column: str,
              value: str) -> int:
    """Set ``column`` of the row matching ``match``; the row's number (1: the header)."""
    rows = read_rows(directory / f"{table}.csv")
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            row[header.index(column)] = value
            write_rows(directory / f"{table}.csv", rows)
            return number
    raise AssertionError(f"no row {match} in {table}")


@pytest.mark.parametrize(("table", "match", "column", "field"), [
    ("project_budgets", {"project": "second", "position": "2"}, "amount",
     "budgets[2].amount"),
    ("project_results_targets", {"project": "second", "parent_position": "1",
                                 "position": "2"}, "value", "results[1].targets[2].value"),
    ("project_milestones", {"project": "second"}, "date", "milestones[1].date"),
    ("projects", {"id": "second"}, "actual_start", "actual_start"),
])
def test_a_bad_cell_is_reported_at_its_own_table_and_row(exported: Path, table: str,
                                                         match: dict[str, str], column: str,
                                                         field: str) -> None:
    directory = copy(exported)
    row = edit_cell(directory, table, match, column, "4,1 M")
    _, report = read_tables(directory)
    assert [(Path(f.path or "").name, f.line, f.record, f.field) for f in report.findings] == [
        (f"{table}.csv", row, "second", field)]
    shutil.rmtree(directory.parent)


def test_items_are_numbered_in_position_order(exported: Path) -> None:
    # positions 1, 2 written as 7, 3: the item of position 3 is budgets[1]
    directory = copy(exported)
    first = edit_cell(directory, "project_budgets", {"project": "second", "position": "1"},
                      "position", "7")
    second = edit_cell(directory, "project_budgets", {"project": "second", "position": "2"},
                       "position", "3")
    edit_cell(directory, "project_budgets", {"project": "second", "position": "7"},
              "amount", "lots")
    _, report = read_tables(directory)
    assert [(f.line, f.field) for f in report.findings] == [(first, "budgets[2].amount")]
    assert second != first
    shutil.rmtree(directory.parent)


def test_a_finding_of_the_later_layers_is_located_too(exported: Path, tmp_path: Path) -> None:
    # a negative amount is a number to the record checks; the SHACL shapes refuse it
    directory = copy(exported)
    row = edit_cell(directory, "project_budgets", {"project": "second", "position": "1"},
                    "amount", "-5")
    with pytest.raises(RecordsInvalid) as caught:
        import_tables(directory, tmp_path / "out")
    assert [(f.layer, Path(f.path or "").name, f.line, f.field)
            for f in caught.value.report.findings] == [
        ("shacl", "project_budgets.csv", row, "budgets[1].amount")]
    assert not (tmp_path / "out").exists()
    shutil.rmtree(directory.parent)

"""Records ↔ tables: lossless both ways, and the CLI's import and export."""

from __future__ import annotations

import csv
import io
import tempfile
from itertools import chain
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata import read_tables, validate, write_package
from coopdata.cli import main
from coopdata.model.dataset import Dataset, Record
from coopdata.records.load import load
from coopdata.tables.cells import columns, rows
from coopdata.tables.layout import TEXT_TYPES, guard, tables
from coopdata.tables.package import _csv_parts, csv_text, table_cells
from coopdata.validate.tables import validate_tables
from tests.conftest import FIXTURES
from tests.strategies import datasets


def plain(dataset: Dataset) -> dict[tuple[str, str], dict[str, object]]:
    return {(r.kind, r.id): r.data for r in dataset}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_records_tables_records_round_trip(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as directory:
        write_package(dataset, Path(directory))
        back, report = read_tables(directory)
    type_problems = [f for f in report.findings if f.code != "missing-reference"]
    assert type_problems == []
    assert plain(back) == plain(dataset)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_csv_text_is_what_csv_writer_writes(dataset: Dataset) -> None:
    # the cells hold commas, quotes, line breaks and formula characters
    for table in tables():
        text = [False] * len(table.keys) + [c.spec.type in TEXT_TYPES for c in table.columns]
        expected = io.StringIO()
        writer = csv.writer(expected, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows([guard(c) if g else c for c, g in zip(row, text, strict=True)]
                         for row in rows(table, dataset))
        assert csv_text(table, dataset) == expected.getvalue()
        # written a few rows at a time (a release's large tables): the same text
        for batch in (1, 2, 3):
            assert "".join(_csv_parts(table, columns(table, dataset), batch=batch)) == \
                expected.getvalue()


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_the_validated_cells_are_the_cells_written(tmp_path: Path) -> None:
    for name in ("fresh", "validated", "given"):
        (tmp_path / name).mkdir()
    dataset, _ = load(FIXTURES / "records")
    write_package(dataset, tmp_path / "fresh")
    cells = table_cells(dataset)
    assert validate_tables(dataset, cells=cells) == validate_tables(dataset) == []
    write_package(dataset, tmp_path / "validated", cells=cells)
    assert files(tmp_path / "validated") == files(tmp_path / "fresh")
    assert validate(FIXTURES / "records").tables == cells  # (what a release then writes)
    # The cells given are what is written, even when the records have changed since.
    second = dataset.get("project", "second")
    assert second is not None
    dataset.add(Record("project", "second", second.path, {**second.data, "status": "closed"}))
    write_package(dataset, tmp_path / "given", cells=cells)
    assert files(tmp_path / "given") == files(tmp_path / "fresh")
    projects = next(t for t in tables() if t.name == "projects")
    assert csv_text(projects, dataset) != (tmp_path / "fresh" / "projects.csv"
                                           ).read_text(encoding="utf-8")


def test_embedded_dataset_round_trips_through_csv(tmp_path: Path) -> None:
    dataset, _ = load()
    write_package(dataset, tmp_path)
    back, report = read_tables(tmp_path)
    assert report.valid, report.to_text()
    assert plain(back) == plain(dataset)


def test_export_edit_import(records: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["export-tables", "--records", "records", "--out", "tables"])
    assert (result.exit_code, result.output) == (0, "reading 13 records from records\n"
                                                    f"wrote {len(tables()) + 1} files into "
                                                    "tables\n")
    projects = Path("tables/projects.csv")
    projects.write_text(projects.read_text(encoding="utf-8").replace("Premier projet",
                                                                     "Premier projet (édité)"),
                        encoding="utf-8")
    result = runner.invoke(main, ["import", "tables", "--out", "imported"])
    assert (result.exit_code, result.output) == (0, f"read 54 rows from {len(tables())} tables in "
                                                    "tables\n"
                                                    "imported 13 records into imported: "
                                                    "13 files\n")
    assert "title: {fr: Premier projet (édité)}" not in Path(
        "imported/projects/first.yaml").read_text(encoding="utf-8")
    edited, report = load("imported")
    assert report.valid
    assert edited.get("project", "first").data["title"] == {"fr": "Premier projet (édité)"}
    original, _ = load("records")
    for record in original:
        if record.id != "first":
            assert edited.get(record.kind, record.id).data == record.data


def test_import_refuses_bad_cells_and_writes_nothing(records: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["export-tables", "--records", "records", "--out", "tables"])
    budgets = Path("tables/project_budgets.csv")
    budgets.write_text(budgets.read_text(encoding="utf-8").replace("1250000.0", "\"4,1 M\""),
                       encoding="utf-8")
    result = runner.invoke(main, ["import", "tables", "--out", "imported"])
    assert result.exit_code == 1
    assert result.output == (  # at the row of the child table that holds the cell
        f"read 54 rows from {len(tables())} tables in tables\n"
        'tables/project_budgets.csv:2 second budgets[1].amount: expected a number, got "4,1 M" '
        "[type-error]\ninvalid: 13 records: 1 violation, 0 warnings, 0 infos\n"
        "nothing was written\n")
    assert not Path("imported").exists()


def test_blank_templates(records: Path) -> None:
    result = CliRunner().invoke(main, ["export-tables", "--blank", "--out", "blank"])
    assert result.exit_code == 0
    assert Path("blank/projects.csv").read_text(encoding="utf-8").count("\n") == 1


def _single_objects(fields, prefix=""):  # type: ignore[no-untyped-def]
    for spec in fields:
        if spec.type == "object" and not spec.many and not any(f.required for f in spec.fields):
            yield prefix + spec.name
        if spec.type == "object" and not spec.many:
            yield from _single_objects(spec.fields, prefix + spec.name + ".")


def test_an_empty_object_is_no_value_in_either_reader(tmp_path: Path) -> None:
    """An object whose fields are all optional, written empty ({} or every field null), is
    dropped by the record checks whichever YAML reader read it, as the tables drop it."""
    from coopdata.model.spec import KINDS

    names = list(_single_objects(KINDS["project"].fields))
    assert "loan_terms" in names
    folder = tmp_path / "projects"
    folder.mkdir()
    lines = ["id: p", "type: project", "title: {en: P}", "sources: [s]"]
    for n, name in enumerate(names):
        lines.append(f"{name}: {{}}" if n % 2 else f"{name}: {{rate_1: null}}"
                     if name == "loan_terms" else f"{name}: {{}}")
    path = folder / "p.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from coopdata.records.dataset import check_records
    from coopdata.records.read import _read_yaml, read_record

    text = path.read_text(encoding="utf-8")
    for reader, (read, _) in (("fast", read_record(path, "project")),
                              ("PyYAML", _read_yaml(text, path, text.encode(), "project"))):
        assert read is not None and set(names) <= set(read.data), reader  # read as written
        dataset, _ = check_records([read])
        (record,) = dataset.of_kind("project")
        assert not set(names) & set(record.data), reader


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(), st.integers(1, 4), st.integers(1, 5))
def test_cells_made_a_chunk_of_records_at_a_time_are_the_cells_made_at_once(
        dataset: Dataset, size: int, batch: int) -> None:
    """Each chunk's columns added to the last (cells.CHUNK records at a time, as a
    million records are; each made cells.BATCH records at a time) are the columns of all
    the records at once, for every table."""
    from coopdata.tables import cells as cells_module

    whole = table_cells(dataset)
    defaults = cells_module.CHUNK, cells_module.BATCH
    cells_module.CHUNK, cells_module.BATCH = size, batch
    try:
        chunked = table_cells(dataset)
        handed = list(cells_module.column_chunks(dataset))
    finally:
        cells_module.CHUNK, cells_module.BATCH = defaults
    for table, cells in whole:  # each table's chunks, one after another, make the table
        its = [c for t, c in handed if t.name == table.name]
        assert [list(chain.from_iterable(column)) for column in zip(*its, strict=True)] \
            == cells
    assert [(t.name, c) for t, c in chunked] == [(t.name, c) for t, c in whole]
    assert all(len({len(column) for column in c}) <= 1 for _, c in whole)

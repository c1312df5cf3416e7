"""Jobs that write validated files: ``coopdata build`` (the graph and the tables),
``export-tables`` (the tables, or a workbook) and ``import`` (tables back into record
files, or into an existing records folder). Nothing is written unless validation passes,
and every output is written completely or not at all (:mod:`coopdata.release.staging`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coopdata.errors import RecordsInvalid, UsageError
from coopdata.model.dataset import Dataset
from coopdata.model.spec import KINDS
from coopdata.model.uris import Uris
from coopdata.rdf.turtle import turtle
from coopdata.records.load import load
from coopdata.records.update import update_records
from coopdata.records.write import record_yaml
from coopdata.release.staging import atomic_directory, check_output, written_files
from coopdata.tables.cells import all_columns
from coopdata.tables.layout import guard
from coopdata.tables.package import write_package
from coopdata.tables.read import TablesRead, read_tables_in
from coopdata.tables.workbook import FORMATS, write_workbook
from coopdata.validate.validation import Validation, validate, validate_dataset

if TYPE_CHECKING:
    from coopdata.records.update import Update


@dataclass
class Build:
    """What :func:`build` wrote."""

    validation: Validation
    directory: Path
    files: list[Path]


def build(out: Path | str, records: Path | str | None = None, *, strict: bool = False,
          uris: Uris | None = None) -> Build:
    """Validate the records and write ``out/graph.ttl`` and ``out/tables/`` (CSV files and
    ``datapackage.json``). Raises :class:`~coopdata.RecordsInvalid` (writing nothing)
    when validation fails.

    An existing ``out`` is replaced only when it holds nothing but coopdata's own earlier
    output (see :mod:`coopdata.release.staging`); else :class:`~coopdata.UsageError`, naming the
    file in the way. No rdflib graph is made: the triples are written as they are."""
    target = Path(out)
    check_output(target, "build")  # before the work: a wrong --out is said at once
    validation = validate(records, uris=uris)
    if not validation.report.passes(strict=strict):
        raise RecordsInvalid(validation.report)
    with atomic_directory(target, command="build") as staging:
        (staging / "tables").mkdir()
        (staging / "graph.ttl").write_bytes(turtle(validation.triples))
        write_package(validation.dataset, staging / "tables", cells=validation.tables)
    return Build(validation, target, written_files(target))


def export_tables(out: Path | str, records: Path | str | None = None, *,
                  blank: bool = False, workbook: str = "csv") -> list[Path]:
    """Write the table templates (``blank``) or the records as tables, for spreadsheets:
    a folder of CSV files with ``datapackage.json`` (``workbook="csv"``), or one ``xlsx``
    or ``ods`` workbook with a sheet per table (see :mod:`coopdata.tables.workbook`), which
    :func:`import_tables` reads back.

    Records that fail the record checks are refused (raising
    :class:`~coopdata.RecordsInvalid`): a value the checks cannot read would be lost
    from its cell. Fix them in the record files first. A workbook is never written over
    an existing file (it may hold edits): :class:`~coopdata.UsageError`.
    """

    target = Path(out)
    if workbook == "csv":
        check_output(target, "export-tables")
    elif workbook not in FORMATS:
        raise UsageError(f"unknown table format {workbook!r}: csv, {', '.join(FORMATS)}")
    else:
        _check_workbook_target(target, workbook, FORMATS[workbook])
    dataset = Dataset()
    if not blank:
        dataset, report = load(records)
        if not report.valid:
            raise RecordsInvalid(report)
    if workbook != "csv":
        write_workbook(target, list(workbook_sheets(dataset)), workbook)
        return [target]
    with atomic_directory(target, command="export-tables") as staging:
        write_package(dataset, staging)
    return written_files(target)


def _check_workbook_target(target: Path, workbook: str, ending: str) -> None:
    if target.suffix.lower() != ending:
        raise UsageError(f"--format {workbook} writes one file: give --out a name ending in "
                         f"{ending}, not {target}")
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} already exists: coopdata never writes a workbook over a "
                         "file (it may hold edits); choose a new name, or move that away")
    if not target.parent.is_dir():
        raise UsageError(f"no folder {target.parent} to write {target.name} into")


def workbook_sheets(dataset: Dataset) -> Iterator[tuple[str, list[list[str]]]]:
    """Each table's name and rows, header first, with the cells of its CSV file (a text
    a spreadsheet would run as a formula guarded by a quote, as in the CSV files)."""
    for table, cells in all_columns(dataset):
        text = {i for i, c in enumerate(table.columns, start=len(table.keys))
                if c.spec.field_type.guarded}
        shown = [[guard(cell) for cell in column] if i in text else column
                 for i, column in enumerate(cells)]
        yield table.name, [list(table.header), *map(list, zip(*shown, strict=True))]


def import_tables(tables_dir: Path | str, out: Path | str, *,
                  read: TablesRead | None = None) -> tuple[Dataset, list[Path]]:
    """Turn filled-in CSV tables into record files under ``out`` (which must be empty or
    absent). Raises :class:`~coopdata.RecordsInvalid` and writes nothing when the tables
    are incomplete (a missing table or column, a repeated column) or hold invalid values.

    ``read``: the tables as :func:`read_tables_in` read them, when the caller has read
    them already (the command prints what was read); its report gets every finding.
    """
    target = Path(out)
    check_output(target, None)
    dataset = _checked(read if read is not None else read_tables_in(tables_dir))
    with atomic_directory(target, command=None) as staging:
        for record in dataset:
            folder = staging / KINDS[record.kind].folder
            folder.mkdir(exist_ok=True)
            (folder / f"{record.id}.yaml").write_text(
                record_yaml(record.kind, record.id, record.data), encoding="utf-8")
    return dataset, sorted(target.rglob("*.yaml"))


def import_into(tables_dir: Path | str, into: Path | str, *,
                read: TablesRead | None = None) -> tuple[Dataset, Update]:
    """Update the records folder ``into`` from filled-in tables (a CSV folder or a
    workbook): only the records whose values changed are written, each in its own file's
    layout as far as it holds the new values (see :mod:`coopdata.records.update`); records are
    added, never removed. Raises :class:`~coopdata.RecordsInvalid` and writes nothing
    when the tables are incomplete or invalid, or lack a record of the folder."""
    dataset = _checked(read if read is not None else read_tables_in(tables_dir))
    return dataset, update_records(into, dataset)


def _checked(read: TablesRead) -> Dataset:
    """The records read from tables, once they pass every check (the record checks, the
    tables and SHACL, each finding located at its table's row); else RecordsInvalid."""
    dataset, report = read.dataset, read.report
    if report.valid:
        validate_dataset(dataset, report)
        read.locate()
    if not report.valid:
        raise RecordsInvalid(report)
    return dataset

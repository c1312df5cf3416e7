"""Build outputs from validated records, and turn tables back into records.

Nothing is written unless validation passes, and every output directory is written
completely or not at all.
"""

from __future__ import annotations

import csv
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ._errors import RecordsInvalid, UsageError
from .checks import check_records
from .dataset import Dataset
from .output import atomic_directory
from .package import write_package
from .recordfile import record_yaml
from .records import MAX_BYTES, Record
from .report import Finding, Report
from .serialize import turtle
from .spec import KINDS
from .tables import Table, TableError, records_from_rows, tables
from .uris import Uris
from .validate import Validation, load, validate, validate_dataset


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
    when validation fails."""
    validation = validate(records, uris=uris)
    if not validation.report.passes(strict=strict):
        raise RecordsInvalid(validation.report)
    assert validation.graph is not None
    target = Path(out)
    with atomic_directory(target, marker="graph.ttl") as staging:
        (staging / "tables").mkdir()
        (staging / "graph.ttl").write_bytes(turtle(validation.triples))
        write_package(validation.dataset, staging / "tables")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    return Build(validation, target, files)


def export_tables(out: Path | str, records: Path | str | None = None, *,
                  blank: bool = False) -> list[Path]:
    """Write the table templates (``blank``) or the records as tables, for spreadsheets.

    Records that fail the record checks are refused (raising
    :class:`~coopdata.RecordsInvalid`): a value the checks cannot read would be lost
    from its cell. Fix them in the record files first.
    """
    dataset = Dataset()
    if not blank:
        dataset, report = load(records)
        if not report.valid:
            raise RecordsInvalid(report)
    target = Path(out)
    with atomic_directory(target, marker="datapackage.json") as staging:
        write_package(dataset, staging)
    return sorted(target.iterdir())


def read_tables(directory: Path | str) -> tuple[Dataset, Report]:
    """Read CSV tables (the layout of ``datapackage/``) into typed records and a report."""
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"no tables directory at {root}")
    known = {t.name: t for t in tables()}
    findings: list[Finding] = []
    table_rows: dict[str, list[dict[str, str]]] = {}
    limit = csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))  # a cell may be
    try:                                                                  # a whole record
        for path in sorted(root.glob("*.csv")):
            table = known.get(path.stem)
            if table is None:
                findings.append(Finding("unknown-table", f"not read: no table is called "
                                        f"{path.stem}", severity="warning", layer="tables",
                                        path=str(path)))
                continue
            rows = _read_table(path, table, findings)
            if rows is not None:
                table_rows[table.name] = rows
    finally:
        csv.field_size_limit(limit)
    if any(f.severity == "violation" for f in findings):
        return Dataset(), Report(findings)
    try:
        plain = records_from_rows(table_rows)
    except TableError as exc:
        findings.append(Finding("table-structure", str(exc), layer="tables", path=str(root)))
        return Dataset(), Report(findings)
    raw = []
    for kind, by_id in plain.items():
        source = root / f"{KINDS[kind].folder}.csv"
        for row, (record_id, data) in enumerate(by_id.items(), start=2):
            raw.append(Record(kind, record_id, str(source), data, {"id": row}))
    dataset, problems = check_records(raw)
    findings.extend(problems)  # each finding points at its record's row of the main table
    return dataset, Report(findings, records=len(raw))


def _read_table(path: Path, table: Table, findings: list[Finding]) -> list[dict[str, str]] | None:
    """The rows of one CSV table, or None (after a finding) when it cannot be read."""
    try:
        with _open_table(path) as handle:
            reader = csv.DictReader(handle, restval="")  # a short row: empty cells
            header = reader.fieldnames or []
            unknown = [c for c in header if c not in table.header]
            if unknown:
                findings.append(Finding("unknown-column", f"unknown columns: "
                                        f"{', '.join(unknown)} (expected: "
                                        f"{', '.join(table.header)})", layer="tables",
                                        path=str(path), line=1))
                return None
            rows: list[dict[str, str]] = []
            for cells in reader:
                if any(cell.strip() for cell in cells.pop(None, [])):
                    raise csv.Error(f"line {reader.line_num} has more cells than the "
                                    f"header ({len(header)}); they would be lost")
                rows.append(cells)
            return rows
    except _Refused as exc:
        findings.append(Finding(exc.code, str(exc), layer="tables", path=str(path)))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        findings.append(Finding("unreadable-table", f"cannot read the table: "
                                f"{getattr(exc, 'strerror', None) or exc}",
                                layer="tables", path=str(path)))
    return None


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _open_table(path: Path) -> TextIO:
    """``path`` opened as UTF-8 text if it is a regular file; a symbolic link (it could
    point anywhere) and a named pipe or device (it could block for ever) are refused."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Refused("symlink-refused", "not read: tables are never symbolic links; "
                           "copy the file here instead") from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _Refused("unreadable-table", "not read: not a regular file (a folder, named "
                       "pipe or device)")
    return open(descriptor, encoding="utf-8-sig", newline="")  # noqa: SIM115


def import_tables(tables_dir: Path | str, out: Path | str) -> tuple[Dataset, list[Path]]:
    """Turn filled-in CSV tables into record files under ``out`` (which must not hold
    records yet). Raises :class:`~coopdata.RecordsInvalid` and writes nothing when the
    tables hold invalid values."""
    dataset, report = read_tables(tables_dir)
    if report.valid:
        report = validate_dataset(dataset, report).report
    if not report.valid:
        raise RecordsInvalid(report)
    target = Path(out)
    with atomic_directory(target, marker=None) as staging:
        for record in dataset:
            folder = staging / KINDS[record.kind].folder
            folder.mkdir(exist_ok=True)
            (folder / f"{record.id}.yaml").write_text(
                record_yaml(record.kind, record.id, record.data), encoding="utf-8")
    return dataset, sorted(target.rglob("*.yaml"))


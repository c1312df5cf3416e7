"""Build outputs from validated records, and turn tables back into records.

Nothing is written unless validation passes, and every output directory is written
completely or not at all.
"""

from __future__ import annotations

import csv
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import count
from pathlib import Path
from typing import TextIO

from coopdata.errors import UsageError
from coopdata.model.dataset import Dataset, RawRecord
from coopdata.model.resources import MARKER
from coopdata.model.spec import KINDS
from coopdata.records.dataset import check_records
from coopdata.records.files import MAX_BYTES
from coopdata.report import Finding, Report
from coopdata.tables.layout import Table, ancestor_keys, tables
from coopdata.tables.rows import TableError, records_from_rows
from coopdata.tables.workbook import (
    WorkbookError,
    read_workbook,
    sheet_name,
    table_of_sheet,
    workbook_format,
)


@dataclass
class TablesRead:
    """What :func:`read_tables_in` read: the typed records, the report, and how much."""

    dataset: Dataset
    report: Report
    rows: int = 0
    """The data rows read, in every table."""
    tables: int = 0
    """The tables read."""
    places: dict[tuple[str, str], dict[str, tuple[str, int]]] = field(
        default_factory=dict, repr=False)
    """(main table, record id) → field path of a child row → (its table, its row)."""

    def summary(self) -> str:
        return f"{self.rows} row{'' if self.rows == 1 else 's'} from {self.tables} " \
               f"table{'' if self.tables == 1 else 's'}"

    def locate(self) -> None:
        """Point each finding on a list item at the row of the child table it came from
        (``project_budgets.csv:6``), not at its record's row of the main table."""
        self.report.findings = [_located(f, self.places) for f in self.report.findings]


def read_tables(directory: Path | str) -> tuple[Dataset, Report]:
    """Read CSV tables (the layout of ``datapackage/``), or a workbook with a sheet per
    table (``.xlsx``, ``.ods``), into typed records and a report."""
    read = read_tables_in(directory)
    return read.dataset, read.report


def read_tables_in(directory: Path | str) -> TablesRead:
    """Read every table of the package in ``directory``, a folder of CSV files or an
    ``.xlsx`` or ``.ods`` workbook (see :func:`read_tables`).

    Every table and every column is accounted for: a missing table or column, a repeated
    column, a file with another separator than the comma are violations (and nothing is
    read); a file or sheet that is not a table of the package is a warning (it is not
    read). Findings name the file (or ``workbook[sheet]``) and row of each value.
    """

    root = Path(directory)
    if root.is_file() and workbook_format(root) is not None:
        return _read_workbook(root)
    if not root.is_dir():
        hint = " (import reads a folder of CSV files, an .xlsx or an .ods workbook)" \
            if root.exists() else ""
        raise UsageError(f"no tables directory at {root}{hint}")
    known = {t.name: t for t in tables()}
    findings: list[Finding] = []
    table_rows: dict[str, list[dict[str, str]]] = {}
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        raise UsageError(f"cannot read the tables directory {root}: {exc.strerror}") from None
    present = {p.name for p in entries}
    limit = csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))  # a cell may be
    try:                                                                  # a whole record
        for path in entries:
            table = known.get(path.stem) if path.suffix == ".csv" else None
            if table is None:
                if path.name not in ("datapackage.json", MARKER):  # (export-tables's)
                    findings.append(_unknown_file(path, known))
                continue
            rows = _read_table(path, table, findings)
            if rows is not None:
                table_rows[table.name] = rows
    finally:
        csv.field_size_limit(limit)
    for name in known:
        if f"{name}.csv" not in present:
            findings.append(_missing_table(root, name, present))
    return _typed(table_rows, findings, str(root), lambda name: str(root / f"{name}.csv"))


def _typed(table_rows: dict[str, list[dict[str, str]]], findings: list[Finding], source: str,
           where: Callable[[str], str], numbers: dict[str, list[int]] | None = None
           ) -> TablesRead:
    """The records of the tables read from ``source``, whose table ``name`` is shown as
    ``where(name)`` in findings (unless a finding stops the reading); ``numbers``: the row
    number of each row of a table, when they are not 2, 3, 4…"""
    numbers = numbers or {}
    read = TablesRead(Dataset(), Report(findings), sum(map(len, table_rows.values())),
                      len(table_rows))
    if any(f.severity == "violation" for f in findings):
        return read
    try:
        plain = records_from_rows(table_rows)
    except TableError as exc:
        findings.append(Finding("table-structure", str(exc), layer="tables", path=source))
        return read
    raw = []
    for kind, by_id in plain.items():
        main = where(KINDS[kind].folder)
        for row, (record_id, data) in zip(numbers.get(KINDS[kind].folder, count(2)),
                                          by_id.items(), strict=False):
            raw.append(RawRecord(kind, record_id, main, data, {"id": row}))
    read.dataset, problems = check_records(raw)
    findings.extend(problems)
    read.report.records = len(raw)
    read.places = _places(where, table_rows, numbers)
    read.locate()
    return read


def _read_workbook(path: Path) -> TablesRead:
    """:func:`read_tables_in` for a workbook: one sheet per table, named as
    :func:`~coopdata.tables.workbook.sheet_name` names it (or by its full table name)."""

    known = {t.name: t for t in tables()}
    try:
        sheets = read_workbook(path)
    except WorkbookError as exc:
        return TablesRead(Dataset(), Report([Finding("unreadable-table", str(exc),
                                                     layer="tables", path=str(path))]))
    findings: list[Finding] = []
    table_rows: dict[str, list[dict[str, str]]] = {}
    numbers: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for name, rows in sheets:
        where = f"{path}[{name}]"
        table_name = table_of_sheet(name)
        if table_name is None:
            close = table_of_sheet(name.strip()) or table_of_sheet(name.lower())
            message = f"not read: sheet names are {sheet_name(close)} (as export-tables " \
                "writes them)" if close else "not read: no table is called " + name
            findings.append(Finding("unknown-table", message, severity="warning",
                                    layer="tables", path=where))
            continue
        if table_name in table_rows:
            findings.append(Finding("repeated-table", f"the table {table_name} is also in the "
                                    f"sheet {shown[table_name]}: one would be lost",
                                    layer="tables", path=where))
            continue
        shown[table_name] = name
        header = rows[0] if rows else []
        problem = _header_problem(header, known[table_name])
        if problem is not None:
            findings.append(Finding(problem[0], problem[1], layer="tables", path=where,
                                    line=1))
            continue
        table_rows[table_name], numbers[table_name] = _sheet_rows(rows, header, where,
                                                                 findings)
    for name in known:
        if name not in shown:
            findings.append(Finding(
                "missing-table", f"the sheet {sheet_name(name)} (table {name}) is missing: "
                "import needs every table of the package, so that nothing is lost (a table "
                "without rows is its header line; `coopdata export-tables --blank --format "
                f"{path.suffix.lower().lstrip('.')}` writes them all)",
                layer="tables", path=f"{path}[{sheet_name(name)}]"))
    return _typed(table_rows, findings, str(path), lambda name: f"{path}[{shown[name]}]",
                  numbers)


def _sheet_rows(rows: list[list[str]], header: list[str], where: str,
                findings: list[Finding]) -> tuple[list[dict[str, str]], list[int]]:
    """The data rows of a sheet as cells by column name, and their row numbers; empty
    rows are skipped, as in a CSV file."""
    cells: list[dict[str, str]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) > len(header):
            findings.append(Finding("unreadable-table", f"the row has more cells than the "
                                    f"header ({len(header)}); they would be lost",
                                    layer="tables", path=where, line=number))
            continue
        cells.append(dict(zip(header, [*row, *[""] * (len(header) - len(row))], strict=True)))
        numbers.append(number)
    return cells, numbers


def _unknown_file(path: Path, known: dict[str, Table]) -> Finding:
    """The warning for a file in the tables directory that is not a table of the package."""
    stem = path.name.split(".")[0]
    if path.is_dir() and not path.is_symlink():
        message = "not read: a folder (import reads the CSV files beside it)"
    elif path.suffix == ".csv" and path.stem.lower() not in known:
        return Finding("unknown-table", f"not read: no table is called {path.stem}",
                       severity="warning", layer="tables", path=str(path))
    elif path.suffix == ".csv" or path.name.lower() == f"{stem.lower()}.csv":
        message = f"not read: table names are lower case ({stem.lower()}.csv)"
    elif stem.lower() in known:
        message = (f"not read: import reads CSV files only; save it as {stem.lower()}.csv "
                   "(comma-separated, UTF-8)")
    else:
        message = "not read: not a table of the package"
    return Finding("unknown-file", message, severity="warning", layer="tables", path=str(path))


def _missing_table(root: Path, name: str, present: set[str]) -> Finding:
    others = sorted(n for n in present if n.split(".")[0].lower() == name
                    and n != f"{name}.csv")
    beside = f"; {', '.join(others)} is not read (save it as {name}.csv)" if others else ""
    return Finding("missing-table", f"{name}.csv is missing: import needs every table of the "
                   "package, so that nothing is lost (a table without rows is its header "
                   f"line; `coopdata export-tables --blank` writes them all){beside}",
                   layer="tables", path=str(root / f"{name}.csv"))


def _places(where: Callable[[str], str], table_rows: dict[str, list[dict[str, str]]],
            row_numbers: dict[str, list[int]]
            ) -> dict[tuple[str, str], dict[str, tuple[str, int]]]:
    """For each record, the table and row each of its list items came from, by field path
    (``budgets[2]``, ``results[1].targets[3]``): items are numbered in position order."""
    positions: dict[tuple[str, str, tuple[int, ...]], list[int]] = {}
    children = [t for t in tables() if t.field_path and not t.translations]
    for table in children:
        ancestors = ancestor_keys(len(table.field_path))
        for cells in table_rows.get(table.name, []):
            outer = tuple(int(cells[key]) for key in ancestors)
            positions.setdefault((table.name, cells[table.kind.name], outer), []).append(
                int(cells["position"]))
    for numbers in positions.values():
        numbers.sort()
    by_path = {t.field_path: t.name for t in children}
    places: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}
    for table in children:
        kind, ancestors = table.kind.name, ancestor_keys(len(table.field_path))
        main = where(table.kind.folder)
        for number, cells in zip(row_numbers.get(table.name, count(2)),
                                 table_rows.get(table.name, []), strict=False):
            owner = cells[kind]
            chain = [int(cells[key]) for key in ancestors] + [int(cells["position"])]
            steps = []
            for level, name in enumerate(table.field_path):
                siblings = positions.get((by_path[table.field_path[:level + 1]], owner,
                                          tuple(chain[:level])), [])
                if chain[level] not in siblings:
                    break  # (a row whose parent is missing: records_from_rows refused it)
                steps.append(f"{name}[{siblings.index(chain[level]) + 1}]")
            else:
                places.setdefault((main, owner), {})[".".join(steps)] = (
                    where(table.name), number)
    return places


def _located(finding: Finding, places: dict[tuple[str, str], dict[str, tuple[str, int]]]
             ) -> Finding:
    """``finding`` pointed at the child table row of its field, if it has one."""
    rows = places.get((finding.path or "", finding.record or ""))
    field_path = finding.field
    while rows and field_path:
        if field_path in rows:
            path, line = rows[field_path]
            return replace(finding, path=path, line=line)
        cut = max(field_path.rfind("."), field_path.rfind("["))
        field_path = field_path[:cut] if cut > 0 else None
    return finding


def _read_table(path: Path, table: Table, findings: list[Finding]) -> list[dict[str, str]] | None:
    """The rows of one CSV table, or None (after a finding) when it cannot be read."""
    try:
        with open_table(path) as handle:
            reader = csv.DictReader(handle, restval="")  # a short row: empty cells
            header = reader.fieldnames or []
            problem = _header_problem(list(header), table)
            if problem is not None:
                findings.append(Finding(problem[0], problem[1], layer="tables",
                                        path=str(path), line=1))
                return None
            rows: list[dict[str, str]] = []
            for cells in reader:
                if any(cell.strip() for cell in cells.pop(None, [])):
                    raise csv.Error(f"line {reader.line_num} has more cells than the "
                                    f"header ({len(header)}); they would be lost")
                rows.append(cells)
            return rows
    except _TableRefused as exc:
        findings.append(Finding(exc.code, str(exc), layer="tables", path=str(path)))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        findings.append(Finding("unreadable-table", f"cannot read the table: "
                                f"{getattr(exc, 'strerror', None) or exc}",
                                layer="tables", path=str(path)))
    return None


_SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _header_problem(header: list[str], table: Table) -> tuple[str, str] | None:
    """(code, message) for a header that does not name each column of ``table`` once."""
    expected = f"(expected: {', '.join(table.header)})"
    if not header:
        return "missing-column", f"the file is empty: its first line must be the header {expected}"
    missing = [c for c in table.header if c not in header]
    if missing:
        for separator, name in _SEPARATORS.items():
            cells = [c.strip() for c in ",".join(header).split(separator)]
            if len(set(cells) & set(table.header)) > max(1, len(set(header) & set(table.header))):
                return "wrong-separator", (f"the columns are separated by {name}, not commas: "
                                           "save the table as CSV with commas between cells "
                                           "(in a spreadsheet: CSV, field delimiter \",\")")
    repeated = sorted({c for c in header if header.count(c) > 1}, key=header.index)
    if repeated:
        numbers = {c: ", ".join(str(i + 1) for i, h in enumerate(header) if h == c)
                   for c in repeated}
        where = "; ".join(f"{c} (columns {numbers[c]})" for c in repeated)
        return "repeated-column", f"a column is given more than once, one would be lost: " \
                                  f"{where}"
    unknown = [c for c in header if c not in table.header]
    if unknown:
        names = ", ".join(c if c and c == c.strip() else repr(c) for c in unknown)
        return "unknown-column", f"unknown columns: {names} {expected}"
    if missing:
        return "missing-column", (f"missing columns: {', '.join(missing)}: their values would "
                                  f"be lost; add them, even empty {expected}")
    return None


class _TableRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def open_table(path: Path) -> TextIO:
    """``path`` opened as UTF-8 text if it is a regular file; a symbolic link (it could
    point anywhere) and a named pipe or device (it could block for ever) are refused."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _TableRefused("symlink-refused", "not read: tables are never symbolic links; "
                                "copy the file here instead") from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _TableRefused("unreadable-table", "not read: not a regular file (a folder, named "
                            "pipe or device)")
    return open(descriptor, encoding="utf-8-sig", newline="")  # noqa: SIM115


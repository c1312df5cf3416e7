"""The tables as one spreadsheet workbook: one sheet per table, ``.xlsx`` or ``.ods``.

:func:`write_workbook` writes the cells export-tables writes to CSV, every cell as text
(so that a spreadsheet neither turns ``2013-06`` into a date nor ``007`` into 7), and
:func:`read_workbook` reads a workbook back as rows of text, whatever type the spreadsheet
gave a cell since (numbers, dates, booleans are written back as the CSV cell would hold
them). xlsx is written and read with openpyxl, ods with odfpy.

Excel refuses sheet names longer than 31 characters, and 25 tables have longer names:
their sheets are named by :func:`sheet_name` (words shortened from the left, ``project``
→ ``pro``, until the name fits), and :func:`table_of_sheet` reads both names back.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from coopdata.errors import UsageError
from coopdata.tables.layout import tables

FORMATS = {"xlsx": ".xlsx", "ods": ".ods"}
"""Workbook formats and their file name endings."""

SHEET_NAME_LIMIT = 31
"""The longest sheet name Excel opens."""

XLSX_CELL_LIMIT = 32_767
"""The most characters an xlsx cell holds (Excel's limit, checked before writing)."""


class WorkbookError(Exception):
    """A workbook that cannot be read: not a workbook of its format, or damaged."""


def workbook_format(path: Path) -> str | None:
    """``xlsx`` or ``ods`` for a file name with that ending, else None."""
    suffix = path.suffix.lower()
    return next((name for name, ending in FORMATS.items() if ending == suffix), None)


def sheet_name(table: str) -> str:
    """The sheet of ``table``: its name when it fits in 31 characters, else its words
    shortened to three letters from the left until it fits
    (``project_results_indicators_periods`` → ``pro_res_indicators_periods``)."""
    words = table.split("_")
    for index in range(len(words) + 1):
        name = "_".join([w[:3] for w in words[:index]] + words[index:])
        if len(name) <= SHEET_NAME_LIMIT:
            return name
    return table[:SHEET_NAME_LIMIT]  # (never: every table fits once shortened)


@cache
def _sheets() -> dict[str, str]:

    names: dict[str, str] = {}
    for table in tables():
        for name in (sheet_name(table.name), table.name):
            if names.setdefault(name, table.name) != table.name:
                raise AssertionError(f"two tables would share the sheet {name}")
    return names


def table_of_sheet(name: str) -> str | None:
    """The table a sheet holds, by its sheet name or its full table name; None if none."""
    return _sheets().get(name)


# --- writing ---------------------------------------------------------------------------

def write_workbook(path: Path, sheets: Sequence[tuple[str, list[list[str]]]],
                   workbook: str) -> None:
    """Write ``sheets`` (table name, rows of text with the header first) to ``path`` as an
    ``xlsx`` or ``ods`` workbook, through a temporary file: ``path`` is there complete or
    not at all. Raises :class:`~coopdata.UsageError` for a cell the format cannot hold."""
    if workbook == "xlsx":
        for table, rows in sheets:
            for number, row in enumerate(rows, start=1):
                for column, cell in enumerate(row):
                    if len(cell) > XLSX_CELL_LIMIT:
                        raise UsageError(
                            f"{table} row {number}, column {rows[0][column]}: the cell holds "
                            f"{len(cell)} characters, more than the {XLSX_CELL_LIMIT} an xlsx "
                            "cell holds; use --format ods or csv")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                    dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        (_write_xlsx if workbook == "xlsx" else _write_ods)(partial, sheets)
        os.chmod(partial, 0o644)
        _put_in_place(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _put_in_place(partial: Path, path: Path) -> None:
    """Give the complete ``partial`` file the name ``path``, never over a file that
    appeared there while the workbook was written (a hard link fails when the name is
    taken; where hard links are not supported, the name is checked just before)."""
    try:
        os.link(partial, path)
    except FileExistsError:
        raise UsageError(f"{path} appeared while the workbook was written: coopdata never "
                         "writes a workbook over a file (it may hold edits); choose a new "
                         "name, or move that away") from None
    except OSError:  # no hard links on this filesystem
        if os.path.lexists(path):
            raise UsageError(f"{path} appeared while the workbook was written: coopdata "
                             "never writes a workbook over a file; choose a new name, or "
                             "move that away") from None
        os.replace(partial, path)


def _write_xlsx(path: Path, sheets: Sequence[tuple[str, list[list[str]]]]) -> None:
    from openpyxl import Workbook  # openpyxl: only .xlsx workbooks need it
    from openpyxl.cell import WriteOnlyCell  # openpyxl: only .xlsx workbooks need it

    # openpyxl: only .xlsx workbooks need it
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook(write_only=True)
    for table, rows in sheets:
        sheet = book.create_sheet(sheet_name(table))
        for number, row in enumerate(rows, start=1):
            cells = []
            for value in row:
                try:
                    cell = WriteOnlyCell(sheet, value=value or None)
                except IllegalCharacterError:
                    raise UsageError(f"{table} row {number}: a cell holds a control character "
                                     "that xlsx cannot hold; use --format ods or csv") from None
                if value:
                    cell.data_type = "s"  # text, never a formula nor a number
                cells.append(cell)
            sheet.append(cells)
    book.save(path)


def _write_ods(path: Path, sheets: Sequence[tuple[str, list[list[str]]]]) -> None:
    from odf import teletype  # odfpy: only .ods workbooks need it
    from odf.opendocument import OpenDocumentSpreadsheet  # odfpy: only .ods workbooks need it
    from odf.table import Table, TableCell, TableRow  # odfpy: only .ods workbooks need it
    from odf.text import P  # odfpy: only .ods workbooks need it

    document = OpenDocumentSpreadsheet()
    for table, rows in sheets:
        sheet = Table(name=sheet_name(table))
        for row in rows:
            element = TableRow()
            for value in row:
                if not value:
                    element.addElement(TableCell())
                    continue
                cell = TableCell(valuetype="string")
                for line in value.split("\n"):  # one paragraph a line, as LibreOffice does
                    paragraph = P()
                    teletype.addTextToElement(paragraph, line)
                    cell.addElement(paragraph)
                element.addElement(cell)
            sheet.addElement(element)
        document.spreadsheet.addElement(sheet)
    document.save(str(path))


# --- reading ---------------------------------------------------------------------------

def read_workbook(path: Path) -> list[tuple[str, list[list[str]]]]:
    """The sheets of the workbook at ``path``: (sheet name, rows of text cells), empty
    rows and cells at the end left out. Raises :class:`WorkbookError` when it cannot be
    read as the workbook its name says."""
    workbook = workbook_format(path)
    try:
        if workbook == "xlsx":
            return _read_xlsx(path)
        if workbook == "ods":
            return _read_ods(path)
    except WorkbookError:
        raise
    except OSError as exc:
        raise WorkbookError(f"cannot read the workbook: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - a damaged zip or XML: any error of the readers
        raise WorkbookError(f"cannot read the file as {workbook}: {exc}") from None
    raise WorkbookError(f"not a workbook: {path.name} (import reads .xlsx and .ods)")


def _read_xlsx(path: Path) -> list[tuple[str, list[list[str]]]]:
    from openpyxl import load_workbook  # openpyxl: only .xlsx workbooks need it

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [(sheet.title, _trimmed([[_text(v) for v in row]
                                        for row in sheet.iter_rows(values_only=True)]))
                for sheet in book.worksheets]
    finally:
        book.close()


def _text(value: Any) -> str:
    """A cell value of any type as the CSV cell would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(repr(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() \
            else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _number(text: str) -> str:
    """A number as written in a table: no exponent, no trailing zeros (``4200000``,
    ``2.5``); text that is no number stays as it is."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    shown = format(number, "f")
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _read_ods(path: Path) -> list[tuple[str, list[list[str]]]]:
    from odf.opendocument import load  # odfpy: only .ods workbooks need it
    from odf.table import Table  # odfpy: only .ods workbooks need it

    document = load(str(path))
    return [(str(sheet.getAttribute("name")), _trimmed(list(_ods_rows(sheet))))
            for sheet in document.spreadsheet.getElementsByType(Table)]


_ROW_GROUPS = {"table-header-rows", "table-rows", "table-row-group"}


def _ods_rows(element: Any) -> Iterator[list[str]]:
    """The rows of an ODS table (inside row groups too); a run of repeated rows is given
    as many times as it repeats unless it is empty (LibreOffice pads a sheet with a
    million repeated empty rows)."""
    for child in element.childNodes:
        local = child.qname[1] if getattr(child, "qname", None) else None
        if local in _ROW_GROUPS:
            yield from _ods_rows(child)
        elif local == "table-row":
            cells = _ods_cells(child)
            repeat = int(child.getAttribute("numberrowsrepeated") or 1)
            for _ in range(repeat if any(cells) else 1):
                yield cells


def _ods_cells(row: Any) -> list[str]:
    runs: list[tuple[str, int]] = []
    for cell in row.childNodes:
        local = cell.qname[1] if getattr(cell, "qname", None) else None
        if local not in ("table-cell", "covered-table-cell"):
            continue
        runs.append((_ods_value(cell), int(cell.getAttribute("numbercolumnsrepeated") or 1)))
    while runs and not runs[-1][0]:
        runs.pop()  # (empty cells at the end, repeated up to the sheet's last column)
    return [value for value, repeat in runs for _ in range(repeat)]


def _ods_value(cell: Any) -> str:
    from odf import teletype  # odfpy: only .ods workbooks need it
    from odf.text import P  # odfpy: only .ods workbooks need it

    kind = cell.getAttribute("valuetype")
    if kind in ("float", "percentage", "currency"):
        return _number(str(cell.getAttribute("value")))
    if kind == "boolean":
        return "true" if str(cell.getAttribute("booleanvalue")).lower() == "true" else "false"
    if kind == "date":
        value = str(cell.getAttribute("datevalue"))
        return value[:10] if value.endswith("T00:00:00") else value
    paragraphs = [p for p in cell.childNodes if getattr(p, "qname", None) == P().qname]
    return "\n".join(str(teletype.extractText(p)) for p in paragraphs)


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` without the empty cells at the end of each row and empty rows at the end."""
    for row in rows:
        while row and not row[-1]:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows

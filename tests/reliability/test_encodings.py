"""Encodings and spreadsheet forms: UTF-16, mixed encodings, long lines, amounts and dates
as spreadsheets write them, malformed CSV.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import codecs
import csv
import os
import shutil
from pathlib import Path

import pytest

from coopdata import read_tables
from coopdata.records.load import load
from coopdata.release.build import export_tables
from coopdata.tables.layout import tables
from tests.conftest import FIXTURES
from tests.reliability.hostile import csv_rows, field_findings, problems


def test_utf16_file_with_byte_order_mark(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\n".encode("utf-16")) == [
        "1 the file is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8; save it as "
        "UTF-8 [not-utf8]"]
    assert problems(tmp_path, "id: p\n".encode("utf-32")) == [
        "1 the file is UTF-32 (it starts with a UTF-32 byte order mark), not UTF-8; save it as "
        "UTF-8 [not-utf8]"]


def test_mixed_encodings(tmp_path: Path) -> None:
    # UTF-8 é on line 2, Latin-1 é on line 3
    assert problems(tmp_path, b"id: p\ntitle: {fr: Caf\xc3\xa9}\nnote: {fr: Caf\xe9}\n") == [
        "3 the file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8 [not-utf8]"]


def test_a_byte_that_is_not_utf8_after_a_byte_order_mark(tmp_path: Path) -> None:
    """The byte and its line are the file's (the UTF-8 mark's three bytes counted: the
    byte shown was the one three places on, and the line could be one too few)."""
    assert problems(tmp_path, codecs.BOM_UTF8 + b"id: p\ntitle: {fr: x}\nnote: {fr: Caf\xe9}\n") \
        == ["3 the file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8 [not-utf8]"]
    assert problems(tmp_path, codecs.BOM_UTF8 + b"id: p\nn: a\n\n\xe9\n") == [
        "4 the file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8 [not-utf8]"]


def test_very_long_line_is_accepted(tmp_path: Path) -> None:
    long_text = "mot " * 50_000  # 200 kB on one line
    assert field_findings(tmp_path, f"description: {{fr: {long_text}}}\n", "description") == []
    # and its CSV cell is read back, though it is larger than csv's default limit
    dataset, _ = load(FIXTURES / "records")
    second = dataset.get("project", "second")
    second.data["description"] = {"fr": long_text.strip()}
    from coopdata import write_package

    (tmp_path / "tables").mkdir()
    write_package(dataset, tmp_path / "tables")
    back, report = read_tables(tmp_path / "tables")
    assert report.valid
    assert back.get("project", "second").data["description"] == {"fr": long_text.strip()}


@pytest.mark.parametrize(("value", "expected"), [
    ('"a\\ud800b"', "None"),  # a lone surrogate: refused by the YAML parser
    ('"a\\x01b"', "text contains a control character [control-character]"),
    ('"a\\x81b"', "text contains a control character [control-character]"),
    ('"a\\x9bb"', 'text looks like mojibake, text decoded with the wrong encoding ("a\x9bb" → '
     '"a›b") [mojibake]'),  # a C1 character that is cp1252 read as Latin-1: its repair
    ('"a\ufffdb"', "text contains U+FFFD (�), the mark a program leaves where it could not "
     "decode a character; copy the text again from the source [mojibake]"),
], ids=["surrogate", "c0-control", "c1-control", "c1-mojibake", "replacement-character"])
def test_unusual_characters_in_values(tmp_path: Path, value: str, expected: str) -> None:
    if expected == "None":
        assert problems(tmp_path, f"id: p\ntitle: {{fr: {value}}}\n") == [
            "2 malformed YAML: found invalid Unicode character escape code [invalid-yaml]"]
    else:
        assert field_findings(tmp_path, f"title: {{fr: {value}}}\n", "title.fr") == [expected]


def test_raw_control_character_and_surrogate_bytes(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nx: é\ntitle: {fr: a\x01b}\n") == [
        "3 malformed YAML: unacceptable character #x0001: control characters are not allowed "
        "[invalid-yaml]"]
    assert problems(tmp_path, b"id: p\ntitle: {fr: \xed\xa0\x80}\n") == [
        "2 the file is not UTF-8: byte 0xed cannot be decoded; save it as UTF-8 [not-utf8]"]


AMOUNTS = ["1,25 M€", "1 250 000", "1.250.000", "€1,250,000", "12%", "(1250)", "١٢٣"]
DATES = {
    "15/03/2018": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "15/03/2018"',
    "2018-3-15": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "2018-3-15"',
    "March 2018": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "March 2018"',
    "2018-03-15T10:00": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "2018-03-15T10:00"',
    "2018-03-15 10:00:00": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got '
                           '"2018-03-15 10:00:00"',
    "43174": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "43174"',  # a serial number
    "2019-02-30": '"2019-02-30" is not a real date',
}


@pytest.mark.parametrize("amount", AMOUNTS)
def test_spreadsheet_amounts_in_records(tmp_path: Path, amount: str) -> None:
    assert field_findings(tmp_path, f'budgets:\n  - amount: "{amount}"\n    currency: EUR\n',
                          "budgets[1].amount") == [
        f'expected a number, got "{amount}" [type-error]']


@pytest.mark.parametrize("date", DATES)
def test_spreadsheet_dates_in_records(tmp_path: Path, date: str) -> None:
    unquoted = date if date != "March 2018" else f'"{date}"'  # YAML timestamps stay as written
    assert field_findings(tmp_path, f"actual_start: {unquoted}\n", "actual_start") == [
        f"{DATES[date]} [invalid-date]"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("exported") / "tables"
    export_tables(directory, FIXTURES / "records")
    return directory


def edited_copy(exported: Path, target: Path, table: str, column: str, value: str) -> Path:
    shutil.copytree(exported, target)
    path = target / f"{table}.csv"
    rows = csv_rows(path)
    header = list(rows[0])
    rows[[r.get("id", r.get("project")) for r in rows].index("second")][column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.mark.parametrize("amount", [*AMOUNTS, "１２３"])
def test_spreadsheet_amounts_in_tables(exported: Path, tmp_path: Path, amount: str) -> None:
    tables_dir = edited_copy(exported, tmp_path / "t", "project_budgets", "amount", amount)
    _, report = read_tables(tables_dir)
    assert [f"{f.field}: {f.message} [{f.code}]" for f in report.findings] == [
        f'budgets[1].amount: expected a number, got "{amount}" [type-error]']


@pytest.mark.parametrize("date", DATES)
def test_spreadsheet_dates_in_tables(exported: Path, tmp_path: Path, date: str) -> None:
    tables_dir = edited_copy(exported, tmp_path / "t", "projects", "actual_start", date)
    _, report = read_tables(tables_dir)
    assert [f"{f.field}: {f.message} [{f.code}]" for f in report.findings] == [
        f"actual_start: {DATES[date]} [invalid-date]"]


PROJECTS_HEADER = next(t for t in tables() if t.name == "projects").header
HEADER = ",".join(PROJECTS_HEADER)  # (every column must be there: see test_import_tables.py)
FULL_ROW = "second,project" + "," * (len(PROJECTS_HEADER) - 2)


@pytest.mark.parametrize(("content", "message"), [
    (f"{HEADER}\n{FULL_ROW},extra\n", "cannot read the table: line 2 has more cells than "
     f"the header ({len(PROJECTS_HEADER)}); they would be lost"),
    (f"{HEADER}\n\"second\n", None),  # a quote left open runs to the end: one cell
    (f"{HEADER}\nsecond,proj\xe9t\n".encode("latin-1"), "cannot read the table: 'utf-8' codec "
     f"can't decode byte 0xe9 in position {len(HEADER) + 12}: invalid continuation byte"),
    (f"\ufeff{HEADER}\nsecond,project\n", None),
    (f"{HEADER}\nsecond\n", None),  # a short row: its missing cells are empty
    (f"{HEADER}\n{FULL_ROW},,,\n", None),  # empty cells past the header are dropped
], ids=["extra-cells", "open-quote", "latin-1", "bom", "short-row", "trailing-empty"])
def test_malformed_csv(tmp_path: Path, content: str | bytes, message: str | None) -> None:
    (tmp_path / "t").mkdir()
    path = tmp_path / "t" / "projects.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    _, report = read_tables(tmp_path / "t")
    unreadable = [f.message for f in report.findings if f.code == "unreadable-table"]
    assert unreadable == ([message] if message else [])


def test_symlinked_and_special_tables_are_not_read(exported: Path, tmp_path: Path) -> None:
    tables_dir = tmp_path / "t"
    shutil.copytree(exported, tables_dir)
    (tables_dir / "persons.csv").unlink()
    (tables_dir / "persons.csv").symlink_to("/etc/passwd")
    (tables_dir / "sources.csv").unlink()
    os.mkfifo(tables_dir / "sources.csv")
    _, report = read_tables(tables_dir)
    assert sorted((Path(f.path or "").name, f.code, f.message) for f in report.findings) == [
        ("persons.csv", "symlink-refused", "not read: tables are never symbolic links; copy the "
         "file here instead"),
        ("sources.csv", "unreadable-table", "not read: not a regular file (a folder, named pipe "
         "or device)")]


def test_bad_position_cells(exported: Path, tmp_path: Path) -> None:
    for position in ("²", "٣", "9" * 5000, "0", "-1"):
        tables_dir = edited_copy(exported, tmp_path / f"t{len(position)}{ord(position[0])}",
                                 "project_budgets", "position", position)
        _, report = read_tables(tables_dir)
        assert [f.message for f in report.findings] == [
            f'project_budgets.csv row 2: position "{position}" is not a whole number from 1']

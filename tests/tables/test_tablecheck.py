"""The fast table checks report exactly what Frictionless reports."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata import load
from coopdata.reference.frictionless import frictionless_errors
from coopdata.tables.cells import rows
from coopdata.tables.layout import tables
from coopdata.tables.package import package_descriptor
from coopdata.validate.tablecheck import check_package
from tests.conftest import FIXTURES


def fixture_tables() -> dict[str, list[list[str]]]:
    dataset, _ = load(FIXTURES / "records")
    return {t.name: [t.header, *rows(t, dataset)] for t in tables()}


def reference(data: dict[str, list[list[str]]]) -> set[tuple[str, str, int, Any]]:
    return {(name, e.type, e.row_number, getattr(e, "field_name", None))
            for name, errors in frictionless_errors(data).items() for e in errors}


def fast(data: dict[str, list[list[str]]]) -> set[tuple[str, str, int, Any]]:
    return {(name, e.type, e.row_number, e.field_name)
            for name, errors in check_package(data, package_descriptor()).items()
            for e in errors}


def set_cell(data: dict[str, list[list[str]]], table: str, row: int, column: str,
             value: str) -> None:
    data[table][row][data[table][0].index(column)] = value


INJECTIONS = [
    ("type error in a number", "project_budgets", 1, "amount", "4,1 M"),
    ("type error in an integer", "project_budgets", 1, "position", "one"),
    ("type error in a boolean", "project_results_targets", 2, "at_least", "yes"),
    ("value outside the code list", "projects", 1, "status", "ongoing"),
    ("pattern: not a country code", "project_countries", 1, "value", "MOR"),
    ("pattern: not a date", "projects", 1, "planned_start", "15/03/2018"),
    ("required cell empty", "project_budgets", 1, "currency", ""),
    ("minimum: position 0", "project_countries", 2, "position", "0"),
    ("unique id twice", "organisations", 2, "id", "agency"),
    ("foreign key to no record", "project_budgets", 1, "funder", "nobody"),
    ("foreign key to no parent row", "project_results_targets", 1, "parent_position", "9"),
    ("primary key empty", "persons", 1, "id", ""),
    ("primary key twice, written differently", "project_countries", 2, "position", "01"),
    ("the record of a list item empty", "project_budgets", 1, "project", ""),
]


@pytest.mark.parametrize(("what", "table", "row", "column", "value"), INJECTIONS,
                         ids=[i[0] for i in INJECTIONS])
def test_same_errors_as_frictionless(what: str, table: str, row: int, column: str,
                                     value: str) -> None:
    data = fixture_tables()
    set_cell(data, table, row, column, value)
    expected = reference(data)
    assert expected, "the injection must produce an error"
    assert fast(data) == expected


def test_all_injections_at_once_and_clean_tables() -> None:
    data = fixture_tables()
    assert fast(data) == reference(data) == set()
    for _, table, row, column, value in INJECTIONS:
        set_cell(data, table, row, column, value)
    assert fast(data) == reference(data)


def test_an_error_repeated_in_rows_and_tables_is_reported_each_time() -> None:
    # each distinct cell is checked once, in the first table that has it
    data = fixture_tables()
    for table, row, column in [("organisations", 1, "country"), ("project_countries", 1, "value"),
                               ("project_countries", 2, "value")]:
        set_cell(data, table, row, column, "MOR")
    expected = reference(data)
    assert len(expected) == 3
    assert fast(data) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(INJECTIONS), max_size=6), st.integers(1, 4))
def test_tables_checked_a_chunk_of_rows_at_a_time_give_the_same_errors(
        injected: list[tuple[str, str, int, str, str]], size: int) -> None:
    """Each table's rows given a few at a time (row numbers, unique values and keys
    carried from one chunk to the next): the errors of the whole tables, in order."""
    from coopdata.validate.tablecheck import PackageRows, check_tables

    data = fixture_tables()
    for _, table, row, column, value in injected:
        set_cell(data, table, row, column, value)
    descriptor = package_descriptor()
    whole = check_tables({name: (table[0], list(zip(*table[1:], strict=True)) or
                                 [() for _ in table[0]]) for name, table in data.items()},
                         descriptor)
    package = PackageRows(descriptor)
    chunked: dict[str, list[Any]] = {}
    for resource in descriptor["resources"]:
        header, *body = data[resource["name"]]
        for start in range(0, max(len(body), 1), size):
            columns = list(zip(*body[start:start + size], strict=True)) or [() for _ in header]
            chunked.setdefault(resource["name"], []).extend(
                package.check(resource["name"], header, columns))
    for name, errors in package.foreign_key_errors().items():
        chunked[name] = sorted(chunked[name] + errors, key=lambda e: e.row_number)
    assert chunked == whole
    assert bool(injected) == any(whole.values())


def test_cells_forgotten_beyond_known_at_most_give_the_same_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The cells known to pass are a cache: forgetting them (here after every one) and
    checking them again changes no error."""
    from coopdata.validate import tablecheck

    data = fixture_tables()
    for _, table, row, column, value in INJECTIONS:
        set_cell(data, table, row, column, value)
    remembered = check_package(data, package_descriptor())
    monkeypatch.setattr(tablecheck, "KNOWN_AT_MOST", 0)
    assert check_package(data, package_descriptor()) == remembered
    assert sum(map(len, remembered.values())) >= len(INJECTIONS)

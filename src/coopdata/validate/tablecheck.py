"""Table validation, the fast path: the checks of a Frictionless table schema (types,
required, enum, pattern, minimum, unique, primary and foreign keys) over tables held in
memory, column by column, each distinct cell checked once.

Frictionless (``frictionless.Package.validate``) is the reference; a test checks both
report the same errors (table, row, field, type) on tables with injected errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class TableProblem:
    """One error, with the attributes of a frictionless error that coopdata reads."""

    type: str
    row_number: int
    field_name: str | None
    message: str
    field_names: tuple[str, ...] = ()


class _TypeError(ValueError):
    pass


_INTEGER = re.compile(r"[+-]?\d+")


def _caster(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    kind = descriptor.get("type", "string")
    if kind == "number":
        def number(cell: str) -> Decimal:
            try:
                value = Decimal(cell)
            except InvalidOperation:
                raise _TypeError from None
            if not value.is_finite():
                raise _TypeError
            return value
        return number
    if kind == "integer":
        def integer(cell: str) -> int:
            if not _INTEGER.fullmatch(cell):
                raise _TypeError
            return int(cell)
        return integer
    if kind == "boolean":
        true = set(descriptor.get("trueValues", ["true", "True", "TRUE", "1"]))
        false = set(descriptor.get("falseValues", ["false", "False", "FALSE", "0"]))

        def boolean(cell: str) -> bool:
            if cell in true:
                return True
            if cell in false:
                return False
            raise _TypeError
        return boolean
    return str


_TYPE = "type"
"""The problem of a cell that its field's type cannot read."""
_REQUIRED = 'constraint "required" is "True"'


@dataclass(frozen=True)
class _Field:
    """One field of a table schema, with its checks prepared."""

    name: str
    type: str
    cast: Callable[[str], Any]
    required: bool
    unique: bool
    enum: frozenset[Any] | None
    pattern: re.Pattern[str] | None
    minimum: tuple[Any, ...]
    """``(minimum,)``, or ``()`` without one."""
    missing: frozenset[str]
    """The cells that stand for no value."""
    kind: str
    """The type, value constraints and missing values: fields alike read cells alike."""

    @property
    def free(self) -> bool:
        """Whether any text is a value (only a missing cell may be wrong)."""
        return self.cast is str and self.enum is None and self.pattern is None \
            and not self.minimum

    @classmethod
    def of(cls, descriptor: dict[str, Any], missing: frozenset[str]) -> _Field:
        constraints = descriptor.get("constraints", {})
        value_rules = {k: v for k, v in constraints.items() if k not in ("required", "unique")}
        reading = {k: v for k, v in descriptor.items()
                   if k not in ("name", "description", "constraints")}
        return cls(descriptor["name"], descriptor.get("type", "string"), _caster(descriptor),
                   bool(constraints.get("required")), bool(constraints.get("unique")),
                   frozenset(constraints["enum"]) if "enum" in constraints else None,
                   re.compile(constraints["pattern"]) if "pattern" in constraints else None,
                   (constraints["minimum"],) if "minimum" in constraints else (), missing,
                   json.dumps([reading, value_rules, sorted(missing)], sort_keys=True,
                              default=str))

    def problem(self, cell: str) -> tuple[Any, str | None]:
        """The value of a present cell, and what is wrong with it (``None``: nothing)."""
        try:
            value = self.cast(cell)
        except _TypeError:
            return None, _TYPE
        if self.enum is not None and value not in self.enum:
            return value, f'constraint "enum" is "{sorted(self.enum)}"'
        if self.pattern is not None and not self.pattern.fullmatch(cell):
            return value, f'constraint "pattern" is "{self.pattern.pattern}"'
        if self.minimum and value < self.minimum[0]:
            return value, f'constraint "minimum" is "{self.minimum[0]}"'
        return value, None

    def error(self, number: int, cell: str, problem: str) -> TableProblem:
        """The error of the cell in row ``number``, worded as Frictionless words it."""
        if problem == _TYPE:
            return TableProblem("type-error", number, self.name,
                              f'Type error in the cell "{cell}" in row "{number}" and '
                              f'field "{self.name}": type is "{self.type}"')
        shown = "" if problem == _REQUIRED else cell
        return TableProblem("constraint-error", number, self.name,
                          f'The cell "{shown}" in row at position "{number}" and field '
                          f'"{self.name}" does not conform to a constraint: {problem}')


Known = dict[str, dict[str, Any]]
"""Cells known to pass, with their values, by :attr:`_Field.kind`: the same ids, codes
and positions recur in many tables and are checked once."""


def _check_cells(field: _Field, cells: Sequence[str], known: dict[str, Any], *,
                 with_values: bool) -> tuple[dict[str, str], Sequence[Any] | None]:
    """The problem of each failing cell, and (``with_values``) the value of every cell:
    ``None`` for a missing cell or one of the wrong type. Each distinct cell is checked
    once, and not at all if ``known`` holds it; each that passes is added to it."""
    if field.free:
        any_missing = not field.missing.isdisjoint(cells)
        problems = dict.fromkeys(field.missing, _REQUIRED) if field.required and any_missing \
            else {}
        return problems, _texts(field, cells, any_missing) if with_values else None
    distinct = set(cells)
    problems = {}
    failed: dict[str, Any] = {}
    for cell in distinct - known.keys():
        if cell in field.missing:
            if field.required:
                problems[cell] = _REQUIRED
            continue
        value, problem = field.problem(cell)
        if problem is None:
            known[cell] = value
        else:
            problems[cell] = problem
            failed[cell] = value
    if not with_values:
        return problems, None
    if field.cast is str:
        return problems, _texts(field, cells, not field.missing.isdisjoint(distinct))
    value_of = {cell: known[cell] if cell in known else failed.get(cell) for cell in distinct}
    return problems, list(map(value_of.__getitem__, cells))


def _texts(field: _Field, cells: Sequence[str], any_missing: bool) -> Sequence[str | None]:
    """The values of a text field's cells: the cells, ``None`` for missing ones."""
    return [None if cell in field.missing else cell for cell in cells] if any_missing else cells


Ordered = list[tuple[int, int, TableProblem]]
"""Errors with their row number and rank within the row, for sorting."""


def _unique_errors(field: _Field, rank: int, values: Sequence[Any]) -> Ordered:
    present = [value for value in values if value is not None]
    if len(set(present)) == len(present):
        return []
    errors: Ordered = []
    seen: dict[Any, int] = {}
    for number, value in enumerate(values, start=2):
        if value is None:
            continue
        first = seen.setdefault(value, number)
        if first != number:
            errors.append((number, rank, TableProblem(
                "unique-error", number, field.name,
                f'Row at position "{number}" has unique constraint violation in field '
                f'"{field.name}": the same as in the row at position {first}')))
    return errors


def _key(values: dict[str, Sequence[Any]], fields: list[str]) -> Sequence[Any]:
    """Each row's key made of ``fields``: the value itself for one field, else a tuple."""
    if len(fields) == 1:
        return values[fields[0]]
    return list(zip(*(values[f] for f in fields), strict=True))


def _empty(fields: list[str]) -> Any:
    """The key of a row whose cells in ``fields`` are all missing."""
    return None if len(fields) == 1 else (None,) * len(fields)


def _primary_key_errors(rank: int, keys: Sequence[Any], empty: Any) -> Ordered:
    distinct = set(keys)
    if empty not in distinct and len(distinct) == len(keys):
        return []
    errors: Ordered = []
    seen: dict[Any, int] = {}
    for number, key in enumerate(keys, start=2):
        if key == empty:
            errors.append((number, rank, TableProblem(
                "primary-key", number, None,
                f'Row at position "{number}" violates the primary key: cells composing the '
                'primary keys are all "None"')))
            continue
        first = seen.setdefault(key, number)
        if first != number:
            errors.append((number, rank, TableProblem(
                "primary-key", number, None,
                f'Row at position "{number}" violates the primary key: the same as in the row '
                f"at position {first}")))
    return errors


def _columns(header: list[str], rows: list[list[str]]) -> list[Sequence[str]]:
    """The cells of each column of ``header``; a short row has empty cells at its end."""
    width = len(header)
    if not rows:
        return [() for _ in header]
    if min(map(len, rows)) < width:
        rows = [row + [""] * (width - len(row)) for row in rows]
    return list(zip(*rows, strict=False))


Keys = dict[tuple[str, ...], Any]
"""Under the primary key's fields, the set of its keys; under ``("@row", *fields)`` for
each foreign key, every row's key (row ``n`` at index ``n - 2``). A key of one field is
its value, of several a tuple."""


def check_table(name: str, header: list[str], rows: list[list[str]],
                schema: dict[str, Any]) -> tuple[list[TableProblem], Keys]:
    """The errors of one table, and the keys other tables' foreign keys need."""
    return _check_columns(header, _columns(header, rows), schema, {})


def _check_columns(header: list[str], columns: Sequence[Sequence[str]], schema: dict[str, Any],
                   known: Known) -> tuple[list[TableProblem], Keys]:
    """:func:`check_table` on a table given column by column: each column is checked
    at once, each distinct cell once (or not at all if ``known`` holds it)."""
    missing = frozenset(schema.get("missingValues", [""]))
    fields = [_Field.of(f, missing) for f in schema["fields"]]
    primary = schema.get("primaryKey", [])
    foreign_keys = schema.get("foreignKeys", [])
    key_fields = {*primary, *(f for fk in foreign_keys for f in fk["fields"])}
    errors: Ordered = []
    values: dict[str, Sequence[Any]] = {}
    for rank, field in enumerate(fields):
        cells = columns[header.index(field.name)]
        problems, field_values = _check_cells(field, cells, known.setdefault(field.kind, {}),
                                              with_values=field.unique or field.name in key_fields)
        if problems:
            errors += [(number, 2 * rank, field.error(number, cell, problems[cell]))
                       for number, cell in enumerate(cells, start=2) if cell in problems]
        if field_values is not None:
            values[field.name] = field_values
        if field.unique:
            errors += _unique_errors(field, 2 * rank + 1, values[field.name])
    keys: Keys = {tuple(primary): set()}
    if primary:
        primary_keys = _key(values, primary)
        errors += _primary_key_errors(2 * len(fields), primary_keys, _empty(primary))
        keys[tuple(primary)] = set(primary_keys) - {_empty(primary)}
    for foreign in foreign_keys:
        keys[("@row", *foreign["fields"])] = _key(values, foreign["fields"])
    errors.sort(key=lambda e: (e[0], e[1]))
    return [error for _, _, error in errors], keys


def check_package(data: dict[str, list[list[str]]],
                  descriptor: dict[str, Any]) -> dict[str, list[TableProblem]]:
    """Errors by table name, for tables given as lists of rows (header first)."""
    return check_tables({name: (table[0], _columns(table[0], table[1:]))
                         for name, table in data.items()}, descriptor)


def check_tables(data: dict[str, tuple[list[str], Sequence[Sequence[str]]]],
                 descriptor: dict[str, Any]) -> dict[str, list[TableProblem]]:
    """Errors by table name, for tables given as a header and their cells column by
    column (in header order): the same errors as :func:`check_package`."""
    found: dict[str, list[TableProblem]] = {}
    primary_keys: dict[str, set[Any]] = {}
    known: Known = {}
    pending = []
    for resource in descriptor["resources"]:
        name, schema = resource["name"], resource["schema"]
        header, columns = data[name]
        errors, keys = _check_columns(header, columns, schema, known)
        found[name] = errors
        primary_keys[name] = keys[tuple(schema.get("primaryKey", []))]
        for foreign in schema.get("foreignKeys", []):
            pending.append((name, foreign, keys[("@row", *foreign["fields"])]))
    for name, foreign, row_keys in pending:
        errors = _foreign_key_errors(foreign, row_keys,
                                     primary_keys[foreign["reference"]["resource"]])
        if errors:
            found[name] += errors
            found[name].sort(key=lambda e: e.row_number)
    return found


def _foreign_key_errors(foreign: dict[str, Any], row_keys: Sequence[Any],
                        target: set[Any]) -> list[TableProblem]:
    """The rows whose key is not a key of the table ``foreign`` refers to (rows with
    only empty cells in the key refer to nothing)."""
    fields = foreign["fields"]
    unmatched = set(row_keys) - target
    unmatched.discard(_empty(fields))
    if not unmatched:
        return []
    reference = foreign["reference"]
    errors = []
    for number, key in enumerate(row_keys, start=2):
        if key in unmatched:
            shown = ", ".join(f'"{v}"' for v in (key if len(fields) > 1 else (key,)))
            errors.append(TableProblem(
                "foreign-key", number, None,
                f'Row at position "{number}" violates the foreign key: for '
                f'"{", ".join(fields)}": values {shown} not found in the lookup '
                f'table "{reference["resource"]}" as "{", ".join(reference["fields"])}"',
                tuple(fields)))
    return errors

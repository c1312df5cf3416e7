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

KNOWN_AT_MOST = 200_000
"""Cells of one kind known at most: beyond, they are forgotten (and checked again when
they come back), so that tables checked a chunk at a time do not keep every distinct
id and amount of a million projects (each check gives the same answer either way)."""


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
    # (difference() with the dict looks each distinct cell up in it; ``- known.keys()``
    # would copy the set and walk every cell known, 200,000 of them at most, each time)
    for cell in distinct.difference(known):
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


def _unique_errors(field: _Field, rank: int, values: Sequence[Any], seen: dict[Any, int],
                   start: int) -> Ordered:
    """The rows (numbered from ``start``) whose value is the value of an earlier row:
    ``seen`` holds each value's first row, of these rows and of rows checked before."""
    errors: Ordered = []
    for number, value in enumerate(values, start=start):
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


def _primary_key_errors(rank: int, keys: Sequence[Any], empty: Any, seen: dict[Any, int],
                        start: int) -> Ordered:
    """The rows (numbered from ``start``) whose key is empty or the key of an earlier row
    (``seen``: as for :func:`_unique_errors`)."""
    errors: Ordered = []
    for number, key in enumerate(keys, start=start):
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
    table = TableRows(header, schema, {})
    errors = table.check(_columns(header, rows))
    return errors, table.keys()


class TableRows:
    """The checks of one table given column by column, its rows all at once or a chunk
    at a time (each chunk's rows numbered after the rows before): each distinct cell
    checked once (or not at all if ``known`` holds it); the values of unique fields and
    the primary keys seen so far kept, and each row's foreign keys."""

    def __init__(self, header: list[str], schema: dict[str, Any], known: Known) -> None:
        missing = frozenset(schema.get("missingValues", [""]))
        self.header, self.known = header, known
        self.fields = [_Field.of(f, missing) for f in schema["fields"]]
        self.primary: list[str] = schema.get("primaryKey", [])
        self.foreign: list[dict[str, Any]] = schema.get("foreignKeys", [])
        self.key_fields = {*self.primary, *(f for fk in self.foreign for f in fk["fields"])}
        self.rows = 0
        """The rows checked so far."""
        self.unique: dict[str, dict[Any, int]] = {f.name: {} for f in self.fields if f.unique}
        self.primary_keys: dict[Any, int] = {}
        """Each primary key (but an empty one) and its first row."""
        self.row_keys: dict[tuple[str, ...], list[Any]] = {
            ("@row", *fk["fields"]): [] for fk in self.foreign}

    def check(self, columns: Sequence[Sequence[str]]) -> list[TableProblem]:
        """The errors of the next rows, given column by column (in header order), in
        the order of their rows (within one, of the fields)."""
        start = self.rows + 2
        errors: Ordered = []
        values: dict[str, Sequence[Any]] = {}
        for rank, field in enumerate(self.fields):
            cells = columns[self.header.index(field.name)]
            known = self.known.setdefault(field.kind, {})
            if len(known) > KNOWN_AT_MOST:  # (ids, amounts: millions, each seen seldom)
                known.clear()
            problems, field_values = _check_cells(
                field, cells, known, with_values=field.unique or field.name in self.key_fields)
            if problems:
                errors += [(number, 2 * rank, field.error(number, cell, problems[cell]))
                           for number, cell in enumerate(cells, start=start)
                           if cell in problems]
            if field_values is not None:
                values[field.name] = field_values
            if field.unique:
                errors += _unique_errors(field, 2 * rank + 1, values[field.name],
                                         self.unique[field.name], start)
        if self.primary:
            errors += _primary_key_errors(2 * len(self.fields), _key(values, self.primary),
                                          _empty(self.primary), self.primary_keys, start)
        for foreign in self.foreign:
            self.row_keys["@row", *foreign["fields"]] += _key(values, foreign["fields"])
        self.rows += len(columns[0]) if columns else 0
        errors.sort(key=lambda e: (e[0], e[1]))
        return [error for _, _, error in errors]

    def keys(self) -> Keys:
        """The primary keys (their set) and each foreign key's row keys (:data:`Keys`)."""
        return {tuple(self.primary): set(self.primary_keys), **self.row_keys}


class PackageRows:
    """The checks of a package's tables (``descriptor``: ``datapackage.json`` with its
    schemas inline), given table by table, each all at once or a chunk of rows at a time
    (:meth:`check`); then the foreign keys (:meth:`foreign_key_errors`)."""

    def __init__(self, descriptor: dict[str, Any]) -> None:
        self.schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
        self.known: Known = {}
        self.tables: dict[str, TableRows] = {}

    def check(self, name: str, header: list[str],
              columns: Sequence[Sequence[str]]) -> list[TableProblem]:
        """The errors of the next rows of table ``name`` (those of its own fields and
        keys; foreign keys are checked once every table is given)."""
        if (table := self.tables.get(name)) is None:
            table = self.tables[name] = TableRows(header, self.schemas[name], self.known)
        return table.check(columns)

    def foreign_key_errors(self) -> dict[str, list[TableProblem]]:
        """The errors of each table's foreign keys, by table (in the order of the
        descriptor's tables and of their foreign keys)."""
        found: dict[str, list[TableProblem]] = {}
        for name, table in self.tables.items():
            for foreign in table.foreign:
                target = self.tables[foreign["reference"]["resource"]].primary_keys
                errors = _foreign_key_errors(foreign, table.row_keys["@row", *foreign["fields"]],
                                             target)
                if errors:
                    found.setdefault(name, []).extend(errors)
        return found


def check_package(data: dict[str, list[list[str]]],
                  descriptor: dict[str, Any]) -> dict[str, list[TableProblem]]:
    """Errors by table name, for tables given as lists of rows (header first)."""
    return check_tables({name: (table[0], _columns(table[0], table[1:]))
                         for name, table in data.items()}, descriptor)


def check_tables(data: dict[str, tuple[list[str], Sequence[Sequence[str]]]],
                 descriptor: dict[str, Any]) -> dict[str, list[TableProblem]]:
    """Errors by table name, for tables given as a header and their cells column by
    column (in header order): the same errors as :func:`check_package`."""
    package = PackageRows(descriptor)
    found = {resource["name"]: package.check(resource["name"], *data[resource["name"]])
             for resource in descriptor["resources"]}
    for name, errors in package.foreign_key_errors().items():
        found[name] = sorted(found[name] + errors, key=lambda e: e.row_number)
    return found


def _foreign_key_errors(foreign: dict[str, Any], row_keys: Sequence[Any],
                        target: dict[Any, int]) -> list[TableProblem]:
    """The rows whose key is not a key of the table ``foreign`` refers to (``target``:
    its keys; rows with only empty cells in the key refer to nothing)."""
    fields = foreign["fields"]
    unmatched = {key for key in set(row_keys) if key not in target}
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

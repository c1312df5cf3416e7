"""Records ↔ tables: the tabular view of the same records, as Frictionless resources.

Every kind has a main table (``projects``: one row a record); every list field has a
link table (``project_budgets``: one row a budget, keyed by project id and position);
lists inside list items have their own (``project_results_targets``, keyed also by the
position of the result; ``project_results_indicators_periods`` by those of the result
and of the indicator). ``text`` fields
become one column for each interface language (``title_en``, ``title_fr``); a text's
other languages (``es``, ``ar``…) go into the kind's translations table
(``project_translations``: one row a text in one language, naming the table, the row's
positions, the column and the language); a single nested object is flattened into its
parent's row (``place_name``). The layout is derived from :mod:`coopdata.model.spec`, so
records → tables → records gives back the same records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from coopdata.model.fieldtypes import FIELD_TYPES
from coopdata.model.spec import KINDS, LANGUAGES, Field, Kind

FORMULA_START = "=+-@\t\r"
"""A spreadsheet reads a cell that starts with one of these as a formula."""
TEXT_TYPES = frozenset(name for name, kind in FIELD_TYPES.items() if kind.guarded)
"""The types of the columns of free text, guarded against formulas (numbers, dates and
codes never start with a formula character, and are written as they are)."""
GUARD_START = ("'", *FORMULA_START)
"""The first characters of every text :func:`guard` changes (a cheap test before it)."""
_GUARDED = re.compile(f"'*[{re.escape(FORMULA_START)}]")
_UNGUARD = re.compile(f"'+[{re.escape(FORMULA_START)}]")


def guard(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a text that starts with a formula character
    (``=HYPERLINK(…)``, ``-5 migrants``, ``@team``), after any number of quotes, gets one
    more quote in front, which spreadsheets show as text (OWASP's advice). :func:`unguard`
    gives the text back exactly."""
    return f"'{text}" if text.startswith(GUARD_START) and _GUARDED.match(text) else text


def unguard(cell: str) -> str:
    """The text :func:`guard` was given: one leading quote fewer before a formula character."""
    return cell[1:] if _UNGUARD.match(cell) else cell


@dataclass(frozen=True)
class Column:
    """A data column: the field it holds, where in a nested object, in which language."""

    name: str
    spec: Field
    path: tuple[str, ...]
    lang: str | None = None


@dataclass(frozen=True)
class Table:
    """One table of the tabular view."""

    name: str
    kind: Kind
    field_path: tuple[str, ...]
    """Empty for a kind's main table; ``("results", "targets")`` for nested lists."""
    columns: tuple[Column, ...]
    scalar: Field | None = None
    """For a list of plain values (countries…): the field; its values go in ``value``."""
    translations: bool = False
    """The kind's translations table: a text's languages other than :data:`LANGUAGES`."""

    @property
    def keys(self) -> tuple[str, ...]:
        """``("id",)`` for a main table; else the record's id, the position of each
        enclosing list item, outermost first (``grandparent_position``,
        ``parent_position``), and the row's own ``position``."""
        if not self.field_path:
            return ("id",)
        return (self.kind.name, *ancestor_keys(len(self.field_path)), "position")

    @property
    def header(self) -> list[str]:
        return [*self.keys, *(c.name for c in self.columns)]

    @property
    def parent(self) -> str:
        """The table whose rows this table's rows belong to."""
        if len(self.field_path) <= 1:
            return self.kind.folder
        return f"{self.kind.name}_{'_'.join(self.field_path[:-1])}"


def ancestor_keys(depth: int) -> tuple[str, ...]:
    """The key columns naming the enclosing list items of a list ``depth`` deep, outermost
    first: none at depth 1, ``parent_position`` at 2, ``grandparent_position`` before it at
    3, then ``great_grandparent_position``…"""
    names = []
    for up in range(depth - 1, 0, -1):
        names.append("great_" * max(up - 2, 0) + "grand" * (up >= 2) + "parent_position")
    return tuple(names)


def _columns(fields: tuple[Field, ...], prefix: tuple[str, ...] = ()) -> Iterator[Column]:
    for spec in fields:
        if spec.many:
            continue
        path = (*prefix, spec.name)
        if spec.is_object:
            yield from _columns(spec.fields, path)
        elif spec.is_text:
            for lang in LANGUAGES:
                yield Column("_".join(path) + f"_{lang}", spec, path, lang)
        else:
            yield Column("_".join(path), spec, path)


def _value_columns(spec: Field) -> tuple[Column, ...]:
    if spec.is_text:
        return tuple(Column(f"value_{lang}", spec, (), lang) for lang in LANGUAGES)
    return (Column("value", spec, ()),)


def _tables(kind: Kind, fields: tuple[Field, ...], field_path: tuple[str, ...]) -> Iterator[Table]:
    for spec in fields:
        if not spec.many:
            continue
        path = (*field_path, spec.name)
        name = f"{kind.name}_{'_'.join(path)}"
        if spec.is_object:
            yield Table(name, kind, path, tuple(_columns(spec.fields)))
            yield from _tables(kind, spec.fields, path)
        else:
            yield Table(name, kind, path, _value_columns(spec), scalar=spec)


TRANSLATIONS = "translations"
"""The last part of a translations table's name (``project_translations``)."""
TRANSLATION_FIELDS = (
    Field("table", "string", "coop:translationTable",
          "The table of the row whose text this is (projects, project_budgets…)."),
    Field("positions", "string", "coop:translationPositions",
          "The row's positions in that table, outermost list first, joined by dots "
          "(empty for a main table's row): parent_position.position."),
    Field("column", "string", "coop:translationColumn",
          "The text column, without its language suffix (title, place_name, value…)."),
    Field("language", "language", "coop:translationLanguage",
          "The text's language: an ISO 639-1 code other than en and fr."),
    Field("text", "string", "coop:translationText", "The text in that language."),
)
"""The columns of a translations table, after its keys (record id, position)."""


def _translations(kind: Kind) -> Table:
    return Table(f"{kind.name}_{TRANSLATIONS}", kind, (TRANSLATIONS,),
                 tuple(Column(f.name, f, (f.name,)) for f in TRANSLATION_FIELDS),
                 translations=True)


@cache
def tables() -> tuple[Table, ...]:
    """Every table, main tables first, then link tables, then the translations tables,
    in a stable order."""
    main = [Table(kind.folder, kind, (), tuple(_columns(kind.fields))) for kind in KINDS.values()]
    links = [t for kind in KINDS.values() for t in _tables(kind, kind.fields, ())]
    return (*main, *links, *(_translations(kind) for kind in KINDS.values()))


def _text_fields(fields: tuple[Field, ...], prefix: tuple[str, ...] = ()
                 ) -> Iterator[tuple[tuple[str, ...], Field]]:
    """The paths of the text columns of a row of ``fields`` (single objects flattened)."""
    for spec in fields:
        if spec.many:
            continue
        if spec.is_object:
            yield from _text_fields(spec.fields, (*prefix, spec.name))
        elif spec.is_text:
            yield (*prefix, spec.name), spec


_RowLayout = tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[str, Field], ...]]


def _row_layout(fields: tuple[Field, ...]) -> _RowLayout:
    """Of a row of ``fields``: (column name without language, path) of each text column,
    and (name, field) of each list; remembered by the identity of ``fields`` (a kind's or
    an object field's own tuple: hashing it hashes every field within, nested fields
    included, which took most of the table cells' time when it was asked for at each
    record and list entry)."""
    if (found := _ROW_LAYOUTS.get(id(fields))) is None:
        found = _ROW_LAYOUTS[id(fields)] = (fields, (
            tuple(("_".join(path), path) for path, _ in _text_fields(fields)),
            tuple((spec.name, spec) for spec in fields if spec.many)))
    return found[1]


_ROW_LAYOUTS: dict[int, tuple[tuple[Field, ...], _RowLayout]] = {}
""":func:`_row_layout` by ``id(fields)``, each with its ``fields`` (held, so that the
identity is never another tuple's)."""
_LANGUAGES = frozenset(LANGUAGES)


def other_languages(kind: Kind, data: dict[str, Any]) -> Iterator[list[str]]:
    """The cells (table, positions, column, language, text) of each text of a record in a
    language that has no column of its own."""
    def walk(fields: tuple[Field, ...], item: dict[str, Any], table: str,
             positions: str, path: tuple[str, ...]) -> Iterator[list[str]]:
        texts, lists = _row_layout(fields)
        for column, text_path in texts:
            text: Any = item
            for name in text_path:
                text = text.get(name) if isinstance(text, dict) else None
            if isinstance(text, dict) and not text.keys() <= _LANGUAGES:
                for lang, words in text.items():
                    if lang not in _LANGUAGES:
                        yield [table, positions, column, lang, words]
        for list_name, spec in lists:
            if not isinstance(entries := item.get(list_name), list):
                continue
            inner = (*path, list_name)
            name = f"{kind.name}_{'_'.join(inner)}"
            for number, entry in enumerate(entries, start=1):
                at = f"{positions}.{number}" if positions else str(number)
                if spec.is_object and isinstance(entry, dict):
                    yield from walk(spec.fields, entry, name, at, inner)
                elif spec.is_text and isinstance(entry, dict) and \
                        not entry.keys() <= _LANGUAGES:
                    for lang, words in entry.items():
                        if lang not in _LANGUAGES:
                            yield [name, at, "value", lang, words]

    yield from walk(kind.fields, data, kind.folder, "", ())


# --- records → rows ---------------------------------------------------------------


# --- rows → records ---------------------------------------------------------------


"""The line of each field of a record file that the fast reader read, found in one pass
over its lines, without PyYAML.

:func:`plain_lines` is only ever given text that
:func:`~coopdata.records.fastread.read_plain` has read (the loader remembers which files
those are: :class:`~coopdata.records.read.FieldLines`). That part of YAML is small enough
that the lines alone tell where each field is: block mappings and sequences indented with
spaces, one key or dash (``- key:``) a line, scalars whose further lines are indented
past the block they are in, and one-line flow collections (nested ones included). It
gives exactly the lines PyYAML's nodes give (a key's line for ``title``, an item's first line for
``budgets[2]``; tests compare both on generated records); anything it does not expect
raises :class:`NotPlain`, and the loader then asks PyYAML.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coopdata.records.fastread import split_dash

_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_TOP_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*:(?: |$)", re.MULTILINE)
"""A top-level key: in text the fast reader reads, a line at the first column is a
top-level key (these keys) or an item of a sequence at its key's column (``- …``); the
lines of a scalar are indented past its block."""


class NotPlain(Exception):  # noqa: N818 - not an error: the text goes to PyYAML
    """The text is not as the fast reader reads it."""


class _Block:
    """A block mapping or sequence: the column of its keys or dashes, its field path, and
    (a sequence) how many items it has so far."""

    __slots__ = ("indent", "path", "sequence", "items")

    def __init__(self, indent: int, path: str, sequence: bool) -> None:
        self.indent, self.path, self.sequence, self.items = indent, path, sequence, 0


def field_line(text: str, field_path: str, blocks: dict[str, dict[str, int]]) -> int | None:
    """The line of ``field_path`` in ``text``, or None when it holds no such field.

    A top-level key is found by a regular expression; a field inside a top-level one
    (``budgets[1].amount``) by reading that field's lines alone (the blocks before it end
    at its key), once: ``blocks`` keeps what was read (top-level key → the lines inside).
    A path may name a field inside a top-level one (``a.b``: the key ``b`` of ``a``) and a
    top-level key with a dot too (``a.b``): the one later in the text is the one PyYAML's
    lines keep, as in a file read whole."""
    found: tuple[int, int] | None = None  # (where its top-level key is, its line)
    if _SIMPLE_KEY.fullmatch(field_path) and (key := _top_key(field_path).search(text)):
        found = (key.start(), text.count("\n", 0, key.start()) + 1)
    for at, character in enumerate(field_path):
        if character not in ".[":
            continue
        top = field_path[:at]
        if not _SIMPLE_KEY.fullmatch(top) or not (key := _top_key(top).search(text)) or (
                found is not None and key.start() < found[0]):
            continue
        if (lines := blocks.get(top)) is None:
            following = _TOP_KEY.search(text, key.end())
            lines = blocks[top] = plain_lines(
                text[key.start():following.start() if following else len(text)],
                text.count("\n", 0, key.start()) + 1)
        if (line := lines.get(field_path)) is not None:
            found = (key.start(), line)
    return None if found is None else found[1]


@lru_cache(maxsize=1024)
def _top_key(key: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(key)}:(?: |$)", re.MULTILINE)


def plain_lines(text: str, first: int = 1) -> dict[str, int]:
    """Field path (``title``, ``title.fr``, ``budgets[1]``, ``budgets[1].amount``) → its
    line, in ``text``, which :func:`~coopdata.records.fastread.read_plain` reads (or the
    lines of one of its top-level fields, the first of which is line ``first``)."""
    lines: dict[str, int] = {}
    stack = [_Block(0, "", False)]
    # After ``key:`` or a lone ``-``: the block and the path of the value to come, and
    # whether it follows a key (then a sequence may start at the key's column).
    pending: tuple[_Block, str, bool] | None = None
    # After a scalar: lines indented past this column are more of it.
    scalar_column = -1
    for number, line in enumerate(text.split("\n"), start=first):
        content = line.lstrip(" ")
        if not content:
            continue
        indent = len(line) - len(content)
        if indent <= scalar_column:
            scalar_column = -1
        elif scalar_column >= 0:
            continue
        dash, content = split_dash(content)
        key, value = _key_and_value(content)
        if pending is not None:
            block, path, after_key = pending
            pending = None
            if indent > block.indent or (indent == block.indent and dash and after_key):
                stack.append(_Block(indent, path, bool(dash)))
                if not after_key:  # an item whose value starts on this line
                    lines[path] = number
        while stack[-1].indent > indent:
            stack.pop()
        block = stack[-1]
        if block.sequence and not dash:  # the end of a sequence at its key's column
            stack.pop()
            block = stack[-1]
        if block.indent != indent:
            raise NotPlain(f"line {number}: unexpected indentation")
        if dash:
            if not block.sequence:
                raise NotPlain(f"line {number}: an item in a mapping")
            block.items += 1
            path = f"{block.path}[{block.items}]"
            lines[path] = number
            if key is None:
                if value:
                    _value(value, path, number, lines)
                    scalar_column = indent
                else:
                    pending = (block, path, False)
                continue
            block = _Block(indent + dash, path, False)
            stack.append(block)
        elif key is None or block.sequence:
            raise NotPlain(f"line {number}: neither a key nor an item")
        path = f"{block.path}.{key}" if block.path else key
        lines[path] = number
        if value:
            _value(value, path, number, lines)
            scalar_column = block.indent
        else:
            pending = (block, path, True)
    return lines


def _key_and_value(content: str) -> tuple[str | None, str]:
    """The key of a line (after its indentation and dash), or None, and what follows
    (as the fast reader splits it)."""
    if content[:1] in ("", "{", "[", '"', "'"):
        return None, content
    if ": " in content:
        key, _, rest = content.partition(": ")
        return key, rest.lstrip(" ")
    return (content[:-1], "") if content[-1] == ":" else (None, content)


def _value(value: str, path: str, number: int, lines: dict[str, int]) -> None:
    """The entries of a flow collection (``{fr: x}``, ``[a, 'b, c']``, ``[{fr: x}]``) at
    ``path``, all on line ``number``; other values hold no field."""
    if value[0] in "[{":
        _flow(value, 0, path, number, lines)


def _flow(text: str, at: int, path: str, number: int, lines: dict[str, int]) -> int:
    """The entries of the one-line flow collection that starts at ``text[at]``, and of
    the collections nested in it, at ``path``; where the collection ends. A quoted scalar
    may hold commas and brackets, a plain one or a key none."""
    closing = "]" if text[at] == "[" else "}"
    count = 0
    at += 1
    while True:
        at = _spaces(text, at)
        if text[at] == closing and count == 0:
            return at + 1
        if closing == "}":
            colon = text.find(": ", at)
            if colon < 0:
                raise NotPlain("a flow mapping's entry without a key")
            entry, at = f"{path}.{text[at:colon]}", _spaces(text, colon + 2)
        else:
            entry = f"{path}[{count + 1}]"
        count += 1
        lines[entry] = number
        if text[at] in "[{":
            at = _flow(text, at, entry, number, lines)
        elif text[at] in "'\"":
            at = _closing_quote(text, at) + 1
        else:
            ends = [i for i in (text.find(c, at) for c in (",", "]", "}")) if i >= 0]
            if not ends:
                raise NotPlain("a flow collection left open")
            at = min(ends)
        at = _spaces(text, at)
        if text[at] == closing:
            return at + 1
        if text[at] != ",":
            raise NotPlain("a flow entry followed by more than a comma")
        at += 1
        if text[_spaces(text, at)] in ",]}":
            raise NotPlain("an empty flow entry")


def _spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] == " ":
        at += 1
    if at >= len(text):
        raise NotPlain("a flow collection left open")
    return at


def _closing_quote(text: str, at: int) -> int:
    """Where the scalar quoted at ``text[at]`` ends (``''`` is a single quote inside a
    single-quoted one, a backslash escapes the character after it in a double-quoted one)."""
    quote = text[at]
    if quote == '"':
        at += 1
        while at < len(text) and text[at] != '"':
            at += 2 if text[at] == "\\" else 1
        if at >= len(text):
            raise NotPlain("a quote left open")
        return at
    at = text.find(quote, at + 1)
    while at >= 0 and text[at + 1:at + 2] == "'":
        at = text.find("'", at + 2)
    if at < 0:
        raise NotPlain("a quote left open")
    return at

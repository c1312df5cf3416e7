"""The plain data of the commonest record files, read without building YAML nodes.

Most record files, and all that tools write (``yaml.safe_dump``), use a small part of
YAML: block mappings and sequences indented with spaces, plain scalars (also folded over
several lines), single- and double-quoted scalars, and one-line flow collections of
scalars (``{fr: "…"}``, ``[MA, SN]``). :func:`read_plain` reads that part in one pass
over the lines of the text, in about half the time of libyaml's parser followed by
PyYAML's composer, and answers None for anything else — comments, tags, anchors,
aliases, block scalars, escapes, trailing spaces, odd indentation, every error — which
the loader then reads with PyYAML (:mod:`coopdata.records.read`), so that what a record
means, and every message about a malformed one, is PyYAML's. Plain scalars, keys
included, are typed by the loader with PyYAML's own resolver (YAML 1.1: ``yes`` is
true). Tests check that it gives exactly what PyYAML gives, on generated text, on
synthetic records and on every embedded one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from coopdata.records.yamltext import Unsupported as _Unsupported
from coopdata.records.yamltext import (
    closing_quote,
    double_quoted,
    folded,
    hashes_quoted,
    one_quoted,
)

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
"""Tabs (never indentation here), other control characters and line breaks."""
_UNPRINTABLE = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe"
                          "\uff00-\ufffd\U00010000-\U0010ffff]")
"""Characters outside ASCII that PyYAML's reader refuses, other line breaks, and a
byte order mark."""
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_Line = tuple[int, str, int, str, str, bool, str | None]
"""A line split: its indentation, the rest of it, that rest split (its dash, key and
what follows them: :meth:`_Reader.split`), whether what follows is a plain scalar, and
its value when it is a quoted scalar ending on the line (else None)."""
_REMEMBERED: dict[Callable[[str], Any],
                  tuple[set[str], dict[str, _Line], dict[str, Any]]] = {}
"""For each ``typed`` callback (there is one: the loader's), the keys seen to be simple
and read as text (``title``, ``fr``…), the lines already split (``  currency: EUR``,
``- fr: …``: record files share many lines), and the values ``typed`` gave plain scalars
(``EUR``, ``2015``: immutable, so records share them)."""
_KEYS_MAX = 10_000
_LINES_MAX = 50_000
_VALUES_MAX = 50_000
_NONE_YET = object()
_FLOW_KEY = re.compile(r" *([A-Za-z0-9_][A-Za-z0-9_.-]*): +")
_FLOW_PLAIN = re.compile(r" *((?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-(?=[0-9]))[^,\[\]{}:#]*?) *(?=[,\]}])")
_INDICATORS = frozenset("-?:,[]{}#&*!|>%@`")
"""First characters a plain scalar does not start with here (quotes are read apart)."""


class LeaveToPyYAML(_Unsupported):  # noqa: N818 - not an error: a decision
    """Raised by the ``typed`` callback of :func:`read_plain` for a plain scalar it will
    not type (a merge key ``<<``, refused by the loader): the text goes to PyYAML, so that
    both readers give the same finding."""


def read_plain(text: str, typed: Callable[[str], Any], *,
               max_depth: int) -> dict[str, Any] | None:
    """The mapping ``text`` holds, or None when the text is not in the common part of
    YAML (PyYAML then reads it). ``typed`` turns a plain scalar into its value (the
    loader's resolver and constructor); text nested deeper than ``max_depth`` levels (a
    scalar in a mapping is one level deeper than the mapping) is left to PyYAML too."""
    if ("#" in text and not hashes_quoted(text)) or " \n" in text or text.endswith(" ") \
            or (not text.replace("\n", "").isprintable() and _unprintable(text)):
        return None
    try:
        return _Reader(typed, max_depth - 2).document(text.split("\n"))
    except (_Unsupported, IndexError):
        return None


def _unprintable(text: str) -> bool:
    """Whether ``text`` holds a character :data:`_CONTROL` or :data:`_UNPRINTABLE` finds.

    Every such character but the line break is one ``str.isprintable`` refuses (of
    Unicode's categories Cc, Cf, Cs, Cn, Zl and Zp: a test checks each), so that text
    that is printable once its line breaks are taken out, as most is, needs neither
    pattern, which are four times slower."""
    return bool(_CONTROL.search(text) or (not text.isascii() and _UNPRINTABLE.search(text)))


class _Frame:
    """A mapping or sequence being read, and the column of its keys or dashes."""

    __slots__ = ("indent", "items")

    def __init__(self, indent: int, items: dict[str, Any] | list[Any]) -> None:
        self.indent, self.items = indent, items


class _Reader:
    """Reads the lines of a document in one pass, keeping the open blocks on a stack."""

    def __init__(self, typed: Callable[[str], Any], deepest: int) -> None:
        self.typed = typed
        remembered = _REMEMBERED.get(typed)
        if remembered is None:  # (not a new set and dictionaries a file to throw away)
            remembered = _REMEMBERED[typed] = (set(), {}, {})
        self.keys, self.lines, self.values = remembered
        self.deepest = deepest  # open blocks: their scalars are at most two levels deeper
        self.stack: list[_Frame] = []
        # A value with nothing after its key or dash: where it goes, and whether it
        # follows a key (its block is indented more, or, after a key only, a sequence at
        # the same column).
        self.slot: tuple[_Frame, str | int, bool] | None = None
        # A scalar that may go on over the next lines: its slot, its lines, and the
        # column they must be indented past; quoted while it is single-quoted and open.
        self.folding: tuple[_Frame, str | int, list[str], int] | None = None
        self.quoted = False
        self.blanks = 0

    def document(self, lines: list[str]) -> dict[str, Any]:
        if not lines[0] or lines[0][0] == " " or lines[0].startswith(("---", "...")):
            raise _Unsupported
        top = _Frame(0, {})
        self.stack.append(top)
        known_lines, stack, values = self.lines, self.stack, self.values
        # A plain scalar after a key or dash, on its line, waiting for the next line (which
        # tells whether it goes on): its frame, place, text and the column the lines
        # going on with it are past (in locals: most lines end one).
        pending: _Frame | None = None
        pending_place: str | int = 0
        pending_text = ""
        pending_indent = 0
        for line in lines:
            known = known_lines.get(line)
            if known is None:
                content = line.lstrip(" ")
                if not content:
                    self.blanks += 1
                    continue
                indent = len(line) - len(content)
            else:
                indent, content, dash, key, rest, plain, quoted = known
            if pending is not None:
                if indent > pending_indent:  # it goes on: folded the long way
                    self.folding, self.quoted = \
                        (pending, pending_place, [pending_text], pending_indent), False
                else:  # (what end_folding does with a plain scalar on one line)
                    value = values.get(pending_text, _NONE_YET)
                    if value is _NONE_YET:
                        value = self.scalar(pending_text)
                    pending.items[pending_place] = value  # type: ignore[index]
                pending = None
            folding = self.folding
            if folding is not None:
                if indent > folding[3]:
                    self.fold(content)
                    continue
                if self.quoted or len(folding[2]) > 1:
                    self.end_folding()
                else:  # (what end_folding does with a plain scalar on one line)
                    value = values.get(folding[2][0], _NONE_YET)
                    if value is _NONE_YET:
                        value = self.scalar(folding[2][0])
                    folding[0].items[folding[1]] = value  # type: ignore[index]
                    self.folding = None
            self.blanks = 0
            if known is None:
                dash, key, rest = self.split(content)
                plain = _plain_scalar(rest)
                quoted = None if plain else one_quoted(rest)
                if len(known_lines) < _LINES_MAX:
                    known_lines[line] = (indent, content, dash, key, rest, plain, quoted)
            if (key or dash) and (plain or quoted is not None or (key and not rest)):
                # what line, entry and value do with the commonest lines in a block being
                # read: ``key: scalar`` and ``key:`` in a mapping, ``- scalar``, ``- key:
                # scalar`` and ``- key:`` in a sequence (the scalar plain, or quoted and
                # ending on its line)
                if self.slot is not None:
                    self.open_slot(indent, dash)
                while stack[-1].indent > indent:
                    stack.pop()
                frame = stack[-1]
                items = frame.items
                if not dash and type(items) is list and frame.indent == indent:
                    # the end of an indentless sequence, as line takes it (``countries:``
                    # after the items of ``participations:``)
                    stack.pop()
                    frame = stack[-1]
                    items = frame.items
                if frame.indent == indent and type(items) is (list if dash else dict):
                    if not key:  # (- scalar)
                        if quoted is not None:
                            items.append(quoted)  # type: ignore[union-attr]
                            continue
                        items.append(None)  # type: ignore[union-attr]
                        pending, pending_place, pending_text, pending_indent = \
                            frame, len(items) - 1, rest, indent
                        continue
                    if dash:  # a mapping starts in the sequence
                        if len(stack) > self.deepest:
                            raise _Unsupported
                        frame = _Frame(indent + dash, {})
                        items.append(frame.items)  # type: ignore[union-attr]
                        stack.append(frame)
                        items = frame.items
                    elif key in items:
                        raise _Unsupported
                    if quoted is not None:
                        items[key] = quoted  # type: ignore[call-overload]
                        continue
                    items[key] = None  # type: ignore[call-overload]
                    if plain:
                        pending, pending_place, pending_text, pending_indent = \
                            frame, key, rest, frame.indent
                    else:
                        self.slot = (frame, key, True)
                    continue
            self.line(indent, dash, key, rest)
        if pending is not None:
            pending.items[pending_place] = self.scalar(pending_text)  # type: ignore[index]
        self.end_folding()
        if self.slot is not None:
            self.slot[0].items[self.slot[1]] = None  # type: ignore[index]
        if self.stack[0] is not top:
            raise _Unsupported
        return top.items  # type: ignore[return-value]

    def split(self, content: str) -> tuple[int, str, str]:
        """A line without its indentation as ``(dash, key, rest)``: the width of its
        dash (and the spaces after it; 0 without one), its key (``""`` without one) and
        what follows them. The key must be simple (a word, no quotes) and read as text
        (not ``yes`` or ``12``): else the text is left to PyYAML."""
        dash, content = split_dash(content)
        key, rest = _key_and_rest(content)
        if key is None:
            return dash, "", rest
        if key not in self.keys:  # (also refuses an empty key: ": x")
            if not _KEY.fullmatch(key) or not isinstance(self.typed(key), str):
                raise _Unsupported
            if len(self.keys) < _KEYS_MAX:
                self.keys.add(key)
        return dash, key, rest

    def open_slot(self, indent: int, dash: int) -> None:
        """The value left open after a key or dash, now that the next line is here: the
        block it starts (it is indented more, or, after a key, a sequence at the same
        column), else nothing (null)."""
        assert self.slot is not None
        frame, place, indentless = self.slot
        self.slot = None
        if indent > frame.indent or (indent == frame.indent and dash and indentless):
            if len(self.stack) > self.deepest:
                raise _Unsupported
            block = _Frame(indent, [] if dash else {})
            frame.items[place] = block.items  # type: ignore[index]
            self.stack.append(block)
        else:
            frame.items[place] = None  # type: ignore[index]

    def line(self, indent: int, dash: int, key: str, rest: str) -> None:
        if self.slot is not None:
            self.open_slot(indent, dash)
        stack = self.stack
        while stack[-1].indent > indent:
            stack.pop()
        frame = stack[-1]
        if frame.indent != indent:
            raise _Unsupported
        if isinstance(frame.items, list) and not dash:  # the end of an indentless sequence
            stack.pop()
            frame = stack[-1]
            if frame.indent != indent:
                raise _Unsupported
        if dash:
            if not isinstance(frame.items, list):
                raise _Unsupported
            if key:  # an item that is a mapping, starting on this line
                if len(stack) > self.deepest:
                    raise _Unsupported
                block = _Frame(indent + dash, {})
                frame.items.append(block.items)
                stack.append(block)
                self.entry(block, key, rest)
            else:
                frame.items.append(None)
                self.value(frame, len(frame.items) - 1, rest, False)
        elif key:
            self.entry(frame, key, rest)
        else:
            raise _Unsupported

    def entry(self, frame: _Frame, key: str, rest: str) -> None:
        items: dict[str, Any] = frame.items  # type: ignore[assignment]
        if key in items:
            raise _Unsupported
        items[key] = None
        self.value(frame, key, rest, True)

    def value(self, frame: _Frame, place: str | int, text: str, after_key: bool) -> None:
        """The value written after a key or dash (``text``, stripped) into its place."""
        items: Any = frame.items
        if not text:
            self.slot = (frame, place, after_key)
            return
        first = text[0]
        if first == '"':
            items[place], after = double_quoted(text, 0)
            if after != len(text):
                raise _Unsupported  # (more after it)
        elif first == "'":
            end = closing_quote(text, 1)
            if end is None:
                self.folding, self.quoted = (frame, place, [text[1:]], frame.indent), True
            elif end == len(text) - 1:
                items[place] = text[1:-1].replace("''", "'")
            else:
                raise _Unsupported
        elif first in "[{":
            items[place], end = self.flow(text, 0)
            if end != len(text):
                raise _Unsupported
        elif not _plain_scalar(text):
            raise _Unsupported
        else:
            self.folding, self.quoted = (frame, place, [text], frame.indent), False

    def fold(self, text: str) -> None:
        """A line of the scalar being folded."""
        assert self.folding is not None
        parts = self.folding[2]
        parts.append("\n" * self.blanks + text if self.blanks else text)
        self.blanks = 0
        if not self.quoted:
            if text[0] in _INDICATORS or text[0] in "'\"" or ": " in text or text[-1] == ":":
                raise _Unsupported  # (YAML would read these otherwise, or refuse them)
        elif (end := closing_quote(text)) is not None:
            if end != len(text) - 1:
                raise _Unsupported
            parts[-1] = parts[-1][:-1]
            frame, place, _, _ = self.folding
            frame.items[place] = folded(parts).replace("''", "'")  # type: ignore[index]
            self.folding = None

    def end_folding(self) -> None:
        """The scalar being folded ends before this line."""
        if self.folding is None:
            return
        if self.quoted:
            raise _Unsupported  # (a quote left open)
        frame, place, parts, _ = self.folding
        self.folding = None
        frame.items[place] = self.scalar(  # type: ignore[index]
            folded(parts) if len(parts) > 1 else parts[0])

    def scalar(self, text: str) -> Any:
        """The value of the plain scalar ``text`` (``typed``'s, remembered)."""
        value = self.values.get(text, _NONE_YET)
        if value is _NONE_YET:
            value = self.typed(text)
            if len(self.values) < _VALUES_MAX:
                self.values[text] = value
        return value

    def flow(self, text: str, at: int, level: int = 1) -> tuple[Any, int]:
        """A one-line flow sequence or mapping starting at ``text[at]``, of scalars and
        flow collections nested ``level`` deep at most as the block allows (a list of
        texts in several languages, as the IATI import writes them); the value and where
        it ends."""
        closing = "]" if text[at] == "[" else "}"
        result: Any = [] if closing == "]" else {}
        at += 1
        while True:
            at = _skip_spaces(text, at)
            if text[at] == closing:
                return result, at + 1
            if closing == "}":
                key = _FLOW_KEY.match(text, at)
                if key is None or key[1] in result or not isinstance(self.typed(key[1]), str):
                    raise _Unsupported
                result[key[1]], at = self.flow_item(text, key.end(), level)
            else:
                item, at = self.flow_item(text, at, level)
                result.append(item)
            at = _skip_spaces(text, at)
            if text[at] == ",":
                at += 1
                if text[_skip_spaces(text, at)] in ",]}":
                    raise _Unsupported  # (an empty or trailing entry)
            elif text[at] != closing:
                raise _Unsupported

    def flow_item(self, text: str, at: int, level: int) -> tuple[Any, int]:
        """An entry of a flow collection: a scalar, or a collection nested in it (its
        scalars one level deeper: the depth PyYAML would refuse is left to it)."""
        at = _skip_spaces(text, at)
        if text[at] in "[{":
            if len(self.stack) + level >= self.deepest:
                raise _Unsupported
            return self.flow(text, at, level + 1)
        return self.flow_scalar(text, at)

    def flow_scalar(self, text: str, at: int) -> tuple[Any, int]:
        first = text[at]
        if first == '"':
            return double_quoted(text, at)
        if first == "'":
            closing = closing_quote(text, at + 1)
            if closing is None:
                raise _Unsupported
            return text[at + 1:closing].replace("''", "'"), closing + 1
        plain = _FLOW_PLAIN.match(text, at)
        if plain is None:
            raise _Unsupported
        return self.typed(plain[1]), plain.end()


def split_dash(content: str) -> tuple[int, str]:
    """A line without its indentation as ``(dash, rest)``: the width of the dash that
    starts a sequence item and of the spaces after it (0 without one), and what follows."""
    if content[0] == "-" and content[1:2] in ("", " "):
        rest = content[1:].lstrip(" ")
        return len(content) - len(rest), rest
    return 0, content


def _plain_scalar(text: str) -> bool:
    """Whether ``text``, after a key or dash, starts a plain scalar read here (one that
    may go on over the next lines)."""
    return bool(text) and (text[0] not in _INDICATORS or text[0] == "-" and text[1:2].isdigit()) \
        and text[0] not in "'\"" and ": " not in text and text[-1] != ":"


def _key_and_rest(content: str) -> tuple[str | None, str]:
    """The key of a line (after its indentation and dash) and what follows it; the key
    is None when the line has none."""
    if content[:1] in ("", "{", "[", '"', "'"):
        return None, content
    if ": " in content:
        key, _, rest = content.partition(": ")
        return key, rest.lstrip(" ")
    return (content[:-1], "") if content[-1] == ":" else (None, content)


def _skip_spaces(text: str, at: int) -> int:
    while text[at] == " ":
        at += 1
    return at

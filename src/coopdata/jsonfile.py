"""JSON files, byte for byte as ``json.dump(document, ensure_ascii=False, indent=2)``
followed by a newline writes them, but encoded by orjson, in C (twenty times faster);
and JSON text as ``json.dumps(document, ensure_ascii=False, indent=1)`` gives it (the
site's pages embed their JSON-LD so), from orjson's with its indent halved.

The two encoders disagree on a few values, and those are left to :mod:`json`:

* orjson refuses integers beyond 64 bits, keys that are not strings, strings with lone
  surrogates, subclasses of the built-in types, dataclasses and dates: json writes the
  first four as it always did (and refuses the others, and lone surrogates when the
  text is encoded to UTF-8, as it always did);
* orjson writes NaN and ±Infinity as ``null``, and floats between 1e-10 and 1e-4 in
  another form (``0.00001`` and ``1.5e-7`` for json's ``1e-05`` and ``1.5e-07``): output
  with ``null`` or such a number is encoded again by json. Looking for them costs as
  much as encoding, so the items of :func:`dump_json_list` must hold no floats.

Both write control characters, U+2028, U+2029 and DEL alike, and empty containers as
``[]`` and ``{}``; orjson also writes UUIDs and enums, which json refuses.

:func:`dump_json_list` writes a document whose last member is a long list (a JSON-LD
``@graph``) a few items at a time, so the whole document is never held in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from itertools import islice
from operator import add, sub
from pathlib import Path
from typing import Any

import orjson

_OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_SUBCLASS
            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME)

# A scalar ends its line in indented JSON; a string never does (its quote comes last).
_UNLIKE_JSON = re.compile(rb"(?:null|e-\d|0\.0000\d*),?$", re.MULTILINE)
_SMALL_EXPONENT = re.compile(rb"e-\d")  # quick to find: it starts with a fixed text

_BATCH = 16  # list items encoded together (few: the cyclic GC goes through those alive)


def json_bytes(value: Any) -> bytes:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` encoded as UTF-8."""
    encoded = _by_orjson(value)
    return encoded if encoded is not None else _by_json(value)


def json_text(value: Any, indent: int = 2) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)``, for an indent of 1 or 2.

    With an indent of 1, orjson's indent of 2 is halved (:func:`_halve_indent`).
    """
    if indent not in (1, 2):
        raise ValueError(f"indent {indent}: only 1 or 2")
    encoded = _by_orjson(value)
    if encoded is None:
        return json.dumps(value, ensure_ascii=False, indent=indent)
    return (encoded if indent == 2 else _halve_indent(encoded)).decode("utf-8")


# orjson nests 255 levels at most (it refuses deeper documents): indents of up to 510 spaces
_HALVES = [b" " * (width // 2) for width in range(2 * 256 + 2)]


def _halve_indent(encoded: bytes) -> bytes:
    """Indented JSON with one space a level instead of two.

    In indented JSON a line starts with its indent and then a quote, a digit, a letter or
    a bracket, never a space (a line break inside a string is written ``\\n``), so a
    line's leading spaces are its indent, two a level: each line loses half of them.
    Done with ``map`` over the lines, so that no Python runs for each line.
    """
    lines = encoded.split(b"\n")
    bodies = list(map(bytes.lstrip, lines))
    indents = map(_HALVES.__getitem__, map(sub, map(len, lines), map(len, bodies)))
    return b"\n".join(map(add, indents, bodies))


def _by_orjson(value: Any) -> bytes | None:
    """What orjson writes of ``value`` (indent 2), where it is what json writes; else None."""
    try:
        encoded = orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: a value only json writes (or refuses)
        return None
    # "x in bytes" is a quick search for a fixed text; the regular expressions run only then
    suspect = b"null" in encoded or b"0.0000" in encoded or (
        b"e-" in encoded and _SMALL_EXPONENT.search(encoded))
    if suspect and _UNLIKE_JSON.search(encoded):
        return None
    return encoded


def _float_free_bytes(value: Any) -> bytes:
    """:func:`json_bytes` of a value that holds no float."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: a value only json writes (or refuses)
        return _by_json(value)


def _by_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def dump_json(document: Any, path: Path) -> None:
    """Write ``document`` as indented JSON and a final newline."""
    path.write_bytes(json_bytes(document) + b"\n")


def dump_json_list(head: dict[str, Any], key: str, items: Iterable[Any], path: Path) -> None:
    """Write ``{**head, key: list(items)}`` as :func:`dump_json` would, encoding a few
    items at a time. The items must hold no float (the nodes of coopdata's JSON-LD hold
    strings: the text of literals, IRIs, language maps)."""
    with _ListWriter(head, key, path) as writer:
        remaining = iter(items)
        while batch := list(islice(remaining, _BATCH)):
            writer.write(_encoded_items(key, batch))


def dump_json_parts(head: dict[str, Any], key: str, parts: Iterable[Any], path: Path
                    ) -> list[tuple[int, int]]:
    """:func:`dump_json_list`, each part either an item (encoded on its own) or the
    ``bytes`` of one as such a file holds it (:func:`item_bytes`); the place of each item
    in the file (its offset and length, separators and indent excluded), in order."""
    places = []
    with _ListWriter(head, key, path) as writer:
        for part in parts:
            encoded = part if isinstance(part, bytes) else item_bytes(key, part)
            places.append((writer.write(encoded), len(encoded)))
    return places


def item_bytes(key: str, item: Any) -> bytes:
    """The bytes of ``item`` as :func:`dump_json_list` writes it in the list ``key``:
    indented, without the separator after it."""
    return _encoded_items(key, [item])


def _encoded_items(key: str, items: list[Any]) -> bytes:
    """``items`` as they stand in the list ``key`` of a document, indented, with the
    separators between them (none after the last)."""
    opening, closing = _list_ends(key)
    return _float_free_bytes({key: items})[len(opening):-len(closing)]


def _list_ends(key: str) -> tuple[bytes, bytes]:
    """What comes before and after the items of ``{key: [...]}`` encoded alone."""
    return b"{\n  " + json_bytes(key) + b": [\n", b"\n  ]\n}"


class _ListWriter:
    """The file of :func:`dump_json_list`: its head, then items as :meth:`write` is given
    them, then its end."""

    def __init__(self, head: dict[str, Any], key: str, path: Path) -> None:
        assert key not in head, key
        self.head, self.key, self.path = head, key, path
        self.separator = b"\n"
        self.offset = 0

    def __enter__(self) -> _ListWriter:
        self.handle = open(self.path, "wb")
        start = json_bytes(self.head)
        opening = _list_ends(self.key)[0]
        self.offset += self.handle.write(start[:-2] + b",\n" if self.head else b"{\n")
        self.offset += self.handle.write(opening[2:-1])  # (each item's indent is its own)
        return self

    def write(self, encoded: bytes) -> int:
        """Write items as :func:`_encoded_items` gives them; the offset of the first."""
        self.offset += self.handle.write(self.separator)
        start = self.offset
        self.offset += self.handle.write(encoded)
        self.separator = b",\n"
        return start

    def __exit__(self, *exc: object) -> None:
        with self.handle:
            if exc[0] is None:
                self.handle.write(b"]\n}\n" if self.separator == b"\n" else b"\n  ]\n}\n")

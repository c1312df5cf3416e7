"""An IATI activity file cut into parts at ``<iati-activity`` tags, so that each of the
import's workers parses only its part instead of the whole file.

Worker ``k`` of ``n`` is fed the bytes before the file's first activity (the XML
declaration and the root's start tag: its namespaces and attributes), then the bytes of
its part, then, unless the part holds the file's end, ``</iati-activities>``. A cut is
found by looking for ``<iati-activity`` followed by a space, ``>`` or ``/`` from ``k/n``
of the file's size on; it is right only when it falls between two elements of the root,
not in a comment, a CDATA section or a processing instruction, which the workers prove as
they go: the head, and the part before a cut, closed by ``</iati-activities>``, must be
well-formed (the reader reports anything else, and the import then reads the file the
long way, every worker parsing all of it). Every line a part's parse gives is moved by
the newlines before the part (:meth:`Part.line`), and held, as libxml2 holds it, at
65,535.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_START = re.compile(rb"<iati-activity[ \t\r\n/>]")
_WINDOW = 1 << 16
_CHUNK = 1 << 16
CLOSER = b"</iati-activities>"
MAX_LINE = 65535
"""The highest line libxml2 gives (lxml does not ask for more): later lines are this."""


@dataclass(frozen=True)
class Part:
    """The bytes ``[start, end)`` of a file, read after its ``head`` bytes ``[0, head)``;
    ``offset`` newlines lie between the head and the part. ``closed``: the part holds the
    end of the file (else ``</iati-activities>`` is added)."""

    head: int
    start: int
    end: int
    closed: bool
    offset: int

    def line(self, line: int | None) -> int | None:
        """The line in the whole file of ``line`` in the part's parse (None stays None)."""
        if not line or not self.offset:
            return line
        return min(line + self.offset, MAX_LINE)


def find_start(handle: BinaryIO, position: int, size: int) -> int:
    """The first offset at or after ``position`` where ``<iati-activity`` begins (followed
    by a space, ``>`` or ``/``); ``size`` when there is none."""
    while position < size:
        handle.seek(position)
        window = handle.read(_WINDOW + 15)
        if not window:
            break
        found = _START.search(window, 0, len(window))
        if found is not None and found.start() < _WINDOW:
            return position + found.start()
        position += _WINDOW
    return size


def cut(handle: BinaryIO, size: int, share: int, parts: int) -> Part | None:
    """Part ``share`` of ``parts`` of the open file ``handle`` of ``size`` bytes, or None
    when the file holds no ``<iati-activity`` (then part 0 is the whole file, and the
    others are empty: see :func:`whole`)."""
    first = find_start(handle, 0, size)
    if first >= size:
        return None
    starts = [first]
    for number in range(1, parts + 1):
        starts.append(size if number == parts else
                      find_start(handle, max(size * number // parts, starts[-1]), size))
    start, end = starts[share], starts[share + 1]
    closed = end == size and (share == 0 or start < end)  # (the file's own end is in it)
    return Part(first, start, end, closed, count_newlines(handle, first, start) if share else 0)


def count_newlines(handle: BinaryIO, start: int, end: int) -> int:
    """The ``\\n`` in ``[start, end)`` (libxml2 counts lines by them alone)."""
    handle.seek(start)
    total, left = 0, end - start
    while left > 0:
        chunk = handle.read(min(left, 1 << 20))
        if not chunk:
            break
        total += chunk.count(b"\n")
        left -= len(chunk)
    return total


def chunks(handle: BinaryIO, part: Part, share: int) -> Iterator[bytes]:
    """The bytes that the parser of part ``share`` is fed, a chunk at a time."""
    if share:
        yield from _range(handle, 0, part.head)
    yield from _range(handle, 0 if share == 0 else part.start, part.end)
    if not part.closed:
        yield CLOSER


def _range(handle: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    handle.seek(start)
    left = end - start
    while left > 0:
        chunk = handle.read(min(left, _CHUNK))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk

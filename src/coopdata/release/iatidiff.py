"""What changed between the IATI activity files of two releases: activities added,
removed and changed (which elements), by ``iati-identifier``.

The long way (:func:`_prints`) reads both files streaming (the safe reader of
``import-iati``) and keeps, for each activity, a short digest of each of its elements (its
attributes, and its child elements by name, in canonical XML: the order of attributes and
the indentation between elements do not count).

The short way (:func:`_compare_spans`) rests on coopdata's writer being deterministic: an
activity written from an unchanged project has the same bytes in both files. Each file is
cut into the byte spans of its activities, and an activity whose span is the same in both
is unchanged without being parsed; only the spans that differ (and those whose identifier
is not plainly written) go through the long way. The cut is exact, never a guess: it is
made only when neither file holds a comment, CDATA section, DOCTYPE or processing
instruction (then every ``<`` opens a tag, and ``<iati-activity`` only an activity), when
the activities are the root's only children (nothing but whitespace between them), and
when the two files begin with the same bytes up to their first activity (the same root
element: the same bytes then parse to the same activity). Otherwise, or when a span the
short way parses is refused, the long way reads both files whole, so that the answer (and
any error) is always the long way's.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree

from coopdata.errors import UsageError
from coopdata.iati.reading.read import MAX_FILE_BYTES, ActivityFile, attribute_name, element_name


@dataclass
class ActivityChanges:
    """The difference between the IATI activity files of two releases."""

    added: list[str] = field(default_factory=list)
    """``iati-identifier`` of the activities only in the newer file."""
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    """``iati-identifier`` → the elements that differ: child elements of ``iati-activity``
    by name (``budget``, ``transaction``…), its attributes as ``@name``."""


_BETWEEN_TAGS = re.compile(rb">\s+<")
"""Indentation between elements: not a change."""
_Print = tuple[tuple[str, ...], bytes]
"""An activity's element names, sorted, and the 8-byte digest of each, end to end."""
_T = TypeVar("_T")


def compare_activities(old: Path | None, new: Path | None, *,
                       written: bool = False) -> ActivityChanges:
    """Activities added, removed and changed (which elements) from the IATI activity file
    ``old`` to ``new`` (a missing file has no activity), by ``iati-identifier``.

    ``written``: ``new`` was just written by coopdata's writer (lxml serialising the
    elements it built: well-formed), as in a release; otherwise it is read once through
    first, so that the spans the short way does not parse are known to be well-formed."""
    if old is None or new is None:
        return _one_side(old, new)
    if written or _readable(new):
        found = _compare_spans(old, new)
        if found is not None:
            return found
    before = dict(_prints(old))
    return _difference(before, _prints(new), _names)


def _difference(before: dict[str, _T], new: Iterable[tuple[str, _T]],
                differing: Callable[[_T, _T], list[str] | None]) -> ActivityChanges:
    """The changes from the activities ``before`` (by identifier, the last one of each)
    to those of ``new`` in the order of their file; ``differing`` gives the elements in
    which two activities differ, None when they do not (the long and short ways share
    this, so that duplicate identifiers come out the same)."""
    found = ActivityChanges()
    seen: set[str] = set()
    for identifier, activity in new:
        seen.add(identifier)
        earlier = before.get(identifier)
        if earlier is None:
            found.added.append(identifier)
            continue
        names = differing(earlier, activity)
        if names is not None:
            found.changed[identifier] = names
    found.added = sorted(set(found.added))
    found.removed = sorted(set(before) - seen)
    found.changed = dict(sorted(found.changed.items()))
    return found


def _names(old: _Print, new: _Print) -> list[str] | None:
    """The elements in which two activities' prints differ (None: in none)."""
    (old_names, old_digests), (names, digests) = old, new
    if old_digests == digests and old_names == names:
        return None
    was = {n: old_digests[8 * i:8 * i + 8] for i, n in enumerate(old_names)}
    now = {n: digests[8 * i:8 * i + 8] for i, n in enumerate(names)}
    return sorted(n for n in set(was) | set(now) if was.get(n) != now.get(n))


def _one_side(old: Path | None, new: Path | None) -> ActivityChanges:
    """Every activity of the one file there is added (or removed): their identifiers are
    all that is needed, read without the digests."""
    if new is not None:
        return all_added(_identifiers(new))
    found = ActivityChanges()
    if old is not None:
        found.removed = _distinct(_identifiers(old))
    return found


def all_added(identifiers: Iterable[str]) -> ActivityChanges:
    """The changes to a file of activities with these ``iati-identifier`` texts from none:
    each is added (:func:`_distinct`, as :func:`compare_activities` reads them)."""
    return ActivityChanges(added=_distinct(identifiers))


def _distinct(identifiers: Iterable[str]) -> list[str]:
    """``iati-identifier`` texts as the comparison reads them: without surrounding
    whitespace, each once, sorted."""
    return sorted({identifier.strip() for identifier in identifiers})


def _identifiers(path: Path) -> list[str]:
    reading = ActivityFile(path, None)
    found = [a.findtext("iati-identifier") or "" for a in reading.activities()]
    _raise_problems(reading)
    return found


def _readable(path: Path) -> bool:
    """Whether the reader reads ``path`` to its end without a violation."""
    reading = ActivityFile(path, None)
    for _ in reading.activities():
        pass
    return not any(f.severity == "violation" for f in reading.findings)


def _raise_problems(reading: ActivityFile) -> None:
    problems = [f for f in reading.findings if f.severity == "violation"]
    if problems:
        raise UsageError(f"{reading.path}:{problems[0].line or 1}: {problems[0].message}")


def _prints(path: Path) -> Iterator[tuple[str, _Print]]:
    """Each activity of ``path``: its identifier and its elements' digests (when an
    identifier comes twice, the later activity stands)."""
    reading = ActivityFile(path, None)
    names_seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    for activity in reading.activities():
        parts: dict[str, Any] = {}
        for name, value in activity.items():
            parts.setdefault(f"@{attribute_name(activity, name)}",
                             hashlib.blake2b(digest_size=8)).update(value.encode())
        for child in activity:
            digest = parts.setdefault(element_name(child), hashlib.blake2b(digest_size=8))
            digest.update(_BETWEEN_TAGS.sub(b"><", etree.tostring(child, method="c14n",
                                                                  with_tail=False)))
            digest.update(b"\0")
        identifier = (activity.findtext("iati-identifier") or "").strip()
        names = tuple(sorted(parts))
        names = names_seen.setdefault(names, names)  # (one tuple for all alike)
        yield identifier, (names, b"".join(parts[n].digest() for n in names))
    _raise_problems(reading)


# --- the short way -------------------------------------------------------------------

_START = re.compile(rb"<iati-activity(?=[ \t\r\n/>])")
_END = re.compile(rb"</iati-activity[ \t\r\n]*>")
_BLANK = re.compile(rb"[ \t\r\n]*")
_CLOSE = re.compile(rb"[ \t\r\n]*</iati-activities[ \t\r\n]*>[ \t\r\n]*")
_IDENTIFIED = re.compile(
    rb"<iati-activity(?:[ \t\r\n]+(?!xmlns)[A-Za-z_][\w.:-]*[ \t\r\n]*=[ \t\r\n]*"
    rb"(?:\"[^\"<]*\"|'[^'<]*'))*[ \t\r\n]*>[ \t\r\n]*"
    rb"<iati-identifier>([^<&\r]*)</iati-identifier>")
"""An activity whose start tag declares no namespace and whose first child is its
identifier, written as plain text: the identifier the reader would find, without parsing."""


@dataclass
class _Cut:
    """A file cut into its activities."""

    data: Any
    """The file's bytes (mapped)."""
    head: bytes
    """Its bytes before the first activity (declaration, root element)."""
    spans: list[tuple[int, int]]
    """Where each activity starts and ends."""
    identifiers: list[str | None]
    """Each activity's identifier, when plainly written (else None: it must be parsed)."""

    def span(self, index: int) -> bytes:
        start, end = self.spans[index]
        return bytes(self.data[start:end])


def _compare_spans(old: Path, new: Path) -> ActivityChanges | None:
    """:func:`compare_activities` the short way, or None where it does not apply."""
    with _mapped(old) as old_data, _mapped(new) as new_data:
        if old_data is None or new_data is None:
            return None
        was, now = _cut(old_data), _cut(new_data)
        if was is None or now is None or was.head != now.head:
            return None
        old_prints: dict[int, _Print] = {}
        new_prints: dict[int, _Print] = {}
        if not (_identify(was, old_prints) and _identify(now, new_prints)):
            return None
        before = {identifier: index for index, identifier in enumerate(was.identifiers)
                  if identifier is not None}
        unequal: set[int] = set()  # (of the newer file's activities)
        compared: set[int] = set()  # (the older's they are compared with)
        same: set[int] = set()  # (the older's whose bytes are the newer's: well-formed)
        for index, identifier in enumerate(now.identifiers):
            earlier = before.get(identifier) if identifier is not None else None
            if earlier is not None:
                if was.span(earlier) != now.span(index):
                    unequal.add(index)
                    compared.add(earlier)
                else:
                    same.add(earlier)
        # Every other activity of the older file is read, the removed ones and the earlier
        # copies of an identifier too: the long way reads them all, and refuses the file
        # should one be malformed.
        others = set(range(len(was.spans))) - same | compared
        if not (_parse(was, others, old_prints) and _parse(now, unequal, new_prints)):
            return None

        def differing(earlier: int, index: int) -> list[str] | None:
            return _names(old_prints[earlier], new_prints[index]) if index in unequal \
                else None

        return _difference(before, ((identifier, index) for index, identifier
                                    in enumerate(now.identifiers) if identifier is not None),
                           differing)


def _identify(cut: _Cut, prints: dict[int, _Print]) -> bool:
    """Parse the activities whose identifiers are not plainly written (False: refused)."""
    return _parse(cut, {i for i, identifier in enumerate(cut.identifiers)
                        if identifier is None}, prints)


def _parse(cut: _Cut, indexes: set[int], prints: dict[int, _Print]) -> bool:
    """The prints (and identifiers) of the activities ``indexes`` of ``cut``, read the long
    way from a file of their own: the same root element, then those spans; False if the
    reader refuses it (the long way over the whole files then gives its error)."""
    todo = sorted(i for i in indexes if i not in prints)
    if not todo:
        return True
    with tempfile.TemporaryDirectory(prefix="coopdata-iati-") as folder:
        path = Path(folder) / "activities.xml"
        with open(path, "wb") as out:
            out.write(cut.head)
            for index in todo:
                out.write(cut.span(index))
                out.write(b"\n")
            out.write(b"</iati-activities>\n")
        try:
            found = list(_prints(path))
        except UsageError:
            return False
    if len(found) != len(todo):
        return False
    for index, (identifier, activity) in zip(todo, found, strict=True):
        prints[index] = activity
        cut.identifiers[index] = identifier
    return True


def _cut(data: Any) -> _Cut | None:
    """``data`` cut into the spans of its activities, or None when the cut could be
    wrong (see the module's description)."""
    if data.find(b"<!") != -1 or data.find(b"<?", 1) != -1:
        return None
    starts = [m.start() for m in _START.finditer(data)]
    ends = [m.end() for m in _END.finditer(data)]
    if not starts or len(starts) != len(ends) or not _CLOSE.fullmatch(data, ends[-1]):
        return None
    identifiers: list[str | None] = []
    previous = starts[0]
    for start, end in zip(starts, ends, strict=True):
        if not previous <= start < end or not _BLANK.fullmatch(data, previous, start):
            return None
        previous = end
        found = _IDENTIFIED.match(data, start, end)
        try:
            identifiers.append(found[1].decode("utf-8").strip() if found else None)
        except UnicodeDecodeError:
            identifiers.append(None)
    return _Cut(data, bytes(data[:starts[0]]), list(zip(starts, ends, strict=True)),
                identifiers)


@contextmanager
def _mapped(path: Path) -> Iterator[Any]:
    """The bytes of ``path`` mapped into memory (None unless it is a regular, non-empty
    file the reader would read: the long way then says what is wrong)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        yield None
        return
    try:
        size = os.fstat(descriptor).st_size
        if not stat.S_ISREG(os.fstat(descriptor).st_mode) or not 0 < size <= MAX_FILE_BYTES:
            yield None
            return
        with mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ) as data:
            yield data
    finally:
        os.close(descriptor)

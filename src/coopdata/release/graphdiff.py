"""The triples added and removed between two releases: ``changes/added.nt`` and
``changes/removed.nt`` of a release after the first, sorted N-Triples lines, so that the
older ``graph.nt`` less ``removed.nt`` plus ``added.nt`` is the newer ``graph.nt``."""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

CHANGES = "changes"
"""The folder of a release (after the first) holding the triples added and removed."""
ADDED_TRIPLES, REMOVED_TRIPLES = f"{CHANGES}/added.nt", f"{CHANGES}/removed.nt"


def write_triple_changes(old: set[str], new: set[str], release: Path) -> tuple[Path, Path]:
    """``changes/added.nt`` and ``changes/removed.nt`` in the release directory
    ``release``: the N-Triples lines (each ending in a newline) of ``new`` not in ``old``
    and of ``old`` not in ``new``, sorted, in UTF-8: the same two releases always give
    the same bytes, and ``old - removed | added == new``."""
    folder = release / CHANGES
    folder.mkdir(exist_ok=True)
    paths = release / ADDED_TRIPLES, release / REMOVED_TRIPLES
    for path, lines in zip(paths, (new - old, old - new), strict=True):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(sorted(lines))
    return paths


def write_graph_changes(old: Path, new: Path, release: Path) -> tuple[int, int]:
    """:func:`write_triple_changes` of the lines of the ``graph.nt`` files ``old`` and
    ``new``, and the number of lines added and removed. Both sorted, as releases write
    them: merged a block of lines at a time, so that memory never holds either graph (at
    100,000 projects, two sets of 5.3 million lines took 1.6 GB); a file out of order (not
    written by coopdata) is read into sets instead, for the same files."""
    paths = release / ADDED_TRIPLES, release / REMOVED_TRIPLES
    (release / CHANGES).mkdir(exist_ok=True)
    try:
        with open(paths[0], "w", encoding="utf-8", newline="") as added, \
                open(paths[1], "w", encoding="utf-8", newline="") as removed:
            return _merge(_sorted_blocks(old), _sorted_blocks(new), added.write,
                          removed.write)
    except _Unsorted:
        old_lines, new_lines = graph_lines(old), graph_lines(new)
        write_triple_changes(old_lines, new_lines, release)
        return len(new_lines - old_lines), len(old_lines - new_lines)


def lines_in(path: Path) -> int:
    """How many triples a file of :func:`write_graph_changes` holds (each a line ending in
    a newline, none within one)."""
    count = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
    return count


class _Unsorted(Exception):
    """A graph.nt whose lines are not in order."""


def _merge(old: Iterator[list[str]], new: Iterator[list[str]], added: Callable[[str], object],
           removed: Callable[[str], object]) -> tuple[int, int]:
    """The sorted lines of ``new`` not in ``old`` to ``added``, of ``old`` not in ``new`` to
    ``removed`` (each sorted, each once), and how many of each; ``old`` and ``new`` give
    their lines in blocks, in order, each line once. Block by block: the lines up to the
    lesser of the two blocks' last lines are all there are of each file up to it, and
    are compared whole (as sets when they differ)."""
    counts = [0, 0]
    was, now = next(old, []), next(new, [])
    while was or now:
        if was and now:
            bound = min(was[-1], now[-1])
            old_cut, new_cut = bisect_right(was, bound), bisect_right(now, bound)
        else:  # (one file is done: the other's lines are all left)
            old_cut, new_cut = len(was), len(now)
        plus: list[str] = []
        minus: list[str] = []
        _differ(was[:old_cut], now[:new_cut], plus, minus)
        added("".join(plus))
        removed("".join(minus))
        counts[0] += len(plus)
        counts[1] += len(minus)
        was, now = was[old_cut:] or next(old, []), now[new_cut:] or next(new, [])
    return counts[0], counts[1]


_SMALL = 512
"""Lines (of both lists) compared as sets rather than halved again."""


def _differ(was: list[str], now: list[str], plus: list[str], minus: list[str]) -> None:
    """The lines of ``now`` not in ``was`` onto ``plus`` and of ``was`` not in ``now`` onto
    ``minus``, in order (both in order, each line once): halves that are equal are passed
    over whole, so that a few changes among many lines cost little more than comparing
    the lists."""
    if was == now:
        return
    if len(was) + len(now) <= max(_SMALL, 2):
        before, after = set(was), set(now)
        plus += sorted(after - before)
        minus += sorted(before - after)
        return
    longer = was if len(was) >= len(now) else now
    middle = longer[(len(longer) - 1) // 2]  # (each half then holds fewer lines)
    old_cut, new_cut = bisect_right(was, middle), bisect_right(now, middle)
    _differ(was[:old_cut], now[:new_cut], plus, minus)
    _differ(was[old_cut:], now[new_cut:], plus, minus)


_BLOCK = 1 << 22
"""About how many characters of a graph.nt are read at a time (4 MiB)."""


def _sorted_blocks(path: Path) -> Iterator[list[str]]:
    """The lines of :func:`_graph_lines`, in order, each once, in blocks of about
    :data:`_BLOCK` characters, none empty (:class:`_Unsorted` if the file's are not in
    order)."""
    previous = ""
    with open(path, encoding="utf-8") as handle:
        while block := handle.readlines(_BLOCK):
            if not block[-1].endswith("\n"):  # (the last line of the file)
                block[-1] += "\n"
            lines = list(filter(str.strip, block))  # (blank lines apart)
            start = 0
            while start < len(lines) and lines[start] <= previous:
                if lines[start] < previous:
                    raise _Unsorted(path)
                start += 1
            lines = lines[start:]
            if not all(map(operator.lt, lines, islice(lines, 1, None))):
                if not all(map(operator.le, lines, islice(lines, 1, None))):
                    raise _Unsorted(path)
                lines = list(dict.fromkeys(lines))  # (a line twice: once)
            if lines:
                previous = lines[-1]
                yield lines


def graph_lines(path: Path) -> set[str]:
    """The N-Triples lines of a ``graph.nt`` (each ending in a newline; blank lines apart)."""
    with open(path, encoding="utf-8") as handle:
        return {line if line.endswith("\n") else line + "\n" for line in handle if line.strip()}

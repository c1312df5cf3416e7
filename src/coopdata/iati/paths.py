"""Which element and attribute paths of an activity were carried into records, and which
were not: nothing is dropped without a word.

A path is written from the activity down, attributes after ``@``:
``iati-activity/transaction/value/@currency``. Each occurrence counts once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from coopdata.iati.reading.read import attribute_name, element_name


def paths_in(activity: Any) -> Counter[str]:
    """How many times each element and attribute path occurs in ``activity``."""
    return Counter(path_list(activity))


def path_list(activity: Any) -> list[str]:
    """The element and attribute paths of ``activity``, one an occurrence."""
    found: list[str] = []
    _walk(activity, "iati-activity", found)
    return found


def dropped_here(present: Counter[str], carried: Counter[str]) -> dict[str, int]:
    """``present - carried`` (the occurrences of one activity not carried) in path order."""
    get = carried.get
    return {path: count - get(path, 0) for path, count in sorted(present.items())
            if count > get(path, 0)}


_CHILDREN: dict[str, dict[str, str]] = {}
"""For a path, the path of each child element by its (plain) name: made once, as the same
few paths recur in every activity (a lookup by the parent's path, then by the name,
costs less than one by a tuple of both)."""
_ATTRIBUTES: dict[str, dict[str, str]] = {}
"""For a path, the path of each (plain) attribute by its name."""
_LIMIT = 1 << 14
"""Paths remembered in all (as many as before this table was split by parent): a hostile
file's many names are joined each time instead."""
_SIZE = [0]


def _remember(table: dict[str, dict[str, str]], path: str, name: str, joined: str) -> None:
    if _SIZE[0] < _LIMIT:
        _SIZE[0] += 1
        table.setdefault(path, {})[name] = joined


_NONE: dict[str, str] = {}


def _walk(element: Any, path: str, found: list[str]) -> None:
    found.append(path)
    keys = element.keys()
    if keys:
        names = _ATTRIBUTES.get(path, _NONE)
        for name in keys:
            joined = names.get(name)
            if joined is None:
                if name[0] != "{":
                    joined = f"{path}/@{name}"
                    _remember(_ATTRIBUTES, path, name, joined)
                else:
                    joined = f"{path}/@{attribute_name(element, name)}"
            found.append(joined)
    if len(element):
        tags = _CHILDREN.get(path, _NONE)
        for child in element:
            tag = child.tag
            joined = tags.get(tag)
            if joined is None:
                if isinstance(tag, str) and tag[0] != "{":
                    joined = f"{path}/{tag}"
                    _remember(_CHILDREN, path, tag, joined)
                else:
                    joined = f"{path}/{element_name(child)}"
            _walk(child, joined, found)


def dropped(present: Counter[str], carried: Counter[str]) -> Counter[str]:
    """The occurrences in ``present`` that are not in ``carried``."""
    return present - carried


def show(counts: Counter[str]) -> str:
    """``path ×n, path ×n`` in path order, or ``nothing``."""
    return ", ".join(f"{path} ×{n}" for path, n in sorted(counts.items())) or "nothing"

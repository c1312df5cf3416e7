"""Which element and attribute paths of an activity were carried into records, and which
were not: nothing is dropped without a word.

A path is written from the activity down, attributes after ``@``:
``iati-activity/transaction/value/@currency``. Each occurrence counts once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from coopdata.iati.read import attribute_name, element_name


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


_JOINED: dict[tuple[str, str], str] = {}
"""``path/name`` (and ``path/@name``) made once: the same few paths recur in every
activity. Only plain names are kept, and only so many."""
_ATTRIBUTES: dict[tuple[str, str], str] = {}
_JOINED_LIMIT = 1 << 14


def _walk(element: Any, path: str, found: list[str]) -> None:
    found.append(path)
    for name in element.keys():  # noqa: SIM118 - (a list, made in C)
        joined = _ATTRIBUTES.get((path, name))
        if joined is None:
            joined = f"{path}/@{name if name[0] != '{' else attribute_name(element, name)}"
            if name[0] != "{" and len(_ATTRIBUTES) < _JOINED_LIMIT:
                _ATTRIBUTES[(path, name)] = joined
        found.append(joined)
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag[0] != "{":
            joined = _JOINED.get((path, tag))
            if joined is None:
                joined = f"{path}/{tag}"
                if len(_JOINED) < _JOINED_LIMIT:
                    _JOINED[(path, tag)] = joined
        else:
            joined = f"{path}/{element_name(child)}"
        _walk(child, joined, found)


def dropped(present: Counter[str], carried: Counter[str]) -> Counter[str]:
    """The occurrences in ``present`` that are not in ``carried``."""
    return present - carried


def show(counts: Counter[str]) -> str:
    """``path ×n, path ×n`` in path order, or ``nothing``."""
    return ", ".join(f"{path} ×{n}" for path, n in sorted(counts.items())) or "nothing"

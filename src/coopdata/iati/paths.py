"""Which element and attribute paths of an activity were carried into records, and which
were not: nothing is dropped without a word.

A path is written from the activity down, attributes after ``@``:
``iati-activity/transaction/value/@currency``. Each occurrence counts once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .read import attribute_name, element_name


def paths_in(activity: Any) -> Counter[str]:
    """How many times each element and attribute path occurs in ``activity``."""
    counts: Counter[str] = Counter()
    _walk(activity, "iati-activity", counts)
    return counts


def _walk(element: Any, path: str, counts: Counter[str]) -> None:
    counts[path] += 1
    for name in element.keys():  # noqa: SIM118 - (a list, made in C)
        counts[f"{path}/@{name if name[0] != '{' else attribute_name(element, name)}"] += 1
    for child in element:
        tag = child.tag
        name = tag if isinstance(tag, str) and tag[0] != "{" else element_name(child)
        _walk(child, f"{path}/{name}", counts)


def dropped(present: Counter[str], carried: Counter[str]) -> Counter[str]:
    """The occurrences in ``present`` that are not in ``carried``."""
    return present - carried


def show(counts: Counter[str]) -> str:
    """``path ×n, path ×n`` in path order, or ``nothing``."""
    return ", ".join(f"{path} ×{n}" for path, n in sorted(counts.items())) or "nothing"

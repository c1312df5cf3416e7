"""What changed between two releases: records added, removed and changed (which
fields), IATI activities added, removed and changed (which elements), and triples added
and removed.

The two ``iati-activities.xml`` files are read streaming (the safe reader of
``import-iati``): of the older one, each activity is kept as a short digest of each of
its elements (its attributes, and its child elements by name, in canonical XML: the
order of attributes and the indentation between elements do not count), so memory holds
a few hundred bytes an activity, never the files themselves.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from coopdata.errors import UsageError
from coopdata.iati.read import ActivityFile, attribute_name, element_name
from coopdata.model.dataset import Dataset
from coopdata.tables.read import read_tables

IATI_ACTIVITIES = "iati-activities.xml"
"""The release's IATI activity file (the name :mod:`coopdata.iati.write` gives it)."""


@dataclass
class ActivityChanges:
    """The difference between the IATI activity files of two releases."""

    added: list[str] = field(default_factory=list)
    """``iati-identifier`` of the activities only in the newer file."""
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    """``iati-identifier`` → the elements that differ: child elements of ``iati-activity``
    by name (``budget``, ``transaction``…), its attributes as ``@name``."""


@dataclass
class Changes:
    """The difference between an older and a newer release."""

    old: str | None
    new: str
    added: list[str] = field(default_factory=list)
    """``kind/id`` of records only in the new release."""
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    """``kind/id`` → the fields whose values differ."""
    triples_added: int = 0
    triples_removed: int = 0
    activities: ActivityChanges | None = None
    """The IATI activities' changes; None when neither release has an IATI file."""

    def to_markdown(self) -> str:
        since = f" since {self.old}" if self.old else ""
        lines = [f"# Changes in {self.new}{since}", ""]
        if self.old is None:
            lines += ["First release.", ""]
        lines += ["## Records", ""]
        if not (self.added or self.removed or self.changed):
            lines.append("No record changed.")
        lines += [f"- added: {name}" for name in self.added]
        lines += [f"- removed: {name}" for name in self.removed]
        lines += [f"- changed: {name} ({', '.join(fields)})"
                  for name, fields in self.changed.items()]
        if self.activities is not None:
            found = self.activities
            lines += ["", "## IATI activities", ""]
            if not (found.added or found.removed or found.changed):
                lines.append("No activity changed.")
            lines += [f"- added: {name}" for name in found.added]
            lines += [f"- removed: {name}" for name in found.removed]
            lines += [f"- changed: {name} ({', '.join(elements)})"
                      for name, elements in found.changed.items()]
        lines += ["", "## Triples", "",
                  f"{self.triples_added} added, {self.triples_removed} removed.", ""]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def compare(old: Dataset | None, new: Dataset, old_triples: set[str], new_triples: set[str],
            *, old_version: str | None, new_version: str, old_iati: Path | None = None,
            new_iati: Path | None = None) -> Changes:
    """The changes from ``old`` to ``new`` (records and N-Triples lines), and between the
    IATI activity files ``old_iati`` and ``new_iati`` when either exists."""
    changes = Changes(old_version, new_version)
    old_file = old_iati if old_iati is not None and old_iati.is_file() else None
    new_file = new_iati if new_iati is not None and new_iati.is_file() else None
    if old_file is not None or new_file is not None:
        changes.activities = compare_activities(old_file, new_file)
    before = {f"{r.kind}/{r.id}": r.data for r in old} if old is not None else {}
    after = {f"{r.kind}/{r.id}": r.data for r in new}
    changes.added = sorted(set(after) - set(before))
    changes.removed = sorted(set(before) - set(after))
    for name in sorted(set(before) & set(after)):
        fields = sorted(f for f in set(before[name]) | set(after[name])
                        if before[name].get(f) != after[name].get(f))
        if fields:
            changes.changed[name] = fields
    changes.triples_added = len(new_triples - old_triples)
    changes.triples_removed = len(old_triples - new_triples)
    return changes


def read_release(directory: Path) -> tuple[Dataset, set[str]]:
    """The records (from the release's CSV tables) and N-Triples lines of a release."""

    if not (directory / "graph.nt").is_file() or not (directory / "tables").is_dir():
        raise UsageError(f"{directory} is not a coopdata release (no graph.nt or tables/)")
    dataset, report = read_tables(directory / "tables")
    if not report.valid:
        raise UsageError(f"the tables of {directory} cannot be read back: "
                         f"{report.sorted()[0]}")
    with open(directory / "graph.nt", encoding="utf-8") as handle:
        triples = {line if line.endswith("\n") else line + "\n" for line in handle if line.strip()}
    return dataset, triples


def diff_releases(old: Path | str, new: Path | str) -> Changes:
    """The changes between two release directories (``DIR/<version>``)."""
    old_path, new_path = Path(old), Path(new)
    old_data, old_triples = read_release(old_path)
    new_data, new_triples = read_release(new_path)
    return compare(old_data, new_data, old_triples, new_triples, old_version=old_path.name,
                   new_version=new_path.name, old_iati=old_path / IATI_ACTIVITIES,
                   new_iati=new_path / IATI_ACTIVITIES)


_BETWEEN_TAGS = re.compile(rb">\s+<")
"""Indentation between elements: not a change."""
_Print = tuple[tuple[str, ...], bytes]
"""An activity's element names, sorted, and the 8-byte digest of each, end to end."""


def compare_activities(old: Path | None, new: Path | None) -> ActivityChanges:
    """Activities added, removed and changed (which elements) from the IATI activity file
    ``old`` to ``new`` (a missing file has no activity), by ``iati-identifier``."""
    before: dict[str, _Print] = dict(_prints(old)) if old is not None else {}
    found = ActivityChanges()
    seen: set[str] = set()
    for identifier, (names, digests) in _prints(new) if new is not None else ():
        seen.add(identifier)
        earlier = before.get(identifier)
        if earlier is None:
            found.added.append(identifier)
            continue
        old_names, old_digests = earlier
        if old_digests == digests and old_names == names:
            continue
        was = {n: old_digests[8 * i:8 * i + 8] for i, n in enumerate(old_names)}
        now = {n: digests[8 * i:8 * i + 8] for i, n in enumerate(names)}
        found.changed[identifier] = sorted(n for n in set(was) | set(now)
                                           if was.get(n) != now.get(n))
    found.added = sorted(set(found.added))
    found.removed = sorted(set(before) - seen)
    found.changed = dict(sorted(found.changed.items()))
    return found


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
    problems = [f for f in reading.findings if f.severity == "violation"]
    if problems:
        raise UsageError(f"{path}:{problems[0].line or 1}: {problems[0].message}")

"""What changed between two releases: records added, removed and changed (each value
that changed, old → new, with the record's title), IATI activities added, removed and
changed (which elements), and triples added and removed.

A release after the first carries the triples themselves in ``changes/added.nt`` and
``changes/removed.nt`` (:mod:`.graphdiff`): sorted N-Triples lines, so that
the older ``graph.nt`` less ``removed.nt`` plus ``added.nt`` is the newer ``graph.nt``.
The first release has no ``changes/`` folder: there is nothing to compare it with, and
its ``graph.nt`` is all it adds.

The two ``iati-activities.xml`` files are compared by :mod:`.iatidiff`. In a release, the
previous release's records are not read back whole (:func:`compare_with_release`): only
those whose table rows differ from this release's (:mod:`.rowdiff`), for the same
changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from coopdata.cache import Cache
from coopdata.errors import UsageError
from coopdata.model.dataset import Dataset
from coopdata.model.dates import PartialDate
from coopdata.model.spec import KINDS
from coopdata.release.dir import ReleaseDir
from coopdata.release.graphdiff import ADDED_TRIPLES as ADDED_TRIPLES
from coopdata.release.graphdiff import CHANGES as CHANGES
from coopdata.release.graphdiff import REMOVED_TRIPLES as REMOVED_TRIPLES
from coopdata.release.graphdiff import graph_lines
from coopdata.release.graphdiff import write_graph_changes as write_graph_changes
from coopdata.release.graphdiff import write_triple_changes as write_triple_changes
from coopdata.release.iatidiff import ActivityChanges, all_added, compare_activities
from coopdata.release.rowdiff import RecordData, RecordSources, changed_records
from coopdata.tables.read import read_tables

IATI_ACTIVITIES = "iati-activities.xml"
"""The release's IATI activity file (the name :mod:`coopdata.iati.writing.write` gives it)."""


_SHOWN = 80
"""The most characters of a text shown on a changelog line (the JSON holds it whole)."""


@dataclass
class ValueChange:
    """One value of a record that differs between two releases."""

    field: str
    """Its path in the record: ``status``, ``title.en``, ``budgets[1].amount`` (1-based)."""
    old: Any
    """The old value as JSON (None: absent); dates as text, decimals as numbers."""
    new: Any
    old_unit: str | None = None
    """The currency of an amount (its item's, else the record's default currency)."""
    new_unit: str | None = None

    def text(self) -> str:
        """``budgets[1].amount: 4100000 → 4200000 EUR``."""
        old, new = _pair(self.old, self.new)
        if self.old_unit == self.new_unit:
            unit = f" {self.new_unit}" if self.new_unit and self.new is not None else ""
            return f"{self.field}: {old} → {new}{unit}"
        old += f" {self.old_unit}" if self.old_unit and self.old is not None else ""
        new += f" {self.new_unit}" if self.new_unit and self.new is not None else ""
        return f"{self.field}: {old} → {new}"


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
    values: dict[str, list[ValueChange]] = field(default_factory=dict)
    """``kind/id`` of each changed record → each value that differs, old and new."""
    titles: dict[str, str] = field(default_factory=dict)
    """``kind/id`` of each record added, removed or changed → its title (its name for a
    person or organisation; English, else French, else its first language), from the
    newer release (the older for a removed record)."""
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
        lines += [f"- added: {self._named(name)}" for name in self.added]
        lines += [f"- removed: {self._named(name)}" for name in self.removed]
        for name in self.changed:
            lines.append(f"- changed: {self._named(name)}")
            lines += [f"  - {change.text()}" for change in self.values.get(name, ())]
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

    def _named(self, name: str) -> str:
        title = self.titles.get(name)
        return f"{name} ({_clipped(title)})" if title else name

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


Activities = ActivityChanges | None | Literal["compare"]
"""The IATI activities' changes when they are known already (as :func:`activity_changes`
gives them), or ``"compare"``: compare the files."""


def activity_changes(old_iati: Path | None, new_iati: Path | None, *,
                     written: bool = False,
                     identifiers: list[str] | None = None) -> ActivityChanges | None:
    """The changes between the IATI activity files ``old_iati`` and ``new_iati`` (a path
    that is no file has no activity); None when neither is a file. ``written``: see
    :func:`~coopdata.release.iatidiff.compare_activities`; ``identifiers``: those of the
    activities of ``new_iati`` when the caller wrote them, so that a new file with no
    older one is not read back."""
    old_file = old_iati if old_iati is not None and old_iati.is_file() else None
    new_file = new_iati if new_iati is not None and new_iati.is_file() else None
    if old_file is None and new_file is None:
        return None
    if old_file is None and identifiers is not None:
        return all_added(identifiers)
    return compare_activities(old_file, new_file, written=written)


def compare(old: Dataset | None, new: Dataset, old_triples: set[str], new_triples: set[str],
            *, old_version: str | None, new_version: str, old_iati: Path | None = None,
            new_iati: Path | None = None, activities: Activities = "compare") -> Changes:
    """The changes from ``old`` to ``new`` (records and N-Triples lines), and between the
    IATI activity files ``old_iati`` and ``new_iati`` when either exists (unless their
    changes are given as ``activities``)."""
    before = DataOf(old) if old is not None else {}
    after = DataOf(new)
    changes = _compared(before, after, old_version=old_version, new_version=new_version,
                        old_iati=old_iati, new_iati=new_iati, activities=activities)
    changes.triples_added = len(new_triples - old_triples)
    changes.triples_removed = len(old_triples - new_triples)
    return changes


class DataOf(Mapping[str, dict[str, Any]]):
    """The data of a dataset's records by ``kind/id``, each record read when asked for
    (a dataset holding its records pickled is never read whole)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __getitem__(self, name: str) -> dict[str, Any]:
        kind, _, record_id = name.partition("/")
        records = self.dataset.by_kind.get(kind)
        if records is None:
            raise KeyError(name)
        return records[record_id].data

    def __iter__(self) -> Iterator[str]:
        return (f"{kind}/{record_id}" for kind, records in self.dataset.by_kind.items()
                for record_id in records)

    def __len__(self) -> int:
        return len(self.dataset)


def compare_with_release(last: Path, new: Dataset, folder: Path, *, old_version: str,
                         new_version: str, activities: Activities = "compare",
                         remembered: RecordSources | None = None,
                         cache: Cache | None = None) -> Changes:
    """:func:`compare` of the records of the release ``last`` (as :func:`release_records`
    reads them back) with ``new``, whose release is being written in ``folder`` (its
    ``tables/`` and IATI file written), and of the two IATI files; the triples are left
    to the caller. The same changes, but only the records whose rows differ are read back
    (:mod:`.rowdiff`) and only the activities whose bytes differ are parsed
    (:mod:`.iatidiff`); the previous release is read whole only when its tables are not
    as this release writes them. ``activities``: see :func:`compare`. ``remembered``: the
    record sources of the release ``last`` and ``cache``: see
    :func:`~.rowdiff.changed_records`."""
    found = ReleaseDir(last)
    if not found.graph.is_file() or not found.tables.is_dir():
        release_records(last)  # (which says what is wrong)
    pair = changed_records(found.tables, folder / "tables", new, remembered, cache)
    if pair is None:
        return compare(release_records(last), new, set(), set(), old_version=old_version,
                       new_version=new_version, old_iati=last / IATI_ACTIVITIES,
                       new_iati=folder / IATI_ACTIVITIES, activities=activities)
    return _compared(*pair, old_version=old_version, new_version=new_version,
                     old_iati=last / IATI_ACTIVITIES, new_iati=folder / IATI_ACTIVITIES,
                     written=True, activities=activities)


def _compared(before: RecordData, after: RecordData, *, old_version: str | None,
              new_version: str, old_iati: Path | None, new_iati: Path | None,
              written: bool = False, activities: Activities = "compare") -> Changes:
    """The changes from the records' data ``before`` to ``after`` (by ``kind/id``: of
    those two releases, or at least of every record added, removed or whose data may
    differ) and between the IATI files (``written``: the newer one by this release)."""
    changes = Changes(old_version, new_version)
    changes.activities = activity_changes(old_iati, new_iati, written=written) \
        if activities == "compare" else activities
    changes.added = sorted(set(after) - set(before))
    changes.removed = sorted(set(before) - set(after))
    for name in changes.added:
        _title(changes, name, after[name])
    for name in changes.removed:
        _title(changes, name, before[name])
    for name in sorted(set(before) & set(after)):
        fields = sorted(f for f in set(before[name]) | set(after[name])
                        if before[name].get(f) != after[name].get(f))
        if fields:
            changes.changed[name] = fields
            changes.values[name] = value_changes(before[name], after[name])
            _title(changes, name, after[name])
    return changes


def _title(changes: Changes, name: str, data: dict[str, Any]) -> None:
    kind = KINDS.get(name.split("/", 1)[0])
    value = data.get(kind.label_field) if kind is not None else None
    if isinstance(value, dict) and value:
        value = value.get("en") or value.get("fr") or next(iter(value.values()))
    if isinstance(value, str) and value.strip():
        changes.titles[name] = " ".join(value.split())


def value_changes(old: dict[str, Any], new: dict[str, Any]) -> list[ValueChange]:
    """Each value that differs from the record ``old`` to ``new`` (their data), in the
    order of their fields (sorted), items of a list of objects one by one (1-based), a
    multilingual text language by language, a list of plain values whole."""
    found: list[ValueChange] = []
    units = (_currency(old.get("default_currency")), _currency(new.get("default_currency")))
    for key in sorted(set(old) | set(new)):
        _differences(old.get(key), new.get(key), key, units, found)
    return found


def _currency(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _differences(old: Any, new: Any, path: str, units: tuple[str | None, str | None],
                 found: list[ValueChange]) -> None:
    if old == new:
        return
    if isinstance(old, dict | None) and isinstance(new, dict | None) \
            and not (old is None and new is None):
        was, now = old or {}, new or {}
        if old is not None and new is not None or _multilingual(was or now):
            inner = (_currency(was.get("currency")) or units[0] if old is not None else None,
                     _currency(now.get("currency")) or units[1] if new is not None else None)
            for key in sorted(set(was) | set(now)):
                _differences(was.get(key), now.get(key), f"{path}.{key}", inner, found)
            return
    if _objects(old) and _objects(new):
        was_list, now_list = old or [], new or []
        for index in range(max(len(was_list), len(now_list))):
            _differences(was_list[index] if index < len(was_list) else None,
                         now_list[index] if index < len(now_list) else None,
                         f"{path}[{index + 1}]", units, found)
        return
    amount = (isinstance(old, Decimal | int | float) or isinstance(new, Decimal | int | float)) \
        and not isinstance(old, bool) and not isinstance(new, bool)
    found.append(ValueChange(path, _plain(old), _plain(new), units[0] if amount else None,
                             units[1] if amount else None))


def _multilingual(value: dict[str, Any]) -> bool:
    """A text in several languages (``{fr: …, en: …}``): its languages are listed apart."""
    return bool(value) and all(isinstance(v, str) and len(k) <= 3 for k, v in value.items())


def _objects(value: Any) -> bool:
    """A list of objects (or none): its items are compared one by one."""
    return value is None or isinstance(value, list) and (
        not value or any(isinstance(v, dict) for v in value))


def _plain(value: Any) -> Any:
    """``value`` as JSON: decimals as numbers, dates as text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _pair(old: Any, new: Any) -> tuple[str, str]:
    """``old`` and ``new`` as shown; two long texts from a little before where they part."""
    was, now = _shown(old), _shown(new)
    if len(was) <= _SHOWN and len(now) <= _SHOWN:
        return was, now
    same = 0
    for a, b in zip(was, now, strict=False):
        if a != b:
            break
        same += 1
    start = max(0, same - 20) if isinstance(old, str) and isinstance(new, str) else 0
    return _clipped(was, start), _clipped(now, start)


def _clipped(text: str, start: int = 0) -> str:
    clipped = ("…" if start else "") + text[start:start + _SHOWN]
    return clipped + ("…" if len(text) > start + _SHOWN else "")


def release_records(directory: Path) -> Dataset:
    """The records of a release, read back from its CSV tables."""

    found = ReleaseDir(directory)
    if not found.graph.is_file() or not found.tables.is_dir():
        raise UsageError(f"{directory} is not a coopdata release (no graph.nt or tables/)")
    dataset, report = read_tables(found.tables)
    if not report.valid:
        raise UsageError(f"the tables of {directory} cannot be read back: "
                         f"{report.sorted()[0]}")
    return dataset


def read_release(directory: Path) -> tuple[Dataset, set[str]]:
    """The records (from the release's CSV tables) and N-Triples lines of a release."""
    dataset = release_records(directory)
    return dataset, graph_lines(ReleaseDir(directory).graph)


def diff_releases(old: Path | str, new: Path | str) -> Changes:
    """The changes between two release directories (``DIR/<version>``)."""
    old_path, new_path = Path(old), Path(new)
    old_data, old_triples = read_release(old_path)
    new_data, new_triples = read_release(new_path)
    return compare(old_data, new_data, old_triples, new_triples, old_version=old_path.name,
                   new_version=new_path.name, old_iati=old_path / IATI_ACTIVITIES,
                   new_iati=new_path / IATI_ACTIVITIES)

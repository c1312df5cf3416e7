"""What changed between two releases: records added, removed and changed (which
fields), and triples added and removed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .dataset import Dataset


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
        lines += ["", "## Triples", "",
                  f"{self.triples_added} added, {self.triples_removed} removed.", ""]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def compare(old: Dataset | None, new: Dataset, old_triples: set[str], new_triples: set[str],
            *, old_version: str | None, new_version: str) -> Changes:
    """The changes from ``old`` to ``new`` (records and N-Triples lines)."""
    changes = Changes(old_version, new_version)
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
    from ._errors import UsageError
    from .build import read_tables

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
                   new_version=new_path.name)

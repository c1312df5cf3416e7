"""Update a records folder in place from imported records (``coopdata import --into``).

Only the records whose values changed are written; the others are not touched. A
changed record is edited in its own file with ruamel.yaml's round trip: the values that
changed are replaced, and every other line keeps its comments, key order, quoting and
flow style. The indentation of lists is measured on the file itself (the style that
gives the unchanged file back byte for byte). Each rewritten file is read back with
coopdata's own reader: should the round trip give other values (a YAML 1.1 reading the
writer did not foresee), the record is written in coopdata's plain layout instead
(:func:`~coopdata.records.write.record_yaml`), so the values are always the imported ones.

Records are never removed: a record of the folder that the tables do not hold is a
violation (``not-in-tables``), and nothing is written. coopdata deletes no file it did
not write, and record files are the curators'.
"""

from __future__ import annotations

import difflib
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from coopdata.errors import RecordsInvalid, UsageError
from coopdata.model.dataset import Dataset, Record
from coopdata.model.dates import PartialDate
from coopdata.model.spec import KINDS
from coopdata.records.checks import check_record
from coopdata.records.files import record_files
from coopdata.records.load import load
from coopdata.records.read import _plain_tag, read_record
from coopdata.records.write import _ordered, record_yaml
from coopdata.report import Finding, Report

_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0), (4, 4, 2), (2, 4, 0))
"""(mapping, sequence, offset) indentations tried to give a file back as it is."""

_CHANGES_SHOWN = 6
"""The most field changes listed on a record's summary line."""


@dataclass
class Change:
    """One record the update writes."""

    kind: str
    id: str
    path: Path
    status: str
    """``changed`` or ``added``."""
    fields: list[str] = field(default_factory=list)
    """``budgets[1].amount 4100000 → 4200000``, one per changed value."""
    kept_layout: bool = True
    """False when the record was written in coopdata's plain layout (its file's layout
    could not hold the new values)."""

    def line(self) -> str:
        """The summary line: ``changed project/recosa: budgets[1].amount 4100000 → 4200000``."""
        name = f"{self.kind}/{self.id}"
        if self.status == "added":
            return f"added {name} ({self.path})"
        shown = self.fields[:_CHANGES_SHOWN]
        more = len(self.fields) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more" if more else "")
        layout = "" if self.kept_layout else " (rewritten in coopdata's layout)"
        return f"changed {name}: {text}{layout}"


@dataclass
class Update:
    """What :func:`update_records` wrote, and what it left alone."""

    changes: list[Change]
    unchanged: int

    def summary(self) -> str:
        added = sum(c.status == "added" for c in self.changes)
        return (f"{len(self.changes) - added} changed, {added} added, {self.unchanged} "
                "unchanged")


def update_records(folder: Path | str, dataset: Dataset) -> Update:
    """Make the records folder ``folder`` hold the records of ``dataset`` (checked and
    valid), writing only those that changed. Nothing is written when a record file of
    the folder cannot be read, or when a record of the folder is not in ``dataset``
    (:class:`~coopdata.RecordsInvalid`, with a finding per record)."""

    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"no records directory at {root} to update (--into names an "
                         "existing records folder; --out makes a new one)")
    existing, report = load(root)
    loaded = {Path(r.path) for r in existing}
    problems = [Finding("unreadable-record", "import --into cannot update this file: it "
                        "holds no record coopdata can read; fix it first (coopdata validate "
                        f"--records {root})", path=str(path))
                for _, path in record_files(root) if path not in loaded]
    problems += [f for f in report.findings if f.code == "duplicate-id"]
    imported = {(r.kind, r.id): r for r in dataset}
    for record in existing:
        if (record.kind, record.id) not in imported:
            problems.append(Finding(
                "not-in-tables", f"the tables have no {record.kind} {record.id}: import "
                "--into never deletes a record file; delete it yourself if it should go, "
                "or put its rows back in the tables", path=record.path, record=record.id))
    if problems:
        raise RecordsInvalid(Report(problems, records=len(existing)))
    by_key = {(r.kind, r.id): r for r in existing}
    changes: list[Change] = []
    texts: list[tuple[Path, str]] = []
    for record in dataset:
        old = by_key.get((record.kind, record.id))
        if old is None:
            path = root / KINDS[record.kind].folder / f"{record.id}.yaml"
            changes.append(Change(record.kind, record.id, path, "added"))
            texts.append((path, record_yaml(record.kind, record.id, record.data)))
        elif old.data != record.data:
            path = Path(old.path)
            text, kept = updated_text(path, old, record)
            changes.append(Change(record.kind, record.id, path, "changed",
                                  list(differences(old.data, record.data)), kept))
            texts.append((path, text))
    _write_all(texts)
    return Update(changes, len(existing) - sum(c.status == "changed" for c in changes))


def _write_all(texts: list[tuple[Path, str]]) -> None:
    """Write every file through a temporary file beside it, then put them all in place:
    a failure while writing leaves the folder as it was."""
    partials: list[tuple[Path, Path]] = []
    try:
        for path, text in texts:
            path.parent.mkdir(exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                            dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            if path.exists():
                os.chmod(name, path.stat().st_mode & 0o777)
            else:
                os.chmod(name, 0o644)
            partials.append((Path(name), path))
        for partial, path in partials:
            os.replace(partial, path)
    finally:
        for partial, _ in partials:
            partial.unlink(missing_ok=True)


# --- the summary -------------------------------------------------------------------------

def differences(old: Any, new: Any, path: str = "") -> Iterator[str]:
    """``field old → new`` for each value that differs, by field path (``budgets[1].amount``)."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from differences(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            yield from differences(old[index] if index < len(old) else None,
                                   new[index] if index < len(new) else None,
                                   f"{path}[{index + 1}]")
        return
    yield f"{path} {_shown(old)} → {_shown(new)}"


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    text = str(value)
    text = text if len(text) <= 60 else text[:59] + "…"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() \
        else format(value, "f")


# --- the round trip ----------------------------------------------------------------------

def updated_text(path: Path, old: Record, new: Record) -> tuple[str, bool]:
    """The text of the record file ``path`` (read as ``old``) with the values of ``new``,
    and whether its own layout was kept (else: coopdata's plain layout)."""
    plain = record_yaml(new.kind, new.id, new.data)
    try:
        text = path.read_text(encoding="utf-8-sig")
        edited = _round_trip(text, old, new)
    except Exception:  # noqa: BLE001 - ruamel.yaml refused this file: the plain layout
        return plain, False
    if edited is not None and _reads_as(edited, path, new):
        return edited, True
    return plain, False


def _round_trip(text: str, old: Record, new: Record) -> str | None:
    best: tuple[int, tuple[int, int, int]] | None = None
    for indent in _INDENTS:  # the indentation that gives the file back unchanged
        yaml = _yaml(indent)
        document = yaml.load(text)
        differing = _differing_lines(text, _dump(yaml, document))
        if best is None or differing < best[0]:
            best = (differing, indent)
        if differing == 0:
            break
    assert best is not None
    yaml = _yaml(best[1])
    document = yaml.load(text)
    if not isinstance(document, dict):
        return None
    _merge_map(document, old.data, _plain(new.kind, new.data))
    edited = _dump(yaml, document)
    return edited if isinstance(edited, str) else None


def _yaml(indent: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML  # ruamel.yaml: only import --into edits record files in place

    yaml = YAML(typ="rt")
    yaml.Representer = _representer()
    yaml.preserve_quotes = True
    yaml.width = 100_000  # never fold a long line that was not folded
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


@cache
def _representer() -> type:
    """ruamel.yaml's round-trip representer, which also writes a Decimal (as a number)."""
    # ruamel.yaml: only import --into edits record files in place
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    def decimal(representer: Any, value: Decimal) -> Any:
        text = _decimal_text(value)
        tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
        return representer.represent_scalar(tag, text)

    Representer.add_representer(Decimal, decimal)
    return Representer


def _dump(yaml: Any, document: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _differing_lines(a: str, b: str) -> int:

    return sum(1 for line in difflib.ndiff(a.splitlines(), b.splitlines())
               if line[:1] in "+-")


def _plain(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The typed ``data`` as the values a record file holds, in the spec's order."""
    plain: dict[str, Any] = _plain_value(_ordered(KINDS[kind].fields, data))
    return plain


def _plain_value(value: Any) -> Any:
    # ruamel.yaml: only import --into edits record files in place
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString


    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    if isinstance(value, PartialDate):
        return DoubleQuotedScalarString(str(value))
    if isinstance(value, str) and _plain_tag(value) != "tag:yaml.org,2002:str":
        return DoubleQuotedScalarString(value)  # "NO", "2013", "null": text, not a value
    return value


def _merge_map(node: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Make the ruamel map ``node`` (read as the typed ``old``) hold ``new`` (plain values),
    touching only the values that differ. ``node``'s ``id`` is left alone."""
    for key in [k for k in node if k != "id" and k not in new]:
        del node[key]
    previous = "id"
    for key, value in new.items():
        if key == "id":
            continue
        if key in node:
            node[key] = _merged(node[key], old.get(key), value)
        else:
            keys = list(node)
            node.insert(keys.index(previous) + 1 if previous in keys else len(keys), key,
                        value)
        previous = key


def _merged(node: Any, old: Any, new: Any) -> Any:
    """``node`` (read as ``old``) made to hold ``new``: itself when the values are the
    same, edited in place when both are maps or both lists, else ``new``."""
    if _same(old, new):
        return node
    if isinstance(node, dict) and isinstance(new, dict) and isinstance(old, dict):
        _merge_map(node, old, new)
        return node
    if isinstance(node, list) and isinstance(new, list) and isinstance(old, list) \
            and len(node) == len(old):
        for index, value in enumerate(new[:len(node)]):
            node[index] = _merged(node[index], old[index], value)
        del node[len(new):]
        node.extend(new[len(node):])
        return node
    style = type(node)
    if isinstance(new, str) and isinstance(node, str) and style is not str \
            and "\n" not in new:
        # ruamel.yaml: only import --into edits record files in place
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

        if style in (DoubleQuotedScalarString, SingleQuotedScalarString):
            return style(new)  # the quotes it had
    return new


def _same(old: Any, new: Any) -> bool:
    """Whether the typed ``old`` and the plain ``new`` are the same values."""
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(map(_same, old, new))
    if isinstance(old, PartialDate):
        return isinstance(new, str) and str(old) == new
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, Decimal) and isinstance(new, Decimal | int):
        return old == new
    return type(old) is type(new) and old == new if not isinstance(new, str) \
        else isinstance(old, str) and old == str(new)


def _reads_as(text: str, path: Path, new: Record) -> bool:
    """Whether coopdata reads ``text`` (the file at ``path``) as the values of ``new``."""
    handle, name = tempfile.mkstemp(prefix=".check.", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        record, _ = read_record(Path(name), new.kind)
        if record is None or record.id != new.id:
            return False
        typed, findings = check_record(record)
        return typed is not None and typed.data == new.data and not any(
            f.severity == "violation" for f in findings)
    finally:
        os.unlink(name)

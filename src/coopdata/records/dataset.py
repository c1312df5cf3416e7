"""The checks across records, as a dataset is assembled: one record an id (the original
kept, each copy a ``duplicate-id``), and every reference naming an existing record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from coopdata.model import codes
from coopdata.model.dataset import Dataset, PickledRecord, RawRecord, Record
from coopdata.model.spec import KINDS, Field
from coopdata.records.checks import FieldChecker, check_record, join_path
from coopdata.report import Finding

_Plan = tuple[tuple[tuple[str, bool, str], ...], tuple[tuple[str, bool, Any], ...]]
"""The references among some fields (name, whether many, the kind they name) and the
objects holding some (name, whether many, the plan of their fields)."""
_WITH_REFERENCES: dict[int, tuple[tuple[Field, ...], _Plan]] = {}


def check_references(dataset: Dataset) -> list[Finding]:
    """Every reference names an existing record of the right kind: the findings of those
    that do not."""
    findings: list[Finding] = []
    plans = {name: _reference_plan(kind.fields) for name, kind in KINDS.items()}
    for record in dataset:
        if _references_found(plans[record.kind], record.data, dataset.by_kind):
            continue
        checker = FieldChecker(record)
        for path, spec, value in _refs(KINDS[record.kind].fields, record.data, ""):
            assert spec.ref is not None
            if dataset.get(spec.ref, value) is None:
                target = KINDS[spec.ref]
                hint = codes.suggest(value, sorted(dataset.ids(spec.ref)))
                checker.fail(path, "missing-reference", f'no {spec.ref} "{value}"{hint} '
                             f"(expected {target.folder}/{value}.yaml)")
        findings += checker.findings
    return findings


def _references_found(plan: _Plan, data: dict[str, Any],
                      by_kind: Mapping[str, Mapping[str, Record]]) -> bool:
    """Whether every reference in ``data``, whose fields' plan is ``plan``, names a record
    (the quick pass: no paths)."""
    references, objects = plan
    for name, many, target in references:
        value = data.get(name)
        if value is None:
            continue
        known = by_kind[target]
        if many:
            for item in value:
                if item not in known:
                    return False
        elif value not in known:
            return False
    for name, many, inner in objects:
        value = data.get(name)
        if value is None:
            continue
        for item in value if many else (value,):
            if not _references_found(inner, item, by_kind):
                return False
    return True


def _reference_plan(fields: tuple[Field, ...]) -> _Plan:
    """The plan of ``fields`` (:data:`_Plan`), remembered by identity, as
    hashing nested fields is slow (the entry keeps ``fields`` alive, so its id is never
    reused)."""
    entry = _WITH_REFERENCES.get(id(fields))
    if entry is None:
        references = tuple((spec.name, spec.many, spec.ref) for spec in fields
                           if spec.is_reference and spec.ref is not None)
        objects = tuple((spec.name, spec.many, inner) for spec in fields
                        if spec.is_object and any(inner := _reference_plan(spec.fields)))
        entry = _WITH_REFERENCES[id(fields)] = (fields, (references, objects))
    return entry[1]


def _refs(fields: tuple[Field, ...], data: dict[str, Any], prefix: str):  # type: ignore[no-untyped-def]
    for spec in fields:
        if spec.name not in data:
            continue
        path = join_path(prefix, spec.name)
        values = data[spec.name] if spec.many else [data[spec.name]]
        for n, value in enumerate(values, start=1):
            sub = f"{path}[{n}]" if spec.many else path
            if spec.is_reference:
                yield sub, spec, value
            elif spec.is_object:
                yield from _refs(spec.fields, value, sub)


def assemble(records: Iterable[Record | PickledRecord]) -> tuple[Dataset, list[Finding]]:
    """Typed records into a dataset, and the findings of doing so: duplicate ids refused,
    then references checked.

    When several files of one kind carry the same id, the original is the file named
    after the id (``guest.yaml`` for ``id: guest``), else the first in path order; it is
    kept, and each other file gets a ``duplicate-id`` naming it, whatever the order
    the files were read in."""
    records = list(records)
    findings: list[Finding] = []
    originals: dict[tuple[str, str], Record | PickledRecord] = {}
    for typed in records:
        earlier = originals.setdefault((typed.kind, typed.id), typed)
        if earlier is not typed and _original_rank(typed) < _original_rank(earlier):
            originals[typed.kind, typed.id] = typed
    dataset = Dataset()
    for kind in {r.kind for r in records if isinstance(r, PickledRecord)}:
        dataset.compact(kind)  # (read pickled: held pickled)
    for typed in records:
        original = originals[typed.kind, typed.id]
        if original is not typed:
            findings.append(Finding("duplicate-id", f'the {typed.kind} id "{typed.id}" is already '
                                    f"used by {original.path}", path=typed.path,
                                    line=typed.line("id"), record=typed.id, field="id"))
            continue
        dataset.add(typed)
    return dataset, findings + check_references(dataset)


def _original_rank(record: Record | PickledRecord) -> tuple[bool, str]:
    """Which of two records with one id is the original: the lower rank."""
    return Path(record.path).stem != record.id, record.path


def check_records(records: Iterable[RawRecord]) -> tuple[Dataset, list[Finding]]:
    """Check and type every record; return the typed dataset and the findings."""
    findings: list[Finding] = []
    typed = []
    for record in records:
        checked, found = check_record(record)
        findings += found
        if checked is not None:
            typed.append(checked)
    dataset, found = assemble(typed)
    return dataset, findings + found

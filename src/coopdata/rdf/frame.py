"""Framed JSON-LD (``projects.jsonld``): one object per project with its budgets,
participations, places, results and milestones nested, built straight from the records
with the context's terms; a test checks it says nothing the graph does not."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from coopdata.jsonfile import dump_json_list
from coopdata.model import codes
from coopdata.model.dataset import Dataset, Record
from coopdata.model.fieldtypes import (
    BooleanType,
    CodeType,
    CountryType,
    DateType,
    DecimalType,
    FieldType,
    LanguageType,
    RefType,
)
from coopdata.model.spec import KINDS, Field
from coopdata.model.uris import Uris
from coopdata.model.vocab import decimal_text, expand
from coopdata.rdf.compact import published_context


def write_framed_projects(dataset: Dataset, uris: Uris, path: Path) -> None:
    """``projects.jsonld``: :func:`framed_projects`, as :func:`dump_json` writes it, a
    project at a time."""
    dump_json_list({"@context": published_context()["@context"]}, "@graph",
                   framed_project_nodes(dataset, uris), path)


@cache
def _terms() -> dict[str, str]:
    """Predicate IRI → the context's term for it (the first one listed)."""
    terms = published_context()["@context"]
    prefixes = {k: v for k, v in terms.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    found: dict[str, str] = {}
    for term, definition in terms.items():
        if term.startswith("@") or term in prefixes:
            continue
        target = definition["@id"] if isinstance(definition, dict) else definition
        prefix, _, local = target.partition(":")
        found.setdefault(prefixes.get(prefix, prefix + ":") + local, term)
    return found


@cache
def _term(curie: str) -> str:
    return _terms().get(expand(curie), expand(curie))


class _Slot(NamedTuple):
    """Where a field goes in a framed object: under the context's term for its predicate."""

    name: str
    term: str
    type: FieldType
    many: bool
    field: Field
    slots: tuple[_Slot, ...]  # those of an object's fields


@cache
def _slots(fields: tuple[Field, ...]) -> tuple[_Slot, ...]:
    return tuple(_Slot(f.name, _term(f.predicate), f.field_type, f.many, f, _slots(f.fields))
                 for f in fields)


class _Framer:
    def __init__(self, dataset: Dataset, uris: Uris) -> None:
        self.dataset, self.uris = dataset, uris
        self.references: dict[tuple[str, str], dict[str, Any]] = {}
        self.named: list[tuple[str, str]] = []
        """The records referenced (kind, id), in the order they were, since last emptied."""

    def reference(self, kind: str, record_id: str) -> dict[str, Any]:
        """A referenced record: its URI and its label, enough to read the project."""
        self.named.append((kind, record_id))
        known = self.references.get((kind, record_id))
        if known is None:
            known = self.references[(kind, record_id)] = self._reference(kind, record_id)
        return dict(known)  # a copy: no two places of the document share an object

    def _reference(self, kind: str, record_id: str) -> dict[str, Any]:
        record = self.dataset.get(kind, record_id)
        node: dict[str, Any] = {"@id": self.uris.record(kind, record_id)}
        if record is not None:
            spec = KINDS[kind]
            label = record.data.get(spec.label_field)
            if isinstance(label, dict):
                node["label"] = label
            elif label is not None:
                node["rdfs:label"] = label
        return node

    def node(self, slot: _Slot, data: dict[str, Any], uri: str) -> dict[str, Any]:
        """An object nested in a record (a budget, a participation…)."""
        assert slot.field.node_class is not None
        return self.fields(slot.slots, data, uri, {"@id": uri, "@type": slot.field.node_class})

    def value(self, spec: Field, value: Any) -> Any:
        """The value of a field that is not an object."""
        match spec.field_type:
            case CodeType():
                assert spec.scheme is not None
                return codes.concept_uri(spec.scheme, value)
            case RefType():
                assert spec.ref is not None
                return self.reference(spec.ref, value)
            case CountryType():
                info = codes.country(value)
                assert info is not None
                return {"@id": codes.country_uri(value), "notation": value,
                        "label": {"en": info[1], "fr": info[2]}}
            case DateType():
                return {"@value": str(value), "@type": f"xsd:{value.xsd_type}"}
            case DecimalType():
                return decimal_text(value)
            case BooleanType():
                return "true" if value else "false"
            case LanguageType():
                return codes.language(value)
        return value  # text (a language map), string, currency, url, point

    def fields(self, slots: tuple[_Slot, ...], data: dict[str, Any], uri: str,
               out: dict[str, Any]) -> dict[str, Any]:
        """``out`` with the fields of a record or object."""
        for slot in slots:
            name, term, kind, many, spec, _ = slot
            if name not in data:
                continue
            value = data[name]
            if kind.is_object:
                out[term] = ([self.node(slot, item, f"{uri}/{name}/{n}")
                              for n, item in enumerate(value, start=1)] if many
                             else self.node(slot, value, f"{uri}/{name}"))
            elif kind.is_text:
                out[term] = _merged(value) if many else value
            elif isinstance(kind, CodeType):  # the commonest: straight to the concept's IRI
                assert spec.scheme is not None
                out[term] = ([codes.concept_uri(spec.scheme, item) for item in value] if many
                             else codes.concept_uri(spec.scheme, value))
            elif many:
                out[term] = [self.value(spec, item) for item in value]
            else:
                out[term] = self.value(spec, value)
        return out


def _merged(texts: list[dict[str, str]]) -> dict[str, list[str]]:
    """Language maps merged: each language with its texts."""
    merged: dict[str, list[str]] = {}
    for item in texts:
        for lang, text in item.items():
            merged.setdefault(lang, []).append(text)
    return merged


def framed_projects(dataset: Dataset, uris: Uris) -> dict[str, Any]:
    """One JSON object per project and programme, with what belongs to it nested."""
    return {"@context": published_context()["@context"],
            "@graph": list(framed_project_nodes(dataset, uris))}


def framed_project_nodes(dataset: Dataset, uris: Uris) -> Iterator[dict[str, Any]]:
    """The objects of :func:`framed_projects`' ``@graph``, one at a time."""
    framer = ProjectFramer(dataset, uris)
    return (framer.frame(record) for record in dataset.of_kind("project"))


class ProjectFramer:
    """Frames the projects of a dataset one at a time (:meth:`frame`), saying which
    records each one named (:meth:`named`): the labels it took from them."""

    def __init__(self, dataset: Dataset, uris: Uris) -> None:
        self._framer = _Framer(dataset, uris)
        self._kind = KINDS["project"]
        self._slots = _slots(self._kind.fields)

    def frame(self, record: Record) -> dict[str, Any]:
        """The object of project ``record``."""
        self._framer.named.clear()
        uri = self._framer.uris.record("project", record.id)
        return self._framer.fields(self._slots, record.data, uri, {
            "@id": uri, "@type": self._kind.node_class, "label": record.data["title"]})

    def named(self) -> list[tuple[str, str]]:
        """The records (kind, id) the last project framed names, each once."""
        return list(dict.fromkeys(self._framer.named))

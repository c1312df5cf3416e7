"""Write a graph as Turtle, N-Triples and JSON-LD, byte for byte the same every time.

* Turtle: rdflib's serialiser (subjects and predicates sorted; no blank nodes to label).
* N-Triples: one triple a line, lines sorted, so bulk loaders and ``diff`` can use it.
* JSON-LD: the graph compacted with the published context (``schema/context.jsonld``,
  embedded in the file, never fetched), by pyld, the JSON-LD reference implementation.
* Framed JSON-LD (``projects.jsonld``): one object per project with its budgets,
  participations, places, results and milestones nested, built straight from the
  records with the context's terms; a test checks it says nothing the graph does not.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import codes
from .dataset import Dataset
from .graph import decimal_text, expand
from .resources import resource
from .spec import KINDS, PREFIXES, Field
from .uris import Uris

if TYPE_CHECKING:
    from rdflib import Graph

    from .fastgraph import Triple


def write_turtle(graph: Graph, path: Path) -> None:
    """Turtle by rdflib (the reference serialiser; used for the small catalogue files)."""
    path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))


def turtle(triples: list[Triple]) -> bytes:
    """Sorted triples as Turtle by pyoxigraph (fast; subjects in the order given)."""
    import pyoxigraph

    from .fastgraph import ntriples

    parsed = pyoxigraph.parse(ntriples(triples).encode("utf-8"),
                              format=pyoxigraph.RdfFormat.N_TRIPLES)
    prefixes = {**PREFIXES, "code": codes.CODE_BASE, "country": codes.COUNTRY_BASE}
    output = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
    assert output is not None
    return output


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph as sorted N-Triples lines (each ending in a newline)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line + "\n" for line in text.splitlines() if line.strip())


@cache
def published_context() -> dict[str, Any]:
    """The published JSON-LD context (the whole document, with its ``@context`` key)."""
    with open(resource("schema") / "context.jsonld", encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def _refuse_network(url: str, options: Any = None) -> Any:
    from pyld import jsonld

    raise jsonld.JsonLdError(f"coopdata never fetches JSON-LD documents ({url})",
                             "loading document failed")


def compacted(graph: Graph, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The graph as compacted JSON-LD with the context (by default the published one)
    embedded."""
    from pyld import jsonld

    from ._errors import UsageError

    expanded = jsonld.from_rdf("".join(ntriples_lines(graph)), {"format": "application/n-quads"})
    try:
        result: dict[str, Any] = jsonld.compact(expanded, context or published_context(),
                                                {"documentLoader": _refuse_network})
    except jsonld.JsonLdError as exc:  # pyld wraps the reason: give the innermost one
        reason: BaseException = exc
        while isinstance(reason.__cause__, jsonld.JsonLdError):
            reason = reason.__cause__
        raise UsageError(f"cannot write JSON-LD with this context: {reason.args[0]}") from None
    return result


def dump_json(document: Any, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


# --- framed projects, straight from the records ------------------------------------

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


def _term(curie: str) -> str:
    return _terms().get(expand(curie), expand(curie))


class _Framer:
    def __init__(self, dataset: Dataset, uris: Uris) -> None:
        self.dataset, self.uris = dataset, uris

    def reference(self, kind: str, record_id: str) -> dict[str, Any]:
        """A referenced record: its URI and its label, enough to read the project."""
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

    def value(self, spec: Field, value: Any, uri: str) -> Any:
        kind = spec.type
        if kind == "object":
            assert spec.node_class is not None
            node: dict[str, Any] = {"@id": uri, "@type": spec.node_class}
            node.update(self.fields(spec.fields, value, uri))
            return node
        if kind == "ref":
            assert spec.ref is not None
            return self.reference(spec.ref, value)
        if kind == "code":
            assert spec.scheme is not None
            return codes.concept_uri(spec.scheme, value)
        if kind == "country":
            info = codes.country(value)
            assert info is not None
            return {"@id": codes.country_uri(value), "notation": value,
                    "label": {"en": info[1], "fr": info[2]}}
        if kind == "date":
            return {"@value": str(value), "@type": f"xsd:{value.xsd_type}"}
        if kind == "decimal":
            return decimal_text(value)
        if kind == "boolean":
            return "true" if value else "false"
        if kind == "language":
            return codes.language(value)
        return value  # text (a language map), string, currency, url

    def fields(self, fields: tuple[Field, ...], data: dict[str, Any], uri: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in fields:
            if spec.name not in data:
                continue
            term = _term(spec.predicate)
            value = data[spec.name]
            if spec.type == "text" and spec.many:
                merged: dict[str, list[str]] = {}
                for item in value:
                    for lang, text in item.items():
                        merged.setdefault(lang, []).append(text)
                out[term] = merged
            elif spec.many:
                out[term] = [self.value(spec, item, f"{uri}/{spec.name}/{n}")
                             for n, item in enumerate(value, start=1)]
            else:
                out[term] = self.value(spec, value, f"{uri}/{spec.name}")
        return out


def framed_projects(dataset: Dataset, uris: Uris) -> dict[str, Any]:
    """One JSON object per project and programme, with what belongs to it nested."""
    framer = _Framer(dataset, uris)
    kind = KINDS["project"]
    graph = []
    for record in dataset.of_kind("project"):
        uri = uris.record("project", record.id)
        node: dict[str, Any] = {"@id": uri, "@type": kind.node_class,
                                "label": record.data["title"]}
        node.update(framer.fields(kind.fields, record.data, uri))
        graph.append(node)
    return {"@context": published_context()["@context"], "@graph": graph}

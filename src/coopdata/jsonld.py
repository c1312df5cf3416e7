"""Triples → compacted JSON-LD with the published context, without a JSON-LD processor.

A direct compaction for the terms of ``schema/context.jsonld``: each subject becomes
one node object (sorted by IRI), each predicate the context's term whose definition
fits the values (language map, ``@id``-typed, datatype-typed or plain), anything else
a compact IRI. pyld, the reference implementation, does the same far more slowly; a
test checks both documents hold the same graph.
"""

from __future__ import annotations

from functools import cache
from itertools import groupby
from typing import Any

from .fastgraph import RDF_TYPE, Triple

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append({"n": "\n", "r": "\r", '"': '"', "\\": "\\", "t": "\t"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def parse_term(term: str) -> tuple[str, str, str | None, str | None]:
    """``("iri", iri, None, None)`` or ``("literal", text, datatype, language)``."""
    if term.startswith("<"):
        return "iri", term[1:-1], None, None
    end = term.rindex('"')
    text = _unescape(term[1:end])
    rest = term[end + 1:]
    if rest.startswith("@"):
        return "literal", text, None, rest[1:]
    if rest.startswith("^^<"):
        return "literal", text, rest[3:-1], None
    return "literal", text, _XSD_STRING, None


class Compactor:
    """Compacts triples with one context."""

    def __init__(self, context: dict[str, Any]) -> None:
        terms = context["@context"]
        self.context = context
        self.prefixes = sorted(((v, k) for k, v in terms.items()
                                if isinstance(v, str) and v.endswith(("/", "#"))),
                               key=lambda pair: -len(pair[0]))
        self.aliases = {v: k for k, v in terms.items() if v in ("@id", "@type")}
        self.by_predicate: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for term, definition in terms.items():
            keyword_or_prefix = isinstance(definition, str) and (
                definition.startswith("@") or definition.endswith(("/", "#")))
            if term.startswith("@") or keyword_or_prefix:
                continue
            spec = definition if isinstance(definition, dict) else {"@id": definition}
            self.by_predicate.setdefault(self.expand(spec["@id"]), []).append((term, spec))

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        for namespace, name in self.prefixes:
            if colon and name == prefix:
                return namespace + local
        return value

    def compact_iri(self, value: str) -> str:
        for namespace, name in self.prefixes:
            if value.startswith(namespace) and len(value) > len(namespace):
                return f"{name}:{value[len(namespace):]}"
        return value

    def _fits(self, spec: dict[str, Any], term: tuple[str, str, str | None, str | None]) -> bool:
        kind, _, datatype, lang = term
        coercion = spec.get("@type")
        if spec.get("@container") == "@language":
            return lang is not None
        if coercion == "@id":
            return kind == "iri"
        if coercion is not None:
            return kind == "literal" and lang is None and datatype == self.expand(coercion)
        return True

    def _plain(self, term: tuple[str, str, str | None, str | None]) -> Any:
        kind, value, datatype, lang = term
        if kind == "iri":
            return {self.aliases.get("@id", "@id"): self.compact_iri(value)}
        if lang is not None:
            return {"@value": value, "@language": lang}
        if datatype == _XSD_STRING:
            return value
        return {"@value": value, self.aliases.get("@type", "@type"): self.compact_iri(
            datatype or _XSD_STRING)}

    def node(self, subject: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        node: dict[str, Any] = {self.aliases.get("@id", "@id"): self.compact_iri(subject[1:-1])}
        types = sorted(self.compact_iri(o[1:-1]) for p, o in pairs if p == RDF_TYPE)
        if types:
            node[self.aliases.get("@type", "@type")] = types[0] if len(types) == 1 else types
        for predicate, group in groupby((pair for pair in pairs if pair[0] != RDF_TYPE),
                                        key=lambda pair: pair[0]):
            values = [parse_term(o) for _, o in group]
            candidates = self.by_predicate.get(predicate[1:-1], [])
            for term, spec in candidates:
                fitting = [v for v in values if self._fits(spec, v)]
                if not fitting:
                    continue
                values = [v for v in values if v not in fitting]
                node[term] = self._values(spec, fitting)
                if not values:
                    break
            if values:
                key = self.compact_iri(predicate[1:-1])
                items = [self._plain(v) for v in values]
                node[key] = items[0] if len(items) == 1 else items
        return node

    def _values(self, spec: dict[str, Any], values: list[Any]) -> Any:
        if spec.get("@container") == "@language":
            languages: dict[str, Any] = {}
            for _, text, _, lang in values:
                assert lang is not None
                languages.setdefault(lang, []).append(text)
            return {lang: texts[0] if len(texts) == 1 else texts
                    for lang, texts in languages.items()}
        coercion = spec.get("@type")
        if coercion == "@id":
            items: list[Any] = [self.compact_iri(v[1]) for v in values]
        elif coercion is not None:
            items = [v[1] for v in values]
        else:
            items = [self._plain(v) for v in values]
        return items if spec.get("@container") == "@set" or len(items) > 1 else items[0]

    def document(self, triples: list[Triple]) -> dict[str, Any]:
        """The compacted document; ``triples`` must be sorted (as fastgraph gives them)."""
        graph = [self.node(subject, [(p, o) for _, p, o in group])
                 for subject, group in groupby(triples, key=lambda t: t[0])]
        return {"@context": self.context["@context"], "@graph": graph}


@cache
def _published() -> Compactor:
    from .serialize import published_context

    return Compactor(published_context())


def compact(triples: list[Triple]) -> dict[str, Any]:
    """The triples as JSON-LD compacted with the published context (embedded)."""
    return _published().document(triples)

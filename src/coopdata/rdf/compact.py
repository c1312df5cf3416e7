"""Triples → compacted JSON-LD with the published context, without a JSON-LD processor.

A direct compaction for the terms of ``schema/context.jsonld``: each subject becomes
one node object (sorted by IRI), each predicate the context's term whose definition
fits the values (language map, ``@id``-typed, datatype-typed or plain), anything else
a compact IRI. pyld, the reference implementation, does the same far more slowly; a
test checks both documents hold the same graph. :func:`compact_nodes` gives the node
objects one at a time, so that a large graph is written without holding the document.

How each predicate's objects are put into a node is chosen once per predicate, and the
common cases (one IRI, texts with a language, literals of the term's datatype) are read
from the N-Triples text without parsing it; compacted IRIs are remembered, since the
same codes recur and a nested node's IRI comes again as its subject.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, partial
from typing import Any, NamedTuple

from coopdata.model.resources import resource
from coopdata.rdf.triples import RDF_TYPE, Term, Triple, parse_term, unescape

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_REMEMBERED = 20_000  # compacted IRIs kept: those of a few thousand nodes

class _Definition(NamedTuple):
    """A context term for a predicate, and which values it takes."""

    term: str
    takes: str  # "language" (a language map), "id", "datatype" or "any"
    datatype: str | None  # the full IRI, when it takes the literals of one datatype
    is_set: bool  # an array even for one value

    @property
    def suffix(self) -> str:
        """How the N-Triples literals of its datatype end: ``"^^<datatype>``."""
        return f'"^^<{self.datatype}>'


class Compactor:
    """Compacts triples with one context."""

    def __init__(self, context: dict[str, Any]) -> None:
        terms = context["@context"]
        self.context = context
        self.prefixes = sorted(((v, k) for k, v in terms.items()
                                if isinstance(v, str) and v.endswith(("/", "#"))),
                               key=lambda pair: -len(pair[0]))
        self.aliases = {v: k for k, v in terms.items() if v in ("@id", "@type")}
        self._id, self._type = self.aliases.get("@id", "@id"), self.aliases.get("@type", "@type")
        self.by_predicate: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for term, definition in terms.items():
            keyword_or_prefix = isinstance(definition, str) and (
                definition.startswith("@") or definition.endswith(("/", "#")))
            if term.startswith("@") or keyword_or_prefix:
                continue
            spec = definition if isinstance(definition, dict) else {"@id": definition}
            self.by_predicate.setdefault(self.expand(spec["@id"]), []).append((term, spec))
        # Keyed by the predicate as an N-Triples term, as the triples give it.
        self._definitions = {f"<{predicate}>": [self._definition(term, spec)
                                                for term, spec in candidates]
                             for predicate, candidates in self.by_predicate.items()}
        self._putters = self._choose_putters()
        # The commonest group of all, one IRI for a term that takes IRIs, is put by the
        # loop itself: the types (under the key for "@type") and those terms.
        self._iri_terms = {predicate: definitions[0] for predicate, definitions
                           in self._definitions.items()
                           if len(definitions) == 1 and definitions[0].takes == "id"}
        self._iri_terms[RDF_TYPE] = _Definition(self._type, "id", None, False)
        # The namespaces, longest first, each followed by at least one character.
        self._namespaces = re.compile(
            "(?:" + "|".join(f"({re.escape(namespace)})" for namespace, _ in self.prefixes)
            + ")(?=.)", re.DOTALL)
        self._iris: dict[str, str] = {}
        self._datatypes: dict[str, str] = {}
        self._plain_terms: dict[str, Any] = {}

    def _choose_putters(self) -> dict[str, Callable[[dict[str, Any], str, list[str]], None]]:
        """How to put the objects of each predicate into a node: most predicates have
        one definition, which takes all their objects, and have a putter for its kind
        (which falls back on the general case, :meth:`_put`, when it does not)."""
        putters: dict[str, Callable[[dict[str, Any], str, list[str]], None]] = {
            RDF_TYPE: self._put_types}
        by_kind = {"id": self._put_iris, "language": self._put_texts,
                   "datatype": self._put_typed, "any": self._put_any}
        for predicate, definitions in self._definitions.items():
            if len(definitions) == 1 and predicate != RDF_TYPE:
                putters[predicate] = partial(by_kind[definitions[0].takes], definitions[0])
        return putters

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        for namespace, name in self.prefixes:
            if colon and name == prefix:
                return namespace + local
        return value

    def _definition(self, term: str, spec: dict[str, Any]) -> _Definition:
        coercion = spec.get("@type")
        is_set = spec.get("@container") == "@set"
        if spec.get("@container") == "@language":
            return _Definition(term, "language", None, is_set)
        if coercion == "@id":
            return _Definition(term, "id", None, is_set)
        if coercion is not None:
            return _Definition(term, "datatype", self.expand(coercion), is_set)
        return _Definition(term, "any", None, is_set)

    # --- IRIs ------------------------------------------------------------------------

    def compact_iri(self, value: str) -> str:
        """``prefix:local`` with the longest namespace ``value`` extends, else ``value``."""
        found = self._namespaces.match(value)
        if found is None or found.lastindex is None:
            return value
        return f"{self.prefixes[found.lastindex - 1][1]}:{value[found.end():]}"

    def _compact_term(self, term: str) -> str:
        """:meth:`compact_iri` of an N-Triples IRI (``<…>``), remembered for the next
        nodes (which name the same codes, and the nodes their subject names)."""
        compacted = self._iris.get(term)
        if compacted is None:
            if len(self._iris) >= _REMEMBERED:
                self._iris.clear()
            compacted = self._iris[term] = self.compact_iri(term[1:-1])
        return compacted

    # --- nodes -----------------------------------------------------------------------

    def nodes(self, triples: Iterable[Triple | Sequence[str]]) -> Iterator[dict[str, Any]]:
        """The node objects, one per subject; ``triples`` must be sorted (as fastgraph
        gives them; each a tuple, or any sequence of its three terms)."""
        putter, put_parsed, type_key = self._putters.get, self._put, self._type
        iri_term, compacted = self._iri_terms.get, self._iris.get
        node: dict[str, Any] | None = None
        subject = predicate = ""
        objects: list[str] = []
        for s, p, o in triples:
            if p == predicate and s == subject:
                objects.append(o)
                continue
            if node is not None:
                definition = iri_term(predicate)
                if definition is not None and len(objects) == 1 and objects[0][0] == "<":
                    # The commonest group, put here: one IRI for a term that takes IRIs.
                    value = compacted(objects[0]) or self._compact_term(objects[0])
                    node[definition.term] = [value] if definition.is_set else value
                else:
                    putter(predicate, put_parsed)(node, predicate, objects)
                if s != subject:
                    if node[type_key] is None:
                        del node[type_key]
                    yield node
                    node = None
            if node is None:
                subject = s
                # a place for the types, after the IRI (taken away if there are none)
                node = {self._id: compacted(s) or self._compact_term(s), type_key: None}
            predicate, objects = p, [o]
        if node is not None:
            putter(predicate, put_parsed)(node, predicate, objects)
            if node[type_key] is None:
                del node[type_key]
            yield node

    # The putters: the objects of one predicate (N-Triples terms, sorted) into a node.

    def _put_types(self, node: dict[str, Any], predicate: str, objects: list[str]) -> None:
        if len(objects) == 1:
            node[self._type] = self._iris.get(objects[0]) or self._compact_term(objects[0])
        else:
            node[self._type] = sorted(self._compact_term(o) for o in objects)

    def _put_iris(self, definition: _Definition, node: dict[str, Any], predicate: str,
                  objects: list[str]) -> None:
        if len(objects) == 1 and objects[0].startswith("<"):  # the most common case
            compacted = self._iris.get(objects[0]) or self._compact_term(objects[0])
            node[definition.term] = [compacted] if definition.is_set else compacted
        elif all(o.startswith("<") for o in objects):
            node[definition.term] = [self._compact_term(o) for o in objects]
        else:
            self._put(node, predicate, objects)

    def _put_texts(self, definition: _Definition, node: dict[str, Any], predicate: str,
                   objects: list[str]) -> None:
        if len(objects) == 1:  # the most common case: one text
            term = objects[0]
            end = term.rfind('"')
            if term.startswith('"') and term.startswith('"@', end):
                node[definition.term] = {term[end + 2:]: unescape(term[1:end])}
                return
        languages: dict[str, list[str]] = {}
        for term in objects:
            end = term.rfind('"')
            if not (term.startswith('"') and term.startswith('"@', end)):
                self._put(node, predicate, objects)  # not all literals with a language
                return
            text = term[1:end]
            if "\\" in text:
                text = unescape(text)
            lang = term[end + 2:]
            if lang in languages:
                languages[lang].append(text)
            else:
                languages[lang] = [text]
        node[definition.term] = {lang: texts[0] if len(texts) == 1 else texts
                                 for lang, texts in languages.items()}

    def _put_typed(self, definition: _Definition, node: dict[str, Any], predicate: str,
                   objects: list[str]) -> None:
        suffix = definition.suffix
        if not all(o.startswith('"') and o.endswith(suffix) for o in objects):
            self._put(node, predicate, objects)
            return
        items = [unescape(o[1:-len(suffix)]) for o in objects]
        node[definition.term] = items if definition.is_set or len(items) > 1 else items[0]

    def _put_any(self, definition: _Definition, node: dict[str, Any], predicate: str,
                 objects: list[str]) -> None:
        items = [self._plain_term(o) for o in objects]
        node[definition.term] = items if definition.is_set or len(items) > 1 else items[0]

    def _plain_term(self, term: str) -> Any:
        """:meth:`_plain` of an N-Triples term, remembered: the same currencies and dates
        recur (each value object a copy, as no two places share an object)."""
        plain = self._plain_terms.get(term)
        if plain is None:
            if len(self._plain_terms) >= _REMEMBERED:
                self._plain_terms.clear()
            plain = self._plain_terms[term] = self._plain(parse_term(term))
        return dict(plain) if isinstance(plain, dict) else plain

    def _put(self, node: dict[str, Any], predicate: str, objects: list[str]) -> None:
        """Put the objects of one predicate (N-Triples terms, sorted) into ``node``."""
        self._add(node, predicate, [parse_term(o) for o in objects])

    def _add(self, node: dict[str, Any], predicate: str, values: list[Term]) -> None:
        """The values of one predicate: under each term that takes some of them, in the
        context's order, and the rest under the predicate's compact IRI."""
        for definition in self._definitions.get(predicate, ()):
            fitting = _fitting(definition, values)
            if not fitting:
                continue
            node[definition.term] = self._values(definition, fitting)
            if len(fitting) == len(values):
                return
            values = [v for v in values if v not in fitting]
        if values:
            items = [self._plain(v) for v in values]
            node[self._compact_term(predicate)] = items[0] if len(items) == 1 else items

    def _values(self, definition: _Definition, values: list[Term]) -> Any:
        if definition.takes == "language":
            languages: dict[str, list[str]] = {}
            for _, text, _, lang in values:
                if lang in languages:
                    languages[lang].append(text)
                else:
                    languages[lang] = [text]
            return {lang: texts[0] if len(texts) == 1 else texts
                    for lang, texts in languages.items()}
        if definition.takes == "id":
            items: list[Any] = [self.compact_iri(v[1]) for v in values]
        elif definition.takes == "datatype":
            items = [v[1] for v in values]
        else:
            items = [self._plain(v) for v in values]
        return items if definition.is_set or len(items) > 1 else items[0]

    def _plain(self, term: Term) -> Any:
        kind, value, datatype, lang = term
        if kind != "l":
            return {self._id: self.compact_iri(value) if kind == "i" else f"_:{value}"}
        if lang:
            return {"@value": value, "@language": lang}
        if datatype == _XSD_STRING:
            return value
        compacted = self._datatypes.get(datatype)
        if compacted is None:
            compacted = self._datatypes[datatype] = self.compact_iri(datatype)
        return {"@value": value, self._type: compacted}

    def document(self, triples: list[Triple]) -> dict[str, Any]:
        """The compacted document; ``triples`` must be sorted (as fastgraph gives them)."""
        return {"@context": self.context["@context"], "@graph": list(self.nodes(triples))}


def _fitting(definition: _Definition, values: list[Term]) -> list[Term]:
    """The values a term's definition takes."""
    if definition.takes == "language":
        return [v for v in values if v[3]]
    if definition.takes == "id":
        return [v for v in values if v[0] == "i"]
    if definition.takes == "datatype":
        return [v for v in values if v[0] == "l" and not v[3] and v[2] == definition.datatype]
    return values


@cache
def _published() -> Compactor:

    return Compactor(published_context())


def compact(triples: list[Triple]) -> dict[str, Any]:
    """The triples as JSON-LD compacted with the published context (embedded)."""
    return _published().document(triples)


def compact_nodes(triples: Iterable[Triple | Sequence[str]]) -> Iterator[dict[str, Any]]:
    """The node objects of :func:`compact`'s ``@graph``, one at a time."""
    return _published().nodes(triples)


@cache
def published_context() -> dict[str, Any]:
    """The published JSON-LD context (the whole document, with its ``@context`` key)."""
    with open(resource("schema") / "context.jsonld", encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document

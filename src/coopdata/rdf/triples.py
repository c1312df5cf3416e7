"""Records → N-Triples, straight from the records: the fast path.

Makes exactly the triples of :func:`coopdata.reference.graph.build_graph` (a test checks the two
graphs are isomorphic) as N-Triples terms, without building rdflib objects: the
release writes them sorted as ``graph.nt``, loads them into pyoxigraph for SHACL,
SPARQL and Turtle, and compacts them into JSON-LD (:mod:`coopdata.rdf.compact`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import chain, compress
from operator import ne
from pathlib import Path
from typing import Any

from coopdata.model import codes
from coopdata.model.dataset import Dataset
from coopdata.model.fieldtypes import FieldType, TermContext
from coopdata.model.ntriples import XSD, iri, literal
from coopdata.model.spec import KINDS, Field
from coopdata.model.uris import Uris
from coopdata.model.vocab import PREFIXES, expand, wikidata_countries

Triple = tuple[str, str, str]
"""Subject, predicate and object as N-Triples terms (``<iri>``, ``"text"@fr``…)."""
Term = tuple[str, str, str, str]
"""An N-Triples term read back (:func:`parse_term`): kind (``i`` IRI, ``b`` blank node,
``l`` literal), IRI / blank node label / text, datatype, language ("" for none)."""

RDF_TYPE = f"<{PREFIXES['rdf']}type>"
RDFS_LABEL = f"<{PREFIXES['rdfs']}label>"
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}


def unescape(text: str) -> str:
    """The text of an N-Triples string or IRI, its escapes (``\\n``, ``\\"``, ``\\u00e9``…)
    replaced by the characters they stand for."""
    return _UNESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)) if m[1] or m[2] else
                         _ECHARS.get(m[3], m[3]), text) if "\\" in text else text


def parse_term(nt: str) -> Term:
    """The term of an N-Triples term (``<iri>``, ``_:id``, ``"text"``, ``"text"@fr``,
    ``"text"^^<datatype>``); a literal with a language has the datatype rdf:langString."""
    if nt[0] == "<":
        return "i", unescape(nt[1:-1]), "", ""
    if nt[0] == "_":
        return "b", nt[2:], "", ""
    end = nt.rindex('"')
    text = unescape(nt[1:end]) if "\\" in nt else nt[1:end]
    if end + 1 == len(nt):
        return "l", text, XSD + "string", ""
    if nt[end + 1] == "@":
        return "l", text, PREFIXES["rdf"] + "langString", nt[end + 2:]
    return "l", text, unescape(nt[end + 4:-1]), ""


@cache
def _predicate(curie: str) -> str:
    return iri(expand(curie))


class _Writer:
    def __init__(self, uris: Uris) -> None:
        self.uris = uris
        self.triples: list[Triple] = []
        self.context = TermContext(uris)
        """The concepts and countries the values name, described after the records."""
        self.objects: dict[str, str] = {}
        """Each object term made so far (texts in a language apart), to be held once:
        the same dates, codes and amounts recur in millions of triples, each made apart
        (at 10,000 synthetic projects, 435,000 object strings, 129,000 distinct: 45 MB of
        them become 13 MB). Shared as they are made, each copy freed at once (shared
        afterwards, the copies' memory would lie scattered among the strings kept, and
        never go back)."""

    def record(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        spec = KINDS[kind]
        subject = iri(self.uris.record(kind, record_id))
        self.triples.append((subject, RDF_TYPE, _predicate(spec.node_class)))
        label = data.get(spec.label_field)
        if isinstance(label, dict):
            self.triples += [(subject, RDFS_LABEL, literal(t, lang=lang))
                             for lang, t in label.items()]
        elif label is not None:
            self.triples.append((subject, RDFS_LABEL, literal(label)))
        self.fields(subject, spec.fields, data)

    def fields(self, subject: str, fields: tuple[Field, ...], data: dict[str, Any]) -> None:
        add, triples, context = self.triples.append, self.triples, self.context
        one = self.objects.setdefault
        plan = _plan(fields)
        for name, given in data.items():  # (in the order given: the triples are sorted later)
            if (step := plan.get(name)) is None:
                continue
            how, predicate, spec, kind, node_class = step
            values = given if spec.many else (given,)
            if how == _TERM:  # one triple a value, its object term shared
                for value in values:
                    term = kind.term(context, spec, value)
                    add((subject, predicate, one(term, term)))
            elif how == _TEXT:  # (texts in a language seldom recur: not worth sharing)
                for value in values:
                    triples += kind.triples(context, spec, subject, predicate, value)
            elif how == _TRIPLES:
                for value in values:
                    triples += [(s, p, one(o, o)) for s, p, o in kind.triples(
                        context, spec, subject, predicate, value)]
            else:
                base = subject[1:-1]
                for position, value in enumerate(values, start=1):
                    node = iri(f"{base}/{name}/{position}" if spec.many else f"{base}/{name}")
                    add((node, RDF_TYPE, node_class))
                    add((subject, predicate, node))
                    self.fields(node, spec.fields, value)

    def sorted(self) -> list[Triple]:
        """The triples made so far, sorted and each once, taken from the writer (which
        starts again with none, its shared object terms forgotten)."""
        made, self.triples, self.objects = self.triples, [], {}
        made.sort()  # (in place: no second list of millions)
        return unique(made)

    def describe(self) -> None:
        wikidata = wikidata_countries()
        for alpha_2 in sorted(self.context.countries):
            info = codes.country(alpha_2)
            assert info is not None
            subject = iri(codes.country_uri(alpha_2))
            self.triples += [
                (subject, RDF_TYPE, iri("http://purl.org/dc/terms/Location")),
                (subject, iri(PREFIXES["skos"] + "notation"), literal(alpha_2)),
                (subject, RDFS_LABEL, literal(info[1], lang="en")),
                (subject, RDFS_LABEL, literal(info[2], lang="fr")),
            ]
            if alpha_2 in wikidata:
                self.triples.append((subject, iri(PREFIXES["owl"] + "sameAs"),
                                     iri("http://www.wikidata.org/entity/" + wikidata[alpha_2])))
        concepts = _concept_triples()
        schemes = set()
        for uri in sorted(self.context.concepts):
            for triple in concepts.get(uri, ()):
                self.triples.append(triple)
                if triple[1] == iri(PREFIXES["skos"] + "inScheme"):
                    schemes.add(triple[2][1:-1])
        scheme_triples = _scheme_triples()
        for scheme in sorted(schemes):
            self.triples += scheme_triples.get(scheme, [])


_TERM, _TEXT, _TRIPLES, _NODE = range(4)
"""How :meth:`_Writer.fields` makes a field's triples: one a value from its type's term;
texts in a language; its type's own triples; a node of its own."""
_Step = tuple[int, str, Field, FieldType, str]
_PLANS: dict[int, tuple[tuple[Field, ...], dict[str, _Step]]] = {}


def _plan(fields: tuple[Field, ...]) -> dict[str, _Step]:
    """How to make the triples of each of ``fields`` (a kind's or an object field's
    tuple, recognised by identity as :func:`~coopdata.model.spec.by_name` does): how,
    the predicate, the field, its type and its node class (N-Triples IRIs)."""
    known = _PLANS.get(id(fields))
    if known is None or known[0] is not fields:  # (kept with it: its id is not reused)
        steps = {}
        for spec in fields:
            kind = spec.field_type
            how = _NODE if kind.is_object else _TEXT if kind.is_text else \
                _TERM if type(kind).triples is FieldType.triples else _TRIPLES
            steps[spec.name] = (how, _predicate(spec.predicate), spec, kind,
                                _predicate(spec.node_class) if spec.node_class else "")
        known = _PLANS[id(fields)] = (fields, steps)
    return known[1]


def _term(term: codes.CodeTerm) -> str:
    kind, value, datatype, lang = term
    if kind == "i":
        return iri(value)
    return literal(value, lang=lang or None,
                   datatype=None if datatype == XSD + "string" else datatype or None)


@cache
def _code_triples() -> dict[str, list[Triple]]:
    """Every triple of schema/codelists.ttl by subject IRI, as N-Triples terms."""
    out: dict[str, list[Triple]] = {}
    for subject, predicate, term in codes.codelist_triples():
        out.setdefault(subject, []).append((iri(subject), iri(predicate), _term(term)))
    return out


@cache
def _concept_triples() -> dict[str, list[Triple]]:
    """Every triple of schema/codelists.ttl about each concept, as N-Triples terms."""
    concept = iri(codes.SKOS + "Concept")
    return {s: found for s, found in _code_triples().items()
            if (RDF_TYPE, concept) in {(p, o) for _, p, o in found}}


@cache
def _scheme_triples() -> dict[str, list[Triple]]:
    kept = {RDF_TYPE, iri(codes.SKOS + "prefLabel")}
    scheme = iri(codes.SKOS + "ConceptScheme")
    return {s: [t for t in found if t[1] in kept] for s, found in _code_triples().items()
            if (RDF_TYPE, scheme) in {(p, o) for _, p, o in found}}


def triples(dataset: Dataset, *, uris: Uris | None = None,
            spill: Callable[[list[Triple]], None] | None = None,
            run: int = 0) -> list[Triple]:
    """Every triple of the dataset's graph, sorted, without duplicates, each distinct
    object term held once however many triples share it.

    With ``spill``, each time ``run`` triples are made they are sorted and given to it
    (:meth:`coopdata.rdf.ntfile.Runs.add` writes them to disk), and the triples
    returned are the rest: the graph is the runs and the rest merged."""
    writer = _Writer(uris or Uris())
    for record in dataset:
        writer.record(record.kind, record.id, record.data)
        if spill is not None and len(writer.triples) >= run:
            spill(writer.sorted())
    writer.describe()
    return writer.sorted()


def sorted_unique(triples: list[Triple]) -> list[Triple]:
    """``sorted(set(triples))``, faster: sorting the list keeps its runs, and each triple
    is then kept unless it equals the one before (compared in C, not in a Python loop)."""
    return unique(sorted(triples))


def unique(ordered: list[Triple]) -> list[Triple]:
    """The sorted triples ``ordered`` without duplicates: each is kept unless it equals the
    one before."""
    return list(compress(ordered, map(ne, ordered, chain([None], ordered))))


def ntriples(triples: Iterable[Triple]) -> str:
    """The triples as an N-Triples document, one a line, in the order given."""
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


def ntriples_chunks(triples: list[Triple], *, batch: int = 5_000) -> Iterator[bytes]:
    """:func:`ntriples` of the triples as UTF-8, a batch of lines at a time: the whole
    document is never one string, and small batches stay in the processor's cache
    (5,000 lines a batch encode about 40 % faster than 50,000)."""
    for start in range(0, len(triples), batch):
        yield ntriples(triples[start:start + batch]).encode("utf-8")


def write_ntriples(triples: list[Triple], path: Path, *, batch: int = 5_000) -> None:
    """:func:`ntriples` into the file at ``path`` (UTF-8), a batch of lines at a time
    (:func:`ntriples_chunks`)."""
    with open(path, "wb") as handle:
        handle.writelines(ntriples_chunks(triples, batch=batch))

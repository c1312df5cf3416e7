"""Records → RDF graph (rdflib).

Deterministic: the same records give the same triples, with no blank nodes. Every
record is typed, labelled (with language tags where its label is text) and linked to
its sources; nested objects (budgets, participations…) are typed nodes; dates are
typed by their precision (``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``); money
is an ``xsd:decimal`` with its ISO 4217 currency; a point is a GeoSPARQL geometry node
(``geo:hasGeometry`` → ``sf:Point`` with its ``geo:asWKT``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coopdata.model import codes
from coopdata.model.codes import codelists
from coopdata.model.dataset import Dataset
from coopdata.model.spec import KINDS, Field
from coopdata.model.uris import Uris
from coopdata.model.vocab import (
    POINT_CLASS,
    POINT_WKT,
    PREFIXES,
    WIKIDATA,
    WKT_LITERAL,
    decimal_text,
    expand,
    wikidata_countries,
    wkt_point,
)

if TYPE_CHECKING:
    from rdflib import Graph, Literal, URIRef


def build_graph(dataset: Dataset, *, uris: Uris | None = None) -> Graph:
    """The RDF graph of ``dataset``, with the countries and codes it uses described."""
    from rdflib import Graph  # rdflib: slow to import, only this path needs it

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("code", codes.CODE_BASE)
    graph.bind("country", codes.COUNTRY_BASE)
    _Builder(graph, uris or Uris()).dataset(dataset)
    return graph


class _Builder:
    def __init__(self, graph: Graph, uris: Uris) -> None:
        # rdflib: slow to import, only this path needs it
        from rdflib import RDF, RDFS, Literal, URIRef
        from rdflib.namespace import XSD  # rdflib: slow to import, only this path needs it

        self.graph, self.uris = graph, uris
        self.RDF, self.RDFS, self.XSD, self.Literal, self.URIRef = RDF, RDFS, XSD, Literal, URIRef
        self.countries: set[str] = set()
        self.concepts: set[str] = set()
        self.predicates: dict[str, URIRef] = {}

    def predicate(self, curie: str) -> URIRef:
        if curie not in self.predicates:
            self.predicates[curie] = self.URIRef(expand(curie))
        return self.predicates[curie]

    def dataset(self, dataset: Dataset) -> None:
        for record in dataset:
            kind = KINDS[record.kind]
            subject = self.URIRef(self.uris.record(record.kind, record.id))
            self.graph.add((subject, self.RDF.type, self.predicate(kind.node_class)))
            label = record.data.get(kind.label_field)
            for literal in self.literals(kind.field(kind.label_field), label):
                self.graph.add((subject, self.RDFS.label, literal))
            self.fields(subject, kind.fields, record.data)
        self.describe_countries()
        self.describe_concepts()

    def fields(self, subject: URIRef, fields: tuple[Field, ...], data: dict[str, Any]) -> None:
        # Each type's terms are mapped here again, on purpose, by the field's type name rather
        # than by its definition in model/fieldtypes.py: this is the independent
        # implementation the fast path (rdf/triples.py, through the field types) is compared
        # against, so it must not share the code it checks.
        for spec in fields:
            if spec.name not in data:
                continue
            values = data[spec.name] if spec.many else [data[spec.name]]
            predicate = self.predicate(spec.predicate)
            for position, value in enumerate(values, start=1):
                if spec.type == "object":
                    node = self.URIRef(f"{subject}/{spec.name}/{position}" if spec.many
                                       else f"{subject}/{spec.name}")
                    assert spec.node_class is not None
                    self.graph.add((node, self.RDF.type, self.predicate(spec.node_class)))
                    self.graph.add((subject, predicate, node))
                    self.fields(node, spec.fields, value)
                elif spec.type == "point":
                    node = self.URIRef(f"{subject}/{spec.name}")
                    self.graph.add((subject, predicate, node))
                    self.graph.add((node, self.RDF.type, self.predicate(POINT_CLASS)))
                    self.graph.add((node, self.predicate(POINT_WKT),
                                    self.Literal(wkt_point(value),
                                                 datatype=self.predicate(WKT_LITERAL))))
                else:
                    for obj in self.objects(spec, value):
                        self.graph.add((subject, predicate, obj))

    def literals(self, spec: Field, value: Any) -> list[Literal]:
        if value is None:
            return []
        if spec.type == "text":
            return [self.Literal(text, lang=lang) for lang, text in value.items()]
        return [self.Literal(value)]

    def objects(self, spec: Field, value: Any) -> list[URIRef | Literal]:
        kind = spec.type
        if kind == "text":
            return list(self.literals(spec, value))
        if kind == "ref":
            assert spec.ref is not None
            return [self.URIRef(self.uris.record(spec.ref, value))]
        if kind == "code":
            assert spec.scheme is not None
            uri = codes.concept_uri(spec.scheme, value)
            self.concepts.add(uri)
            return [self.URIRef(uri)]
        if kind == "country":
            self.countries.add(value)
            return [self.URIRef(codes.country_uri(value))]
        if kind == "language":
            return [self.URIRef(codes.language(value) or "")]
        if kind == "url":
            return [self.URIRef(value)]
        if kind == "date":
            return [self.Literal(str(value), datatype=self.XSD[value.xsd_type])]
        if kind == "decimal":
            return [self.Literal(decimal_text(value), datatype=self.XSD.decimal)]
        if kind == "boolean":
            return [self.Literal("true" if value else "false", datatype=self.XSD.boolean)]
        return [self.Literal(value)]  # string, currency

    def describe_countries(self) -> None:
        # rdflib: slow to import, only this path needs it
        from rdflib.namespace import DCTERMS, OWL, SKOS

        wikidata = wikidata_countries()
        for alpha_2 in sorted(self.countries):
            info = codes.country(alpha_2)
            assert info is not None
            uri = self.URIRef(codes.country_uri(alpha_2))
            self.graph.add((uri, self.RDF.type, DCTERMS.Location))
            self.graph.add((uri, SKOS.notation, self.Literal(alpha_2)))
            self.graph.add((uri, self.RDFS.label, self.Literal(info[1], lang="en")))
            self.graph.add((uri, self.RDFS.label, self.Literal(info[2], lang="fr")))
            if alpha_2 in wikidata:
                self.graph.add((uri, OWL.sameAs, self.URIRef(WIKIDATA + wikidata[alpha_2])))

    def describe_concepts(self) -> None:
        """Copy the description of every code used from ``schema/codelists.ttl``."""
        from rdflib.namespace import SKOS  # rdflib: slow to import, only this path needs it

        lists = codelists()
        schemes: set[URIRef] = set()
        for uri in sorted(self.concepts):
            for triple in lists.triples((self.URIRef(uri), None, None)):
                self.graph.add(triple)
            schemes.update(s for s in lists.objects(self.URIRef(uri), SKOS.inScheme)
                           if isinstance(s, self.URIRef))
        for scheme in sorted(schemes):
            for predicate in (self.RDF.type, SKOS.prefLabel):
                for value in lists.objects(scheme, predicate):
                    self.graph.add((scheme, predicate, value))


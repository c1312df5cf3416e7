"""The vocabulary (schema/), the shapes (shapes/) and the table schemas (datapackage/)
agree with each other and with the record spec."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SH, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SKOS

from coopdata.model import codes
from coopdata.model.spec import KINDS, Field
from coopdata.model.vocab import POINT_WKT, PREFIXES, expand

ROOT = Path(__file__).resolve().parents[2]
COOP = PREFIXES["coop"]


def walk(fields: tuple[Field, ...]):  # type: ignore[no-untyped-def]
    for spec in fields:
        yield spec
        yield from walk(spec.fields)


SPEC_FIELDS = [f for kind in KINDS.values() for f in walk(kind.fields)]
SPEC_PREDICATES = {expand(f.predicate) for f in SPEC_FIELDS}
SPEC_CLASSES = {expand(k.node_class) for k in KINDS.values()} | {
    expand(f.node_class) for f in SPEC_FIELDS if f.node_class}


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(ROOT / "schema" / "vocab.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ROOT / "shapes" / "coopdata.ttl")


@pytest.fixture(scope="module")
def codelists() -> Graph:
    return Graph().parse(ROOT / "schema" / "codelists.ttl")


def test_every_coop_term_the_spec_uses_is_declared(vocab: Graph) -> None:
    used = {t for t in SPEC_PREDICATES | SPEC_CLASSES if t.startswith(COOP)}
    used.add(COOP + "iatiCode")
    declared = {str(s) for s in vocab.subjects(RDF.type, None) if str(s).startswith(COOP)}
    assert sorted(used - declared) == []


def test_every_vocabulary_term_is_labelled_in_english_and_french(vocab: Graph) -> None:
    for term in {s for s in vocab.subjects(RDF.type, None) if str(s).startswith(COOP)}:
        for predicate in (RDFS.label, RDFS.comment):
            languages = {getattr(o, "language", None) for o in vocab.objects(term, predicate)}
            assert {"en", "fr"} <= languages, f"{term} {predicate}"


def test_classes_and_properties_are_typed(vocab: Graph) -> None:
    for term in SPEC_CLASSES:
        if term.startswith(COOP):
            assert (URIRef(term), RDF.type, OWL.Class) in vocab, term
    for term in SPEC_PREDICATES:
        if term.startswith(COOP):
            types = set(vocab.objects(URIRef(term), RDF.type))
            assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, term


def test_every_shape_path_is_a_spec_or_standard_term(shapes: Graph) -> None:
    paths = {str(p) for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    point = {expand(POINT_WKT)}  # the geometry node a point field makes
    assert sorted(paths - SPEC_PREDICATES - point - {str(RDFS.label), str(RDF.type)}) == []


def test_every_class_has_a_shape_with_every_predicate(shapes: Graph) -> None:
    targets = {str(t) for t in shapes.objects(None, SH.targetClass)}
    assert targets >= SPEC_CLASSES
    for kind in KINDS.values():
        shape = next(shapes.subjects(SH.targetClass, URIRef(expand(kind.node_class))))
        paths = {str(shapes.value(p, SH.path)) for p in shapes.objects(shape, SH.property)}
        assert {expand(f.predicate) for f in kind.fields} <= paths, kind.name


def test_code_lists_in_shapes_match_the_schemes(shapes: Graph, codelists: Graph) -> None:
    schemes = {scheme: {codes.concept_uri(scheme, code) for code in values}
               for scheme, values in codes.schemes().items()}
    seen = set()
    for node in shapes.objects(None, SH["in"]):
        members = {str(m) for m in Collection(shapes, node)}
        if not all(m.startswith(codes.CODE_BASE) for m in members):
            continue
        scheme = next(s for s, c in schemes.items() if members & c)
        assert members == schemes[scheme], scheme
        seen.add(scheme)
    used = {f.scheme for f in SPEC_FIELDS if f.scheme}
    assert used <= seen


def test_every_concept_has_notation_and_labels(codelists: Graph) -> None:
    for concept in codelists.subjects(RDF.type, SKOS.Concept):
        assert codelists.value(concept, SKOS.notation) is not None
        languages = {o.language for o in codelists.objects(concept, SKOS.prefLabel)}
        # hand-made concepts are bilingual; the official IATI lists have French where
        # they give it (tools/codelists.py)
        generated = codelists.value(concept, URIRef(COOP + "iatiCode")) is not None
        assert languages == {"en", "fr"} or (generated and languages == {"en"}), concept
        assert str(concept) == codes.concept_uri(
            str(codelists.value(concept, SKOS.inScheme)).removeprefix(codes.CODE_BASE),
            str(codelists.value(concept, SKOS.notation)))


def test_table_fields_map_to_spec_fields() -> None:
    from coopdata.tables.layout import tables

    for table in tables():
        if table.translations:  # (texts in other languages: table, column, language, text)
            continue
        for column in table.columns:
            assert column.spec in SPEC_FIELDS
            assert expand(column.spec.predicate) in SPEC_PREDICATES


def test_table_enums_are_the_code_lists() -> None:
    for path in sorted((ROOT / "datapackage").glob("*.schema.json")):
        for field in json.loads(path.read_text(encoding="utf-8"))["fields"]:
            enum = field.get("constraints", {}).get("enum")
            if path.name.endswith("_translations.schema.json") and field["name"] == "table":
                assert enum and all(f"{name}.csv" in {p.name.replace(".schema.json", ".csv")
                                    for p in path.parent.glob("*.schema.json")}
                                    for name in enum)
            elif enum:
                assert tuple(enum) in set(codes.schemes().values()), (path.name, field["name"])


def test_generated_files_are_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "generate.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr + \
        "\nrun: python tools/generate.py"


def test_context_maps_fields_to_their_predicates() -> None:
    context = json.loads((ROOT / "schema" / "context.jsonld").read_text(encoding="utf-8"))
    terms = context["@context"]
    prefixes = {k: v for k, v in terms.items() if isinstance(v, str) and v.endswith(("/", "#"))}

    def iri(value: str) -> str:
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else value

    mapped = {iri(v["@id"] if isinstance(v, dict) else v) for k, v in terms.items()
              if k not in prefixes and not k.startswith("@")}
    assert mapped | {str(RDF.type)} >= SPEC_PREDICATES


def test_context_reads_a_document_into_the_same_triples() -> None:
    context = json.loads((ROOT / "schema" / "context.jsonld").read_text(encoding="utf-8"))
    document = {"@context": context["@context"], "@id": "coopid:project/x",
                "title": {"fr": "Projet"}}
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    assert (URIRef("https://w3id.org/coopdata/id/project/x"),
            URIRef("http://purl.org/dc/terms/title"), None) in graph


def test_model_md_says_what_every_class_means() -> None:
    """docs/model.md names every class the spec makes nodes of (its table of IATI classes
    and the class diagram)."""
    from coopdata.model.spec import KINDS

    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")

    def classes(fields):  # type: ignore[no-untyped-def]
        for spec in fields:
            if spec.node_class:
                yield spec.node_class
                yield from classes(spec.fields)

    used = {k.node_class for k in KINDS.values()} | {
        c for k in KINDS.values() for c in classes(k.fields)}
    assert sorted(c for c in used if f"`{c}`" not in text and f'"{c}"' not in text) == []

"""The DCAT-AP 3 catalogue and the VoID description of a release, checked against the
official DCAT-AP 3.0.1 SHACL shapes in ../shared/dcat-ap/3.0.1/ (no network: the shapes
are read from disk and owl:imports are not followed)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, VOID, XSD

from coopdata.model.codes import country_uri
from coopdata.model.config import ReleaseConfig
from coopdata.model.dates import PartialDate
from coopdata.release.catalog import DCAT, SHA256, SPDX, catalog_graph, void_graph
from coopdata.release.files import ReleaseFile, ReleaseInfo
from tests.conftest import shared_path

CONFIG = ReleaseConfig(contact_email="curators@example.org",
                       sparql_endpoint="https://example.org/sparql")
INFO = ReleaseInfo(
    version="1.2.0",
    issued="2024-05-02",
    previous=("1.0.0", "1.1.0"),
    countries=("MA", "NE", "SN", "TN"),
    temporal=(PartialDate(2013, 6), PartialDate(2021)),
    triples=4821,
    entities=(("https://w3id.org/coopdata/vocab#Project", 41),
              ("http://www.w3.org/ns/org#Organization", 63),
              ("https://schema.org/Event", 12)),
)
FILES = [
    ReleaseFile(name, size, hashlib.sha256(name.encode()).hexdigest())
    for name, size in [("graph.ttl", 301_544), ("graph.nt", 712_090), ("graph.jsonld", 655_873),
                       ("projects.jsonld", 98_112), ("context.jsonld", 4_310),
                       ("tables/projects.csv", 20_771), ("tables/organisations.csv", 8_019),
                       ("datapackage.json", 17_220), ("csv-metadata.json", 15_904),
                       ("void.ttl", 2_118), ("CHANGELOG.md", 1_207)]
]
# A first release under a licence given as a URL, without dates or a contact e-mail.
FIRST = (replace(CONFIG, license="https://example.org/licence", contact_email=None),
         replace(INFO, version="1.0.0", previous=(), temporal=None))

DATASET = URIRef("https://w3id.org/coopdata/dataset/1.2.0")


@cache
def shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(shared_path("dcat-ap", "3.0.1", name), format="turtle")
    return graph


def shacl(data: Graph, *names: str) -> tuple[bool, list[tuple[URIRef, URIRef, URIRef]], str]:
    """(conforms, [(severity, focus node, path)] of the top-level results, report text)."""
    conforms, report, text = validate(data, shacl_graph=shapes(*names), do_owl_imports=False,
                                      allow_warnings=True)
    results = [(report.value(r, SH.resultSeverity), report.value(r, SH.focusNode),
                report.value(r, SH.resultPath)) for r in report.objects(None, SH.result)]
    print(text)
    return bool(conforms), results, str(text)


@pytest.mark.parametrize(("config", "info"), [(CONFIG, INFO), FIRST], ids=["usual", "first"])
def test_catalogue_meets_the_dcat_ap_base_and_range_shapes(
        config: ReleaseConfig, info: ReleaseInfo) -> None:
    conforms, results, text = shacl(catalog_graph(config, info, FILES), "shapes.ttl",
                                    "range.ttl")
    assert conforms and results == [], text


def test_recommended_shapes_miss_only_what_coopdata_cannot_know() -> None:
    conforms, results, text = shacl(catalog_graph(CONFIG, INFO, FILES), "shapes_recommended.ttl")
    assert conforms, text
    # Allowed, one by one: (1) dcat:bbox and dcat:centroid of each country (a dct:Location
    # by the range shapes): coopdata holds no geometry; (2) the publisher's dct:type (an
    # ADMS publisher type): the release configuration does not say what kind of body the
    # publisher is. Everything else the recommendations ask for is there.
    countries = [URIRef(country_uri(code)) for code in INFO.countries]
    expected = {(SH.Warning, place, path) for place in countries
                for path in (DCAT.bbox, DCAT.centroid)}
    expected.add((SH.Warning, URIRef(CONFIG.publisher_uri), DCTERMS.type))
    assert set(results) == expected, text
    assert len(results) == 2 * len(INFO.countries) + 1


def test_licence_of_unknown_type_adds_one_recommendation() -> None:
    _, results, _ = shacl(catalog_graph(*FIRST, FILES), "shapes_recommended.ttl")
    licence = URIRef("https://example.org/licence")
    assert (SH.Warning, licence, DCTERMS.type) in results


def test_vocabulary_shapes_pass_offline_but_for_the_publisher() -> None:
    # The EU test bed's controlled-vocabulary profile: authority terms carry skos:inScheme,
    # media types are IANA URLs, the checksum algorithm an https://spdx.org/rdf/terms IRI.
    # Only the publisher is not in the EU corporate-body table (a warning).
    conforms, results, text = shacl(catalog_graph(CONFIG, INFO, FILES),
                                    "mdr-vocabularies.shape.ttl")
    assert conforms, text
    assert {(severity, path) for severity, _, path in results} == \
        {(SH.Warning, DCTERMS.publisher)}, text


Make = Callable[[ReleaseConfig, ReleaseInfo, Sequence[ReleaseFile]], Graph]


@pytest.mark.parametrize("make", [catalog_graph, void_graph])
def test_output_is_deterministic_and_has_no_blank_nodes(make: Make) -> None:
    first = make(CONFIG, INFO, FILES).serialize(format="turtle")
    assert first == make(CONFIG, INFO, FILES).serialize(format="turtle")
    assert not any(isinstance(term, BNode) for triple in make(CONFIG, INFO, FILES)
                   for term in triple)
    assert "_:" not in first


def test_catalogue_states_what_the_release_says() -> None:
    graph = catalog_graph(CONFIG, INFO, FILES)
    assert set(graph.objects(DATASET, DCTERMS.spatial)) == {
        URIRef(f"http://publications.europa.eu/resource/authority/country/{code}")
        for code in ("MAR", "NER", "SEN", "TUN")}
    period = graph.value(DATASET, DCTERMS.temporal)
    assert period == URIRef(f"{DATASET}#period")
    assert graph.value(period, DCAT.startDate) == Literal("2013-06", datatype=XSD.gYearMonth)
    assert graph.value(period, DCAT.endDate) == Literal("2021", datatype=XSD.gYear)
    assert graph.value(DATASET, DCAT.prev) == URIRef("https://w3id.org/coopdata/dataset/1.1.0")
    series = graph.value(DATASET, DCAT.inSeries)
    assert graph.value(series, DCAT["last"]) == DATASET
    assert len(set(graph.objects(DATASET, DCAT.distribution))) == len(FILES)
    for file in FILES:
        distribution = URIRef(f"{DATASET}/{file.name}")
        assert (DATASET, DCAT.distribution, distribution) in graph
        assert graph.value(distribution, DCAT.downloadURL) == URIRef(
            f"https://w3id.org/coopdata/releases/1.2.0/{file.name}")
        size = graph.value(distribution, DCAT.byteSize)
        assert size == Literal(file.byte_size, datatype=XSD.nonNegativeInteger)
        checksum = graph.value(distribution, SPDX.checksum)
        assert checksum == URIRef(f"{distribution}#sha256")
        assert graph.value(checksum, SPDX.algorithm) == SHA256
        value = graph.value(checksum, SPDX.checksumValue)
        assert isinstance(value, Literal) and value.datatype == XSD.hexBinary
        assert str(value) == file.sha256
    table = URIRef(f"{DATASET}/tables/projects.csv")
    assert graph.value(table, DCAT.mediaType) == \
        URIRef("http://www.iana.org/assignments/media-types/text/csv")
    assert graph.value(table, DCTERMS.format) == \
        URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")


def test_a_period_known_to_the_day_is_typed_xsd_date() -> None:
    info = replace(INFO, temporal=(PartialDate(2013, 6, 14), PartialDate(2021, 2, 28)))
    period = URIRef(f"{DATASET}#period")
    graph = catalog_graph(CONFIG, info, FILES)
    assert graph.value(period, DCAT.startDate) == Literal("2013-06-14", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2021-02-28", datatype=XSD.date)


def test_first_release_has_no_previous_version_nor_period() -> None:
    config, info = FIRST
    graph = catalog_graph(config, info, FILES)
    dataset = URIRef("https://w3id.org/coopdata/dataset/1.0.0")
    assert graph.value(dataset, DCAT.prev) is None
    assert graph.value(dataset, DCTERMS.temporal) is None
    series = URIRef("https://w3id.org/coopdata/dataset")
    assert graph.value(series, DCAT.first) == graph.value(series, DCAT["last"]) == dataset


def test_void_counts_classes_and_dumps() -> None:
    graph = void_graph(CONFIG, INFO, FILES)
    void = URIRef(f"{DATASET}#void")
    assert (void, RDF.type, VOID.Dataset) in graph
    assert graph.value(void, VOID.triples) == Literal(INFO.triples)
    assert graph.value(void, VOID.entities) == Literal(41 + 63 + 12)
    partitions = {
        (partition, graph.value(partition, VOID["class"]), graph.value(partition, VOID.entities))
        for partition in graph.objects(void, VOID.classPartition)}
    assert partitions == {(URIRef(f"{DATASET}#void-class-{n}"), URIRef(cls), Literal(count))
                          for n, (cls, count) in enumerate(INFO.entities, start=1)}
    assert set(graph.objects(void, VOID.dataDump)) == {
        URIRef("https://w3id.org/coopdata/releases/1.2.0/graph.nt"),
        URIRef("https://w3id.org/coopdata/releases/1.2.0/graph.ttl")}
    assert graph.value(void, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert graph.value(void, VOID.uriSpace) == Literal(CONFIG.base_uri)
    assert URIRef("https://w3id.org/coopdata/vocab#") in set(graph.objects(void, VOID.vocabulary))
    assert graph.value(void, DCTERMS.license) == URIRef(CONFIG.license_uri)


def test_void_without_endpoint() -> None:
    graph = void_graph(ReleaseConfig(), INFO, FILES)
    assert graph.value(URIRef(f"{DATASET}#void"), VOID.sparqlEndpoint) is None

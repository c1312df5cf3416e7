"""Records → RDF: golden graph, typed dates and money, determinism, URIs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import XSD

from coopdata import Uris, build_graph, load
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "fixture-graph.ttl"
ID = "https://w3id.org/coopdata/id/"
COOP = "https://w3id.org/coopdata/vocab#"


@pytest.fixture(scope="module")
def graph() -> Graph:
    dataset, report = load(FIXTURES / "records")
    assert report.valid
    return build_graph(dataset)


def test_matches_golden_graph(graph: Graph) -> None:
    golden = Graph().parse(GOLDEN)
    if not isomorphic(graph, golden):
        _, only_built, only_golden = graph_diff(to_isomorphic(graph), to_isomorphic(golden))
        pytest.fail("graph differs from golden:\n+ " + only_built.serialize(format="nt")
                    + "\n- " + only_golden.serialize(format="nt"))


def test_dates_are_typed_by_precision(graph: Graph) -> None:
    second, first = URIRef(ID + "project/second"), URIRef(ID + "project/first")
    assert graph.value(second, URIRef(COOP + "plannedStart")) == Literal("2017", datatype=XSD.gYear)
    assert graph.value(first, URIRef(COOP + "actualStart")) == Literal(
        "2012-07", datatype=XSD.gYearMonth)
    assert graph.value(second, URIRef(COOP + "actualStart")) == Literal(
        "2018-03-15", datatype=XSD.date)


def test_money_is_a_decimal_with_its_currency(graph: Graph) -> None:
    budget = URIRef(ID + "project/second/budgets/1")
    amount = graph.value(budget, URIRef("https://schema.org/value"))
    assert (str(amount), amount.datatype) == ("1250000.0", XSD.decimal)
    assert graph.value(budget, URIRef("https://schema.org/currency")) == Literal("EUR")


def test_every_record_is_typed_labelled_and_sourced(graph: Graph) -> None:
    dataset, _ = load(FIXTURES / "records")
    for record in dataset:
        subject = URIRef(f"{ID}{record.kind}/{record.id}")
        assert graph.value(subject, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))
        labels = list(graph.objects(subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        assert labels and all(label.language or record.kind == "person" for label in labels)
        if record.kind != "source":
            assert graph.value(subject, URIRef("http://purl.org/dc/terms/source"))


def test_no_blank_nodes_and_deterministic_output(graph: Graph) -> None:
    from rdflib import BNode

    assert not any(isinstance(term, BNode) for triple in graph for term in triple)
    dataset, _ = load(FIXTURES / "records")
    assert build_graph(dataset).serialize(format="turtle") == graph.serialize(format="turtle")


def test_countries_link_to_eu_authority_and_wikidata(graph: Graph) -> None:
    morocco = URIRef("http://publications.europa.eu/resource/authority/country/MAR")
    assert graph.value(morocco, URIRef("http://www.w3.org/2002/07/owl#sameAs")) == URIRef(
        "http://www.wikidata.org/entity/Q1028")
    assert Literal("Maroc", lang="fr") in set(graph.objects(
        morocco, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))


def test_base_uri_is_configurable_and_reversible() -> None:
    dataset, _ = load(FIXTURES / "records")
    uris = Uris("https://data.example.org/coop/")
    graph = build_graph(dataset, uris=uris)
    assert (URIRef("https://data.example.org/coop/project/second"), None, None) in graph
    assert uris.locate("https://data.example.org/coop/project/second/results/1/targets/2") == (
        "project", "second", "results[1].targets[2]")
    with pytest.raises(ValueError, match="must be an http"):
        Uris("data.example.org")

"""Remote JSON-LD contexts and owl:imports are never fetched.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import socket
from typing import Any

import pytest


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to open a connection fails the test (and is recorded)."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise AssertionError(f"network access attempted: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("context", [
    "http://127.0.0.1:9/context.jsonld",
    {"@context": "http://127.0.0.1:9/context.jsonld"},
    {"@context": {"@import": "http://127.0.0.1:9/context.jsonld"}},
    {"@context": ["http://127.0.0.1:9/context.jsonld", {"x": "urn:x:"}]},
], ids=["url", "context-url", "import", "in-a-list"])
def test_remote_json_ld_context_is_never_fetched(no_network: list[str], context: Any) -> None:
    from rdflib import Graph, Literal, URIRef

    from coopdata import UsageError
    from coopdata.rdf.jsonld import compacted

    graph = Graph()
    graph.add((URIRef("urn:x:a"), URIRef("urn:x:p"), Literal("v")))
    with pytest.raises(UsageError) as caught:
        compacted(graph, context=context)
    assert str(caught.value) == ("cannot write JSON-LD with this context: coopdata never "
                                 "fetches JSON-LD documents (http://127.0.0.1:9/context.jsonld)")
    assert no_network == []
    assert compacted(graph)["@context"]  # the published context is local


def test_owl_imports_are_not_followed(no_network: list[str]) -> None:
    from rdflib import Graph

    from coopdata.reference.pyshacl import shacl_results
    from coopdata.validate.shacl.terms import shapes_graph

    data = Graph().parse(data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <http://127.0.0.1:9/data> a owl:Ontology ;
            owl:imports <http://127.0.0.1:9/more.ttl>, <file:///etc/hostname> .
    """, format="turtle")
    assert len(data) == 3  # rdflib reads the triples and follows nothing
    results = shacl_results(data, shapes_graph())  # pyshacl: no owl:imports in the data graph
    assert len(results) > 0 and no_network == []

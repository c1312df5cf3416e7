"""read_turtle (pyoxigraph's parser, for the catalogues a release reads back) gives the graph
rdflib's own Turtle parser gives, for any graph rdflib writes; a file that is not Turtle is a
SyntaxError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from coopdata.rdf.turtle import read_turtle

# (valid IRIs only, as coopdata checks every IRI it writes with pyoxigraph's parser)
iris = st.builds(lambda n, tail, escaped: URIRef(f"https://example.org/{n}/{tail}{escaped}"),
                 st.integers(0, 5), st.text("abcé-_~/.", max_size=6),
                 st.sampled_from(["", "%20", "%C3%A9"]))
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
literals = st.one_of(
    st.builds(Literal, texts),
    st.builds(lambda t, lang: Literal(t, lang=lang), texts, st.sampled_from(["fr", "en", "ar"])),
    st.builds(lambda n: Literal(n, datatype=XSD.integer), st.integers(-10**20, 10**20).map(str)),
    st.builds(lambda n: Literal(n, datatype=XSD.decimal),
              st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)),
    st.builds(lambda d: Literal(d.isoformat(), datatype=XSD.date), st.dates()),
)
nodes = st.one_of(iris, st.builds(BNode, st.sampled_from(["a", "b", "c"])))
# Predicates are vocabulary terms, never escaped: rdflib's writer would cut an escaped one
# inside its escape to make a prefix (<…/%> then 20), which is not Turtle
predicates = st.builds(lambda n, tail: URIRef(f"https://example.org/{n}/{tail}"),
                       st.integers(0, 5), st.text("abcé-_", max_size=6))
triples = st.tuples(nodes, predicates, st.one_of(nodes, literals))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(triples, max_size=30))
def test_read_turtle_reads_what_rdflib_reads(tmp_path: Path, made: list[tuple]) -> None:  # type: ignore[type-arg]
    graph = Graph()
    for triple in made:
        graph.add(triple)
    path = tmp_path / "g.ttl"
    path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
    read = read_turtle(path)
    assert isomorphic(read, Graph().parse(path, format="turtle"))
    assert len(read) == len(graph)


def test_a_file_that_is_not_turtle_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("<https://example.org/a> <https://example.org/b> \"open .\n",
                    encoding="utf-8")
    with pytest.raises(SyntaxError):
        read_turtle(path)

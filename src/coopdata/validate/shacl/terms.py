"""What the SHACL engine's parts share: SHACL and RDF terms, results, the data graph
(N-Triples terms indexed by subject and predicate), and the shape parameters it compiles."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from coopdata.model.ntriples import literal
from coopdata.model.resources import resource
from coopdata.rdf.ntfile import blocks
from coopdata.rdf.triples import Term, Triple, parse_term

if TYPE_CHECKING:
    from pathlib import Path

    from rdflib import Graph



SH = "http://www.w3.org/ns/shacl#"


XSD = "http://www.w3.org/2001/XMLSchema#"


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


RDFS = "http://www.w3.org/2000/01/rdf-schema#"


TYPE = f"<{RDF}type>"


SUBCLASS = f"<{RDFS}subClassOf>"


Test = Callable[[set[str], "DataGraph"], set[str]]
"""Of some values (N-Triples terms of the data graph), those that fail a constraint."""


class UnsupportedShapes(ValueError):
    """The shapes use a feature that :func:`compile_shapes` does not translate."""


@dataclass(frozen=True, order=True)
class Result:
    """One validation result: ``focus``, ``path``, ``component`` (sh:…ConstraintComponent),
    ``constraint`` (a named SHACL-SPARQL constraint) and ``severity`` are full IRIs (``_:id``
    for a blank node), ``value`` an N-Triples term (``<iri>``, ``"text"@fr``…)."""

    focus: str
    path: str | None
    component: str
    constraint: str | None
    severity: str
    value: str | None
    message: str

    @property
    def value_text(self) -> str | None:
        """The value's IRI, blank node id or lexical form (``str()`` of its rdflib term)."""
        if self.value is None or self.value[0] != '"':
            return None if self.value is None else self.value.strip("<>").removeprefix("_:")
        body = self.value[1:self.value.rindex('"')]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), body)


def term_text(term: Term) -> str:
    kind, text, datatype, lang = term
    if kind != "l":
        return f"<{text}>" if kind == "i" else f"_:{text}"
    return literal(text, lang=lang, datatype=None if datatype == XSD + "string" else datatype)


def lang_of(nt: str) -> str:
    """The language tag of an N-Triples term in lower case ("" if none), as
    :func:`parse_term` reads it."""
    return nt[nt.rindex('"') + 2:].lower() if nt[0] == '"' and nt[-1] not in '">' else ""


class _Terms(dict[str, Term]):
    """N-Triples term → term, each parsed the first time it is looked up."""

    def __missing__(self, nt: str) -> Term:
        term = self[nt] = parse_term(nt)
        return term


class _Langs(dict[str, str]):
    """N-Triples term → its language tag in lower case, each read the first time."""

    def __missing__(self, nt: str) -> str:
        lang = self[nt] = lang_of(nt)
        return lang


class DataGraph:
    """A data graph, indexed for the checks: the triples of each predicate, the instances of
    each class (with its subclasses), the terms and language tags (each read once).

    Given ``typing``, the graph is a block of a larger one (whole subjects of it:
    :func:`~coopdata.rdf.ntfile.subject_blocks`), whose classes ``typing`` holds:
    :meth:`instances` answers for the larger graph, :meth:`typed_here` for the block."""

    def __init__(self, triples: Iterable[Triple], typing: Typing | None = None) -> None:
        by_predicate: defaultdict[str, list[Triple]] = defaultdict(list)
        for triple in triples:
            by_predicate[triple[1]].append(triple)
        self.by_predicate = dict(by_predicate)
        self.typing = typing
        self.subclasses: dict[str, list[str]] = {}
        self.typed: dict[str, list[str]] = {}  # class → its direct instances
        if typing is None:
            for sub, _, cls in self.by_predicate.get(SUBCLASS, ()):
                self.subclasses.setdefault(cls, []).append(sub)
        else:
            self.subclasses = typing.subclasses
        for node, _, cls in self.by_predicate.get(TYPE, ()):
            self.typed.setdefault(cls, []).append(node)
        self.terms, self.langs = _Terms(), _Langs()
        self._instances: dict[str, frozenset[str]] = {}
        self._within: dict[tuple[str, frozenset[str]], bool] = {}

    def triples_of(self, path: str, nodes: frozenset[str]) -> list[Triple]:
        """The triples of ``path`` (an IRI) on ``nodes``."""
        triples = self.by_predicate.get(f"<{path}>", [])
        if (within := self._within.get((path, nodes))) is None:  # (each subject looked up
            within = self._within[path, nodes] = nodes.issuperset(  # in nodes, no set of
                map(itemgetter(0), triples))  # them made: at 100,000 projects, 200 MB)
        return triples if within else [t for t in triples if t[0] in nodes]

    def classes(self, cls: str) -> set[str]:
        """``cls`` and its subclasses (rdfs:subClassOf*), as N-Triples terms."""
        return subclasses_of(cls, self.subclasses)

    def instances(self, cls: str) -> frozenset[str] | set[str]:
        """The nodes of type ``cls`` or of one of its subclasses."""
        if self.typing is not None:
            return self.typing.instances(cls)
        return self.typed_here(cls)

    def typed_here(self, cls: str) -> frozenset[str]:
        """The nodes of this graph (this block) of type ``cls`` or of one of its
        subclasses."""
        if (found := self._instances.get(cls)) is None:
            found = self._instances[cls] = frozenset(
                node for c in self.classes(cls) for node in self.typed.get(c, ()))
        return found


def subclasses_of(cls: str, subclasses: dict[str, list[str]]) -> set[str]:
    """``cls`` and its subclasses (rdfs:subClassOf*) by ``subclasses`` (each class's
    direct subclasses)."""
    found, todo = {cls}, [cls]
    while todo:
        for sub in subclasses.get(todo.pop(), ()):
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


class Typing:
    """The classes of a sorted N-Triples file (:mod:`coopdata.rdf.ntfile`): each class's
    direct instances and subclasses, read from its rdf:type and rdfs:subClassOf lines."""

    def __init__(self, path: Path) -> None:
        self.typed: dict[str, set[str]] = {}
        self.subclasses: dict[str, list[str]] = {}
        found = re.compile(rb" (%s|%s) ([^ \n]+) \.\n" % (
            re.escape(TYPE.encode()), re.escape(SUBCLASS.encode())))
        type_ = TYPE.encode()
        for block in blocks(path):  # (the predicate found fast, its line's subject read back)
            for match in found.finditer(block):
                node = block[block.rfind(b"\n", 0, match.start()) + 1:match.start()]
                if b" " in node:  # (inside a literal)
                    continue
                if match[1] == type_:
                    self.typed.setdefault(match[2].decode(), set()).add(node.decode())
                else:
                    self.subclasses.setdefault(match[2].decode(), []).append(node.decode())
        self._instances: dict[str, set[str] | frozenset[str]] = {}

    def instances(self, cls: str) -> set[str] | frozenset[str]:
        """The nodes of type ``cls`` or of one of its subclasses."""
        if (found := self._instances.get(cls)) is None:
            classes = subclasses_of(cls, self.subclasses)
            found = self._instances[cls] = self.typed.get(cls, set()) if classes == {cls} \
                else frozenset().union(*(self.typed.get(c, ()) for c in classes))
        return found


def check_supported(g: Graph, shape: Any, allowed: set[str]) -> None:
    unknown = {str(p) for p in g.predicates(shape) if str(p).startswith(SH)} - \
        {SH + name for name in allowed}
    if unknown:
        raise UnsupportedShapes(f"{shape}: {', '.join(sorted(unknown))}")


def stringify(term: Term) -> str:
    """A data node as pyshacl writes it in a message (with rdflib's default prefixes)."""
    # pyshacl: the reference engine, loaded only when it runs
    from pyshacl.rdfutil.stringify import stringify_node

    # rdflib: slow to import, only this path needs it
    from rdflib import BNode, Graph, Literal, URIRef

    kind, text, datatype, lang = term
    return str(stringify_node(Graph(), URIRef(text) if kind == "i" else BNode(text) if kind == "b"
                              else Literal(text, lang=lang or None, datatype=None if lang or
                                           datatype == XSD + "string" else URIRef(datatype))))


def read_ntriples(document: str | bytes) -> list[Triple]:
    """The triples of an N-Triples document, each once (one triple a line, as N-Triples
    writers write them: no comment after a triple)."""
    text = document.decode("utf-8") if isinstance(document, bytes) else document
    triples = []
    for line in dict.fromkeys(text.split("\n")):
        if (line := line.strip()) and line[0] != "#":
            subject, predicate, rest = line.split(None, 2)
            triples.append((subject, predicate, rest[:-1].rstrip()))  # without the final "."
    return triples


def of_rdflib(node: Any) -> Term:
    from rdflib import BNode, Literal  # rdflib: slow to import, only this path needs it

    if isinstance(node, Literal):
        lang = node.language or ""
        datatype = node.datatype or (RDF + "langString" if lang else XSD + "string")
        return "l", str(node), str(datatype), lang
    return "b" if isinstance(node, BNode) else "i", str(node), "", ""


def iri_text(node: Any) -> str:
    from rdflib import BNode  # rdflib: slow to import, only this path needs it

    if isinstance(node, BNode):
        raise UnsupportedShapes(f"a blank node ({node}) as a parameter")
    return str(node)


def shapes_graph() -> Graph:
    """Every shapes file of ``shapes/`` in one graph."""
    from rdflib import Graph  # rdflib: slow to import, only this path needs it

    graph = Graph()
    for path in sorted(resource("shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


def graph_triples(graph: Graph) -> list[Triple]:
    """The triples of an rdflib graph, with their terms as ``graph.serialize(format="nt")``
    writes them."""
    from rdflib import Literal  # rdflib: slow to import, only this path needs it

    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.serializers.nt import _quoteLiteral

    written: dict[Any, str] = {}

    def nt(term: Any) -> str:
        if (text := written.get(term)) is None:
            text = written[term] = _quoteLiteral(term) if isinstance(term, Literal) \
                else term.n3()
        return text
    return [(nt(s), nt(p), nt(o)) for s, p, o in graph]


def parse_ntriples(data: str | bytes) -> Graph:
    """An N-Triples document as an rdflib graph (for pyshacl, when it stands in)."""
    from rdflib import Graph  # heavy: only the fallback to pyshacl needs an rdflib graph

    return Graph().parse(data=data, format="nt")

"""SHACL-SPARQL constraints (sh:sparql with sh:select, $this, $PATH, $currentShape,
sh:prefixes / sh:declare) for the fast SHACL engine of :mod:`coopdata.validate.shacl.core`.

Each constraint's SELECT runs on pyoxigraph with its WHERE joined with the shape's focus
nodes, as pyshacl runs it once per focus node. In a large data graph, the store holds only
the triples the queries can match, read from their algebra (:func:`_needs`, rdflib's parser,
once per query text and process): every triple of the predicates they name, the rdf:type
triples of the classes they name and of the target classes, or every triple if a query does
not tell. The store lives as long as :func:`run_selects`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from coopdata.rdf.ntfile import blocks, subject_blocks
from coopdata.rdf.triples import Term, Triple, ntriples_chunks
from coopdata.validate.shacl.terms import (
    SH,
    SUBCLASS,
    TYPE,
    XSD,
    DataGraph,
    Result,
    UnsupportedShapes,
    check_supported,
    term_text,
)

if TYPE_CHECKING:
    from rdflib import Graph

ANALYSED_FROM = 200_000
"""The number of triples from which the store holds only those the queries need (below,
reading the queries costs more than loading every triple)."""


@dataclass(frozen=True)
class Needs:
    """The triples a query can match: those of ``predicates``, and the rdf:type triples of
    ``classes`` (N-Triples IRIs). ``local``: every triple pattern of the query has the
    focus node (``$this``) as its subject and a plain IRI (or a variable) as predicate,
    and it has no subquery, so that a focus node's solutions depend on its own triples
    alone (and the rdfs:subClassOf triples of its targets)."""

    predicates: frozenset[str]
    classes: frozenset[str]
    local: bool = False


@dataclass(frozen=True)
class SparqlConstraint:
    """A constraint's SELECT (with its PREFIX lines), split where the focus nodes go (after
    WHERE's brace), with what each of its rows gives: the constraint's IRI ("" if blank),
    the shape's severity and path, the messages of both."""

    head: str
    tail: str
    constraint: str
    severity: str
    path: str | None
    messages: tuple[str, ...]


def _prefixes(g: Graph, constraint: Any) -> str:
    """PREFIX lines of a SPARQL constraint, collected as pyshacl does."""
    from rdflib import OWL, URIRef  # rdflib: slow to import, only this path needs it
    from rdflib import RDF as RDFNS  # rdflib: slow to import, only this path needs it

    def declared(holder: Any) -> set[Any]:
        return set(g.objects(holder, URIRef(SH + "declare")))
    ontologies, declares = set(g.subjects(RDFNS.type, OWL.Ontology)), set()
    for holder in g.objects(constraint, URIRef(SH + "prefixes")):
        own = declared(holder)
        declares |= own if own and holder in ontologies else own.union(
            *map(declared, ontologies))
    return "".join(f"PREFIX {g.value(d, URIRef(SH + 'prefix'))}: "
                   f"<{g.value(d, URIRef(SH + 'namespace'))}>\n" for d in sorted(declares))


def compile_select(g: Graph, shape: Any, constraint: Any, *, path: str | None, severity: str,
                   messages: tuple[str, ...]) -> SparqlConstraint:
    """A SHACL-SPARQL constraint of ``shape`` (its path, severity and sh:message given)."""
    from rdflib import BNode, URIRef  # rdflib: slow to import, only this path needs it

    check_supported(g, constraint, {"select", "message", "prefixes", "severity", "deactivated"})
    text = str(g.value(constraint, URIRef(SH + "select")))
    if re.search(r"\$shapesGraph\b|[?$]failure\b|\bGROUP\s+BY\b|\bMINUS\b", text, re.I) or (
            path is None and "$PATH" in text):
        raise UnsupportedShapes(f"{constraint}: $shapesGraph, ?failure, GROUP BY or MINUS")
    if isinstance(shape, BNode):
        raise UnsupportedShapes(f"a blank node ({shape}) with sh:sparql")
    text = re.sub(r"\$this\b", "?this", re.sub(r"\$currentShape\b", f"<{shape}>", text))
    text = re.sub(r"\$PATH\b", f"<{path}>", text)
    if (start := re.search(r"(?is)\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?", text)) is None:
        raise UnsupportedShapes(f"{constraint}: no SELECT")
    brace = text.index("{", start.end())
    if not re.search(r"\?this\b|^\s*\*", text[start.end():brace]):
        raise UnsupportedShapes(f"{constraint}: $this not selected")
    prefixes = _prefixes(g, constraint)
    own = {str(m) for m in g.objects(constraint, URIRef(SH + "message"))}
    return SparqlConstraint(prefixes + text[:brace + 1], text[brace + 1:],
                            str(constraint) if isinstance(constraint, URIRef) else "",
                            severity, path, tuple(sorted(own | set(messages))))


class _Any(Exception):
    """A query may match any triple."""


@cache
def _needs(sparql: str) -> Needs | None:
    """:func:`_read_needs`, in a thread of its own. rdflib's SPARQL parser (pyparsing)
    leaves reference cycles through the exceptions it raises, their tracebacks and the
    frames of those, and so through every frame that called it: here, frames holding the
    data graph, which would then stay in memory until Python's cyclic collector runs (it
    is paused during a release, and its first full collection after one walked every
    triple: 3 s at 100,000 projects). A new thread's frames hold only the query."""
    with ThreadPoolExecutor(max_workers=1) as fresh:
        return fresh.submit(_read_needs, sparql).result()


def _read_needs(sparql: str) -> Needs | None:
    """The triples ``sparql`` can match (None: any), read from its algebra. A variable
    predicate stands for the IRIs of a ``FILTER (?p IN (…))`` that drops every solution where
    it is another predicate, if nothing between the FILTER and the triple pattern can turn
    fewer matches into more solutions: only joins, unions, BIND, FILTER and the left side of
    OPTIONAL and MINUS."""
    from rdflib import RDF, URIRef, Variable  # rdflib: slow to import, only this path needs it

    # rdflib: slow to import, only this path needs it
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql import prepareQuery

    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql.parserutils import CompValue

    predicates: set[str] = set()
    classes: set[str] = set()
    local = [True]
    passing = {"Join": ("p1", "p2"), "Union": ("p1", "p2"), "Extend": ("p",), "Filter": ("p",),
               "LeftJoin": ("p1",), "Minus": ("p1",)}

    def path_iris(path: Any) -> Iterator[Any]:
        if isinstance(path, URIRef):
            yield path
        elif isinstance(path, (SequencePath, AlternativePath)):
            for arg in path.args:
                yield from path_iris(arg)
        elif isinstance(path, (MulPath, InvPath)):
            yield from path_iris(path.path if isinstance(path, MulPath) else path.arg)
        else:  # a negated path
            raise _Any

    def pattern(subject: Any, predicate: Any, obj: Any,
                limits: dict[Any, frozenset[str]]) -> None:
        if subject != Variable("this") or not isinstance(predicate, (URIRef, Variable)):
            local[0] = False
        if predicate == RDF.type and isinstance(obj, URIRef):
            classes.add(f"<{obj}>")
        elif isinstance(predicate, Variable) and predicate in limits:
            predicates.update(limits[predicate])
        elif isinstance(predicate, Variable):
            raise _Any
        else:
            predicates.update(f"<{iri}>" for iri in path_iris(predicate))

    def limits_of(expr: Any) -> dict[Any, frozenset[str]]:
        terms = [expr.expr, *expr.other] if getattr(expr, "name", "") == \
            "ConditionalAndExpression" else [expr]
        return {t.expr: frozenset(f"<{iri}>" for iri in t.other) for t in terms
                if getattr(t, "name", "") == "RelationalExpression" and t.op == "IN" and
                isinstance(t.expr, Variable) and all(isinstance(i, URIRef) for i in t.other)}

    def visit(node: Any, limits: dict[Any, frozenset[str]]) -> None:
        if isinstance(node, CompValue):
            if node.name in ("Graph", "ServiceGraphPattern", "TriplesBlock") or \
                    node.name.startswith("Path") or \
                    node.name.endswith("Query") and dict.get(node, "datasetClause"):
                raise _Any  # (a triples block or a path rdflib has not translated: unread)
            if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                visit(vars(node).get("graph", dict.get(node, "graph")), {})  # (rdflib sets
                return  # its translated pattern as an attribute, and keeps the parsed one)
            if node.name == "BGP":
                for subject, predicate, obj in node.triples:
                    pattern(subject, predicate, obj, limits)
                return
            if node.name == "Filter":
                limits = {**limits, **limits_of(node.expr)}
            if node.name == "ToMultiSet":  # (a subquery: its ?this is another variable)
                local[0] = False
            for key, value in node.items():
                visit(value, limits if key in passing.get(node.name, ()) else {})
        elif isinstance(node, (list, tuple, set)):
            for item in node:
                visit(item, {})

    try:
        visit(prepareQuery(sparql).algebra, {})
    except Exception:  # _Any, or a query rdflib does not read: any triple may matter
        return None
    return Needs(frozenset(predicates), frozenset(classes), local[0])


def _target(classes: tuple[str, ...], graph: DataGraph) -> str:
    """A pattern binding ?this to each instance of ``classes`` (or of a subclass), once."""
    if len(classes) == 1 and classes[0] not in graph.subclasses:
        return f"?this {TYPE} {classes[0]} ."
    instances = " UNION ".join(f"{{ ?this {TYPE} {c} }}" if c not in graph.subclasses else
                               f"{{ ?class {SUBCLASS}* {c} . ?this {TYPE} ?class }}"
                               for c in classes)
    return f"{{ SELECT DISTINCT ?this WHERE {{ {instances} }} }}"


def _triples(selects: list[tuple[tuple[str, ...], SparqlConstraint]],
             graph: DataGraph) -> Iterator[list[Triple]]:
    """The triples the queries need (with the targets' types), in lists."""
    needs = [_needs(select.head + select.tail) for _, select in selects] \
        if sum(map(len, graph.by_predicate.values())) >= ANALYSED_FROM else [None]
    if any(n is None for n in needs):
        yield from graph.by_predicate.values()
        return
    predicates = {SUBCLASS}.union(*(n.predicates for n in needs if n is not None))
    classes = set().union(*(n.classes for n in needs if n is not None),
                          *(graph.classes(c) for classes, _ in selects for c in classes))
    yield from (graph.by_predicate.get(predicate, []) for predicate in predicates)
    if TYPE not in predicates:
        yield [t for t in graph.by_predicate.get(TYPE, ()) if t[2] in classes]


def run_selects(selects: list[tuple[tuple[str, ...], SparqlConstraint]],
                graph: DataGraph, scratch: Path | None = None,
                source: Path | None = None) -> list[Result]:
    """The results of each SPARQL constraint on the instances of its target classes
    (``scratch``: where a store too large for memory is kept, see :func:`_folder_for`).
    ``source``: the sorted N-Triples file of a graph too large for memory, whose classes
    alone ``graph`` holds (:class:`~coopdata.validate.shacl.terms.Typing`); the store,
    on disk, is filled from its lines."""
    if not selects:
        return []
    if source is not None:
        return _from_file(selects, graph, scratch, source)
    parts = list(_triples(selects, graph))

    def data() -> Iterator[bytes]:  # (made again should a result need it: never held)
        return (chunk for triples in parts for chunk in ntriples_chunks(triples))
    with _folder_for(sum(map(len, parts)), scratch) as folder:
        return _answers(selects, graph, load_chunks(data, folder), _originals(data))


def _from_file(selects: list[tuple[tuple[str, ...], SparqlConstraint]], graph: DataGraph,
               scratch: Path | None, source: Path) -> list[Result]:
    """:func:`run_selects` on the sorted N-Triples file ``source``: the queries whose
    focus nodes' solutions depend on their own triples alone (:attr:`Needs.local`) on a
    store in memory of a block of whole subjects at a time; the others on a store on
    disk of the lines they need."""
    local = [pair for pair in selects if (needs := _needs(pair[1].head + pair[1].tail))
             is not None and needs.local]
    others = [pair for pair in selects if pair not in local]
    results = []
    if local:
        subclasses = b"".join(b"%s %s %s .\n" % (sub.encode(), SUBCLASS.encode(), cls.encode())
                              for cls, subs in graph.subclasses.items() for sub in subs)
        for block in subject_blocks(source, SPARQL_BLOCK):
            lines = subclasses + b"".join(_needed(block, local, graph))
            results += _answers(local, graph, load_ntriples(lines),
                                _originals(partial(iter, (lines,))))
    if others:
        data = partial(_lines_needed, source, others, graph)
        with _folder_for(ON_DISK_FROM, scratch) as folder:
            results += _answers(others, graph, load_chunks(data, folder), _originals(data))
    return results


SPARQL_BLOCK = 1 << 25
"""Bytes of a sorted N-Triples file read at a time for the queries that need no more
than each focus node's own triples (32 MiB: a store in memory of about 40 MB)."""


def _lines_needed(source: Path, selects: list[tuple[tuple[str, ...], SparqlConstraint]],
                  graph: DataGraph) -> Iterator[bytes]:
    """The lines of the N-Triples file ``source`` that the queries need (as
    :func:`_triples` chooses them), a block at a time."""
    for block in blocks(source):
        yield from _needed(block, selects, graph)


def _needed(block: bytes, selects: list[tuple[tuple[str, ...], SparqlConstraint]],
            graph: DataGraph) -> Iterator[bytes]:
    """The lines of the N-Triples ``block`` (whole lines, each "s p o .\\n" as the
    release writes them) that the queries need, as :func:`_triples` chooses them."""
    needs = [_needs(select.head + select.tail) for _, select in selects]
    if any(n is None for n in needs):
        yield block
        return
    predicates = {p.encode() for p in {SUBCLASS}.union(
        *(n.predicates for n in needs if n is not None))}
    classes = {c.encode() for c in set().union(
        *(n.classes for n in needs if n is not None),
        *(graph.classes(c) for classes, _ in selects for c in classes))}
    typed = TYPE.encode() if TYPE.encode() not in predicates else b""
    yield b"".join(line for line in block.splitlines(keepends=True)
                   if (parts := line.split(b" ", 2))[1] in predicates
                   or parts[1] == typed and parts[2][:-3] in classes)


@contextmanager
def _folder_for(triples: int, scratch: Path | None = None) -> Iterator[Path | None]:
    """Where a store of so many triples is kept: in memory (None) below
    :data:`ON_DISK_FROM`, else in a temporary folder inside ``scratch`` (a release's
    staging folder, which a later release removes should this one be killed), or in the
    system's (``$TMPDIR``); removed with what is in it."""
    if triples < ON_DISK_FROM:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="coopdata-shacl-", dir=scratch) as folder:
        yield Path(folder)


ON_DISK_FROM = 4_000_000
"""From this many triples on (about 270,000 projects), the store SHACL-SPARQL queries is
kept on disk: in memory it grows by about 370 MB a million triples, where loading one on
disk takes about 1.3 GB at its peak however many they are (queries run slower on it)."""


def _answers(selects: list[tuple[tuple[str, ...], SparqlConstraint]], graph: DataGraph,
             store: ox.Store, original: Callable[[Term], Term]) -> list[Result]:
    results = []
    for classes, select in selects:
        solutions = _select(store, select.head + _target(classes, graph) + select.tail)
        names, seen = [v.value for v in solutions.variables], set()
        for row in solutions:  # as pyshacl: rows deduplicated, ?value the focus node of a
            bound = {n: original(_of_ox(row[n])) for n in names if row[n] is not None}
            key = tuple(bound.get(n) for n in names)  # node shape if unbound, {?var} filled
            if key in seen:
                continue
            seen.add(key)
            focus, value, path_term = (bound.pop(n, None) for n in ("this", "value", "path"))
            assert focus is not None
            value = value or (focus if select.path is None else None)
            bindings = [*bound.items(), ("this", focus), *[("path", path_term)] * bool(
                path_term), *[("value", value)] * bool(value)]
            message = min({_substitute(m, bindings) for m in select.messages}, default="")
            results.append(Result(focus[1] if focus[0] == "i" else term_text(focus),
                                  path_term[1] if path_term else select.path,
                                  SH + "SPARQLConstraintComponent", select.constraint or None,
                                  select.severity, term_text(value) if value else None, message))
    return results


def _originals(data: Callable[[], Iterable[bytes]]) -> Callable[[Term], Term]:
    """A literal of the store of the N-Triples ``data`` gives (in chunks of whole lines)
    as the data write it (the store normalises some: ``"2.50"^^xsd:decimal`` → ``2.5``,
    ``@EN`` → ``@en``), those found the first time a literal is asked for."""
    normalised = cache(partial(_normalised, data))
    return lambda term: normalised().get(term, term) if term[0] == "l" else term


_TYPED = re.compile(rb'"([^"\\\n]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#(\w+)>')
_UPPER_LANG = re.compile(rb'"@[A-Za-z0-9-]*[A-Z]')
_LANG = re.compile(rb'"((?:[^"\\\n]|\\.)*)"@([A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)')


def _normalised(data: Callable[[], Iterable[bytes]]) -> dict[Term, Term]:
    """The literals of the N-Triples ``data`` gives (in chunks of whole lines) that the
    store normalises: its form → theirs."""
    typed: set[tuple[bytes, bytes]] = set()
    tagged: set[tuple[bytes, bytes]] = set()
    for chunk in data():  # (each pattern matches within a line)
        typed.update(_TYPED.findall(chunk))
        if _UPPER_LANG.search(chunk):
            tagged.update(_LANG.findall(chunk))
    tokens = [(lexical, b"^^<%s%s>" % (XSD.encode(), datatype)) for lexical, datatype in typed
              if datatype != b"string"]  # (no valid typed literal has an escape)
    tokens += [(lexical, b"@" + lang) for lexical, lang in tagged]
    scratch = load_ntriples(b"".join(b'<urn:x:%d> <urn:x:p> "%s"%s .\n' % (n, lexical, suffix)
                                     for n, (lexical, suffix) in enumerate(tokens)))
    normalised = {}
    for quad in scratch:  # (the lexical form of a language-tagged literal is kept)
        lexical, suffix = (part.decode() for part in tokens[int(quad.subject.value[6:])])
        canonical, lang = _of_ox(quad.object), suffix[1:] if suffix[0] == "@" else ""
        written: Term = ("l", canonical[1] if lang else lexical, canonical[2],
                         lang or canonical[3])
        if written != canonical:
            normalised[canonical] = written
    return normalised


def _select(store: ox.Store, sparql: str) -> ox.QuerySolutions:
    solutions = store.query(sparql)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _of_ox(term: Any) -> Term:
    if isinstance(term, ox.Literal):
        return "l", term.value, term.datatype.value, term.language or ""
    return "b" if isinstance(term, ox.BlankNode) else "i", term.value, "", ""


def _substitute(message: str, bindings: list[tuple[str, Any]]) -> str:
    for name, term in bindings:  # pyshacl's substitution of {?var} and {$var}
        message = re.sub(f"{{[?$]{name}}}", term[1], message)
    return message


LOAD_BATCH = 1 << 25
"""Bytes of N-Triples loaded into SHACL-SPARQL's store by one call (32 MiB)."""


def load_chunks(data: Callable[[], Iterable[bytes]], folder: Path | None = None, *,
                batch: int = LOAD_BATCH) -> ox.Store:
    """:func:`load_ntriples` of the N-Triples ``data`` gives, in chunks of whole lines,
    loaded into the store about ``batch`` bytes at a time: the document is never held
    whole. The store is kept in ``folder`` (which it must be given empty), or in memory.

    Each batch is one call into pyoxigraph, which lets go of the interpreter lock until
    the batch is loaded: a store reading a stream of Python objects instead needs the
    lock back for every read, and a thread loading it beside busy Python code waits for
    the lock each time (at 100,000 projects, 429 s instead of 9 s)."""
    def new_store(name: str) -> ox.Store:
        return ox.Store(str(folder / name)) if folder is not None else ox.Store()

    store = new_store("store")
    for part in _batches(data(), batch):
        if b"_:" in part:  # bulk_load renames blank nodes: again, keeping the data's labels
            store = new_store("kept-labels")
            for again in _batches(data(), batch):
                store.bulk_extend(ox.parse(again, format=ox.RdfFormat.N_TRIPLES,
                                           lenient=True))
            return store
        store.bulk_load(part, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


def _batches(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The chunks joined into batches of at least ``size`` bytes (the last one less)."""
    held: list[bytes] = []
    length = 0
    for chunk in chunks:
        held.append(chunk)
        length += len(chunk)
        if length >= size:
            yield b"".join(held)
            held, length = [], 0
    if held:
        yield b"".join(held)


def load_ntriples(data: bytes) -> ox.Store:
    """A store of N-Triples ``data``, keeping the data's blank node labels."""
    store = ox.Store()
    if b"_:" in data:  # bulk_load renames blank nodes; parse keeps the data's labels
        store.bulk_extend(ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True))
    else:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store

"""Fast SHACL validation: the shapes compiled once into checks run on the data's N-Triples
terms, giving pyshacl's results (tests/equivalence/test_fastshacl.py proves the two equal
and lists the differences that remain).

:func:`compile_shapes` reads a shapes graph; :func:`shape_results` runs the compiled shapes on the
triples of a data graph (as :mod:`coopdata.rdf.triples` makes them, or an N-Triples document).
The core constraints are checked in Python, each on all the values of its path at once
(every distinct value tested once), by pyshacl's rules (rdflib's datatype conversions,
Python regular expressions): sh:targetClass (with subclasses); node shapes and their
property shapes with IRI paths; sh:minCount, sh:maxCount, sh:uniqueLang, sh:datatype,
sh:nodeKind, sh:class, sh:in, sh:languageIn, sh:pattern (+ sh:flags), sh:or / sh:and of
shapes made of those. SHACL-SPARQL constraints run on pyoxigraph, on a store of the triples
they can match (:mod:`coopdata.validate.shacl.sparql`). Anything else raises
:class:`UnsupportedShapes` when compiling, for the caller to use pyshacl. Severities,
messages and values are pyshacl's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopdata.collector import paused
from coopdata.rdf.ntfile import subject_blocks
from coopdata.rdf.triples import Term, Triple
from coopdata.validate.shacl.sparql import SparqlConstraint, compile_select, run_selects
from coopdata.validate.shacl.terms import (
    RDF,
    RDFS,
    SH,
    XSD,
    DataGraph,
    Result,
    Test,
    Typing,
    UnsupportedShapes,
    check_supported,
    iri_text,
    of_rdflib,
    read_ntriples,
    stringify,
    term_text,
)

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class _Constraint:
    """One constraint: its component (sh:…ConstraintComponent), its messages, and its test
    of the values (value-type constraints) or its count (sh:minCount, sh:maxCount)."""

    component: str
    messages: tuple[str, ...]
    test: Test | None = None
    count: int = 0


@dataclass(frozen=True)
class _Property:
    """The constraints of a shape on the values of its path (None: on the focus node)."""

    path: str | None
    severity: str
    constraints: tuple[_Constraint, ...]


@dataclass(frozen=True)
class _Shape:
    """A node shape: its target classes (N-Triples IRIs), its constraints by path (its own
    first, path None, then its property shapes'), the SHACL-SPARQL constraints of all."""

    classes: tuple[str, ...]
    properties: tuple[_Property, ...]
    selects: tuple[SparqlConstraint, ...]


@dataclass(frozen=True)
class CompiledShapes:
    """The checks of a shapes graph: compiled once, run on any data graph."""

    shapes: tuple[_Shape, ...]


_MAX_COUNT, _UNIQUE_LANG = (f"{SH}{name}ConstraintComponent" for name in ("MaxCount", "UniqueLang"))
_PARAMETERS = {"name", "description", "order", "group", "message", "severity", "deactivated",
               "targetClass", "path", "property", "sparql", "minCount", "maxCount", "uniqueLang"}
_VALUE = {"datatype", "nodeKind", "class", "in", "pattern", "flags", "languageIn", "or", "and"}
_KINDS = {"IRI": "i", "BlankNode": "b", "Literal": "l", "BlankNodeOrIRI": "bi",
          "BlankNodeOrLiteral": "bl", "IRIOrLiteral": "il"}
# lexical forms that rdflib converts, so that pyshacl accepts them (a test checks it)
_SAFE = {"decimal": r"^[+-]?[0-9]+(\.[0-9]+)?$", "integer": "^[+-]?[0-9]+$",
         "boolean": "^(true|false)$",
         "date": "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"}
_PYTHON: dict[str, type | tuple[type, ...]] = {
    "string": (str, bytes), "integer": int, "float": float, "decimal": Decimal, "boolean": bool,
    "date": date, "time": time, "dateTime": datetime}
_DEFAULTS = {"Datatype": "Value is not Literal with datatype {}",
             "NodeKind": "Value is not of Node Kind {}", "Class": "Value does not have class {}",
             "Pattern": "Value does not match pattern '{}'",
             "LanguageIn": "String language is not in {}",
             "UniqueLang": "More than one String shares the same Language",
             "MinCount": "Less than {} values on \x00f->\x00p",
             "MaxCount": "More than {} values on \x00f->\x00p", "In": "Value \x00v not in list {}",
             "Or": "Node \x00v must conform to one or more shapes in {}",
             "And": "Node \x00v must conform to all shapes in {}"}


def _datatype_ok(term: Term, rule: str) -> bool:
    """pyshacl's sh:datatype check, on the rdflib literal of ``term``."""
    from rdflib import Literal, URIRef  # rdflib: slow to import, only this path needs it

    kind, text, datatype, lang = term
    if kind != "l":
        return False
    node = Literal(text, lang=lang) if lang else Literal(text) if datatype == XSD + "string" \
        else Literal(text, datatype=URIRef(datatype))
    if str(node.datatype) == rule or (node.datatype is None and rule == (
            RDF + "langString" if lang else XSD + "string")):
        kinds = _PYTHON.get("string" if rule == RDF + "langString" else rule.removeprefix(XSD))
        return node.ill_typed is not True and (kinds is None or isinstance(node.value, kinds))
    return rule == RDFS + "Literal"


def _datatype(rule: str) -> Test:
    """sh:datatype: the datatype compared, then (where rdflib converts the lexical form and it
    is not one of :data:`_SAFE`) pyshacl's check."""
    from rdflib import Literal, URIRef  # rdflib: slow to import, only this path needs it

    if rule == RDFS + "Datatype":
        raise UnsupportedShapes("sh:datatype rdfs:Datatype")
    local = rule.removeprefix(XSD)
    exact = rule == XSD + "string" or (
        local not in _PYTHON and Literal("\x00?", datatype=URIRef(rule)).ill_typed is None)
    safe = re.compile(_SAFE[local]) if rule.startswith(XSD) and local in _SAFE else None

    def ok(term: Term) -> bool:  # (a literal of another datatype never passes)
        if rule == RDFS + "Literal":
            return term[0] == "l"
        return term[0] == "l" and term[2] == rule and (exact or (
            safe is not None and safe.fullmatch(term[1]) is not None) or _datatype_ok(term, rule))
    return _each_lang(bool) if rule == RDF + "langString" else _each(ok)


def _each(ok: Callable[[Term], bool]) -> Test:
    """The test of each value's term by ``ok``."""
    def test(values: set[str], data: DataGraph) -> set[str]:
        terms = data.terms
        return {value for value in values if not ok(terms[value])}
    return test


def _each_lang(ok: Callable[[str], bool]) -> Test:
    """The test of each value's language tag (in lower case, "" if none) by ``ok``: each
    distinct tag tested once (values are many, their tags few)."""
    def test(values: set[str], data: DataGraph) -> set[str]:
        langs = data.langs
        wrong = {lang for lang in {langs[value] for value in values} if not ok(lang)}
        return {value for value in values if langs[value] in wrong} if wrong else set()
    return test


def _node_kind(kinds: str) -> Test:
    return _each(lambda term: term[0] in kinds)


def _instance_of(cls: str) -> Test:
    return lambda values, data: values - data.instances(cls)


def _member_of(allowed: frozenset[str]) -> Test:  # rdflib's term equality
    return lambda values, data: {value for value in values - allowed
                                 if term_text(data.terms[value]) not in allowed}


def _pattern(pattern: str, flags: str) -> Test:
    regex = re.compile(pattern, (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))
    return _each(lambda term: term[0] != "b" and regex.search(term[1]) is not None)


def _language_in(langs: list[str]) -> Test:
    def ok(lang: str) -> bool:
        return bool(lang) and ("*" in langs or lang in langs or lang.split("-")[0] in langs)
    return _each_lang(ok)


def _combine(kind: str, tests: list[Test]) -> Test:
    def test(values: set[str], data: DataGraph) -> set[str]:
        failing = set(values) if kind == "or" else set()
        for member in tests:  # sh:or: those failing every member; sh:and: any member
            if kind == "or":
                failing = member(failing, data)
            else:
                failing |= member(values - failing, data)
        return failing
    return test


def _value_checks(g: Graph, shape: Any) -> list[tuple[str, Test]]:
    """(component, test) for each value-type parameter of a shape."""
    from rdflib import URIRef  # rdflib: slow to import, only this path needs it

    flags = str(g.value(shape, URIRef(SH + "flags")) or "").lower()
    checks = []
    for param, value in sorted(((str(p).removeprefix(SH), o) for p, o in g.predicate_objects(
            shape) if str(p).removeprefix(SH) in _VALUE - {"flags"}), key=str):
        if param == "datatype":
            test = _datatype(str(value))
        elif param == "nodeKind":
            if (kinds := _KINDS.get(str(value).removeprefix(SH))) is None:
                raise UnsupportedShapes(f"sh:nodeKind {value}")
            test = _node_kind(kinds)
        elif param == "class":
            test = _instance_of(f"<{iri_text(value)}>")
        elif param == "in":
            test = _member_of(frozenset(term_text(of_rdflib(m)) for m in g.items(value)))
        elif param == "pattern":
            test = _pattern(str(value), flags)
        elif param == "languageIn":
            test = _language_in([str(lang).lower() for lang in g.items(value)])
        else:
            test = _combine(param, [_member(g, m) for m in g.items(value)])
        checks.append((param[0].upper() + param[1:], test))
    return checks


def _member(g: Graph, shape: Any) -> Test:
    check_supported(g, shape, _VALUE | {"name", "description", "message", "severity"})
    return _combine("and", [test for _, test in _value_checks(g, shape)])


def _default(g: Graph, shape: Any, component: str) -> str:
    """pyshacl's generic message (NUL f, NUL v: the focus node and the value, filled in by
    :func:`shape_results`)."""
    # pyshacl: the reference engine, loaded only when it runs
    from pyshacl.rdfutil.stringify import stringify_node
    from rdflib import Literal, URIRef  # rdflib: slow to import, only this path needs it

    name = component[0].lower() + component[1:]
    node, path = (g.value(shape, URIRef(SH + n)) for n in (name, "path"))
    text = str(node) if isinstance(node, Literal) else str([stringify_node(
        g, m) for m in g.items(node)]) if name == "in" else " , ".join(stringify_node(
            g, m) for m in g.items(node)) if name in ("or", "and") else stringify_node(g, node)
    return _DEFAULTS[component].format(text).replace(
        "\x00p", stringify_node(g, path) if path else "")


def _shape(g: Graph, shape: Any, nested: bool) -> tuple[list[_Property], list[SparqlConstraint]]:
    """The constraints of a shape (then of its property shapes), and its SPARQL ones."""
    from rdflib import Literal, URIRef  # rdflib: slow to import, only this path needs it


    def one(name: str) -> Any:
        return g.value(shape, URIRef(SH + name))

    def constraint(component: str, **kwargs: Any) -> _Constraint:
        return _Constraint(f"{SH}{component}ConstraintComponent",
                           messages or (_default(g, shape, component),), **kwargs)
    check_supported(g, shape, _PARAMETERS | _VALUE)
    path = one("path")
    if path is not None and not isinstance(path, URIRef):
        raise UnsupportedShapes(f"{shape}: sh:path is not an IRI")
    if nested and path is None or path is not None and one("property") is not None or \
            path is None and {one("minCount"), one("maxCount"), one("uniqueLang")} - {None}:
        raise UnsupportedShapes(f"{shape}: nested shapes, or counts without sh:path")
    messages = tuple(sorted(str(m) for m in g.objects(shape, URIRef(SH + "message"))))
    severity, path = str(one("severity") or SH + "Violation"), None if path is None else str(path)
    constraints = [constraint(component, test=test) for component, test in _value_checks(g, shape)]
    low, high = (-1 if n is None else int(n) for n in (one("minCount"), one("maxCount")))
    if low > 0:
        constraints.append(constraint("MinCount", count=low))
    if high >= 0:
        constraints.append(constraint("MaxCount", count=high))
    if one("uniqueLang") == Literal(True):
        constraints.append(constraint("UniqueLang"))
    properties = [_Property(path, severity, tuple(constraints))]
    selects = [compile_select(g, shape, c, path=path, severity=severity, messages=messages)
               for c in g.objects(shape, URIRef(SH + "sparql"))
               if g.value(c, URIRef(SH + "deactivated")) != Literal(True)]
    for prop in [] if nested else g.objects(shape, URIRef(SH + "property")):
        if g.value(prop, URIRef(SH + "deactivated")) != Literal(True):
            more, more_selects = _shape(g, prop, True)
            properties += more
            selects += more_selects
    return properties, selects


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """The checks of every shape with a target class, and of its property shapes."""
    from rdflib import Literal, URIRef  # rdflib: slow to import, only this path needs it

    compiled = []
    for shape in sorted(set(shapes.subjects(URIRef(SH + "targetClass"), None)), key=str):
        if shapes.value(shape, URIRef(SH + "deactivated")) != Literal(True):
            classes = sorted(f"<{iri_text(c)}>" for c in shapes.objects(
                shape, URIRef(SH + "targetClass")))
            properties, selects = _shape(shapes, shape, False)
            compiled.append(_Shape(tuple(classes), tuple(properties), tuple(selects)))
    return CompiledShapes(tuple(compiled))


def shape_results(data: Iterable[Triple] | str | bytes | Path,
                  compiled: CompiledShapes) -> list[Result]:
    """The results of the compiled shapes on a data graph (in a stable order): ``data`` holds
    its triples, each once, as N-Triples terms (see :class:`Triple`), or is an N-Triples
    document (one triple a line), or the path of a sorted N-Triples file
    (:mod:`coopdata.rdf.ntfile`: a graph too large for memory, read a block at a time)."""
    return begin(data, compiled)()


def begin(data: Iterable[Triple] | str | bytes | Path, compiled: CompiledShapes,
          scratch: Path | None = None) -> Callable[[], list[Result]]:
    """:func:`shape_results`, started: the SHACL-SPARQL constraints run at once in a thread (on
    pyoxigraph, which lets go of the interpreter while it loads and queries), so that the
    caller can do other work beside them; the function returned checks the core
    constraints and gives every result, as :func:`shape_results` would. ``scratch``: the
    folder that a SHACL-SPARQL store too large for memory goes to
    (:func:`~coopdata.validate.shacl.sparql.run_selects`)."""

    if isinstance(data, Path):
        return _begin_sorted(data, compiled, scratch)
    with paused():
        graph = DataGraph(read_ntriples(data) if isinstance(data, (str, bytes)) else data)
    targeted = [(shape, focus) for shape in compiled.shapes
                if (focus := frozenset[str]().union(*map(graph.instances, shape.classes)))]
    selects = [(shape.classes, select) for shape, _ in targeted for select in shape.selects]
    beside = ThreadPoolExecutor(max_workers=1)
    sparql = beside.submit(run_selects, selects, graph, scratch)
    beside.shutdown(wait=False)  # (its thread ends when the queries are answered)

    def finish() -> list[Result]:
        with paused():  # the core constraints, in this thread (whose caches they use)
            results = [result for shape, focus in targeted for prop in shape.properties
                       if prop.constraints for result in _check(prop, focus, graph)]
            return sorted(results + sparql.result(), key=repr)

    return finish


def _begin_sorted(path: Path, compiled: CompiledShapes,
                  scratch: Path | None) -> Callable[[], list[Result]]:
    """:func:`begin` on a sorted N-Triples file (:mod:`coopdata.rdf.ntfile`), never read
    whole: its classes first (:class:`Typing`), then the SHACL-SPARQL constraints on a
    store filled from its lines, in a thread, and the core constraints on a block of
    whole subjects at a time (each focus node's values are its own triples; only
    sh:class looks further, at the classes of the whole file)."""
    with paused():
        typing = Typing(path)
    targeted = [shape for shape in compiled.shapes
                if any(typing.instances(cls) for cls in shape.classes)]
    selects = [(shape.classes, select) for shape in targeted for select in shape.selects]
    beside = ThreadPoolExecutor(max_workers=1)
    sparql = beside.submit(run_selects, selects, DataGraph((), typing), scratch, path)
    beside.shutdown(wait=False)

    def finish() -> list[Result]:
        results: list[Result] = []
        with paused():
            for block in subject_blocks(path):
                graph = DataGraph(read_ntriples(block), typing)
                del block
                for shape in targeted:
                    focus = frozenset[str]().union(*map(graph.typed_here, shape.classes))
                    if focus:
                        results += [result for prop in shape.properties if prop.constraints
                                    for result in _check(prop, focus, graph)]
            return sorted(results + sparql.result(), key=repr)

    return finish


def _check(prop: _Property, focus: frozenset[str], graph: DataGraph) -> Iterator[Result]:
    """The results of a shape's constraints on the values of its path on the focus nodes."""
    triples = [(node, "", node) for node in focus] if prop.path is None else \
        graph.triples_of(prop.path, focus)  # (a node shape's value is its focus node)
    values = set(map(itemgetter(2), triples)) if any(
        c.test is not None for c in prop.constraints) else set()
    nodes: set[str] | None = None  # the focus nodes with a value
    counts: Counter[str] | None = None  # the number of values of each (a triple each)
    for constraint in prop.constraints:
        rows: Iterable[tuple[str, str | None]]
        if constraint.test is not None:
            failing = constraint.test(values, graph)
            rows = [(s, o) for s, _, o in triples if o in failing] if failing else []
        elif constraint.component == _UNIQUE_LANG:  # a result per language given twice
            langs = graph.langs  # (in lower case)
            keys = [(s, lang) for s, _, o in triples if (lang := langs[o])]
            rows = [] if len(set(keys)) == len(keys) else \
                [(node, None) for (node, _), n in Counter(keys).items() if n > 1]
        else:
            maximum, limit = constraint.component == _MAX_COUNT, constraint.count
            nodes = set(map(itemgetter(0), triples)) if nodes is None else nodes
            if not maximum and limit == 1:
                rows = [(node, None) for node in focus - nodes]
            elif maximum and limit >= 1 and len(nodes) == len(triples):
                rows = []  # (one value each)
            else:
                counts = Counter(map(itemgetter(0), triples)) if counts is None else counts
                rows = [(node, None) for node, n in counts.items() if n > limit] if maximum \
                    else [(node, None) for node in focus if counts.get(node, 0) < limit]
        for node, value in rows:
            yield _result(graph, node, prop, constraint, value)


def _result(graph: DataGraph, node: str, prop: _Property, constraint: _Constraint,
            value: str | None) -> Result:
    focus, term = graph.terms[node], None if value is None else graph.terms[value]
    message = min(constraint.messages)
    if "\x00" in message:  # a generic message naming data nodes
        message = message.replace("\x00f", stringify(focus)).replace(
            "\x00v", stringify(term) if term else "")
    return Result(focus[1] if focus[0] == "i" else term_text(focus), prop.path,
                  constraint.component,
                  None, prop.severity, None if term is None else term_text(term), message)


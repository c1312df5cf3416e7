"""Fast SHACL validation: the shapes compiled once to SPARQL, run on pyoxigraph.

:func:`compile_shapes` turns each constraint into one SPARQL SELECT that returns every
violating focus node (and value) at once; :func:`validate_store` runs them and gives
pyshacl's results, as :func:`results_of_pyshacl` reads them from a pyshacl report
(tests/test_fastshacl.py proves the two equal and lists the differences that remain).

Supported: sh:targetClass (with subclasses); node shapes and their property shapes with IRI
paths; sh:minCount, sh:maxCount, sh:uniqueLang, sh:datatype, sh:nodeKind, sh:class, sh:in,
sh:languageIn, sh:pattern (+ sh:flags), sh:or / sh:and of shapes made of those; SHACL-SPARQL
constraints (sh:select with $this, $PATH, $currentShape; sh:prefixes / sh:declare). Anything
else raises :class:`UnsupportedShapes` when compiling, for the caller to use pyshacl.
Where pyshacl checks values in Python (rdflib's datatype conversions, Python regular
expressions), SPARQL keeps the values a condition does not prove conforming, and Python
checks those few as pyshacl does. Severities, messages and values are pyshacl's too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from rdflib import Graph

SH, XSD = "http://www.w3.org/ns/shacl#", "http://www.w3.org/2001/XMLSchema#"
RDF, RDFS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#"
TYPE, SUBCLASS = f"<{RDF}type>", f"<{RDFS}subClassOf>"
LEXICAL = "urn:coopdata:fastshacl:lexical"
"""Named graph where :func:`load_ntriples` keeps the lexical forms the store normalises."""

Term = tuple[str, str, str, str]
"""Kind (``i`` IRI, ``b`` blank node, ``l`` literal), IRI / id / lexical form, datatype, lang."""


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


@dataclass(frozen=True)
class _Check:
    """A SPARQL condition on ?value that implies conformance (the check itself if ``exact``),
    the check in Python (None: SPARQL only), the class of sh:class (checked with MINUS)."""

    sure: str
    exact: bool
    test: Callable[[Term], bool] | None
    cls: str | None = None


@dataclass(frozen=True)
class _Query:
    sparql: str
    component: str
    severity: str
    path: str | None
    messages: tuple[str, ...]
    node_shape: bool
    test: Callable[[Term], bool] | None = None  # True: the value conforms after all
    constraint: str | None = None  # SHACL-SPARQL: the constraint's IRI ("" if blank)
    extra: tuple[str, ...] = ()  # its messages


@dataclass(frozen=True)
class CompiledShapes:
    """The queries of a shapes graph (compile once, run on any store), and the classes
    they name (their instances are found faster where the data has no subclasses)."""

    queries: tuple[_Query, ...]
    classes: tuple[str, ...]


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_PARAMETERS = {"name", "description", "order", "group", "message", "severity", "deactivated",
               "targetClass", "path", "property", "sparql", "minCount", "maxCount", "uniqueLang"}
_VALUE = {"datatype", "nodeKind", "class", "in", "pattern", "flags", "languageIn", "or", "and"}
_KINDS = {"IRI": ("isIRI(?value)", "i"), "BlankNode": ("isBlank(?value)", "b"),
          "Literal": ("isLiteral(?value)", "l"), "BlankNodeOrIRI": ("!isLiteral(?value)", "bi"),
          "BlankNodeOrLiteral": ("!isIRI(?value)", "bl"),
          "IRIOrLiteral": ("!isBlank(?value)", "il")}
# lexical forms that rdflib converts, so that pyshacl accepts them (a test checks it)
_SAFE = {"decimal": r"^[+-]?[0-9]+(\\.[0-9]+)?$", "integer": "^[+-]?[0-9]+$",
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


def _nt(term: Term) -> str:
    kind, text, datatype, lang = term
    if kind != "l":
        return f"<{text}>" if kind == "i" else f"_:{text}"
    body = f'"{text.translate(_ESCAPES)}"'
    return f"{body}@{lang}" if lang else body if datatype == XSD + "string" else \
        f"{body}^^<{datatype}>"


def _of_rdflib(node: Any) -> Term:
    from rdflib import BNode, Literal

    if isinstance(node, Literal):
        lang = node.language or ""
        datatype = node.datatype or (RDF + "langString" if lang else XSD + "string")
        return "l", str(node), str(datatype), lang
    return "b" if isinstance(node, BNode) else "i", str(node), "", ""


def _of_ox(term: Any, originals: dict[Term, Term]) -> Term:
    if isinstance(term, ox.Literal):
        found: Term = ("l", term.value, term.datatype.value, term.language or "")
        return originals.get(found, found)
    return "b" if isinstance(term, ox.BlankNode) else "i", term.value, "", ""


def _sparql(node: Any) -> str:
    from rdflib import BNode

    if isinstance(node, BNode):
        raise UnsupportedShapes(f"a blank node ({node}) as a parameter")
    return str(node.n3())


def _datatype_ok(term: Term, rule: str) -> bool:
    """pyshacl's sh:datatype check, on the rdflib literal of ``term``."""
    from rdflib import Literal, URIRef

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


def _datatype(rule: str) -> _Check:
    from rdflib import Literal, URIRef

    def test(term: Term) -> bool:
        return _datatype_ok(term, rule)
    if rule in (RDFS + "Literal", RDF + "langString"):
        return _Check("isLiteral(?value)" if rule.startswith(RDFS) else
                      'COALESCE(LANG(?value) != "", false)', True, test)
    if rule == RDFS + "Datatype":
        raise UnsupportedShapes("sh:datatype rdfs:Datatype")
    same, local = f"COALESCE(DATATYPE(?value) = <{rule}>, false)", rule.removeprefix(XSD)
    if rule == XSD + "string" or (local not in _PYTHON and Literal(
            "\x00?", datatype=URIRef(rule)).ill_typed is None):  # rdflib does not convert it
        return _Check(same, True, test)
    safe = _SAFE.get(local) if rule.startswith(XSD) else None
    return _Check(f'{same} && REGEX(STR(?value), "{safe}")' if safe else "false", False, test)


def _pattern(pattern: str, flags: str) -> _Check:
    regex = re.compile(pattern, (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))
    portable = pattern.isascii() and "(?" not in pattern and "[:" not in pattern and \
        not re.search(r"\\[^.\-/?+*()\[\]{}|^$\\]", pattern)  # a match in SPARQL is one in Python
    text = '"' + pattern.translate(_ESCAPES) + '"'
    sure = (f"COALESCE((isIRI(?value) || DATATYPE(?value) IN (<{XSD}string>, <{RDF}langString>))"
            f" && REGEX(STR(?value), {text}, \"{''.join(f for f in 'im' if f in flags)}\"), false)")
    return _Check(sure if portable else "false", False,
                  lambda t: t[0] != "b" and regex.search(t[1]) is not None)


def _language_in(langs: list[str]) -> _Check:
    def test(term: Term) -> bool:
        lang = term[3].lower()
        return bool(lang) and ("*" in langs or lang in langs or lang.split("-")[0] in langs)
    listed = ", ".join('"' + lang.translate(_ESCAPES) + '"' for lang in langs)
    sure = 'LANG(?value) != ""' if "*" in langs else (
        f'LANG(?value) != "" && (LCASE(LANG(?value)) IN ({listed}) || '
        f'LCASE(STRBEFORE(CONCAT(LANG(?value), "-"), "-")) IN ({listed}))')
    return _Check(f"COALESCE({sure}, false)", True, test)


def _combine(kind: str, checks: list[_Check]) -> _Check:
    tests, exact = [c.test for c in checks], all(c.exact for c in checks)

    def test(term: Term) -> bool:
        return (all if kind == "and" else any)(f(term) for f in tests if f is not None)
    sure = f" {'&&' if kind == 'and' else '||'} ".join(f"({c.sure})" for c in checks)
    return _Check(sure or str(kind == "and").lower(), exact, None if None in tests else test)


def _is_in(allowed: str | set[str], key: Callable[[Term], str]) -> Callable[[Term], bool]:
    return lambda term: key(term) in allowed


def _supported(g: Graph, shape: Any, allowed: set[str]) -> None:
    unknown = {str(p) for p in g.predicates(shape) if str(p).startswith(SH)} - \
        {SH + name for name in allowed}
    if unknown:
        raise UnsupportedShapes(f"{shape}: {', '.join(sorted(unknown))}")


def _value_checks(g: Graph, shape: Any) -> list[tuple[str, _Check]]:
    """(component, check) for each value-type parameter of a shape."""
    from rdflib import URIRef

    flags = str(g.value(shape, URIRef(SH + "flags")) or "").lower()
    checks = []
    for param, value in sorted(((str(p).removeprefix(SH), o) for p, o in g.predicate_objects(
            shape) if str(p).removeprefix(SH) in _VALUE - {"flags"}), key=str):
        if param == "datatype":
            check = _datatype(str(value))
        elif param == "nodeKind":
            if (kind := _KINDS.get(str(value).removeprefix(SH))) is None:
                raise UnsupportedShapes(f"sh:nodeKind {value}")
            check = _Check(kind[0], True, _is_in(kind[1], lambda t: t[0]))
        elif param == "class":
            cls = _sparql(value)
            check = _Check(f"EXISTS {{ ?value {TYPE}/{SUBCLASS}* {cls} }}", True, None, cls)
        elif param == "in":  # IRIs in SPARQL, else rdflib's term equality in Python
            members = list(g.items(value))
            iris = all(isinstance(m, URIRef) for m in members)
            check = _Check(f"?value IN ({', '.join(_sparql(m) for m in members)})" if iris
                           else "false", iris, _is_in({_nt(_of_rdflib(m)) for m in members}, _nt))
        elif param == "pattern":
            check = _pattern(str(value), flags)
        elif param == "languageIn":
            check = _language_in([str(lang).lower() for lang in g.items(value)])
        else:
            check = _combine(param, [_member(g, m) for m in g.items(value)])
        checks.append((param[0].upper() + param[1:], check))
    return checks


def _member(g: Graph, shape: Any) -> _Check:
    _supported(g, shape, _VALUE | {"name", "description", "message", "severity"})
    return _combine("and", [check for _, check in _value_checks(g, shape)])


def _instances(cls: str) -> str:
    """A subquery giving the instances of ``cls`` (and of its subclasses) as ?this, once."""
    return f"{{ SELECT DISTINCT ?this WHERE {{ ?class {SUBCLASS}* {cls} . ?this {TYPE} ?class }} }}"


def _prefixes(g: Graph, constraint: Any) -> str:
    """PREFIX lines of a SPARQL constraint, collected as pyshacl does."""
    from rdflib import OWL, URIRef
    from rdflib import RDF as RDFNS

    def declared(holder: Any) -> set[Any]:
        return set(g.objects(holder, URIRef(SH + "declare")))
    ontologies, declares = set(g.subjects(RDFNS.type, OWL.Ontology)), set()
    for holder in g.objects(constraint, URIRef(SH + "prefixes")):
        own = declared(holder)
        declares |= own if own and holder in ontologies else own.union(
            *map(declared, ontologies))
    return "".join(f"PREFIX {g.value(d, URIRef(SH + 'prefix'))}: "
                   f"<{g.value(d, URIRef(SH + 'namespace'))}>\n" for d in sorted(declares))


def _default(g: Graph, shape: Any, component: str) -> str:
    """pyshacl's generic message (NUL f, NUL v: the focus node and the value, filled in by
    :func:`validate_store`)."""
    from pyshacl.rdfutil.stringify import stringify_node
    from rdflib import Literal, URIRef

    name = component[0].lower() + component[1:]
    node, path = (g.value(shape, URIRef(SH + n)) for n in (name, "path"))
    text = str(node) if isinstance(node, Literal) else str([stringify_node(
        g, m) for m in g.items(node)]) if name == "in" else " , ".join(stringify_node(
            g, m) for m in g.items(node)) if name in ("or", "and") else stringify_node(g, node)
    return _DEFAULTS[component].format(text).replace(
        "\x00p", stringify_node(g, path) if path else "")


def _shape(g: Graph, shape: Any, target: str, nested: bool) -> list[_Query]:
    """The queries of a shape, on the focus nodes of ``target``."""
    from rdflib import Literal, URIRef

    def one(name: str) -> Any:
        return g.value(shape, URIRef(SH + name))

    def query(sparql: str, component: str, **kwargs: Any) -> _Query:
        return _Query(sparql, f"{SH}{component}ConstraintComponent", **{
            "messages": messages or (_default(g, shape, component),), **base, **kwargs})
    _supported(g, shape, _PARAMETERS | _VALUE)
    path = one("path")
    if path is not None and not isinstance(path, URIRef):
        raise UnsupportedShapes(f"{shape}: sh:path is not an IRI")
    if nested and path is None or path is not None and one("property") is not None or \
            path is None and {one("minCount"), one("maxCount"), one("uniqueLang")} - {None}:
        raise UnsupportedShapes(f"{shape}: nested shapes, or counts without sh:path")
    messages = tuple(sorted(str(m) for m in g.objects(shape, URIRef(SH + "message"))))
    base: dict[str, Any] = {"severity": str(one("severity") or SH + "Violation"),
                            "node_shape": path is None, "path": None if path is None else str(path)}
    values = f"?this <{path}> ?value ." if path is not None else "BIND (?this AS ?value)"

    def on_targets(select: str, where: str, tail: str = "") -> str:
        """Rows of the values, on the focus nodes (for a path: found first, then joined)."""
        return f"SELECT {select} WHERE {{ {target} {values} {where} }} {tail}" if path is None \
            else f"SELECT {select} WHERE {{ {{ SELECT {select} WHERE {{ {values} {where} }} " \
            f"{tail} }} {target} }}"
    queries = []
    for component, check in _value_checks(g, shape):
        if not check.exact and check.test is None:
            raise UnsupportedShapes(f"{shape}: sh:class where Python must check values")
        queries.append(query(on_targets("?this ?value", f"MINUS {{ ?value {TYPE}/{SUBCLASS}* "
                                        f"{check.cls} }}" if check.cls else
                                        f"FILTER (!({check.sure}))"),
                             component, test=None if check.exact else check.test))
    low, high = (-1 if n is None else int(n) for n in (one("minCount"), one("maxCount")))
    if low == 1:
        queries.append(query(f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ {values} }} }}",
                             "MinCount"))
    elif low > 1:
        queries.append(query(f"SELECT ?this WHERE {{ {target} OPTIONAL {{ {values} }} }} GROUP BY "
                             f"?this HAVING (COUNT(DISTINCT ?value) < {low})", "MinCount"))
    if high >= 0:
        queries.append(query(on_targets("?this", "", f"GROUP BY ?this HAVING (COUNT(DISTINCT "
                                        f"?value) > {high})"), "MaxCount"))
    if one("uniqueLang") == Literal(True):
        queries.append(query(
            f"SELECT ?this WHERE {{ {target} {values} FILTER (COALESCE(LANG(?value) != \"\", "
            "false)) BIND (LCASE(LANG(?value)) AS ?lang) } GROUP BY ?this ?lang "
            "HAVING (COUNT(DISTINCT ?value) > 1)", "UniqueLang"))
    for constraint in g.objects(shape, URIRef(SH + "sparql")):
        if g.value(constraint, URIRef(SH + "deactivated")) != Literal(True):
            queries.append(_select(g, shape, constraint, target, {**base, "messages": messages}))
    for prop in [] if nested else g.objects(shape, URIRef(SH + "property")):
        if g.value(prop, URIRef(SH + "deactivated")) != Literal(True):
            queries += _shape(g, prop, target, True)
    return queries


def _select(g: Graph, shape: Any, constraint: Any, target: str, base: dict[str, Any]) -> _Query:
    """A SHACL-SPARQL constraint: its SELECT, its WHERE joined with the focus nodes."""
    from rdflib import URIRef

    _supported(g, constraint, {"select", "message", "prefixes", "severity", "deactivated"})
    text = str(g.value(constraint, URIRef(SH + "select")))
    if re.search(r"\$shapesGraph\b|[?$]failure\b|\bGROUP\s+BY\b|\bMINUS\b", text, re.I) or (
            base["path"] is None and "$PATH" in text):
        raise UnsupportedShapes(f"{constraint}: $shapesGraph, ?failure, GROUP BY or MINUS")
    text = re.sub(r"\$this\b", "?this", re.sub(r"\$currentShape\b", _sparql(shape), text))
    text = re.sub(r"\$PATH\b", f"<{base['path']}>", text)
    if (start := re.search(r"(?is)\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?", text)) is None:
        raise UnsupportedShapes(f"{constraint}: no SELECT")
    brace = text.index("{", start.end())
    if not re.search(r"\?this\b|^\s*\*", text[start.end():brace]):
        raise UnsupportedShapes(f"{constraint}: $this not selected")
    return _Query(_prefixes(g, constraint) + text[:brace + 1] + target + text[brace + 1:],
                  SH + "SPARQLConstraintComponent",
                  constraint=str(constraint) if isinstance(constraint, URIRef) else "",
                  extra=tuple(sorted(map(str, g.objects(constraint, URIRef(SH + "message"))))),
                  **base)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """The queries of every shape with a target class, and of its property shapes."""
    from rdflib import Literal, URIRef

    queries = []
    for shape in sorted(set(shapes.subjects(URIRef(SH + "targetClass"), None)), key=str):
        if shapes.value(shape, URIRef(SH + "deactivated")) != Literal(True):
            classes = sorted(map(_sparql, shapes.objects(shape, URIRef(SH + "targetClass"))))
            target = " UNION ".join(_instances(c) for c in classes)
            queries += _shape(shapes, shape, target if len(classes) == 1 else
                              f"{{ SELECT DISTINCT ?this WHERE {{ {target} }} }}", False)
    named = {c for q in queries for c in re.findall(r"\* (<[^>]*>)", q.sparql)}
    return CompiledShapes(tuple(queries), tuple(sorted(named)))


def validate_store(store: ox.Store, compiled: CompiledShapes) -> list[Result]:
    """The results of the compiled shapes on the default graph of ``store``."""
    def select(sparql: str) -> ox.QuerySolutions:
        solutions = store.query(sparql)
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions
    originals: dict[Term, Term] = {}
    for row in select(f"SELECT * {{ GRAPH <{LEXICAL}> {{ ?n <{LEXICAL}#canonical> ?c ; <{LEXICAL}"
                      f"#lexical> ?lexical OPTIONAL {{ ?n <{LEXICAL}#lang> ?lang }} }} }}"):
        canonical = _of_ox(row["c"], {})
        originals[canonical] = ("l", row["lexical"].value, canonical[2],
                                row["lang"].value if row["lang"] else canonical[3])
    extended = {f"<{row['c'].value}>" for row in select(  # classes with subclasses in the data
        f"SELECT DISTINCT ?c {{ VALUES ?c {{ {' '.join(compiled.classes)} }} [] {SUBCLASS}+ ?c }}")}
    results = []
    for query in compiled.queries:
        sparql = query.sparql
        for cls in set(compiled.classes) - extended:  # the faster form of the same pattern
            sparql = sparql.replace(_instances(cls), f"?this {TYPE} {cls} .").replace(
                f"{TYPE}/{SUBCLASS}* {cls}", f"{TYPE} {cls}")
        solutions = select(sparql)
        names, seen = [v.value for v in solutions.variables], set()
        for row in solutions:
            bound = {n: _of_ox(row[n], originals) for n in names if row[n] is not None}
            key = tuple(bound.get(n) for n in names)
            focus, value = bound.pop("this"), bound.pop("value", None)
            if query.test is not None and value is not None and query.test(value):
                continue
            messages, path = set(query.messages), query.path
            if query.constraint is not None:  # as pyshacl: rows deduplicated, ?value the focus
                if key in seen:  # node of a node shape if unbound, {?var} substituted
                    continue
                seen.add(key)
                path_term = bound.pop("path", None)
                value = value or (focus if query.node_shape else None)
                path = path_term[1] if path_term else path
                bindings = [*bound.items(), ("this", focus), *[("path", path_term)] * bool(
                    path_term), *[("value", value)] * bool(value)]
                messages = {_substitute(m, bindings) for m in messages | set(query.extra)}
            message = min(messages, default="")
            if "\x00" in message:  # a generic message naming data nodes
                message = message.replace("\x00f", _stringify(focus)).replace(
                    "\x00v", _stringify(value) if value else "")
            results.append(Result(focus[1] if focus[0] == "i" else _nt(focus), path,
                                  query.component, query.constraint or None, query.severity,
                                  _nt(value) if value else None, message))
    return results


def _stringify(term: Term) -> str:
    """A data node as pyshacl writes it in a message (with rdflib's default prefixes)."""
    from pyshacl.rdfutil.stringify import stringify_node
    from rdflib import BNode, Graph, Literal, URIRef

    kind, text, datatype, lang = term
    return str(stringify_node(Graph(), URIRef(text) if kind == "i" else BNode(text) if kind == "b"
                              else Literal(text, lang=lang or None, datatype=None if lang or
                                           datatype == XSD + "string" else URIRef(datatype))))


def _substitute(message: str, bindings: list[tuple[str, Any]]) -> str:
    for name, term in bindings:  # pyshacl's substitution of {?var} and {$var}
        message = re.sub(f"{{[?$]{name}}}", term[1], message)
    return message


def load_ntriples(data: bytes) -> ox.Store:
    """A store of N-Triples ``data``. The lexical forms the store normalises
    (``"2.50"^^xsd:decimal`` → ``2.5``, ``@EN`` → ``@en``) are kept in graph LEXICAL, for
    :func:`validate_store` to give values as they are in the data."""
    store = ox.Store()
    if b"_:" in data:  # bulk_load renames blank nodes; parse keeps the data's labels
        store.bulk_extend(ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True))
    else:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    tokens = [(lexical, b"^^<%s%s>" % (XSD.encode(), datatype)) for lexical, datatype in set(
        re.findall(rb'"([^"\\\n]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#(\w+)>', data))
        if datatype != b"string"]  # (no valid typed literal has an escape)
    if re.search(rb'"@[A-Za-z0-9-]*[A-Z]', data):
        tokens += [(lexical, b"@" + lang) for lexical, lang in set(re.findall(
            rb'"((?:[^"\\\n]|\\.)*)"@([A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)', data))]
    scratch = ox.Store()  # the same literals, as the store writes them
    scratch.bulk_load(b"".join(b'<urn:x:%d> <urn:x:p> "%s"%s .\n' % (n, lexical, suffix)
                               for n, (lexical, suffix) in enumerate(tokens)),
                      format=ox.RdfFormat.N_TRIPLES, lenient=True)
    graph, quads = ox.NamedNode(LEXICAL), []
    for quad in scratch:
        lexical, suffix = (part.decode() for part in tokens[int(quad.subject.value[6:])])
        lang = suffix[1:] if suffix[0] == "@" else ""
        lexical = quad.object.value if lang else lexical
        if (lexical, lang) != (quad.object.value, quad.object.language or ""):
            node = ox.BlankNode()
            kept = [("canonical", quad.object), ("lexical", ox.Literal(lexical))]
            quads += [ox.Quad(node, ox.NamedNode(f"{LEXICAL}#{name}"), term, graph) for name, term
                      in kept + [("lang", ox.Literal(lang))] * bool(lang)]
    store.extend(quads)
    return store


def load_graph(graph: Graph) -> ox.Store:
    """A store of an rdflib graph (see :func:`load_ntriples`), given its N-Triples as
    ``graph.serialize(format="nt")`` writes them, each IRI written once (faster)."""
    from rdflib import Literal
    from rdflib.plugins.serializers.nt import _quoteLiteral

    written: dict[Any, str] = {}

    def nt(term: Any) -> str:
        if (text := written.get(term)) is None:
            text = written[term] = term.n3()
        return text
    return load_ntriples("".join([
        f"{nt(s)} {nt(p)} {_quoteLiteral(o) if isinstance(o, Literal) else nt(o)} .\n"
        for s, p, o in graph]).encode())


def results_of_pyshacl(report: Graph) -> list[Result]:
    """The results of a pyshacl report graph, as :func:`validate_store` gives them (a path
    that is not an IRI is None)."""
    from rdflib import RDF as RDFNS
    from rdflib import URIRef

    def get(result: Any, name: str) -> Any:
        return report.value(result, URIRef(SH + name))
    results = []
    for result in report.subjects(RDFNS.type, URIRef(SH + "ValidationResult")):
        focus, path, constraint, value = (get(result, name) for name in (
            "focusNode", "resultPath", "sourceConstraint", "value"))
        results.append(Result(
            str(focus) if isinstance(focus, URIRef) else _nt(_of_rdflib(focus)),
            str(path) if isinstance(path, URIRef) else None,
            str(get(result, "sourceConstraintComponent")),
            str(constraint) if isinstance(constraint, URIRef) else None,
            str(get(result, "resultSeverity")), None if value is None else _nt(_of_rdflib(value)),
            min(map(str, report.objects(result, URIRef(SH + "resultMessage"))), default="")))
    return results

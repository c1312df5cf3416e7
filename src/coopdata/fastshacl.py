"""Fast SHACL validation: the shapes compiled to SPARQL once, run on pyoxigraph.

:func:`compile_shapes` turns every constraint of a shapes graph into one SPARQL SELECT
query that returns all the violating focus nodes (and values) of the data at once;
:func:`validate_store` runs the queries on a pyoxigraph Store and gives pyshacl's results,
as :func:`results_of_pyshacl` reads them from its report (tests/test_fastshacl.py proves
the two equal, with the differences that remain listed there).

Supported: targets (sh:targetClass with subclasses, sh:targetNode, sh:targetSubjectsOf,
sh:targetObjectsOf, implicit class targets); node shapes and their property shapes with
IRI paths; sh:minCount, sh:maxCount, sh:uniqueLang, sh:datatype, sh:nodeKind, sh:class,
sh:in, sh:languageIn, sh:pattern (with sh:flags), sh:or / sh:and / sh:xone / sh:not of
shapes made of those value checks; SHACL-SPARQL constraints (sh:select with ``$this``,
``$PATH``, ``$currentShape``; prefixes from sh:prefixes and sh:declare). Anything else
raises :class:`UnsupportedShapes` at compile time, for the caller to use pyshacl.

Value checks that pyshacl makes with Python (datatype well-formedness by rdflib, Python
regular expressions) are prefiltered in SPARQL by a condition that implies conformance;
the few other values are then checked in Python exactly as pyshacl checks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from rdflib import Graph

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LEXICAL = "urn:coopdata:fastshacl:lexical"
"""Named graph where :func:`load_ntriples` keeps the lexical forms the store normalises."""

Term = tuple[str, str, str, str]
"""kind (``i`` IRI, ``b`` blank node, ``l`` literal), IRI / id / lexical form, datatype, language."""


class UnsupportedShapes(ValueError):
    """The shapes use a feature this compiler does not translate."""


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, comparable with pyshacl's. ``focus``, ``path``, ``component``,
    ``constraint`` and ``severity`` are IRIs (``_:id`` for a blank node); ``value`` is an
    N-Triples term (``<iri>``, ``"text"@fr``, ``"12.0"^^<…#decimal>``)."""

    focus: str
    path: str | None
    component: str
    constraint: str | None
    severity: str
    value: str | None
    message: str

    @property
    def value_text(self) -> str | None:
        """The value's IRI or lexical form (what ``str()`` gives of an rdflib term)."""
        if self.value is None or self.value[0] in "<_":
            return None if self.value is None else self.value.strip("<>").removeprefix("_:")
        body = self.value[1:self.value.rindex('"')]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), body)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


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


@dataclass(frozen=True)
class _Check:
    """A value check: a SPARQL condition on ?value that implies conformance (and is the
    check itself if ``exact``), and the check in Python (None: SPARQL only)."""

    sure: str
    exact: bool
    test: Callable[[Term], bool] | None


@dataclass(frozen=True)
class _Query:
    sparql: str
    component: str
    severity: str
    path: str | None
    messages: tuple[str, ...]
    test: Callable[[Term], bool] | None = None  # False: a violation (else SPARQL decides)
    constraint: str | None = None  # a SHACL-SPARQL constraint: its IRI (blank: "")
    extra: tuple[str, ...] = ()  # its messages
    this_projected: bool = True
    node_shape: bool = True


@dataclass(frozen=True)
class CompiledShapes:
    """The queries of a shapes graph (compile once, reuse on any data)."""

    queries: tuple[_Query, ...]


_ANNOTATIONS = {"name", "description", "order", "group", "message", "severity", "deactivated",
                "defaultValue", "targetClass", "targetNode", "targetSubjectsOf",
                "targetObjectsOf", "path", "property", "sparql", "minCount", "maxCount",
                "uniqueLang"}
_VALUE = {"datatype", "nodeKind", "class", "in", "pattern", "flags", "languageIn", "or",
          "and", "xone", "not"}
_KINDS = {"IRI": "isIRI(?value)", "BlankNode": "isBlank(?value)", "Literal": "isLiteral(?value)",
          "BlankNodeOrIRI": "!isLiteral(?value)", "BlankNodeOrLiteral": "!isIRI(?value)",
          "IRIOrLiteral": "!isBlank(?value)"}
_KIND_OK = {"IRI": "i", "BlankNode": "b", "Literal": "l", "BlankNodeOrIRI": "bi",
            "BlankNodeOrLiteral": "bl", "IRIOrLiteral": "il"}
# lexical forms that rdflib always converts, so pyshacl accepts them (tests check it)
_SAFE = {"decimal": r"^[+-]?[0-9]+(\\.[0-9]+)?$", "integer": "^[+-]?[0-9]+$",
         "boolean": "^(true|false)$", "date": "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"}
_PYTHON = {"string": (str, bytes), "integer": int, "float": float, "decimal": Decimal,
           "boolean": bool, "date": date, "time": time, "dateTime": datetime}


def _str(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def _sparql(node: Any) -> str:
    from rdflib import BNode

    if isinstance(node, BNode):
        raise UnsupportedShapes(f"blank node {node} in a constraint")
    return str(node.n3())


def _datatype_ok(term: Term, rule: str) -> bool:
    """pyshacl's sh:datatype check, on the rdflib literal of ``term``."""
    from rdflib import Literal, URIRef

    kind, text, datatype, lang = term
    if kind != "l":
        return False
    node = Literal(text, lang=lang) if lang else Literal(text) if datatype == XSD + "string" \
        else Literal(text, datatype=URIRef(datatype))
    if str(node.datatype) == rule or (node.datatype is None and (
            (not lang and rule == XSD + "string") or (lang and rule == RDF + "langString"))):
        if node.ill_typed is True:
            return False
        kinds = _PYTHON.get("string" if rule == RDF + "langString" else rule.removeprefix(XSD))
        return kinds is None or not rule.startswith((XSD, RDF)) or isinstance(node.value, kinds)
    return rule == RDFS + "Literal"


def _datatype(rule: str) -> _Check:
    from rdflib import Literal, URIRef

    def test(term: Term) -> bool:
        return _datatype_ok(term, rule)
    if rule == RDFS + "Literal":
        return _Check("isLiteral(?value)", True, test)
    if rule == RDF + "langString":
        return _Check('COALESCE(LANG(?value) != "", false)', True, test)
    if rule == RDFS + "Datatype":
        raise UnsupportedShapes("sh:datatype rdfs:Datatype")
    same = f"COALESCE(DATATYPE(?value) = <{rule}>, false)"
    local = rule.removeprefix(XSD)
    if rule == XSD + "string" or (local not in _PYTHON and Literal(
            "\x00?", datatype=URIRef(rule)).ill_typed is None):  # rdflib does not convert it
        return _Check(same, True, test)
    safe = _SAFE.get(local) if rule.startswith(XSD) else None
    return _Check(f'{same} && REGEX(STR(?value), "{safe}")' if safe else "false", False, test)


def _pattern(pattern: str, flags: str) -> _Check:
    regex = re.compile(pattern, (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))
    sparql_flags = "".join(f for f in "im" if f in flags)
    portable = pattern.isascii() and "(?" not in pattern and "[:" not in pattern and \
        not re.search(r"\\[^.\-/?+*()\[\]{}|^$\\]", pattern)
    sure = (f"COALESCE((isIRI(?value) || DATATYPE(?value) IN (<{XSD}string>, "
            f"<{RDF}langString>)) && REGEX(STR(?value), {_str(pattern)}, "
            f'"{sparql_flags}"), false)') if portable else "false"
    return _Check(sure, False, lambda t: t[0] != "b" and regex.search(t[1]) is not None)


def _language_in(langs: list[str]) -> _Check:
    def test(term: Term) -> bool:
        lang = term[3].lower()
        return bool(lang) and ("*" in langs or lang in langs or lang.split("-")[0] in langs)
    listed = ", ".join(_str(lang) for lang in langs)
    sure = 'LANG(?value) != ""' if "*" in langs else (
        f'LANG(?value) != "" && (LCASE(LANG(?value)) IN ({listed}) || '
        f'LCASE(STRBEFORE(CONCAT(LANG(?value), "-"), "-")) IN ({listed}))')
    return _Check(f"COALESCE({sure}, false)", True, test)


def _combine(kind: str, checks: list[_Check]) -> _Check:
    tests = [c.test for c in checks]
    exact = all(c.exact for c in checks)

    def test(term: Term) -> bool:
        passed = [f(term) for f in tests if f is not None]
        return {"and": all, "or": any}[kind](passed) if kind in ("and", "or") else \
            sum(passed) == 1 if kind == "xone" else not passed[0]
    if kind in ("and", "or"):
        sure = f" {'&&' if kind == 'and' else '||'} ".join(f"({c.sure})" for c in checks)
        sure = sure or ("true" if kind == "and" else "false")
    elif kind == "not":
        sure = f"!({checks[0].sure})" if exact else "false"
    else:
        sure = "(" + " + ".join(f"IF({c.sure}, 1, 0)" for c in checks) + ") = 1" if exact else "false"
    return _Check(sure, exact, None if None in tests else test)


def _supported(g: Graph, shape: Any, allowed: set[str]) -> None:
    unknown = {str(p) for p in g.predicates(shape) if str(p).startswith(SH)} - \
        {SH + name for name in allowed}
    if unknown:
        raise UnsupportedShapes(f"{shape}: {', '.join(sorted(unknown))}")


def _value_checks(g: Graph, shape: Any) -> list[tuple[str, _Check]]:
    """(component, check) for each value-type parameter of a shape."""
    from rdflib import URIRef

    sh = {name: URIRef(SH + name) for name in _VALUE}
    flags = str(next(iter(g.objects(shape, sh["flags"])), "")).lower()
    checks: list[tuple[str, _Check]] = []
    for param, value in sorted(((str(p).removeprefix(SH), o) for p, o in g.predicate_objects(
            shape) if p in sh.values() and p != sh["flags"]), key=lambda po: (po[0], str(po[1]))):
        if param == "datatype":
            check = _datatype(str(value))
        elif param == "nodeKind":
            kind = str(value).removeprefix(SH)
            if kind not in _KINDS:
                raise UnsupportedShapes(f"sh:nodeKind {value}")
            check = _Check(_KINDS[kind], True, lambda t, ok=_KIND_OK[kind]: t[0] in ok)
        elif param == "class":
            check = _Check(f"EXISTS {{ ?value <{RDF}type>/<{RDFS}subClassOf>* {_sparql(value)} }}",
                           True, None)
        elif param == "in":
            members = list(g.items(value))
            allowed = {_nt(_of_rdflib(m)) for m in members}
            iris = all(isinstance(m, URIRef) for m in members)
            check = _Check(f"?value IN ({', '.join(_sparql(m) for m in members)})" if iris
                           else "false", iris, lambda t, allowed=allowed: _nt(t) in allowed)
        elif param == "pattern":
            check = _pattern(str(value), flags)
        elif param == "languageIn":
            check = _language_in([str(lang).lower() for lang in g.items(value)])
        else:
            members = list(g.items(value)) if param != "not" else [value]
            check = _combine(param, [_member(g, m) for m in members])
        checks.append((param[0].upper() + param[1:], check))
    return checks


def _member(g: Graph, shape: Any) -> _Check:
    _supported(g, shape, _VALUE | {"name", "description", "message", "severity"})
    return _combine("and", [check for _, check in _value_checks(g, shape)])


def _target(g: Graph, shape: Any) -> str:
    from rdflib import RDF as RDFNS
    from rdflib import RDFS as RDFSNS
    from rdflib import URIRef

    def objects(name: str) -> list[str]:
        return sorted(_sparql(o) for o in g.objects(shape, URIRef(SH + name)))
    classes = objects("targetClass") + ([_sparql(shape)] if (shape, RDFNS.type, RDFSNS.Class)
                                        in g else [])
    parts = [f"{{ ?this <{RDF}type>/<{RDFS}subClassOf>* {c} }}" for c in classes]
    parts += [f"{{ VALUES ?this {{ {' '.join(objects('targetNode'))} }} }}"] \
        if objects("targetNode") else []
    parts += [f"{{ ?this {p} [] }}" for p in objects("targetSubjectsOf")]
    parts += [f"{{ [] {p} ?this }}" for p in objects("targetObjectsOf")]
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"


def _prefixes(g: Graph, constraint: Any) -> str:
    from rdflib import OWL, URIRef
    from rdflib import RDF as RDFNS

    ontologies = set(g.subjects(RDFNS.type, OWL.Ontology))
    declares: set[Any] = set()
    for holder in g.objects(constraint, URIRef(SH + "prefixes")):
        own = set(g.objects(holder, URIRef(SH + "declare")))
        declares |= own if own and holder in ontologies else own.union(
            *(g.objects(o, URIRef(SH + "declare")) for o in ontologies))
    return "".join(f"PREFIX {g.value(d, URIRef(SH + 'prefix'))}: "
                   f"<{g.value(d, URIRef(SH + 'namespace'))}>\n" for d in sorted(declares))


def _shape(g: Graph, shape: Any, target: str, nested: bool) -> list[_Query]:
    from rdflib import Literal, URIRef

    def one(name: str) -> Any:
        return g.value(shape, URIRef(SH + name))
    _supported(g, shape, _ANNOTATIONS | _VALUE)
    path = one("path")
    if path is not None and not isinstance(path, URIRef):
        raise UnsupportedShapes(f"{shape}: sh:path is not an IRI")
    if path is None and (nested or {one("minCount"), one("maxCount"), one("uniqueLang")}
                         - {None}):
        raise UnsupportedShapes(f"{shape}: a nested node shape or counts without a path")
    if path is not None and one("property") is not None:
        raise UnsupportedShapes(f"{shape}: sh:property in a property shape")
    base: dict[str, Any] = {
        "severity": str(one("severity") or SH + "Violation"),
        "path": str(path) if path is not None else None, "node_shape": path is None,
        "messages": tuple(sorted(str(m) for m in g.objects(shape, URIRef(SH + "message"))))}
    values = f"?this <{path}> ?value ." if path is not None else "BIND (?this AS ?value)"
    queries = []
    for component, check in _value_checks(g, shape):
        if not check.exact and check.test is None:
            raise UnsupportedShapes(f"{shape}: sh:class in a check that Python makes")
        queries.append(_Query(
            f"SELECT ?this ?value WHERE {{ {target} {values} FILTER (!({check.sure})) }}",
            f"{SH}{component}ConstraintComponent", test=None if check.exact else check.test,
            **base))
    counts = {"minCount": "< {}", "maxCount": "> {}"}
    for name, having in counts.items():
        if (bound := one(name)) is not None and (name == "maxCount" or int(bound) > 0):
            body = f"OPTIONAL {{ {values} }}" if name == "minCount" else values
            queries.append(_Query(
                f"SELECT ?this WHERE {{ {target} {body} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?value) {having.format(int(bound))})",
                f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent", **base))
    if one("uniqueLang") == Literal(True):
        queries.append(_Query(
            f"SELECT ?this WHERE {{ {target} {values} FILTER (COALESCE(LANG(?value) != \"\", "
            "false)) BIND (LCASE(LANG(?value)) AS ?lang) } GROUP BY ?this ?lang "
            "HAVING (COUNT(DISTINCT ?value) > 1)", SH + "UniqueLangConstraintComponent", **base))
    for constraint in g.objects(shape, URIRef(SH + "sparql")):
        if g.value(constraint, URIRef(SH + "deactivated")) != Literal(True):
            queries.append(_select(g, shape, constraint, target, base))
    for prop in [] if nested else g.objects(shape, URIRef(SH + "property")):
        if g.value(prop, URIRef(SH + "deactivated")) != Literal(True):
            queries += _shape(g, prop, target, True)
    return queries


def _select(g: Graph, shape: Any, constraint: Any, target: str, base: dict[str, Any]) -> _Query:
    from rdflib import URIRef

    _supported(g, constraint, {"select", "message", "prefixes", "severity", "deactivated"})
    text = str(g.value(constraint, URIRef(SH + "select")))
    if re.search(r"\$shapesGraph\b|[?$]failure\b|\bGROUP\s+BY\b|\bMINUS\b", text, re.I) or (
            base["path"] is None and "$PATH" in text):
        raise UnsupportedShapes(f"{constraint}: $shapesGraph, ?failure, GROUP BY or MINUS")
    text = re.sub(r"\$this\b", "?this", re.sub(r"\$currentShape\b", _sparql(shape), text))
    text = re.sub(r"\$PATH\b", f"<{base['path']}>", text)
    start = re.search(r"(?is)\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?", text)
    if start is None:
        raise UnsupportedShapes(f"{constraint}: no SELECT")
    brace = text.index("{", start.end())
    projected = bool(re.search(r"\?this\b", text[start.end():brace])) or \
        text[start.end():brace].lstrip().startswith("*")
    text = (text[:start.end()] + ("" if projected else "?this ") + text[start.end():brace + 1]
            + target + text[brace + 1:])
    return _Query(_prefixes(g, constraint) + text, SH + "SPARQLConstraintComponent",
                  constraint=str(constraint) if isinstance(constraint, URIRef) else "",
                  extra=tuple(sorted(str(m) for m in g.objects(constraint, URIRef(SH + "message")))),
                  this_projected=projected, **base)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """The queries of every shape with a target (and of its property shapes)."""
    from rdflib import RDF as RDFNS
    from rdflib import RDFS as RDFSNS
    from rdflib import Literal, URIRef

    targeted = {s for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                for s in shapes.subjects(URIRef(SH + name), None)}
    targeted |= {s for s in shapes.subjects(RDFNS.type, RDFSNS.Class) if {
        URIRef(SH + "NodeShape"), URIRef(SH + "PropertyShape")} & set(shapes.objects(s, RDFNS.type))}
    queries = [query for shape in sorted(targeted, key=str) if shapes.value(
        shape, URIRef(SH + "deactivated")) != Literal(True)
        for query in _shape(shapes, shape, _target(shapes, shape), False)]
    return CompiledShapes(tuple(queries))


def _message(text: str, bindings: Iterable[tuple[str, Term]]) -> str:
    for name, term in bindings:  # pyshacl's substitution of {?var} and {$var}
        text = re.sub(f"{{[?$]{name}}}", term[1], text)
    return text


def validate_store(store: ox.Store, compiled: CompiledShapes) -> list[Result]:
    """The results of the compiled shapes on the default graph of ``store``."""
    originals: dict[Term, Term] = {}
    for row in store.query(f"SELECT * {{ GRAPH <{LEXICAL}> {{ ?n <{LEXICAL}#canonical> ?c ; "
                           f"<{LEXICAL}#lexical> ?lexical OPTIONAL {{ ?n <{LEXICAL}#lang> ?lang "
                           "} } }"):
        canonical = _of_ox(row["c"], {})
        originals[canonical] = ("l", row["lexical"].value, canonical[2],
                                row["lang"].value if row["lang"] else canonical[3])
    results: list[Result] = []
    for query in compiled.queries:
        solutions = store.query(query.sparql)
        names = [v.value for v in solutions.variables]
        seen: set[tuple[Term | None, ...]] = set()
        for row in solutions:
            bound = {n: _of_ox(row[n], originals) for n in names if row[n] is not None}
            key = tuple(bound.get(n) for n in names)
            focus = bound.pop("this")
            value = bound.pop("value", None)
            if query.test is not None and value is not None and query.test(value):
                continue
            messages = set(query.messages)
            path = query.path
            if query.constraint is not None:
                path_term = bound.pop("path", None)
                if key in seen or (not query.this_projected and path_term is None and
                                   value is None):
                    continue
                seen.add(key)
                value = value or (focus if query.node_shape else None)
                path = path_term[1] if path_term else path
                subs = list(bound.items()) + [("this", focus)] * query.this_projected + [
                    ("path", path_term)] * (path_term is not None) + [("value", value)] * (
                    value is not None)
                messages = {_message(m, subs) for m in messages | set(query.extra)}  # type: ignore[misc]
            results.append(Result(focus[1] if focus[0] == "i" else _nt(focus), path,
                                  query.component, query.constraint or None, query.severity,
                                  _nt(value) if value else None, min(messages, default="")))
    return results


def load_ntriples(data: bytes) -> ox.Store:
    """A store of N-Triples ``data``; the lexical forms the store would normalise
    (``"2.50"^^xsd:decimal`` → ``2.5``, ``@EN`` → ``@en``) are kept in graph LEXICAL, for
    :func:`validate_store` to give values exactly as in the data."""
    store = ox.Store()
    if b"_:" in data:  # bulk_load renames blank nodes: parse keeps the data's labels
        store.bulk_extend(ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True))
    else:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    tokens = sorted(set(re.findall(
        rb'(?m)("(?:[^"\\\n]|\\.)*"(?:\^\^<http://www\.w3\.org/2001/XMLSchema#(?!string>)\w+>'
        rb'|@[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)) \.\r?$', data)))
    if not tokens:
        return store
    lines = b"".join(b"<urn:x:%d> <urn:x:p> %s .\n" % (n, t) for n, t in enumerate(tokens))
    scratch = ox.Store()
    scratch.bulk_load(lines, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    read = {q.subject: q.object for q in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES,
                                                  lenient=True)}
    graph, lex = ox.NamedNode(LEXICAL), LEXICAL + "#"
    quads = []
    for quad in scratch:
        token = tokens[int(quad.subject.value.removeprefix("urn:x:"))]
        lang = "" if token.endswith(b">") else token.rsplit(b"@", 1)[1].decode()
        if (read[quad.subject].value, lang) != (quad.object.value, quad.object.language or ""):
            node = ox.BlankNode()
            quads += [ox.Quad(node, ox.NamedNode(lex + "canonical"), quad.object, graph),
                      ox.Quad(node, ox.NamedNode(lex + "lexical"),
                              ox.Literal(read[quad.subject].value), graph)]
            if lang:
                quads.append(ox.Quad(node, ox.NamedNode(lex + "lang"), ox.Literal(lang), graph))
    store.extend(quads)
    return store


def load_graph(graph: Graph) -> ox.Store:
    """A store of an rdflib graph (see :func:`load_ntriples`)."""
    return load_ntriples(graph.serialize(format="nt", encoding="utf-8"))


def results_of_pyshacl(report: Graph) -> list[Result]:
    """The results of a pyshacl report graph, as :func:`validate_store` gives them."""
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
            str(get(result, "resultSeverity")),
            None if value is None else _nt(_of_rdflib(value)),
            min((str(m) for m in report.objects(result, URIRef(SH + "resultMessage"))),
                default="")))
    return results

"""Write a graph as Turtle, N-Triples and JSON-LD, byte for byte the same every time.

* Turtle: rdflib's serialiser (subjects and predicates sorted; no blank nodes to label).
* N-Triples: one triple a line, lines sorted, so bulk loaders and ``diff`` can use it.
* JSON-LD: the graph compacted with the published context (``schema/context.jsonld``,
  embedded in the file, never fetched): by pyld, the JSON-LD reference implementation
  (:func:`compacted`, for small graphs), or by :mod:`coopdata.rdf.compact` from the triples
  (:func:`write_compacted`, for the release's graph).
* Framed JSON-LD (``projects.jsonld``): one object per project with its budgets,
  participations, places, results and milestones nested, built straight from the
  records with the context's terms; a test checks it says nothing the graph does not.

JSON files are written by :func:`~coopdata.jsonfile.dump_json` (indented, as
``json.dump`` would), the two large ones a node at a time, never whole in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from coopdata.jsonfile import dump_json as dump_json  # every JSON file of a release
from coopdata.jsonfile import dump_json_list
from coopdata.model import codes
from coopdata.model.dataset import Dataset
from coopdata.model.resources import resource
from coopdata.model.spec import KINDS, PREFIXES, Field
from coopdata.model.uris import Uris
from coopdata.reference.graph import decimal_text, expand

if TYPE_CHECKING:
    from rdflib import Graph

    from coopdata.rdf.triples import Triple


def write_turtle(graph: Graph, path: Path) -> None:
    """Turtle by rdflib (the reference serialiser; used for the small catalogue files)."""
    path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))


def turtle(triples: list[Triple]) -> bytes:
    """Sorted triples as Turtle by pyoxigraph (fast; subjects in the order given)."""
    import pyoxigraph

    from coopdata.rdf.triples import ntriples

    parsed = pyoxigraph.parse(ntriples(triples).encode("utf-8"),
                              format=pyoxigraph.RdfFormat.N_TRIPLES)
    output = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.TURTLE,
                                  prefixes=_turtle_prefixes())
    assert output is not None
    return output


def ntriples_to_turtle(source: Path, target: Path) -> None:
    """The N-Triples file ``source`` as Turtle in ``target``, streamed by pyoxigraph: the
    same bytes as :func:`turtle` of the same triples, without holding them in memory."""
    import pyoxigraph

    parsed = pyoxigraph.parse(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
    pyoxigraph.serialize(parsed, output=target, format=pyoxigraph.RdfFormat.TURTLE,
                         prefixes=_turtle_prefixes())


_CONVERT = """import json, os, sys
os.nice(19)  # the release's own process comes first: these have until its end to finish
sys.path[:] = json.loads(sys.argv[1])
from pathlib import Path
from coopdata.rdf.serialize import CONVERSIONS
CONVERSIONS[sys.argv[2]](Path(sys.argv[3]), Path(sys.argv[4]))"""


class Beside:
    """Conversions of an N-Triples file (:data:`CONVERSIONS`), each in a process of its
    own while the caller goes on: pyoxigraph and the JSON-LD compaction hold the
    interpreter lock, so a thread would not run beside Python code, and a fresh
    interpreter (with this one's module path) holds only the files' buffers.

    :meth:`finish` waits for them, and does again here any that failed (no interpreter to
    start, a module missing there): the same bytes, or the error. Leaving the ``with``
    block stops those still running (when the release fails)."""

    def __init__(self) -> None:
        self.running: list[tuple[subprocess.Popen[bytes] | None, str, Path, Path]] = []

    def start(self, conversion: str, source: Path, target: Path) -> None:
        """Start converting ``source`` into ``target`` (``conversion``: ``turtle`` or
        ``json-ld``)."""
        assert conversion in CONVERSIONS, conversion
        process = None
        if sys.executable:
            with suppress(OSError):
                process = subprocess.Popen(
                    [sys.executable, "-I", "-c", _CONVERT, json.dumps(sys.path), conversion,
                     str(source), str(target)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
        self.running.append((process, conversion, source, target))

    def finish(self) -> None:
        """Wait for every conversion started (each done here should its process fail)."""
        while self.running:
            process, conversion, source, target = self.running[0]
            if process is None or process.wait() != 0:
                CONVERSIONS[conversion](source, target)
            self.running.pop(0)

    def stop(self) -> None:
        """Stop the conversions still running."""
        for process, *_ in self.running:
            if process is not None:
                process.kill()
                process.wait()
        self.running = []

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _turtle_prefixes() -> dict[str, str]:
    return {**PREFIXES, "code": codes.CODE_BASE, "country": codes.COUNTRY_BASE}


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph as sorted N-Triples lines (each ending in a newline)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line + "\n" for line in text.splitlines() if line.strip())


@cache
def published_context() -> dict[str, Any]:
    """The published JSON-LD context (the whole document, with its ``@context`` key)."""
    with open(resource("schema") / "context.jsonld", encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def _refuse_network(url: str, options: Any = None) -> Any:
    from pyld import jsonld

    raise jsonld.JsonLdError(f"coopdata never fetches JSON-LD documents ({url})",
                             "loading document failed")


def compacted(graph: Graph, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The graph as compacted JSON-LD with the context (by default the published one)
    embedded."""
    from pyld import jsonld

    from coopdata.errors import UsageError

    expanded = jsonld.from_rdf("".join(ntriples_lines(graph)), {"format": "application/n-quads"})
    try:
        result: dict[str, Any] = jsonld.compact(expanded, context or published_context(),
                                                {"documentLoader": _refuse_network})
    except jsonld.JsonLdError as exc:  # pyld wraps the reason: give the innermost one
        reason: BaseException = exc
        while isinstance(reason.__cause__, jsonld.JsonLdError):
            reason = reason.__cause__
        raise UsageError(f"cannot write JSON-LD with this context: {reason.args[0]}") from None
    return result


def write_compacted(triples: Iterable[Triple | Sequence[str]], path: Path) -> None:
    """``graph.jsonld``: the document :func:`coopdata.rdf.compact.compact` makes of the
    (sorted) triples, as :func:`dump_json` writes it, a node at a time."""
    from coopdata.rdf.compact import compact_nodes

    dump_json_list({"@context": published_context()["@context"]}, "@graph",
                   compact_nodes(triples), path)


def ntriples_to_jsonld(source: Path, target: Path) -> None:
    """``graph.jsonld`` from ``graph.nt`` (sorted, as :func:`~coopdata.rdf.triples.write_ntriples`
    writes it: one triple a line, its terms apart by single spaces, as no term but the last
    holds a space): the same bytes as :func:`write_compacted` of its triples, read a line
    at a time."""
    with open(source, encoding="utf-8", newline="\n") as lines:
        write_compacted(_triples_of_lines(lines), target)


def _triples_of_lines(lines: Iterable[str]) -> Iterator[list[str]]:
    for line in lines:
        yield line[:-3].split(" ", 2)  # (without its " .\n")


CONVERSIONS: dict[str, Callable[[Path, Path], None]] = {
    "turtle": ntriples_to_turtle, "json-ld": ntriples_to_jsonld}
"""What :class:`Beside` converts ``graph.nt`` into, by name."""


def write_framed_projects(dataset: Dataset, uris: Uris, path: Path) -> None:
    """``projects.jsonld``: :func:`framed_projects`, as :func:`dump_json` writes it, a
    project at a time."""
    dump_json_list({"@context": published_context()["@context"]}, "@graph",
                   framed_project_nodes(dataset, uris), path)


# --- framed projects, straight from the records ------------------------------------

@cache
def _terms() -> dict[str, str]:
    """Predicate IRI → the context's term for it (the first one listed)."""
    terms = published_context()["@context"]
    prefixes = {k: v for k, v in terms.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    found: dict[str, str] = {}
    for term, definition in terms.items():
        if term.startswith("@") or term in prefixes:
            continue
        target = definition["@id"] if isinstance(definition, dict) else definition
        prefix, _, local = target.partition(":")
        found.setdefault(prefixes.get(prefix, prefix + ":") + local, term)
    return found


@cache
def _term(curie: str) -> str:
    return _terms().get(expand(curie), expand(curie))


class _Slot(NamedTuple):
    """Where a field goes in a framed object: under the context's term for its predicate."""

    name: str
    term: str
    type: str
    many: bool
    field: Field
    slots: tuple[_Slot, ...]  # those of an object's fields


@cache
def _slots(fields: tuple[Field, ...]) -> tuple[_Slot, ...]:
    return tuple(_Slot(f.name, _term(f.predicate), f.type, f.many, f, _slots(f.fields))
                 for f in fields)


class _Framer:
    def __init__(self, dataset: Dataset, uris: Uris) -> None:
        self.dataset, self.uris = dataset, uris
        self.references: dict[tuple[str, str], dict[str, Any]] = {}

    def reference(self, kind: str, record_id: str) -> dict[str, Any]:
        """A referenced record: its URI and its label, enough to read the project."""
        known = self.references.get((kind, record_id))
        if known is None:
            known = self.references[(kind, record_id)] = self._reference(kind, record_id)
        return dict(known)  # a copy: no two places of the document share an object

    def _reference(self, kind: str, record_id: str) -> dict[str, Any]:
        record = self.dataset.get(kind, record_id)
        node: dict[str, Any] = {"@id": self.uris.record(kind, record_id)}
        if record is not None:
            spec = KINDS[kind]
            label = record.data.get(spec.label_field)
            if isinstance(label, dict):
                node["label"] = label
            elif label is not None:
                node["rdfs:label"] = label
        return node

    def node(self, slot: _Slot, data: dict[str, Any], uri: str) -> dict[str, Any]:
        """An object nested in a record (a budget, a participation…)."""
        assert slot.field.node_class is not None
        return self.fields(slot.slots, data, uri, {"@id": uri, "@type": slot.field.node_class})

    def value(self, spec: Field, value: Any) -> Any:
        """The value of a field that is not an object."""
        kind = spec.type
        if kind == "code":
            assert spec.scheme is not None
            return codes.concept_uri(spec.scheme, value)
        if kind == "ref":
            assert spec.ref is not None
            return self.reference(spec.ref, value)
        if kind == "country":
            info = codes.country(value)
            assert info is not None
            return {"@id": codes.country_uri(value), "notation": value,
                    "label": {"en": info[1], "fr": info[2]}}
        if kind == "date":
            return {"@value": str(value), "@type": f"xsd:{value.xsd_type}"}
        if kind == "decimal":
            return decimal_text(value)
        if kind == "boolean":
            return "true" if value else "false"
        if kind == "language":
            return codes.language(value)
        return value  # text (a language map), string, currency, url

    def fields(self, slots: tuple[_Slot, ...], data: dict[str, Any], uri: str,
               out: dict[str, Any]) -> dict[str, Any]:
        """``out`` with the fields of a record or object."""
        for slot in slots:
            name, term, kind, many, spec, _ = slot
            if name not in data:
                continue
            value = data[name]
            if kind == "object":
                out[term] = ([self.node(slot, item, f"{uri}/{name}/{n}")
                              for n, item in enumerate(value, start=1)] if many
                             else self.node(slot, value, f"{uri}/{name}"))
            elif kind == "text":
                out[term] = _merged(value) if many else value
            elif kind == "code":  # the commonest: straight to the concept's IRI
                assert spec.scheme is not None
                out[term] = ([codes.concept_uri(spec.scheme, item) for item in value] if many
                             else codes.concept_uri(spec.scheme, value))
            elif many:
                out[term] = [self.value(spec, item) for item in value]
            else:
                out[term] = self.value(spec, value)
        return out


def _merged(texts: list[dict[str, str]]) -> dict[str, list[str]]:
    """Language maps merged: each language with its texts."""
    merged: dict[str, list[str]] = {}
    for item in texts:
        for lang, text in item.items():
            merged.setdefault(lang, []).append(text)
    return merged


def framed_projects(dataset: Dataset, uris: Uris) -> dict[str, Any]:
    """One JSON object per project and programme, with what belongs to it nested."""
    return {"@context": published_context()["@context"],
            "@graph": list(framed_project_nodes(dataset, uris))}


def framed_project_nodes(dataset: Dataset, uris: Uris) -> Iterator[dict[str, Any]]:
    """The objects of :func:`framed_projects`' ``@graph``, one at a time."""
    framer = _Framer(dataset, uris)
    kind = KINDS["project"]
    slots = _slots(kind.fields)
    for record in dataset.of_kind("project"):
        uri = uris.record("project", record.id)
        yield framer.fields(slots, record.data, uri, {
            "@id": uri, "@type": kind.node_class, "label": record.data["title"]})

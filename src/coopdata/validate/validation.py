"""Validate records: three layers, one report.

1. record checks (:mod:`coopdata.records.checks`, run as the records load:
   :mod:`coopdata.records.load`): types, required fields, ids, references, codes, dates,
   mojibake;
2. the tables against their table schemas (:mod:`coopdata.validate.tables`);
3. SHACL validation of the graph (:mod:`coopdata.validate.shacl.check`), each result
   mapped back to the record file, line and field it concerns.

On either engine (:class:`~coopdata.validate.engine.Engine`): fast or reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from coopdata.cache import Cache
from coopdata.collector import paused
from coopdata.model.dataset import Dataset
from coopdata.model.uris import Uris
from coopdata.model.vocab import PREFIXES
from coopdata.rdf.ntfile import Runs
from coopdata.rdf.triples import ntriples
from coopdata.rdf.triples import triples as graph_triples
from coopdata.records.load import load
from coopdata.report import Finding, Report
from coopdata.tables.package import table_cells
from coopdata.validate.engine import Engine, reference_graph
from coopdata.validate.shacl.check import begin_triples, validate_graph
from coopdata.validate.tables import validate_tables

if TYPE_CHECKING:
    from rdflib import Graph

    from coopdata.rdf.triples import Triple
    from coopdata.tables.layout import Table
    from coopdata.tables.package import TableCells


@dataclass
class Validation:
    """What :func:`validate` found: the typed records, their graph and the report."""

    dataset: Dataset
    report: Report
    triples: list[Triple]
    """The graph as sorted N-Triples terms (see :mod:`coopdata.rdf.triples`)."""
    tables: TableCells | None = field(default=None, repr=False)
    """The tables that were validated, cell by cell (None when they were not)."""
    file: Path | None = None
    """A graph too large for memory: the sorted N-Triples file of its triples (then
    ``triples`` is empty)."""
    _graph: Graph | None = field(default=None, init=False, repr=False)
    size: int = field(init=False)
    """How many triples the graph holds (``triples`` may have been let go of since)."""

    def __post_init__(self) -> None:
        self.size = len(self.triples)

    @classmethod
    def of(cls, dataset: Dataset, report: Report, uris: Uris, engine: Engine,
           graph_file: Path | None = None, scratch: Path | None = None) -> Validation:
        """The records' triples made (and their rdflib graph, on the reference engine),
        not yet checked beyond ``report``; with ``graph_file``, a graph that reaches
        :data:`LARGE_GRAPH` triples is made into that file by sorted runs on disk (in
        ``scratch``) and never held whole."""
        if graph_file is None or engine is Engine.REFERENCE:
            validation = cls(dataset, report, graph_triples(dataset, uris=uris))
        else:
            with Runs(scratch) as runs:
                rest = graph_triples(dataset, uris=uris, spill=runs.add, run=LARGE_GRAPH)
                if not runs.paths:
                    return cls(dataset, report, rest)
                runs.add(rest)
                del rest
                validation = cls(dataset, report, [], file=graph_file)
                validation.size = runs.merge_into(graph_file)
        if engine is Engine.REFERENCE:
            validation._graph = reference_graph(dataset, uris)
        return validation

    @property
    def graph(self) -> Graph:
        """The graph as an rdflib Graph (built on first use)."""
        if self._graph is None:
            from rdflib import Graph  # heavy: only a caller asking for an rdflib graph needs it

            self._graph = Graph().parse(self.file, format="nt") if self.file else \
                Graph().parse(data=ntriples(self.triples), format="nt")
            for prefix, namespace in PREFIXES.items():
                self._graph.bind(prefix, namespace)
        return self._graph


def validate(directory: Path | str | None = None, *, uris: Uris | None = None,
             tables: bool = True, shacl: bool = True, engine: Engine | str = Engine.FAST,
             progress: Callable[[str], None] | None = None,
             graph_ready: Callable[[Validation], None] | None = None,
             cache: Cache | None = None) -> Validation:
    """Run every layer on the records in ``directory`` and return one report.

    Table and SHACL validation run on the records that passed the record checks, and
    do not repeat a problem the record checks already reported for the same field.
    ``graph_ready``: see :func:`validate_dataset`; ``cache``: see
    :func:`~coopdata.records.load.load`.
    """
    with paused():
        dataset, report = load(directory, progress=progress, cache=cache)
        return validate_dataset(dataset, report, uris=uris, tables=tables, shacl=shacl,
                                engine=engine, progress=progress, graph_ready=graph_ready)


def validate_dataset(dataset: Dataset, report: Report, *, uris: Uris | None = None,
                     tables: bool = True, shacl: bool = True,
                     engine: Engine | str = Engine.FAST,
                     progress: Callable[[str], None] | None = None,
                     graph_ready: Callable[[Validation], None] | None = None,
                     graph_file: Path | None = None, scratch: Path | None = None,
                     table_chunks: Callable[[Table, list[list[str]]], None] | None = None
                     ) -> Validation:
    """Add the table and SHACL layers to ``report``, the record checks of ``dataset``.

    ``progress`` is called with the name of each step as it starts (``graph``,
    ``table-validation``, ``shacl``). ``graph_ready`` is called with the validation as
    soon as its triples are made, before the table and SHACL checks (a release starts
    writing the graph's files there, to be thrown away should those checks fail).

    With ``graph_file``, a graph of :data:`LARGE_GRAPH` triples or more is made into that
    file, sorted, rather than held in memory (:attr:`Validation.file`), and checked
    whole first (``shacl`` before ``table-validation``): SHACL's work and the table cells
    would not fit in memory together. The report is the same. Its tables are then made,
    checked and handed to ``table_chunks`` (when given) a chunk of records at a time,
    never held whole (:attr:`Validation.tables` stays None).
    ``scratch``: a folder for what is too large to hold in memory (the sorted runs of
    such a graph, SHACL-SPARQL's store), the system's temporary folder when None.
    """
    step = progress or (lambda name: None)
    step("graph")
    engine = Engine.of(engine)
    uris = uris or Uris()
    validation = Validation.of(dataset, report, uris, engine, graph_file, scratch)
    if graph_ready is not None:
        graph_ready(validation)
    # SHACL starts first: its SPARQL half runs in a thread beside the table checks.
    shacl_findings = _begin_shacl(validation, uris, engine, scratch) if shacl else None
    checked = None
    if shacl_findings is not None and validation.file is not None:
        step("shacl")
        checked, shacl_findings = shacl_findings(), None  # (its work let go of)
    if tables:
        step("table-validation")
        if validation.file is not None and table_chunks is not None:
            found = validate_tables(dataset, engine=engine, each=table_chunks)
        else:
            validation.tables = table_cells(dataset)
            found = validate_tables(dataset, cells=validation.tables, engine=engine)
        report.extend(_new(found, report.findings))
    if shacl_findings is not None:
        step("shacl")
        checked = shacl_findings()
    if checked is not None:  # (after the tables' findings, whichever ran first)
        report.extend(_new(checked, report.findings))
    return validation


LARGE_GRAPH = 10_000_000
"""From this many triples on (about 190,000 projects), a validation given a
``graph_file`` makes its graph into that file by sorted runs of this many triples, and
checks it before the tables (:func:`validate_dataset`)."""


def _begin_shacl(validation: Validation, uris: Uris, engine: Engine,
                 scratch: Path | None) -> Callable[[], list[Finding]]:
    """The SHACL findings, to be asked for later (the fast engine starts now)."""
    if engine is Engine.REFERENCE:
        return partial(validate_graph, validation.graph, validation.dataset, uris=uris,
                       engine=engine)
    return begin_triples(validation.file or validation.triples, validation.dataset,
                         uris=uris, scratch=scratch)


def _new(findings: list[Finding], earlier: list[Finding]) -> list[Finding]:
    """The findings that do not concern a field already reported, a part of one, or a
    field inside one (``budgets[2]`` reported covers ``budgets[2].amount``)."""
    seen: dict[str | None, list[str]] = {}
    for finding in earlier:
        if finding.field:
            seen.setdefault(finding.record, []).append(finding.field)

    def repeated(finding: Finding) -> bool:
        if not finding.field:
            return False
        return any(field == finding.field
                   or field.startswith((f"{finding.field}.", f"{finding.field}["))
                   or finding.field.startswith((f"{field}.", f"{field}["))
                   for field in seen.get(finding.record, []))

    return [f for f in findings if not repeated(f)]

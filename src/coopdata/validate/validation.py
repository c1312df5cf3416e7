"""Load and validate records: three layers, one report.

1. record checks (:mod:`coopdata.records.checks`): types, required fields, ids, references,
   codes, dates, mojibake;
2. Frictionless validation of the tables (:mod:`coopdata.tables.package`);
3. SHACL validation of the graph with pyshacl (:mod:`coopdata.validate.shacl.check`), each result
   mapped back to the record file, line and field it concerns.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from coopdata.errors import UsageError
from coopdata.model import codes
from coopdata.model.dataset import Dataset
from coopdata.model.resources import default_records
from coopdata.model.spec import PREFIXES
from coopdata.model.uris import Uris
from coopdata.records.checks import assemble, check_record
from coopdata.records.read import Record, read_record, record_files, stray_files
from coopdata.report import Finding, Report

if TYPE_CHECKING:
    from rdflib import Graph

    from coopdata.rdf.triples import Triple
    from coopdata.tables.package import TableCells


ENGINES = ("fast", "reference")
"""``fast``: triples built straight from the records, table checks in one pass, SHACL
compiled to SPARQL on pyoxigraph. ``reference``: rdflib, Frictionless and pyshacl. Tests
check that both give the same findings and the same graph."""


@dataclass
class Validation:
    """What :func:`validate` found: the typed records, their graph and the report."""

    dataset: Dataset
    report: Report
    triples: list[Triple]
    """The graph as sorted N-Triples terms (see :mod:`coopdata.rdf.triples`)."""
    tables: TableCells | None = field(default=None, repr=False)
    """The tables that were validated, cell by cell (None when they were not)."""
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The graph as an rdflib Graph (built on first use)."""
        if self._graph is None:
            from rdflib import Graph

            from coopdata.rdf.triples import ntriples

            self._graph = Graph().parse(data=ntriples(self.triples), format="nt")
            for prefix, namespace in PREFIXES.items():
                self._graph.bind(prefix, namespace)
        return self._graph


def load(directory: Path | str | None = None, *,
         progress: Callable[[str], None] | None = None) -> tuple[Dataset, Report]:
    """Read and check the records in ``directory`` (the embedded dataset when None).

    Returns the typed records and a report of the record checks; raises
    :class:`~coopdata.UsageError` when the directory does not exist.
    """
    root = Path(directory) if directory is not None else default_records()
    if not root.is_dir():
        raise UsageError(f"no records directory at {root}")
    if progress:
        progress("load")
    files = list(record_files(root))
    workers = min(os.cpu_count() or 1, 8)
    if len(files) >= PARALLEL_FROM and workers > 1:
        codes.schemes()  # parse the code lists once, before the workers are forked
        size = -(-len(files) // (workers * 4))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_plain_signals)
        try:
            pending = pool.map_async(_read_and_check, chunks)
            findings: list[Finding] = stray_files(root)  # while the workers read
            parts = pending.get()
        finally:
            pool.terminate()
            pool.join()
    else:
        findings = stray_files(root)
        parts = [_read_and_check(files)]
    typed: list[Record] = []
    read = 0
    for part_typed, part_findings, part_read in parts:
        typed += part_typed
        findings += part_findings
        read += part_read
    dataset, _ = assemble(typed, findings)
    return dataset, Report(findings, records=read)


PARALLEL_FROM = 5000
"""From this many files on, records are read and checked on every core."""


def _plain_signals() -> None:
    """In a worker: die at once on SIGTERM (the pool's own way to stop its workers), even
    when the parent had a handler for it, and leave Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_and_check(files: list[tuple[str, Path]]) -> tuple[list[Record], list[Finding], int]:
    """Read and type-check some record files (in a worker process when in parallel)."""
    findings: list[Finding] = []
    typed = []
    read = 0
    for kind, path in files:
        record, problems = read_record(path, kind)
        findings.extend(problems)
        if record is not None:
            read += 1
            checked = check_record(record, findings)
            if checked is not None:
                typed.append(checked)
    return typed, findings, read


def validate(directory: Path | str | None = None, *, uris: Uris | None = None,
             tables: bool = True, shacl: bool = True, engine: str = "fast",
             progress: Callable[[str], None] | None = None,
             graph_ready: Callable[[Validation], None] | None = None) -> Validation:
    """Run every layer on the records in ``directory`` and return one report.

    Table and SHACL validation run on the records that passed the record checks, and
    do not repeat a problem the record checks already reported for the same field.
    ``graph_ready``: see :func:`validate_dataset`.
    """
    from coopdata.collector import paused

    with paused():
        dataset, report = load(directory, progress=progress)
        return validate_dataset(dataset, report, uris=uris, tables=tables, shacl=shacl,
                                engine=engine, progress=progress, graph_ready=graph_ready)


def validate_dataset(dataset: Dataset, report: Report, *, uris: Uris | None = None,
                     tables: bool = True, shacl: bool = True, engine: str = "fast",
                     progress: Callable[[str], None] | None = None,
                     graph_ready: Callable[[Validation], None] | None = None) -> Validation:
    """Add the table and SHACL layers to ``report``, the record checks of ``dataset``.

    ``progress`` is called with the name of each step as it starts (``graph``,
    ``table-validation``, ``shacl``). ``graph_ready`` is called with the validation as
    soon as its triples are made, before the table and SHACL checks (a release starts
    writing the graph's files there, to be thrown away should those checks fail).
    """
    from coopdata.rdf.triples import triples as graph_triples

    step = progress or (lambda name: None)
    step("graph")
    if engine not in ENGINES:
        raise UsageError(f'unknown engine "{engine}": use one of {", ".join(ENGINES)}')
    uris = uris or Uris()
    validation = Validation(dataset, report, graph_triples(dataset, uris=uris))
    if engine == "reference":
        from coopdata.reference.graph import build_graph

        validation._graph = build_graph(dataset, uris=uris)
    if graph_ready is not None:
        graph_ready(validation)
    # SHACL starts first: its SPARQL half runs in a thread beside the table checks.
    shacl_findings = _begin_shacl(validation, uris, engine) if shacl else None
    if tables:
        from coopdata.tables.package import table_cells, validate_tables

        step("table-validation")
        validation.tables = table_cells(dataset)
        report.extend(_new(validate_tables(dataset, cells=validation.tables, engine=(
            "frictionless" if engine == "reference" else "fast")), report.findings))
    if shacl_findings is not None:
        step("shacl")
        report.extend(_new(shacl_findings(), report.findings))
    return validation


def _begin_shacl(validation: Validation, uris: Uris,
                 engine: str) -> Callable[[], list[Finding]]:
    """The SHACL findings, to be asked for later (the fast engine starts now)."""
    if engine == "reference":
        from coopdata.validate.shacl.check import validate_graph

        return partial(validate_graph, validation.graph, validation.dataset, uris=uris,
                       engine="pyshacl")
    from coopdata.validate.shacl.check import begin_triples

    return begin_triples(validation.triples, validation.dataset, uris=uris)


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

"""Load and validate records: three layers, one report.

1. record checks (:mod:`coopdata.checks`): types, required fields, ids, references,
   codes, dates, mojibake;
2. Frictionless validation of the tables (:mod:`coopdata.package`);
3. SHACL validation of the graph with pyshacl (:mod:`coopdata.shacl`), each result
   mapped back to the record file, line and field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import UsageError
from .checks import check_records
from .dataset import Dataset
from .records import read_record, record_files, stray_files
from .report import Finding, Report
from .resources import default_records
from .spec import PREFIXES
from .uris import Uris

if TYPE_CHECKING:
    from .fastgraph import Triple

if TYPE_CHECKING:
    from rdflib import Graph


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
    """The graph as sorted N-Triples terms (see :mod:`coopdata.fastgraph`)."""
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The graph as an rdflib Graph (built on first use)."""
        if self._graph is None:
            from rdflib import Graph

            from .fastgraph import ntriples

            self._graph = Graph().parse(data=ntriples(self.triples), format="nt")
            for prefix, namespace in PREFIXES.items():
                self._graph.bind(prefix, namespace)
        return self._graph


def load(directory: Path | str | None = None) -> tuple[Dataset, Report]:
    """Read and check the records in ``directory`` (the embedded dataset when None).

    Returns the typed records and a report of the record checks; raises
    :class:`~coopdata.UsageError` when the directory does not exist.
    """
    root = Path(directory) if directory is not None else default_records()
    if not root.is_dir():
        raise UsageError(f"no records directory at {root}")
    findings: list[Finding] = stray_files(root)
    records = []
    for kind, path in record_files(root):
        record, problems = read_record(path, kind)
        findings.extend(problems)
        if record is not None:
            records.append(record)
    dataset, problems = check_records(records)
    findings.extend(problems)
    return dataset, Report(findings, records=len(records))


def validate(directory: Path | str | None = None, *, uris: Uris | None = None,
             tables: bool = True, shacl: bool = True, engine: str = "fast") -> Validation:
    """Run every layer on the records in ``directory`` and return one report.

    Table and SHACL validation run on the records that passed the record checks, and
    do not repeat a problem the record checks already reported for the same field.
    """
    dataset, report = load(directory)
    return validate_dataset(dataset, report, uris=uris, tables=tables, shacl=shacl,
                            engine=engine)


def validate_dataset(dataset: Dataset, report: Report, *, uris: Uris | None = None,
                     tables: bool = True, shacl: bool = True,
                     engine: str = "fast") -> Validation:
    """Add the table and SHACL layers to ``report``, the record checks of ``dataset``."""
    from .fastgraph import triples as graph_triples

    if engine not in ENGINES:
        raise UsageError(f'unknown engine "{engine}": use one of {", ".join(ENGINES)}')
    uris = uris or Uris()
    validation = Validation(dataset, report, graph_triples(dataset, uris=uris))
    if engine == "reference":
        from .graph import build_graph

        validation._graph = build_graph(dataset, uris=uris)
    if tables:
        from .package import validate_tables

        report.extend(_new(validate_tables(dataset, engine="frictionless" if engine ==
                                           "reference" else "fast"), report.findings))
    if shacl:
        from .shacl import validate_graph

        shacl_engine = "pyshacl" if engine == "reference" else "fast"
        report.extend(_new(_shacl(validation, uris, shacl_engine), report.findings))
    return validation


def _shacl(validation: Validation, uris: Uris, engine: str) -> list[Finding]:
    from .shacl import validate_graph

    return validate_graph(validation.graph, validation.dataset, uris=uris)


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

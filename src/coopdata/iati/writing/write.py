"""Records out as IATI 2.03: ``iati-activities.xml`` and ``iati-organisations.xml``,
written and then checked against the official schemas and the IATI rules.

One ``iati-activity`` for every project record that holds what IATI requires, built by
:class:`coopdata.iati.writing.activity.Activity`, written as lxml writes it and checked
(:mod:`coopdata.iati.writing.checks`) one at a time (the file is never one tree in memory).
What the writer does with facts IATI cannot hold is in ``docs/iati.md`` ("IATI out"); in
short, it never invents a fact:

- dates and statuses follow :mod:`coopdata.iati.writing.timing`: a date known to the month or
  year is a *planned* ``activity-date`` at the first (start) or last (end) day of that
  month or year, whose narrative gives the date as known; an actual date is written only
  when its day is known; a status the record does not state is derived from its dates and
  the day the file is written, and the activity says so in a description of type 4;
- a budget, planned disbursement, transaction or indicator period whose dates are not
  known to the day is left out, and so is a budget without a period (the activity's
  type-4 description says what was left out of it);
- IATI requires of every activity a status, a start date, a description and a
  participating organisation with an IATI role: a project whose record lacks one of them
  (and from which the rules derive none) is not written, and :attr:`Written.left_out`
  says why, with the record's file, line and field.

Identifiers: an activity imported from IATI keeps its ``iati_identifier``; a curated
project is ``{iati_organisation_ref}-{record id}`` (the release configuration's
reference), the same in every release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from coopdata.iati.writing import xsd
from coopdata.iati.writing.activity import Activity, publisher
from coopdata.iati.writing.builder import identifier
from coopdata.iati.writing.checks import ActivityChecks
from coopdata.iati.writing.organisations import write_organisations
from coopdata.iati.writing.remembered import Activities, Remember, Remembered
from coopdata.iati.writing.timing import DATE_TYPES
from coopdata.iati.writing.values import ACTIVITIES, ORGANISATIONS, STANDARD_URI, VERSION
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset
from coopdata.model.uris import Uris
from coopdata.report import Finding

__all__ = ["ACTIVITIES", "DATE_TYPES", "ORGANISATIONS", "STANDARD_URI", "VERSION", "Exported",
           "Written", "activity_elements", "export", "identifier", "write_activities",
           "write_organisations"]

ELEMENT_FIELDS: dict[str, str] = {
    "iati-identifier": "iati_identifier", "reporting-org": "reporting_organisation",
    "title": "title", "description": "description", "participating-org": "participations",
    "other-identifier": "other_identifiers", "activity-status": "status",
    "activity-date": "planned_start", "contact-info": "contacts", "activity-scope": "scope",
    "recipient-country": "countries", "recipient-region": "regions", "location": "locations",
    "sector": "sectors", "tag": "tags", "humanitarian-scope": "humanitarian_scopes",
    "policy-marker": "policy_markers", "collaboration-type": "collaboration_type",
    "default-flow-type": "default_flow_type", "default-finance-type": "default_finance_type",
    "default-aid-type": "default_aid_types", "default-tied-status": "default_tied_status",
    "budget": "budgets", "planned-disbursement": "planned_disbursements",
    "capital-spend": "capital_spend", "transaction": "transactions",
    "document-link": "document_links", "related-activity": "related_activities",
    "result": "results",
}
"""The record field each child of ``iati-activity`` comes from (for findings)."""


@dataclass
class Written:
    """What :func:`write_activities` wrote."""

    path: Path
    activities: list[tuple[str, str]] = field(default_factory=list)
    """(IATI identifier, project id) of each activity, in file order (ids, not records:
    a dataset holding its projects pickled would otherwise be held whole again)."""
    left_out: list[Finding] = field(default_factory=list)
    """Why a project is not an activity, or a fact not in its activity (severity info)."""


def activity_elements(dataset: Dataset, config: ReleaseConfig, uris: Uris, today: dt.date,
                      written: Written, remembered: Activities | None = None
                      ) -> Iterator[Any]:
    """The ``iati-activity`` element of each project that IATI can hold, one at a time;
    what is left out goes into ``written``. With ``remembered``, an activity remembered of
    the same inputs comes as it was (:class:`~coopdata.iati.writing.remembered.Remembered`)
    rather than built again."""
    reporter = publisher(dataset, config)
    for record in dataset.of_kind("project"):
        if remembered is not None and (known := remembered.find(record)) is not None:
            written.left_out.extend(known.left_out)
            if known.text is not None:
                written.activities.append((known.identifier, record.id))
                yield known
            continue
        source = dataset if remembered is None else remembered.watch(record, dataset)
        builder = Activity(record, source, config, uris, today, publisher=reporter)
        missing = builder.missing()
        if missing:
            written.left_out.extend(missing)
            if remembered is not None:
                remembered.made(None, missing)
            continue
        element = builder.element()
        written.left_out.extend(builder.findings)
        written.activities.append((identifier(record, config), record.id))
        if remembered is not None:
            remembered.built(builder.findings, written.activities[-1][0])
        yield element


def write_activities(dataset: Dataset, path: Path, *, config: ReleaseConfig | None = None,
                     uris: Uris | None = None, today: dt.date | None = None,
                     each: Callable[[Any, bytes, int, int], None] | None = None,
                     remember: Remember | None = None) -> Written:
    """Write ``iati-activities.xml`` at ``path``, streamed: one activity built, written and
    dropped at a time (``each`` is given each one's element, its text, its number from 1
    and the line it starts at). Nothing is written when no project can be an activity (the schema
    requires at least one): ``Written.activities`` is then empty.

    With ``remember`` (a cache and the group of its values) and ``each`` an
    :class:`~coopdata.iati.writing.checks.ActivityChecks`, each activity is kept in the
    cache with what its checks found, and one kept of the same inputs is written and its
    findings given to the checks rather than built and checked again
    (:mod:`coopdata.iati.writing.remembered`): the same file and findings."""
    config = config or ReleaseConfig()
    uris = uris or Uris(config.base_uri)
    today = today or dt.date.today()
    written = Written(path)
    checks = each if isinstance(each, ActivityChecks) else None
    remembered = None if remember is None or checks is None else Activities(
        *remember, dataset, config, uris, today, publisher(dataset, config))
    elements = activity_elements(dataset, config, uris, today, written, remembered)
    first = next(elements, None)
    if first is None:
        if remembered is not None:
            remembered.close()
        return written
    with open(path, "wb") as out:  # what lxml's incremental writer writes (a test checks)
        out.write(_HEAD)
        line = _HEAD.count(b"\n") + 1
        for index, element in enumerate(_chain(first, elements), start=1):
            if isinstance(element, Remembered):
                assert checks is not None and element.text is not None
                text = element.text
                out.write(text)
                found_schema, found_rules = element.checked_at(index, line)
                checks.schema_errors += found_schema
                checks.rule_errors += found_rules
            else:
                text = etree.tostring(element, encoding="utf-8", pretty_print=True)
                out.write(text)
                if checks is not None and remembered is not None:
                    schema, rules = len(checks.schema_errors), len(checks.rule_errors)
                    checks(element, text, index, line)
                    remembered.checked(text, checks.schema_errors[schema:],
                                       checks.rule_errors[rules:], line)
                elif each is not None:
                    each(element, text, index, line)
            line += text.count(b"\n")
        out.write(_TAIL)
    if remembered is not None:
        remembered.close()
    return written


_HEAD = f"<?xml version='1.0' encoding='utf-8'?>\n<iati-activities version=\"{VERSION}\">\n" \
    .encode()
_TAIL = b"</iati-activities>"


def _chain(first: Any, rest: Iterable[Any]) -> Iterator[Any]:
    yield first
    yield from rest



# -- written and checked -------------------------------------------------------------------

@dataclass
class Exported:
    """The IATI files of a release (or of ``export-iati``), and what their checks found."""

    activities: Path | None
    """``iati-activities.xml``, or None when no project could be an activity."""
    organisations: Path | None
    findings: list[Finding]
    """Schema and rule violations (each at its record and field), rule warnings, and what
    was left out (infos)."""
    written: Written

    @property
    def valid(self) -> bool:
        return not any(f.severity == "violation" for f in self.findings)


def export(dataset: Dataset, activities: Path, organisations: Path | None = None, *,
           config: ReleaseConfig | None = None, uris: Uris | None = None,
           today: dt.date | None = None, remember: Remember | None = None) -> Exported:
    """Write the IATI files and check them against the official 2.03 schemas and the
    IATI rules; every problem becomes a finding at the record and field it comes from.
    ``remember``: a cache (and its group) that keeps each activity with what its checks
    found, for the next export (:func:`write_activities`)."""

    config = config or ReleaseConfig()
    today = today or dt.datetime.now(dt.UTC).date()
    checks = ActivityChecks(today)
    written = write_activities(dataset, activities, config=config, uris=uris, today=today,
                               each=checks, remember=remember)
    findings = list(written.left_out)
    for error in checks.schema_errors:
        findings.append(_located(written, dataset, error.index, error.element, "iati-schema",
                                 f"{ACTIVITIES}:{error.line}: {error.message}"))
    for problem in checks.rule_errors:
        findings.append(_located(written, dataset, problem.index, problem.element,
                                 problem.code,
                                 f"{ACTIVITIES}:{problem.line}: {problem.message}",
                                 problem.severity))
    organisations_written = None
    if organisations is not None and write_organisations(dataset, organisations):
        organisations_written = organisations
        records = [o for o in dataset.of_kind("organisation") if o.data.get("iati_ref")]
        for error in xsd.check(organisations, organisations=True):
            record = records[error.index - 1] if 0 < error.index <= len(records) else None
            findings.append(Finding(
                "iati-schema", f"{ORGANISATIONS}:{error.line}: {error.message}",
                path=record.path if record else None,
                line=record.line("iati_ref") if record else None,
                record=record.id if record else None, field="iati_ref" if record else None))
    return Exported(activities if written.activities else None, organisations_written,
                    findings, written)


def _located(written: Written, dataset: Dataset, index: int, element: str, code: str,
             message: str, severity: str = "violation") -> Finding:
    """A finding about activity number ``index``, at its record's field for ``element``."""
    record = dataset.get("project", written.activities[index - 1][1]) \
        if 0 < index <= len(written.activities) else None
    if record is None:
        return Finding(code, message, severity=severity,  # type: ignore[arg-type]
                       path=str(written.path))
    name = ELEMENT_FIELDS.get(element, "id")
    shares = {"sector": "sector_shares", "recipient-country": "country_shares"}
    if element in shares and shares[element] in record.data:
        name = shares[element]
    if element == "activity-date":
        name = next((n for n, _ in DATE_TYPES if n in record.data), name)
    return Finding(code, message, severity=severity,  # type: ignore[arg-type]
                   path=record.path, line=record.line(name), record=record.id, field=name)

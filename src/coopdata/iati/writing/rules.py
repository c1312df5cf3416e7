"""The IATI Standard's rules that its schema cannot express, checked on a written file.

After the IATI Standard ruleset (IATI/IATI-Rulesets, ``rulesets/standard.json``), as far
as coopdata's files can break them; each finding names the rule:

=================== =====================================================================
code                rule
=================== =====================================================================
iati-reporting-org  a reporting organisation with a reference; the activity's identifier
                    starts with it (the ruleset's ``startswith``; a warning: publishers'
                    older identifiers are kept as they are)
iati-percentages    recipient countries and regions together, and the sectors of each
                    vocabulary, sum to 100 where percentages are given (``sum``)
iati-start-date     a planned or an actual start date (the IATI rule 6.11.1)
iati-date-order     planned start ≤ planned end, actual start ≤ actual end, and every
                    period's start ≤ its end (``date_order``)
iati-future-date    no actual date and no transaction date later than the day the file is
                    written (``date_order`` with ``NOW``)
iati-budget-period  a budget period is at most one year long (``time_limit``; a warning,
                    as the IATI Validator reports it)
iati-code           codes on their code lists: statuses, roles, organisation, transaction,
                    budget, description, result and measure types, DAC sectors, document
                    categories, countries and currencies
=================== =====================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from coopdata.iati.writing.codes import iati_codes
from coopdata.model import codes


@dataclass(frozen=True)
class RuleError:
    """One rule an activity of a written file breaks."""

    code: str
    line: int
    index: int
    """Which ``iati-activity`` (from 1)."""
    element: str
    """The child of the activity it concerns."""
    message: str
    severity: str = "violation"


CODED: tuple[tuple[str, str, str], ...] = (
    ("activity-status", "code", "activity-status"),
    ("participating-org", "role", "participation-role"),
    ("participating-org", "type", "organisation-type"),
    ("reporting-org", "type", "organisation-type"),
    ("description", "type", "description-type"),
    ("activity-date", "type", "activity-date-type"),
    ("budget", "type", "budget-type"),
    ("budget", "status", "budget-status"),
    ("transaction/transaction-type", "code", "transaction-type"),
    ("document-link/category", "code", "document-category"),
    ("result", "type", "result-type"),
    ("result/indicator", "measure", "indicator-measure"),
    ("sector[@vocabulary='1' or not(@vocabulary)]", "code", "dac-sector"),
)
"""(path inside the activity, attribute, code list) of the coded attributes checked."""



def _by_tag() -> dict[str, list[int]]:
    """The entries of :data:`CODED` (their numbers) by the name of the element each checks
    (each path ends at an element of its own name)."""
    found: dict[str, list[int]] = {}
    for number, (path, _, _) in enumerate(CODED):
        found.setdefault(path.split("[")[0].rsplit("/")[-1], []).append(number)
    return found


_CODED_TAGS = _by_tag()
_COUNTRIES = ("recipient-country", "transaction/recipient-country")
_CODED_ELEMENTS = etree.XPath("|".join([*dict.fromkeys(p for p, _, _ in CODED), *_COUNTRIES,
                                        ".//value"]))
"""Every element the code checks look at, found in one pass: the paths of :data:`CODED`,
recipient countries and values."""
_PERIODS = etree.XPath("budget|planned-disbursement|result/indicator/period")
"""The paths of the checks, compiled once."""


def check(path: Path, *, today: dt.date) -> Iterator[RuleError]:
    """The rules each activity of the IATI file at ``path`` breaks, one activity at a time."""
    events = etree.iterparse(str(path), tag="iati-activity", resolve_entities=False,
                             no_network=True)
    for index, (_, element) in enumerate(events, start=1):
        yield from activity_errors(element, index, today)
        element.clear(keep_tail=True)
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


def activity_errors(activity: Any, index: int, today: dt.date,
                    line: Callable[[Any], int] | None = None) -> Iterator[RuleError]:
    """The rules one ``iati-activity`` element breaks: an element parsed from the file, or
    one not parsed (built), whose elements' lines in the file ``line`` tells."""

    def error(code: str, node: Any, message: str, severity: str = "violation") -> RuleError:
        child = node
        while child.getparent() is not None and child.getparent() is not activity:
            child = child.getparent()
        return RuleError(code, line(node) if line is not None else
                         node.sourceline or activity.sourceline, index,
                         child.tag if child is not activity else "iati-activity", message,
                         severity)

    yield from _reporting(activity, error)
    yield from _percentages(activity, error)
    yield from _dates(activity, error, today)
    yield from _codes(activity, error)


def _reporting(activity: Any, error: Any) -> Iterator[RuleError]:
    reporter = activity.find("reporting-org")
    identifier = (activity.findtext("iati-identifier") or "").strip()
    if reporter is None or not reporter.get("ref"):
        yield error("iati-reporting-org", reporter if reporter is not None else activity,
                    "the activity needs a reporting organisation with a reference (@ref)")
    elif not identifier.startswith(reporter.get("ref") + "-") and not any(
            identifier.startswith(other.get("ref", "") + "-") for other in
            activity.findall("other-identifier[@type='B1']")):
        yield error("iati-reporting-org", activity.find("iati-identifier"),
                    f'the identifier "{identifier}" does not start with the reporting '
                    f'organisation\'s reference "{reporter.get("ref")}" and a hyphen',
                    "warning")


def _percentages(activity: Any, error: Any) -> Iterator[RuleError]:
    places = activity.findall("recipient-country") + activity.findall("recipient-region")
    yield from _sum(places, "recipient countries and regions", error)
    by_vocabulary: dict[str, list[Any]] = {}
    for sector in activity.findall("sector"):
        by_vocabulary.setdefault(sector.get("vocabulary", "1"), []).append(sector)
    for vocabulary, sectors in sorted(by_vocabulary.items()):
        yield from _sum(sectors, f"sectors of vocabulary {vocabulary}", error)


def _sum(elements: list[Any], what: str, error: Any) -> Iterator[RuleError]:
    given = [e for e in elements if e.get("percentage") is not None]
    if not given and len(elements) <= 1:
        return
    if not given:  # several, none with a share: IATI wants the shares
        yield error("iati-percentages", elements[1], f"the {what} need percentages when "
                    "there are several", "warning")
        return
    total = Decimal(0)
    for element in given:
        try:
            total += Decimal(element.get("percentage"))
        except InvalidOperation:
            yield error("iati-percentages", element, f'"{element.get("percentage")}" is not '
                        "a percentage")
            return
    if len(given) < len(elements):
        yield error("iati-percentages", elements[0], f"some {what} have a percentage and "
                    "others none")
    elif total != 100:
        yield error("iati-percentages", given[0], f"the percentages of the {what} sum to "
                    f"{total:f}, not 100")


def _date(element: Any | None, attribute: str = "iso-date") -> dt.date | None:
    if element is None or element.get(attribute) is None:
        return None
    try:
        return dt.date.fromisoformat(element.get(attribute)[:10])
    except ValueError:
        return None


def _dates(activity: Any, error: Any, today: dt.date) -> Iterator[RuleError]:
    dated = {d.get("type"): d for d in activity.findall("activity-date")}
    if "1" not in dated and "2" not in dated:
        yield error("iati-start-date", activity.find("activity-date")
                    if activity.find("activity-date") is not None else activity,
                    "the activity needs a planned or an actual start date (activity-date of "
                    "type 1 or 2)")
    for start, end, what in (("1", "3", "planned"), ("2", "4", "actual")):
        first, last = _date(dated.get(start)), _date(dated.get(end))
        if first and last and first > last:
            yield error("iati-date-order", dated[end], f"the {what} end ({last}) is before the "
                        f"{what} start ({first})")
    for kind in ("2", "4"):
        date = _date(dated.get(kind))
        if date and date > today:
            yield error("iati-future-date", dated[kind], f"the actual "
                        f"{'start' if kind == '2' else 'end'} ({date}) is in the future")
    for transaction in activity.iterfind("transaction/transaction-date"):
        date = _date(transaction)
        if date and date > today:
            yield error("iati-future-date", transaction, f"the transaction date ({date}) is "
                        "in the future")
    for period in _PERIODS(activity):
        first, last = _date(period.find("period-start")), _date(period.find("period-end"))
        if first and last and first > last:
            yield error("iati-date-order", period.find("period-end"), f"the period ends "
                        f"({last}) before it starts ({first})")
        elif first and last and period.tag == "budget" and \
                _add_year(first) < last:
            yield error("iati-budget-period", period.find("period-end"), f"the budget period "
                        f"{first} to {last} is longer than one year", "warning")


def _add_year(date: dt.date) -> dt.date:
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year + 1, day=28)


@cache
def _known(scheme: str) -> frozenset[str]:
    """The IATI codes of the code list ``scheme``."""
    return frozenset(iati_codes().get(scheme, {}).values())


def _codes(activity: Any, error: Any) -> Iterator[RuleError]:
    coded: list[list[Any]] = [[] for _ in CODED]
    countries, values = [], []
    for element in _CODED_ELEMENTS(activity):
        tag = element.tag
        if tag == "recipient-country":
            countries.append(element)
        elif tag == "value":
            values.append(element)
        else:
            for number in _CODED_TAGS[tag]:
                coded[number].append(element)
    for (_, attribute, scheme), elements in zip(CODED, coded, strict=True):
        known = _known(scheme)
        for element in elements:
            value = element.get(attribute)
            if value is not None and known and value not in known:
                yield error("iati-code", element, f'{attribute}="{value}" is not on the IATI '
                            f"{scheme} code list")
    for element in countries:
        if codes.country(element.get("code", "")) is None:
            yield error("iati-code", element, f'"{element.get("code")}" is not an ISO 3166-1 '
                        "alpha-2 country code")
    for element in [activity, *values]:
        currency = element.get("default-currency" if element is activity else "currency")
        if currency is not None and not codes.currency(currency):
            yield error("iati-code", element, f'"{currency}" is not an ISO 4217 currency code')

"""The IATI Standard's rules that its schema cannot express, checked on a written file.

After the IATI Standard ruleset (IATI/IATI-Rulesets, ``rulesets/standard.json``), as far
as coopdata's files can break them; each finding names the rule:

=================== =====================================================================
code                rule
=================== =====================================================================
iati-reporting-org  a reporting organisation with a reference; the activity's identifier
                    starts with it (the ruleset's ``startswith``; a warning: publishers'
                    older identifiers are kept as they are)
iati-percentages    the recipient countries, with the recipient regions of each region
                    vocabulary in turn, and the sectors of each vocabulary, sum to 100
                    where percentages are given (``strict_sum``)
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



_COUNTRIES = "recipient-country|transaction/recipient-country"
_PERIODS = "budget|planned-disbursement|result/indicator/period"
PATHS: tuple[str, ...] = tuple(dict.fromkeys([
    *(p for p, _, _ in CODED), _COUNTRIES, "iati-identifier", "reporting-org",
    "other-identifier[@type='B1']", "recipient-country", "recipient-region", "sector",
    "activity-date",
    "transaction/transaction-date", _PERIODS]))
"""Every path (an XPath inside the activity, or a union of them) whose elements a rule
looks at: what :func:`select` finds (a test compares it with lxml's XPath)."""

_PREDICATES: dict[str, Callable[[Any], bool]] = {
    "[@vocabulary='1' or not(@vocabulary)]": lambda e: e.get("vocabulary") in (None, "1"),
    "[@type='B1']": lambda e: e.get("type") == "B1",
}
"""The conditions the paths put on their last element, as Python."""

_Trie = dict[str, tuple[list[tuple[int, Callable[[Any], bool] | None]], "_Trie"]]


def _trie() -> _Trie:
    """The paths as a tree of element names: at each name, the paths (their numbers in
    :data:`PATHS`, with the condition) that end there, and the names below it."""
    root: _Trie = {}
    for number, union in enumerate(PATHS):
        for path in union.split("|"):
            _add(root, number, path)
    return root


def _add(root: _Trie, number: int, path: str) -> None:
    """Path number ``number`` (one of a union) into the tree ``root``."""
    steps = path.split("/")
    level = root
    for depth, step in enumerate(steps):
        name, bracket, condition = step.partition("[")
        ends, below = level.setdefault(name, ([], {}))
        if depth < len(steps) - 1:
            if bracket:
                raise ValueError(f"{path}: a condition only on the last step")
        elif any(other == number for other, _ in ends):
            raise ValueError(f"{PATHS[number]}: the same element twice in a union")
        else:
            ends.append((number, _PREDICATES[bracket + condition] if bracket else None))
        level = below


_TRIE = _trie()


def select(activity: Any) -> dict[str, list[Any]]:
    """The elements of each of :data:`PATHS` in ``activity``, in document order: what
    ``activity.xpath(path)`` gives, found in one walk of the elements on those paths."""
    found: list[list[Any]] = [[] for _ in PATHS]
    _walk(activity, _TRIE, found)
    return dict(zip(PATHS, found, strict=True))


def _walk(parent: Any, trie: _Trie, found: list[list[Any]]) -> None:
    for child in parent:
        entry = trie.get(child.tag)  # (a comment's tag is a function: in no trie)
        if entry is None:
            continue
        ends, below = entry
        for number, condition in ends:
            if condition is None or condition(child):
                found[number].append(child)
        if below:
            _walk(child, below, found)


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

    error = _errors_of(activity, index, line)
    found = select(activity)
    yield from _reporting(found, activity, error)
    yield from _percentages(found, error)
    yield from _dates(found, activity, error, today)
    yield from _codes(found, activity, error)


def percentage_errors(activity: Any) -> Iterator[RuleError]:
    """The percentage rules (``iati-percentages``) that one ``iati-activity`` element
    breaks: an importer's warning that its activities will not be written back as they
    are."""
    return _percentages(select(activity), _errors_of(activity, 1, None))


def _errors_of(activity: Any, index: int, line: Callable[[Any], int] | None
               ) -> Callable[..., RuleError]:
    """What makes a :class:`RuleError` of activity number ``index`` at a node of it."""

    def error(code: str, node: Any, message: str, severity: str = "violation") -> RuleError:
        child = node
        while child.getparent() is not None and child.getparent() is not activity:
            child = child.getparent()
        return RuleError(code, line(node) if line is not None else
                         node.sourceline or activity.sourceline, index,
                         child.tag if child is not activity else "iati-activity", message,
                         severity)
    return error


def _first(elements: list[Any]) -> Any | None:
    return elements[0] if elements else None


def _child(element: Any, tag: str) -> Any | None:
    """``element.find(tag)``: its first child named ``tag``."""
    return next(element.iterchildren(tag), None)


def _reporting(found: dict[str, list[Any]], activity: Any, error: Any) -> Iterator[RuleError]:
    reporter = _first(found["reporting-org"])
    named = _first(found["iati-identifier"])
    identifier = ((named.text or "") if named is not None else "").strip()
    if reporter is None or not reporter.get("ref"):
        yield error("iati-reporting-org", reporter if reporter is not None else activity,
                    "the activity needs a reporting organisation with a reference (@ref)")
    elif not identifier.startswith(reporter.get("ref") + "-") and not any(
            identifier.startswith(other.get("ref", "") + "-") for other in
            found["other-identifier[@type='B1']"]):
        yield error("iati-reporting-org", named,
                    f'the identifier "{identifier}" does not start with the reporting '
                    f'organisation\'s reference "{reporter.get("ref")}" and a hyphen',
                    "warning")


def _percentages(found: dict[str, list[Any]], error: Any) -> Iterator[RuleError]:
    """The ruleset's sums: the recipient countries alone when there is no recipient region
    (its rules 3.1.x), else the countries with the regions of each region vocabulary in
    turn (3.4.x: a region of another vocabulary describes the same places again, so each
    vocabulary's regions and the countries make up 100 % on their own); the sectors of
    each vocabulary (2.1.x). An absent or empty vocabulary is vocabulary 1, as the
    Standard says (the ruleset's own paths say so for sectors). With the countries, only
    several regions of one vocabulary must each have a percentage (3.4.1): a country
    that has 100 % beside a region without one is the ruleset's right sum."""
    countries, regions = found["recipient-country"], found["recipient-region"]
    if not regions:
        yield from _sum(countries, "recipient countries", error)
    for vocabulary, its in _by_vocabulary(regions):
        yield from _sum(countries + its, "recipient countries and regions" if countries
                        else "recipient regions", error, f" of region vocabulary {vocabulary}",
                        complete=its if len(its) > 1 else [])
    for vocabulary, sectors in _by_vocabulary(found["sector"]):
        yield from _sum(sectors, f"sectors of vocabulary {vocabulary}", error)


def _by_vocabulary(elements: list[Any]) -> list[tuple[str, list[Any]]]:
    """``elements`` by their ``vocabulary`` attribute (1 when absent or empty), the
    vocabularies in order, each one's elements in document order."""
    grouped: dict[str, list[Any]] = {}
    for element in elements:
        grouped.setdefault(element.get("vocabulary") or "1", []).append(element)
    return sorted(grouped.items())


def _sum(elements: list[Any], what: str, error: Any, which: str = "",
         complete: list[Any] | None = None) -> Iterator[RuleError]:
    """The percentages given of ``elements`` (``what`` they are, ``which`` of them) sum to
    100, and each of ``complete`` (all of them when None) has one once any has (a warning
    when several have none)."""
    given = [e for e in elements if e.get("percentage") is not None]
    if not given and len(elements) <= 1:
        return
    what += which
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
    missing = [e for e in (elements if complete is None else complete)
               if e.get("percentage") is None]
    if missing:
        yield error("iati-percentages", missing[0], f"some {what} have a percentage and "
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


def _dates(found: dict[str, list[Any]], activity: Any, error: Any,
           today: dt.date) -> Iterator[RuleError]:
    dates = found["activity-date"]
    dated = {d.get("type"): d for d in dates}
    if "1" not in dated and "2" not in dated:
        yield error("iati-start-date", dates[0] if dates else activity,
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
    for transaction in found["transaction/transaction-date"]:
        date = _date(transaction)
        if date and date > today:
            yield error("iati-future-date", transaction, f"the transaction date ({date}) is "
                        "in the future")
    for period in found[_PERIODS]:
        first, last = _date(_child(period, "period-start")), _date(_child(period, "period-end"))
        if first and last and first > last:
            yield error("iati-date-order", _child(period, "period-end"), f"the period ends "
                        f"({last}) before it starts ({first})")
        elif first and last and period.tag == "budget" and \
                _add_year(first) < last:
            yield error("iati-budget-period", _child(period, "period-end"), f"the budget period "
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


def _codes(found: dict[str, list[Any]], activity: Any, error: Any) -> Iterator[RuleError]:
    for path, attribute, scheme in CODED:
        known = _known(scheme)
        for element in found[path]:
            value = element.get(attribute)
            if value is not None and known and value not in known:
                yield error("iati-code", element, f'{attribute}="{value}" is not on the IATI '
                            f"{scheme} code list")
    for element in found[_COUNTRIES]:
        if codes.country(element.get("code", "")) is None:
            yield error("iati-code", element, f'"{element.get("code")}" is not an ISO 3166-1 '
                        "alpha-2 country code")
    for element in [activity, *activity.iterdescendants("value")]:
        currency = element.get("default-currency" if element is activity else "currency")
        if currency is not None and not codes.currency(currency):
            yield error("iati-code", element, f'"{currency}" is not an ISO 4217 currency code')

"""The rules find the elements they check in one walk of the activity
(:func:`rules.select`): the same elements, in the same order, as lxml's XPath of each of
their paths; and the lines of a built activity's elements are those of its text, in
whatever order they are asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.iati.writing import rules
from coopdata.iati.writing.checks import _Lines

_NAMES = sorted({step.split("[")[0] for union in rules.PATHS for path in union.split("|")
                 for step in path.split("/")} | {"value", "narrative", "other"})
"""Every element name on a path of the rules, and some that are on none."""


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> Any:
    name = draw(st.sampled_from(_NAMES))
    if draw(st.integers(0, 9)) == 0:
        name = "{urn:x}" + name  # an extension's element of the same local name
    element = etree.Element(name)
    for attribute in ("vocabulary", "type"):
        if draw(st.booleans()):
            element.set(attribute, draw(st.sampled_from(["1", "2", "B1", "A1", ""])))
    if depth < 4:
        for _ in range(draw(st.integers(0, 4 - depth))):
            if draw(st.integers(0, 7)) == 0:
                element.append(etree.Comment("c"))
            else:
                element.append(draw(_element(depth + 1)))
    return element


@st.composite
def activities(draw: st.DrawFn) -> Any:
    activity = etree.Element("iati-activity")
    for _ in range(draw(st.integers(0, 12))):
        activity.append(draw(_element()) if draw(st.integers(0, 9)) else etree.Comment("c"))
    return activity


@settings(max_examples=300, deadline=None)
@given(activities())
def test_select_finds_what_xpath_finds(activity: Any) -> None:
    found = rules.select(activity)
    assert list(found) == list(rules.PATHS)
    for path in rules.PATHS:
        assert found[path] == activity.xpath(path), path


def test_every_path_is_found() -> None:
    """Each path's elements (a union's, of each of its parts) in one activity."""
    activity = etree.Element("iati-activity")
    for union in rules.PATHS:
        for path in union.split("|"):
            parent = activity
            for step in path.split("/"):
                name, _, condition = step.partition("[")
                parent = etree.SubElement(parent, name)
                if condition:
                    parent.set(condition.split("'")[0].strip("@=").split(" ")[0], "1"
                               if "vocabulary" in condition else "B1")
    found = rules.select(activity)
    for path in rules.PATHS:
        assert found[path] and found[path] == activity.xpath(path), path


@settings(max_examples=200, deadline=None)
@given(activities(), st.integers(1, 70_000), st.randoms(use_true_random=False))
def test_the_lines_of_a_built_activity_are_those_of_its_text(
        activity: Any, first: int, random: Any) -> None:
    text = etree.tostring(activity, encoding="utf-8", pretty_print=True)
    parsed = etree.fromstring(text)
    built, read = list(activity.iter()), list(parsed.iter())
    order = list(range(len(built)))
    random.shuffle(order)
    lines = _Lines(activity, text, first)
    for number in order:
        assert lines(built[number]) == first + read[number].sourceline - 1


# --- percentages: the IATI ruleset's sums (rules 2.1.x, 3.1.x, 3.4.x) ----------------------

def _places(countries: list[str | None], regions: list[tuple[str | None, str | None]],
            sectors: list[tuple[str | None, str | None]]) -> Any:
    """An activity with recipient countries (their percentages), recipient regions and
    sectors (each its vocabulary, None for none, and its percentage)."""
    activity = etree.Element("iati-activity")
    for n, percentage in enumerate(countries):
        country = etree.SubElement(activity, "recipient-country", code=f"C{n}")
        if percentage is not None:
            country.set("percentage", percentage)
    for tag, items in (("recipient-region", regions), ("sector", sectors)):
        for n, (vocabulary, percentage) in enumerate(items):
            element = etree.SubElement(activity, tag, code=f"{n}")
            if vocabulary is not None:
                element.set("vocabulary", vocabulary)
            if percentage is not None:
                element.set("percentage", percentage)
    return activity


def _percentage_errors(activity: Any) -> list[rules.RuleError]:
    return [e for e in rules.activity_errors(activity, 1, dt.date(2026, 1, 1))
            if e.code == "iati-percentages"]


@pytest.mark.parametrize("countries,regions,sectors,message", [
    # The IATI Standard's example without errors: 25 + 25 with each region vocabulary's 50.
    (["25", "25"], [("1", "50"), ("99", "50")], [], None),
    (["25", "25"], [(None, "50"), ("", "40"), ("99", "50")], [],
     "recipient countries and regions of region vocabulary 1 sum to 140, not 100"),
    (["25", "25"], [("1", "40")], [],
     "recipient countries and regions of region vocabulary 1 sum to 90, not 100"),
    (["60", "40"], [], [], None),
    (["60", "30"], [], [], "recipient countries sum to 90, not 100"),
    (["50"], [], [], "recipient countries sum to 50, not 100"),
    ([], [("2", "50"), ("2", "50"), ("1", "100")], [], None),
    ([], [("2", "60"), ("2", "50")], [], "recipient regions of region vocabulary 2 sum to 110"),
    ([], [], [("", "60"), (None, "40"), ("2", "100")], None),  # "" and none: vocabulary 1
    ([], [], [("1", "60"), ("2", "100")], "sectors of vocabulary 1 sum to 60, not 100"),
    # A country with 100 % beside a region without one (real files: Spain's MAEC): the
    # ruleset sums what is given, and asks every region for one only when there are several.
    (["100"], [("1", None)], [], None),
    (["50"], [("1", None)], [], "recipient countries and regions of region vocabulary 1 sum "
     "to 50, not 100"),
    (["50"], [("1", "50"), ("1", None)], [],
     "some recipient countries and regions of region vocabulary 1 have a percentage"),
    (["60", None], [], [], "some recipient countries have a percentage and others none"),
])
def test_percentages_sum_to_100_as_the_ruleset_sums_them(
        countries: list[str | None], regions: list[tuple[str | None, str | None]],
        sectors: list[tuple[str | None, str | None]], message: str | None) -> None:
    errors = _percentage_errors(_places(countries, regions, sectors))
    if message is None:
        assert errors == []
    else:
        assert [e.severity for e in errors] == ["violation"]
        assert message in errors[0].message


_VOCABULARIES = st.sampled_from([None, "", "1", "2", "99"])
_SHARES = st.one_of(st.integers(0, 100), st.sampled_from([25, 50, 100])).map(str)
_MAYBE = st.one_of(_SHARES, _SHARES, _SHARES, st.none())


@settings(max_examples=400, deadline=None)
@given(st.lists(_MAYBE, max_size=4), st.lists(st.tuples(_VOCABULARIES, _MAYBE), max_size=5),
       st.lists(st.tuples(_VOCABULARIES, _MAYBE), max_size=4))
@example(["100"], [("1", None)], [])  # (Spain's MAEC: a country's 100 %, a region without)
@example(["25", "25"], [("1", "50"), ("99", "50")], [])  # (IATI's example without errors)
@example(["25", "25"], [("1", "25"), ("99", "25")], [])  # (IATI's annotated example)
def test_percentages_fail_where_the_rulesets_xpath_sums_are_not_100(
        countries: list[str | None], regions: list[tuple[str | None, str | None]],
        sectors: list[tuple[str | None, str | None]]) -> None:
    """A violation for each of the ruleset's groups whose given percentages, summed by
    lxml's XPath with the ruleset's paths, are not 100, or in which an element that must
    have one (every country when there is no region; every region of a vocabulary that
    has several; every sector of a vocabulary) has none; a group with none given breaks
    nothing (several without one: a warning)."""
    activity = _places(countries, regions, sectors)

    def of(tag: str, vocabulary: str) -> str:
        if vocabulary == "1":
            return f"{tag}[@vocabulary = '1' or @vocabulary = '' or not(@vocabulary)]"
        return f"{tag}[@vocabulary = '{vocabulary}']"

    def broken(paths: list[str], complete: list[str]) -> bool:
        if not activity.xpath(" + ".join(f"count({p}/@percentage)" for p in paths)):
            return False
        if any(activity.xpath(f"count({p}[not(@percentage)])") for p in complete):
            return True
        return float(activity.xpath(" + ".join(f"sum({p}/@percentage)" for p in paths))) != 100

    groups = []
    if countries and not regions:
        groups.append((["recipient-country"], ["recipient-country"]))
    for vocabulary in {v or "1" for v, _ in regions}:
        its = of("recipient-region", vocabulary)
        groups.append(([its, "recipient-country"],
                       [its] if activity.xpath(f"count({its})") > 1 else []))
    for vocabulary in {v or "1" for v, _ in sectors}:
        groups.append(([of("sector", vocabulary)], [of("sector", vocabulary)]))
    errors = _percentage_errors(activity)
    assert len([e for e in errors if e.severity == "violation"]) == sum(
        broken(paths, complete) for paths, complete in groups)

"""The rules find the elements they check in one walk of the activity
(:func:`rules.select`): the same elements, in the same order, as lxml's XPath of each of
their paths; and the lines of a built activity's elements are those of its text, in
whatever order they are asked for."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
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

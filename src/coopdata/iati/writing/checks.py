"""The official schema and the IATI rules, checked on each activity as it is written,
with what they find located in the file.

The activity is checked as its element was built, inside a root element alone, as a check
of the file reads it one activity at a time; the element has no lines, the file does: a
rule's finding is at the line of its element's start tag in the activity's text, and
where the schema finds a fault, the activity's text is parsed and checked again, so that
its messages and lines are those of the file (tests compare both with the checks of the
written file, :func:`coopdata.iati.writing.xsd.check` and
:func:`coopdata.iati.writing.rules.check`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

from lxml import etree

from coopdata.iati.writing import rules, xsd
from coopdata.iati.writing.values import VERSION

_ROOT = "iati-activities"
_START_TAG = re.compile(rb"<[^/]")
"""A start tag: in the text of an element lxml wrote, every other ``<`` is an end tag (in
text and attribute values it is escaped, and there are no comments or instructions)."""


class ActivityChecks:
    """What the schema and the rules find in each activity written (``each`` of
    :func:`~coopdata.iati.writing.write.write_activities`), in the order of the file."""

    _parser = etree.XMLParser(resolve_entities=False, no_network=True)

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.schema_errors: list[xsd.SchemaError] = []
        self.rule_errors: list[rules.RuleError] = []

    def __call__(self, activity: Any, text: bytes, index: int, line: int) -> None:
        document = etree.Element(_ROOT, version=VERSION)
        document.append(activity)
        if not xsd.schema(xsd.ACTIVITY_SCHEMA).validate(document):
            self.schema_errors.extend(xsd.element_errors(
                etree.fromstring(text, self._parser), index, line, _ROOT, {"version": VERSION}))
        self.rule_errors.extend(rules.activity_errors(activity, index, self.today,
                                                      _Lines(activity, text, line)))


class _Lines:
    """The line in the file of each element of an activity (built, so without lines of its
    own), found in the activity's text when asked: the n-th element in document order is
    the n-th start tag (the text is read as far as the element asked for)."""

    __slots__ = ("activity", "text", "first", "starts", "tags")

    def __init__(self, activity: Any, text: bytes, first: int) -> None:
        self.activity, self.text, self.first = activity, text, first
        self.starts: list[int] = []
        """Where the start tags read so far begin."""
        self.tags: Iterator[re.Match[bytes]] | None = None

    def __call__(self, node: Any) -> int:
        number = next(n for n, element in enumerate(self.activity.iter()) if element is node)
        starts = self.starts
        if len(starts) <= number:
            if self.tags is None:
                self.tags = _START_TAG.finditer(self.text)
            starts.extend(match.start() for match in
                          islice(self.tags, number + 1 - len(starts)))
        return self.first + self.text.count(b"\n", 0, starts[number])

"""The export writes ``iati-activities.xml`` as lxml's incremental writer would, and checks
each activity as it writes it: what it finds is what the checks of the written file find
(:func:`xsd.check`, :func:`rules.check`), at the same lines, and the lines stay exact
past line 65,535 (where libxml2 only approximates them when it reads the whole file)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.iati.writing import activity as activity_module
from coopdata.iati.writing import rules, write, xsd
from coopdata.iati.writing.codes import iati_codes
from coopdata.iati.writing.values import VERSION, XML_LANG
from coopdata.model.dataset import Dataset
from coopdata.records.load import load

TODAY = dt.date(2026, 12, 6)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    from benchmarks.synthetic import generate

    folder = tmp_path_factory.mktemp("records")
    generate(40, folder, errors=False)
    loaded, report = load(folder)
    assert report.valid, report.to_text()
    return loaded


def _perturbed(monkeypatch: pytest.MonkeyPatch, long_text: str = "") -> None:
    """Activities the schema and the rules find faults in: an element the schema does not
    know, a status missing, countries off the code list and without shares, a future
    transaction date, descriptions over several lines (``long_text`` in the first)."""
    built = activity_module.Activity.element
    count = iter(range(1_000_000))

    def element(self: Any) -> Any:
        activity = built(self)
        n = next(count)
        description = activity.find("description/narrative")
        if description is not None and (n % 2 == 0 or long_text):
            description.text = (long_text if n == 0 and long_text else
                                "\n".join(["a line"] * (n + 2)))
        if n % 3 == 0:
            activity.find("iati-identifier").addnext(etree.Element("bogus"))
        if n % 4 == 1:
            status = activity.find("activity-status")
            status.addnext(etree.Element("recipient-country", code="MA"))
            status.addnext(etree.Element("recipient-country", code="ZZ"))
        if n % 5 == 2:
            activity.remove(activity.find("activity-status"))
        if n % 7 == 3:
            transaction = etree.SubElement(activity, "transaction")
            etree.SubElement(transaction, "transaction-date", {"iso-date": "2030-01-01"})
            etree.SubElement(transaction, "value", currency="XXY").text = "1"
        return activity

    monkeypatch.setattr(activity_module.Activity, "element", element)


def _file_findings(exported: write.Exported, dataset: Dataset) -> list[Any]:
    """What the checks of the written file find, located as the export locates them."""
    written = exported.written
    assert exported.activities is not None
    findings = list(written.left_out)
    for error in xsd.check(exported.activities):
        findings.append(write._located(written, dataset, error.index, error.element,
                                       "iati-schema",
                                       f"{write.ACTIVITIES}:{error.line}: {error.message}"))
    for problem in rules.check(exported.activities, today=TODAY):
        findings.append(write._located(written, dataset, problem.index, problem.element,
                                       problem.code,
                                       f"{write.ACTIVITIES}:{problem.line}: {problem.message}",
                                       problem.severity))
    return findings


def test_the_checks_as_written_find_what_the_checks_of_the_file_find(
        dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _perturbed(monkeypatch)
    exported = write.export(dataset, tmp_path / "a.xml", today=TODAY)
    codes = {f.code for f in exported.findings}
    assert {"iati-schema", "iati-code", "iati-percentages", "iati-future-date"} <= codes
    assert exported.findings == _file_findings(exported, dataset)


def test_the_lines_past_65535_are_exact(dataset: Dataset, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _perturbed(monkeypatch, long_text="\n".join(["a long description"] * 70_000))
    exported = write.export(dataset, tmp_path / "a.xml", today=TODAY)
    assert exported.activities is not None
    lines = exported.activities.read_text(encoding="utf-8").split("\n")
    checked = 0
    for finding in exported.findings:
        found = re.match(rf"{write.ACTIVITIES}:(\d+): (.*)", finding.message)
        if found is None:
            continue
        line, message = lines[int(found[1]) - 1], found[2]
        if "ZZ" in message:
            assert '<recipient-country code="ZZ"/>' in line
        elif "transaction date" in message:
            assert '<transaction-date iso-date="2030-01-01"/>' in line
        elif "XXY" in message:
            assert '<value currency="XXY">' in line
        elif "Element 'bogus'" in message:
            assert line.strip() == "<bogus/>"
        else:
            continue
        checked += int(found[1]) > 65_535
    assert checked > 20


# -- the file's bytes --------------------------------------------------------------------

def _xml_text() -> st.SearchStrategy[str]:
    """Text XML 1.0 can hold, with what escapes (``&<>"'``, CR, tabs, non-ASCII)."""
    allowed = st.characters(blacklist_categories=("Cs",)).filter(
        lambda c: c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
        or c >= "\U00010000")
    return st.text(st.one_of(st.sampled_from("&<>\"' \r\n\tée’"), allowed), max_size=30)


@st.composite
def activities(draw: st.DrawFn) -> list[Any]:
    elements = []
    for n in range(draw(st.integers(1, 4))):
        activity = etree.Element("iati-activity", {"last-updated-datetime": draw(_xml_text())})
        etree.SubElement(activity, "iati-identifier").text = f"XI-{n}"
        for _ in range(draw(st.integers(0, 3))):
            title = etree.SubElement(activity, "title")
            narrative = etree.SubElement(title, "narrative", {XML_LANG: "fr"})
            narrative.text = draw(_xml_text())
            if draw(st.booleans()):
                etree.SubElement(title, "narrative", ref=draw(_xml_text()))
        elements.append(activity)
    return elements


def _incremental(elements: list[Any], path: Path) -> bytes:
    """The file as lxml's incremental writer writes it (as the export used to)."""
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("iati-activities", version=VERSION):
            xf.write("\n")
            for element in elements:
                xf.write(element, pretty_print=True)
    return path.read_bytes()


@settings(max_examples=150, deadline=None)
@given(activities())
def test_the_file_is_written_as_the_incremental_writer_writes_it(elements: list[Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        expected = _incremental(elements, Path(folder) / "expected.xml")

        def given_elements(*args: object) -> Iterator[Any]:
            yield from elements

        patch.setattr(write, "activity_elements", given_elements)
        path = Path(folder) / "a.xml"
        write.write_activities(Dataset(), path, today=TODAY)
        assert path.read_bytes() == expected


# -- the code lists ----------------------------------------------------------------------

def test_the_iati_codes_are_those_of_rdflibs_graph() -> None:
    """The code lists read from pyoxigraph's triples give what rdflib's graph gave."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    from coopdata.model.codes import CODE_BASE
    from coopdata.model.resources import resource
    from coopdata.model.uris import VOCAB

    graph = Graph().parse(resource("schema") / "codelists.ttl")
    code = URIRef(VOCAB + "iatiCode")
    found: dict[str, dict[str, str | None]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        given = graph.value(concept, code)
        found.setdefault(str(scheme).removeprefix(CODE_BASE), {})[
            str(graph.value(concept, SKOS.notation))] = None if given is None else str(given)
    expected = {name: {notation: given or notation for notation, given in codes.items()
                       if given is not None or not any(codes.values())}
                for name, codes in found.items()}
    assert iati_codes() == expected
    assert iati_codes()["transaction-type"]["disbursement"] == "3"
    assert "partner" not in iati_codes()["participation-role"]

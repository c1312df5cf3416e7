"""Text that becomes a formula in a spreadsheet: guarded in CSV, kept true in the graph and
on import.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import csv
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopdata import read_tables
from coopdata.model.dataset import Dataset, Record
from coopdata.records.load import load
from coopdata.release.build import build, import_tables
from coopdata.tables.layout import guard, tables, unguard
from tests.conftest import FIXTURES
from tests.reliability.hostile import BOUNDED, csv_rows

FORMULAS = {
    "title_fr": '=HYPERLINK("http://x","y")',
    "title_en": "+33 1 23",
    "description_fr": "-5 migrants",
    "objective": "@team",
    "person": "'=already a quote",
    "budget_note": "''+two quotes",
    "participation_note": "'plain quote",
    "tab": "\u00a0\t=not at the start",
}


@pytest.fixture(scope="module")
def formula_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the fixtures whose texts start with formula characters."""
    directory = tmp_path_factory.mktemp("formulas")
    shutil.copytree(FIXTURES / "records", directory / "records")
    second = directory / "records" / "projects" / "second.yaml"
    text = second.read_text(encoding="utf-8")
    for old, new in (("fr: Deuxième projet", f"fr: '{FORMULAS['title_fr']}'"),
                     ("en: Second project", f"en: \"{FORMULAS['title_en']}\""),
                     ("{fr: Un projet de test.}", f"{{fr: \"{FORMULAS['description_fr']}\"}}"),
                     ("{fr: Renforcer les capacités.}", f"{{fr: \"{FORMULAS['objective']}\"}}"),
                     ('{fr: "1.25 millions d’euros"}', f"{{fr: \"{FORMULAS['budget_note']}\"}}"),
                     ("{fr: Chef de file}", f"{{fr: \"{FORMULAS['participation_note']}\"}}")):
        assert old in text, old
        text = text.replace(old, new)
    second.write_text(text, encoding="utf-8")
    guest = directory / "records" / "persons" / "guest.yaml"
    text = guest.read_text(encoding="utf-8")
    name = re.search(r"^name: .*$", text, re.M)
    assert name is not None
    guest.write_text(text.replace(name[0], f"name: \"{FORMULAS['person']}\""), encoding="utf-8")
    build(directory / "out", directory / "records")
    return directory / "out"


def test_formula_text_is_neutralised_in_csv(formula_build: Path) -> None:
    tables_dir = formula_build / "tables"
    project = next(r for r in csv_rows(tables_dir / "projects.csv") if r["id"] == "second")
    assert project["title_fr"] == "'" + FORMULAS["title_fr"]
    assert project["title_en"] == "'" + FORMULAS["title_en"]
    assert project["description_fr"] == "'" + FORMULAS["description_fr"]
    objective = next(r for r in csv_rows(tables_dir / "project_objectives.csv")
                     if r["project"] == "second" and r["position"] == "1")
    assert objective["value_fr"] == "'" + FORMULAS["objective"]
    guest = next(r for r in csv_rows(tables_dir / "persons.csv") if r["id"] == "guest")
    assert guest["name"] == "'" + FORMULAS["person"]  # a quote more: the reader removes one
    budget = next(r for r in csv_rows(tables_dir / "project_budgets.csv")
                  if r["project"] == "second" and r["position"] == "1")
    assert budget["note_fr"] == "'" + FORMULAS["budget_note"]
    assert budget["amount"] == "1250000.0"
    participation = next(r for r in csv_rows(tables_dir / "project_participations.csv")
                         if r["project"] == "second" and r["position"] == "1")
    assert participation["note_fr"] == FORMULAS["participation_note"]  # no formula after it
    for path in tables_dir.glob("*.csv"):  # no cell of any table can start a formula
        for row in csv.reader(path.read_text(encoding="utf-8").splitlines()):
            assert not any(cell and cell[0] in "=+@\t\r" for cell in row), (path.name, row)


def test_graph_keeps_the_true_text(formula_build: Path) -> None:
    from rdflib import Graph, Literal

    texts = {str(o) for o in Graph().parse(formula_build / "graph.ttl").objects()
             if isinstance(o, Literal)}
    for value in list(FORMULAS.values())[:-1]:
        assert value in texts
        assert "'" + value not in texts


def test_csv_to_records_gives_the_true_text(formula_build: Path, tmp_path: Path) -> None:
    original, _ = load(formula_build.parent / "records")
    back, report = read_tables(formula_build / "tables")
    assert report.valid, report.to_text()
    assert {(r.kind, r.id): r.data for r in back} == {(r.kind, r.id): r.data for r in original}
    import_tables(formula_build / "tables", tmp_path / "imported")
    imported, report = load(tmp_path / "imported")
    assert report.valid
    assert imported.get("project", "second").data["title"] == {
        "fr": FORMULAS["title_fr"], "en": FORMULAS["title_en"]}


def test_numbers_are_never_quoted() -> None:
    from coopdata.tables.package import csv_text

    def table(name: str) -> Any:
        return next(t for t in tables() if t.name == name)

    dataset = Dataset()
    dataset.add(Record("project", "p", "p.yaml", {
        "budgets": [{"amount": Decimal("-5"), "currency": "EUR", "note": {"fr": "-5"},
                     "type": "1", "status": "2", "period_start": "2020-01-01",
                     "period_end": "2020-12-31", "value_date": "2020-01-01"}],
        "sector_shares": [{"sector": "15190", "percentage": Decimal("-0.5")}],
        "locations": [{"point": "-31.616944 -65.716944"}]}))
    # the IATI columns (type … value_date) are codes and dates, written as they are
    assert csv_text(table("project_budgets"), dataset).splitlines() == [
        "project,position,amount,currency,funder,note_en,note_fr,type,status,period_start,"
        "period_end,value_date",
        "p,1,-5.0,EUR,,,'-5,1,2,2020-01-01,2020-12-31,2020-01-01"]
    shares = csv_text(table("project_sector_shares"), dataset).splitlines()
    assert "-0.5" in shares[1].split(",") and "'" not in shares[1]
    points = csv_text(table("project_locations"), dataset).splitlines()
    assert "-31.616944 -65.716944" in points[1].split(",") and "'" not in points[1]


@BOUNDED
@given(st.text(alphabet="'=+-@\t\rab", max_size=8) | st.text(max_size=20))
def test_guard_is_lossless_and_safe(text: str) -> None:
    guarded = guard(text)
    assert unguard(guarded) == text
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_round_trip_property_covers_formula_characters() -> None:
    # tests/tables/test_tables.py::test_records_tables_records_round_trip draws text from these
    from tests.strategies import _LETTERS

    assert set("=+-@'") <= set(_LETTERS)

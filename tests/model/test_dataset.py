"""The embedded default dataset: clean, complete, and true to the seed documents."""

from __future__ import annotations

from typing import Any

import pytest

from coopdata import Dataset, load, validate
from coopdata.model.dates import PartialDate
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    dataset, report = load()
    assert report.valid, report.to_text()
    return dataset


def data(dataset: Dataset, kind: str, record_id: str) -> dict[str, Any]:
    record = dataset.get(kind, record_id)
    assert record is not None, f"no {kind} {record_id}"
    return record.data


def test_validates_without_violations() -> None:
    report = validate().report
    assert report.valid, report.to_text()
    # Facts the seeds do not state stay absent; the shapes flag them as warnings and infos.
    assert {f.code for f in report.findings} <= {"shacl-project-has-participant",
                                                 "shacl-project-has-status"}, report.to_text()


def test_sources_are_the_five_seed_documents(dataset: Dataset) -> None:
    seeds = sorted(p.name for p in shared_path("seeds").glob("*.txt"))
    assert sorted(r.data["file"] for r in dataset.of_kind("source")) == seeds
    for record in dataset:
        if record.kind != "source":
            assert record.data["sources"], record.id


def test_recosa_is_one_project_told_twice(dataset: Dataset) -> None:
    recosa = data(dataset, "project", "recosa")
    assert recosa["sources"] == ["seed-000", "seed-003"]
    assert set(recosa["title"]) == {"fr", "en"}
    assert recosa["countries"] == ["MA", "CI", "ML", "SN"]
    assert recosa["budgets"][0]["amount"] == 4_100_000
    assert recosa["budgets"][0]["currency"] == "EUR"
    south_south = [r.id for r in dataset.of_kind("project")
                   if "Sud-Sud" in r.data["title"].get("fr", "")
                   or "South-South" in r.data["title"].get("en", "")]
    assert south_south == ["recosa"]


@pytest.mark.parametrize("project", [
    "renforcement-capacites-collectivites-locales", "amelioration-conditions-vie-migrants",
    "partenariat-maroco-allemand-asile", "investissements-productifs-mre-allemagne",
    "maghrib-belgium-impulse", "amuddu", "medma-ii", "sharaka", "primo", "lemma",
    "migrations-territoires-developpement-ii", "depomi",
])
def test_required_projects_are_present(dataset: Dataset, project: str) -> None:
    assert data(dataset, "project", project)["title"]


def test_programmes_and_succession(dataset: Dataset) -> None:
    assert data(dataset, "project", "depomi")["type"] == "programme"
    assert data(dataset, "project", "migrations-territoires-developpement-ii")["programme"] == \
        "depomi"
    assert data(dataset, "project", "maghrib-belgium-impulse")["follows"] == ["medma-ii"]
    medma = data(dataset, "project", "medma-ii")
    assert (medma["actual_start"], medma["actual_end"]) == (PartialDate(2012, 7),
                                                             PartialDate(2015, 6))


def test_partial_dates_keep_their_precision(dataset: Dataset) -> None:
    mous = {r.data["countries"][1]: r.data["signed"] for r in dataset.of_kind("agreement")
            if r.data["type"] == "memorandum"}
    assert mous == {"SN": PartialDate(2013, 6), "CI": PartialDate(2015, 1),
                    "ML": PartialDate(2019, 2)}
    assert str(mous["SN"]) == "2013-06" and mous["SN"].xsd_type == "gYearMonth"


def test_agreements(dataset: Dataset) -> None:
    specific = [r.data for r in dataset.of_kind("agreement")
                if r.data["type"] == "specific-convention"]
    assert [a["signed"] for a in specific] == [PartialDate(2018, 3, 15)]
    awaiting = sorted(r.data["countries"][1] for r in dataset.of_kind("agreement")
                      if r.data["status"] == "awaiting-signature")
    assert awaiting == ["CI", "EG", "SD", "SN", "TN"]


def test_ministers_meetings_and_gfmd_audiences(dataset: Dataset) -> None:
    meetings = [r for r in dataset.of_kind("event") if r.id.startswith("rencontre-2018-")]
    assert len(meetings) == 11
    assert all(r.data["start"].year == 2018 for r in meetings)
    assert all({"person": "benatiq", "role": "host", "country": "MA"} in r.data["participants"]
               for r in meetings)
    audiences = [r for r in dataset.of_kind("event") if r.data.get("part_of") == "gfmd-2018"]
    assert len(audiences) == 7
    gfmd = data(dataset, "event", "gfmd-2018")
    assert (gfmd["start"], gfmd["end"]) == (PartialDate(2018, 12, 5), PartialDate(2018, 12, 7))


def test_integration_strategy_group_missions_and_trainings(dataset: Dataset) -> None:
    events = {r.id: r.data for r in dataset.of_kind("event")}
    group = {i: e for i, e in events.items() if i.startswith("integration-strategy-group-")}
    places = sorted((e["place"]["name"], str(e["start"])) for e in group.values() if "place" in e)
    assert places == [("Berlin", "2016-01"), ("Berlin", "2017-04"), ("Frankfurt", "2017-07"),
                      ("Istanbul", "2016-06"), ("Rabat", "2016-11")]
    trainings = sorted(str(e["start"]) for i, e in events.items()
                       if e["type"] == "training" and i.startswith("formation-leadership-")
                       and "place" in e)
    assert trainings == ["2017-02", "2017-03", "2017-05"]


def test_renamed_ministry(dataset: Dataset) -> None:
    assert data(dataset, "organisation", "mdcmre")["replaces"] == ["mcmream"]
    assert data(dataset, "organisation", "mcmream")["acronym"] == {"fr": "MCMREAM"}


def test_mojibake_of_document_004_is_repaired(dataset: Dataset) -> None:
    results = data(dataset, "project", "migrations-territoires-developpement-ii")["results"]
    assert results[2]["title"]["fr"].startswith("La protection et la promotion des droits")
    assert results[2]["targets"][0]["value"] == 45
    text = repr([r.data for r in dataset])
    for broken in ("Ă©", "Ĺ“", "Ã©"):
        assert broken not in text

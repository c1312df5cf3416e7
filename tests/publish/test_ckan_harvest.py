"""CKAN's DCAT harvester (ckanext-dcat, DCAT-AP 3 profile) reads the catalogue into
datasets with all their resources.

The parser runs for real, in its own virtual environment (CKAN pins ~60 packages of its
own): ``bash tests/ckan/install.sh`` makes ``.ckan-venv``, and
``COOPDATA_CKAN_PYTHON=.ckan-venv/bin/python`` points these tests at it. Without that
variable they are skipped; CI sets it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import rdflib

HERE = Path(__file__).resolve().parents[1] / "ckan"
HARVEST = HERE / "harvest.py"
SAMPLE = HERE / "sample-catalog.ttl"

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
# As coopdata writes it: the DCAT-AP 3.0.1 shapes want https:// here (ckanext-dcat copies
# whatever IRI it finds).
SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
RELEASES = "https://w3id.org/coopdata/releases/1.0.0/"


def ckan_python() -> str:
    python = os.environ.get("COOPDATA_CKAN_PYTHON")
    if not python:
        pytest.skip("COOPDATA_CKAN_PYTHON is not set: run `bash tests/ckan/install.sh` and "
                    "set it to .ckan-venv/bin/python to check that CKAN can harvest the "
                    "catalogue (CI does)")
    assert Path(python).is_file(), f"COOPDATA_CKAN_PYTHON={python} does not exist"
    return python


def harvest(catalogue: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ckan_python(), str(HARVEST), *args, str(catalogue)],
                          capture_output=True, text=True, timeout=300, check=False)


def harvested(catalogue: Path, *args: str) -> list[dict[str, Any]]:
    run = harvest(catalogue, *args)
    assert run.returncode == 0, f"harvest.py failed ({run.returncode}):\n{run.stderr}"
    result: list[dict[str, Any]] = json.loads(run.stdout)
    return result


@pytest.mark.parametrize("syntax", ["turtle", "json-ld"])
def test_sample_catalogue_is_harvested(tmp_path: Path, syntax: str) -> None:
    catalogue = SAMPLE
    if syntax == "json-ld":
        catalogue = tmp_path / "catalog.jsonld"
        catalogue.write_text(rdflib.Graph().parse(SAMPLE).serialize(format="json-ld"),
                             encoding="utf-8")

    datasets = harvested(catalogue)

    assert len(datasets) == 1
    dataset = datasets[0]
    assert dataset["title"] == ("Cooperation on migration: projects, organisations, "
                                "agreements and events")
    assert dataset["version"] == "1.0.0"
    assert dataset["notes"].startswith("Curated open data about international cooperation")
    assert dataset["guid"] == "https://w3id.org/coopdata/dataset/1.0.0"
    assert dataset["extras"] > 10  # issued, publisher, contact, spatial, temporal, …
    resources = sorted(dataset["resources"], key=lambda r: r["url"])
    assert [{k: r[k] for k in ("url", "name", "format", "mimetype", "size", "hash")}
            for r in resources] == [
        {"url": RELEASES + "graph.jsonld", "name": "graph.jsonld",
         "format": FILE_TYPE + "JSON_LD", "mimetype": MEDIA_TYPE + "application/ld+json",
         "size": 254871,
         "hash": "0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d"},
        {"url": RELEASES + "graph.ttl", "name": "graph.ttl",
         "format": FILE_TYPE + "RDF_TURTLE", "mimetype": MEDIA_TYPE + "text/turtle",
         "size": 183214,
         "hash": "9f2c4a0e7d1b3c5f6a8e0d2b4c6a8e0f1d3b5c7e9a1b3d5f7e9c1a3b5d7f9e1a"},
        {"url": RELEASES + "tables/projects.csv", "name": "tables/projects.csv",
         "format": FILE_TYPE + "CSV", "mimetype": MEDIA_TYPE + "text/csv",
         "size": 12007,
         "hash": "5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e5a7c9b1d3f5e7a"},
    ]
    assert {r["hash_algorithm"] for r in resources} == {SHA256}


def test_unparsable_catalogue_fails_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.ttl"
    broken.write_text(SAMPLE.read_text(encoding="utf-8").replace(" .\n", " ;\n", 1),
                      encoding="utf-8")

    run = harvest(broken)

    assert run.returncode == 1
    assert run.stdout == ""
    assert "ckanext-dcat" in run.stderr and str(broken) in run.stderr


def test_release_catalogue_is_harvestable(tmp_path: Path) -> None:
    ckan_python()
    from coopdata.release.job import release

    release(tmp_path, version="1.0.0")
    root = tmp_path / "1.0.0"
    sums = {}
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    expected = {name: digest for name, digest in sums.items()
                if name not in ("catalog.ttl", "catalog.jsonld", "SHA256SUMS")
                and (not name.startswith("site/") or name == "site/index.html")}
    assert expected, "SHA256SUMS lists no files"

    for catalogue in (root / "catalog.ttl", root / "catalog.jsonld"):
        datasets = harvested(catalogue)
        assert len(datasets) == 1, f"{catalogue.name}: {[d['title'] for d in datasets]}"
        dataset = datasets[0]
        assert dataset["version"] == "1.0.0"
        assert dataset["title"] and dataset["notes"]
        assert dataset["guid"]
        resources = dataset["resources"]
        by_name: dict[str, dict[str, Any]] = {}
        for resource in resources:
            url = resource["url"]
            assert url and "/1.0.0/" in url, f"{catalogue.name}: resource without URL {resource}"
            name = url.split("/1.0.0/", 1)[1]
            assert name not in by_name, f"{catalogue.name}: two resources for {name}"
            by_name[name] = resource
        assert sorted(by_name) == sorted(expected), catalogue.name
        for name, digest in expected.items():
            resource = by_name[name]
            assert resource["size"] == (root / name).stat().st_size, name
            assert resource["hash"] == digest, name
            assert resource["hash"] == hashlib.sha256((root / name).read_bytes()).hexdigest()
            assert resource["hash_algorithm"].endswith("#checksumAlgorithm_sha256"), name
            assert resource["format"] or resource["mimetype"], name
            assert resource["name"], name

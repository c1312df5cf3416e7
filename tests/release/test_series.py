"""One URL to harvest: the release folder's ``latest/`` and its catalogue of every version
(``catalog.ttl``/``.jsonld``, a DCAT-AP ``dcat:DatasetSeries``), checked against the
official DCAT-AP 3.0.1 shapes and, when COOPDATA_CKAN_PYTHON is set, CKAN's harvester."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from coopdata import OutputError, UsageError
from coopdata.model.config import ReleaseConfig
from coopdata.rdf.jsonld import compacted
from coopdata.rdf.turtle import write_turtle
from coopdata.release.catalog import DCAT, catalog_context, catalog_graph, series_graph
from coopdata.release.dir import LATEST, SERIES, releases_in, verify
from coopdata.release.job import release
from coopdata.release.series import _write_series
from tests.conftest import FIXTURES
from tests.release.test_catalog import CONFIG, FILES, INFO, shacl

BASE = "https://w3id.org/coopdata/dataset/"
RECORDS = FIXTURES / "records"


def own_catalogues(*versions: str) -> list[tuple[str, Graph]]:
    """Each version's own catalogue, as its release wrote it (oldest first)."""
    made = []
    for n, version in enumerate(versions):
        info = replace(INFO, version=version, issued=f"2024-0{n + 1}-01",
                       previous=tuple(versions[:n]), countries=INFO.countries[n:])
        made.append((version, catalog_graph(CONFIG, info, FILES)))
    return made


def test_series_catalogue_meets_the_dcat_ap_shapes() -> None:
    graph = series_graph(CONFIG, own_catalogues("1.0.0", "1.1.0", "2.0.0"))
    conforms, results, text = shacl(graph, "shapes.ttl", "range.ttl")
    assert conforms and results == [], text


@pytest.mark.parametrize("versions", [("1.0.0",), ("1.0.0", "1.1.0"),
                                      ("0.9", "1.0.0", "1.10.0", "2026-01-05")])
def test_every_version_is_a_member_in_order(versions: tuple[str, ...]) -> None:
    graph = series_graph(CONFIG, own_catalogues(*versions))
    series, catalog = URIRef(BASE.rstrip("/")), URIRef("https://w3id.org/coopdata/catalog")
    datasets = [URIRef(BASE + v) for v in versions]
    assert (series, RDF.type, DCAT.DatasetSeries) in graph
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == set(datasets)
    assert set(graph.objects(catalog, DCAT.dataset)) == set(datasets)
    assert set(graph.subjects(DCAT.inSeries, series)) == set(datasets)
    assert list(graph.objects(series, DCAT.first)) == [datasets[0]]
    assert list(graph.objects(series, DCAT["last"])) == [datasets[-1]]
    for before, dataset in zip([None, *datasets], datasets, strict=False):
        assert list(graph.objects(dataset, DCAT.prev)) == ([before] if before else [])
        # each version keeps its own distributions, nothing of another's
        assert {str(d) for d in graph.objects(dataset, DCAT.distribution)} == \
            {f"{dataset}/{f.name}" for f in FILES}
    # one date each: the first version's, the newest's
    assert len(list(graph.objects(series, DCTERMS.issued))) == 1
    assert len(list(graph.objects(catalog, DCTERMS.modified))) == 1
    assert graph.value(series, DCAT.landingPage) == \
        URIRef("https://w3id.org/coopdata/releases/latest/")


def test_a_version_without_its_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="version 1.1.0"):
        series_graph(CONFIG, [own_catalogues("1.0.0")[0], ("1.1.0", Graph())])



def written_series(config: ReleaseConfig, versions: tuple[str, ...], folder: Path) -> Path:
    """The series files of ``versions`` as a release writes them, from their own
    catalogues as each release wrote it (``catalog.ttl``) into ``folder``."""
    made = []
    for version, graph in own_catalogues(*versions):
        if config is not CONFIG:
            info = replace(INFO, version=version, issued=str(graph.value(
                URIRef(BASE + version), DCTERMS.issued)), previous=())
            graph = catalog_graph(config, info, FILES)
        (folder / version).mkdir()
        write_turtle(graph, folder / version / "catalog.ttl")
        made.append((version, folder / version))
    series = folder / "series"
    series.mkdir()
    _write_series(series, config, made)
    return series


def reachable(graph: Graph, start: URIRef, outside: set[URIRef]) -> Graph:
    """What a version's own catalogue says of its dataset and every node it leads to,
    not crossing into ``outside``, without the dataset's own series links (rdflib: the
    reference for what the series copies)."""
    found, seen, todo = Graph(), {start}, [start]
    while todo:
        node = todo.pop()
        for _, predicate, value in graph.triples((node, None, None)):
            if node == start and predicate in (DCAT.inSeries, DCAT.prev):
                continue
            found.add((node, predicate, value))
            if isinstance(value, URIRef) and value not in seen | outside:
                seen.add(value)
                todo.append(value)
    return found


# (no control character but tabs and newlines: a configuration holding one is refused,
# model.config.check_config)
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n"),
               min_size=1, max_size=12)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, description=TEXT, publisher=TEXT, keywords=st.lists(TEXT, max_size=3),
       count=st.integers(1, 4))
def test_series_files_hold_each_versions_description_as_the_reference_writes_it(
        tmp_path_factory: pytest.TempPathFactory, title: str, description: str,
        publisher: str, keywords: list[str], count: int) -> None:
    """Any text in the configuration: ``catalog.ttl`` (pyoxigraph's writer) reads back as
    the series graph, with each version's own description whole; ``catalog.jsonld``
    (coopdata's compaction) is the JSON document pyld, the JSON-LD reference, makes of
    that graph with the same context."""
    config = replace(CONFIG, title=title, description=description,
                     publisher_name=publisher, keywords=tuple(keywords))
    versions = ("1.0.0", "1.1.0", "2.0.0", "2026-01-05")[:count]
    folder = written_series(config, versions, tmp_path_factory.mktemp("series"))
    ttl = Graph().parse(folder / SERIES[0], format="turtle")
    own = [(version, Graph().parse(folder.parent / version / "catalog.ttl"))
           for version in versions]
    assert isomorphic(ttl, series_graph(config, own))
    outside = {URIRef(BASE + v) for v in versions} | {
        URIRef(BASE.rstrip("/")), URIRef("https://w3id.org/coopdata/catalog")}
    for version, graph in own:
        dataset = URIRef(BASE + version)
        assert set(reachable(graph, dataset, outside - {dataset})) <= set(ttl), version
    document = json.loads((folder / SERIES[1]).read_text(encoding="utf-8"))
    assert unordered(document) == unordered(compacted(ttl, context=catalog_context()))


def unordered(document: object) -> object:
    """``document`` with each array sorted: the values of a property are a set (their
    order follows how each writer escapes them in N-Triples: a tab, for one)."""
    if isinstance(document, dict):
        return {key: unordered(value) for key, value in document.items()}
    if isinstance(document, list):
        return sorted((unordered(item) for item in document),
                      key=lambda item: json.dumps(item, sort_keys=True))
    return document


# --- in a release folder -------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("releases")
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False)
    release(out, RECORDS, version="1.1.0", date="2026-02-01", site=False)
    return out


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".coopdata-output")}


def members(root: Path) -> list[str]:
    graph = Graph().parse(root / "catalog.ttl")
    return sorted(str(graph.value(d, DCAT.version)) for d in graph.subjects(RDF.type,
                                                                           DCAT.Dataset))


def test_latest_is_a_copy_of_the_newest_release(folder: Path) -> None:
    latest = folder / LATEST
    assert latest.is_dir() and not latest.is_symlink()
    assert tree(latest) == tree(folder / "1.1.0")
    assert verify(latest) == []
    assert releases_in(folder) == ["1.0.0", "1.1.0"]  # latest/ is not a version


def test_release_folder_catalogue_lists_every_version(folder: Path) -> None:
    assert members(folder) == ["1.0.0", "1.1.0"]
    ttl = Graph().parse(folder / SERIES[0])
    jsonld = Graph().parse(folder / SERIES[1], format="json-ld")
    assert set(ttl) == set(jsonld)
    own = Graph().parse(folder / "1.1.0" / "catalog.ttl")
    dataset = URIRef(BASE + "1.1.0")
    # the version's own description, distributions and checksums, unchanged
    assert set(own.objects(dataset, DCAT.distribution)) == \
        set(ttl.objects(dataset, DCAT.distribution))
    assert ttl.value(dataset, DCAT.prev) == URIRef(BASE + "1.0.0")
    conforms, results, text = shacl(ttl, "shapes.ttl", "range.ttl")
    assert conforms and results == [], text


def copy(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(folder, out)
    return out


def test_an_older_version_joins_the_series_but_latest_stays(folder: Path,
                                                            tmp_path: Path) -> None:
    out = copy(folder, tmp_path)
    before = tree(out / LATEST)
    release(out, RECORDS, version="0.9.0", date="2026-03-01", site=False)
    assert tree(out / LATEST) == before
    assert members(out) == ["0.9.0", "1.0.0", "1.1.0"]
    graph = Graph().parse(out / "catalog.ttl")
    assert graph.value(URIRef(BASE.rstrip("/")), DCAT.first) == URIRef(BASE + "0.9.0")


def test_a_newer_version_replaces_latest(folder: Path, tmp_path: Path) -> None:
    out = copy(folder, tmp_path)
    release(out, RECORDS, version="1.10.0", date="2026-03-01", site=False)
    assert tree(out / LATEST) == tree(out / "1.10.0")
    assert members(out) == ["1.0.0", "1.1.0", "1.10.0"]
    assert not list(out.glob(".*.partial")) and not list(out.glob(".*.old"))


@pytest.mark.parametrize("where", ["latest-file", "latest-changed", "catalogue"])
def test_nothing_coopdata_did_not_write_is_replaced(folder: Path, tmp_path: Path,
                                                   where: str) -> None:
    out = copy(folder, tmp_path)
    target = {"latest-file": out / LATEST / "notes.txt",
              "latest-changed": out / LATEST / "release.json",
              "catalogue": out / "catalog.ttl"}[where]
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match="coopdata replaces only what it wrote"):
        release(out, RECORDS, version="2.0.0", date="2026-03-01", site=False)
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert not (out / "2.0.0").exists()
    assert releases_in(out) == ["1.0.0", "1.1.0"]


def test_a_failed_release_leaves_latest_and_the_catalogue(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = copy(folder, tmp_path)
    before = tree(out)
    rename = os.rename

    def failing(source: object, target: object) -> None:
        if Path(str(target)).name == "2.0.0":
            raise OSError(28, "No space left on device")
        rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(OutputError, match="nothing was published"):
        release(out, RECORDS, version="2.0.0", date="2026-03-01", site=False)
    assert tree(out) == before
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["1.0.0", "1.1.0", "catalog.jsonld", "catalog.ttl", "latest"]


@pytest.mark.parametrize("name", ["latest", "LATEST", "catalog.ttl", "catalog.jsonld"])
def test_reserved_names_are_not_versions(name: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot name a version"):
        release(tmp_path, RECORDS, version=name, site=False)


def test_ckan_harvests_every_version_from_one_url(folder: Path) -> None:
    from tests.publish.test_ckan_harvest import ckan_python, harvested

    ckan_python()
    for name in SERIES:
        datasets = harvested(folder / name)
        assert sorted(d["version"] for d in datasets) == ["1.0.0", "1.1.0"], name
        for dataset in datasets:
            version = dataset["version"]
            assert dataset["guid"] == BASE + version
            sums = (folder / version / "SHA256SUMS").read_text(encoding="utf-8")
            listed = {line.partition("  ")[2] for line in sums.splitlines()} - {
                "catalog.ttl", "catalog.jsonld", "SHA256SUMS"}
            urls = {r["url"].split(f"/{version}/", 1)[1] for r in dataset["resources"]}
            assert urls == listed, (name, version)


@pytest.mark.parametrize("damage", ["not-turtle", "missing", "another-dataset",
                                    "blank-node", "triple-term"])
def test_a_damaged_versions_catalogue_publishes_nothing(folder: Path, tmp_path: Path,
                                                        damage: str) -> None:
    out = copy(folder, tmp_path)
    own = out / "1.0.0" / "catalog.ttl"
    if damage == "not-turtle":
        own.write_bytes(b"<https://w3id.org/coopdata/dataset/1.0.0> a \x00 .\n")
    elif damage == "missing":
        own.unlink()
    elif damage == "another-dataset":
        own.write_text(own.read_text(encoding="utf-8").replace("dataset/1.0.0", "dataset/9"),
                       encoding="utf-8")
    else:  # (a node coopdata never writes there)
        node = "_:b0" if damage == "blank-node" else \
            "<<( <https://example.org/a> <https://example.org/b> <https://example.org/c> )>>"
        with own.open("a", encoding="utf-8") as handle:
            handle.write(f"\n<https://w3id.org/coopdata/dataset/1.0.0> "
                         f"<http://purl.org/dc/terms/relation> {node} .\n")
    before = tree(out)
    with pytest.raises(OutputError, match=r"release 1\.0\.0|version 1\.0\.0"):
        release(out, RECORDS, version="2.0.0", date="2026-03-01", site=False)
    assert tree(out) == before
    assert releases_in(out) == ["1.0.0", "1.1.0"]

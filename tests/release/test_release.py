"""Releases: every file, reproducible bytes, formats that agree, atomic publication."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from coopdata import build_graph, load, read_tables
from coopdata.cli import main
from coopdata.errors import UsageError
from coopdata.release.dir import verify
from coopdata.release.job import release, release_with
from coopdata.release.settings import ReleaseSettings
from tests.conftest import FIXTURES

READING = f"reading 13 records from {FIXTURES / 'records'}\n"
"""The first line of every command below that reads the fixture's records (on stderr)."""

EXPECTED = {"graph.ttl", "graph.nt", "graph.jsonld", "projects.jsonld", "context.jsonld",
            "datapackage.json", "csv-metadata.json", "void.ttl", "CHANGELOG.md", "release.json",
            "catalog.ttl", "catalog.jsonld", "SHA256SUMS", "iati-activities.xml"}
"""(The fixture's projects hold what IATI requires; its organisations have no IATI ref,
so there is no iati-organisations.xml.)"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("releases")
    release(out, FIXTURES / "records", version="1.0.0", date="2026-11-23")
    return out / "1.0.0"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_release_holds_every_file(published: Path) -> None:
    names = set(files(published))
    assert names >= EXPECTED
    assert {n for n in names - EXPECTED if not n.startswith("site/")} == {
        f"tables/{t}.csv" for t in (p.stem for p in (published / "tables").glob("*.csv"))}
    assert "site/index.html" in names
    assert verify(published) == []
    info = json.loads((published / "release.json").read_text(encoding="utf-8"))
    assert info["version"] == "1.0.0" and info["issued"] == "2026-11-23"
    assert info["records"]["project"] == 3


def test_same_records_give_the_same_bytes(published: Path, tmp_path: Path) -> None:
    release(tmp_path, FIXTURES / "records", version="1.0.0", date="2026-11-23")
    assert files(tmp_path / "1.0.0") == files(published)


def test_settings_in_one_object(published: Path, tmp_path: Path) -> None:
    """release's arguments, checked, make one ReleaseSettings: release_with takes it and
    writes the same release."""
    settings = ReleaseSettings.of(tmp_path, FIXTURES / "records", version="1.0.0",
                                  date="2026-11-23", site=True)
    assert (settings.folder, settings.issued, settings.uris.base) == (
        tmp_path / "1.0.0", "2026-11-23", "https://w3id.org/coopdata/id/")
    result = release_with(settings)
    assert result.directory == settings.folder and files(settings.folder) == files(published)
    assert ReleaseSettings.of(tmp_path, date="2026-01-02").version == "2026-01-02"
    with pytest.raises(UsageError, match="not a safe version name"):
        ReleaseSettings.of(tmp_path, version="../1.0", date="2026-01-02")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        ReleaseSettings.of(tmp_path, date="2026-13-01")


def test_same_bytes_from_another_process(published: Path, tmp_path: Path) -> None:
    # A new interpreter has other hash seeds: nothing may depend on set or dict order.
    subprocess.run([sys.executable, "-m", "coopdata", "release", "--records",
                    str(FIXTURES / "records"), "--out", str(tmp_path), "--version", "1.0.0",
                    "--date", "2026-11-23"], check=True, capture_output=True,
                   env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert files(tmp_path / "1.0.0") == files(published)


def test_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = release(tmp_path, FIXTURES / "records")
    assert result.directory.name == "2023-11-14"
    assert '"issued": "2023-11-14"' in (result.directory / "release.json").read_text("utf-8")


def test_formats_say_the_same(published: Path) -> None:
    turtle = Graph().parse(published / "graph.ttl")
    dataset, _ = load(FIXTURES / "records")
    assert isomorphic(turtle, build_graph(dataset))
    for name, fmt in (("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        other = Graph().parse(published / name, format=fmt)
        assert isomorphic(other, turtle), name
        assert literals(other) == literals(turtle), name
    framed = Graph().parse(published / "projects.jsonld", format="json-ld")
    assert len(framed) > 100 and not set(framed) - set(turtle)


def literals(graph: Graph) -> set[tuple[str, str | None, str | None]]:
    return {(str(o), str(o.datatype) if o.datatype else None, o.language)
            for o in graph.objects() if isinstance(o, Literal)}


def test_second_parser_reads_the_same_triples(published: Path) -> None:
    import pyoxigraph

    reference = {line for line in (published / "graph.nt").read_text("utf-8").splitlines()}
    for name, fmt in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
                      ("graph.nt", pyoxigraph.RdfFormat.N_TRIPLES),
                      ("graph.jsonld", pyoxigraph.RdfFormat.JSON_LD)):
        with open(published / name, "rb") as handle:
            triples = {f"{q.subject} {q.predicate} {q.object} ."
                       for q in pyoxigraph.parse(handle, format=fmt)}
        assert triples == reference, name


def test_csv_files_lose_nothing(published: Path) -> None:
    dataset, report = read_tables(published / "tables")
    assert report.valid
    assert isomorphic(build_graph(dataset), Graph().parse(published / "graph.ttl"))


def test_datapackage_is_valid_with_bytes_and_hash(published: Path) -> None:
    from frictionless import Package

    descriptor = json.loads((published / "datapackage.json").read_text("utf-8"))
    assert all(r["bytes"] > 0 and r["hash"].startswith("sha256:")
               for r in descriptor["resources"])
    report = Package(str(published / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "message"])


def test_existing_version_is_never_overwritten(published: Path) -> None:
    before = files(published)
    result = CliRunner().invoke(main, ["release", "--records", str(FIXTURES / "records"),
                                       "--out", str(published.parent), "--version", "1.0.0"])
    assert result.exit_code == 1
    assert result.output == (f"{READING}Error: release 1.0.0 already exists in {published.parent}; "
                             "releases are never overwritten: choose another --version\n")
    assert files(published) == before


def test_invalid_records_publish_nothing(records: Path) -> None:
    text = (records / "projects" / "second.yaml").read_text("utf-8")
    (records / "projects" / "second.yaml").write_text(text.replace("amount: 1250000",
                                                                   'amount: "4,1 M"'), "utf-8")
    result = CliRunner().invoke(main, ["release", "--records", "records", "--out", "releases",
                                       "--version", "1.0.0"])
    assert result.exit_code == 1 and result.output.endswith("nothing was written\n")
    assert not Path("releases").exists()


def test_records_failing_only_the_graph_checks_publish_nothing(
        records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """graph.nt is written, and converted beside, while the graph is checked: a violation
    found there stops the conversions and takes everything away, the folder made for
    the release included."""
    from coopdata.release import convert as serialize

    started: list[serialize.Beside] = []
    original = serialize.Beside.start

    def start(self: serialize.Beside, *args: Any) -> None:
        original(self, *args)
        started.append(self)

    monkeypatch.setattr(serialize.Beside, "start", start)
    text = (records / "projects" / "second.yaml").read_text("utf-8")
    (records / "projects" / "second.yaml").write_text(text.replace(
        'planned_end: "2020"', 'planned_end: "2016"'), "utf-8")  # before planned_start
    result = CliRunner().invoke(main, ["release", "--records", "records", "--out", "releases",
                                       "--version", "1.0.0"])
    assert result.exit_code == 1 and result.output.endswith("nothing was written\n")
    assert "records/projects/second.yaml:14 second planned_end:" in result.output
    assert len(started) == 2 and started[0].running == []  # (stopped)
    assert not Path("releases").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--version", "../evil"], 'Error: "../evil" is not a safe version name: use letters, '
     'digits, ".", "_", "+" and "-", starting with a letter or digit (e.g. 1.2.0)\n'),
    (["--version", "CON"], 'Error: "CON" is not a safe version name: use letters, digits, ".", '
     '"_", "+" and "-", starting with a letter or digit (e.g. 1.2.0)\n'),
    (["--date", "23/11/2026"], 'Error: the release date must be YYYY-MM-DD, got "23/11/2026"\n'),
])
def test_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["release", "--records", str(FIXTURES / "records"),
                                       "--out", str(tmp_path / "r"), *args])
    assert (result.exit_code, result.output) == (2, READING + message)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("config", "message"), [
    ('[release]\nlicense = "WTFPL"\n', 'license must be one of CC-BY-4.0, CC-BY-SA-4.0, '
     'CC0-1.0, ODbL-1.0, etalab-2.0 or a URL, got "WTFPL"'),
    ('[release]\ndownload_url = "ftp://x/"\n', 'download_url must be an http(s) URL, got '
     '"ftp://x/"'),
    ('[release]\nbase_uri = "https://example.org/id"\n', 'base_uri must end with "/", got '
     '"https://example.org/id"'),
    ('[release]\ncolour = "blue"\n', '2: unknown setting "colour"'),  # (file:line)
    ('[release.contact]\nemail = "nobody"\n', 'contact email must be an e-mail address, got '
     '"nobody"'),
    ("[release\n", "1: not valid TOML: Expected ']' at the end of a table declaration "
     "(column 9)"),
])
def test_bad_config(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "coopdata.toml"
    path.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["release", "--records", str(FIXTURES / "records"),
                                       "--out", str(tmp_path / "r"), "--config", str(path)])
    separator = ":" if message[0].isdigit() else ": "
    assert (result.exit_code, result.output) == (2, f"Error: {path}{separator}{message}\n")
    assert not (tmp_path / "r").exists()


def test_unwritable_directory() -> None:
    # /sys refuses new directories even to root, so this runs as any user.
    result = CliRunner().invoke(main, ["release", "--records", str(FIXTURES / "records"),
                                       "--out", "/sys/coopdata-releases"])
    assert (result.exit_code, result.output) == (
        1, f"{READING}Error: cannot create /sys/coopdata-releases: Operation not permitted\n")


def test_out_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file-not-dir"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["release", "--records", str(FIXTURES / "records"),
                                       "--out", str(target)], prog_name="coopdata")
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Invalid value for '--out': Directory '{target}' is "
                                  "a file.\n")
    assert target.read_text(encoding="utf-8") == "x"


def test_corrupt_previous_release_is_refused(published: Path, tmp_path: Path) -> None:
    shutil.copytree(published, tmp_path / "1.0.0")
    with open(tmp_path / "1.0.0" / "graph.nt", "a", encoding="utf-8") as handle:
        handle.write("<urn:x> <urn:y> <urn:z> .\n")
    result = CliRunner().invoke(main, ["release", "--records", str(FIXTURES / "records"),
                                       "--out", str(tmp_path), "--version", "1.1.0"])
    assert result.exit_code == 2
    assert result.output == (f"{READING}Error: the previous release {tmp_path / '1.0.0'} is "
                             "corrupt: graph.nt does not match its checksum. Restore it "
                             "before releasing again\n")
    assert not (tmp_path / "1.1.0").exists()


def test_changelog_and_diff(published: Path, records: Path) -> None:
    shutil.copytree(published, Path("releases") / "1.0.0")
    second = records / "projects" / "second.yaml"
    second.write_text(second.read_text("utf-8").replace("status: implementation",
                                                        "status: closed"), "utf-8")
    (records / "events" / "conference.yaml").unlink()
    text = (records / "events" / "audience.yaml").read_text("utf-8")
    (records / "events" / "audience.yaml").write_text(text.replace("part_of: conference\n", ""),
                                                      "utf-8")
    release("releases", records, version="1.1.0", date="2026-12-01")
    changelog = Path("releases/1.1.0/CHANGELOG.md").read_text("utf-8")
    assert changelog.startswith("# Changes in 1.1.0 since 1.0.0\n\n## Records\n\n"
                                "- removed: event/conference (Global Forum)\n"
                                "- changed: event/audience (Audience)\n"
                                '  - part_of: "conference" → (none)\n'
                                "- changed: project/second (Second project)\n"
                                '  - status: "implementation" → "closed"\n')
    result = CliRunner().invoke(main, ["diff", "releases/1.0.0", "releases/1.1.0"])
    assert (result.exit_code, result.output) == (0, changelog)
    result = CliRunner().invoke(main, ["diff", "releases/1.0.0", "releases/1.1.0", "--format",
                                       "json"])
    changes = json.loads(result.output)
    assert changes["removed"] == ["event/conference"] and changes["triples_removed"] > 10
    listed = {line.split("  ", 1)[1] for line in
              Path("releases/1.1.0/SHA256SUMS").read_text("utf-8").splitlines()}
    assert listed - {"SHA256SUMS"} >= EXPECTED - {"SHA256SUMS"} | {"changes/added.nt",
                                                                  "changes/removed.nt"}
    assert len(Path("releases/1.1.0/changes/removed.nt").read_text("utf-8").splitlines()) \
        == changes["triples_removed"]


def test_killed_release_leaves_no_partial_version(published: Path, tmp_path: Path) -> None:
    shutil.copytree(published, tmp_path / "1.0.0")
    before = files(tmp_path / "1.0.0")
    published_once = False
    for delay in (0.5, 1.0, 1.5, 2.5):
        process = subprocess.Popen([sys.executable, "-m", "coopdata", "release", "--out",
                                    str(tmp_path), "--version", "2.0.0"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert not (tmp_path / "2.0.0").exists() or verify(tmp_path / "2.0.0") == []
        if (tmp_path / "2.0.0").exists():  # (killed once published: complete, then)
            published_once = True
            shutil.rmtree(tmp_path / "2.0.0")
        assert files(tmp_path / "1.0.0") == before
    visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    # What stands beside the versions is there only once a release was published whole.
    assert visible == ["1.0.0", *(["catalog.jsonld", "catalog.ttl", "latest"]
                                  if published_once else [])]
    if published_once:
        assert verify(tmp_path / "latest") == []


def test_real_catalogue_meets_dcat_ap_and_lists_every_file(published: Path) -> None:
    from rdflib import URIRef

    from tests.release.test_catalog import shacl

    catalog = Graph().parse(published / "catalog.ttl")
    conforms, _, text = shacl(catalog, "shapes.ttl", "range.ttl")
    assert conforms, text
    assert isomorphic(catalog, Graph().parse(published / "catalog.jsonld", format="json-ld"))
    listed = {line.split("  ", 1)[1] for line in
              (published / "SHA256SUMS").read_text("utf-8").splitlines()}
    download = URIRef("http://www.w3.org/ns/dcat#downloadURL")
    urls = {str(o).removeprefix("https://w3id.org/coopdata/releases/1.0.0/")
            for o in catalog.objects(None, download)}
    assert urls == {name for name in listed - {"catalog.ttl", "catalog.jsonld", "SHA256SUMS"}
                    if not name.startswith("site/") or name == "site/index.html"}

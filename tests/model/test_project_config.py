"""The records being edited are the records used (issue 18, item 1): coopdata.toml,
pyproject.toml's [tool.coopdata], ./records or the embedded dataset, in that order, with
--records and --config first; each command's first line says which records it reads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal

from coopdata import UsageError
from coopdata.cli import main
from coopdata.model.config import ReleaseConfig, find_project, load_config
from coopdata.model.resources import default_records
from coopdata.records.files import record_files
from coopdata.release.job import release
from tests.conftest import FIXTURES

EMBEDDED = sum(1 for _ in record_files(default_records()))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def first_line(*args: str) -> str:
    return run(*args)[2].splitlines()[0]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def records_in(folder: Path, kinds: tuple[str, ...] = ()) -> Path:
    """A copy of the fixture records (only the folders ``kinds``, when given)."""
    shutil.copytree(FIXTURES / "records", folder)
    for child in folder.iterdir():
        if kinds and child.name not in kinds:
            shutil.rmtree(child)
    return folder


def test_embedded_dataset_when_there_is_nothing(here: Path) -> None:
    code, stdout, stderr = run("validate")
    assert stderr.splitlines()[0] == f"reading {EMBEDDED} records from the embedded dataset"
    assert f"{EMBEDDED} records" in stdout


def test_records_folder_in_the_working_directory(here: Path) -> None:
    records_in(here / "records")
    (here / "records" / "projects" / "extra.yaml").write_text(
        (FIXTURES / "records" / "projects" / "second.yaml").read_text(encoding="utf-8")
        .replace("id: second", "id: extra"), encoding="utf-8")
    code, stdout, stderr = run("validate")
    assert stderr.splitlines()[0] == "reading 14 records from ./records"
    assert "14 records" in stdout  # the new record is read, not left out


def test_coopdata_toml_names_the_records(here: Path) -> None:
    records_in(here / "data", ("organisations", "persons"))
    records_in(here / "records")  # the configuration wins over ./records
    (here / "coopdata.toml").write_text('records = "data"\n', encoding="utf-8")
    count = sum(1 for _ in record_files(here / "data"))
    assert first_line("validate") == f"reading {count} records from ./data (records in " \
                                     "coopdata.toml)"


def test_pyproject_tool_coopdata(here: Path) -> None:
    records_in(here / "curated")
    (here / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.coopdata]\nrecords = "curated"\n\n'
        '[tool.coopdata.release]\nbase_uri = "https://example.org/id/"\n', encoding="utf-8")
    assert first_line("validate") == "reading 13 records from ./curated (records in " \
                                     "pyproject.toml)"
    assert find_project().config.base_uri == "https://example.org/id/"


def test_pyproject_without_tool_coopdata_is_not_coopdata_s(here: Path) -> None:
    records_in(here / "records")
    (here / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.other]\na = 1\n',
                                         encoding="utf-8")
    assert first_line("validate") == "reading 13 records from ./records"
    assert find_project().file is None


def test_explicit_records_win(here: Path) -> None:
    records_in(here / "data", ("organisations",))
    records_in(here / "other")
    (here / "coopdata.toml").write_text('records = "data"\n', encoding="utf-8")
    assert first_line("validate", "--records", "other") == "reading 13 records from other"


def test_explicit_config_wins_and_its_folders_are_relative_to_it(here: Path) -> None:
    (here / "coopdata.toml").write_text('records = "nowhere"\n', encoding="utf-8")
    elsewhere = here / "elsewhere"
    records_in(elsewhere / "records")
    (elsewhere / "site.toml").write_text(
        'records = "records"\nreleases = "out"\n[release]\nlicense = "CC0-1.0"\n',
        encoding="utf-8")
    project = find_project(config=elsewhere / "site.toml")
    assert project.records == elsewhere / "records"
    assert project.releases == elsewhere / "out"
    assert project.config.license == "CC0-1.0"
    assert load_config(elsewhere / "site.toml").license == "CC0-1.0"


def test_only_the_working_directory_is_looked_at(here: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    records_in(here / "records")
    (here / "coopdata.toml").write_text('records = "records"\n', encoding="utf-8")
    (here / "sub").mkdir()
    monkeypatch.chdir(here / "sub")
    assert first_line("validate") == f"reading {EMBEDDED} records from the embedded dataset"


def test_both_files_is_a_usage_error(here: Path) -> None:
    (here / "coopdata.toml").write_text("", encoding="utf-8")
    (here / "pyproject.toml").write_text("[tool.coopdata]\n", encoding="utf-8")
    code, _, stderr = run("validate")
    assert code == 2
    assert stderr == "Error: both coopdata.toml and pyproject.toml ([tool.coopdata]) " \
                     "configure coopdata: keep one of them\n"


@pytest.mark.parametrize(("text", "message"), [
    ('records = "records"\n[release\n', "coopdata.toml:2: not valid TOML: Expected ']' at "
     "the end of a table declaration (column 9)"),
    ('records = "records"\n\n[release]\ncolour = "blue"\n',
     'coopdata.toml:4: unknown setting "colour"'),
    ('[release]\nrecords = "x"\n', 'coopdata.toml:2: unknown setting "records" (records goes '
     "at the top of the file, before [release])"),
    ('record = "x"\n', 'coopdata.toml:1: unknown setting "record" (expected records, releases '
     "and a [release] table)"),
    ("records = 3\n", "coopdata.toml:1: records must be a folder name (a string), got 3"),
    ('[release.publisher]\nname = "x"\nlogo = "y"\n', 'coopdata.toml:3: unknown setting '
     '"publisher.logo"'),
    ('[release]\nkeywords = "x"\n', "coopdata.toml:2: keywords must be a list of strings"),
    ('title = "x"\n', 'coopdata.toml:1: unknown setting "title" (expected records, releases '
     "and a [release] table)"),
])
def test_malformed_coopdata_toml_is_a_usage_error_at_its_line(here: Path, text: str,
                                                              message: str) -> None:
    records_in(here / "records")
    (here / "coopdata.toml").write_text(text, encoding="utf-8")
    for command in (["validate"], ["export-tables", "--out", "t"], ["build", "--out", "b"]):
        assert run(*command) == (2, "", f"Error: {message}\n")
    assert not (here / "t").exists() and not (here / "b").exists()


def test_malformed_pyproject_section_names_its_line(here: Path) -> None:
    (here / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.coopdata.release]\nlicense = 4\n', encoding="utf-8")
    assert run("validate") == (2, "", "Error: pyproject.toml:4: license must be a string, "
                                      "got 4\n")
    with pytest.raises(UsageError, match=r"pyproject\.toml:4"):
        find_project(here)


def test_base_uri_of_the_project_is_used(here: Path) -> None:
    records_in(here / "records", ("organisations", "sources"))
    (here / "coopdata.toml").write_text('[release]\nbase_uri = "https://example.org/id/"\n',
                                        encoding="utf-8")
    code, stdout, stderr = run("build", "--out", "out")
    assert code == 0, stderr
    graph = (here / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert "https://example.org/id/" in graph and "w3id.org/coopdata/id/" not in graph
    code, stdout, stderr = run("build", "--out", "out2", "--base-uri", "https://other.org/i/")
    assert "https://other.org/i/" in (here / "out2" / "graph.ttl").read_text(encoding="utf-8")


def test_release_needs_out_or_a_releases_folder(here: Path) -> None:
    records_in(here / "records", ("organisations",))
    assert run("release") == (2, "", "Error: Missing option '--out' (or `releases = "
                                     '"FOLDER"` in coopdata.toml)\n')


def test_every_records_command_says_which_records(here: Path) -> None:
    records_in(here / "records", ("organisations", "persons"))
    count = sum(1 for _ in record_files(here / "records"))
    line = f"reading {count} records from ./records"
    assert first_line("validate") == line
    assert first_line("build", "--out", "b") == line
    assert first_line("export-tables", "--out", "t") == line
    assert first_line("export-iati", "--out", "iati.xml") == line
    assert first_line("query", "ASK { ?s ?p ?o }") == line
    code, stdout, stderr = run("export-tables", "--blank", "--out", "blank")
    assert code == 0 and not stderr.startswith("reading")  # reads no records


_CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                              *range(0x80, 0xA0))]


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["title", "description", "publisher", "contact", "keywords"]),
       before=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=5),
       control=st.sampled_from(_CONTROLS))
def test_a_text_setting_holding_a_control_character_is_refused(
        tmp_path_factory: pytest.TempPathFactory, name: str, before: str,
        control: str) -> None:
    """Whatever text setting, whichever control character (XML, so IATI, cannot hold
    them, and records may not either): refused when read, naming the file and setting."""
    value = (before + control + "x").replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in value)
    line = {"publisher": f'publisher = {{ name = "{escaped}" }}',
            "contact": f'contact = {{ name = "{escaped}" }}',
            "keywords": f'keywords = ["migration", "{escaped}"]'}.get(name, f'{name} = "{escaped}"')
    path = tmp_path_factory.mktemp("config") / "coopdata.toml"
    path.write_text(f"[release]\n{line}\n", encoding="utf-8")
    shown = {"publisher": "publisher.name", "contact": "contact.name",
             "keywords": "keywords[1]"}.get(name, name)
    # (a C1 character that is a Windows-1252 character decoded as Latin-1 is mojibake)
    why = r"contains a control character, got .* \[control-character\]" if control < "\x80" \
        else r"(contains a control character, got .* \[control-character\]|looks like " \
             r"mojibake.* \[mojibake\])"
    with pytest.raises(UsageError, match=rf"^{re.escape(str(path))}: {re.escape(shown)} {why}$"):
        load_config(path)


@pytest.mark.parametrize("text", ["Ministry\x0cof X", "Ministère\x85", "a\x00b"])
def test_a_release_given_such_a_configuration_writes_nothing(tmp_path: Path, text: str) -> None:
    with pytest.raises(UsageError, match=r"^the release configuration: publisher\.name "
                                         r"contains a control character"):
        release(tmp_path / "out", FIXTURES / "records", site=False, cache=False,
                config=ReleaseConfig(publisher_name=text))
    assert not (tmp_path / "out").exists()


def test_line_breaks_xml_holds_are_released(tmp_path: Path) -> None:
    """U+2028 and U+2029 are no control characters: a release writes them (its JSON-LD
    catalogue too)."""
    release(tmp_path / "out", FIXTURES / "records", version="1.0.0", site=False, cache=False,
            config=ReleaseConfig(publisher_name="Ministry\u2028of X\u2029"))
    catalogue = Graph().parse(tmp_path / "out" / "1.0.0" / "catalog.jsonld", format="json-ld")
    assert Literal("Ministry\u2028of X\u2029") in set(catalogue.objects())


def test_every_job_given_such_a_configuration_refuses_it(tmp_path: Path) -> None:
    """Not only ``release()``: the IATI export and the site of a release check it too."""
    from coopdata.iati.writing.export import export_file
    from coopdata.release.site import site_for_release

    bad = ReleaseConfig(contact_name="Open data\x1bteam")
    with pytest.raises(UsageError, match=r"contact\.name contains a control character"):
        export_file(FIXTURES / "records", tmp_path / "iati.xml", config=bad)
    assert list(tmp_path.iterdir()) == []
    release(tmp_path / "out", FIXTURES / "records", version="1.0.0", site=False, cache=False)
    with pytest.raises(UsageError, match=r"contact\.name contains a control character"):
        site_for_release(tmp_path / "out" / "1.0.0", config=bad, out=tmp_path / "site")
    assert not (tmp_path / "site").exists()

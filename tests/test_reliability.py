"""Hostile input and faults: every case of docs/reliability.md, each with an exact outcome.

Input must give a clear finding or error, a non-zero exit, nothing written, in bounded
time and memory; a release killed, raced or starved of disk leaves only complete
releases. Every test writes below its own ``tmp_path`` (subprocesses run there too, and
write no bytecode); nothing is fetched from the network.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, refused, write
from coopdata import OutputError, read_record, read_tables
from coopdata.cli import main
from coopdata.model.dataset import Dataset, Record
from coopdata.records.checks import SLUG
from coopdata.records.dataset import check_records
from coopdata.records.load import load
from coopdata.release.build import build, export_tables, import_tables
from coopdata.release.dir import releases_in, verify
from coopdata.release.job import release
from coopdata.tables.layout import guard, tables, unguard

ROOT = Path(__file__).resolve().parents[1]
BOUNDED = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
"""Fuzz settings: a fixed number of examples from a fixed seed (the same in CI), no example
database written into the work tree."""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


problems = refused


def python_env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def in_subprocess(code: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter: a crash (a segfault) cannot take pytest down, and
    a hang ends at ``timeout``."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=python_env())


# --- YAML built to explode -------------------------------------------------------

def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    # the first alias is the anchored node seen again: the finding points at the anchor
    lines = ["id: p", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    assert problems(tmp_path, "\n".join(lines) + "\n") == [
        "2 YAML anchors and aliases are not allowed in records [yaml-alias]"]


def test_deep_nesting_1000_levels(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nx: " + "[" * 1000 + "]" * 1000 + "\n") == [
        "2 nesting deeper than 20 levels [too-deep]"]


def test_nesting_that_would_crash_libyaml_is_refused(tmp_path: Path) -> None:
    # libyaml's composer recurses once a level and crashed the interpreter (SIGSEGV) past
    # some tens of thousands of levels; the loader now measures the depth first.
    code = """if True:
        from pathlib import Path
        from coopdata import read_record
        n = 150_000
        for body in ("x: " + "[" * n + "]" * n, "x:\\n" + "- " * n + "x",
                     "x: " + "{a: " * n + "1" + "}" * n):
            Path("p.yaml").write_text("id: p\\n" + body + "\\n", encoding="utf-8")
            record, findings = read_record(Path("p.yaml"), "project")
            print(record, [(f.line, f.code) for f in findings])
    """
    result = in_subprocess(code, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("None [(2, 'too-deep')]\nNone [(3, 'too-deep')]\n"
                             "None [(2, 'too-deep')]\n")


def test_huge_scalar_is_refused_unread(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\ntitle: {fr: " + "a" * 5_000_000 + "}\n") == [
        "None record files are limited to 1000000 bytes [file-too-large]"]


def test_python_object_tag_builds_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    assert problems(tmp_path, f"id: p\nx: !!python/object/apply:os.system [touch {marker}]\n"
                    ) == ["2 YAML tag tag:yaml.org,2002:python/object/apply:os.system is not "
                          "allowed: records hold plain data [yaml-tag]"]
    assert not marker.exists()


@pytest.mark.parametrize(("text", "line", "tag"), [
    ("id: p\nx: !!binary aGVsbG8=\n", 2, "tag:yaml.org,2002:binary"),
    ("id: p\nbase: {a: 1}\nx:\n  <<: {a: 1}\n", 4, "tag:yaml.org,2002:merge"),
    ("id: p\nx: !!set {a, b}\n", 2, "tag:yaml.org,2002:set"),
    ("id: p\nx: !!omap [a: 1]\n", 2, "tag:yaml.org,2002:omap"),
    ("id: p\nx: !custom 1\n", 2, "!custom"),
    ("id: p\nx: !<tag:yaml.org,2002:python/name:os.system> 1\n", 2,
     "tag:yaml.org,2002:python/name:os.system"),
    ("%TAG !e! tag:yaml.org,2002:python/\n---\nid: p\nx: !e!object/apply:os.system [1]\n", 4,
     "tag:yaml.org,2002:python/object/apply:os.system"),
], ids=["binary", "merge-key", "set", "omap", "custom", "verbatim", "tag-directive"])
def test_tags_are_refused(tmp_path: Path, text: str, line: int, tag: str) -> None:
    assert problems(tmp_path, text) == [
        f"{line} YAML tag {tag} is not allowed: records hold plain data [yaml-tag]"]


@pytest.mark.parametrize(("value", "message"), [
    ("1.0e+999999999", 'the number 1.0E+999999999 is out of range: at most 28 significant '
     "digits, and fewer than 100 digits before or after the point"),
    ("1.5e+999999", "the number 1.5E+999999 is out of range: at most 28 significant digits, "
     "and fewer than 100 digits before or after the point"),
    ("1" * 40, f"the number {'1' * 40} is out of range: at most 28 significant digits, and "
     "fewer than 100 digits before or after the point"),
    ("9" * 5000, f'expected a number, got "{"9" * 100}…" (5000 characters)'),
    ("0x" + "f" * 10_000, f'expected a number, got "0x{"f" * 98}…" (10002 characters)'),
], ids=["overflow", "million-digits", "too-precise", "5000-digits", "huge-hex"])
def test_numbers_too_large_to_write_are_refused(tmp_path: Path, value: str, message: str) -> None:
    assert field_findings(tmp_path, f"budgets:\n  - amount: {value}\n    currency: EUR\n",
                          "budgets[1].amount") == [f"{message} [type-error]"]


def test_huge_integer_in_a_code_field_is_a_finding(tmp_path: Path) -> None:
    # str() of an integer of more than 4,300 digits raises: such an integer stays text.
    assert field_findings(tmp_path, "status: 0x" + "f" * 10_000 + "\n", "status") == [
        f'unknown activity-status code "0x{"f" * 10_000}"; expected one of: cancelled, closed, '
        "finalisation, implementation, pipeline, suspended [unknown-code]"]


def field_findings(tmp_path: Path, fields: str, field: str, kind: str = "project") -> list[str]:
    """The findings about ``field`` of a record made of ``fields``."""
    path = tmp_path / "p.yaml"
    path.write_text("id: p\n" + fields, encoding="utf-8")
    record, findings = read_record(path, kind)
    assert record is not None, findings
    _, findings = check_records([record])
    return [f"{f.message} [{f.code}]" for f in findings if f.field == field]


# --- names that try to escape ----------------------------------------------------

def test_symlinked_record_file_is_not_read(records: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.yaml", "id: outside\nname: Secret\nsources: [doc-a]\n")
    (records / "persons" / "outside.yaml").symlink_to(outside)
    (records / "persons" / "hostname.yaml").symlink_to("/etc/hostname")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 15 records from records",  # (record files: the links are counted, not read)
        "records/persons/hostname.yaml: not read: record files are never symbolic links; copy "
        "the file here instead [symlink-refused]",
        "records/persons/outside.yaml: not read: record files are never symbolic links; copy "
        "the file here instead [symlink-refused]",
        "invalid: 13 records: 2 violations, 0 warnings, 0 infos\n"]))
    assert run("build", "--records", "records", "--out", "out")[0] == 1
    assert not Path("out").exists()


def test_symlink_to_another_record_is_not_read(records: Path) -> None:
    (records / "persons" / "guest-2.yaml").symlink_to(records / "persons" / "guest.yaml")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 14 records from records",  # (record files: the link is counted, not read)
        "records/persons/guest-2.yaml: not read: record files are never symbolic links; copy "
        "the file here instead [symlink-refused]",
        "invalid: 13 records: 1 violation, 0 warnings, 0 infos\n"]))


def test_symlinked_record_folder_is_not_read(records: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(records / "persons", elsewhere)
    (records / "persons").symlink_to(elsewhere, target_is_directory=True)
    code, output = run("validate", "--records", "records")
    assert code == 1
    assert ("records/persons: not read: record folders are never symbolic links; copy the "
            "folder here instead [symlink-refused]\n") in output
    assert "12 records" in output.splitlines()[-1]  # guest.yaml was not read


def test_named_pipe_does_not_hang_the_loader(records: Path) -> None:
    os.mkfifo(records / "persons" / "pipe.yaml")  # reading a FIFO blocks until a writer comes
    (records / "persons" / "folder.yaml").mkdir()
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 15 records from records",  # (entries named *.yaml: counted, not read)
        "records/persons/folder.yaml: not read: not a regular file (a folder, named pipe or "
        "device) [unreadable-file]",
        "records/persons/pipe.yaml: not read: not a regular file (a folder, named pipe or "
        "device) [unreadable-file]",
        "invalid: 13 records: 2 violations, 0 warnings, 0 infos\n"]))


ESCAPING_IDS = [
    ("../../evil", '"../../evil" is not a valid id: use lower-case letters, digits and single '
     "hyphens, at most 80 characters"),
    ("/etc/passwd", '"/etc/passwd" is not a valid id: use lower-case letters, digits and '
     "single hyphens, at most 80 characters"),
    ("a\x00b", '"a\\x00b" is not a valid id: use lower-case letters, digits and single '
     "hyphens, at most 80 characters"),
    ("r\u0435cosa", '"r\\u0435cosa" is not a valid id: use lower-case letters, digits and '
     "single hyphens, at most 80 characters"),  # a Cyrillic е
    ("\uff52\uff45\uff43\uff4f\uff53\uff41", '"\\uff52\\uff45\\uff43\\uff4f\\uff53\\uff41" is '
     "not a valid id: use lower-case letters, digits and single hyphens, at most 80 "
     "characters"),  # fullwidth letters
    ("recosa\n", '"recosa\\n" is not a valid id: use lower-case letters, digits and single '
     "hyphens, at most 80 characters"),
    *((name, f'"{name}" is not a valid id: it names a device on Windows (con, prn, aux, nul, '
       "com0-com9, lpt0-lpt9), so no file can be called after it there")
      for name in ("con", "prn", "aux", "nul", "com0", "com9", "lpt1")),
]


@pytest.mark.parametrize(("record_id", "message"), ESCAPING_IDS,
                         ids=[repr(i) for i, _ in ESCAPING_IDS])
def test_ids_that_try_to_escape_are_invalid(record_id: str, message: str) -> None:
    record = Record("person", record_id, "persons/x.yaml", {"id": record_id, "name": "X"},
                    {"id": 1})
    dataset, findings = check_records([record])
    assert len(dataset) == 0
    assert [(f.code, f.message) for f in findings] == [("invalid-id", message)]


def test_windows_device_name_file_is_refused(records: Path) -> None:
    write(records / "persons" / "con.yaml", "id: con\nname: Console\nsources: [doc-a]\n")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 14 records from records",
        'records/persons/con.yaml:1 con id: "con" is not a valid id: it names a device on '
        "Windows (con, prn, aux, nul, com0-com9, lpt0-lpt9), so no file can be called after "
        "it there [invalid-id]",
        "invalid: 14 records: 1 violation, 0 warnings, 0 infos\n"]))


def test_id_slug_is_ascii_only() -> None:
    # [a-z0-9] in a str pattern is those 36 code points: no look-alike, no other digit.
    matching = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000
                and SLUG.fullmatch(chr(c))]
    assert "".join(matching) == "0123456789abcdefghijklmnopqrstuvwxyz"


def test_control_characters_in_ids_never_reach_the_terminal(records: Path) -> None:
    write(records / "persons" / "x.yaml", 'id: "\\e[31mred\\u202e"\nname: X\nsources: [doc-a]\n')
    code, output = run("validate", "--records", "records")
    assert code == 1 and "\x1b" not in output and "\u202e" not in output
    assert output.startswith(
        "reading 14 records from records\n"
        'records/persons/x.yaml:1 \\x1b[31mred\\u202e id: the id "\\x1b[31mred\\u202e" differs '
        "from the file name; rename the file to \\x1b[31mred\\u202e.yaml or set `id: x` "
        "[id-mismatch]\n")


def persons_table(directory: Path, rows: list[list[str]]) -> None:
    header = next(t for t in tables() if t.name == "persons").header
    export_tables(directory, blank=True)  # every table, for import to accept the package
    with open(directory / "persons.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row + [""] * (len(header) - len(row)))


def test_import_refuses_ids_that_escape_before_writing(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    persons_table(tmp_path / "deep" / "tables", [["../../evil", "Evil"], ["con", "Console"]])
    before = sorted(tmp_path.rglob("*"))
    code, output = run("import", "deep/tables", "--out", "deep/out")
    assert code == 1 and output.endswith("nothing was written\n")
    assert '"../../evil" is not a valid id' in output and '"con" is not a valid id' in output
    assert sorted(tmp_path.rglob("*")) == before  # not evil.yaml, not con.yaml, no deep/out


# --- text that becomes a formula in a spreadsheet --------------------------------

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


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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
    # tests/test_tables.py::test_records_tables_records_round_trip draws text from these
    from strategies import _LETTERS

    assert set("=+-@'") <= set(_LETTERS)


# --- remote contexts and imports -------------------------------------------------

@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to open a connection fails the test (and is recorded)."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise AssertionError(f"network access attempted: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("context", [
    "http://127.0.0.1:9/context.jsonld",
    {"@context": "http://127.0.0.1:9/context.jsonld"},
    {"@context": {"@import": "http://127.0.0.1:9/context.jsonld"}},
    {"@context": ["http://127.0.0.1:9/context.jsonld", {"x": "urn:x:"}]},
], ids=["url", "context-url", "import", "in-a-list"])
def test_remote_json_ld_context_is_never_fetched(no_network: list[str], context: Any) -> None:
    from rdflib import Graph, Literal, URIRef

    from coopdata import UsageError
    from coopdata.rdf.jsonld import compacted

    graph = Graph()
    graph.add((URIRef("urn:x:a"), URIRef("urn:x:p"), Literal("v")))
    with pytest.raises(UsageError) as caught:
        compacted(graph, context=context)
    assert str(caught.value) == ("cannot write JSON-LD with this context: coopdata never "
                                 "fetches JSON-LD documents (http://127.0.0.1:9/context.jsonld)")
    assert no_network == []
    assert compacted(graph)["@context"]  # the published context is local


def test_owl_imports_are_not_followed(no_network: list[str]) -> None:
    from rdflib import Graph

    from coopdata.reference.pyshacl import shacl_results

    data = Graph().parse(data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <http://127.0.0.1:9/data> a owl:Ontology ;
            owl:imports <http://127.0.0.1:9/more.ttl>, <file:///etc/hostname> .
    """, format="turtle")
    assert len(data) == 3  # rdflib reads the triples and follows nothing
    results = shacl_results(data)  # pyshacl: no owl:imports in the data graph
    assert len(results) > 0 and no_network == []


# --- encodings and spreadsheet forms --------------------------------------------

def test_utf16_file_with_byte_order_mark(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\n".encode("utf-16")) == [
        "1 the file is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8; save it as "
        "UTF-8 [not-utf8]"]
    assert problems(tmp_path, "id: p\n".encode("utf-32")) == [
        "1 the file is UTF-32 (it starts with a UTF-32 byte order mark), not UTF-8; save it as "
        "UTF-8 [not-utf8]"]


def test_mixed_encodings(tmp_path: Path) -> None:
    # UTF-8 é on line 2, Latin-1 é on line 3
    assert problems(tmp_path, b"id: p\ntitle: {fr: Caf\xc3\xa9}\nnote: {fr: Caf\xe9}\n") == [
        "3 the file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8 [not-utf8]"]


def test_very_long_line_is_accepted(tmp_path: Path) -> None:
    long_text = "mot " * 50_000  # 200 kB on one line
    assert field_findings(tmp_path, f"description: {{fr: {long_text}}}\n", "description") == []
    # and its CSV cell is read back, though it is larger than csv's default limit
    dataset, _ = load(FIXTURES / "records")
    second = dataset.get("project", "second")
    second.data["description"] = {"fr": long_text.strip()}
    from coopdata import write_package

    (tmp_path / "tables").mkdir()
    write_package(dataset, tmp_path / "tables")
    back, report = read_tables(tmp_path / "tables")
    assert report.valid
    assert back.get("project", "second").data["description"] == {"fr": long_text.strip()}


@pytest.mark.parametrize(("value", "expected"), [
    ('"a\\ud800b"', "None"),  # a lone surrogate: refused by the YAML parser
    ('"a\\x01b"', "text contains a control character [control-character]"),
    ('"a\\x81b"', "text contains a control character [control-character]"),
    ('"a\\x9bb"', 'text looks like mojibake, text decoded with the wrong encoding ("a\x9bb" → '
     '"a›b") [mojibake]'),  # a C1 character that is cp1252 read as Latin-1: its repair
    ('"a\ufffdb"', "text contains U+FFFD (�), the mark a program leaves where it could not "
     "decode a character; copy the text again from the source [mojibake]"),
], ids=["surrogate", "c0-control", "c1-control", "c1-mojibake", "replacement-character"])
def test_unusual_characters_in_values(tmp_path: Path, value: str, expected: str) -> None:
    if expected == "None":
        assert problems(tmp_path, f"id: p\ntitle: {{fr: {value}}}\n") == [
            "2 malformed YAML: found invalid Unicode character escape code [invalid-yaml]"]
    else:
        assert field_findings(tmp_path, f"title: {{fr: {value}}}\n", "title.fr") == [expected]


def test_raw_control_character_and_surrogate_bytes(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nx: é\ntitle: {fr: a\x01b}\n") == [
        "3 malformed YAML: unacceptable character #x0001: control characters are not allowed "
        "[invalid-yaml]"]
    assert problems(tmp_path, b"id: p\ntitle: {fr: \xed\xa0\x80}\n") == [
        "2 the file is not UTF-8: byte 0xed cannot be decoded; save it as UTF-8 [not-utf8]"]


AMOUNTS = ["1,25 M€", "1 250 000", "1.250.000", "€1,250,000", "12%", "(1250)", "١٢٣"]
DATES = {
    "15/03/2018": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "15/03/2018"',
    "2018-3-15": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "2018-3-15"',
    "March 2018": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "March 2018"',
    "2018-03-15T10:00": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "2018-03-15T10:00"',
    "2018-03-15 10:00:00": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got '
                           '"2018-03-15 10:00:00"',
    "43174": 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "43174"',  # a serial number
    "2019-02-30": '"2019-02-30" is not a real date',
}


@pytest.mark.parametrize("amount", AMOUNTS)
def test_spreadsheet_amounts_in_records(tmp_path: Path, amount: str) -> None:
    assert field_findings(tmp_path, f'budgets:\n  - amount: "{amount}"\n    currency: EUR\n',
                          "budgets[1].amount") == [
        f'expected a number, got "{amount}" [type-error]']


@pytest.mark.parametrize("date", DATES)
def test_spreadsheet_dates_in_records(tmp_path: Path, date: str) -> None:
    unquoted = date if date != "March 2018" else f'"{date}"'  # YAML timestamps stay as written
    assert field_findings(tmp_path, f"actual_start: {unquoted}\n", "actual_start") == [
        f"{DATES[date]} [invalid-date]"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("exported") / "tables"
    export_tables(directory, FIXTURES / "records")
    return directory


def edited_copy(exported: Path, target: Path, table: str, column: str, value: str) -> Path:
    shutil.copytree(exported, target)
    path = target / f"{table}.csv"
    rows = csv_rows(path)
    header = list(rows[0])
    rows[[r.get("id", r.get("project")) for r in rows].index("second")][column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.mark.parametrize("amount", [*AMOUNTS, "１２３"])
def test_spreadsheet_amounts_in_tables(exported: Path, tmp_path: Path, amount: str) -> None:
    tables_dir = edited_copy(exported, tmp_path / "t", "project_budgets", "amount", amount)
    _, report = read_tables(tables_dir)
    assert [f"{f.field}: {f.message} [{f.code}]" for f in report.findings] == [
        f'budgets[1].amount: expected a number, got "{amount}" [type-error]']


@pytest.mark.parametrize("date", DATES)
def test_spreadsheet_dates_in_tables(exported: Path, tmp_path: Path, date: str) -> None:
    tables_dir = edited_copy(exported, tmp_path / "t", "projects", "actual_start", date)
    _, report = read_tables(tables_dir)
    assert [f"{f.field}: {f.message} [{f.code}]" for f in report.findings] == [
        f"actual_start: {DATES[date]} [invalid-date]"]


PROJECTS_HEADER = next(t for t in tables() if t.name == "projects").header
HEADER = ",".join(PROJECTS_HEADER)  # (every column must be there: see test_import_tables.py)
FULL_ROW = "second,project" + "," * (len(PROJECTS_HEADER) - 2)


@pytest.mark.parametrize(("content", "message"), [
    (f"{HEADER}\n{FULL_ROW},extra\n", "cannot read the table: line 2 has more cells than "
     f"the header ({len(PROJECTS_HEADER)}); they would be lost"),
    (f"{HEADER}\n\"second\n", None),  # a quote left open runs to the end: one cell
    (f"{HEADER}\nsecond,proj\xe9t\n".encode("latin-1"), "cannot read the table: 'utf-8' codec "
     f"can't decode byte 0xe9 in position {len(HEADER) + 12}: invalid continuation byte"),
    (f"\ufeff{HEADER}\nsecond,project\n", None),
    (f"{HEADER}\nsecond\n", None),  # a short row: its missing cells are empty
    (f"{HEADER}\n{FULL_ROW},,,\n", None),  # empty cells past the header are dropped
], ids=["extra-cells", "open-quote", "latin-1", "bom", "short-row", "trailing-empty"])
def test_malformed_csv(tmp_path: Path, content: str | bytes, message: str | None) -> None:
    (tmp_path / "t").mkdir()
    path = tmp_path / "t" / "projects.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    _, report = read_tables(tmp_path / "t")
    unreadable = [f.message for f in report.findings if f.code == "unreadable-table"]
    assert unreadable == ([message] if message else [])


def test_symlinked_and_special_tables_are_not_read(exported: Path, tmp_path: Path) -> None:
    tables_dir = tmp_path / "t"
    shutil.copytree(exported, tables_dir)
    (tables_dir / "persons.csv").unlink()
    (tables_dir / "persons.csv").symlink_to("/etc/passwd")
    (tables_dir / "sources.csv").unlink()
    os.mkfifo(tables_dir / "sources.csv")
    _, report = read_tables(tables_dir)
    assert sorted((Path(f.path or "").name, f.code, f.message) for f in report.findings) == [
        ("persons.csv", "symlink-refused", "not read: tables are never symbolic links; copy the "
         "file here instead"),
        ("sources.csv", "unreadable-table", "not read: not a regular file (a folder, named pipe "
         "or device)")]


def test_bad_position_cells(exported: Path, tmp_path: Path) -> None:
    for position in ("²", "٣", "9" * 5000, "0", "-1"):
        tables_dir = edited_copy(exported, tmp_path / f"t{len(position)}{ord(position[0])}",
                                 "project_budgets", "position", position)
        _, report = read_tables(tables_dir)
        assert [f.message for f in report.findings] == [
            f'project_budgets.csv row 2: position "{position}" is not a whole number from 1']


# --- fuzzing ---------------------------------------------------------------------

YAML_CHARACTERS = "id: p\n -[]{},'\"#&*!?|>%@`\\\t.0123456789eé\ufeff\x85\u2028<=+"
HOSTILE = ["", " ", "=1+1", "-", "'", "''=", "@x", "\x00", "\x1b[31m", "\ud800", "\ufffd",
           "../../x", "con", "1e999999", "1,25 M€", "2018-3-15", "0x" + "f" * 50, "9" * 5000,
           "é" * 300, "a\nb", "\r\n", '"', "Ã©", "r\u0435cosa", "null", "yes", "<<", "*a", "&a"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def plain_values() -> st.SearchStrategy[Any]:
    scalars = (st.sampled_from(HOSTILE) | st.text(max_size=20) | st.integers()
               | st.floats() | st.booleans() | st.none())
    keys = st.sampled_from(["id", "type", "title", "budgets", "amount", "fr", "en", "status",
                            "actual_start", "countries", "sources", "url", "name"]) | st.text(
        max_size=5)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(keys, inner, max_size=5), max_leaves=20)


def yaml_documents() -> st.SearchStrategy[bytes]:
    structured = plain_values().map(lambda data: yaml.safe_dump(
        data, allow_unicode=True).encode("utf-8", "surrogatepass"))
    scrambled = st.text(YAML_CHARACTERS, max_size=300).map(
        lambda text: text.encode("utf-8", "surrogatepass"))
    return st.binary(max_size=500) | structured | scrambled


@BOUNDED
@given(document=yaml_documents(), kind=st.sampled_from(["project", "person", "event"]))
def test_fuzz_record_loader(scratch: Path, document: bytes, kind: str) -> None:
    path = scratch / "p.yaml"
    path.write_bytes(document)
    record, findings = read_record(path, kind)
    assert all(f.code and f.message for f in findings)
    if record is not None:
        dataset, findings = check_records([record])
        assert all(str(f) for f in findings)


def csv_tables() -> st.SearchStrategy[dict[str, str]]:
    names = [t.name for t in tables()][:8]
    headers = {t.name: t.header for t in tables()}

    @st.composite
    def table(draw: st.DrawFn, name: str) -> str:
        if draw(st.booleans()):  # anything at all
            return draw(st.text(alphabet=",\"\n\r'=-ab1é\ufeff\x00", max_size=200))
        header = headers[name]
        rows = draw(st.lists(st.lists(st.sampled_from(HOSTILE[:-4]) | st.sampled_from(
            ["second", "first", "1", "2", "project", "EUR", "MA"]), min_size=0,
            max_size=len(header) + 2), max_size=4))
        buffer = [",".join(header)]
        for row in rows:
            buffer.append(",".join('"' + cell.replace('"', '""') + '"' for cell in row))
        return "\n".join(buffer) + "\n"

    return st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=4).flatmap(
        lambda chosen: st.fixed_dictionaries({name: table(name) for name in chosen}))


@BOUNDED
@given(csv_tables())
def test_fuzz_csv_reader(scratch: Path, files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as directory:
        for name, content in files.items():
            Path(directory, f"{name}.csv").write_text(content, encoding="utf-8",
                                                      errors="surrogatepass")
        dataset, report = read_tables(directory)
    assert all(str(f) for f in report.findings)
    assert report.valid or len(dataset) == 0 or report.findings


def test_atheris_fuzzes_loader_and_csv_reader(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    (tmp_path / "corpus").mkdir()
    # libFuzzer's RSS limit reads the process's peak RSS, which Linux carries over from the
    # forked test process through exec: the 2 GB the fuzz target may use come on top of it.
    inherited_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "fuzz" / "fuzz_loader.py"), "-runs=2000",
         "-seed=1", f"-artifact_prefix={tmp_path}/", f"-rss_limit_mb={inherited_mb + 2048}",
         "-timeout=20",
         str(tmp_path / "corpus")], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**python_env(), "COOPDATA_FUZZ_DIR": str(tmp_path / "work")})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 2000 runs" in result.stderr


# --- faults: signals, races, a full disk -----------------------------------------

def _embedded_count() -> int:
    from coopdata.model.resources import default_records
    from coopdata.records.files import record_files

    return sum(1 for _ in record_files(default_records()))


EMBEDDED = f"reading {_embedded_count()} records from the embedded dataset\n"
"""The first line on stderr of a command run without --records outside a project (it
reads the embedded dataset)."""


def release_command(out: Path, version: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "coopdata", "release", "--out", str(out), "--version",
            version, *extra]


def assert_only_complete_releases(out: Path, *, settled: bool = True) -> list[str]:
    """Every visible entry of ``out`` is a release that passes its own SHA256SUMS, or what
    stands beside the releases (docs/releases.md): ``latest/``, a real folder holding a
    complete copy of a release, and the series catalogue, as coopdata wrote it (its marker
    lists each file's SHA-256). Once ``settled`` (no release was killed half-way),
    ``latest/`` is the newest release and the catalogue lists every version."""
    from rdflib import Graph
    from rdflib.namespace import DCAT

    from coopdata.release.dir import LATEST, SERIES, SERIES_MARKER

    visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    versions = releases_in(out)
    assert sorted(visible - {LATEST, *SERIES}) == sorted(versions)
    for version in versions:
        assert verify(out / version) == [], version
    latest = out / LATEST
    if latest.exists() or latest.is_symlink() or settled and versions:
        assert latest.is_dir() and not latest.is_symlink()
        assert verify(latest) == []
        copy_of = [v for v in versions if (out / v / "SHA256SUMS").read_bytes()
                   == (latest / "SHA256SUMS").read_bytes()]
        assert copy_of == versions[-1:] if settled else copy_of
    catalogue = visible & set(SERIES)
    if catalogue or settled and versions:
        listed = json.loads((out / SERIES_MARKER).read_text("utf-8"))["files"]
        assert catalogue == set(SERIES) == set(listed) if settled else catalogue <= set(listed)
        for name in catalogue:
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == listed[name], name
    if settled and versions:
        members = Graph().parse(out / "catalog.ttl", format="turtle").objects(None, DCAT.dataset)
        assert sorted(str(m).rsplit("/", 1)[-1] for m in members) == sorted(versions)
    hidden = {p.name for p in out.iterdir() if p.name.startswith(".")}
    assert all(name in (".coopdata-release.lock", SERIES_MARKER) or name.endswith(".partial")
               or not settled and re.fullmatch(rf"\.{LATEST}\..+\.old", name)  # (swap)
               for name in hidden), hidden
    return versions


def staging(out: Path, version: str) -> list[Path]:
    return list(out.glob(f".{version}.*.partial"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=lambda s: s.name)
def test_release_killed_at_random_moments_leaves_only_complete_releases(
        tmp_path: Path, sig: signal.Signals) -> None:
    rng = random.Random(f"coopdata-reliability-{sig.name}")  # seeded: the same moments in CI
    out = tmp_path / "releases"
    for attempt, phase in enumerate(("validating", "writing", "writing")):
        version = f"{attempt + 1}.0.0"
        process = subprocess.Popen(release_command(out, version), cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=python_env())
        if phase == "validating":
            time.sleep(rng.uniform(0.2, 1.0))
        else:  # once the release is being written, at a random point of the writing
            deadline = time.monotonic() + 60
            while not staging(out, version) and process.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.8))
        process.send_signal(sig)
        process.wait(timeout=60)
        if out.exists():
            assert_only_complete_releases(out, settled=False)
    # the next release removes what the killed ones left, and publishes completely
    result = subprocess.run(release_command(out, "9.0.0", "--no-site"), cwd=tmp_path,
                            capture_output=True, text=True, env=python_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "9.0.0" in assert_only_complete_releases(out)
    assert list(out.glob(".*.partial")) == []


def test_release_refused_while_another_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    out.mkdir()
    with open(out / ".coopdata-release.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert run("release", "--records", str(FIXTURES / "records"), "--out", str(out),
                   "--version", "1.0.0") == (
            1, f"reading 13 records from {FIXTURES / 'records'}\n"
               f"Error: another release is being written into {out}; try again when it has "
               "finished\n")
    assert sorted(p.name for p in out.iterdir()) == [".coopdata-release.lock"]


@pytest.mark.parametrize("versions", [("1.0.0", "2.0.0"), ("1.0.0", "1.0.0")],
                         ids=["different-versions", "same-version"])
def test_two_releases_started_at_once(tmp_path: Path, versions: tuple[str, str]) -> None:
    out = tmp_path / "releases"
    processes = [subprocess.Popen(release_command(out, version, "--no-site"), cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=python_env()) for version in versions]
    results = [(p.returncode, err) for p in processes
               for _, err in [p.communicate(timeout=120)]]
    locked = (f"{EMBEDDED}Error: another release is being written into {out}; try again "
              "when it has finished\n")
    exists = (f"{EMBEDDED}Error: release 1.0.0 already exists in {out}; releases are never "
              "overwritten: choose another --version\n")
    winners = [err for code, err in results if code == 0]
    losers = [(code, err) for code, err in results if code != 0]
    assert winners, results
    assert all(code == 1 and err in (locked, exists) for code, err in losers), losers
    published = assert_only_complete_releases(out)
    assert len(published) == len(winners)  # the same version is never published twice
    if len(published) == 2:  # one after the other: the later names the earlier as previous
        previous = {v: json.loads((out / v / "release.json").read_text("utf-8"))["previous"]
                    for v in published}
        assert previous in ({"1.0.0": None, "2.0.0": "1.0.0"}, {"2.0.0": None, "1.0.0": "2.0.0"})


def test_release_while_another_validates_is_refused(tmp_path: Path) -> None:
    """A release holds the lock from the start (it writes while it validates): another
    one started meanwhile is refused at once; started afterwards, it names the first as
    previous."""
    out = tmp_path / "releases"
    records = FIXTURES / "records"
    refused: list[str] = []

    def meanwhile(step: str) -> None:  # another release starts while this one validates
        if step == "shacl" and not refused:
            with pytest.raises(OutputError) as caught:
                release(out, records, version="1.1.0", date="2026-11-24", site=False)
            refused.append(str(caught.value))

    release(out, records, version="1.0.0", date="2026-11-23", progress=meanwhile, site=False)
    assert refused == [f"another release is being written into {out}; try again when it "
                       "has finished"]
    release(out, records, version="1.1.0", date="2026-11-24", site=False)
    info = json.loads((out / "1.1.0" / "release.json").read_text("utf-8"))
    assert info["previous"] == "1.0.0"
    assert (out / "1.1.0" / "CHANGELOG.md").read_text("utf-8").startswith(
        "# Changes in 1.1.0 since 1.0.0\n")
    assert assert_only_complete_releases(out) == ["1.0.0", "1.1.0"]


def _limit_file_size() -> None:  # runs in the child, before coopdata starts
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # graph.ttl is larger


def test_release_on_a_full_disk_fails_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    result = subprocess.run(release_command(out, "1.0.0"), cwd=tmp_path, capture_output=True,
                            text=True, env=python_env(), timeout=120,
                            preexec_fn=_limit_file_size)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{EMBEDDED}Error: cannot write the release into {out}: File too large; "
               "nothing was published\n")
    assert not out.exists()  # made for the release, and taken away with it


def test_build_on_a_full_disk_fails_cleanly(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "coopdata", "build", "--out", "out"],
                            cwd=tmp_path, capture_output=True, text=True, env=python_env(),
                            timeout=120, preexec_fn=_limit_file_size)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{EMBEDDED}Error: cannot write out: File too large\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 200 kB tmpfs mounted in ``tmp_path`` (needs root with the right to mount)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_release_on_a_small_filesystem_fails_cleanly(small_filesystem: Path) -> None:
    out = small_filesystem / "releases"
    result = subprocess.run(release_command(out, "1.0.0"), cwd=small_filesystem.parent,
                            capture_output=True, text=True, env=python_env(), timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{EMBEDDED}Error: cannot write the release into {out}: No space left on "
               "device; nothing was published\n")
    assert not out.exists()  # made for the release, and taken away with it
    assert shutil.disk_usage(small_filesystem).used < 100_000  # the staging was removed


# --- the table of docs/reliability.md --------------------------------------------

def test_every_case_in_the_reliability_table_names_a_test_that_exists() -> None:
    import ast

    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("|")
            and not re.fullmatch(r"\|[-| :]+\|", line)][1:]  # the header row is first
    assert len(rows) > 30
    defined: dict[str, set[str]] = {}
    named: set[tuple[str, str]] = set()
    for row in rows:
        references = re.findall(r"`tests/(test_\w+\.py)::(test_\w+)`", row)
        assert references, f"a row names no test: {row}"
        for file, test in references:
            if file not in defined:
                tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
                defined[file] = {node.name for node in ast.walk(tree)
                                 if isinstance(node, ast.FunctionDef)}
            assert test in defined[file], f"docs/reliability.md names a missing test: {test}"
            named.add((file, test))
    here = {(Path(__file__).name, name) for name in defined.get(Path(__file__).name, set())
            if name.startswith("test_")}
    assert here - named == set(), "tests of this file that the table does not list"

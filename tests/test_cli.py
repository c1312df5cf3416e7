"""The command line: exact output and exit codes for good and bad records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdata.cli import main
from tests.conftest import write

SECOND = "records/projects/second.yaml"
READING = "reading 13 records from records\n"
"""The first line of every command that reads records (on stderr, which CliRunner mixes
into ``result.output``): which records it reads."""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_validate_clean(records: Path) -> None:
    assert run("validate", "--records", "records") == (
        0, READING + "valid: 13 records: 0 violations, 0 warnings, 0 infos\n")


def test_validate_json(records: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--records", "records", "--format", "json"])
    assert result.exit_code == 0
    assert result.stderr == READING  # stdout holds nothing but the JSON report
    assert json.loads(result.stdout) == {"valid": True, "records": 13, "findings": [],
                                  "counts": {"violation": 0, "warning": 0, "info": 0}}


BAD_INPUTS = [
    ("amount: 1250000", 'amount: "4,1 M"',
     f'{SECOND}:16 second budgets[1].amount: expected a number, got "4,1 M" [type-error]'),
    ("status: implementation", "status: ongoing",
     f'{SECOND}:11 second status: unknown activity-status code "ongoing"; expected one of: '
     "cancelled, closed, finalisation, implementation, pipeline, suspended [unknown-code]"),
    ("role: accountable", "role: lead",
     f'{SECOND}:24 second participations[1].role: unknown participation-role code "lead"; '
     "expected one of: accountable, beneficiary, extending, funding, implementing, partner, "
     "steering-committee [unknown-code]"),
    ("countries: [MA, SN]", "countries: [MOR, SN]",
     f'{SECOND}:28 second countries[1]: unknown country "MOR": use an ISO 3166-1 alpha-2 code '
     'such as "MA" [unknown-country]'),
    ("currency: EUR", "currency: EURO",
     f'{SECOND}:17 second budgets[1].currency: unknown currency "EURO": use an ISO 4217 code '
     'such as "EUR" [unknown-currency]'),
    ("funder: agency", "funder: agencyy",
     f'{SECOND}:18 second budgets[1].funder: no organisation "agencyy" (did you mean "agency"?) '
     "(expected organisations/agencyy.yaml) [missing-reference]"),
    ('actual_start: "2018-03-15"', 'actual_start: "2019-02-30"',
     f'{SECOND}:13 second actual_start: "2019-02-30" is not a real date [invalid-date]'),
    ('actual_start: "2018-03-15"', 'actual_start: "15/03/2018"',
     f'{SECOND}:13 second actual_start: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got '
     '"15/03/2018" [invalid-date]'),
    ("description: {fr: Un projet de test.}", "description: {fr: RĂ©sultat attendu}",
     f'{SECOND}:7 second description.fr: text looks like mojibake, text decoded with the wrong '
     'encoding ("RĂ©sultat" → "Résultat") [mojibake]'),
    ("  - amount: 2.5\n", "  - amount: 2.5\n    amont: 3\n",
     f'{SECOND}:21 second budgets[2].amont: unknown field "amont" (did you mean "amount"?) '
     "[unknown-field]"),
    ("title:\n  fr: Deuxième projet\n  en: Second project\n", "",
     f'{SECOND}:1 second title: "title" is required [missing-field]'),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD_INPUTS,
                         ids=[case[2].split("[")[-1].rstrip("]") + f"-{n}"
                              for n, case in enumerate(BAD_INPUTS)])
def test_bad_input_is_reported_and_nothing_is_built(records: Path, old: str, new: str,
                                                    expected: str) -> None:
    replace_in(records / "projects" / "second.yaml", old, new)
    assert run("validate", "--records", "records") == (
        1, f"{READING}{expected}\ninvalid: 13 records: 1 violation, 0 warnings, 0 infos\n")
    code, output = run("build", "--records", "records", "--out", "out")
    assert code == 1
    assert output.endswith("nothing was written\n")
    assert not Path("out").exists()


def test_duplicate_id(records: Path) -> None:
    write(records / "persons" / "guest-2.yaml",
          (records / "persons" / "guest.yaml").read_text(encoding="utf-8"))
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 14 records from records",
        'records/persons/guest-2.yaml:1 guest id: the person id "guest" is already used by '
        "records/persons/guest.yaml [duplicate-id]",
        'records/persons/guest-2.yaml:1 guest id: the id "guest" differs from the file name; '
        "rename the file to guest.yaml or set `id: guest-2` [id-mismatch]",
        "invalid: 14 records: 2 violations, 0 warnings, 0 infos\n"]))


def test_not_utf8_and_malformed_yaml(records: Path) -> None:
    (records / "persons" / "bad.yaml").write_bytes("id: bad\nname: Andr\xe9\n".encode("latin-1"))
    write(records / "persons" / "broken.yaml", "id: broken\nname: [x\n")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 15 records from records",  # (files: two of them hold no record)
        "records/persons/bad.yaml:2: the file is not UTF-8: byte 0xe9 cannot be decoded; save it "
        "as UTF-8 [not-utf8]",
        "records/persons/broken.yaml:3: malformed YAML: did not find expected ',' or ']' "
        "[invalid-yaml]",
        "invalid: 13 records: 2 violations, 0 warnings, 0 infos\n"]))


def test_missing_records_directory_is_a_usage_error(tmp_path: Path) -> None:
    assert run("validate", "--records", str(tmp_path / "none")) == (
        2, f"Error: no records directory at {tmp_path / 'none'}\n")


def test_build_writes_graph_and_tables(records: Path) -> None:
    code, output = run("build", "--records", "records", "--out", "out")
    assert code == 0, output
    assert output.startswith(READING + "built 13 records into out: ")
    assert (Path("out") / "graph.ttl").is_file()
    assert (Path("out") / "tables" / "datapackage.json").is_file()
    assert (Path("out") / "tables" / "projects.csv").read_text(encoding="utf-8").startswith(
        "id,type,title_en,title_fr,")


def test_strict_fails_on_warnings(records: Path) -> None:
    write(records / "stray" / "x.yaml", "id: x\n")
    assert run("validate", "--records", "records") == (0, "\n".join([
        "reading 13 records from records",  # (only the files in record folders)
        "records/stray: not read: record folders are sources, organisations, persons, strategies,"
        " projects, agreements, events [ignored-folder] (warning)",
        "valid: 13 records: 0 violations, 1 warning, 0 infos\n"]))
    assert run("validate", "--records", "records", "--strict")[0] == 1


def test_help_and_version() -> None:
    code, output = run("--help")
    assert code == 0 and "validate" in output and "build" in output
    assert run("--version") == (0, "coopdata, version 0.1.0\n")


@pytest.mark.parametrize("url", ['http://[::1', 'https://example.org/a"b', "ftp://example.org"])
def test_bad_urls_are_findings_not_crashes(records: Path, url: str) -> None:
    replace_in(records / "projects" / "second.yaml", "url: https://example.org/second",
               f"url: '{url}'")
    assert run("validate", "--records", "records") == (1, "\n".join([
        READING.rstrip(),
        f'{SECOND}:51 second url: expected an http(s) URL, got "{url}" [invalid-url]',
        "invalid: 13 records: 1 violation, 0 warnings, 0 infos\n"]))


def test_yaml_booleans_get_a_hint(records: Path) -> None:
    replace_in(records / "persons" / "guest.yaml", "country: SE", "country: NO")
    code, output = run("validate", "--records", "records")
    assert code == 1
    assert output.startswith(
        READING + "records/persons/guest.yaml:6 guest country: expected text, got false: "
        "YAML reads unquoted yes, no, on, off, true and false as booleans; put the value in quotes "
        '(country: "NO") [type-error]\n')


def test_out_never_replaces_a_directory_it_did_not_write(records: Path) -> None:
    write(Path("precious") / "notes.txt", "keep me")
    assert run("build", "--records", "records", "--out", "precious") == (
        2, READING + "Error: precious already holds notes.txt, a file that coopdata did not "
           "write (no .coopdata-output.json lists it): coopdata replaces only what it wrote "
           "itself; choose a new directory, or move that away\n")
    assert run("build", "--records", "records", "--out", "records")[0] == 2
    assert run("export-tables", "--records", "records", "--out", "precious")[0] == 2
    assert Path("precious/notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (records / "projects" / "second.yaml").exists()
    assert run("build", "--records", "records", "--out", "out")[0] == 0
    assert run("build", "--records", "records", "--out", "out")[0] == 0  # its own output


def test_export_refuses_records_it_would_lose_values_of(records: Path) -> None:
    replace_in(records / "projects" / "second.yaml", "amount: 1250000", 'amount: "4,1 M"')
    code, output = run("export-tables", "--records", "records", "--out", "tables")
    assert code == 1 and output.endswith("nothing was written\n")
    assert not Path("tables").exists()


def test_strict_verdict_line(records: Path) -> None:
    write(records / "stray" / "x.yaml", "id: x\n")
    assert run("validate", "--records", "records", "--strict")[1].endswith(
        "invalid: 13 records: 0 violations, 1 warning, 0 infos\n")

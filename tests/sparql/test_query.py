"""``coopdata query``: SPARQL on the embedded data, a records directory or a release;
exact output in every format, and exact messages for what cannot be run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from coopdata.cli import main
from tests.conftest import FIXTURES

RECORDS = str(FIXTURES / "records")
ID = "https://w3id.org/coopdata/id/"
COOP = "https://w3id.org/coopdata/vocab#"

BUDGETS = """PREFIX coop: <https://w3id.org/coopdata/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?budget ?amount ?currency ?note WHERE {
  ?budget a coop:Budget ; schema:value ?amount ; schema:currency ?currency .
  OPTIONAL { ?budget rdfs:comment ?note }
} ORDER BY ?budget
"""

TABLE = """\
budget                        amount  currency  note
---------------------------  -------  --------  ---------------------
id:project/second/budgets/1  1250000  EUR       1.25 millions d’euros
id:project/second/budgets/2      2.5  USD
2 rows
"""

FOLLOWS = ("PREFIX coop: <https://w3id.org/coopdata/vocab#> "
           "CONSTRUCT { ?successor coop:follows ?predecessor } "
           "WHERE { ?successor coop:follows ?predecessor }")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["query", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    if "--release" in args or not result.stderr.startswith("reading "):
        return result.exit_code, result.output
    first, rest = result.output.split("\n", 1)  # which records: checked, then left out
    assert re.fullmatch(r"reading \d+ records from .+", first), first
    return result.exit_code, rest


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from coopdata.release.job import release

    result = release(tmp_path_factory.mktemp("releases"), records=FIXTURES / "records",
                     version="1.0.0", date="2026-11-23")
    return result.directory


def test_select_as_a_table() -> None:
    assert run("--records", RECORDS, BUDGETS) == (0, TABLE)
    assert run("--records", RECORDS, BUDGETS, "--format", "table") == (0, TABLE)


def test_select_as_csv() -> None:
    # SPARQL CSV ends lines with CRLF; CliRunner.output would show them as LF
    result = CliRunner().invoke(main, ["query", "--records", RECORDS, BUDGETS, "--format", "csv"])
    assert (result.exit_code, result.stdout_bytes.decode("utf-8")) == (0, (
        "budget,amount,currency,note\r\n"
        f"{ID}project/second/budgets/1,1250000,EUR,1.25 millions d’euros\r\n"
        f"{ID}project/second/budgets/2,2.5,USD,\r\n"))


def test_select_as_tsv() -> None:
    decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    assert run("--records", RECORDS, BUDGETS, "--format", "tsv") == (0, (
        "?budget\t?amount\t?currency\t?note\n"
        f'<{ID}project/second/budgets/1>\t"1250000"^^{decimal}\t"EUR"\t'
        '"1.25 millions d’euros"@fr\n'
        f'<{ID}project/second/budgets/2>\t2.5\t"USD"\t\n'))


def test_select_as_json() -> None:
    code, output = run("--records", RECORDS, BUDGETS, "--format", "json")
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    assert code == 0 and output.endswith("}\n")
    assert json.loads(output) == {
        "head": {"vars": ["budget", "amount", "currency", "note"]},
        "results": {"bindings": [
            {"budget": {"type": "uri", "value": f"{ID}project/second/budgets/1"},
             "amount": {"type": "literal", "value": "1250000", "datatype": decimal},
             "currency": {"type": "literal", "value": "EUR"},
             "note": {"type": "literal", "value": "1.25 millions d’euros", "xml:lang": "fr"}},
            {"budget": {"type": "uri", "value": f"{ID}project/second/budgets/2"},
             "amount": {"type": "literal", "value": "2.5", "datatype": decimal},
             "currency": {"type": "literal", "value": "USD"}}]}}


def test_table_of_no_rows_and_of_one_row() -> None:
    none = "SELECT ?s ?label WHERE { ?s <urn:x:nothing> ?label }"
    assert run("--records", RECORDS, none) == (0, "s  label\n-  -----\n0 rows\n")
    one = ("PREFIX coop: <https://w3id.org/coopdata/vocab#> "
           "SELECT ?country (COUNT(*) AS ?n) WHERE { ?p coop:recipientCountry ?country } "
           "GROUP BY ?country ORDER BY ?country LIMIT 1")
    assert run("--records", RECORDS, one) == (0, "country      n\n-----------  -\n"
                                                  "country:MAR  1\n1 row\n")


@pytest.mark.parametrize(("query", "answer"), [
    (f"ASK {{ <{ID}project/second> <{COOP}follows> <{ID}project/first> }}", "true"),
    (f"ASK {{ <{ID}project/first> <{COOP}follows> <{ID}project/second> }}", "false"),
])
def test_ask(query: str, answer: str) -> None:
    assert run("--records", RECORDS, query) == (0, f"{answer}\n")
    assert run("--records", RECORDS, query, "--format", "csv") == (0, f"{answer}\n")
    code, output = run("--records", RECORDS, query, "--format", "json")
    assert (code, json.loads(output)) == (0, {"head": {}, "boolean": answer == "true"})


def expected_follows() -> Graph:
    graph = Graph()
    graph.add((URIRef(f"{ID}project/second"), URIRef(f"{COOP}follows"),
               URIRef(f"{ID}project/first")))
    return graph


def test_construct_as_turtle() -> None:
    code, output = run("--records", RECORDS, FOLLOWS)
    assert code == 0 and output.startswith("@prefix coop: <https://w3id.org/coopdata/vocab#> .")
    assert isomorphic(Graph().parse(data=output, format="turtle"), expected_follows())
    assert run("--records", RECORDS, FOLLOWS, "--format", "turtle") == (0, output)


def test_construct_as_jsonld() -> None:
    code, output = run("--records", RECORDS, FOLLOWS, "--format", "jsonld")
    assert code == 0
    document = json.loads(output)
    assert document["follows"] == ["coopid:project/first"]  # the published context's terms
    assert isomorphic(Graph().parse(data=output, format="json-ld"), expected_follows())


def test_describe_keeps_literals() -> None:
    code, output = run("--records", RECORDS, f"DESCRIBE <{ID}project/second/budgets/1>")
    assert code == 0
    graph = Graph().parse(data=output, format="turtle")
    values = {str(o) for o in graph.objects(None, URIRef("https://schema.org/value"))}
    assert values == {"1250000.0"} and len(graph) == 5


def test_query_file(tmp_path: Path) -> None:
    path = tmp_path / "budgets.rq"
    path.write_text(BUDGETS, encoding="utf-8")
    assert run("--records", RECORDS, str(path)) == (0, TABLE)


def test_release(published: Path) -> None:
    assert run("--release", str(published), BUDGETS) == (0, TABLE)


def test_embedded_dataset() -> None:
    code, output = run(f"ASK {{ <{ID}project/recosa> a <{COOP}Project> }}")
    assert (code, output) == (0, "true\n")


@pytest.mark.parametrize(("query", "message"), [
    ("PREFIX coop: <https://w3id.org/coopdata/vocab#>\nSELECT * WHERE {\n"
     "  ?s a coop:Project ;\n     dct:title ?t .\n}",
     'line 4, column 6: unknown prefix "dct:"'),
    # the parser itself reports this one as "expected OPTIONAL" at the end of the line
    ('PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s a ex:Thing ; ex2:p "a:b" }',
     'line 2, column 34: unknown prefix "ex2:"'),
    ("SELECT (SUM(?x) AS ?y) ?z WHERE { ?s ?p ?x }",
     "line 1, column 45: the SELECT contains a variable that is unbound"),
    ("SELECT * WHERE { ?s ?p ?o ",
     'line 1, column 27: expected one of ",", ".", ";", "{", "{|", "}", "~", [_]'),
])
def test_malformed_query_names_line_and_column(query: str, message: str) -> None:
    assert run("--records", RECORDS, query) == (2, f"Error: malformed query: {message}\n")


def test_malformed_query_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?s WHERE {\n  ?s a\n    foaf:Person .\n}\n", encoding="utf-8")
    assert run("--records", RECORDS, str(path)) == (
        2, 'Error: malformed query: line 3, column 5: unknown prefix "foaf:"\n')


def test_unknown_release(tmp_path: Path) -> None:
    assert run("--release", str(tmp_path), BUDGETS) == (
        2, f"Error: {tmp_path} is not a coopdata release: it has no graph.nt\n")
    missing = tmp_path / "missing"
    assert run("--release", str(missing), BUDGETS) == (
        2, f"Error: {missing} is not a coopdata release: it has no graph.nt\n")


def test_unreadable_query_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.rq"
    assert run("--records", RECORDS, str(missing)) == (
        2, f"Error: cannot read the query file {missing}: No such file or directory\n")
    assert run("--records", RECORDS, str(tmp_path)) == (
        2, f"Error: cannot read the query file {tmp_path}: Is a directory\n")
    binary = tmp_path / "latin1.rq"
    binary.write_bytes("SELECT * WHERE { ?s ?p \"é\" }".encode("latin-1"))
    assert run("--records", RECORDS, str(binary)) == (
        2, f"Error: cannot read the query file {binary}: it is not UTF-8 text\n")


def test_format_must_suit_the_query_form() -> None:
    assert run("--records", RECORDS, BUDGETS, "--format", "turtle") == (
        2, "Error: --format turtle does not suit SELECT and ASK queries: use table, csv, tsv "
           "or json\n")
    assert run("--records", RECORDS, FOLLOWS, "--format", "csv") == (
        2, "Error: --format csv does not suit CONSTRUCT and DESCRIBE queries: use turtle or "
           "jsonld\n")


def test_release_and_records_exclude_each_other(tmp_path: Path) -> None:
    assert run("--release", str(tmp_path), "--records", RECORDS, BUDGETS) == (
        2, "Error: use --release or --records, not both\n")

"""Regenerate the files derived from the record spec, the vocabulary and the CLI.

    python tools/generate.py          # rewrite them
    python tools/generate.py --check  # exit 1 if any is out of date (the tests run this)

Derived files: ``datapackage/*.json`` (table schemas), ``docs/reference/records.md``
(every field of every kind), ``docs/reference/vocabulary.md`` (from schema/vocab.ttl),
``docs/reference/cli.md`` (from each command's --help) and ``docs/queries.md`` (the
queries of ``docs/queries/`` with their answers on the embedded dataset).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def records_reference() -> str:
    from coopdata.model import codes
    from coopdata.model.spec import KINDS, Field

    lines = ["# Record reference", "",
             "Generated from `src/coopdata/model/spec.py` by `tools/generate.py`; do not edit.", "",
             "Every record is `records/<folder>/<id>.yaml` and starts with `id: <id>`.", ""]

    def rows(fields: tuple[Field, ...], prefix: str = "") -> list[str]:
        out = []
        for spec in fields:
            kind = spec.type + (f" → {spec.ref}" if spec.ref else "") + \
                (f" ({', '.join(codes.schemes()[spec.scheme])})" if spec.scheme else "")
            kind = f"list of {kind}" if spec.many else kind
            required = "yes" if spec.required else ""
            out.append(f"| `{prefix}{spec.name}` | {kind} | {required} | `{spec.predicate}` | "
                       f"{spec.doc} |")
            if spec.type == "object":
                out.extend(rows(spec.fields, f"{prefix}{spec.name}[].") if spec.many
                           else rows(spec.fields, f"{prefix}{spec.name}."))
        return out

    for kind in KINDS.values():
        lines += [f"## {kind.name} (`records/{kind.folder}/`)", "", kind.doc, "",
                  f"RDF class `{kind.node_class}`; label from `{kind.label_field}`.", "",
                  "| field | type | required | RDF property | meaning |",
                  "|---|---|---|---|---|", *rows(kind.fields), ""]
    return "\n".join(lines)


def vocabulary_reference() -> str:
    from rdflib import OWL, RDF, RDFS, Graph, URIRef

    graph = Graph().parse(ROOT / "schema" / "vocab.ttl")
    vocab = "https://w3id.org/coopdata/vocab#"
    lines = ["# Vocabulary reference", "",
             "Generated from `schema/vocab.ttl` by `tools/generate.py`; do not edit.", "",
             f"Namespace: `{vocab}` (prefix `coop:`).", ""]

    def text(term: URIRef, predicate: URIRef, lang: str) -> str:
        values = [str(v) for v in graph.objects(term, predicate) if getattr(v, "language", None)
                  == lang]
        return values[0].replace("|", "\\|").replace("\n", " ") if values else ""

    def curie(term: object) -> str:
        return graph.namespace_manager.normalizeUri(term)  # type: ignore[arg-type]

    sections = [("Classes", [OWL.Class, RDFS.Class]),
                ("Properties", [OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property,
                                OWL.AnnotationProperty])]
    for title, types in sections:
        terms = sorted({t for ty in types for t in graph.subjects(RDF.type, ty)
                        if isinstance(t, URIRef) and str(t).startswith(vocab)}, key=str)
        lines += [f"## {title}", "", "| term | label (en / fr) | definition | links |",
                  "|---|---|---|---|"]
        for term in terms:
            links = []
            for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                              OWL.inverseOf):
                for value in sorted(graph.objects(term, predicate), key=str):
                    if isinstance(value, URIRef):
                        links.append(f"{curie(predicate)} {curie(value)}")
            lines.append(f"| `{curie(term)}` | {text(term, RDFS.label, 'en')} / "
                         f"{text(term, RDFS.label, 'fr')} | {text(term, RDFS.comment, 'en')} | "
                         f"{'; '.join(links)} |")
        lines.append("")
    return "\n".join(lines)


def cli_reference() -> str:
    import click

    from coopdata.cli import main

    lines = ["# Command-line reference", "",
             "Generated from `coopdata --help` by `tools/generate.py`; do not edit.", ""]
    context = click.Context(main, info_name="coopdata", terminal_width=100, max_content_width=100)
    lines += ["## coopdata", "", "```", main.get_help(context), "```", ""]
    for name in sorted(main.commands):
        command = main.commands[name]
        sub = click.Context(command, info_name=name, parent=context,
                            terminal_width=100, max_content_width=100)
        lines += [f"## coopdata {name}", "", "```", command.get_help(sub), "```", ""]
    return "\n".join(lines)


QUERIES = ROOT / "docs" / "queries"


def query_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines a query file starts with (``title``, ``question``)."""
    header = {}
    for line in text.splitlines():
        key, sep, value = line.removeprefix("#").partition(":")
        if not line.startswith("# ") or not sep or " " in key.strip():
            break
        header[key.strip()] = value.strip()
    return header


QUERIES_INTRO = """# SPARQL query library

Generated from `docs/queries/` by `tools/generate.py`; do not edit.

Each query answers one question about the data. Run one on the embedded dataset with

```sh
coopdata query docs/queries/<name>.rq
```

Add `--release DIR/VERSION` to query a release instead, and `--format csv` (or `tsv`,
`json`) for machine-readable results. The queries declare their prefixes, so they run
unchanged on any SPARQL endpoint that serves the graph.

The answers below are those of the embedded dataset, as `coopdata query` prints them:
literals by their lexical form, IRIs shortened with the prefixes of
[the model](model.md), plus `id:` for `https://w3id.org/coopdata/id/` and `language:`
for `http://publications.europa.eu/resource/authority/language/`. Decimals print in
pyoxigraph's canonical form (`4100000`) where `graph.ttl` and the tables write
`4100000.0`: the same `xsd:decimal` value.

`docs/queries/<name>.csv` holds each expected answer as SPARQL CSV results, checked by
hand against the records; the tests run every query with `coopdata query`, and after
`coopdata push` on a real Oxigraph server (`tests/sparql/test_queries_oxigraph.py`) and on a
real Virtuoso Open Source 7.2 (Debian's `virtuoso-opensource`,
`tests/sparql/test_queries_virtuoso.py`), each over HTTP with `default-graph-uri` and with
`FROM`, and compare its answer with it.

## Running the queries in a triple store

`coopdata query` puts the graph in the store's default graph, and the queries read the
default graph. [`coopdata push`](push.md) puts each version in a **named graph** of its
own, `https://w3id.org/coopdata/graph/VERSION`, and leaves the default graph alone: on
a store whose default graph is just that (Oxigraph's `/query`, Fuseki's default
dataset) the queries find nothing. Tell the store which graph to read, in one of two ways:

- in the request, with the SPARQL protocol's `default-graph-uri` parameter; the query
  stays as it is:

  ```sh
  curl -H 'Accept: text/csv' \\
    --data-urlencode default-graph-uri=https://w3id.org/coopdata/graph/1.0.0 \\
    --data-urlencode query@docs/queries/budget-per-funder.rq \\
    http://127.0.0.1:7878/query
  ```

  (SPARQLWrapper: `sparql.addDefaultGraph("https://w3id.org/coopdata/graph/1.0.0")`);
- in the query, with `FROM <https://w3id.org/coopdata/graph/1.0.0>` on a line of its
  own just before the first `WHERE` (the outer query's; sub-selects take no `FROM`).

Give one of the two, not both: where both are given the request's parameter wins.

**Several versions in one store.** A store that reads the union of its named graphs by
default (Oxigraph with `--union-default-graph` or the `union-default-graph` parameter,
Virtuoso without `FROM`, GraphDB and RDF4J, Fuseki with `unionDefaultGraph`) sees
each version's copy of every fact. The queries keep each budget and funder once before
they add up amounts, so two identical versions give the right totals; but an amount
that changed between versions is counted under both, and a query that joins several
patterns without such a step returns each row once per combination of copies (two
versions and nine joined patterns: 2⁹ = 512 times). Address one version as above, or
push every version to the same graph (`--graph https://w3id.org/coopdata/graph/latest`)
to keep only one.

**Virtuoso.** Its `/sparql` endpoint takes `default-graph-uri` and `FROM` as above.
The queries are written in the SPARQL that Virtuoso evaluates as the other engines do:
a property path with `*` goes into a sub-select of its own rather than beside
`OPTIONAL`s (Virtuoso 7.2 drops rows of a `?a dct:replaces* ?b` joined with
`OPTIONAL`s: 2 of the 6 rows of
[Organisations renamed or replaced](#organisations-renamed-or-replaced)), and
alternatives are plain `UNION` branches rather than an `OPTIONAL { { … } UNION { … } }`
(which bound nothing on Virtuoso at 10,000 projects). Write your own queries the same
way. Two traits remain: booleans come back as `1` and `0`
(`atLeast` of [Expected results with quantified targets](#expected-results-with-targets)
reads `1` for `true`); and an answer is cut at 10,000 rows (`ResultSetMaxRows` in
`virtuoso.ini`) **without an error**: only the `X-SPARQL-MaxRows` response header says
so. Check that header, or read a long answer in pages (`ORDER BY` with `LIMIT` and
`OFFSET`).

**At scale.** Each query runs in under 2 s on 10,000 synthetic projects (525,000
triples) with `coopdata query` (`benchmarks/queries.py`; figures in
[performance](performance.md#the-query-library-at-10000-projects)). They pair things
up in a `SELECT DISTINCT` sub-select before looking up names, exclude with `MINUS`
(computed once) rather than `FILTER NOT EXISTS` (tried row by row), and never follow a
path that may have length zero from two unbound ends (which visits every node first).

## Adding a query

Write `docs/queries/<name>.rq` starting with a `# title:` and a `# question:` line,
save its answer with
`coopdata query docs/queries/<name>.rq --format csv > docs/queries/<name>.csv`, check
that answer against the records (fix the query, not the answer), time it with
`python benchmarks/queries.py` and run `python tools/generate.py`.

## The queries
"""


def queries_page() -> str:
    """docs/queries.md: each query of docs/queries/ with its answer on the embedded data."""
    import pyoxigraph

    from coopdata.sparql.query import open_store, run_query
    from coopdata.sparql.results import format_result, solution_table

    store = open_store()
    paths = sorted(QUERIES.glob("*.rq"))
    lines = [QUERIES_INTRO]
    lines += [f"- [{query_header(p.read_text('utf-8'))['title']}](#{p.stem})" for p in paths]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        header = query_header(text)
        result = run_query(store, text)
        lines += ["", f'<a id="{path.stem}"></a>', "", f"## {header['title']}", "",
                  f"*{header['question']}*", "", f"`docs/queries/{path.name}`:", "",
                  "```sparql", text.rstrip("\n"), "```", ""]
        if not isinstance(result, pyoxigraph.QuerySolutions):
            lines += ["Answer:", "", "```", format_result(result).rstrip("\n"), "```"]
            continue
        variables, rows = solution_table(result)
        lines += [f"Answer ({len(rows)} row{'' if len(rows) == 1 else 's'}):", "",
                  "| " + " | ".join(variables) + " |", "|" + "---|" * len(variables)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                  for row in rows]
    return "\n".join(lines + iati_queries_section()) + "\n"


IATI_QUERIES_INTRO = """
## Queries on imported IATI data

The embedded dataset has no transactions and no indicators; these queries are answered
on the activities of the IATI reference files (`../shared/iati/activities/*.xml`)
imported with [`coopdata import-iati`](iati.md):

```sh
coopdata import-iati ../shared/iati/activities --out /tmp/iati-records
coopdata query --records /tmp/iati-records docs/queries/iati/<name>.rq
```

`docs/queries/iati/<name>.csv` holds each answer; `tests/iati/test_iati_queries.py` runs
each query on the imported records, compares its answer with that file, and checks it
against the same figures computed straight from the XML files.
"""


def iati_queries_section() -> list[str]:
    """The queries of docs/queries/iati/ with their stored answers on imported IATI data
    (the files are not needed here: tests/iati/test_iati_queries.py checks the answers)."""
    import csv

    paths = sorted((QUERIES / "iati").glob("*.rq"))
    if not paths:
        return []
    lines = [IATI_QUERIES_INTRO]
    lines += [f"- [{query_header(p.read_text('utf-8'))['title']}](#iati-{p.stem})"
              for p in paths]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        header = query_header(text)
        with open(path.with_suffix(".csv"), encoding="utf-8", newline="") as handle:
            variables, *rows = list(csv.reader(handle))
        lines += ["", f'<a id="iati-{path.stem}"></a>', "", f"### {header['title']}", "",
                  f"*{header['question']}*", "", f"`docs/queries/iati/{path.name}`:", "",
                  "```sparql", text.rstrip("\n"), "```", "",
                  f"Answer on the imported IATI files ({len(rows)} "
                  f"row{'' if len(rows) == 1 else 's'}):", "",
                  "| " + " | ".join(variables) + " |", "|" + "---|" * len(variables)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                  for row in rows]
    return lines


def expected() -> dict[Path, str]:
    from coopdata.tables.package import schema_files

    files = {ROOT / "datapackage" / name: text for name, text in schema_files().items()}
    files[ROOT / "docs" / "reference" / "records.md"] = records_reference()
    files[ROOT / "docs" / "reference" / "vocabulary.md"] = vocabulary_reference()
    files[ROOT / "docs" / "reference" / "cli.md"] = cli_reference()
    files[ROOT / "docs" / "queries.md"] = queries_page()
    return files


def stale() -> list[Path]:
    """The derived files that are missing or differ from what they should be, plus
    files in datapackage/ that no table needs any more."""
    files = expected()
    out = [p for p, text in files.items()
           if not p.exists() or p.read_text(encoding="utf-8") != text]
    out += [p for p in sorted((ROOT / "datapackage").glob("*.json")) if p not in files]
    return out


def main(argv: list[str]) -> int:
    if "--check" in argv:
        outdated = stale()
        for path in outdated:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if outdated else 0
    files = expected()
    for path in sorted((ROOT / "datapackage").glob("*.json")):
        if path not in files:
            path.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

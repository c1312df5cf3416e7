"""The pages ``coopdata serve`` shows a browser (see docs/serve.md): the SPARQL query form
at ``/`` (and at ``/sparql`` without a query), the results of a query as a table with
their downloads, and a page for an entity the release's site has no page for.

Pages are plain HTML written here, every text escaped (:func:`html.escape`); they load
only what the server itself serves (``/assets/…``: the site's style sheet and icon, and
this page's own style sheet and script), so a strict Content-Security-Policy
(:data:`PAGE_CSP`) holds. Without JavaScript the forms still work; the script only adds
the keyboard behaviour of the editor and loads an example without a round trip.

Everything here is pure Python on data already in memory: query results are rendered in
the query's own process, which can open no file.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""The Content-Security-Policy of every HTML page: only the server's own script, style
sheets and images; forms submit to the server only; no inline script or style."""
SITE_CSP = PAGE_CSP.replace("style-src 'self';",
                            "style-src 'self'; style-src-attr 'unsafe-inline';")
"""The site's pages: the same, and style attributes (the bars of its charts set their
length with ``style="--share: …"``); still no inline script, no ``<style>`` element."""

_PACKAGE = Path(__file__).resolve().parent.parent  # the coopdata package
ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".svg": "image/svg+xml"}


def assets() -> dict[str, tuple[str, bytes]]:
    """The files served under ``/assets/``: name → (Content-Type, bytes)."""
    found: dict[str, tuple[str, bytes]] = {}
    for package, folder, names in (("coopdata.release.site", "static", ("site.css", "icon.svg")),
                                   ("coopdata.sparql", "assets", ("serve.css", "serve.js"))):
        for name in names:
            data = (package_files(package) / folder / name).read_bytes()
            found[name] = (ASSET_TYPES[name[name.rindex("."):]], data)
    return found


@dataclass(frozen=True)
class Example:
    """A query of the documented query library (docs/queries/NAME.rq)."""

    name: str
    title: str
    text: str


def queries_folder() -> Path | None:
    """The query library: shipped in the wheel as ``coopdata/_data/queries``, else the
    source checkout's ``docs/queries``."""
    for candidate in (_PACKAGE / "_data" / "queries", _PACKAGE.parent.parent / "docs" / "queries"):
        if candidate.is_dir():
            return candidate
    return None


def load_examples(folder: Path | None = None) -> tuple[Example, ...]:
    """The queries of ``folder`` (default: :func:`queries_folder`), by title; the title is
    the ``# title:`` line of the query, else its file name."""
    folder = folder if folder is not None else queries_folder()
    if folder is None:
        return ()
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next((line.partition(":")[2].strip() for line in text.splitlines()
                      if line.startswith("# title:")), "") or path.stem
        found.append(Example(path.stem, title, text))
    return tuple(sorted(found, key=lambda example: example.title.casefold()))


@dataclass(frozen=True)
class Context:
    """What every page needs to know of the server."""

    base: str
    """The base of entity URIs, linked to the server's own ``/id/…``."""
    examples: tuple[Example, ...] = ()
    site: bool = False
    """Whether the release's site is served under ``/id/``."""
    names: Mapping[str, Example] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", {e.name: e for e in self.examples})


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _json_data(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&``
    survives, so the text can never close the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _shell(context: Context, title: str, main: str, *, current: str = "query") -> bytes:
    browse = ('<li><a href="/id/"' + (' aria-current="page"' if current == "browse" else "")
              + ">Browse the data</a></li>") if context.site else ""
    query_current = ' aria-current="page"' if current == "query" else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{_e(title)} · coopdata</title>
<link rel="stylesheet" href="/assets/site.css">
<link rel="stylesheet" href="/assets/serve.css">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<script src="/assets/serve.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
<div class="wrap bar"><a class="brand" href="/">coopdata <span class="release">SPARQL</span></a>
</div>
<nav class="wrap" aria-label="Main"><ul class="nav">
<li><a href="/"{query_current}>Query</a></li>{browse}
</ul></nav>
</header>
<main id="main" class="wrap" tabindex="-1">
{main}
</main>
</body>
</html>
""".encode()


def form_page(context: Context, query: str = "", *, example: str = "",
              dataset: Sequence[tuple[str, str]] = (), error: str | None = None,
              results: str = "") -> bytes:
    """The query form, holding ``query``; ``error`` (a line of text) and ``results``
    (HTML from :func:`results_html`) below it."""
    data = _json_data({e.name: e.text for e in context.examples})
    options = "".join(
        f'<option value="{_e(e.name)}"{" selected" if e.name == example else ""}>'
        f"{_e(e.title)}</option>" for e in context.examples)
    examples = "" if not context.examples else f"""<form class="examples" method="get" action="/">
<label for="example">Example queries</label>
<span class="pick"><select id="example" name="example">
<option value="">Choose an example…</option>{options}
</select> <button type="submit" class="load">Load</button></span>
</form>
<script type="application/json" id="examples-data">{data}</script>
"""
    hidden = "".join(f'<input type="hidden" name="{_e(name)}" value="{_e(value)}">'
                     for name, value in dataset)
    alert = f'<p class="error" role="alert">{_e(error)}</p>\n' if error else ""
    main = f"""<h1>Query the data with SPARQL</h1>
<p class="note">A read-only SPARQL 1.1 endpoint: this form, or any SPARQL client, at
<code>/sparql</code>. Entities are under <code>/id/</code>.</p>
{examples}<form class="query" id="query-form" method="get" action="/sparql">
<label for="query">Query</label>
<textarea id="query" name="query" rows="16" spellcheck="false" autocapitalize="off"
 autocomplete="off" aria-describedby="keys">
{_e(query)}</textarea>{hidden}
<p id="keys" class="note">Ctrl+Enter (⌘+Enter) runs the query. Tab indents the lines,
Shift+Tab takes the indent away; press Esc, then Tab, to leave the editor.</p>
<p><button type="submit" class="run">Run the query</button></p>
</form>
{alert}{results}"""
    return _shell(context, "SPARQL query", main)


def _cell(context: Context, term: Mapping[str, Any] | None) -> str:
    """A term of the SPARQL JSON results format as a table cell."""
    if term is None:
        return "<td></td>"
    kind, value = term.get("type"), term.get("value")
    if kind == "uri":
        uri = str(value)
        if uri.startswith(context.base) and len(uri) > len(context.base):
            return f'<td><a href="/id/{_e(uri[len(context.base):])}">{_e(uri)}</a></td>'
        if uri.startswith(("http://", "https://")):
            return (f'<td><a href="{_e(uri)}" rel="external noopener noreferrer">{_e(uri)}'
                    "</a></td>")
        return f"<td>{_e(uri)}</td>"
    if kind == "bnode":
        return f"<td><code>_:{_e(value)}</code></td>"
    if kind == "triple" and isinstance(value, Mapping):
        parts = [_cell(context, value.get(k))[4:-5] for k in ("subject", "predicate", "object")]
        return "<td>&lt;&lt; " + " ".join(parts) + " &gt;&gt;</td>"
    note = ""
    if "xml:lang" in term:
        note = f' <span class="term-note" lang="en">@{_e(term["xml:lang"])}</span>'
        language = f' lang="{_e(term["xml:lang"])}"'
    else:
        language = ""
        if "datatype" in term:
            datatype = str(term["datatype"])
            short = datatype.rpartition("#")[2] if "#" in datatype else datatype
            note = f' <span class="term-note" title="{_e(datatype)}">{_e(short)}</span>'
    return f"<td><span{language}>{_e(value)}</span>{note}</td>"


def _downloads(query: str, dataset: Sequence[tuple[str, str]],
               formats: Sequence[tuple[str, str]]) -> str:
    links = "".join(
        f'<li><a href="/sparql?{_e(urlencode([("query", query), *dataset, ("format", fmt)]))}"'
        f' download class="download-{_e(fmt)}">{_e(label)}</a></li>' for fmt, label in formats)
    return f'<ul class="inline downloads" aria-label="Downloads">{links}</ul>\n'


def results_html(context: Context, query: str, dataset: Sequence[tuple[str, str]], *,
                 names: Sequence[str] = (), rows: Sequence[Mapping[str, Any]] = (),
                 boolean: bool | None = None, triples: bool = False) -> str:
    """The answer of a query: the rows of a SELECT (``names``, ``rows`` in the SPARQL JSON
    results format), the ``boolean`` of an ASK, or the triples of a CONSTRUCT or
    DESCRIBE (``triples``: the rows have ``subject``, ``predicate``, ``object``)."""
    if boolean is not None:
        answer = "yes (true)" if boolean else "no (false)"
        return ('<section class="results" aria-labelledby="results-title">\n'
                f'<h2 id="results-title">Results</h2>\n<p class="count">The answer is '
                f"<strong>{answer}</strong>.</p>\n"
                + _downloads(query, dataset, [("json", "Download JSON"),
                                              ("xml", "Download XML")]) + "</section>\n")
    if triples:
        names = ("subject", "predicate", "object")
        count = f"{len(rows)} triple{'' if len(rows) == 1 else 's'}"
        formats = [("ttl", "Download Turtle"), ("nt", "Download N-Triples"),
                   ("jsonld", "Download JSON-LD")]
    else:
        count = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
        formats = [("csv", "Download CSV"), ("json", "Download JSON")]
    head = "".join(f'<th scope="col">{"" if triples else "?"}{_e(name)}</th>' for name in names)
    body = "\n".join("<tr>" + "".join(_cell(context, row.get(name)) for name in names) + "</tr>"
                     for row in rows)
    return ('<section class="results" aria-labelledby="results-title">\n'
            f'<h2 id="results-title">Results</h2>\n<p class="count">{count}</p>\n'
            + _downloads(query, dataset, formats)
            + f'<div class="table-scroll" tabindex="0" aria-labelledby="results-title">'
              f'<table class="results"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n'
              "</tbody></table></div>\n</section>\n")


def entity_page(context: Context, uri: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """An entity the site has no page for (an object nested in a record, or any entity
    when no site is served): its triples as a table (``rows`` as in :func:`results_html`)."""
    parent = ""
    if uri.startswith(context.base) and uri.count("/") > context.base.count("/") + 1:
        top = "/".join(uri[len(context.base):].split("/")[:2])
        parent = (f'<p class="note">Part of <a href="/id/{_e(top)}">'
                  f"{_e(context.base + top)}</a></p>\n")
    head = "".join(f'<th scope="col">{name}</th>' for name in ("subject", "predicate", "object"))
    body = "\n".join("<tr>" + "".join(_cell(context, row.get(name))
                                      for name in ("subject", "predicate", "object")) + "</tr>"
                     for row in rows)
    local = uri[len(context.base):] if uri.startswith(context.base) else None
    data = "" if local is None else (
        '<ul class="inline downloads" aria-label="As data">'
        + "".join(f'<li><a href="/id/{_e(local)}.{suffix}">{label}</a></li>'
                  for suffix, label in (("ttl", "Turtle"), ("jsonld", "JSON-LD"),
                                        ("nt", "N-Triples")))
        + "</ul>\n")
    main = (f'<h1 class="uri-title"><code>{_e(uri)}</code></h1>\n{parent}{data}'
            f'<div class="table-scroll" tabindex="0" aria-label="Triples"><table class="results">'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>\n")
    return _shell(context, uri, main, current="browse")

"""SPARQL over the published graph, with pyoxigraph.

:func:`open_store` loads a release (its ``graph.nt``) or, when no release is named,
the embedded dataset into an in-memory pyoxigraph store. :func:`run_query` runs a
SPARQL 1.1 query on it and :func:`format_result` prints what the query returns:

* SELECT: ``table`` (the default: aligned, for people), ``csv``, ``tsv`` or ``json``
  (the SPARQL 1.1 Query Results formats, serialised by pyoxigraph);
* ASK: ``true`` or ``false``, or with ``json`` the SPARQL JSON boolean form;
* CONSTRUCT, DESCRIBE: ``turtle`` (the default) or ``jsonld`` (compacted with the
  published context).

No prefix is predefined: queries declare theirs, so a query that runs here runs on any
SPARQL endpoint that serves the same graph.

:func:`check_query` decides whether a query may fetch from elsewhere on the *parsed*
query: rdflib's SPARQL parser reads it and its algebra is searched for a ``SERVICE``;
a query that parser cannot read is refused unless pyoxigraph refuses it too (then its
syntax error is the answer), and pyoxigraph only gives that verdict in a process that
can open no file or socket (:func:`confine`). :func:`interruptible` runs a job in a
child process so that Ctrl-C stops even a query pyoxigraph is busy with.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import resource
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pyoxigraph

from coopdata.errors import CoopdataError, UsageError
from coopdata.rdf.triples import ntriples_chunks, triples
from coopdata.records.load import load
from coopdata.release.dir import ReleaseDir
from coopdata.sparql.results import QueryResult

if TYPE_CHECKING:
    import pyoxigraph


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
# a reason among the tokens the parser expected: "The SELECT contains a variable that…"
_REASON = re.compile(r"(?:^|, )([A-Z][A-Za-z]*(?: [A-Za-z]+)*(?: [a-z]+)+)(?=,|$)")
# prefixed names (group "name"), outside comments, IRIs and strings
_NAMES = re.compile(r"""#[^\n]*|<[^<>"{}|^`\\\s]*>|(?:\"\"\"|\'\'\')[\s\S]*?(?:\"\"\"|\'\'\')"""
                    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
                    r"""|(?<![\w?$:])(?P<name>(?P<prefix>[^\W\d_][\w.-]*|):)""")


def release_graph_file(release: Path) -> Path:
    """The N-Triples file of a release directory (``DIR/<version>``), or a UsageError."""
    path = ReleaseDir(Path(release)).graph
    if not path.is_file():
        raise UsageError(f"{release} is not a coopdata release: it has no graph.nt")
    return path


def open_store(release: Path | str | None = None,
               records: Path | str | None = None) -> pyoxigraph.Store:
    """An in-memory store holding the graph of ``release``, or of the records in
    ``records`` (the embedded dataset when both are None)."""

    store = pyoxigraph.Store()
    if release is not None:
        with open(release_graph_file(Path(release)), "rb") as handle:
            store.bulk_load(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store

    dataset, _ = load(records)  # the fast path: coopdata's own N-Triples, no rdflib graph
    store.bulk_load(b"".join(ntriples_chunks(triples(dataset))),
                    format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


class QueryRefused(UsageError):
    """A query that may not run here: it holds a ``SERVICE`` (it would fetch data from
    another endpoint), or it could not be checked for one."""


SERVICE_REFUSED = "SERVICE is not allowed"
VERDICT_SECONDS = 10
"""Most seconds pyoxigraph may take to say whether it can parse a query rdflib cannot."""
_confined = False


def check_query(text: str) -> None:
    """Raise :class:`QueryRefused` when the query ``text`` holds a ``SERVICE`` anywhere
    in its algebra (a group, an ``OPTIONAL``, a sub-select, an ``EXISTS`` in a filter, an
    expression…), whatever its spelling; the decision is taken on the query as rdflib's
    SPARQL parser reads it, never on its text. A query that parser cannot read is given
    to pyoxigraph's parser in a confined process: its ``SyntaxError`` is raised (a
    malformed query, an update…), and a query only pyoxigraph reads is refused, since
    what it holds cannot be checked. The parse takes time in proportion to the query:
    a server runs it in the query's own process, within its time limit."""
    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql.algebra import translateQuery

    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql.parser import parseQuery

    terms = logging.getLogger("rdflib.term")  # warns of IRIs it keeps escapes in
    level, terms.level = terms.level, logging.ERROR
    try:
        parsed = parseQuery(text)
        # the parse tree first: rdflib's algebra can leave a pattern out (a group that
        # holds only a FILTER EXISTS loses that filter), the parse keeps every one
        service = holds_service(parsed)
        algebra = translateQuery(parsed).algebra
    except Exception as exc:  # rdflib reads less of SPARQL than pyoxigraph, or none
        message = syntax_error(text)
        if message is not None:
            raise SyntaxError(message) from None
        reason = " ".join(str(exc).split())[:200]
        raise QueryRefused(f"the query could not be checked for SERVICE: {reason}") from None
    finally:
        terms.setLevel(level)
    if service or holds_service(algebra):
        raise QueryRefused(SERVICE_REFUSED)


_WARM_UP = """PREFIX ex: <http://example.org/> BASE <http://example.org/>
SELECT DISTINCT ?s (COUNT(?o) AS ?n) (GROUP_CONCAT(STR(?o); separator=",") AS ?all)
FROM <g> FROM NAMED <h> WHERE {
  { SELECT ?s WHERE { ?s a/ex:p*|^ex:q ?o } LIMIT 1 } UNION { GRAPH ?g { ?s ?p "x"@en } }
  OPTIONAL { ?s ex:a ?o FILTER(EXISTS { SERVICE <a:b> { ?s ?p ?o } }) }
  MINUS { ?s ex:b 1.5e0 } BIND(IF(BOUND(?o), LANG(?o), "") AS ?l)
  VALUES (?s ?t) { (<a:c> UNDEF) } FILTER(REGEX(?l, "^e", "i") && ?n > 0 || !isIRI(?s))
} GROUP BY ?s HAVING (COUNT(*) > 0) ORDER BY DESC(?n) OFFSET 1"""


def prepare_checks() -> None:
    """Import and exercise rdflib's SPARQL parser, so that a process forked afterwards
    and :func:`confine`-d (which can open no module file) checks queries all the same."""
    with contextlib.suppress(QueryRefused):
        check_query(_WARM_UP)
    for query in ("ASK {}", "CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <a:b>",
                  "SELECT * { ?s ?p ?o SERVICE SILENT ?x { } }"):
        with contextlib.suppress(QueryRefused):
            check_query(query)
    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql.parser import parseQuery

    try:  # what a query rdflib cannot read goes through
        parseQuery("SELECT * {")
    except Exception as exc:
        str(exc)


def holds_service(algebra: Any) -> bool:
    """Whether a SERVICE pattern is anywhere in rdflib's algebra (or parse) tree."""
    from pyparsing import ParseResults  # pyparsing: rdflib's query parser, loaded with it

    # rdflib: slow to import, only this path needs it
    from rdflib.plugins.sparql.parserutils import CompValue

    todo, seen = [algebra], set[int]()
    while todo:  # no recursion: a deeply nested query must not overflow the stack here
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list | tuple | set | frozenset | ParseResults):
            todo.extend(node)
    return False


def syntax_error(text: str) -> str | None:
    """pyoxigraph's syntax error for the query ``text``, or None when it parses. The
    query is given to an empty store in a process that can open no file or socket (this
    one when :func:`confine` was called, else a child), since pyoxigraph evaluates an ASK
    as it parses it, SERVICE included."""
    if _confined:
        return _syntax_error_here(text)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.alarm(VERDICT_SECONDS)
            out = confine(write)
            message = _syntax_error_here(text)
            os.write(out, b"0" if message is None else b"1" + message.encode())
        finally:
            os._exit(0)
    os.close(write)
    data = _collect(pid, read)
    return data[1:].decode("utf-8", "replace") if data[:1] == b"1" else None


def _syntax_error_here(text: str) -> str | None:

    try:
        pyoxigraph.Store().query(text)
    except SyntaxError as exc:
        return str(exc)
    except Exception:  # parsed, then failed to run: not a syntax error
        return None
    return None


def _collect(pid: int, fd: int) -> bytes:
    """Everything the child ``pid`` writes to the pipe ``fd`` until it closes its end;
    then the pipe is closed and the child killed (if it still runs) and reaped."""
    chunks: list[bytes] = []
    try:
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return b"".join(chunks)


def confine(keep: int) -> int:
    """Make this process unable to open any file or socket (hence to reach the network,
    whatever a query asks): the descriptor ``keep`` becomes descriptor 3, every other
    one above 2 is closed and the limit of open files is lowered to 4, for good. Returns
    3. Only for a forked child that has nothing left to open."""
    global _confined
    if keep < 3:  # the standard descriptors are taken by /dev/null below
        keep = os.dup(keep)
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if keep != 3:
        os.dup2(keep, 3)
    os.closerange(4, os.sysconf("SC_OPEN_MAX"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (4, 4))
    _confined = True
    return 3


def interruptible(job: Callable[[], str]) -> str:
    """What ``job`` returns, run in a child process: Ctrl-C (KeyboardInterrupt) or
    SIGTERM stops it at once, even while pyoxigraph runs a query and the child could not
    notice. A :class:`~coopdata.CoopdataError` raised by the job is raised again here,
    with its message and exit code."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        _run_child(job, read, write)
    os.close(write)
    data = _collect(pid, read)
    head, _, body = data.partition(b"\n")
    if head == b"ok":
        return body.decode("utf-8")
    code = int(head[len(b"error "):]) if head.startswith(b"error ") else 1
    message = body.decode("utf-8") if head.startswith(b"error ") else \
        "the query process stopped without an answer (out of memory?)"
    error = UsageError(message) if code == 2 else CoopdataError(message)
    error.exit_code = code
    raise error


def _run_child(job: Callable[[], str], read: int, write: int) -> NoReturn:
    try:
        os.close(read)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent answers Ctrl-C
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            answer = b"ok\n" + job().encode("utf-8")
        except CoopdataError as exc:
            answer = f"error {exc.exit_code}\n{exc}".encode()
        except MemoryError:
            answer = b"error 1\nthe query ran out of memory"
        except Exception as exc:  # every failure is a message, never a traceback
            answer = f"error 1\nthe query failed: {exc}".encode()
        with open(write, "wb") as out:
            out.write(answer)
    finally:
        os._exit(0)


def read_query(argument: str) -> str:
    """The query text of ``argument``: the content of the file it names when it is an
    existing file (or ends in ``.rq``), else the argument itself."""
    try:
        if "\n" in argument or not (argument.endswith(".rq") or Path(argument).exists()):
            return argument
    except (OSError, ValueError):  # too long, or a NUL: not a path
        return argument
    try:
        return Path(argument).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) \
            else exc.strerror or str(exc)
        raise UsageError(f"cannot read the query file {argument}: {why}") from None


def run_query(store: pyoxigraph.Store, text: str, *,
              allow_service: bool = False) -> QueryResult:
    """Run the SPARQL 1.1 query ``text`` (SELECT, ASK, CONSTRUCT or DESCRIBE) on ``store``.

    A malformed query raises a :class:`~coopdata.UsageError` whose message gives the
    position and the parser's message: ``malformed query: line 4, column 15: unknown
    prefix "dct:"``. A query that holds a ``SERVICE`` raises :class:`QueryRefused` (see
    :func:`check_query`) unless ``allow_service``. A query that fails while running (a
    SERVICE that cannot be reached…) raises a :class:`~coopdata.CoopdataError`.
    """
    try:
        if not allow_service:
            check_query(text)
        return store.query(text)
    except QueryRefused as exc:
        raise QueryRefused(f"{exc} (a query may fetch data from other SPARQL endpoints "
                           "only with --allow-service)") from None
    except SyntaxError as exc:
        raise UsageError(f"malformed query: {_syntax_message(str(exc), text)}") from None
    except OSError as exc:
        raise CoopdataError(f"the query failed: {exc}") from None


def _syntax_message(message: str, text: str) -> str:
    """``line L, column C: what went wrong`` from pyoxigraph's ``error at L:C: …``: an
    undeclared prefix where the query uses one, else the reason the parser lists among
    the tokens it expected ("the SELECT contains a variable that is unbound"), else the
    parser's message."""
    match = _POSITION.match(message)
    if match is None:
        return message
    line, column, detail = int(match[1]), int(match[2]), match[3].replace("\n", " ")
    declared = {m[1] or "" for m in re.finditer(r"(?i)\bPREFIX\s+([^\W\d_][\w.-]*)?:", text)}
    for name in _NAMES.finditer(text):
        if name["name"] is not None and name["prefix"] not in declared:
            start = name.start("name")
            at = (text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
            if at <= (line, column):
                line, column = at
                return f'line {line}, column {column}: unknown prefix "{name["prefix"]}:"'
            break
    reason = _REASON.search(detail.removeprefix("expected ").removeprefix("one of "))
    if reason is not None:
        detail = reason[1][0].lower() + reason[1][1:] if reason[1][1:2].islower() \
            else reason[1]
    return f"line {line}, column {column}: {detail}"


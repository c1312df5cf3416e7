"""The import's account for people (text) and machines (JSON): for each activity and in
total, every element and attribute path carried and every one dropped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict

import orjson

from coopdata.iati.paths import show
from coopdata.iati.reading.importer import Imported
from coopdata.report import display_path


def text_lines(result: Imported) -> Iterator[str]:
    """The account, line by line: files, activities, totals and what was written."""
    activities = result.activities()
    pending = next(activities, None)
    for summary in result.files:
        kept = f", {summary.kept} kept by the filters" if summary.kept != summary.activities \
            else ""
        version = summary.version or "without version"
        yield (f"{display_path(summary.path)}: IATI {version}, {summary.activities} "
               f"activit{'y' if summary.activities == 1 else 'ies'}{kept}")
        while pending is not None and pending["file"] == display_path(summary.path):
            yield f"  {pending['identifier']} (line {pending['line']}) → {pending['record']}"
            yield f"    carried: {show(Counter(pending['carried']))}"
            yield f"    dropped: {show(Counter(pending['dropped']))}"
            pending = next(activities, None)
    yield f"carried in total: {show(result.carried)}"
    yield f"dropped in total: {show(result.dropped)}"
    yield summary_line(result)


def summary_line(result: Imported) -> str:
    read = sum(f.kept for f in result.files)
    written = ", ".join(f"{result.written.get(k, 0)} {k}"
                        for k in ("projects", "organisations", "sources"))
    curated = f"; {len(result.kept_curated)} curated records left as they were" \
        if result.kept_curated else ""
    left = read - result.imported
    not_imported = f" ({left} more read but not imported: see the warnings)" if left else ""
    files = len(result.files)
    return (f"imported {result.imported} {_plural(result.imported, 'activity', 'activities')}"
            f" from {files} {_plural(files, 'file', 'files')}{not_imported} into "
            f"{display_path(str(result.directory))}: {written} written{curated}")


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def json_chunks(result: Imported) -> Iterator[str]:
    """The account as one JSON document, in pieces (the activities are streamed)."""
    head = {
        "valid": result.report.valid,
        "files": [{**asdict(f), "path": display_path(f.path)} for f in result.files],
        "written": {k: result.written.get(k, 0) for k in ("projects", "organisations",
                                                          "sources")},
        "curated_kept": result.kept_curated,
        "total": {"carried": dict(sorted(result.carried.items())),
                  "dropped": dict(sorted(result.dropped.items()))},
        "findings": orjson.loads(result.report.to_json())["findings"],
    }
    text = orjson.dumps(head, option=orjson.OPT_INDENT_2).decode()
    yield text[:-2] + ',\n  "activities": ['
    for number, entry in enumerate(result.activities()):
        yield ("\n    " if number == 0 else ",\n    ") + orjson.dumps(entry).decode()
    yield "\n  ]\n}\n"

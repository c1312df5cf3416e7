"""What a YAML syntax error most likely means, said to a curator: a tab in the
indentation, an unquoted ': ' in a value (with the quoted line to write instead)."""

from __future__ import annotations

import re

_INDENTATION = re.compile(r"[ \t]*(?:-[ \t]+)*")
"""The indentation of a line, with the dashes of the sequence items that start on it."""


def yaml_hint(text: str, line: int, column: int) -> str | None:
    """What is wrong with ``text`` where a YAML parser stopped (0-based ``line`` and
    ``column``), said for a curator, when it is one of the commonest mistakes: a tab in
    the indentation, or an unquoted ``: `` inside a value (with the line as it should
    read). None for anything else: the parser's own words then stand. The hint depends
    on the text and the place only, so that every reader gives the same finding."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    here = lines[line]
    indentation = _INDENTATION.match(here)
    assert indentation is not None  # (it matches the empty string)
    tab = here.find("\t", 0, indentation.end())
    if tab == -1 and here[column:column + 1] == "\t":
        tab = column
    if tab != -1:
        return (f"a tab in the indentation (column {tab + 1}): YAML indents with spaces "
                "only; replace the tab with spaces")
    if here[column:column + 1] == ":" and here[column + 1:column + 2] in ("", " ", "\t"):
        fixed = _quoted_value(lines, line, column)
        if fixed is not None:
            return ('": " inside a value that is not in quotes (YAML reads it as the start '
                    f"of a field): put the value in quotes, as in {fixed}")
    return None


def _quoted_value(lines: list[str], line: int, column: int) -> str | None:
    """The line that holds the value with the ``: `` at ``lines[line][column]``, with
    the value put in double quotes (without its indentation); None when the value cannot
    be told apart (it starts with a quote, a bracket or a block indicator)."""
    here = lines[line]
    opening = max(here.rfind(c, 0, column) for c in "{[,")
    if opening != -1 and here.rfind("}", 0, column) < opening \
            and here.rfind("]", 0, column) < opening:  # an entry of a flow collection
        ends = [at for c in ",]}" if (at := here.find(c, column)) != -1]
        end = min(ends) if ends else len(here)
        entry = here[opening + 1:end]
        start = opening + 1 + len(entry) - len(entry.lstrip(" "))
        key_end = here.find(": ", start, column)
        inside_map = max(here.rfind("{", 0, column), here.rfind("[", 0, column)) == \
            here.rfind("{", 0, column)
        if inside_map and key_end != -1:
            start = key_end + 2 + len(here[key_end + 2:]) - len(here[key_end + 2:].lstrip(" "))
        value = here[start:end].rstrip(" ")
        fixed = f"{here[:start]}{_double_quoted(value)}{here[start + len(value):]}"
        return None if not value or value[0] in "'\"" else fixed.lstrip(" ")
    content_at = _INDENTATION.match(here).end()  # type: ignore[union-attr]
    key_end = here.find(": ", content_at, column)
    parts: list[str] = []
    if key_end == -1:  # a line of a value that began on an earlier line
        indent = len(here) - len(here.lstrip(" "))
        parts.append(here.strip(" "))
        line -= 1
        while line >= 0 and (not lines[line].strip(" ") or
                             len(lines[line]) - len(lines[line].lstrip(" ")) >= indent):
            if lines[line].strip(" "):
                parts.append(lines[line].strip(" "))
            line -= 1
        if line < 0:
            return None
        here = lines[line]
        content_at = _INDENTATION.match(here).end()  # type: ignore[union-attr]
        key_end = here.find(": ", content_at)
        if key_end == -1:
            return None
    first = here[key_end + 2:].strip(" ")
    value = " ".join([first, *reversed(parts)] if first else reversed(parts))
    if " #" in value:
        value = value[:value.index(" #")].rstrip(" ")
    if not value or value[0] in "'\"[{|>&*!":
        return None
    return f"{here.lstrip(' ')[:key_end - len(here) + len(here.lstrip(' '))]}: " \
        f"{_double_quoted(value)}"


def _double_quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

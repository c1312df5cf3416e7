"""The scalars of the fast reader's part of YAML (:mod:`coopdata.records.fastread`): quoted
scalars (single, and double with JSON's escapes), plain scalars folded over lines, where a
``#`` is inside quotes rather than a comment, and the tag PyYAML's resolver gives a plain
scalar."""

from __future__ import annotations

import re
from functools import cache

import yaml

_COMMENT = re.compile("(?:^|[ ])#", re.MULTILINE)


class Unsupported(Exception):
    """The text is not in the part of YAML the fast reader reads: PyYAML reads it."""


_ENTRY = re.compile(r" *(?:- +)*(?:[A-Za-z0-9_][A-Za-z0-9_.-]*: +)?(?=[\"'\[{])")
"""The start of a line up to its value, when the value is quoted or a flow collection."""


def hashes_quoted(text: str) -> bool:
    """Whether every ``#`` that could start a comment (at a line's start or after a
    space) is inside a quoted scalar that starts on its line, after a key or a dash:
    text between quotes, not a comment. Any other is taken for a comment."""
    for found in _COMMENT.finditer(text):
        mark = found.end() - 1
        start = text.rfind("\n", 0, mark) + 1
        entry = _ENTRY.match(text, start, mark)
        if entry is None or not _inside_quotes(text, entry.end(), mark):
            return False
    return True


def _inside_quotes(text: str, at: int, mark: int) -> bool:
    """Whether ``text[mark]`` is between quotes, reading from ``at`` (outside them)."""
    quote = ""
    while at < mark:
        character = text[at]
        if not quote:
            if character in "\"'":
                quote = character
        elif character == "\\" and quote == '"':
            at += 1
        elif character == quote:
            if quote == "'" and text[at + 1:at + 2] == "'":
                at += 1
            else:
                quote = ""
        at += 1
    return bool(quote) and at == mark


def one_quoted(text: str) -> str | None:
    """The value of ``text``, after a key or dash, when it is a quoted scalar that
    ends where the line ends (what the fast reader's ``_Reader.value`` makes of it), else
    None."""
    if text[:1] == "'":
        end = closing_quote(text, 1)
        return text[1:-1].replace("''", "'") if end == len(text) - 1 else None
    if text[:1] == '"':
        try:
            value, after = double_quoted(text, 0)
        except Unsupported:
            return None
        return value if after == len(text) else None
    return None


_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}
"""The escapes of JSON's strings that YAML's double-quoted scalars share (the IATI import
writes its texts as JSON strings), but ``\\/`` and ``\\u``, read apart."""
_ESCAPE_OR_END = re.compile(r'["\\]')
_HEX4 = re.compile("[0-9A-Fa-f]{4}")


def double_quoted(text: str, at: int) -> tuple[str, int]:
    """The double-quoted scalar that starts at ``text[at]`` and ends on this line: its
    value and where it ends. Escapes other than JSON's (and a ``\\u`` of half a
    surrogate pair, which libyaml refuses) are left to PyYAML."""
    end = text.find('"', at + 1)
    if end == -1:
        raise Unsupported  # (several lines)
    if "\\" not in text[at:end]:
        return text[at + 1:end], end + 1
    parts, at = [], at + 1
    while True:
        found = _ESCAPE_OR_END.search(text, at)
        if found is None:
            raise Unsupported
        mark = found.start()
        parts.append(text[at:mark])
        if text[mark] == '"':
            return "".join(parts), mark + 1
        escape = text[mark + 1:mark + 2]
        if escape in _ESCAPES:
            parts.append(_ESCAPES[escape])
            at = mark + 2
        elif escape == "u" and _HEX4.fullmatch(text, mark + 2, mark + 6) \
                and not 0xD800 <= (code := int(text[mark + 2:mark + 6], 16)) <= 0xDFFF:
            parts.append(chr(code))
            at = mark + 6
        else:
            raise Unsupported


def closing_quote(text: str, start: int = 0) -> int | None:
    """Where the single-quoted scalar in ``text`` (after its opening quote) ends."""
    at = text.find("'", start)
    while at != -1 and text[at + 1:at + 2] == "'":
        at = text.find("'", at + 2)
    return None if at == -1 else at


def folded(parts: list[str]) -> str:
    """Lines of a folded scalar joined as YAML folds them: a line break becomes a space,
    and each blank line a line break (the parts after blank lines start with them)."""
    return parts[0].rstrip(" ") + "".join(part if part[0] == "\n" else " " + part
                                          for part in parts[1:])


def plain_scalar_tag(value: str) -> str:
    """The tag PyYAML's resolver gives the plain scalar ``value``."""
    resolver, first_characters = _resolver()
    if value and value[0] not in first_characters:  # (the resolver tries no pattern)
        return str(resolver.DEFAULT_SCALAR_TAG)
    return str(resolver.resolve(yaml.ScalarNode, value,  # type: ignore[no-untyped-call]
                                (True, False)))


@cache
def _resolver() -> tuple[yaml.resolver.Resolver, _Everything | frozenset[str]]:
    """PyYAML's resolver, and the first characters of the plain scalars it may give a tag
    other than ``str``: it chooses its patterns by a scalar's first character (should it
    have patterns for every scalar, keyed ``None``, every character counts)."""
    resolver = yaml.resolver.Resolver()
    first = resolver.yaml_implicit_resolvers
    return resolver, _Everything() if None in first else frozenset(first)


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True

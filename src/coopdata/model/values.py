"""Values as curators write them, read and shown: points (latitude then longitude), URLs
and IRIs, text that may be mojibake or hold control characters; why a value is refused
(:class:`Problem`) and how a message shows it (:func:`show`)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pyoxigraph


def iri_problem(value: str) -> str | None:
    """Why ``value`` cannot be written as an IRI (``Invalid IRI percent encoding '%zz'``),
    or None when it can.

    Every graph coopdata writes is N-Triples made by :func:`coopdata.model.ntriples.iri`
    (``<value>``, unescaped) and read back by pyoxigraph (``build``, ``release``,
    ``query``, ``serve``), whose IRI parser refuses what RFC 3987 refuses: the check is
    that very parser, so that whatever validation accepts is written and read back.
    """
    try:
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        return str(exc)
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_C1_CONTROL = re.compile(r"[\x80-\x9f]")


class Problem(NamedTuple):
    """Why a value cannot be accepted: a finding's code and message."""

    code: str
    message: str


_POINT = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))[ ,]\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))")


def parse_point(value: str) -> tuple[Decimal, Decimal] | None:
    """``(latitude, longitude)`` of a WGS 84 point written ``"lat lon"`` (IATI's ``pos``;
    a comma between them is accepted), or None when it is not one or lies off the globe."""
    match = _POINT.fullmatch(value.strip())
    if match is None or not value.isascii():
        return None
    latitude, longitude = Decimal(match[1]), Decimal(match[2])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def point_text(latitude: Decimal, longitude: Decimal) -> str:
    """A point as records and tables hold it: ``"lat lon"``, each number as written
    without its ``+`` sign or trailing point."""
    return f"{_coordinate(latitude)} {_coordinate(longitude)}"


def _coordinate(number: Decimal) -> str:
    text = format(number, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def url_problem(value: str) -> str | None:
    """None for an http(s) URL that can be written as an IRI, else what to tell the user
    (``""`` or ``": …"``, after "expected an http(s) URL, got …")."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc \
            or any(c in _NOT_IN_IRI or ord(c) <= 32 for c in value):
        return ""
    problem = iri_problem(value)
    if problem is None:
        return None
    return (f": it is not a valid IRI ({problem}); write a space or one of "
            '<>"{}|\\^` as %XX, a % only before two hex digits, a port as digits, and at '
            "most one #")


def mojibake_repairs(text: str) -> list[tuple[str, str]]:
    """``(word, repaired word)`` for each word of ``text`` that ftfy can repair.

    Only a word ftfy can actually repair counts: typography such as 'œ' in quotes looks
    odd to its badness heuristic but is not mojibake.
    """
    if text.isascii() or not looks_bad(text):  # mojibake is made of non-ASCII characters
        return []
    import ftfy  # ftfy: loaded only when a text may be mojibake

    return [(word, fixed) for word in text.split() if (fixed := ftfy.fix_encoding(word)) != word]


_NOT_IN_IRI = frozenset('<>"{}|\\^`')


def looks_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``, in a tenth of its time on text with few characters
    outside ASCII.

    ftfy's pattern is tried at every character of the text; each of its alternatives
    matches a character outside ASCII among its first three (a test checks it on text made
    of every character the pattern names), so it is tried only at places where one is
    that near: the same answer.
    """
    return _near_non_ascii().search(text) is not None


@cache
def _near_non_ascii() -> re.Pattern[str]:
    import ftfy.badness  # ftfy: loaded only when a text may be mojibake

    pattern = ftfy.badness.BADNESS_RE
    return re.compile(f"(?=[\\s\\S]{{0,2}}[^\\x00-\\x7f])(?:{pattern.pattern})", pattern.flags)


def text_problem(text: str) -> Problem | None:
    """Why ``text`` cannot be kept (mojibake, control characters), or None."""
    printable = text.isprintable()  # (quick, and true of most text: no control character)
    if not printable and _CONTROL.search(text):
        return Problem("control-character", "text contains a control character")
    repairs = mojibake_repairs(text)
    if not repairs and not printable and not text.isascii() and _C1_CONTROL.search(text):
        return Problem("control-character", "text contains a control character")
    if not repairs and "\ufffd" in text:
        return Problem("mojibake", "text contains U+FFFD (�), the mark a program leaves "
                       "where it could not decode a character; copy the text again from the "
                       "source")
    if not repairs:
        return None
    shown = ", ".join(f'"{w}" → "{f}"' for w, f in repairs)
    return Problem("mojibake", f"text looks like mojibake, text decoded with the wrong "
                   f"encoding ({shown})")


def show(value: Any) -> str:
    """A value as a message shows it."""
    if isinstance(value, str):
        if len(value) > 200:  # a runaway value: enough to find it, not the whole file
            return f'"{value[:100]}…" ({len(value)} characters)'
        return f'"{value}"'
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

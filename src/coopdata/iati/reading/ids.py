"""Ids of imported records from IATI identifiers: deterministic, never shared by two
texts."""

from __future__ import annotations

import hashlib
import re

from coopdata.records.checks import MAX_ID_LENGTH

_SLUG_RUN = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _SLUG_RUN.sub("-", text.lower()).strip("-")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def record_id(prefix: str, text: str, *, always_hash: bool = False) -> str:
    """``prefix`` + the slug of ``text``; a short hash of ``text`` is appended whenever
    the slug loses something (any character but ASCII letters, digits and single inner
    hyphens: ``XM-DAC-41114`` → ``xm-dac-41114``, ``GB-1-2/3`` → ``gb-1-2-3-`` + hash), so
    that two texts never share an id and an id never depends on the other files."""
    slug = _slug(text)
    lossy = always_hash or not slug or slug != text.lower() or "--" in text.lower()
    tail = f"-{_hash(text)}" if lossy else ""
    room = MAX_ID_LENGTH - len(prefix) - len(tail)
    if len(slug) > room:
        slug, tail = slug[:room].rstrip("-"), tail or f"-{_hash(text)}"
        room = MAX_ID_LENGTH - len(prefix) - len(tail)
        slug = slug[:room].rstrip("-")
    return f"{prefix}{slug}{tail}" if slug else f"{prefix}{tail.lstrip('-')}"

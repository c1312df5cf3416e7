"""The values of an IATI activity as the model's values: codes into notations, dates,
numbers, languages, URLs (each a function of the text alone; the commonest are
remembered)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from coopdata.model import codes as registries
from coopdata.model.dates import DateError, PartialDate
from coopdata.model.fieldtypes import MAX_NUMBER_EXPONENT, MAX_SIGNIFICANT_DIGITS

_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


_TRUE, _FALSE = ("1", "true"), ("0", "false")


@cache
def _notations(scheme: str) -> frozenset[str]:
    return frozenset(registries.schemes().get(scheme, ()))


def notation(scheme: str, code: str) -> str | None:
    """The notation of the concept of ``scheme`` whose IATI code (or notation) is ``code``
    (:func:`coopdata.model.codes.from_iati`)."""
    found = registries.from_iati(scheme, code)
    return found if found is not None else code if code in _notations(scheme) else None


PURE_KINDS = frozenset({"code", "date", "boolean", "country", "currency", "language"})
"""Field types whose value depends on the text alone (remembered in :data:`PURE_VALUES`)."""


PURE_VALUES: dict[tuple[str, str | None, str], Any] = {}


PURE_LIMIT = 1 << 16


UNKNOWN = object()


def pure_value(kind: str, scheme: str | None, text: str) -> Any:
    """The value of ``text`` (stripped, not empty) for a field of type ``kind`` in
    :data:`PURE_KINDS`, or None."""
    if kind == "code":
        assert scheme is not None
        return notation(scheme, text)
    if kind == "date":
        return iso_day(text)
    if kind == "boolean":
        return True if text.lower() in _TRUE else False if text.lower() in _FALSE else None
    if kind == "country":
        return text.upper() if registries.country(text.upper()) else None
    if kind == "currency":
        return text.upper() if registries.currency(text.upper()) else None
    return language_of(text)


def to_decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if len(text) <= MAX_SIGNIFICANT_DIGITS and "e" not in text and "E" not in text and \
            number.is_finite():
        return number  # (no more digits than characters, no exponent: within the limits)
    if not number.is_finite() or (number and (
            len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
            or not -MAX_NUMBER_EXPONENT <= number.adjusted() < MAX_NUMBER_EXPONENT)):
        return None
    return number


def iso_day(text: str) -> str | None:
    day = text[:10]  # an IATI iso-date; a dateTime carries its day first
    if _DAY.fullmatch(day):
        try:
            return date.fromisoformat(day).isoformat()
        except ValueError:
            return None
    try:
        return str(PartialDate.parse(day))
    except DateError:
        return None


def language_of(text: str) -> str | None:
    found = _LANGUAGES.get(text, UNKNOWN)
    if found is UNKNOWN:
        tag = text.strip().lower().split("-")[0]
        found = tag if registries.language(tag) is not None else None
        if len(_LANGUAGES) >= PURE_LIMIT:
            _LANGUAGES.clear()
        _LANGUAGES[text] = found
    return found  # type: ignore[return-value]


_LANGUAGES: dict[str, str | None] = {}


def line_of(where: Any) -> int | None:
    """The line of ``where``: a line, None, or an element."""
    return where if where is None or type(where) is int else where.sourceline


def is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and \
        not any(c in '<>"{}|\\^`' or ord(c) <= 32 for c in text)


def short_text(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"

"""Dates at the precision a source gives them: a year, a year and month, or a day.

"juin 2013" is ``PartialDate(2013, 6)``, written ``2013-06`` and typed ``xsd:gYearMonth``;
it never becomes 2013-06-01.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Precision = Literal["year", "month", "day"]

_PATTERN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
"""ASCII digits only: ``[0-9]`` is the ten code points (``\\d`` also matches "２", which
``int`` would read as 2)."""
MIN_YEAR, MAX_YEAR = dt.MINYEAR, dt.MAXYEAR
"""The years a date may have: those of Python's calendar, which the release's own date
code (``earliest``, ``latest``, the temporal coverage) works in (1 to 9999)."""

XSD_TYPE: dict[str, str] = {"year": "gYear", "month": "gYearMonth", "day": "date"}
"""The XML Schema datatype (local name) for each precision."""


class DateError(ValueError):
    """A value that is not a date at year, month or day precision."""


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day.

    Dates order by the first day they may stand for, then by the last: 2013 < 2013-06
    < 2013-06-15 < 2013-07.
    """

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def xsd_type(self) -> str:
        """``gYear``, ``gYearMonth`` or ``date``."""
        return XSD_TYPE[self.precision]

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @property
    def earliest(self) -> dt.date:
        """The first day the date may stand for."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        """The last day the date may stand for."""
        if self.day is not None:
            return self.earliest
        if self.month is None:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def sort_key(self) -> tuple[dt.date, dt.date]:
        return self.earliest, self.latest

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: PartialDate) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: PartialDate) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: PartialDate) -> bool:
        return self.sort_key() >= other.sort_key()

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise :class:`DateError` otherwise."""
        match = _PATTERN.fullmatch(text.strip())
        if not match:
            others = sorted({c for c in text if c.isdigit() and c not in "0123456789"})
            if others:
                named = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'DIGIT')}"
                                  for c in others[:3])
                raise DateError(f'"{text}" has digits other than the ASCII digits 0-9 ({named}); '
                                "write dates with 0-9 only, as YYYY, YYYY-MM or YYYY-MM-DD")
            raise DateError(f'expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "{text}"')
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise DateError(f'"{text}" is not a real date: there is no year {year:04d} '
                            f"(years run from {MIN_YEAR:04d} to {MAX_YEAR})")
        if month is not None and not 1 <= month <= 12:
            raise DateError(f'"{text}" is not a real date: there is no month {month}')
        if day is not None:
            try:
                dt.date(year, month or 1, day)
            except ValueError:
                raise DateError(f'"{text}" is not a real date') from None
        return cls(year, month, day)

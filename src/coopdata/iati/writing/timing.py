"""An activity's dates and status as IATI 2.03 writes them, from a record that may know its
dates only to the month or the year and may state no status (``docs/iati.md``, "IATI
out"). Nothing here states a fact the record does not give:

- **Dates.** A date known to the day is the ``activity-date`` of its own type (1 planned
  start, 2 actual start, 3 planned end, 4 actual end). IATI dates have a day; for a date
  known to the month or year, IATI's guidance is to give a *planned* date where the exact
  date is not known and to say the less specific date in the ``activity-date``'s
  narrative. So a planned date known to the month or year is its planned type at the
  first day (a start) or last day (an end) of that month or year, with a narrative that
  gives the date as the record knows it and says that the day is not known; an actual
  date known to the month or year is written the same way as the planned date of its
  side (start or end) when the record has no planned date there, and is otherwise left to
  the activity's type-4 description. An actual date (type 2 or 4) is never written
  unless the record knows its day.
- **Status.** A status the record states is written. A record that states none gets one
  derived from its dates and the day the file is written, and the activity says so in
  its type-4 description: ended (an actual end, or a planned end whose last day is
  before that day) → 3 Finalisation; started and not ended (an actual start, or a planned
  start whose last day is before that day and no planned end that may have come) → 2
  Implementation; not started (a planned start whose
  first day is after that day) → 1 Pipeline. Never 4 Closed, 5 Cancelled or 6
  Suspended: only a source can say so. A record without dates, or whose dates straddle
  the day, gets no status and is not an activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coopdata.iati.writing.codes import iati_code
from coopdata.model.dates import PartialDate

DATE_TYPES = (("planned_start", "1"), ("actual_start", "2"), ("planned_end", "3"),
              ("actual_end", "4"))
"""The record's date fields and their IATI activity-date types."""

STATUS_NAMES = {"1": "Pipeline/identification", "2": "Implementation", "3": "Finalisation"}
"""The statuses a derivation can give (IATI ActivityStatus)."""


@dataclass(frozen=True)
class ActivityDate:
    """One ``activity-date`` to write."""

    type: str
    """IATI ActivityDateType: 1 planned start, 2 actual start, 3 planned end, 4 actual end."""
    iso_date: dt.date
    field: str
    """The record's field it comes from."""
    narrative: str | None = None
    """Where the record knows the date to the month or year only: that date and what the
    day is (English)."""


@dataclass(frozen=True)
class Dates:
    """An activity's dates: those written, and those of the record that are not."""

    written: tuple[ActivityDate, ...]
    not_carried: tuple[tuple[str, str], ...]
    """(field, why) of each record date that is not an ``activity-date``."""

    @property
    def has_start(self) -> bool:
        """A planned or actual start (the IATI rule 6.11.1)."""
        return any(d.type in ("1", "2") for d in self.written)


def _date(value: object) -> PartialDate | None:
    return value if isinstance(value, PartialDate) else None


def _label(name: str) -> str:
    return name.replace("_", " ")


def _partial(date: PartialDate, name: str, kind: str, planned: str | None) -> ActivityDate:
    """The planned ``activity-date`` of a date known to the month or year only: the first
    (start) or last (end) day of that month or year, and a narrative that says so."""
    start = kind in ("1", "2")
    day = date.earliest if start else date.latest
    which = "first" if start else "last"
    text = (f"{date}: the {_label(name)} is known to the {date.precision} only; "
            f"{day.isoformat()} is the {which} day of that {date.precision}, not a known day")
    if planned is not None:
        text += (f" (written as the {_label(planned)}, as IATI asks where the exact date is "
                 "not known)")
    return ActivityDate("1" if start else "3", day, name, text + ".")


def activity_dates(data: Mapping[str, Any]) -> Dates:
    """The ``activity-date``s of a record's ``data`` (the rule in this module's text)."""
    written: list[ActivityDate] = []
    left: list[tuple[str, str]] = []
    for side in ("start", "end"):
        planned_name, actual_name = f"planned_{side}", f"actual_{side}"
        planned, actual = _date(data.get(planned_name)), _date(data.get(actual_name))
        planned_kind, actual_kind = ("1", "2") if side == "start" else ("3", "4")
        if planned is not None:
            written.append(ActivityDate(planned_kind, planned.earliest, planned_name)
                           if planned.precision == "day"
                           else _partial(planned, planned_name, planned_kind, None))
        if actual is None:
            continue
        if actual.precision == "day":
            written.append(ActivityDate(actual_kind, actual.earliest, actual_name))
        elif planned is None:
            written.append(_partial(actual, actual_name, actual_kind, planned_name))
        else:
            left.append((actual_name, f"{_label(actual_name)} {actual} is known to the "
                         f"{actual.precision} only and the record has a {_label(planned_name)}:"
                         " no activity-date (IATI dates have a day)"))
    # a planned date made from an actual one must not put the planned start after the end
    starts = [d for d in written if d.type == "1"]
    ends = [d for d in written if d.type == "3"]
    if starts and ends and starts[0].iso_date > ends[0].iso_date:
        dropped = next((d for d in (starts[0], ends[0]) if d.field.startswith("actual_")),
                       None)
        if dropped is not None:
            written.remove(dropped)
            left.append((dropped.field, f"{_label(dropped.field)} "
                         f"{data[dropped.field]} is known to the "
                         f"{data[dropped.field].precision} only and would come out of order "
                         "with the other planned date: no activity-date"))
    written.sort(key=lambda d: d.type)
    return Dates(tuple(written), tuple(left))


@dataclass(frozen=True)
class Status:
    """An activity's status: its IATI code, and how it was derived where the record states
    none (None when it does)."""

    code: str
    derivation: str | None = None


def activity_status(data: Mapping[str, Any], today: dt.date) -> Status | None:
    """The status of a record's ``data`` on ``today`` (the rule in this module's text), or
    None when the record states none and its dates do not tell."""
    stated = iati_code("activity-status", data.get("status"))
    if stated is not None:
        return Status(stated)
    dates = {name: _date(data.get(name)) for name, _ in DATE_TYPES}
    actual_end, planned_end = dates["actual_end"], dates["planned_end"]
    actual_start, planned_start = dates["actual_start"], dates["planned_start"]
    if actual_end is not None and actual_end.earliest <= today:
        code, why = "3", f"its actual end ({actual_end}) had come"
    elif planned_end is not None and planned_end.latest < today:
        code, why = "3", f"its planned end ({planned_end}) was past"
    elif actual_start is not None and actual_start.earliest <= today:
        code, why = "2", f"its actual start ({actual_start}) had come and no end was past"
    elif planned_start is not None and planned_start.latest < today and (
            planned_end is None or planned_end.earliest > today):
        code, why = "2", (f"its planned start ({planned_start}) was past and no end "
                          "was")
    elif planned_start is not None and planned_start.earliest > today:
        code, why = "1", f"its planned start ({planned_start}) was to come"
    else:
        return None
    return Status(code, f"The activity status {code} ({STATUS_NAMES[code]}) is derived, not "
                  f"stated: the record gives no status, and when this file was written {why}.")

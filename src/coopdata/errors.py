"""The one exception tree of coopdata.

::

    CoopdataError                 anything coopdata raises on purpose
    ├── UsageError                the caller asked for something impossible (exit 2)
    ├── RecordsInvalid            the records fail validation; carries the Report (exit 1)
    └── OutputError               an output could not be written; nothing was published (exit 1)

Errors from the libraries underneath (YAML, rdflib, frictionless, pyshacl, the file
system) are caught where they happen and re-raised as one of these, or turned into a
finding of a :class:`~coopdata.report.Report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coopdata.report import Report


class CoopdataError(Exception):
    """Base class of every error coopdata raises on purpose."""

    exit_code = 1


class UsageError(CoopdataError):
    """The caller asked for something that cannot be done (a missing directory…)."""

    exit_code = 2


class RecordsInvalid(CoopdataError):
    """The records did not pass validation; ``report`` holds every finding."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"validation failed: {report.summary()}")


class OutputError(CoopdataError):
    """An output could not be written; nothing was published."""

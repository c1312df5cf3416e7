"""What ``import-iati`` read and wrote: the files, the paths present and carried, the
records written, and each activity's account (spooled to a temporary file)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from coopdata.iati import paths as pathcount
from coopdata.report import Report


@dataclass
class FileSummary:
    """What was read from one file."""

    path: str
    source: str
    version: str | None
    activities: int = 0
    kept: int = 0


@dataclass
class Imported:
    """What :func:`import_iati` read and wrote."""

    report: Report
    files: list[FileSummary]
    present: Counter[str]
    carried: Counter[str]
    written: dict[str, int]
    """Records written by kind folder (``projects``, ``organisations``, ``sources``)."""
    kept_curated: list[str]
    """Record files left as they were because they are curated."""
    directory: Path
    _spool: IO[bytes] | None = None
    imported: int = 0
    """The activities imported as project records (those kept by the filters that have
    an identifier; one read twice counts twice)."""

    @property
    def dropped(self) -> Counter[str]:
        return pathcount.dropped(self.present, self.carried)

    def activities(self) -> Iterator[dict[str, Any]]:
        """For each activity imported: its identifier, record, file, line and the paths
        carried and dropped (read back from a temporary file: memory does not grow)."""
        if self._spool is None:
            return
        self._spool.seek(0)
        for line in self._spool:
            yield orjson.loads(line)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

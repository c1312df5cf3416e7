"""What one release is asked to be (:class:`ReleaseSettings`): where it goes, its version
and date, its configuration, what to leave out and whom to tell of its progress."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from coopdata.errors import UsageError
from coopdata.model.config import ReleaseConfig, check_config
from coopdata.model.uris import Uris
from coopdata.release.dir import check_version

Progress = Callable[[str], None]
"""Called with the name of each step of a release as it starts."""


def _quiet(name: str) -> None:
    """A progress callback that tells no one."""


def release_date(date: str | None = None) -> str:
    """The release date: ``date`` if given, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if date is not None:
        try:
            return dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise UsageError(f'the release date must be YYYY-MM-DD, got "{date}"') from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
        except (ValueError, OverflowError):
            raise UsageError(f'SOURCE_DATE_EPOCH must be a number of seconds, got "{epoch}"'
                             ) from None
    return dt.datetime.now(dt.UTC).date().isoformat()


@dataclass(frozen=True)
class ReleaseSettings:
    """One release's settings, checked (:meth:`of`): every step of the release reads
    them here."""

    root: Path
    """The release folder: the release is ``root/version``, beside the other versions."""
    version: str
    """A safe version name (:func:`~coopdata.release.dir.check_version`)."""
    issued: str
    """The release date, ``YYYY-MM-DD``."""
    config: ReleaseConfig = field(default_factory=ReleaseConfig)
    records: Path | str | None = None
    """The records folder (None: the project's or the embedded records)."""
    strict: bool = False
    """Refuse warnings too, not only violations."""
    site: bool = True
    """Write the website (``site/``); False leaves it out."""
    progress: Progress = _quiet
    cache: Path | bool = False
    """The cache of work already done (:func:`coopdata.cache.opened`): a folder, True for
    the default folder, False for none."""

    @classmethod
    def of(cls, out: Path | str, records: Path | str | None = None, *,
           version: str | None = None, config: ReleaseConfig | None = None,
           date: str | None = None, progress: Progress | None = None, strict: bool = False,
           site: bool = True, cache: Path | str | bool = True) -> ReleaseSettings:
        """The settings of :func:`coopdata.release.job.release`'s arguments: the date
        defaults to :func:`release_date`'s, the version to the date; UsageError for a bad
        date or version."""
        issued = release_date(date)
        return cls(Path(out), check_version(issued if version is None else version), issued,
                   ReleaseConfig() if config is None else check_config(config),
                   records, strict, site, progress or _quiet,
                   cache if isinstance(cache, bool) else Path(cache))

    @cached_property
    def uris(self) -> Uris:
        """The URI policy of the configured ``base_uri``."""
        return Uris(self.config.base_uri)

    @property
    def folder(self) -> Path:
        """Where the release is published: ``root/version``."""
        return self.root / self.version

    @property
    def today(self) -> dt.date:
        """The release date as a date."""
        return dt.date.fromisoformat(self.issued)

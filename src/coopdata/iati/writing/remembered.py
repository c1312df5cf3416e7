"""Activities remembered from an export before (issue 19): each project's
``iati-activity`` text, what its building found and what the schema and the rules found
in it, kept in the cache (:mod:`coopdata.cache`) so that a release in which few records
changed builds and checks the activities of those few only.

An activity is found by a key made of everything that went into it: the cache key of its
project's file (:attr:`~coopdata.model.dataset.Dataset.sources`: its bytes, path and kind),
that of the publisher's organisation, the configuration, the base URI, the day the file is
written (statuses and rules depend on it) and this coopdata (:func:`coopdata.cache.key`).
The organisations an activity names are found while it is built: it is kept with the cache
key of each one it asked for (or the absence of one), and used again only while each is
still the same. A project whose file the load could not vouch for (changed while read, an
id two files carry) is built every time.

Lines are kept relative to the activity's first line and rebased where it now starts; the
file, the findings and their lines are those the export makes without the cache (tests
prove it byte for byte)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from coopdata import cache as caching
from coopdata.iati.writing.rules import RuleError
from coopdata.iati.writing.xsd import SchemaError
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset, Record
from coopdata.model.uris import Uris
from coopdata.report import Finding

FETCH = 1_000
"""Activities are read from the cache this many at a time (never all held at once)."""
KEEP_EVERY = 2_000
"""Activities made anew are written into the cache this many at a time (their texts are
not all held until the end)."""


@dataclass(frozen=True)
class Remembered:
    """One project's activity as exported before: its text (None when the project could
    not be an activity), what building it found (or why it was left out), its identifier,
    and what the checks found in it (lines counted from 0 at its first line)."""

    text: bytes | None
    left_out: list[Finding]
    identifier: str = ""
    schema: tuple[SchemaError, ...] = ()
    rules: tuple[RuleError, ...] = ()
    named: tuple[tuple[str, bytes | None], ...] = ()
    """The organisations it asked for while it was built, each with the cache key of its
    file then (``b""`` when there was none)."""

    def checked_at(self, index: int, line: int
                   ) -> tuple[list[SchemaError], list[RuleError]]:
        """Its checks' findings, for activity number ``index`` starting at ``line``."""
        return ([replace(e, index=index, line=line + e.line) for e in self.schema],
                [replace(e, index=index, line=line + e.line) for e in self.rules])


class _Watched:
    """A dataset as an activity's builder reads it (``get`` alone), noting which
    organisations it asks for."""

    __slots__ = ("dataset", "asked")

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.asked: list[str] = []

    def get(self, kind: str, record_id: str) -> Record | None:
        assert kind == "organisation", kind  # (the only kind a builder asks for)
        self.asked.append(record_id)
        return self.dataset.get(kind, record_id)


Remember = tuple[caching.Cache, bytes]
"""A cache and the group its activities are kept in (a records folder's)."""


class Activities:
    """The activities of one export remembered in ``cache`` (group ``group``: the records
    folder's), for :func:`~coopdata.iati.writing.write.write_activities`: :meth:`find`
    before building a project's activity, :meth:`watch` to build it, :meth:`built` and
    :meth:`checked` once it is built, written and checked (or :meth:`made` when it is left
    out), :meth:`close` at the end."""

    def __init__(self, cache: caching.Cache, group: bytes, dataset: Dataset,
                 config: ReleaseConfig, uris: Uris, today: dt.date,
                 publisher: Record | None) -> None:
        self.cache, self.group, self.sources = cache, group, dataset.sources
        own = b"" if publisher is None else self.sources.get(("organisation", publisher.id))
        self._common: tuple[bytes, ...] | None = None if own is None else (
            own, repr(config).encode(), uris.base.encode(), today.isoformat().encode())
        self._keys = {} if self._common is None else {
            project: key for project in dataset.ids("project")
            if (key := self._key(project)) is not None}
        self._order = list(self._keys.values())  # (the order find() is asked in)
        self._positions = {key: n for n, key in enumerate(self._order)}
        self._fetched = 0
        self._found: dict[bytes, Any] = {}
        self._used: list[bytes] = []
        self._new: list[tuple[bytes, Remembered]] = []
        self._building: tuple[bytes, _Watched] | None = None
        self._built: tuple[list[Finding], str] = ([], "")

    def _key(self, project: str) -> bytes | None:
        source = self.sources.get(("project", project))
        if source is None or self._common is None:
            return None
        return caching.key("iati-activity", source, *self._common)

    def find(self, record: Record) -> Remembered | None:
        """The project's activity as remembered, if it was, of the same inputs (those of
        the projects after it read from the cache :data:`FETCH` at a time)."""
        if (key := self._keys.get(record.id)) is None:
            return None
        position = self._positions[key]
        while position >= self._fetched:
            wanted = self._order[self._fetched:self._fetched + FETCH]
            self._fetched += len(wanted)
            self._found.update(self.cache.get(wanted))
        found = self._found.pop(key, None)
        if not isinstance(found, Remembered) or any(
                self.sources.get(("organisation", name), b"") != source
                for name, source in found.named):
            return None
        self._used.append(key)
        return found

    def watch(self, record: Record, dataset: Dataset) -> Any:
        """The dataset to build ``record``'s activity from (the organisations it asks for
        noted)."""
        watched = _Watched(dataset)
        key = self._keys.get(record.id)
        self._building = None if key is None else (key, watched)
        return watched

    def built(self, left_out: list[Finding], identifier: str) -> None:
        """The activity being built (from :meth:`watch`) was built: what building it
        found, and its identifier (:meth:`checked` follows)."""
        self._built = (left_out, identifier)

    def checked(self, text: bytes, schema: list[SchemaError], rules: list[RuleError],
                line: int) -> None:
        """The activity just built, as written at ``line`` and what its checks found."""
        left_out, identifier = self._built
        self.made(text, left_out, identifier, schema, rules, line)

    def made(self, text: bytes | None, left_out: list[Finding], identifier: str = "",
             schema: list[SchemaError] | None = None, rules: list[RuleError] | None = None,
             line: int = 0) -> None:
        """The activity just built (from :meth:`watch`), or left out (``text`` None):
        remembered when all it read is known."""
        if self._building is None:
            return
        key, watched = self._building
        self._building = None
        named = tuple((name, self.sources.get(("organisation", name), b""))
                      for name in dict.fromkeys(watched.asked))
        if any(source is None for _, source in named):
            return
        self._new.append((key, Remembered(
            text, left_out, identifier,
            tuple(replace(e, index=0, line=e.line - line) for e in schema or ()),
            tuple(replace(e, index=0, line=e.line - line) for e in rules or ()), named)))
        self._used.append(key)
        if len(self._new) >= KEEP_EVERY:
            self._keep()

    def _keep(self) -> None:
        self.cache.put(self.group, self._new)
        self._new = []

    def close(self) -> None:
        """Keep what is left, and nothing more of this group than this export used."""
        self._keep()
        self.cache.keep_only(self.group, self._used)

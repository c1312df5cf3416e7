"""What a record of each kind may hold: one declarative table drives the checks, the
tables and the graph. The building blocks (:class:`Field`, :class:`Kind`, the field types' table)
are in :mod:`coopdata.model.fields`; the kinds in :mod:`coopdata.model.kinds` and
:mod:`coopdata.model.project`; this module puts them together."""

from __future__ import annotations

from coopdata.model.fields import (
    DEFAULT_VOCABULARY,
    LANGUAGES,
    TYPES,
    Field,
    Kind,
    by_name,
    text_order,
)
from coopdata.model.kinds import AGREEMENT, EVENT, ORGANISATION, PERSON, SOURCE, STRATEGY
from coopdata.model.project import PROJECT

__all__ = ["DEFAULT_VOCABULARY", "KINDS", "KIND_BY_FOLDER", "LANGUAGES", "TYPES", "Field", "Kind",
           "by_name", "text_order"]

KINDS: dict[str, Kind] = {k.name: k for k in (SOURCE, ORGANISATION, PERSON, STRATEGY, PROJECT,
                                              AGREEMENT, EVENT)}
"""Every kind of record, by name, in the order they are loaded and published."""

KIND_BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS.values()}

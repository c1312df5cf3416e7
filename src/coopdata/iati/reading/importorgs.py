"""The organisations that imported activities name, deduplicated by IATI reference
(else by name), with the name and type of their first mention."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from coopdata.iati.reading.ids import record_id
from coopdata.iati.reading.mapping import notation
from coopdata.model.spec import KINDS, by_name

ORGANISATION_FIELDS = by_name(KINDS["organisation"].fields)


@dataclass
class Organisation:
    id: str
    name: dict[str, str]
    ref: str | None
    type: str | None
    sources: set[str] = field(default_factory=set)
    key: str = ""
    """The IATI reference, or the folded name when there is none."""
    name_at: tuple[int, ...] | None = None
    """Where the name was first read (file, activity, mention): the earliest wins."""
    type_at: tuple[int, ...] | None = None


class NamedOrganisations:
    """The organisations named by the activities, by IATI reference and by name. The
    name and type of an organisation are those of its first mention that gives one, in
    the order of the files and activities (also when workers read them in shares)."""

    def __init__(self, curated: dict[str, str]) -> None:
        self.curated = curated  # iati_ref → id of a curated organisation
        self.by_ref: dict[str, Organisation] = {}
        self.by_name: dict[str, Organisation] = {}
        self.source = ""
        self.position: tuple[int, int] = (0, 0)
        """(file, activity) being mapped."""
        self.mentions = 0
        """Mentions of organisations in that activity so far."""

    def identify(self, ref: str | None, name: dict[str, str], type_code: str | None,
                 line: int | None) -> tuple[str | None, bool]:
        type_notation = notation("organisation-type", type_code.strip()) if type_code and \
            "type" in ORGANISATION_FIELDS else None
        at = (*self.position, self.mentions)
        self.mentions += 1
        if ref:
            if ref in self.curated:
                return self.curated[ref], False
            found = self.by_ref.get(ref)
            if found is None:
                found = self.by_ref[ref] = Organisation(record_id("org-", ref), {}, ref,
                                                         None, key=ref)
        elif name:
            key = " ".join(next(iter(name.values())).split()).casefold()
            found = self.by_name.get(key)
            if found is None:
                found = self.by_name[key] = Organisation(record_id("org-", key,
                                                                    always_hash=True),
                                                          {}, None, None, key=key)
        else:
            return None, False
        if not found.name and name:
            found.name, found.name_at = name, at
        if found.type is None and type_notation is not None:
            found.type, found.type_at = type_notation, at
        found.sources.add(self.source)
        return found.id, type_notation is not None

    def merge(self, org: Organisation) -> None:
        """Add what another reader found of ``org``: the earliest name and type win."""
        known = (self.by_ref if org.ref else self.by_name).setdefault(org.key, org)
        if known is org:
            return
        if org.name_at is not None and (known.name_at is None or org.name_at < known.name_at):
            known.name, known.name_at = org.name, org.name_at
        if org.type_at is not None and (known.type_at is None or org.type_at < known.type_at):
            known.type, known.type_at = org.type, org.type_at
        known.sources |= org.sources

    def all(self) -> Iterator[Organisation]:
        yield from self.by_ref.values()
        yield from self.by_name.values()

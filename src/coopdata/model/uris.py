"""The URI policy: every record and every object nested in it has a stable URI.

=========================  ==================================================
what                       URI
=========================  ==================================================
a record                   ``{base}{kind}/{id}``  (``…/id/project/recosa``)
an object nested in it     ``{record}/{field}/{n}`` (``…/project/recosa/budgets/1``)
a single nested object     ``{record}/{field}`` (``…/event/gfmd-2018/place``)
a code                     ``https://w3id.org/coopdata/code/{scheme}/{code}``
a country                  the EU Publications Office authority URI (``…/country/MAR``)
=========================  ==================================================

Ids never change once published, so URIs are stable across releases. Positions
``n`` count from 1 in the order the record lists the objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopdata.model.spec import KINDS
from coopdata.model.values import iri_problem

DEFAULT_BASE = "https://w3id.org/coopdata/id/"
VOCAB = "https://w3id.org/coopdata/vocab#"


@dataclass(frozen=True)
class Uris:
    """Makes and reads the URIs of one dataset."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not self.base.startswith(("http://", "https://")) or not self.base.endswith(("/", "#")):
            raise ValueError(f'the base URI must be an http(s) URI ending in "/" or "#", '
                             f'got "{self.base}"')
        if (problem := iri_problem(self.record("project", "id"))) is not None:
            raise ValueError(f'the base URI "{self.base}" does not make IRIs: {problem}')

    def record(self, kind: str, record_id: str) -> str:
        return f"{self.base}{kind}/{record_id}"

    def locate(self, uri: str) -> tuple[str, str, str] | None:
        """``(kind, id, field path)`` of a URI made by this policy, or None.

        ``…/project/recosa/budgets/1`` gives ``("project", "recosa", "budgets[1]")``.
        """
        if not uri.startswith(self.base):
            return None
        parts = uri[len(self.base):].split("/")
        if len(parts) < 2 or parts[0] not in KINDS:
            return None
        kind, record_id, rest = parts[0], parts[1], parts[2:]
        path = ""
        while rest:
            name = rest.pop(0)
            path = f"{path}.{name}" if path else name
            if rest and rest[0].isdigit():
                path += f"[{rest.pop(0)}]"
        return kind, record_id, path

"""What makes the site fast gives the bytes the slow way gave: html() and joined() are
markupsafe's Markup.format and Markup.join, the backlinks of many records naming one
organisation keep their order, and write_site writes each file before making the next."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

import coopdata.release.site as site
from coopdata import load
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset, Record
from coopdata.model.dates import PartialDate
from coopdata.model.fieldtypes import CountryType, RefType
from coopdata.model.spec import KINDS, Field
from coopdata.model.uris import Uris
from coopdata.rdf.triples import triples
from coopdata.release.site import SiteInput, site_files, write_site
from coopdata.release.site.markup import escaped, html, joined
from coopdata.release.site.model import Backlink, Model, Target, sort_key
from tests.conftest import FIXTURES

# Text with every character HTML escapes, and markup already made.
texts = st.text(st.sampled_from(list("&<>'\"ab é{}:") + ["\u2028", "😀"]), max_size=12)
values = (texts | st.integers() | st.decimals(allow_nan=False, places=3) | st.none()
          | st.booleans() | st.floats(allow_nan=False) | texts.map(Markup)
          | st.sampled_from([PartialDate.parse("2024-03"), PartialDate.parse("2019")]))
literal = st.text(st.sampled_from(list("<a href=\"x\">&;' é")), max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(literal, values), max_size=5), literal)
def test_html_is_markup_format(fields: list[tuple[str, Any]], tail: str) -> None:
    template = "".join(text + "{}" for text, _ in fields) + tail
    args = [value for _, value in fields]
    made = html(template, *args)
    assert type(made) is Markup
    assert made == Markup(template).format(*args)


@settings(max_examples=100, deadline=None)
@given(st.lists(values, max_size=4))
def test_html_numbered_fields(args: list[Any]) -> None:
    template = "".join(f"<b>{{{n}}}</b>{{{n}}}" for n in reversed(range(len(args))))
    assert html(template, *args) == Markup(template).format(*args)


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=6), literal)
def test_joined_is_markup_join(items: list[Any], separator: str) -> None:
    made = joined(iter(items), separator)
    assert type(made) is Markup
    assert made == Markup(separator).join(items)


@settings(max_examples=300, deadline=None)
@given(values)
def test_escaped_is_plain_text(value: Any) -> None:
    # plain str: a Markup would escape what is added before it ("<td>" + cell)
    assert type(escaped(value)) is str
    assert escaped(value) == str(escape(value))
    assert "<p>" + escaped(value) == "<p>" + str(escape(value))


def test_escaped_uses_html_of_other_objects() -> None:
    class Safe:
        def __html__(self) -> str:
            return "<i>safe</i>"

    assert escaped(Safe()) == "<i>safe</i>"
    assert Decimal("1E+2") and escaped(Decimal("1E+2")) == "1E+2"


def quadratic_backlinks(dataset: Dataset, model: Model) -> dict[Target, list[Backlink]]:
    """The backlinks as the site found them before: a scan of the links found so far
    before each is added (slow, plainly right)."""
    found: dict[Target, list[Backlink]] = defaultdict(list)

    def walk(kind: str, key: str, fields: tuple[Field, ...], data: dict[str, Any],
             prefix: str, qualifier: tuple[str, str] | None) -> None:
        for spec in fields:
            if spec.name not in data:
                continue
            path = f"{prefix}{spec.name}"
            for value in data[spec.name] if spec.many else [data[spec.name]]:
                if spec.is_object:
                    role = next((f for f in spec.fields if f.name == "role"), None)
                    inner = (role.scheme or "", value["role"]) if role and "role" in value \
                        else None
                    walk(kind, key, spec.fields, value, f"{path}.", inner)
                elif isinstance(spec.field_type, RefType | CountryType):
                    link = Backlink(kind, key, path, qualifier)
                    if link not in found[(spec.ref or "country", value)]:
                        found[(spec.ref or "country", value)].append(link)

    for record in dataset:
        walk(record.kind, record.id, KINDS[record.kind].fields, record.data, "", None)
    for links in found.values():
        links.sort(key=lambda b: (b.path, b.kind, sort_key(model.label(b.kind, b.id)), b.id))
    return found


ROLES = ["funding", "implementing", "accountable"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["org-a", "org-b"]), st.sampled_from(ROLES)),
                         max_size=5), min_size=1, max_size=60),
       st.lists(st.sampled_from(["Zeta", "alpha", "Émile", "beta"]), min_size=1))
def test_backlinks_keep_their_order(participations: list[list[tuple[str, str]]],
                                    names: list[str]) -> None:
    """Many projects name the same organisations, some twice in the same role: each link
    is kept once, in the order of the slow way, the labels' sort included."""
    dataset = Dataset()
    for key in ("org-a", "org-b"):
        dataset.add(Record("organisation", key, f"{key}.yaml",
                           {"name": {"en": key}, "type": "ngo"}))
    for n, named in enumerate(participations):
        data = {"title": {"en": names[n % len(names)]}, "type": "project",
                "countries": ["MA", "SN"][: n % 3],
                "participations": [{"organisation": o, "role": r} for o, r in named]}
        dataset.add(Record("project", f"p{n:03d}", f"p{n}.yaml", data))
    model = Model(dataset)
    assert dict(model.backlinks) == dict(quadratic_backlinks(dataset, model))
    assert all(model.project(p.id) is p for p in model.projects)


def _source() -> SiteInput:
    dataset, _ = load(FIXTURES / "records")
    return SiteInput(dataset, triples(dataset), Uris(), ReleaseConfig(), "1.0.0", "2026-12-06",
                     [])


def test_write_site_writes_each_file_before_making_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "site"
    expected = site_files(_source())
    made = site.site_pages
    asked = []

    def watched(source: SiteInput) -> Iterator[tuple[str, bytes]]:
        for name, content in made(source):
            # what was made before is on disk already: nothing waits in memory
            assert all((target / earlier).read_bytes() == data for earlier, data in asked[-1:])
            asked.append((name, content))
            yield name, content

    monkeypatch.setattr(site, "site_pages", watched)
    written = write_site(target, _source())
    assert len(asked) == len(expected) > 50
    assert written == [target / name for name in expected]
    assert {name: (target / name).read_bytes() for name in expected} == expected

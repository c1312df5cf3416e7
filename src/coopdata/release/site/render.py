"""The template environment and what every page shares: the paths between pages, the
navigation, the footer's facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset
from coopdata.model.uris import Uris
from coopdata.release.files import ReleaseFile
from coopdata.release.site.i18n import Pair, kind_label
from coopdata.release.site.markup import json_script, kind_pair, pair, text, ui_pair
from coopdata.release.site.model import Model, page_path

if TYPE_CHECKING:
    from coopdata.rdf.triples import Triple

NAV = ("project", "organisation", "country", "agreement", "event", "person", "strategy",
       "source")
"""The kinds the navigation lists, in its order; each has a list page ``{kind}/index.html``."""


@dataclass(frozen=True)
class SiteInput:
    """What a site is made from: the release's records, its triples and its facts."""

    dataset: Dataset
    triples: list[Triple]
    """The release's graph as sorted N-Triples terms (:mod:`coopdata.rdf.triples`)."""
    uris: Uris
    config: ReleaseConfig
    version: str
    issued: str
    files: Sequence[ReleaseFile]
    """The release files the home page offers for download (the site's own excluded)."""


def environment() -> Environment:
    env = Environment(loader=PackageLoader("coopdata.release.site", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      auto_reload=False)  # the templates are the package's: no stat a page
    env.globals.update(
        t=ui_pair, pair=pair, tx=text, kind_label=kind_pair)
    return env


class Pages:
    """Renders pages; every page knows its depth, so that its links are relative and the
    site works from any folder, over ``file://`` as over HTTP."""

    def __init__(self, source: SiteInput) -> None:
        self.source = source
        self.model = Model(source.dataset)
        self.env = environment()
        self.config = source.config

    @staticmethod
    def root(path: str) -> str:
        """The way back to the site root from the page at ``path``."""
        return "../" * path.count("/")

    @staticmethod
    def linker(root: str) -> Any:
        def href(kind: str, key: str) -> str:
            return root + page_path(kind, key)
        return href

    def page_url(self, path: str) -> str:
        """Where the page is published: beside the release's files."""
        return f"{self.config.download_url}{self.source.version}/site/{path}"

    def render(self, template: str, path: str, *, title: Pair, schema: dict[str, Any],
               current: str | None = None, crumbs: Sequence[tuple[str | None, Markup]] = (),
               data: dict[str, Any] | None = None,
               alternates: Sequence[tuple[str, str]] = (), **context: Any) -> bytes:
        root = self.root(path)
        page = self.env.get_template(template).render(
            root=root, title=(f"{title[0]} · coopdata", f"{title[1]} · coopdata"),
            description=self.config.description, schema=json_script(schema),
            data=json_script(data) if data is not None else None, alternates=alternates,
            version=self.source.version, issued=self.source.issued, config=self.config,
            licence_url=self.config.license_uri, nav=NAV, current=current, crumbs=crumbs,
            **context)
        return page.encode("utf-8")

    def list_crumb(self, kind: str, root: str) -> tuple[str, Markup]:
        return f"{root}{kind}/index.html", pair(kind_label(kind, plural=True))

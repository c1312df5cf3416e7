"""Release configuration: who publishes, under which licence, where files are served.

Read from a small TOML file (``coopdata release --config coopdata.toml``); every value
has a default that works for the embedded dataset::

    [release]
    title = "Cooperation on migration"
    description = "..."
    base_uri = "https://w3id.org/coopdata/id/"       # entity URIs
    catalog_uri = "https://w3id.org/coopdata/"       # catalogue, dataset series, datasets
    download_url = "https://w3id.org/coopdata/releases/"  # where the release directory is served
    license = "CC-BY-4.0"                            # SPDX id or licence URL
    sparql_endpoint = "https://example.org/sparql"   # optional
    keywords = ["migration", "cooperation"]
    iati_organisation_ref = "XI-IATI-COOPDATA"       # the publisher's IATI organisation id

    [release.publisher]
    name = "coopdata"
    uri = "https://w3id.org/coopdata/publisher"

    [release.contact]
    name = "coopdata curators"
    email = "curators@example.org"                   # or url = "https://…"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._errors import UsageError
from .uris import DEFAULT_BASE, iri_problem

LICENCES: dict[str, str] = {
    "CC-BY-4.0": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
    "CC-BY-SA-4.0": "http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0",
    "CC0-1.0": "http://publications.europa.eu/resource/authority/licence/CC0",
    "ODbL-1.0": "http://publications.europa.eu/resource/authority/licence/ODC_BL",
    "etalab-2.0": "http://publications.europa.eu/resource/authority/licence/ETALAB_2_0",
}
"""SPDX licence ids and their EU Publications Office authority URIs (what DCAT-AP asks)."""


@dataclass(frozen=True)
class ReleaseConfig:
    """What a release says about itself. Every field has a working default."""

    title: str = "Cooperation on migration: projects, organisations, agreements and events"
    description: str = ("Curated open data about international cooperation on migration: "
                        "projects and programmes, who funds and implements them, in which "
                        "countries, with what budget, when and towards which results, and the "
                        "agreements, meetings and events around them.")
    base_uri: str = DEFAULT_BASE
    catalog_uri: str = "https://w3id.org/coopdata/"
    download_url: str = "https://w3id.org/coopdata/releases/"
    license: str = "CC-BY-4.0"
    sparql_endpoint: str | None = None
    keywords: tuple[str, ...] = ("migration", "international cooperation", "development aid",
                                 "linked data")
    publisher_name: str = "coopdata"
    publisher_uri: str = "https://w3id.org/coopdata/publisher"
    contact_name: str = "coopdata curators"
    contact_email: str | None = None
    contact_url: str | None = "https://w3id.org/coopdata/"
    languages: tuple[str, ...] = field(default=("en", "fr"))
    iati_organisation_ref: str = "XI-IATI-COOPDATA"
    """The publisher's IATI organisation identifier (org-id.guide): the reporting
    organisation of the IATI file, and the prefix of curated projects' IATI identifiers.
    The default is a placeholder in the IATI Secretariat's own registration scheme
    (``XI-IATI``); a publisher sets its own before registering with the IATI Registry."""

    @property
    def license_uri(self) -> str:
        """The licence as a URI (an SPDX id is mapped to the EU licence authority)."""
        return LICENCES.get(self.license, self.license)


_ORG_REF = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9._-]+")
"""An IATI organisation identifier: a registration agency's prefix, a hyphen, the number."""

_URL_FIELDS = ("base_uri", "catalog_uri", "download_url", "sparql_endpoint", "publisher_uri",
               "contact_url")


def _check(config: ReleaseConfig, where: str) -> ReleaseConfig:
    for name in _URL_FIELDS:
        value = getattr(config, name)
        if value is None:
            continue
        try:
            parts = urlsplit(value) if value.isprintable() else None
        except ValueError:  # ("http://[::1/": an unclosed IPv6 address)
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc \
                or " " in value:
            raise UsageError(f"{where}: {name} must be an http(s) URL, got {_shown(value)}")
        _check_iri(where, name, value, value)
    for name in ("base_uri", "catalog_uri", "download_url"):
        if not getattr(config, name).endswith("/"):
            raise UsageError(f'{where}: {name} must end with "/", got '
                             f"{_shown(getattr(config, name))}")
    for name in ("catalog_uri", "download_url"):  # folders: a fragment is never fetched
        if "#" in getattr(config, name):
            raise UsageError(f'{where}: {name} is a folder and must not hold a "#", got '
                             f"{_shown(getattr(config, name))}")
    # what the release writes from them as IRIs: a record, a dataset and its fragments, a
    # file to download (a "#" in a prefix makes the second "#" of "…#void" invalid)
    _check_iri(where, "base_uri", config.base_uri, config.base_uri + "project/id")
    _check_iri(where, "catalog_uri", config.catalog_uri, config.catalog_uri + "dataset/1#void")
    _check_iri(where, "download_url", config.download_url,
               config.download_url + "1/graph.nt")
    if config.license not in LICENCES and not config.license.startswith(("http://", "https://")):
        raise UsageError(f'{where}: license must be one of {", ".join(LICENCES)} or a URL, got '
                         f"{_shown(config.license)}")
    _check_iri(where, "license", config.license, config.license_uri)
    if config.contact_email is not None and ("@" not in config.contact_email
                                             or " " in config.contact_email):
        raise UsageError(f"{where}: contact email must be an e-mail address, got "
                         f"{_shown(config.contact_email)}")
    if config.contact_email is not None:
        _check_iri(where, "contact.email", config.contact_email, "mailto:" + config.contact_email)
    if not _ORG_REF.fullmatch(config.iati_organisation_ref):
        raise UsageError(f'{where}: iati_organisation_ref must be an IATI organisation '
                         f'identifier such as "DE-1" or "XM-DAC-41114", got '
                         f'"{config.iati_organisation_ref}"')
    if not config.title.strip():
        raise UsageError(f"{where}: title must not be empty")
    return config


def _check_iri(where: str, name: str, value: str, written: str) -> None:
    """Refuse ``value`` when the IRI the release writes from it (``written``) is invalid,
    checked with the parser that reads the release's graphs (:func:`~coopdata.uris.iri_problem`)."""
    problem = iri_problem(written)
    if problem is not None:
        raise UsageError(f"{where}: {name} must be a valid IRI, got {_shown(value)}: {problem}; "
                         'write a space or one of <>"{}|\\^` as %XX, a % only before two hex '
                         "digits, a port as digits, and at most one #")


def _shown(value: str) -> str:
    """``value`` quoted, with invisible and control characters escaped, cut if long."""
    shown = value if value.isascii() and value.isprintable() \
        else value.encode("unicode_escape").decode("ascii")
    return f'"{shown}"' if len(shown) <= 200 else f'"{shown[:200]}…"'


def load_config(path: Path | str | None = None) -> ReleaseConfig:
    """The configuration in ``path`` (TOML), or the defaults when None.

    Raises :class:`~coopdata.UsageError` for an unreadable file, an unknown key or an
    invalid value, naming the file and the key.
    """
    if path is None:
        return ReleaseConfig()
    where = str(path)
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read the config file {where}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: not valid TOML: {exc}") from None
    section = document.get("release", {})
    unknown_top = sorted(set(document) - {"release"})
    if unknown_top or not isinstance(section, dict):
        raise UsageError(f"{where}: expected a [release] table, found {unknown_top or section}")
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key in ("publisher", "contact") and isinstance(value, dict):
            for sub, inner in value.items():
                values[f"{key}_{sub}"] = inner
        else:
            values[key] = value
    known = {f.name: f for f in fields(ReleaseConfig)}
    for key, value in values.items():
        if key not in known:
            shown = key.replace("_", ".", 1) if key.startswith(("publisher_", "contact_")) \
                else key
            raise UsageError(f'{where}: unknown setting "{shown}"')
        if key in ("keywords", "languages"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(f"{where}: {key} must be a list of strings")
            values[key] = tuple(value)
        elif not isinstance(value, str):
            raise UsageError(f'{where}: {key} must be a string, got {value!r}')
    return _check(ReleaseConfig(**values), where)

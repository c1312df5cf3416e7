"""The files of a records folder: the record files, one folder a kind, in a stable order,
the files that are not records (said, not read), and the bytes of a record file, read
safely."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from coopdata.model.spec import KIND_BY_FOLDER, KINDS
from coopdata.report import Finding


def record_files(directory: Path) -> Iterator[tuple[str, Path]]:
    """``(kind, path)`` of every record file below ``directory``, in a stable order.

    A folder that cannot be listed yields nothing here: :func:`stray_files` reports it
    (``unreadable-folder``), so that no record is left out without a word.
    """
    for kind in KINDS.values():
        folder = directory / kind.folder
        for name in _record_names(folder):
            yield kind.name, folder / name


def record_file_names(directory: Path) -> Iterator[tuple[str, str]]:
    """What :func:`record_files` yields, each path as text (``str(path)``, the same
    string): the loader's way, as making and printing 100,000 ``Path`` objects is a
    good part of listing and opening the files."""
    for kind in KINDS.values():
        folder = directory / kind.folder
        prefix = f"{folder}{os.sep}"
        for name in _record_names(folder):
            yield kind.name, prefix + name


def _record_names(folder: Path) -> list[str]:
    """The names of the record files in ``folder``, sorted (none when it cannot be
    listed)."""
    names = _listed(folder)
    return sorted(n for n in names if n.endswith(".yaml")) if isinstance(names, list) else []


def _listed(folder: Path) -> list[str] | OSError | None:
    """The names in ``folder``; None when it is no folder to read (missing, a file, or a
    symbolic link: see :func:`stray_files`); the error when it cannot be listed."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return None
        return os.listdir(folder)  # (names: a folder may hold 100,000)
    except OSError as exc:
        return exc


def _unreadable(path: Path, exc: OSError) -> Finding:
    return Finding("unreadable-folder", f"cannot read the folder ({exc.strerror or exc}): "
                   "none of its records were read; give read and search permission on it",
                   path=str(path))


def stray_files(directory: Path) -> list[Finding]:
    """Warnings for files and folders the loader does not read (a likely mistake), and an
    ``unreadable-folder`` violation for each folder of records it cannot list."""
    findings = []
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        return [_unreadable(directory, exc)]
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            linked, folder = entry.is_symlink(), entry.is_dir()
        except OSError as exc:
            findings.append(_unreadable(entry, exc))
            continue
        if linked and entry.name in KIND_BY_FOLDER:
            findings.append(Finding("symlink-refused", "not read: record folders are never "
                                    "symbolic links; copy the folder here instead",
                                    path=str(entry)))
        elif folder and entry.name in KIND_BY_FOLDER:
            names = _listed(entry)
            if isinstance(names, OSError):
                findings.append(_unreadable(entry, names))
                continue
            for name in sorted(names or ()):
                if not name.endswith(".yaml") and not name.startswith("."):
                    findings.append(Finding("ignored-file", "not read: record files end in .yaml",
                                            severity="warning", path=str(entry / name)))
        elif folder:
            known = ", ".join(KIND_BY_FOLDER)
            findings.append(Finding("ignored-folder", f"not read: record folders are {known}",
                                    severity="warning", path=str(entry)))
    return findings


MAX_BYTES = 1_000_000
"""A record file larger than this is refused unread."""


class Refused(Exception):  # noqa: N818 - a refusal, said as a finding
    """A record file not read: the code, message and line of the finding that says why."""

    def __init__(self, code: str, message: str, line: int) -> None:
        self.code, self.message, self.line = code, message, line


def read_regular_file(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    A symbolic link is refused (a record never reads outside its folder), and so is a
    named pipe or device (reading one could block for ever); the file is opened once, so
    it cannot be swapped for a link between the check and the read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused("symlink-refused", "not read: record files are never symbolic links; "
                          "copy the file here instead", 0) from None
        raise
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise Refused("unreadable-file", "not read: not a regular file (a folder, named "
                          "pipe or device)", 0)
        raw = read_at_most(descriptor, limit + 1, status.st_size)
    finally:
        os.close(descriptor)
    if len(raw) > limit:
        raise Refused("file-too-large", f"record files are limited to {limit} bytes", 0)
    return raw


def record_bytes(path: Path | str) -> bytes | None:
    """The bytes of the record file ``path`` as the reader reads them
    (:func:`read_regular_file`); None when it would refuse the file unread (a link, not a
    regular file, too large, unreadable)."""
    try:
        return read_regular_file(path)
    except (Refused, OSError):
        return None


def read_at_most(descriptor: int, limit: int, size: int) -> bytes:
    """Up to ``limit`` bytes from ``descriptor``, a file of about ``size`` bytes.

    Each read asks for what the file holds (and one byte more, to see its end): a
    buffered read of ``limit`` bytes would allocate that much every time.
    """
    chunks: list[bytes] = []
    total, want = 0, min(size + 1, limit)
    while want > 0:
        chunk = os.read(descriptor, want)
        chunks.append(chunk)
        total += len(chunk)
        if len(chunk) < want:  # the end of the file
            break
        want = limit - total
    return b"".join(chunks)

"""The files of a records folder: the record files, one folder a kind, in a stable order,
and the files that are not records (said, not read)."""

from __future__ import annotations

import os
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
        names = _listed(directory / kind.folder)
        if isinstance(names, list):
            for name in sorted(n for n in names if n.endswith(".yaml")):
                yield kind.name, directory / kind.folder / name


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

"""``latest/``'s files made while the release is written: each large file is given a
second name (a hard link: the same file, no byte copied) in a temporary folder of the
release folder as soon as it is complete, so that publishing it
(:func:`coopdata.release.series.publish_beside`) moves these names into ``latest/`` by
renames. Where the file system has no hard links, each large file is copied (and synced)
in a thread of its own instead, while the release makes and checks the rest.

A link is used only if it still names the release's file; a copy only if its bytes are
those the release's checksums list for its source (it is hashed as it is copied); else
the file is linked or copied again at publish. The temporary folder
(``.latest.*.partial``) is removed when the release ends (a copy under way then stops at
its next block), and by the next release should this one be killed."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from coopdata.release.files import ReleaseFile

_BLOCK = 1 << 20


class EarlyCopies:
    """Links to (or copies of) the finished files of the release being written in
    ``staging``, for ``latest/`` (a context manager: its folder and thread end with it)."""

    def __init__(self, root: Path, staging: Path) -> None:
        self.staging = staging
        self.folder = Path(tempfile.mkdtemp(prefix=".latest.", suffix=".partial", dir=root))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coopdata-latest")
        self._copies: dict[Path, Future[str]] = {}
        self._links: dict[Path, Path] = {}
        self._expected: dict[Path, str] = {}
        self._leaving = threading.Event()

    def __enter__(self) -> EarlyCopies:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._leaving.set()  # (a copy under way stops at its next block: not waited for)
        for copy in self._copies.values():
            copy.cancel()
        self._thread.shutdown(wait=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def finished(self, path: Path) -> None:
        """``path`` (in ``staging``) is complete and will not change: link it now, or
        copy it in the background where it cannot be linked."""
        if path in self._copies or path in self._links:
            return
        target = self.folder / path.relative_to(self.staging)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
            self._links[path] = target
        except OSError:  # (no hard links here: a copy)
            self._copies[path] = self._thread.submit(self._copy, path)

    def _copy(self, path: Path) -> str:
        """Copy ``path`` with its metadata (as :func:`shutil.copy2`), synced; its SHA-256."""
        target = self.folder / path.relative_to(self.staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(path, "rb") as source, open(target, "wb") as copy:
            while block := source.read(_BLOCK):
                if self._leaving.is_set():
                    raise InterruptedError(f"{path}: not copied, the release has ended")
                digest.update(block)
                copy.write(block)
            copy.flush()
            os.fsync(copy.fileno())
        shutil.copystat(path, target)
        return digest.hexdigest()

    def expect(self, files: Iterable[ReleaseFile]) -> None:
        """The release's files as its checksums list them: a copy is used only if it
        holds what they say."""
        self._expected = {self.staging / file.name: file.sha256 for file in files}

    def place(self, source: str, target: str) -> object:
        """Put ``source`` (a file of ``staging``) at ``target``: its early link, moved by a
        rename, while it names ``source`` still; its early copy, when it holds what the
        release's checksums list for ``source`` (:meth:`expect`); else a new link or copy
        (:func:`link_or_copy`). A ``copy_function`` for :func:`shutil.copytree`."""
        path = Path(source)
        link = self._links.pop(path, None)
        if link is not None:
            try:
                if os.path.samestat(os.stat(link), os.stat(path)):
                    os.replace(link, target)
                    return target
            except OSError:  # (linked or copied again below)
                pass
        copy = self._copies.pop(path, None)
        if copy is not None and path in self._expected:
            try:
                if copy.result() == self._expected[path]:
                    os.replace(self.folder / path.relative_to(self.staging), target)
                    return target
            except OSError:  # (copied again below, which says what is wrong, if anything)
                pass
        return link_or_copy(source, target)


def link_or_copy(source: str, target: str) -> object:
    """``target`` made a hard link to ``source`` (the same file: no byte copied), or
    where the file system has none, a copy (:func:`shutil.copy2`). A ``copy_function``
    for :func:`shutil.copytree`."""
    try:
        os.link(source, target)
    except OSError:
        return shutil.copy2(source, target)
    return target

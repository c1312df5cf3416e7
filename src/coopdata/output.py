"""Write a directory completely or not at all.

Files are written into a temporary sibling directory, which is renamed into place
only when everything is written; an existing directory is replaced in one rename.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ._errors import OutputError, UsageError


@contextmanager
def atomic_directory(target: Path, *, marker: str | None) -> Iterator[Path]:
    """Yield a temporary directory; on success it becomes ``target``.

    An existing ``target`` is replaced only when it is empty or holds ``marker`` (the
    file that shows it is an earlier output of the same command); anything else is
    refused with :class:`~coopdata.UsageError` before a byte is written, so that a
    wrong ``--out`` can never delete a user's files.
    """
    target = Path(target)
    parent = target.parent
    if target.exists():
        if not target.is_dir():
            raise UsageError(f"{target} exists and is not a directory")
        if any(target.iterdir()) and (marker is None or not (target / marker).is_file()):
            hint = f" (no {marker} in it)" if marker else ""
            raise UsageError(f"{target} already exists and is not an earlier output{hint}: "
                             "choose a new directory or remove it")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write to {parent}: {exc.strerror}") from exc
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp made it private; outputs are for everyone to read
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / target.name)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)

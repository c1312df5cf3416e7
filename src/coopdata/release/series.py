"""What stands beside the versions in a release folder: ``latest/`` (the newest release's
files) and the DCAT-AP catalogue of every version, both replaced only by what coopdata
wrote, and the new version renamed into place between them."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import ExitStack, suppress
from pathlib import Path

import pyoxigraph

from coopdata.errors import OutputError, UsageError
from coopdata.jsonfile import dump_json, dump_json_list
from coopdata.model.config import ReleaseConfig
from coopdata.rdf.compact import Compactor
from coopdata.release.catalog import catalog_context, series_prefixes, series_triples
from coopdata.release.dir import CHECKSUMS, LATEST, SERIES, SERIES_MARKER, issued_of, release_order
from coopdata.release.files import ReleaseFile
from coopdata.release.latest import EarlyCopies, link_or_copy
from coopdata.release.settings import ReleaseSettings
from coopdata.release.staging import (
    Digests,
    atomic_directory,
    check_output,
    fsync_directory,
    fsync_tree,
)


def check_beside(root: Path, digests: Digests | None = None) -> None:
    """UsageError when ``latest/`` or the series catalogue in ``root`` holds anything
    coopdata did not write (it would have to replace it). ``digests`` keeps the hashes of
    ``latest/``'s files for :func:`publish_beside`'s checks of them."""

    check_output(root / LATEST, "release", digests)
    _series_owned(root)


def _series_owned(root: Path) -> None:
    """UsageError unless each series catalogue file in ``root`` is absent or the one
    coopdata wrote there, unchanged (as its marker lists it)."""
    listed: dict[str, str] = {}
    with suppress(OSError, ValueError, AttributeError):
        listed = dict(json.loads((root / SERIES_MARKER).read_text(encoding="utf-8"))["files"])
    for name in SERIES:
        path = root / name
        if not path.exists() and not path.is_symlink():
            continue
        if path.is_symlink() or not path.is_file() or listed.get(name) != ReleaseFile.of(
                root, path).sha256:
            raise UsageError(f"{path} is not the catalogue coopdata wrote there (or it was "
                             "changed): coopdata replaces only what it wrote itself; move it "
                             "away and release again")


def is_newest(settings: ReleaseSettings, previous: list[str]) -> bool:
    """Whether the release of ``settings`` will be the newest of ``root`` (and so be
    copied into ``latest/``), beside the ``previous`` versions."""
    root = settings.root
    mine = release_order(settings.version, settings.issued)
    return all(release_order(name, issued_of(root / name)) < mine for name in previous)


def publish_beside(settings: ReleaseSettings, staging: Path, previous: list[str],
                   files: list[ReleaseFile] | None = None,
                   early: EarlyCopies | None = None, digests: Digests | None = None) -> None:
    """Rename ``staging`` into ``settings.folder`` (``root/version``), beside the
    ``previous`` versions, with what stands beside the versions:

    - ``latest/``, a real folder (not a symbolic link: portals that copy folders, and
      Windows, do not keep those) holding the newest release's files, each a hard link
      to the version's file (a copy where the file system has no hard links), replaced
      only when this one is the newest, by renames: a failed release leaves the previous
      one as it was;
    - ``catalog.ttl`` and ``catalog.jsonld``, the DCAT-AP catalogue of every version
      (:func:`coopdata.release.catalog.series_triples`), each replaced by a rename.

    Both are made before the version is renamed into place, so that any failure before
    then leaves ``root`` as it was. ``files``: the release's files as hashed already
    (all but SHA256SUMS), whose hashes ``latest/``'s marker lists; ``early``: links to (or copies
    of) them made while the release was written, moved into ``latest/`` when unchanged
    since; ``digests``: the hashes of ``latest/``'s files as
    :func:`check_beside` found them."""

    root, version, config = settings.root, settings.version, settings.config
    order = [(release_order(name, issued_of(root / name)), name, root / name) for name in previous]
    order.append((release_order(version, settings.issued), version, staging))
    order.sort()
    newest = order[-1][2]
    published = False
    try:
        with ExitStack() as stack:
            if newest == staging or _out_of_step(root / LATEST, newest):
                known = {f.name: (f.byte_size, f.sha256) for f in files or ()} \
                    if newest == staging else {}
                if early is not None:
                    early.expect(files or ())
                latest = stack.enter_context(atomic_directory(
                    root / LATEST, command="release", known=known, digests=digests))
                shutil.copytree(newest, latest, dirs_exist_ok=True, copy_function=early.place
                                if early is not None and newest == staging else link_or_copy)
                fsync_tree(latest)
            catalogue = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix=".catalog.", suffix=".partial", dir=root)))
            _write_series(catalogue, config, [(name, folder) for _, name, folder in order])
            _series_owned(root)  # (still: nothing was added meanwhile)
            try:
                os.rename(staging, root / version)
            except OSError as exc:  # (said here: atomic_directory would blame latest/)
                raise OutputError(f"cannot write the release into {root}: "
                                  f"{exc.strerror or exc}; nothing was published") from None
            published = True
            fsync_directory(root)  # make the rename itself durable
            for name in (*SERIES, SERIES_MARKER):  # the marker last: it vouches for them
                os.replace(catalogue / name, root / name)
        fsync_directory(root)
    except (OutputError, UsageError, OSError) as exc:
        if not published:
            raise
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise OutputError(f"release {version} is published in {root / version}, but "
                          f"{LATEST}/ or the catalogue of all versions could not be updated "
                          f"({reason}); the previous ones are left as they were") from None


def _out_of_step(latest: Path, newest: Path) -> bool:
    """True unless ``latest`` holds the release ``newest`` (the same SHA256SUMS)."""
    try:
        return (latest / CHECKSUMS).read_bytes() != (newest / CHECKSUMS).read_bytes()
    except OSError:
        return True


def _write_series(folder: Path, config: ReleaseConfig, versions: list[tuple[str, Path]]) -> None:
    """The series catalogue of ``versions`` (name, folder; oldest first) in ``folder``:
    ``catalog.ttl`` by pyoxigraph's Turtle writer, ``catalog.jsonld`` by coopdata's
    compaction (:class:`~coopdata.rdf.compact.Compactor`, with the catalogue's context),
    and the marker that lists the files' SHA-256."""
    own = []
    for name, release_folder in versions:
        path = release_folder / "catalog.ttl"
        try:
            own.append((name, list(pyoxigraph.parse(path=path,
                                                     format=pyoxigraph.RdfFormat.TURTLE))))
        except (OSError, SyntaxError, ValueError) as exc:
            raise OutputError(f"cannot read the catalogue of release {name} ({path}): "
                              f"{exc}") from None
    try:
        triples = series_triples(config, own)
    except ValueError as exc:
        raise OutputError(f"cannot make the catalogue of all versions: {exc}") from None
    pyoxigraph.serialize(triples, output=folder / SERIES[0],
                         format=pyoxigraph.RdfFormat.TURTLE, prefixes=series_prefixes())
    context = catalog_context()
    dump_json_list({"@context": context["@context"]}, "@graph", Compactor(context).nodes(
        (str(t.subject), str(t.predicate), str(t.object)) for t in triples), folder / SERIES[1])
    dump_json({"written-by": "coopdata release", "files": {
        name: ReleaseFile.of(folder, folder / name).sha256 for name in SERIES}},
        folder / SERIES_MARKER)

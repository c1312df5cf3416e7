"""Read record files: YAML, one entity a file, grouped by kind into folders.

The loader knows the line of every field so that every later finding can point
there (:class:`FieldLines`, worked out from the file's bytes when first needed). Only
plain data is ever built: YAML tags, anchors and aliases are refused.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path, PurePath
from typing import Any

import yaml

from coopdata.model.dataset import RawRecord
from coopdata.records.fastread import LeaveToPyYAML, read_plain
from coopdata.records.files import MAX_BYTES, read_regular_file
from coopdata.records.files import Refused as _RecordRefused
from coopdata.records.hints import yaml_hint
from coopdata.records.plainlines import NotPlain, field_line, plain_lines
from coopdata.records.yamltext import plain_scalar_tag
from coopdata.report import Finding

try:  # the C parser is much faster; the pure-Python one gives the same nodes
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """The safe loader without path resolvers (PyYAML calls these hooks for every node,
    and they do nothing when no path resolver is registered, as here), remembering the tag
    of each plain scalar it has resolved (``status: ongoing`` is in every record)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """What PyYAML's resolver answers (a test checks it), without its path resolvers,
        except that a plain scalar it would give a tag that is no data (``=`` is YAML 1.1's
        ``!!value``, ``<<`` its ``!!merge``) is text, as :func:`_typed_plain` reads it."""
        if kind is not yaml.ScalarNode:
            return _MAP if kind is yaml.MappingNode else _SEQ
        return _plain_tag(value) if implicit[0] else _STR  # (quoted, or tagged "!": text)


def _plain_tag(value: str) -> str:
    """The tag of the plain scalar ``value``, remembered: PyYAML's, or ``str`` for a tag
    that holds no plain data (``=``, YAML 1.1's ``!!value``) but the merge key ``<<``,
    which stays refused (``yaml-tag``: records do not merge maps). Both readers
    (:func:`read_plain` and PyYAML's composer) type plain scalars here, so that they
    agree on every one."""
    if (tag := _RESOLVED.get(value)) is None:
        tag = plain_scalar_tag(value)
        if tag not in _SCALAR_TAGS and tag != _MERGE:
            tag = _STR
        if len(_RESOLVED) < _RESOLVED_MAX:
            _RESOLVED[value] = tag
    return tag


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                         ("str", "int", "float", "bool", "null", "timestamp"))
"""The tags of the plain scalars records hold (:func:`_scalar` makes each)."""
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 10_000

MAX_DEPTH = 20
"""Deeper nesting than any record needs is refused (and bounds the recursion)."""
_COMPOSE_SAFELY = 1000
"""libyaml's composer recurses once a level (it crashes the interpreter past some tens of
thousands): text that might nest deeper than this is first measured on the event stream."""
_MAX_INT_BITS = 14_000
"""An integer larger than this (about 4,200 digits, beyond what Python prints) stays text."""

_OTHER_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
               (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
"""Byte order marks of other Unicode encodings (UTF-32 first: its LE mark starts with
UTF-16's)."""

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


class FieldLines(Mapping[str, int]):
    """The line of each field path of a record file, found on first use.

    Lines are needed only for findings, so the loader keeps the file's bytes and finds
    lines in them when a line is first asked for: in a file the fast reader read, from
    its lines alone (:func:`~coopdata.records.plainlines.field_line`, the fields asked
    for); in another, by composing it again with PyYAML, noting every line.
    """

    __slots__ = ("_raw", "_lines", "_plain", "_blocks")

    def __init__(self, raw: bytes, lines: dict[str, int] | None = None,
                 plain: bool = False) -> None:
        self._raw, self._lines, self._plain = raw, lines, plain
        self._blocks: dict[str, dict[str, int]] | None = None
        """The lines inside the top-level fields asked for so far (``plain`` files)."""

    def get(self, field_path: str, default: Any = None) -> Any:
        if self._lines is None and self._plain:
            if self._blocks is None:
                self._blocks = {}
            try:
                found = field_line(_decoded(self._raw), field_path, self._blocks)
            except NotPlain:  # (never, as the tests tell: the text goes to PyYAML)
                self._plain = False
            else:
                return default if found is None else found
        return self._found().get(field_path, default)

    def _found(self) -> dict[str, int]:
        if self._lines is None:
            text = _decoded(self._raw)
            lines: dict[str, int] | None = None
            if self._plain:
                try:
                    lines = plain_lines(text)
                except NotPlain:
                    lines = None
            if lines is None:
                lines = {}
                node = yaml.compose(text, Loader=_Loader)
                if node is not None:  # the file was read as a record: it holds one
                    _plain(node, "", lines, None, 0)
            self._lines = lines
        return self._lines

    def __getitem__(self, field_path: str) -> int:
        if (line := self.get(field_path)) is None:
            raise KeyError(field_path)
        return int(line)

    def __contains__(self, field_path: object) -> bool:
        return isinstance(field_path, str) and self.get(field_path) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())

    def __reduce__(self) -> tuple[Any, ...]:
        return FieldLines, (self._raw, self._lines, bool(self._plain))

    @property
    def raw(self) -> bytes:
        """The bytes of the record file, as read."""
        return self._raw


def _decoded(raw: bytes) -> str:
    """``raw.decode("utf-8-sig")`` (whose codec is Python code), faster."""
    text = raw.decode("utf-8")
    return text[1:] if text[:1] == "\ufeff" else text


def read_record(path: Path | str, kind: str) -> tuple[RawRecord | None, list[Finding]]:
    """Read one record file (its path a ``Path`` or text). Problems are returned as
    findings, never raised."""
    refuse = partial(_refused, path)
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except _RecordRefused as exc:
        return refuse(exc.code, exc.message)
    except OSError as exc:
        return refuse("unreadable-file", f"cannot read the file: {exc.strerror}")
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            return refuse("not-utf8", f"the file is {encoding} (it starts with a {encoding} byte "
                          "order mark), not UTF-8; save it as UTF-8", 1)
    try:
        text = _decoded(raw)
    except UnicodeDecodeError as exc:  # (where the byte is in the file, its mark included)
        line = raw[: exc.start].count(b"\n") + 1
        return refuse("not-utf8", f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot be "
                      "decoded; save it as UTF-8", line)
    if "\x00" in text:
        return refuse("not-utf8", "the file contains a NUL character", text[: text.index("\x00")]
                      .count("\n") + 1)
    data = read_plain(text, _typed_plain, max_depth=MAX_DEPTH)
    if data is None:
        return _read_yaml(text, path, raw, kind)
    return _record(data, path, raw, kind, plain=True)


def _read_yaml(text: str, path: Path | str, raw: bytes,
               kind: str) -> tuple[RawRecord | None, list[Finding]]:
    """Read the record in ``text`` with PyYAML: whatever :func:`read_plain` does not read."""
    refuse = partial(_refused, path)
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=_Loader)
    except _RecordRefused as exc:
        return refuse(exc.code, exc.message, exc.line)
    except yaml.MarkedYAMLError as exc:
        if (own := _own_refusal(text)) is not None:
            return refuse(own.code, own.message, own.line)
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if mark is not None:
            problem = yaml_hint(text, mark.line, mark.column) or problem
        return refuse("invalid-yaml", f"malformed YAML: {problem}", mark.line + 1 if mark else None)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        character = ord(exc.character) if isinstance(exc.character, str) else exc.character
        return refuse("invalid-yaml", f"malformed YAML: unacceptable character "
                      f"#x{character:04x}: {exc.reason}",  # libyaml counts bytes
                      text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1)
    except yaml.YAMLError as exc:
        if (own := _own_refusal(text)) is not None:
            return refuse(own.code, own.message, own.line)
        return refuse("invalid-yaml", f"malformed YAML: {exc}")
    if node is None:
        return refuse("empty-record", "the file holds no record")
    try:
        data = _plain(node, "", None, set() if "*" in text else None, 0)
    except _RecordRefused as exc:
        return refuse(exc.code, exc.message, exc.line)
    if not isinstance(data, dict):
        return refuse("not-a-record", "a record is a map of fields (`id: …` on the first line)",
                      node.start_mark.line + 1)
    return _record(data, path, raw, kind)


def _record(data: dict[str, Any], path: Path | str, raw: bytes, kind: str,
            plain: bool = False) -> tuple[RawRecord | None, list[Finding]]:
    """The record of a file read as ``data`` (by the fast reader: ``plain``)."""
    where = str(path)
    record_id = data.get("id")
    if not isinstance(record_id, str):
        return _refused(path, "missing-id", f"the record needs `id: {_stem(path)}`", 1)
    problems = []
    lines = FieldLines(raw, plain=plain)
    if record_id != (stem := _stem(path)):
        problems.append(Finding("id-mismatch", f'the id "{record_id}" differs from the file name; '
                                f"rename the file to {record_id}.yaml or set `id: {stem}`",
                                path=where, line=lines.get("id", 1), record=record_id, field="id"))
    return RawRecord(kind, record_id, where, data, lines), problems


def _stem(path: Path | str) -> str:
    """``Path(path).stem``, without making a ``Path`` of a record file's name as text."""
    if isinstance(path, str):
        name = os.path.basename(path)
        if len(name) > 5 and name.endswith(".yaml"):
            return name[:-5]
    return PurePath(path).stem


def _refused(path: Path | str, code: str, message: str,
             line: int | None = None) -> tuple[None, list[Finding]]:
    """No record, and the finding that says why."""
    return None, [Finding(code, message, path=str(path), line=line)]


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before libyaml's recursive composer sees it.

    Each level needs a bracket, a ``-``, a ``?`` or a ``:``; text with few of them is
    composed directly (and :func:`_plain` refuses the depth), other text is measured
    on the parser's event stream, which does not recurse.
    """
    if sum(text.count(c) for c in "[{-?:") <= _COMPOSE_SAFELY:
        return
    _measure_depth(yaml.parse(text, Loader=_Loader))


def _measure_depth(events: Iterator[yaml.Event]) -> None:
    """Raise ``too-deep`` at the first node of ``events`` nested deeper than MAX_DEPTH."""
    open_collections = 0
    for event in events:
        if isinstance(event, yaml.NodeEvent) and open_collections > MAX_DEPTH:
            raise _RecordRefused("too-deep", f"nesting deeper than {MAX_DEPTH} levels",
                                 event.start_mark.line + 1 if event.start_mark else 0)
        if isinstance(event, yaml.CollectionStartEvent):
            open_collections += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            open_collections -= 1


def _own_refusal(text: str) -> _RecordRefused | None:
    """coopdata's own finding about ``text`` that a YAML library refused, if it has one.

    libyaml has nesting limits of its own (PyYAML 6.0.4 refuses more than 1,000 levels
    while scanning, before any event is out): the depth is measured again here with
    PyYAML's pure-Python parser, an event stream kept on lists, which has no limit and
    stops at the first level too deep, so that the finding is coopdata's ``too-deep``
    whatever the library's version.
    """
    try:
        _measure_depth(yaml.parse(text, Loader=yaml.SafeLoader))
    except _RecordRefused as exc:
        return exc
    except yaml.YAMLError:
        pass
    return None


def _plain(node: yaml.Node, path: str, lines: dict[str, int] | None, seen: set[int] | None,
           depth: int) -> Any:
    """Turn a composed YAML node into plain Python data, noting each field's line in
    ``lines`` (unless None). ``seen`` (None when the text has no ``*``, so no alias)
    catches aliases."""
    if seen is not None:
        if id(node) in seen:
            raise _RecordRefused("yaml-alias",
                                 "YAML anchors and aliases are not allowed in records",
                                 node.start_mark.line + 1)
        seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _RecordRefused("too-deep", f"nesting deeper than {MAX_DEPTH} levels",
                             node.start_mark.line + 1)
    if node.tag not in _PLAIN_TAGS:
        raise _RecordRefused("yaml-tag",
                             f"YAML tag {node.tag} is not allowed: records hold plain data",
                             node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(key_node, path, None, seen, depth + 1)
            if not isinstance(key, str):
                raise _RecordRefused("invalid-key", f"field names are text, got {key!r}",
                                     key_node.start_mark.line + 1)
            if key in result:
                raise _RecordRefused("duplicate-key", f'field "{key}" is given twice',
                                     key_node.start_mark.line + 1)
            if lines is None:
                result[key] = _plain(value_node, "", None, seen, depth + 1)
            else:
                sub = f"{path}.{key}" if path else key
                lines[sub] = key_node.start_mark.line + 1
                result[key] = _plain(value_node, sub, lines, seen, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        if lines is None:
            return [_plain(item, "", None, seen, depth + 1) for item in node.value]
        items = []
        for number, item in enumerate(node.value, start=1):
            sub = f"{path}[{number}]"
            lines[sub] = item.start_mark.line + 1
            items.append(_plain(item, sub, lines, seen, depth + 1))
        return items
    return _scalar(node.value, node.tag)


def _typed_plain(value: str) -> Any:
    """The value of the plain scalar ``value``, as :func:`_plain` makes it (for
    :func:`~coopdata.records.fastread.read_plain`)."""
    tag = _plain_tag(value)
    if tag == _MERGE:
        raise LeaveToPyYAML  # (which refuses it: yaml-tag)
    return value if tag == _STR else _scalar(value, tag)


def _scalar(value: str, tag: str) -> Any:
    if tag == "tag:yaml.org,2002:int":
        try:
            whole = int(value.replace("_", ""), 0)
        except ValueError:  # also more than 4,300 digits
            return value
        return whole if whole.bit_length() <= _MAX_INT_BITS else value
    if tag == "tag:yaml.org,2002:float":
        try:
            number = Decimal(value.replace("_", ""))
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in ("true", "yes", "on", "y")
    if tag == "tag:yaml.org,2002:null":
        return None
    return value  # str, and timestamps kept as written: dates are read by coopdata.model.dates


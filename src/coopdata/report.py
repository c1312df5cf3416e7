"""One report type for every check: record checks, table validation and SHACL.

Invalid data is a result, not an exception: every check returns findings, each
pointing back to the file, line, record and field it concerns.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["violation", "warning", "info"]
Layer = Literal["records", "tables", "shacl"]

SEVERITIES: tuple[Severity, ...] = ("violation", "warning", "info")

MinSeverity = Literal["info", "warning", "error"]
SHOWN: dict[str, tuple[Severity, ...]] = {
    "info": SEVERITIES, "warning": ("violation", "warning"), "error": ("violation",)}
"""The severities a report shows from each ``--min-severity`` on (``error`` is a
violation)."""
GITHUB_LEVELS: dict[Severity, str] = {"violation": "error", "warning": "warning",
                                      "info": "notice"}
"""The GitHub Actions workflow command of each severity."""


def github_data(text: str) -> str:
    """``text`` escaped as the message of a GitHub Actions workflow command (``%``, CR
    and LF: what follows ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """``text`` escaped as a property of a GitHub Actions workflow command (``file=…``):
    as a message, and ``:`` and ``,`` too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def escape_invisible(text: str, *, keep: str = "") -> str:
    """``text`` with every character that is not printable written as an escape
    (``\\u200b``): control characters (a terminal escape sequence, a line break), format
    characters (zero-width spaces and joiners, bidirectional overrides, a byte order
    mark), separators other than the space, private-use, unassigned and surrogate code
    points — ``str.isprintable`` is false of exactly these. Characters in ``keep`` stay
    as they are. A finding that quotes a hostile value must not pass it to a terminal,
    nor hide it (``first`` and ``fi\u200brst`` print alike)."""
    if text.isprintable():  # (in C, and true of nearly every line)
        return text
    return "".join(c if c.isprintable() or c in keep else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    """``character`` as Python writes it escaped (``\\n``, ``\\x1b``, ``\\u200b``)."""
    if character in _SHORT:
        return _SHORT[character]
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _json_escaped(character: str) -> str:
    """A JSON string escape of ``character`` (a surrogate pair beyond the BMP)."""
    code = ord(character)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the check allows."""

    code: str
    """A kebab-case identifier of the kind of problem (``type-error``, ``unknown-code``…)."""
    message: str
    severity: Severity = "violation"
    layer: Layer = "records"
    path: str | None = None
    """The record file, as given to the loader."""
    line: int | None = None
    record: str | None = None
    """The id of the record concerned."""
    field: str | None = None
    """The field concerned, as a path such as ``budgets[1].amount`` (1-based)."""

    def location(self) -> str:
        """``path:line``, or as much of it as is known."""
        if self.path is None:
            return "<records>"
        return f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)

    def __str__(self) -> str:
        subject = " ".join(part for part in (self.record, self.field) if part)
        prefix = f"{self.location()} {subject}" if subject else self.location()
        text = escape_invisible(f"{prefix}: {self.message} [{self.code}]")
        return text if self.severity == "violation" else f"{text} ({self.severity})"

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.path or "", self.line or 0, self.field or "", self.code, self.message)


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if relative.startswith("..") else relative


@dataclass
class Report:
    """The findings of one validation run."""

    findings: list[Finding] = field(default_factory=list)
    records: int = 0
    """How many records were read."""

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def valid(self) -> bool:
        """True when there is no violation (warnings and infos allowed)."""
        return self.count("violation") == 0

    def passes(self, *, strict: bool = False) -> bool:
        """True when the records may be published: no violation, and no warning if strict."""
        return self.valid and not (strict and self.count("warning"))

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=Finding.sort_key)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s}{'' if self.count(s) == 1 else 's'}"
                           for s in SEVERITIES)
        return f"{self.records} records: {counts}"

    def shown(self, min_severity: MinSeverity = "info") -> list[Finding]:
        """The findings of ``min_severity`` or above, sorted."""
        severities = SHOWN[min_severity]
        return [f for f in self.sorted() if f.severity in severities]

    def verdict(self, *, strict: bool = False) -> str:
        """``valid: …`` or ``invalid: …`` with the counts of all findings."""
        return f"{'valid' if self.passes(strict=strict) else 'invalid'}: {self.summary()}"

    def to_text(self, *, strict: bool = False, min_severity: MinSeverity = "info",
                verdict: bool = True) -> str:
        """One line a finding of ``min_severity`` or above, then (with ``verdict``)
        ``valid: …`` or ``invalid: …`` with the counts of all findings."""
        lines = [str(f) for f in self.shown(min_severity)]
        if verdict:
            lines.append(self.verdict(strict=strict))
        return "".join(f"{line}\n" for line in lines)

    def to_github(self, *, strict: bool = False, min_severity: MinSeverity = "info",
                  verdict: bool = True) -> str:
        """One GitHub Actions workflow command a finding (``::error file=…,line=…,
        title=…::message``: an annotation on the file and line in a workflow run), then
        the verdict as a plain line. Values are escaped by GitHub's rules (:func:`
        github_data`, :func:`github_property`), after what is invisible (as in the
        text report)."""
        lines = [github_annotation(f) for f in self.shown(min_severity)]
        if verdict:
            lines.append(github_data(self.verdict(strict=strict)))
        return "".join(f"{line}\n" for line in lines)

    def to_json(self, *, strict: bool = False, min_severity: MinSeverity = "info") -> str:
        """The report for machines; paths are shown as in the text report. ``findings``
        holds those of ``min_severity`` or above, ``counts`` counts them all."""
        findings = []
        for finding in self.shown(min_severity):
            entry = asdict(finding)
            entry["path"] = display_path(finding.path) if finding.path else None
            findings.append(entry)
        payload: dict[str, Any] = {
            "valid": self.passes(strict=strict),
            "records": self.records,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "findings": findings,
        }
        text = json.dumps(payload, ensure_ascii=False, indent=2)
        # JSON escapes for what is invisible: the values read back are unchanged, and no
        # invisible or control character reaches the terminal (json escapes only C0 ones)
        return "\n".join(line if line.isprintable() else
                         "".join(c if c.isprintable() else _json_escaped(c) for c in line)
                         for line in text.split("\n")) + "\n"



def github_annotation(finding: Finding) -> str:
    """``finding`` as a GitHub Actions workflow command: ``::error file=PATH,line=N,
    title=CODE::RECORD FIELD: MESSAGE`` (``warning`` and ``notice`` for the other
    severities; no ``file`` or ``line`` when the finding has none)."""
    properties = []
    if finding.path is not None:
        properties.append(f"file={github_property(escape_invisible(display_path(finding.path)))}")
        if finding.line:
            properties.append(f"line={finding.line}")
    properties.append(f"title={github_property(escape_invisible(finding.code))}")
    subject = " ".join(part for part in (finding.record, finding.field) if part)
    message = f"{subject}: {finding.message}" if subject else finding.message
    return f"::{GITHUB_LEVELS[finding.severity]} {','.join(properties)}::" \
        f"{github_data(escape_invisible(message))}"

"""Record checks: types, required fields, ids, references, codes, dates and mojibake.

:func:`check_records` turns the plain data read from YAML into typed values (a
:class:`~coopdata.model.dates.PartialDate`, a :class:`~decimal.Decimal`…) and reports every
value it cannot accept. Business rules that span fields (end not before start…) are
SHACL constraints in ``shapes/``, checked on the graph.
"""

from __future__ import annotations

from typing import Any

from coopdata.model import codes
from coopdata.model.dataset import Record
from coopdata.model.fieldtypes import MAX_NUMBER_EXPONENT as MAX_NUMBER_EXPONENT  # (iati/
from coopdata.model.fieldtypes import MAX_SIGNIFICANT_DIGITS as MAX_SIGNIFICANT_DIGITS  # reads
from coopdata.model.fieldtypes import SLUG  # the limits here)
from coopdata.model.spec import DEFAULT_VOCABULARY, KINDS, LANGUAGES, Field, by_name, text_order
from coopdata.model.values import Problem, text_problem
from coopdata.model.values import show as _show
from coopdata.report import Finding

MAX_ID_LENGTH = 80
WINDOWS_DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                                  *(f"lpt{n}" for n in range(10))})
"""Ids that cannot be file names on Windows (``con.yaml`` is the console there)."""


class FieldChecker:
    def __init__(self, record: Record, findings: list[Finding]) -> None:
        self.record = record
        self.findings = findings

    def fail(self, path: str, code: str, message: str, severity: str = "violation") -> None:
        self.findings.append(Finding(code, message, severity=severity,  # type: ignore[arg-type]
                                     path=self.record.path, line=self.record.line(path),
                                     record=self.record.id, field=path or None))

    def fields(self, fields: tuple[Field, ...], data: dict[str, Any], prefix: str,
               ignore: tuple[str, ...] = ()) -> dict[str, Any]:
        known = by_name(fields)
        for name in data:
            if name not in known and name not in ignore:
                hint = codes.suggest(name, sorted([*known, *ignore]))
                self.fail(join_path(prefix, name), "unknown-field", f'unknown field "{name}"{hint}')
        clean: dict[str, Any] = {}
        for spec in fields:
            value = data.get(spec.name)
            path = join_path(prefix, spec.name) if value is not None or spec.required else ""
            if value is None or value == [] or value == {}:
                if spec.required:
                    self.fail(path, "missing-field",
                              f'"{spec.name}" is required')
                continue
            if spec.many:
                if not isinstance(value, list):
                    self.fail(path, "type-error", f"expected a list, got {_show(value)}; "
                              f"write it as [{_show(value)}]")
                    continue
                items = [self.value(spec, item, f"{path}[{n}]")
                         for n, item in enumerate(value, start=1)]
                # Objects keep their place even when invalid, so that positions (and the
                # URIs made from them) still match the file; invalid plain values are dropped.
                kept = [{} if item is None and spec.is_object else item
                        for item in items if item is not None or spec.is_object]
                if kept:
                    clean[spec.name] = kept
            else:
                checked = self.value(spec, value, path)
                if checked is not None:
                    clean[spec.name] = checked
        for spec in fields:
            if spec.vocabularies and isinstance(clean.get(spec.name), str):
                self.vocabulary_code(spec, clean, prefix)
        return clean

    def vocabulary_code(self, spec: Field, clean: dict[str, Any], prefix: str) -> None:
        """A code whose list depends on the vocabulary named beside it (sectors with
        vocabulary 1 are DAC 5-digit codes…): checked where that vocabulary is one whose
        list coopdata carries, free otherwise."""
        assert spec.vocabulary_field is not None
        vocabulary = clean.get(spec.vocabulary_field, DEFAULT_VOCABULARY)
        lists = dict(spec.vocabularies)
        scheme = lists.get(vocabulary)
        value = clean[spec.name]
        if scheme is None or value in codes.schemes()[scheme]:
            return
        named = "" if spec.vocabulary_field in clean else " (the default when none is named)"
        others = [v for v, other in spec.vocabularies if value in codes.schemes()[other]]
        hint = (f'; it is a code of vocabulary "{others[0]}" ({others[0]}: '
                f'{codes.CODE_BASE}{lists[others[0]]}): write {spec.vocabulary_field}: '
                f'"{others[0]}"') if others else (
            f"{codes.suggest(value, codes.schemes()[scheme])}; see {codes.CODE_BASE}{scheme}, "
            f"or name the vocabulary the code is from in {spec.vocabulary_field} (99: the "
            "publisher's own)")
        # a warning, the code kept as published: a string, not a concept, and publishers
        # (the IATI Standard's own example too: region 616) use codes no longer listed
        self.fail(join_path(prefix, spec.name), "unknown-vocabulary-code",
                  f'unknown {scheme} code "{value}" for {spec.vocabulary_field} '
                  f'"{vocabulary}"{named}{hint}', severity="warning")

    def value(self, spec: Field, value: Any, path: str) -> Any:
        kind = spec.field_type
        if kind.is_object:
            if not isinstance(value, dict):
                self.fail(path, "type-error", f"expected a map of fields, got {_show(value)}")
                return None
            checked = self.fields(spec.fields, value, path)
            return checked if checked or spec.many else None
        if kind.is_text:
            return self.text(value, path)
        typed = kind.read(spec, value)
        if isinstance(typed, Problem):
            self.fail(path, typed.code, typed.message)
            return None
        return typed

    def text(self, value: Any, path: str) -> dict[str, str] | None:
        if isinstance(value, str):
            self.fail(path, "type-error", f"expected a text per language such as "
                      f'{{fr: "…", en: "…"}}, got {_show(value)}')
            return None
        if not isinstance(value, dict):
            self.fail(path, "type-error", f"expected a text per language, got {_show(value)}")
            return None
        clean = {}
        for lang, text in value.items():
            sub = f"{path}.{lang}"
            if lang not in LANGUAGES and not self.text_language(lang, sub):
                continue
            if not isinstance(text, str) or not text.strip():
                self.fail(sub, "type-error", f"expected text, got {_show(text)}")
            elif self.plain_text(text, sub):
                clean[lang] = text.strip()
        return text_order(clean) or None

    def text_language(self, lang: Any, path: str) -> bool:
        """True for the language tag of a text: an ISO 639-1 code (``es``, ``ar``…)."""
        if isinstance(lang, str) and codes.language(lang) is not None:
            return True
        if isinstance(lang, bool):
            hint = ('YAML reads an unquoted no (Norwegian), yes, on or off as a boolean; '
                    'put the language in quotes ("no": …)')
        elif isinstance(lang, str) and codes.language(lang.strip().lower()) is not None:
            hint = f'write it "{lang.strip().lower()}" (two lower-case letters)'
        else:
            hint = 'use an ISO 639-1 code such as "en", "fr", "es" or "ar"'
        self.fail(path, "unknown-language", f"unknown language {_show(lang)} for a text: "
                  f"{hint}")
        return False

    def plain_text(self, text: str, path: str) -> bool:
        """False (after a finding) for text with mojibake or control characters."""
        problem = text_problem(text)
        if problem is not None:
            self.fail(path, problem.code, problem.message)
        return problem is None


def join_path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def check_record(record: Record) -> tuple[Record | None, list[Finding]]:
    """The record with typed values (None when its id is unusable), and the findings of
    its checks."""
    findings: list[Finding] = []
    checker = FieldChecker(record, findings)
    if not SLUG.fullmatch(record.id) or len(record.id) > MAX_ID_LENGTH:
        checker.fail("id", "invalid-id", f'"{_shown_id(record.id)}" is not a valid id: use '
                     f"lower-case letters, digits and single hyphens, at most {MAX_ID_LENGTH} "
                     "characters")
        return None, findings
    if record.id in WINDOWS_DEVICE_NAMES:
        checker.fail("id", "invalid-id", f'"{record.id}" is not a valid id: it names a device '
                     "on Windows (con, prn, aux, nul, com0-com9, lpt0-lpt9), so no file can "
                     "be called after it there")
        return None, findings
    kind = KINDS[record.kind]
    values = checker.fields(kind.fields, record.data, "", ignore=("id",))
    return Record(record.kind, record.id, record.path, values, record.lines), findings


def _shown_id(record_id: str) -> str:
    """The id as a message shows it: invisible and look-alike characters escaped."""
    shown = record_id if record_id.isascii() and record_id.isprintable() \
        else record_id.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 100 else f"{shown[:100]}…"


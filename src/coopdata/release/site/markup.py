"""Safe HTML and SVG fragments. Record text is always escaped here; only these helpers
and the templates (autoescaped) make markup.

Text in two languages becomes two elements, ``class="l-en"`` and ``class="l-fr"``;
the style sheet shows the one of the language chosen (``<html lang>``). Text in one
language is shown whatever the choice, marked with its ``lang``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, lru_cache, partial
from typing import Any

from markupsafe import Markup, escape

from coopdata.jsonfile import json_text
from coopdata.release.site.i18n import Pair, code_label, kind_label, ui
from coopdata.release.site.model import Text


def escaped(value: Any) -> str:
    """``escape(value)`` as plain text (never ``Markup``, whose ``+`` would escape what
    comes before it), without making a ``Markup`` of every value: markup as it is,
    anything else as text with ``& < > ' "`` escaped as markupsafe escapes them."""
    kind = type(value)
    if kind is Markup:
        return str.__str__(value)
    text: str
    if kind is str:
        text = value
    elif hasattr(value, "__html__"):
        return str.__str__(escape(value))
    else:
        text = str(value)
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


_safe: Callable[[str], Markup] = partial(str.__new__, Markup)
"""``Markup(text)`` of text known to be plain ``str``: what ``Markup.__new__`` does with
one, without its Python (it looks for ``__html__`` and an encoding first)."""


def html(template: str, *values: Any) -> Markup:
    """``Markup(template).format(*values)`` for a template of plain fields (``{}``,
    ``{0}``): each value escaped once, by :func:`escaped`, and the template filled by
    ``str.format``, in C (markupsafe's formatter runs ``string.Formatter``, in Python)."""
    return _safe(template.format(*[v if type(v) is Markup else escaped(v) for v in values]))


def joined(items: Iterable[Any], separator: str = "") -> Markup:
    """``Markup(separator).join(items)``: the items escaped, markup kept as it is."""
    return _safe(separator.join([v if type(v) is Markup else escaped(v) for v in items]))


@cache
def ui_pair(key: str) -> Markup:
    """``pair(ui(key))``: interface words, made once."""
    return pair(ui(key))


@lru_cache(maxsize=4096)
def code_text(scheme: str, code: str) -> Markup:
    """``text(code_label(scheme, code))``: the label of a code, made once (a bounded
    cache: a code the code lists lack is shown as it is, and those are not bounded)."""
    return text(code_label(scheme, code))


@cache
def kind_pair(kind: str, plural: bool = False) -> Markup:
    """``pair(kind_label(kind, plural))``: the name of a kind, made once."""
    return pair(kind_label(kind, plural))


def pair(words: Pair) -> Markup:
    """Interface words in English and French."""
    en, fr = words
    if en == fr:
        return _safe(escaped(en))
    return html('<span class="l-en" lang="en">{}</span><span class="l-fr" lang="fr">{}</span>',
                en, fr)


def text(value: Text | None, limit: int | None = None) -> Markup:
    """Record text: its English and French, or the one language it has."""
    if not value:
        return Markup("")
    if limit is not None:
        value = {k: _cut(v, limit) for k, v in value.items()}
    en, fr = value.get("en"), value.get("fr")
    if en is not None and fr is not None and en != fr:
        return pair((en, fr))
    lang, shown = next(((k, v) for k, v in value.items() if k in ("en", "fr")),
                       next(iter(value.items())))
    if not lang:
        return _safe(escaped(shown))
    return html('<span lang="{}">{}</span>', lang, shown)


def plain(value: Text, lang: str = "en") -> str:
    """One string of record text: in ``lang`` where it has it, else in another language."""
    return value.get(lang) or value.get("en") or value.get("fr") or next(iter(value.values()),
                                                                         "")


def _cut(value: str, limit: int | None) -> str:
    if limit is None or len(value) <= limit:
        return value
    return value[: limit - 1].rstrip() + "…"


def link(href: str, content: Markup | str, **attrs: str) -> Markup:
    extra = joined(html(' {}="{}"', k.rstrip("_").replace("_", "-"), v)
                            for k, v in sorted(attrs.items()))
    return html('<a href="{}"{}>{}</a>', href, extra, content)


def json_script(document: Any) -> Markup:
    """A JSON-LD document to put inside ``<script type="application/ld+json">``: ``<``,
    ``>`` and ``&`` are written as JSON escapes so that no text can close the element."""
    dumped = json_text(document, indent=1)
    return Markup(dumped.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


# --- SVG ---------------------------------------------------------------------------

def svg_attrs(attrs: dict[str, Any]) -> Markup:
    return joined(html(' {}="{}"', k.rstrip("_").replace("_", "-"), v)
                           for k, v in attrs.items() if v is not None)


def svg_text(value: Text | Pair, limit: int | None = None, **attrs: Any) -> Markup:
    """``<text>`` elements: one per language when the text has two, else one."""
    if isinstance(value, tuple):
        value = {"en": value[0], "fr": value[1]}
    value = {k: _cut(v, limit) for k, v in value.items()}
    en, fr = value.get("en"), value.get("fr")
    base = dict(attrs)
    classes = base.pop("class_", "")
    if en is not None and fr is not None and en != fr:
        return joined(
            html("<text{}>{}</text>",
                svg_attrs({**base, "class": f"{classes} l-{lang}".strip(), "lang": lang}), words)
            for lang, words in (("en", en), ("fr", fr)))
    lang, shown = next(iter(value.items()))
    return html("<text{}>{}</text>",
        svg_attrs({**base, "class": classes or None, "lang": lang or None}), shown)


def svg_title(value: Text | Pair) -> Markup:
    """A tooltip (``<title>``): both languages where the text has two."""
    if isinstance(value, tuple):
        value = {"en": value[0], "fr": value[1]}
    en, fr = value.get("en"), value.get("fr")
    words = f"{en} / {fr}" if en and fr and en != fr else plain(value)
    return html("<title>{}</title>", words)

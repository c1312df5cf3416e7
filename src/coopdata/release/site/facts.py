"""A record's facts as HTML: every field it has, in the order of the specification,
with links to the records and countries it names and code labels in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from coopdata.model.fieldtypes import (
    BooleanType,
    CodeType,
    CountryType,
    DateType,
    DecimalType,
    LanguageType,
    RefType,
    TextType,
    UrlType,
)
from coopdata.model.spec import KINDS, Field
from coopdata.release.site.i18n import field_label
from coopdata.release.site.markup import code_text, escaped, html, joined, link, pair, text
from coopdata.release.site.model import Model, format_amount

Href = Callable[[str, str], str]

HIDDEN = ("sources",)
"""Fields shown elsewhere on the page (the sources have a section of their own)."""

LANGUAGES = {"en": ("English", "anglais"), "fr": ("French", "français"),
             "ar": ("Arabic", "arabe"), "de": ("German", "allemand"),
             "es": ("Spanish", "espagnol"), "nl": ("Dutch", "néerlandais")}


class Facts:
    def __init__(self, model: Model, href: Href, hidden: tuple[str, ...] = ()) -> None:
        self.model, self.href = model, href
        self.hidden = frozenset(hidden)
        """Field paths (``budgets``, ``results.indicators``) a view of the page shows."""

    def record(self, kind: str, data: dict[str, Any]) -> list[tuple[Markup, Markup]]:
        """(label, value) of every field shown in the facts list."""
        spec = KINDS[kind]
        skip = {spec.label_field, "acronym", *HIDDEN, *self.hidden}
        return [(pair(field_label(kind, f.name)), self.field(kind, f, data[f.name], f.name))
                for f in spec.fields if f.name in data and f.name not in skip]

    def field(self, kind: str, spec: Field, value: Any, path: str) -> Markup:
        if spec.is_object:
            items = value if spec.many else [value]
            return self.objects(kind, spec, items, path)
        if spec.many:
            values = [self.value(spec, v) for v in value]
            if spec.is_text:
                return html('<ul class="plain">{}</ul>',
                    joined(html("<li>{}</li>", v) for v in values))
            return html('<ul class="inline">{}</ul>',
                joined(html("<li>{}</li>", v) for v in values))
        return self.value(spec, value)

    def value(self, spec: Field, value: Any) -> Markup:
        match spec.field_type:
            case TextType():
                return text(value)
            case RefType():
                assert spec.ref is not None
                return self.ref(spec.ref, value)
            case CountryType():
                return self.ref("country", value)
            case CodeType():
                assert spec.scheme is not None
                return code_text(spec.scheme, value)
            case DateType():
                return html('<time datetime="{0}">{0}</time>', value)
            case DecimalType():
                return html("{}", format_amount(value))
            case BooleanType():
                return pair(("yes", "oui") if value else ("no", "non"))
            case LanguageType():
                return pair(LANGUAGES[value]) if value in LANGUAGES \
                    else html("{}", value)
            case UrlType():
                return link(value, value, rel="external")
        return html("{}", value)  # string, currency, point

    def ref(self, kind: str, key: str) -> Markup:
        if kind != "country" and self.model.dataset.get(kind, key) is None:
            return html("{}", key)
        return link(self.href(kind, key), text(self.model.label(kind, key)))

    def objects(self, kind: str, spec: Field, items: list[dict[str, Any]], path: str) -> Markup:
        """Nested objects: a table when their fields are plain, else a list of small
        description lists."""
        children = [f for f in spec.fields if any(f.name in item for item in items)
                    and f"{path}.{f.name}" not in self.hidden]
        if spec.many and all(not f.is_object and not f.many for f in children):
            labels = [pair(field_label(kind, f"{path}.{f.name}")) for f in children]
            head = "".join(f'<th scope="col">{label}</th>' for label in labels)
            # each cell's opening, its column's label included, made once for every row
            opening = [f'<td class="{escaped(css)}"><span class="cell-label">{label}: </span>'
                       for css, label in zip(
                           ["num" if isinstance(f.field_type, DecimalType) else f.type
                            for f in children], labels, strict=True)]
            body = "".join(["<tr>" + "".join([
                opening[n] + escaped(self.value(f, item[f.name])) + "</td>"
                if f.name in item else "<td></td>" for n, f in enumerate(children)]) + "</tr>"
                for item in items])
            return html('<div class="scroll"><table class="nested cards"><thead><tr>{}</tr>'
                        '</thead><tbody>{}</tbody></table></div>', Markup(head), Markup(body))
        blocks = []
        titled = spec.many and any(f.name == "title" for f in spec.fields)
        for item in items:
            head = Markup("")
            if titled:  # a result: its type as a badge, its title as the item's heading
                badge = Markup("")
                if "type" in item:
                    badge = html('<span class="badge">{}</span> ',
                        self.value(spec.child("type"), item["type"]))
                head = html('<p class="item-head">{}{}</p>',
                    badge, self.value(spec.child("title"), item["title"]))
            rows = joined(
                html("<div><dt>{}</dt><dd>{}</dd></div>",
                    pair(field_label(kind, f"{path}.{f.name}")),
                    self.field(kind, f, item[f.name], f"{path}.{f.name}"))
                for f in children
                if f.name in item and not (titled and f.name in ("type", "title")))
            blocks.append(head + (html('<dl class="nested">{}</dl>', rows) if rows
                                  else Markup("")))
        if not spec.many:
            return blocks[0]
        return html('<ol class="objects">{}</ol>',
            joined(html("<li>{}</li>", b) for b in blocks))


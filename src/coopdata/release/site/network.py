"""The network of projects and the organisations taking part in them, as SVG.

Projects stand in a column on the left, organisations on the right, each organisation
placed at the mean height of its projects so that lines cross as little as they can.
One line per (project, organisation) pair, coloured by the first role the project
gives the organisation; one node (``data-mark="node"``) per project and organisation.
"""

from __future__ import annotations

from coopdata.model.codes import schemes
from coopdata.release.site.charts import Chart, Href, _svg
from coopdata.release.site.i18n import ui
from coopdata.release.site.markup import (
    code_text,
    html,
    joined,
    link,
    plain,
    svg_attrs,
    svg_text,
    svg_title,
    text,
)
from coopdata.release.site.model import Model, sort_key

ROLES = ("funding", "accountable", "extending", "implementing", "partner", "steering-committee",
         "beneficiary")
"""Participation roles in the order their colours are given (see site.css)."""


def edges(model: Model) -> dict[tuple[str, str], str]:
    """(project, organisation) → the role of the pair's first participation."""
    found: dict[tuple[str, str], str] = {}
    for record in model.dataset.of_kind("project"):
        for participation in record.data.get("participations", []):
            found.setdefault((record.id, participation["organisation"]), participation["role"])
    return found


def network(model: Model, href: Href) -> Chart | None:
    pairs = edges(model)
    if not pairs:
        return None
    projects = sorted({p for p, _ in pairs},
                      key=lambda i: (sort_key(model.label("project", i)), i))
    position = {p: n for n, p in enumerate(projects)}
    linked: dict[str, list[int]] = {}
    for project, organisation in pairs:
        linked.setdefault(organisation, []).append(position[project])
    organisations = sorted(linked, key=lambda o: (sum(linked[o]) / len(linked[o]),
                                                  sort_key(model.label("organisation", o)), o))
    row, top = 24, 14
    height = top * 2 + row * max(len(projects), len(organisations))

    def spread(count: int, n: int) -> float:
        return round(top + (height - 2 * top) * (n + 0.5) / count, 1)

    y_project = {p: spread(len(projects), n) for n, p in enumerate(projects)}
    y_org = {o: spread(len(organisations), n) for n, o in enumerate(organisations)}
    x_project, x_org = 350.0, 640.0
    parts = []
    for (project, organisation), role in sorted(pairs.items(),
                                                key=lambda item: (ROLES.index(item[1])
                                                                  if item[1] in ROLES else 99,
                                                                  item[0])):
        y1, y2 = y_project[project], y_org[organisation]
        middle = (x_project + x_org) / 2
        parts.append(html("<path{}/>", svg_attrs({
            "class": f"edge r-{role}", "data-mark": "edge",
            "d": f"M{x_project:g} {y1:g} C{middle:g} {y1:g} {middle:g} {y2:g} {x_org:g} {y2:g}"})))
    for kind, ids, x, ys, anchor, dx in (
            ("project", projects, x_project, y_project, "end", -12),
            ("organisation", organisations, x_org, y_org, "start", 12)):
        for key in ids:
            label = model.label(kind, key)
            short = model.acronym(kind, key) if kind == "organisation" else None
            shown = short if short and len(plain(label)) > 42 else model.chart_label(kind, key)
            parts.append(html('<a href="{}">{}<circle{}/>{}</a>',
                href(kind, key), svg_title(label),
                svg_attrs({"class": f"node n-{kind}", "data-mark": "node", "cx": x,
                           "cy": ys[key], "r": 6}),
                svg_text(shown, 42, x=x + dx, y=ys[key] + 4, class_=f"label {anchor}")))
    rows = []
    for (project, organisation), role in sorted(
            pairs.items(), key=lambda item: (sort_key(model.label("project", item[0][0])),
                                             sort_key(model.label("organisation", item[0][1])),
                                             item[0])):
        rows.append([link(href("project", project), text(model.label("project", project))),
                     link(href("organisation", organisation),
                          text(model.label("organisation", organisation))),
                     code_text("participation-role", role)])
    known = schemes().get("participation-role", ())
    used = sorted({role for role in pairs.values()},
                  key=lambda r: (ROLES.index(r) if r in ROLES else 99, r))
    legend = [(f"r-{r}", code_text("participation-role", r)) for r in used if r in known]
    return Chart("network", ui("network"), _svg("network", height, joined(parts)),
                 len(projects) + len(organisations),
                 [ui("projects"), ui("name"), ui("role")], rows, [ui("network_desc")],
                 legend, wide=True)

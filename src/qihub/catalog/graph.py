"""The small relation graph on a standard's page, drawn as inline SVG."""

import math
from html import escape

from django.utils.translation import gettext as _

from qihub.catalog.models import Standard, StandardRelation

_COLOURS = {
    StandardRelation.Kind.REPLACES: "#b3261e",
    StandardRelation.Kind.PARTIALLY_REPLACES: "#a86200",
    StandardRelation.Kind.ADOPTS: "#1f7a3a",
    StandardRelation.Kind.CITES: "#5b6475",
}


def relation_svg(
    centre: Standard, graph: dict, *, width: int = 640, height: int = 360
) -> str:
    """Place the standard in the middle and its neighbours on a circle;
    arrows point from the relation's source to its target."""
    nodes = graph["nodes"]
    if len(nodes) <= 1:
        return ""
    cx, cy, radius = width / 2, height / 2, min(width, height) / 2 - 40
    pos = {centre.pk: (cx, cy)}
    others = [n for n in nodes if n.pk != centre.pk]
    for i, node in enumerate(others):
        angle = 2 * math.pi * i / len(others) - math.pi / 2
        pos[node.pk] = (
            cx + radius * math.cos(angle) * 1.35,
            cy + radius * math.sin(angle),
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(_("Relations"))}" class="relation-graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#5b6475"/></marker></defs>',
    ]
    labels = dict(StandardRelation.Kind.choices)
    for source, target, kind, degree in graph["edges"]:
        (x1, y1), (x2, y2) = pos[source], pos[target]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1
        # stop short of the target's label box
        x2s, y2s = x2 - dx / dist * 46, y2 - dy / dist * 16
        colour = _COLOURS.get(kind, "#5b6475")
        label = f"{labels.get(kind, kind)} {degree}".strip()
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2s:.0f}" y2="{y2s:.0f}" stroke="{colour}" '
            f'stroke-width="1.6" marker-end="url(#arrow)"/>'
            f'<text x="{(x1 + x2) / 2:.0f}" y="{(y1 + y2) / 2 - 4:.0f}" font-size="11" '
            f'fill="{colour}" text-anchor="middle">{escape(str(label))}</text>'
        )
    for node in nodes:
        x, y = pos[node.pk]
        centre_node = node.pk == centre.pk
        fill = "#0b5cad" if centre_node else "#ffffff"
        text_fill = "#ffffff" if centre_node else "#1d2433"
        w = max(90, 7.2 * len(node.identifier) + 16)
        parts.append(
            f'<a href="{node.get_absolute_url()}"><rect x="{x - w / 2:.0f}" y="{y - 14:.0f}" '
            f'width="{w:.0f}" height="28" rx="6" fill="{fill}" stroke="#0b5cad"/>'
            f'<text x="{x:.0f}" y="{y + 4:.0f}" font-size="12" text-anchor="middle" '
            f'fill="{text_fill}">{escape(node.identifier)}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)

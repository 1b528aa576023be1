"""Server-rendered SVG drawings: the coverage chart with its target line and
an instrument's traceability chain as a graph (no JavaScript library)."""

import datetime
from html import escape

from django.utils.translation import gettext as _

from qihub.metrology.selectors import COVERAGE_TARGET, CoverageRow
from qihub.metrology.traceability import Chain


def coverage_svg(
    series: list[tuple[datetime.date, CoverageRow]], target: float = COVERAGE_TARGET
) -> str:
    """A line chart of the coverage rate at each month end, 0-100 %, with a
    dashed line at the target."""
    width, height, left, top, bottom = 640, 260, 48, 16, 36
    plot_w = width - left - 36
    plot_h = height - top - bottom
    n = max(len(series), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(rate: float) -> float:
        return top + plot_h * (1 - rate)

    label = _("Coverage of compulsory verification")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-chart" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct / 100)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{yy + 4:.1f}" font-size="11" '
            f'text-anchor="end">{pct}%</text>'
        )
    ty = y(target)
    target_label = _("Target %(pct)d%%") % {"pct": round(target * 100)}
    parts.append(
        f'<line class="target" data-target="{target:g}" x1="{left}" '
        f'x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#c0392b" '
        f'stroke-dasharray="6 4" stroke-width="2"/>'
        f'<text class="target-label" x="{left + plot_w}" y="{ty - 5:.1f}" '
        f'font-size="12" text-anchor="end" fill="#c0392b">'
        f"{escape(target_label)}</text>"
    )
    points = []
    for i, (day, row) in enumerate(series):
        if row.rate is None:
            continue
        points.append((x(i), y(row.rate), day, row))
    if points:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _d, _r in points)
        parts.append(
            f'<polyline class="coverage" points="{path}" fill="none" '
            f'stroke="#2c6fbb" stroke-width="2"/>'
        )
        for px, py, day, row in points:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="#2c6fbb">'
                f"<title>{day.isoformat()}: {row.covered}/{row.required} "
                f"({row.rate:.1%})</title></circle>"
            )
    for i, (day, _row) in enumerate(series):
        if i % 2 == 0 or i == len(series) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" font-size="10" '
                f'text-anchor="middle">{day:%Y-%m}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def chain_svg(chain: Chain) -> str:
    """The chain as a vertical graph: the instrument at the bottom, the
    primary standard at the top, each edge labelled with its certificate and
    drawn red where a rule breaks."""
    nodes = [(link.item, link) for link in chain.links]
    if chain.top is not None:
        nodes.append((chain.top, None))
    box_w, box_h, gap, width = 340, 46, 54, 420
    height = len(nodes) * (box_h + gap) + 10
    label = _("Traceability chain")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chain-graph" '
        f'viewBox="0 0 {width} {height}" width="{width}" style="max-width:100%" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    # top of the drawing is the primary standard: draw in reverse order
    positions = {}
    for row, (item, _link) in enumerate(reversed(nodes)):
        positions[id(item)] = 10 + row * (box_h + gap)
    for idx, (item, link) in enumerate(nodes):
        yy = positions[id(item)]
        primary = getattr(item, "is_primary", False)
        fill = "#e8f5e9" if primary else "#f4f6fa"
        parts.append(
            f'<g class="node{" primary" if primary else ""}" data-code="{escape(item.code)}">'
            f'<rect x="40" y="{yy}" width="{box_w}" height="{box_h}" rx="6" '
            f'fill="{fill}" stroke="#567"/>'
            f'<text x="{40 + box_w / 2}" y="{yy + 19}" font-size="13" '
            f'text-anchor="middle" font-weight="bold">{escape(item.code)}</text>'
            f'<text x="{40 + box_w / 2}" y="{yy + 36}" font-size="11" '
            f'text-anchor="middle">{escape(item.name[:40])}</text></g>'
        )
        if link is None:
            continue
        parent = nodes[idx + 1][0] if idx + 1 < len(nodes) else None
        bad = bool(link.issues)
        colour = "#c0392b" if bad else "#2e7d32"
        label = link.event.certificate_number if link.event else _("missing link")
        if parent is None:
            y1 = yy - gap + 6
            parts.append(
                f'<g class="edge broken"><line x1="210" x2="210" y1="{yy}" y2="{y1}" '
                f'stroke="{colour}" stroke-dasharray="4 3" stroke-width="2"/>'
                f'<text x="220" y="{yy - gap / 2 + 4}" font-size="11" fill="{colour}">'
                f"{escape(label)}</text></g>"
            )
            continue
        py = positions[id(parent)] + box_h
        parts.append(
            f'<g class="edge{" broken" if bad else ""}" data-certificate="{escape(label)}">'
            f'<line x1="210" x2="210" y1="{yy}" y2="{py}" stroke="{colour}" '
            f'stroke-width="2" marker-end="url(#arrow)"/>'
            f'<text x="220" y="{(yy + py) / 2 + 4}" font-size="11" fill="{colour}">'
            f"{escape(label)}"
            + (
                f" · TUR {link.tur:.1f}:1"
                if link.tur and link.tur != float("inf")
                else ""
            )
            + "</text></g>"
        )
    parts.insert(
        1,
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#567"/></marker></defs>',
    )
    parts.append("</svg>")
    return "".join(parts)

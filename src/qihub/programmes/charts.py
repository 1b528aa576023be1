"""Server-rendered SVG line chart of a target's snapshots, with the target
line, the deadline and the trend's forecast (the coverage chart's style)."""

from __future__ import annotations

import datetime
from html import escape

from django.utils.translation import gettext as _

from qihub.programmes.progress import Progress


def target_svg(p: Progress, *, label: str, unit: str) -> str:
    width, height, left, top, bottom, right = 420, 200, 52, 14, 30, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [(d, v) for d, v in p.series if v is not None]
    days = [d for d, _v in p.series]
    if p.forecast_on and p.status != "met":
        days.append(min(p.forecast_on, p.deadline + datetime.timedelta(days=730)))
    days.append(p.deadline)
    lo_day, hi_day = min(days), max(days)
    span = max((hi_day - lo_day).days, 1)
    top_value = max([p.target_value, *(v for _d, v in known)]) * 1.1 or 1

    def x(day: datetime.date) -> float:
        return left + plot_w * (day - lo_day).days / span

    def y(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="target-chart" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    for frac in (0, 0.5, 1):
        value = top_value * frac
        yy = y(value)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{yy + 4:.1f}" font-size="10" '
            f'text-anchor="end">{value:,.4g}</text>'
        )
    ty = y(p.target_value)
    target_label = _("Target %(value)s %(unit)s") % {
        "value": f"{p.target_value:g}",
        "unit": unit,
    }
    parts.append(
        f'<line class="target" data-target="{p.target_value:g}" x1="{left}" '
        f'x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#c0392b" '
        f'stroke-dasharray="6 4" stroke-width="2"/>'
        f'<text class="target-label" x="{left + plot_w}" y="{ty - 4:.1f}" '
        f'font-size="11" text-anchor="end" fill="#c0392b">'
        f"{escape(target_label)}</text>"
    )
    dx = x(p.deadline)
    parts.append(
        f'<line class="deadline" x1="{dx:.1f}" x2="{dx:.1f}" y1="{top}" '
        f'y2="{top + plot_h}" stroke="#888" stroke-dasharray="2 3"/>'
        f'<text x="{dx:.1f}" y="{height - 4}" font-size="10" text-anchor="middle" '
        f'fill="#555">{escape(_("deadline"))} {p.deadline:%Y-%m}</text>'
    )
    if known:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in known)
        parts.append(
            f'<polyline class="values" points="{path}" fill="none" '
            f'stroke="#2c6fbb" stroke-width="2"/>'
        )
        for d, v in known:
            parts.append(
                f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="#2c6fbb">'
                f"<title>{d:%Y-%m}: {v:g} {escape(unit)}</title></circle>"
            )
        first, last = known[0], known[-1]
        parts.append(
            f'<text x="{x(first[0]):.1f}" y="{height - 16}" font-size="10" '
            f'text-anchor="start">{first[0]:%Y-%m}</text>'
        )
        if p.forecast_on and p.status != "met":
            fd = min(p.forecast_on, hi_day)
            fv = p.target_value if fd == p.forecast_on else None
            if fv is None and p.slope_per_year:
                fv = last[1] + p.slope_per_year * (fd - last[0]).days / 365.25
            fv = min(fv or p.target_value, top_value)
            parts.append(
                f'<line class="forecast" data-forecast="{p.forecast_on.isoformat()}" '
                f'x1="{x(last[0]):.1f}" y1="{y(last[1]):.1f}" x2="{x(fd):.1f}" '
                f'y2="{y(fv):.1f}" stroke="#2c6fbb" stroke-dasharray="4 3"/>'
            )
    else:
        parts.append(
            f'<text class="no-data" x="{left + plot_w / 2:.1f}" '
            f'y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="13" '
            f'fill="#777">{escape(_("no data"))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

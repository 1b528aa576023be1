"""A target's progress from its snapshots: the value now, % of the target,
the trend (least-squares line through the monthly values), the date the
trend reaches the target, and a status.

Status rule (documented on the dashboard):

* **met**: the latest value reaches the target;
* **on track**: the trend reaches the target by the deadline;
* **at risk**: the trend reaches it, but late: at most six months after the
  deadline or, for a deadline already passed, at most six months from today
  (a late, close miss); or only one value is known and the deadline has not
  passed;
* **off track**: the trend does not rise, or reaches the target later than
  that;
* **no data**: no snapshot holds a value (never shown as zero).

Targets are "at least" targets: a higher value is better.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MET, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = (
    "met",
    "on_track",
    "at_risk",
    "off_track",
    "no_data",
)
STATUS_LABELS = {
    MET: _("Met"),
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    OFF_TRACK: _("Off track"),
    NO_DATA: _("No data"),
}
GRACE = datetime.timedelta(days=183)


@dataclass
class Progress:
    target_value: float
    deadline: datetime.date
    series: list[tuple[datetime.date, float | None]] = field(default_factory=list)
    value: float | None = None
    on: datetime.date | None = None
    pct: float | None = None
    slope_per_year: float | None = None
    forecast_on: datetime.date | None = None
    status: str = NO_DATA

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "on": self.on.isoformat() if self.on else None,
            "percent": self.pct,
            "trend_per_year": self.slope_per_year,
            "forecast_on": self.forecast_on.isoformat() if self.forecast_on else None,
            "status": self.status,
            "series": [{"on": d.isoformat(), "value": v} for d, v in self.series],
        }


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least squares ``y = a + b x``; None below two distinct x."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _y in points) / n
    my = sum(y for _x, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _y in points)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - b * mx, b


def compute(
    *,
    target_value: float,
    deadline: datetime.date,
    series: list[tuple[datetime.date, float | None]],
    today: datetime.date | None = None,
) -> Progress:
    p = Progress(target_value=target_value, deadline=deadline, series=series)
    known = [(d, v) for d, v in series if v is not None]
    if not known:
        return p
    p.on, p.value = known[-1]
    if target_value:
        p.pct = round(100 * p.value / target_value, 1)
    today = today or p.on
    if p.value >= target_value:
        p.status = MET
        return p
    fit = linear_fit([(d.toordinal(), v) for d, v in known])
    if fit is None:
        p.status = AT_RISK if deadline >= today else OFF_TRACK
        return p
    a, b = fit
    p.slope_per_year = round(b * 365.25, 3)
    if b <= 0:
        p.status = OFF_TRACK
        return p
    reach = (target_value - a) / b
    reach_day = datetime.date.fromordinal(
        max(round(reach), p.on.toordinal() + 1)
        if reach < datetime.date.max.toordinal()
        else datetime.date.max.toordinal()
    )
    p.forecast_on = reach_day
    if reach_day <= deadline:
        p.status = ON_TRACK
    elif reach_day <= max(deadline, today) + GRACE:
        p.status = AT_RISK
    else:
        p.status = OFF_TRACK
    return p

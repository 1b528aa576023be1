"""Calendar arithmetic shared by the domains (review cycles, implementation
periods, certificate validity)."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months later, or that month's last day when it
    has no such day (31 August plus six months is 28 February)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` years later (29 February: the 28th if needed)."""
    return add_months(day, 12 * years)

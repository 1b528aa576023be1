import datetime

from qihub.programmes import progress

D = datetime.date


START = D(2026, 1, 31)


def _monthly(values, start=START):
    """One value per month end from ``start``."""
    out, day = [], start
    for v in values:
        out.append((day, v))
        day = (day + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
            days=1
        )
        if day <= out[-1][0]:
            day = (day + datetime.timedelta(days=40)).replace(
                day=1
            ) - datetime.timedelta(days=1)
    return out


def test_linear_fit():
    a, b = progress.linear_fit([(0, 1), (1, 3), (2, 5)])
    assert (round(a, 6), round(b, 6)) == (1, 2)
    assert progress.linear_fit([(1, 1)]) is None


def test_no_data_is_not_zero():
    p = progress.compute(
        target_value=10, deadline=D(2027, 1, 1), series=[(D(2026, 1, 31), None)]
    )
    assert p.status == progress.NO_DATA
    assert p.value is None
    assert p.pct is None


def test_met():
    p = progress.compute(
        target_value=5, deadline=D(2027, 1, 1), series=_monthly([3, 4, 5])
    )
    assert (p.status, p.pct, p.forecast_on) == (progress.MET, 100.0, None)


def test_on_track_forecast_before_deadline():
    series = _monthly([10, 12, 14, 16])
    p = progress.compute(
        target_value=20, deadline=D(2027, 1, 1), series=series, today=D(2026, 5, 1)
    )
    assert p.status == progress.ON_TRACK
    assert D(2026, 5, 31) < p.forecast_on < D(2026, 9, 30)
    assert p.slope_per_year > 0


def test_at_risk_and_off_track():
    series = _monthly([10, 11, 12, 13])
    # reaches 20 about seven months after the last value
    late = progress.compute(
        target_value=20, deadline=D(2026, 8, 1), series=series, today=D(2026, 5, 1)
    )
    assert late.status == progress.AT_RISK
    far = progress.compute(
        target_value=40, deadline=D(2026, 8, 1), series=series, today=D(2026, 5, 1)
    )
    assert far.status == progress.OFF_TRACK
    assert far.forecast_on is not None
    flat = progress.compute(
        target_value=20, deadline=D(2030, 1, 1), series=_monthly([5, 5, 5])
    )
    assert (flat.status, flat.forecast_on) == (progress.OFF_TRACK, None)


def test_missing_months_are_skipped_not_zero():
    series = _monthly([10, None, 12, None, 14])
    p = progress.compute(target_value=100, deadline=D(2040, 1, 1), series=series)
    assert p.value == 14
    assert p.slope_per_year > 0

import datetime

import pytest

from qihub.core.errors import ApplicationError
from qihub.organisations import services as org_services
from qihub.programmes import indicators, services
from qihub.programmes.models import ReportedValue, Target
from qihub.programmes.tests.conftest import evidence

DEADLINE = datetime.date(2030, 12, 31)


def _target(programme, **kw):
    args = {
        "actor": None,
        "programme": programme,
        "indicator": "verification_coverage",
        "target_value": 90,
        "unit": "%",
        "deadline": DEADLINE,
    }
    args.update(kw)
    return services.target_add(**args)


def test_target_added(programme):
    t = _target(programme)
    assert t.position == 0
    assert str(t) == "verification_coverage ≥ 90 %"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"deadline": None}, "deadline: a target needs a deadline."),
        ({"unit": " "}, "unit: a target needs a unit"),
        (
            {"indicator": "no_such_thing"},
            "indicator: there is no indicator 'no_such_thing'",
        ),
        ({"target_value": None}, "target_value: give the target value."),
        (
            {"baseline_value": 3.0},
            "baseline_on: say on which date the baseline was measured.",
        ),
    ],
)
def test_bad_target_refused_and_nothing_saved(programme, kw, message):
    with pytest.raises(ApplicationError) as exc:
        _target(programme, **kw)
    assert message in exc.value.message
    assert not Target.objects.exists()


def test_programme_needs_a_scope(authority):
    with pytest.raises(ApplicationError, match="region: a programme is for a region"):
        services.programme_create(
            actor=None,
            name_zh="x",
            issuing_authority=authority,
            starts_on=datetime.date(2021, 1, 1),
            ends_on=datetime.date(2022, 1, 1),
        )


def test_plain_user_may_not_set_targets(programme, plain_user):
    from qihub.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _target(programme, actor=plain_user)


def _report(org, **kw):
    args = {
        "actor": None,
        "organisation": org,
        "indicator": "talents_trained",
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
        "value": 40,
        "evidence": evidence(),
        "today": datetime.date(2026, 6, 1),
    }
    args.update(kw)
    return services.reported_value_submit(**args)


@pytest.mark.usefixtures("_media")
def test_reported_value_counts_only_after_approval(authority, reviewer_user):
    scope = indicators.scope_for("220000")
    day = datetime.date(2026, 6, 1)
    rv = _report(authority)
    assert rv.state == ReportedValue.State.PENDING
    assert indicators.get("talents_trained").value(scope, day) is None  # no data
    services.reported_value_review(actor=reviewer_user, reported=rv, approve=True)
    assert indicators.get("talents_trained").value(scope, day) == 40
    # a second one rejected does not count
    rv2 = _report(authority, value=99)
    services.reported_value_review(
        actor=reviewer_user, reported=rv2, approve=False, note="no list attached"
    )
    assert indicators.get("talents_trained").value(scope, day) == 40
    # the other province does not see it
    assert (
        indicators.get("talents_trained").value(indicators.scope_for("440000"), day)
        is None
    )
    with pytest.raises(ApplicationError, match="already reviewed"):
        services.reported_value_review(actor=reviewer_user, reported=rv, approve=True)


@pytest.mark.usefixtures("_media")
@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"period_end": datetime.date(2026, 12, 31)},
            "period_end: 2026-12-31 is in the future",
        ),
        ({"evidence": None}, "evidence: attach the evidence file"),
        ({"indicator": "nope"}, "indicator: there is no indicator 'nope'"),
        (
            {"indicator": "verification_coverage"},
            "indicator: verification_coverage is computed from the records",
        ),
        ({"value": -1}, "value: give a value of zero or more."),
        (
            {"period_start": datetime.date(2026, 1, 1)},
            "period_end: the period must end on or after its start.",
        ),
    ],
)
def test_bad_report_refused_and_nothing_saved(authority, kw, message):
    with pytest.raises(ApplicationError) as exc:
        _report(authority, **kw)
    assert message in exc.value.message
    assert not ReportedValue.objects.exists()


@pytest.mark.usefixtures("_media")
def test_only_reviewers_approve(authority, plain_user):
    from qihub.core.errors import PermissionDenied

    rv = _report(authority)
    with pytest.raises(PermissionDenied):
        services.reported_value_review(actor=plain_user, reported=rv, approve=True)
    rv.refresh_from_db()
    assert rv.state == ReportedValue.State.PENDING


@pytest.mark.usefixtures("_media")
def test_outsider_may_not_report(authority, plain_user):
    from qihub.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _report(authority, actor=plain_user)


def test_snapshot_rejects_unknown_indicator(db):
    with pytest.raises(ApplicationError, match="no indicator"):
        services.snapshot_store(
            indicator="x", scope="220000", month=datetime.date(2026, 1, 1), value=1
        )


def test_snapshots_compute_a_past_month_from_history(programme, authority):
    _target(programme, indicator="honest_measurement_units", unit="家", target_value=10)
    city_org, _ = org_services.organisation_find_or_create(
        actor=None, name="长春某计量企业", kind="enterprise", region="220100"
    )
    org_services.designation_add(
        actor=None,
        organisation=city_org,
        kind="honest_measurement",
        valid_from=datetime.date(2026, 3, 10),
    )
    n = services.snapshots_compute(month=datetime.date(2026, 2, 1))
    assert n == 1 + 9  # the province and its nine cities
    services.snapshots_compute(month=datetime.date(2026, 3, 1))
    from qihub.programmes.models import Snapshot

    values = dict(Snapshot.objects.filter(scope="220000").values_list("month", "value"))
    assert values == {datetime.date(2026, 2, 1): 0.0, datetime.date(2026, 3, 1): 1.0}
    assert Snapshot.objects.get(scope="220100", month="2026-03-01").value == 1.0
    assert Snapshot.objects.get(scope="220200", month="2026-03-01").value == 0.0
    # recomputing replaces, never duplicates
    services.snapshots_compute(month=datetime.date(2026, 3, 1))
    assert Snapshot.objects.filter(scope="220000").count() == 2

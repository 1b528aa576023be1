"""A large network's kept counts (``tallies``): stale after any write a count
depends on, recounted in the background, shown with their time, never kept
fresh over a write that came in while they were counted."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone, translation

from qihub.catalog import services as catalog_services
from qihub.organisations import profile, services, tallies
from qihub.organisations.models import NetworkTally


def _drafted_value(counts: tallies.Counts) -> int:
    return next(m.value for m in counts.metrics if m.key == "standards_drafted")


def _draft(unit, identifier: str):
    standard = catalog_services.standard_create(
        actor=None,
        identifier=identifier,
        title_zh="新标准",
        issued_on=datetime.date(2025, 3, 1),
    )
    catalog_services.standard_set_drafting_units(
        standard=standard, organisations=[unit], actor=None
    )
    return standard


@pytest.fixture
def large(settings):
    """Every network counts as large (kept counts), whatever its size."""
    settings.QIHUB_NETWORK_TALLY_MS = 0


@pytest.fixture
def committed(centre):
    """What the fixtures wrote, as if committed: the test's transaction never
    commits, so the marks the fixtures' writes registered would otherwise
    stand for every later write of the test (one mark per transaction)."""
    connection = transaction.get_connection()
    pending, connection.run_on_commit = connection.run_on_commit, []
    for _sids, func, _robust in pending:
        func()
    return centre


def test_small_network_is_counted_live_and_keeps_nothing(centre, unit):
    counts = tallies.network_counts(centre)
    assert _drafted_value(counts) == 3
    assert counts.counted_at is None
    assert not NetworkTally.objects.exists()
    _draft(unit, "GB/T 44000-2025")
    assert _drafted_value(tallies.network_counts(centre)) == 4


def test_large_network_keeps_its_counts_until_a_write(
    large, committed, centre, unit, django_capture_on_commit_callbacks
):
    first = tallies.network_counts(centre)
    assert _drafted_value(first) == 3
    tally = NetworkTally.objects.get(network=centre)
    assert not tally.stale
    assert tally.counted_on == timezone.localdate()
    # Served from the tally: no provider runs.
    assert _drafted_value(tallies.network_counts(centre)) == 3

    # A write a count depends on marks it stale when it commits; the queued
    # recount (immediate in tests) brings it up to date.
    with django_capture_on_commit_callbacks(execute=True):
        _draft(unit, "GB/T 44000-2025")
    tally.refresh_from_db()
    assert not tally.stale
    assert tally.queued_at is None
    counts = tallies.network_counts(centre)
    assert _drafted_value(counts) == 4
    assert counts.counted_at == tally.counted_at
    assert not counts.stale


def test_one_mark_per_transaction(
    large, committed, centre, unit, django_capture_on_commit_callbacks
):
    tallies.network_counts(centre)
    with django_capture_on_commit_callbacks() as callbacks:
        _draft(unit, "GB/T 44001-2025")
        _draft(unit, "GB/T 44002-2025")
    marks = [c for c in callbacks if c is profile._mark_stale]
    assert len(marks) == 1


def test_stale_counts_are_shown_with_their_time_while_a_recount_waits(
    large, centre, unit, monkeypatch
):
    tallies.network_counts(centre)
    queued = []
    monkeypatch.setattr(tallies, "_queue", lambda ids: queued.append(ids))
    _draft(unit, "GB/T 44000-2025")
    tallies.mark_stale()  # what the commit does
    counts = tallies.network_counts(centre)
    assert counts.stale
    assert counts.counted_at is not None
    assert _drafted_value(counts) == 3  # the last counts, not a recount
    assert queued


def test_view_recounts_itself_when_no_worker_ran_the_job(large, centre, unit):
    tallies.network_counts(centre)
    _draft(unit, "GB/T 44000-2025")
    NetworkTally.objects.update(
        stale=True, queued_at=timezone.now() - datetime.timedelta(hours=1)
    )
    counts = tallies.network_counts(centre)
    assert _drafted_value(counts) == 4
    assert not NetworkTally.objects.get(network=centre).stale


def test_counts_of_an_earlier_day_are_stale(large, centre):
    tallies.network_counts(centre)
    NetworkTally.objects.update(counted_on=datetime.date(2024, 1, 1))
    assert tallies.recount_stale() == 1
    assert NetworkTally.objects.get().counted_on == timezone.localdate()
    assert tallies.recount_stale() == 0


def test_write_during_a_recount_keeps_the_tally_stale(large, centre, unit):
    tallies.network_counts(centre)
    generation = NetworkTally.objects.get().generation
    metrics, ms = tallies._count(centre)
    tallies.mark_stale()  # a write committed while counting
    assert not tallies._store(centre, metrics, ms, generation)
    assert NetworkTally.objects.get().stale


def test_member_leaving_changes_the_counts(
    large, committed, centre, unit, django_capture_on_commit_callbacks
):
    assert _drafted_value(tallies.network_counts(centre)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.network_member_leave(
            actor=None,
            member=centre.members.get(organisation=unit),
            left_on=timezone.localdate(),
        )
    # The institute alone drafted all three too: the count holds, recounted.
    tally = NetworkTally.objects.get()
    assert not tally.stale
    assert tally.generation == 1


def test_stored_labels_translate_on_the_page(large, centre, client):
    tallies.network_counts(centre)  # kept with the English msgids
    with translation.override("zh-hans"):
        metrics = tallies.network_counts(centre).metrics
        label = next(str(m.label) for m in metrics if m.key == "standards_drafted")
        assert label == translation.gettext("Standards drafted")
    assert label != "Standards drafted"
    html = client.get(
        centre.get_absolute_url(), headers={"accept-language": "zh-hans"}
    ).content.decode()
    assert 'class="muted counted-at"' in html
    assert label in html


def test_api_says_when_large_counts_were_counted(large, centre, client):
    data = client.get(f"/api/networks/{centre.pk}").json()
    assert data["metrics_counted_at"] is None  # the first count is live
    data = client.get(f"/api/networks/{centre.pk}").json()
    assert data["metrics_counted_at"] is not None
    assert data["metrics_stale"] is False
    drafted = next(m for m in data["metrics"] if m["key"] == "standards_drafted")
    assert drafted["value"] == 3


def test_a_network_small_again_keeps_nothing(large, centre, settings):
    tallies.network_counts(centre)
    assert NetworkTally.objects.exists()
    settings.QIHUB_NETWORK_TALLY_MS = 10**9  # its recounts are fast now
    NetworkTally.objects.update(count_ms=1)
    assert _drafted_value(tallies.network_counts(centre)) == 3
    assert not NetworkTally.objects.exists()

"""A large pull checks signatures in worker processes while it stores the
page before: the same entries pass and the same are refused as in one
process (the pool is forced here on pages of three)."""

import json

import pytest

from qihub.catalog.models import Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.sharing import pulling, services
from qihub.sharing.models import FeedEntry, MirroredRecord, MirroredStandard

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(monkeypatch):
    monkeypatch.setattr(pulling, "POOL_MIN_PAGE", 2)
    monkeypatch.setattr(pulling, "_workers", lambda: 2)
    started = []
    real = pulling.Verifier.submit

    def submit(self, entries):
        pending = real(self, entries)
        started.append(self.pool is not None)
        return pending

    monkeypatch.setattr(pulling.Verifier, "submit", submit)
    return started


def group(identifier, **kw):
    return StandardFactory(identifier=identifier, level=Standard.Level.GROUP, **kw)


def test_pool_pull_mirrors_pages_with_a_key_rotation(member, loopback, pool):
    for n in range(4):
        group(f"T/CAS {n}-2024")
    services.key_rotate()
    for n in range(4, 8):
        group(f"T/CAS {n}-2024")
    Standard.objects.filter(identifier="T/CAS 1-2024").delete()  # a tombstone
    assert services.member_pull(member=member, fetch=loopback, limit=3) == 10
    assert any(pool)
    member.refresh_from_db()
    assert member.last_error == ""
    assert MirroredStandard.objects.filter(deleted=False).count() == 7
    assert MirroredStandard.objects.get(identifier="T/CAS 1-2024").deleted
    assert member.keys.filter(valid_until__isnull=True).count() == 1
    assert MirroredRecord.objects.count() == 8


def test_pool_pull_stops_at_a_bad_signature(member, loopback, pool):
    for n in range(7):
        group(f"T/CAS {n}-2024")
    fifth = FeedEntry.objects.order_by("seq")[4].seq

    def tampered(url):
        page = json.loads(loopback(url))
        for entry in page["entries"]:
            if entry["seq"] == fifth:
                entry["body"] = entry["body"].replace("T/CAS", "T/XX")
        return json.dumps(page).encode()

    assert services.member_pull(member=member, fetch=tampered, limit=3) == 4
    member.refresh_from_db()
    assert "Bad signature" in member.last_error
    assert member.cursor == fifth - 1
    assert MirroredStandard.objects.count() == 4
    assert services.member_pull(member=member, fetch=loopback, limit=3) == 3
    assert MirroredStandard.objects.count() == 7


def test_updates_keep_the_first_seen_time_and_replace_the_data(member, loopback):
    s = group("T/CAS 1-2024", title_zh="甲")
    services.member_pull(member=member, fetch=loopback)
    record = MirroredRecord.objects.get()
    s.title_zh = "乙"
    s.save()
    services.member_pull(member=member, fetch=loopback)
    again = MirroredRecord.objects.get()
    assert (again.pk, again.first_seen_at) == (record.pk, record.first_seen_at)
    assert again.data["title_zh"] == "乙"
    assert again.source_seq > record.source_seq
    s.delete()
    services.member_pull(member=member, fetch=loopback)
    gone = MirroredRecord.objects.get()
    assert gone.deleted
    assert gone.data["title_zh"] == "乙"  # a tombstone keeps what was known


def test_no_worker_process_inside_a_daemonic_process(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    assert pulling._workers() == 0


def test_a_dead_worker_falls_back_to_checking_here(member, loopback):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from qihub.sharing.models import SigningKey

    key = SigningKey.objects.get()
    group("T/CAS 1-2024")
    entry = FeedEntry.objects.get()
    broken = Future()
    broken.set_exception(BrokenProcessPool("gone"))
    pending = pulling.Pending(
        {key.key_id: key.public_key},
        [broken],
        [(entry.key_id, entry.body, entry.signature)],
    )
    assert pending.result() == [True]

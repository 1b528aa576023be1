"""A network's combined counts, live for small networks and kept for large ones.

``profile.metrics_for`` counts every domain's records for a set of
organisations in a few set-based queries. For a network of a thousand
members whose units drafted hundreds of thousands of standards, that is
still more than a page may spend, so a network whose recount takes longer
than ``sync_limit_ms()`` keeps its counts in a ``NetworkTally``:

* a write to any record a count depends on (``profile.COUNTED_MODELS``, or
  a bulk write calling ``profile.counts_changed``) marks every tally stale
  once its transaction commits, bumps its generation and queues a recount;
* the recount job stores its result as fresh only if the generation did not
  change while it ran (a write that came in meanwhile queues the next one);
* a tally counted on an earlier day, or longer than ``MAX_AGE`` ago, is
  stale too (membership is by date, and a write path may send no signal);
* a page showing a stale tally shows its time; when the queued recount has
  not run within ``QUEUE_PATIENCE`` (no worker on the embedded default), the
  view recounts itself.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from qihub.organisations import profile, selectors
from qihub.organisations.models import Network, NetworkTally


def sync_limit_ms() -> int:
    """A recount slower than this keeps a tally; faster ones count on each
    view (``QIHUB_NETWORK_TALLY_MS``, 60 ms; in tests only a test that asks
    for it keeps a tally, so no count depends on the machine's speed)."""
    return settings.QIHUB_NETWORK_TALLY_MS


#: A tally older than this is recounted whatever happened.
MAX_AGE = datetime.timedelta(hours=6)
#: How long a view trusts a queued recount to run before doing it itself.
QUEUE_PATIENCE = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Counts:
    """What a network page shows: the metrics, and when they were counted
    if they are not live (``stale``: a newer recount is on its way)."""

    metrics: list[profile.Metric]
    counted_at: datetime.datetime | None = None
    stale: bool = False


def network_counts(network: Network) -> Counts:
    """The network's current members' combined counts (each record once)."""
    tally = NetworkTally.objects.filter(network=network).first()
    limit = sync_limit_ms()
    if tally is None or tally.count_ms < limit:
        metrics, ms = _count(network)
        if ms >= limit:
            _store(network, metrics, ms, generation=tally.generation if tally else None)
        elif tally is not None:
            # Small again: counted live from now on, nothing kept (and no
            # write on every view).
            NetworkTally.objects.filter(pk=tally.pk).delete()
        return Counts(metrics)
    metrics = [profile.Metric.from_json(m) for m in tally.metrics]
    if _fresh(tally):
        return Counts(metrics, counted_at=tally.counted_at)
    now = timezone.now()
    if tally.queued_at is not None and now - tally.queued_at > QUEUE_PATIENCE:
        return Counts(recount(network), counted_at=now)
    if tally.queued_at is None:
        _queue([network.pk])
    return Counts(metrics, counted_at=tally.counted_at, stale=True)


def _fresh(tally: NetworkTally) -> bool:
    return (
        not tally.stale
        and tally.counted_on == timezone.localdate()
        and tally.counted_at is not None
        and timezone.now() - tally.counted_at < MAX_AGE
    )


def _count(network: Network) -> tuple[list[profile.Metric], int]:
    t0 = time.perf_counter()
    metrics = profile.metrics_for(
        selectors.members_on(network)
        .order_by()
        .values_list("organisation_id", flat=True)
    )
    return metrics, round((time.perf_counter() - t0) * 1000)


def _store(
    network: Network, metrics: list[profile.Metric], ms: int, generation: int | None
) -> bool:
    """Keep a recount; fresh only if no write marked the tally stale since
    ``generation`` was read. A page that cannot write (the one SQLite writer
    is busy) still shows what it counted."""
    values = {
        "metrics": [m.to_json() for m in metrics],
        "counted_at": timezone.now(),
        "counted_on": timezone.localdate(),
        "count_ms": ms,
    }
    try:
        with transaction.atomic():
            if generation is None:
                _tally, created = NetworkTally.objects.get_or_create(
                    network=network, defaults={**values, "stale": False}
                )
                if created:
                    return True
                generation = _tally.generation
            done = NetworkTally.objects.filter(
                network=network, generation=generation
            ).update(**values, stale=False, queued_at=None)
            if not done:
                NetworkTally.objects.filter(network=network).update(**values)
            return bool(done)
    except DatabaseError:
        return False


def recount(network: Network) -> list[profile.Metric]:
    """Count the network now and keep the result."""
    generation = (
        NetworkTally.objects.filter(network=network)
        .values_list("generation", flat=True)
        .first()
    )
    metrics, ms = _count(network)
    _store(network, metrics, ms, generation)
    return metrics


def recount_stale() -> int:
    """Recount every tally that is stale, of an earlier day or too old (the
    job behind ``mark_stale`` and the daily schedule). Returns how many."""
    # Tallies are few (one per large network): the rule of ``_fresh`` is
    # applied to each rather than written again as a query.
    due = [
        tally.network
        for tally in NetworkTally.objects.select_related("network").defer("metrics")
        if not _fresh(tally)
    ]
    for network in due:
        recount(network)
    return len(due)


def mark_stale() -> None:
    """Something a count depends on changed (``profile.counts_changed``, after
    the commit): every tally is stale and a recount is queued. A read first,
    so that the common case (no large network) writes nothing."""
    if not NetworkTally.objects.exists():
        return
    NetworkTally.objects.update(stale=True, generation=F("generation") + 1)
    _queue(None)


def _queue(network_ids: list[int] | None) -> None:
    """Queue one recount job unless one is already waiting."""
    from qihub.organisations.tasks import recount_network_tallies

    waiting = NetworkTally.objects.filter(queued_at__isnull=True)
    if network_ids is not None:
        waiting = waiting.filter(network_id__in=network_ids)
    if waiting.update(queued_at=timezone.now()):
        transaction.on_commit(recount_network_tallies.enqueue)

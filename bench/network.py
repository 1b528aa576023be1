"""Sharing benchmark: a member instance's feed with N shared records.

    .venv/bin/python bench/network.py [--records 1000000] [--changes 1000]

Builds a scratch SQLite database under /tmp (migrated) whose outbox holds N
signed group-standard entries (real Ed25519 signatures over canonical JSON),
registers the instance as a member of its own network, and times, in
process (the Django test client as transport, so no socket time):

* the first full pull by a new member (verify + mirror every record),
  in records/s (target >= 5,000/s) and CPU time per record (one feed page
  is fetched before timing starts, so the first request's warm-up of the
  URL resolver and the ninja router is not counted);
* an incremental pull of C changed records (target < 2 s);
* the p95 of 200 feed pages of 500 entries at random cursors (target < 50 ms).
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--page", type=int, default=0, help="entries per page")
    parser.add_argument("--profile", help="write a cProfile of the full pull here")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="qihub-bench-network-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # however it ends
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from qihub.organisations.models import Network, Organisation, SecretariatTerm
    from qihub.sharing import services, signing
    from qihub.sharing.models import FeedEntry, SigningKey

    call_command("migrate", verbosity=0)
    base = "http://bench.test"
    services.identity_set(base_url=base)
    key = SigningKey.objects.get()
    private = signing.private_key_load(key.private_key_encrypted)

    def write(start: int, count: int, title: str) -> None:
        at = timezone.now().isoformat()
        batch = []
        for seq in range(start, start + count):
            n = seq % args.records
            data = {
                "identifier": f"T/BENCH {n}-2025",
                "level": "group",
                "status": "in_force",
                "title_zh": f"{title}{n}",
                "title_en": "",
                "issued_on": "2025-01-01",
                "url": f"{base}/catalog/{n}/",
            }
            body = signing.canonical(
                {
                    "instance": base,
                    "seq": seq,
                    "kind": "group_standard",
                    "key": f"T/BENCH{n}-2025",
                    "op": "upsert",
                    "at": at,
                    "data": data,
                }
            )
            batch.append(
                FeedEntry(
                    seq=seq,
                    kind="group_standard",
                    key=f"T/BENCH{n}-2025",
                    op="upsert",
                    digest="",
                    body=body,
                    key_id=key.key_id,
                    signature=signing.sign(private, body),
                )
            )
            if len(batch) == 5000:
                with transaction.atomic():
                    FeedEntry.objects.bulk_create(batch)
                batch = []
        if batch:
            FeedEntry.objects.bulk_create(batch)

    t = time.perf_counter()
    write(1, args.records, "基准团体标准 ")
    print(f"built {args.records:,} signed entries in {time.perf_counter() - t:.1f} s")

    org = Organisation.objects.create(name_en="Bench secretariat", kind="enterprise")
    network = Network.objects.create(name_en="Bench network", kind="cooperation")
    SecretariatTerm.objects.create(
        network=network, organisation=org, starts_on=datetime.date(2020, 1, 1)
    )
    member = services.member_register(
        network=network, base_url=base, public_key=key.public_key, key_id=key.key_id
    )
    services.member_accept(member=member)
    client = Client()

    def fetch(url: str) -> bytes:
        return client.get("/" + url.split("/", 3)[3]).content

    page = args.page or services.FEED_PAGE_MAX
    fetch(f"{base}/api/network/feed?since=0&limit=1")  # warm-up, not timed
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    t, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
    n = services.member_pull(member=member, fetch=fetch, limit=page)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    workers = _children_cpu() - workers  # the verifying processes, joined
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    print(
        f"first full pull: {n:,} records in {elapsed:.1f} s = "
        f"{n / elapsed:,.0f} records/s (target >= 5,000/s), "
        f"CPU {cpu / n * 1e6:.0f} us/record here + {workers / n * 1e6:.0f} in "
        f"verifying processes, pages of {page}, "
        f"load {os.getloadavg()[0]:.1f}"
    )

    write(args.records + 1, args.changes, "改版 ")
    t = time.perf_counter()
    n = services.member_pull(member=member, fetch=fetch, limit=page)
    print(
        f"incremental pull of {n:,} changes: {time.perf_counter() - t:.2f} s "
        "(target < 2 s)"
    )

    timings = []
    for _ in range(200):
        since = random.randrange(0, args.records)
        t = time.perf_counter()
        response = client.get(f"/api/network/feed?since={since}&limit=500")
        timings.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"feed page failed: {response.status_code}")
    p95 = statistics.quantiles(timings, n=20)[18]
    print(f"feed page of 500: p95 {p95:.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()

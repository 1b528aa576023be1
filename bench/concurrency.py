"""SQLite concurrency: API writes while a large catalogue import runs.

    .venv/bin/python bench/concurrency.py [--n 100000] [--writers 4]
                                          [--interval 0.5] [--seed 7]

Sets up a scratch SQLite database (WAL, BEGIN IMMEDIATE, busy timeout as
configured), loads the classifications, creates one staff user with a bearer
token and one standard per writer. It writes N synthetic standards to a CSV
(bench/catalogue.py's generator) and starts ``qihub import-standards`` on it
in a subprocess. While the import runs, each writer thread PATCHes its own
standard through the API (Django's WSGI handler, a connection per thread),
one write every ``--interval`` seconds, with a value numbered by the write.

Printed: the import's time; writes attempted; answers by status (500s and
503s are the errors; target 0 of either); the wait of each write (p50, p99,
max); lost writes: a write answered 200 whose value or history event is not
in the database afterwards (target 0); how long the import held SQLite's
write lock (its report's ``lock_seconds``: the one write transaction at the
end, the rows having been checked and staged before it).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="qihub-bench-concurrency-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # however it ends
    os.environ["DJANGO_SETTINGS_MODULE"] = "qihub.config.settings"
    os.environ["QIHUB_DATA_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.pop("PYTEST_VERSION", None)
    os.environ.setdefault("QIHUB_TASK_BACKEND", "immediate")
    os.environ["ALLOWED_HOSTS"] = "testserver"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.catalogue import DOMAINS, generate_csv
    from qihub.catalog.models import Standard, StandardEvent
    from qihub.core.services import api_token_create, user_create
    from qihub.vocab.models import IcsCode
    from qihub.vocab.services import classifications_load

    call_command("migrate", verbosity=0)
    classifications_load()
    password = "pw-bench-staff-x"  # noqa: S105 - a scratch database
    staff = user_create(username="bench-staff", password=password, roles=["staff"])
    _token, key = api_token_create(user=staff)
    targets = [
        Standard.objects.create(
            identifier=f"GB/T 99{i:03d}-2020",
            ident_key=f"GB/T99{i:03d}-2020",
            base_key=f"GB/T99{i:03d}",
            prefix="GB/T",
            number=f"99{i:03d}",
            year=2020,
            level="national",
            nature="recommended",
            title_zh="并发写入目标",
            title_en="target",
        ).pk
        for i in range(args.writers)
    ]
    codes = list(IcsCode.objects.values_list("code", flat=True))
    ics_by_field = {
        d[0]: [c for c in codes if c.startswith(d[0] + ".")] or [codes[0]]
        for d in DOMAINS
    }
    csv_path = Path(workdir) / "standards.csv"
    generate_csv(csv_path, args.n, seed=args.seed, ics_by_field=ics_by_field)
    connection.close()

    env = dict(os.environ)
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "qihub", "import-standards", "--json", str(csv_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    statuses: Counter = Counter()
    waits: list[float] = []
    done: dict[int, list[tuple[int, str]]] = {pk: [] for pk in targets}
    lock = threading.Lock()

    def writer(pk: int) -> None:
        client = Client(headers={"authorization": f"Bearer {key}"})
        number = 0
        while proc.poll() is None:
            number += 1
            value = f"write {pk}-{number}"
            t0 = time.perf_counter()
            response = client.patch(
                f"/api/catalog/standards/{pk}",
                json.dumps({"title_en": value}),
                content_type="application/json",
            )
            wait = time.perf_counter() - t0
            with lock:
                statuses[response.status_code] += 1
                waits.append(wait)
                if response.status_code == 200:
                    done[pk].append((number, value))
            time.sleep(args.interval)
        from django.db import connection as conn

        conn.close()

    threads = [threading.Thread(target=writer, args=(pk,)) for pk in targets]
    time.sleep(1.0)  # let the import take the write lock first
    for t in threads:
        t.start()
    out, err = proc.communicate()
    import_s = time.perf_counter() - started
    for t in threads:
        t.join()

    lost = 0
    for pk, writes in done.items():
        standard = Standard.objects.get(pk=pk)
        events = StandardEvent.objects.filter(standard_id=pk).count()
        if writes and standard.title_en != writes[-1][1]:
            lost += 1
        lost += max(0, len(writes) - events)
    imported = Standard.objects.count() - len(targets)
    load = os.getloadavg()
    result = {
        "n": args.n,
        "imported": imported,
        "import_exit": proc.returncode,
        "import_s": round(import_s, 1),
        "writers": args.writers,
        "writes": sum(statuses.values()),
        "statuses": dict(statuses),
        "errors_500": statuses.get(500, 0),
        "busy_503": statuses.get(503, 0),
        "lost_writes": lost,
        "wait_p50_s": round(pct(waits, 50), 3),
        "wait_p99_s": round(pct(waits, 99), 3),
        "wait_max_s": round(max(waits, default=0), 3),
        "wait_mean_s": round(statistics.fmean(waits), 3) if waits else 0,
        "load_avg": [round(x, 2) for x in load],
    }
    try:
        report = json.loads(out.strip().splitlines()[-1])
        result["import_lock_s"] = round(report.get("lock_seconds", 0.0), 2)
        result["import_report_s"] = round(report.get("seconds", 0.0), 1)
    except (ValueError, IndexError):
        pass
    if proc.returncode:
        result["import_stderr"] = err[-500:]
    print(json.dumps(result))


if __name__ == "__main__":
    main()

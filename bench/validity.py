"""Validity check benchmark: a list checked through the API against a large
synthetic catalogue.

    .venv/bin/python bench/validity.py [--scale 1000000] [--db sqlite|postgres]
                                       [--sizes 500,1000,5000] [--repeat 3]

It sets up a scratch database (a temporary SQLite file, or a PostgreSQL
database ``qihub_bench_validity_<pid>_<time>`` that is created and dropped),
writes ``--scale`` synthetic standards with replacement chains (the
generator of ``bench/catalogue.py``: 1-3 editions each, every later edition
replacing the one before) and imports them. It then builds lists of 500,
1,000 and 5,000 lines as a quality manual writes them (dated, compact,
full-width and lower-case spellings, titles beside them, 1% unknown
identifiers, 1% lines with none) and posts each to ``POST
/api/catalog/validity-check``, handed to Django's WSGI handler as gunicorn
hands it, end to end (JSON in, JSON out). It prints the time per list (best
and median of ``--repeat``), the time per line, and the verdict counts.
Target: 5,000 lines in under 2 s at 1,000,000 standards, scaling linearly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = f"qihub_bench_validity_{os.getpid()}_{int(time.time())}"

_FULL_WIDTH = str.maketrans(
    {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"}
)


def spell(rng: random.Random, identifier: str, title: str) -> str:
    """The identifier as people write it in a list."""
    form = rng.random()
    text = identifier
    if form < 0.15:
        text = identifier.replace(" ", "").replace("/", "")  # GBT19001-2016
    elif form < 0.25:
        text = identifier.translate(_FULL_WIDTH).replace("-", "—")
    elif form < 0.30:
        text = identifier.lower()
    if rng.random() < 0.7 and title:
        text = f"{text} {title}"
    if rng.random() < 0.3:
        text = f"{rng.randint(1, 999)}. {text}"
    return text


def make_lines(rng: random.Random, pool: list[tuple[str, str]], n: int) -> list[str]:
    lines = []
    for i in range(n):
        r = rng.random()
        if r < 0.01:
            lines.append(f"GB/T {900000 + i}-2019 不在目录中的标准")
        elif r < 0.02:
            lines.append("附录 A 引用文件清单")
        else:
            identifier, title = rng.choice(pool)
            lines.append(spell(rng, identifier, title))
    return lines


def run_worker(args) -> dict:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory

    from bench.catalogue import DOMAINS, generate_csv
    from qihub.catalog.importing import standards_import
    from qihub.catalog.models import Standard
    from qihub.vocab.models import IcsCode
    from qihub.vocab.services import classifications_load

    out: dict = {"db": connection.vendor, "scale": args.scale}
    call_command("migrate", verbosity=0)
    classifications_load()
    codes = list(IcsCode.objects.values_list("code", flat=True))
    ics_by_field = {}
    for domain in DOMAINS:
        leaf = [c for c in codes if c.startswith(domain[0] + ".")]
        ics_by_field[domain[0]] = leaf or [c for c in codes if c.startswith(domain[0])]
    csv_path = Path(args.workdir) / "standards.csv"
    t0 = time.perf_counter()
    generate_csv(csv_path, args.scale, seed=args.seed, ics_by_field=ics_by_field)
    out["generate_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    report = standards_import(file=csv_path, fmt="csv")
    if not report.ok:
        raise SystemExit(f"import refused: {report.errors[:5]}")
    out["import_s"] = round(time.perf_counter() - t0, 1)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    out["standards"] = Standard.objects.count()
    out["replaced"] = Standard.objects.filter(status="replaced").count()

    rng = random.Random(args.seed)
    top = Standard.objects.order_by("-id").values_list("id", flat=True).first()
    ids = rng.sample(range(1, top + 1), min(20_000, top))
    pool = list(
        Standard.objects.filter(id__in=ids[:20_000]).values_list(
            "identifier", "title_zh"
        )
    )
    handler = WSGIHandler()
    #: CPU seconds of each request in this process (SQLite runs in it too):
    #: what the request costs when the machine is not shared.
    cpu_times: list[float] = []

    def post(lines: list[str]) -> tuple[str, dict, float]:
        body = json.dumps({"lines": lines}, ensure_ascii=False).encode()
        environ = (
            RequestFactory()
            .post("/api/catalog/validity-check", body, content_type="application/json")
            .environ
        )
        statuses: list[str] = []
        t, cpu = time.perf_counter(), time.process_time()
        response = handler(environ, lambda status, headers: statuses.append(status))
        data = b"".join(response)
        response.close()
        cpu_times.append(time.process_time() - cpu)
        return statuses[0], json.loads(data), time.perf_counter() - t

    post(make_lines(rng, pool, 50))  # warm up: imports, jieba, caches
    if args.profile:
        import cProfile
        import pstats

        from qihub.catalog.validity.check import check_list

        lines = make_lines(rng, pool, max(args.sizes))
        profiler = cProfile.Profile()
        profiler.enable()
        check_list(lines)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumtime").print_stats(40)
    from qihub.catalog.validity import check

    out["runs"] = []
    # --compare-gc: each list is checked with the collector paused (the
    # code as it is) and not (as before), alternately, in this one process.
    variants = [True, False] if args.compare_gc else [True]
    for size in args.sizes:
        times: dict[bool, list[float]] = {v: [] for v in variants}
        cpus: dict[bool, list[float]] = {v: [] for v in variants}
        for _ in range(args.repeat):
            lines = make_lines(rng, pool, size)
            for variant in variants:
                check.PAUSE_GC = variant
                status, body, elapsed = post(lines)
                if not status.startswith("200"):
                    raise SystemExit(f"{size} lines: {status} {body}")
                times[variant].append(elapsed)
                cpus[variant].append(cpu_times[-1])
        check.PAUSE_GC = True
        run = {
            "lines": size,
            "best_s": round(min(times[True]), 3),
            "median_s": round(statistics.median(times[True]), 3),
            "cpu_median_s": round(statistics.median(cpus[True]), 3),
            "ms_per_line": round(statistics.median(times[True]) / size * 1000, 3),
            "summary": body["summary"],
        }
        if args.compare_gc:
            run["gc_on_median_s"] = round(statistics.median(times[False]), 3)
            run["gc_on_cpu_median_s"] = round(statistics.median(cpus[False]), 3)
        out["runs"].append(run)
    out["load"] = [round(x, 2) for x in os.getloadavg()]
    return out


def run_child(db: str, args) -> dict:
    workdir = tempfile.mkdtemp(prefix=f"qihub-bench-validity-{db}-")
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "qihub.config.settings"
    env["QIHUB_DATA_DIR"] = workdir
    env.pop("PYTEST_VERSION", None)
    env.setdefault("QIHUB_TASK_BACKEND", "immediate")
    env["DEBUG"] = "0"
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    else:
        _psql(f"CREATE DATABASE {PG_BENCH_DB}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        "--scale",
        str(args.scale),
        "--sizes",
        ",".join(map(str, args.sizes)),
        "--repeat",
        str(args.repeat),
        "--seed",
        str(args.seed),
        *(["--profile"] if args.profile else []),
        *(["--compare-gc"] if args.compare_gc else []),
        "--workdir",
        workdir,
    ]
    try:
        proc = subprocess.run(  # noqa: S603 - our own script
            cmd, env=env, stdout=subprocess.PIPE, text=True, check=False
        )
        if proc.returncode != 0:
            raise SystemExit(f"{db} benchmark failed (exit {proc.returncode})")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if db == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def print_result(r: dict) -> None:
    print(
        f"{r['db']}: {r['standards']:,} standards ({r['replaced']:,} replaced), "
        f"import {r['import_s']} s; load at the end of the runs "
        f"{' '.join(map(str, r['load']))}"
    )
    for run in r["runs"]:
        print(
            f"  {run['lines']:>5} lines: best {run['best_s']:.3f} s, median "
            f"{run['median_s']:.3f} s ({run['ms_per_line']:.3f} ms/line), CPU "
            f"{run['cpu_median_s']:.3f} s {run['summary']}"
        )
        if "gc_on_median_s" in run:
            print(
                f"        same lists, collector running (before): median "
                f"{run['gc_on_median_s']:.3f} s, CPU {run['gc_on_cpu_median_s']:.3f} s"
            )
    big = max(r["runs"], key=lambda run: run["lines"])
    if big["lines"] == 5000:
        verdict = "meets" if big["median_s"] < 2 else "misses"
        print(f"  target 5,000 lines < 2 s: {verdict} ({big['median_s']:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument(
        "--db", choices=["sqlite", "postgres", "both"], default="sqlite"
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[500, 1000, 5000],
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile", action="store_true", help="Profile one check (to stderr)."
    )
    parser.add_argument(
        "--compare-gc",
        action="store_true",
        help="Also check each list with the garbage collector running (as before).",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.worker:
        print(json.dumps(run_worker(args)))
        return
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{time.strftime('%H:%M:%S')} load average: {load} ({os.cpu_count()} cores)")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        print_result(run_child(db, args))


if __name__ == "__main__":
    main()

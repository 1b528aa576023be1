"""Benchmark the served platform: pages and API under a bounded load.

Loads the demo into a temporary data directory of its own, serves it with
``qihub serve`` (gunicorn) on a free loopback port, and drives four requests
for a fixed time at each concurrency (1, 8, 32 by default), each client
thread on its own keep-alive connection:

* the standard page of a demo standard,
* the catalogue search page,
* the catalogue search API,
* a public declaration search.

Prints requests/s, p50 / p99 / max latency and errors per request kind and
concurrency, and the server's query count per request is bounded by tests
(``django_assert_max_num_queries``), not here.

Usage::

    .venv/bin/python bench/web.py                    # 20 s a run
    .venv/bin/python bench/web.py --seconds 5 --concurrency 1 8

Targets (issue 22): zero errors; at concurrency 8, >= 200 requests/s on the
standard page with p99 < 150 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QIHUB = [sys.executable, "-m", "qihub"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/catalog/standards/?q=GB")
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer in {timeout:.0f} s")


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept-Language": "en"})
    response = conn.getresponse()
    return response.status, response.read()


def _targets(port: int) -> dict[str, str]:
    status, body = _get(port, "/api/catalog/standards/?q=GB&page_size=1")
    if status != 200:
        raise SystemExit(f"the search API answered {status}")
    first = json.loads(body)["items"][0]
    return {
        "standard page": f"/catalog/standards/{first['id']}/",
        "search page": "/catalog/?" + urllib.parse.urlencode({"q": "食品"}),
        "search API": "/api/catalog/standards/?"
        + urllib.parse.urlencode({"q": "食品"}),
        "declaration search": "/declarations/?" + urllib.parse.urlencode({"q": "婴儿"}),
    }


def _drive(port: int, path: str, concurrency: int, seconds: float) -> dict:
    stop = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "en"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[slot] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except OSError:
                errors[slot] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies[slot].append((time.perf_counter() - t0) * 1000)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for ts in latencies for t in ts)
    if not every:
        return {"requests": 0, "errors": sum(errors)}
    return {
        "requests": len(every),
        "rps": len(every) / elapsed,
        "p50": statistics.median(every),
        "p99": every[min(len(every) - 1, int(len(every) * 0.99))],
        "max": every[-1],
        "errors": sum(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="qihub-bench-web-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "QIHUB_TESTING"}
    }
    env.update(QIHUB_DATA_DIR=str(data), QIHUB_LANGUAGE="en")
    port = _free_port()
    server = None
    try:
        t0 = time.perf_counter()
        subprocess.run(  # noqa: S603 (our own command, fixed arguments)
            [*QIHUB, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT
        )
        subprocess.run(  # noqa: S603 (our own command, fixed arguments)
            [*QIHUB, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
        print(f"demo loaded in {time.perf_counter() - t0:.0f} s ({data})")
        server = subprocess.Popen(  # noqa: S603
            [
                *QIHUB,
                "serve",
                "--no-migrate",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(port)
        targets = _targets(port)
        for path in targets.values():  # warm caches and each worker's jieba
            for _ in range(4 * args.workers):
                _get(port, path)
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, "
            f"{args.seconds:.0f} s a run, load {os.getloadavg()[0]:.1f} at start"
        )
        print(
            f"{'request':20s} {'conc':>4s} {'req/s':>8s} {'p50 ms':>8s} "
            f"{'p99 ms':>8s} {'max ms':>8s} {'errors':>6s}"
        )
        for name, path in targets.items():
            for concurrency in args.concurrency:
                r = _drive(port, path, concurrency, args.seconds)
                if not r["requests"]:
                    print(
                        f"{name:20s} {concurrency:4d} no answer, {r['errors']} errors"
                    )
                    continue
                print(
                    f"{name:20s} {concurrency:4d} {r['rps']:8.1f} {r['p50']:8.1f} "
                    f"{r['p99']:8.1f} {r['max']:8.1f} {r['errors']:6d}"
                )
        print(f"load {os.getloadavg()[0]:.1f} at the end")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()

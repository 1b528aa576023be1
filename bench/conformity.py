"""Conformity benchmark: capability search, verification and bulk report
evaluation on a large synthetic data set.

    .venv/bin/python bench/conformity.py [--scale 0.01] [--requests 300] [--seed 7]

``--scale 1`` is the issue's target: 100,000 bodies, 5,000,000 scope lines,
10,000,000 reports, 2,000,000 certificates; ``--scale 0.01`` a hundredth.
Rows are written with ``bulk_create`` into a scratch SQLite file. Timed:

* ``GET /api/conformity/capabilities`` (parameter + standard + region), p50/p95;
* ``GET /api/conformity/verify?number=`` single, p50/p95;
* ``POST /api/conformity/verify`` with 100 numbers (some unknown, some
  malformed), p50/p95;
* bulk evaluation of reports' results (formaldehyde, pH, lead per report; 10 %
  in another unit) with the engine's columnar path ``evaluate_columns``
  against GB 31701-like requirements, reports per second.

Targets: capability p95 < 50 ms, single verification p95 < 10 ms, bulk-100
p95 < 50 ms, evaluation >= 20,000 reports/s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BATCH = 5000


def setup_django() -> None:
    tmp = tempfile.mkdtemp(prefix="qihub-bench-conformity-")
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.QIHUB_CONFORMITY_VERIFY_LIMIT = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def _check(ok: bool, what) -> None:
    if not ok:
        raise RuntimeError(str(what)[:2000])


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def build(scale: float, rng: random.Random) -> dict:
    from qihub.catalog.identifiers import parse
    from qihub.catalog.models import Standard
    from qihub.conformity.models import Certificate, Scheme, ScopeLine, TestReport
    from qihub.organisations.models import Designation, Organisation, Region
    from qihub.requirements.services import parameters_load

    parameters_load()
    n_bodies = max(100, int(100_000 * scale))
    n_lines = max(1000, int(5_000_000 * scale))
    n_reports = max(1000, int(10_000_000 * scale))
    n_certs = max(1000, int(2_000_000 * scale))
    t0 = time.perf_counter()
    stds = []
    for i in range(2000):
        ident = parse(f"GB/T {30000 + i}-20{10 + i % 15}")
        stds.append(
            Standard(
                identifier=ident.canonical,
                ident_key=ident.key,
                base_key=ident.base_key,
                prefix=ident.prefix,
                number=ident.number,
                year=ident.year,
                level=ident.level,
                nature=ident.nature,
                status="in_force" if i % 10 else "replaced",
            )
        )
    Standard.objects.bulk_create(stds, batch_size=BATCH)
    std_ids = list(Standard.objects.values_list("pk", "identifier"))
    regions = list(Region.objects.values_list("code", flat=True)[:300]) or [None]
    orgs = [
        Organisation(
            kind="testing_body",
            name_zh=f"检验所{i:06d}",
            name_key=f"bench-body-{i}",
            region_id=regions[i % len(regions)],
        )
        for i in range(n_bodies)
    ]
    Organisation.objects.bulk_create(orgs, batch_size=BATCH)
    body_ids = list(
        Organisation.objects.filter(kind="testing_body").values_list("pk", flat=True)
    )
    Designation.objects.bulk_create(
        [
            Designation(
                organisation_id=b,
                kind="accredited_body",
                number=f"CNAS L{b}",
                valid_from=datetime.date(2020, 1, 1),
            )
            for b in body_ids
        ],
        batch_size=BATCH,
    )
    params = ["formaldehyde", "ph", "lead", "cadmium", "azo-dyes", "odour"] + [
        f"param-{i}" for i in range(200)
    ]
    objects = ["婴幼儿纺织产品", "纺织产品", "食品", "玩具", "电线电缆", "家具"]
    buf = []
    for i in range(n_lines):
        std_id, _ident = std_ids[rng.randrange(len(std_ids))]
        obj = objects[i % len(objects)]
        buf.append(
            ScopeLine(
                body_id=body_ids[rng.randrange(len(body_ids))],
                object_name=obj,
                object_key=obj,
                parameter_name_zh=params[i % len(params)],
                parameter_key=params[rng.randrange(len(params))],
                unit="mg/kg",
                standard_id=std_id,
                standard_text=_ident,
                clause=str(rng.randrange(1, 9)),
            )
        )
        if len(buf) >= BATCH:
            ScopeLine.objects.bulk_create(buf)
            buf = []
    ScopeLine.objects.bulk_create(buf)
    buf = []
    for i in range(n_reports):
        buf.append(
            TestReport(
                number=f"R{i:09d}",
                body_id=body_ids[i % len(body_ids)],
                product="婴儿连体服",
                conclusion="pass",
                status="issued" if i % 50 else "revoked",
                issued_on=datetime.date(2025, 1, 1),
            )
        )
        if len(buf) >= BATCH:
            TestReport.objects.bulk_create(buf)
            buf = []
    TestReport.objects.bulk_create(buf)
    cb = Organisation.objects.create(
        kind="certification_body", name_zh="认证中心", name_key="bench-cb"
    )
    scheme = Scheme.objects.create(code="BENCH")
    buf = []
    for i in range(n_certs):
        buf.append(
            Certificate(
                number=f"C{i:09d}",
                scheme=scheme,
                body=cb,
                holder_id=body_ids[i % len(body_ids)],
                products="婴儿连体服",
                standard_id=std_ids[i % len(std_ids)][0],
                valid_from=datetime.date(2024, 1, 1),
                valid_until=datetime.date(2027, 1, 1),
                status=["valid", "valid", "valid", "suspended", "withdrawn"][i % 5],
            )
        )
        if len(buf) >= BATCH:
            Certificate.objects.bulk_create(buf)
            buf = []
    Certificate.objects.bulk_create(buf)
    return {
        "bodies": n_bodies,
        "scope_lines": n_lines,
        "reports": n_reports,
        "certificates": n_certs,
        "build_s": time.perf_counter() - t0,
        "std_ids": std_ids,
        "params": params,
        "regions": regions,
    }


def bench_api(data: dict, n: int, rng: random.Random) -> dict:
    from django.test import Client

    client = Client()
    out = {}
    times = []
    for _ in range(n):
        _sid, ident = data["std_ids"][rng.randrange(len(data["std_ids"]))]
        param = data["params"][rng.randrange(len(data["params"]))]
        region = data["regions"][rng.randrange(len(data["regions"]))] or ""
        t = time.perf_counter()
        r = client.get(
            "/api/conformity/capabilities",
            {"parameter": param, "standard": ident, "region": region[:2]},
        )
        times.append(time.perf_counter() - t)
        _check(r.status_code == 200, r.content)
    out["capabilities"] = times
    times = []
    for _ in range(n):
        number = (
            f"C{rng.randrange(data['certificates']):09d}"
            if rng.random() < 0.5
            else f"R{rng.randrange(data['reports']):09d}"
        )
        t = time.perf_counter()
        r = client.get("/api/conformity/verify", {"number": number})
        times.append(time.perf_counter() - t)
        _check(r.status_code == 200, r.content)
    out["verify"] = times
    times = []
    for _ in range(max(20, n // 3)):
        numbers = []
        for j in range(100):
            if j % 20 == 0:
                numbers.append("??bad")
            elif j % 10 == 0:
                numbers.append(f"X{rng.randrange(10**8)}")
            elif j % 2:
                numbers.append(f"C{rng.randrange(data['certificates']):09d}")
            else:
                numbers.append(f"R{rng.randrange(data['reports']):09d}")
        body = json.dumps({"numbers": numbers})
        t = time.perf_counter()
        r = client.post("/api/conformity/verify", body, content_type="application/json")
        times.append(time.perf_counter() - t)
        _check(r.status_code == 200, r.content)
        _check(len(r.json()["results"]) == 100, "bulk answer incomplete")
    out["bulk"] = times
    return out


def bench_evaluation(n_reports: int, rng: random.Random) -> dict:
    import numpy as np

    from qihub.requirements.checks import RequirementSpec, evaluate_columns
    from qihub.requirements.models import _dec

    specs = [
        RequirementSpec("formaldehyde", "<=", _dec(20), unit="mg/kg"),
        RequirementSpec("ph", "range", _dec(4), _dec(7.5)),
        RequirementSpec("lead", "<=", _dec(90), unit="mg/kg"),
    ]
    chunk = 1_000_000
    done = 0
    fails = 0
    t = time.perf_counter()
    nrng = np.random.default_rng(rng.randrange(10**6))
    while done < n_reports:
        m = min(chunk, n_reports - done)
        columns = {
            "formaldehyde": (nrng.uniform(0, 40, m), "mg/kg"),
            "ph": (nrng.uniform(3, 9, m), ""),
            "lead": (nrng.uniform(0, 0.2, m), "g/kg"),
        }
        result = evaluate_columns(columns, specs)
        fails += int((result.outcomes == 1).any(axis=1).sum())
        done += m
    elapsed = time.perf_counter() - t
    return {
        "reports": done,
        "seconds": elapsed,
        "per_s": done / elapsed,
        "failing": fails,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print("load:", os.getloadavg())
    setup_django()
    data = build(args.scale, rng)
    print(
        f"scale {args.scale}: {data['bodies']:,} bodies, {data['scope_lines']:,} scope "
        f"lines, {data['reports']:,} reports, {data['certificates']:,} certificates "
        f"(built in {data['build_s']:.0f} s)"
    )
    api = bench_api(data, args.requests, rng)
    for name, target in (("capabilities", 50), ("verify", 10), ("bulk", 50)):
        times = api[name]
        print(
            f"{name:>13}: n={len(times)} p50 {pct(times, 0.5):.1f} ms  "
            f"p95 {pct(times, 0.95):.1f} ms  (target p95 < {target} ms)  "
            f"mean {statistics.mean(times) * 1000:.1f} ms"
        )
    ev = bench_evaluation(max(1_000_000, data["reports"]), rng)
    print(
        f"   evaluation: {ev['reports']:,} reports in {ev['seconds']:.2f} s = "
        f"{ev['per_s']:,.0f} reports/s (target >= 20,000); {ev['failing']:,} failing"
    )
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()

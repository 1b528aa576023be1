"""Check-engine benchmark: bulk product checks and the single-product check API.

    .venv/bin/python bench/checks.py [--products 1000000] [--standards 50]
                                     [--requirements 2000] [--params 20]
                                     [--api-requests 1000] [--db sqlite|postgres]
                                     [--seed 7]

Bulk mode: N synthetic product records with ~``--params`` parameter values
each (mostly in the requirement's unit, 10 % in another convertible unit such
as µg/kg or %, some missing or in a wrong unit) are checked against their
product category's standard, one of ``--standards`` synthetic standards
holding ``--requirements`` requirements in all (several classes per parameter,
conditions, ranges, yes/no). Products are generated in batches per standard
and only ``evaluate_bulk`` is timed (requirements compiled once per standard,
compilation included). Prints product checks per second and per-requirement
evaluations per second. Columnar mode (``evaluate_columns``) checks the same
shape of data held as numpy columns.

API: the same standards and requirements are written to a scratch database (a
temporary SQLite file, or a PostgreSQL database ``qihub_bench_checks_<pid>_<time>`` that is
created and dropped), then ``--api-requests`` POSTs to
``/api/requirements/check`` go through Django's test client; p50/p95/p99.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
#: Named per run: a benchmark creates its own database and drops only that
#: one, never one another run or person made.
PG_BENCH_DB = f"qihub_bench_checks_{os.getpid()}_{int(time.time())}"

# (parameter key, unit of the limit, another unit products may use, factor to it,
#  typical limit)
NUMERIC = [
    ("formaldehyde", "mg/kg", "µg/kg", 1000, 75),
    ("lead", "mg/kg", "µg/kg", 1000, 0.2),
    ("cadmium", "mg/kg", "µg/kg", 1000, 0.1),
    ("mercury", "mg/kg", "µg/kg", 1000, 0.02),
    ("arsenic", "mg/kg", "ppm", 1, 0.5),
    ("inorganic_arsenic", "mg/kg", "µg/kg", 1000, 0.2),
    ("tin", "mg/kg", "g/kg", 0.001, 250),
    ("chromium", "mg/kg", "µg/kg", 1000, 1.0),
    ("nitrite", "mg/kg", "ppm", 1, 20),
    ("benzo_a_pyrene", "μg/kg", "mg/kg", 0.001, 5),
    ("aflatoxin_b1", "μg/kg", "mg/kg", 0.001, 10),
    ("aflatoxin_m1", "μg/kg", "mg/kg", 0.001, 0.5),
    ("deoxynivalenol", "μg/kg", "mg/kg", 0.001, 1000),
    ("zearalenone", "μg/kg", "mg/kg", 0.001, 60),
    ("ochratoxin_a", "μg/kg", "mg/kg", 0.001, 5),
    ("moisture", "%", "g/kg", 10, 14.5),
    ("phthalates", "%", "mg/kg", 10000, 0.1),
    ("lead_total", "mg/kg", "%", 0.0001, 90),
    ("cadmium_total", "mg/kg", "%", 0.0001, 100),
    ("cord_length", "mm", "cm", 0.1, 140),
    ("wall_thickness", "mm", "µm", 1000, 0.038),
    ("attachment_strength", "N", "kN", 0.001, 70),
    ("voltage", "V", "mV", 1000, 24),
    ("surface_temperature", "℃", "K", None, 60),
    ("sound_pressure_level", "dB", "dB", 1, 80),
    ("overall_migration", "mg/dm^2", "mg/cm^2", 0.01, 10),
]
RANGES = [("ph", "", 4.0, 7.5)]
BOOLS = ["odour", "small_parts", "sharp_edges", "decolourisation"]
CLASSES = ("A", "B", "C")


def build_requirements(n_standards: int, n_requirements: int, n_params: int, rng):
    """Synthetic standards: {standard index: [RequirementSpec]} and the
    parameters each standard's products carry."""
    from qihub.requirements.checks import RequirementSpec

    per_standard = max(1, n_requirements // n_standards)
    standards = {}
    for s in range(n_standards):
        chosen = rng.sample(NUMERIC, k=min(len(NUMERIC), max(1, n_params - 3)))
        specs: list = []
        params = []
        for key, unit, _alt, _f, limit in chosen:
            params.append(key)
            if len(specs) >= per_standard:
                break
            if rng.random() < 0.5:
                # class-graded limits, like GB 18401's A/B/C
                for i, cls in enumerate(CLASSES):
                    value = Decimal(str(round(limit * (1 + i), 4)))
                    op = (
                        ">="
                        if key in ("attachment_strength", "wall_thickness")
                        else "<="
                    )
                    specs.append(
                        RequirementSpec(
                            key, op, value, unit=unit, conditions={"class": cls}
                        )
                    )
            else:
                specs.append(RequirementSpec(key, "<=", Decimal(str(limit)), unit=unit))
        key, unit, lo, hi = RANGES[0]
        params.append(key)
        specs.append(
            RequirementSpec(key, "range", Decimal(str(lo)), Decimal(str(hi)), unit=unit)
        )
        for key in BOOLS[:2]:
            params.append(key)
            specs.append(RequirementSpec(key, "bool", Decimal(0)))
        while len(specs) < per_standard:
            key, unit, _alt, _f, limit = rng.choice(NUMERIC)
            specs.append(
                RequirementSpec(
                    key,
                    "<",
                    Decimal(str(limit * 2)),
                    unit=unit,
                    kind=rng.choice(["shall", "should"]),
                )
            )
            if key not in params:
                params.append(key)
        standards[s] = (specs[:per_standard], params[:n_params])
    return standards


def _value(key: str, rng) -> tuple:
    for k, unit, alt, factor, limit in NUMERIC:
        if k == key:
            x = limit * rng.uniform(0.2, 1.05)
            r = rng.random()
            if r < 0.01:
                return (x, "furlong")  # cannot be converted: never a pass
            if r < 0.11 and factor is not None:
                return (x * factor, alt)
            return (x, unit)
    if key == "ph":
        return (rng.uniform(3.5, 9.0), "")
    return (rng.random() < 0.1, "")


def make_products(params: list[str], n: int, rng) -> list[dict]:
    products = []
    for _ in range(n):
        product = {}
        for key in params:
            if rng.random() < 0.01:
                continue  # missing value
            product[key] = _value(key, rng)
        products.append(product)
    return products


def bench_bulk(args, standards, rng) -> dict:
    from qihub.requirements.checks import CompiledRequirements, evaluate_bulk

    per_standard = args.products // len(standards)
    batch = 50_000
    elapsed = 0.0
    cpu = 0.0
    checked = 0
    evaluations = 0
    verdicts = {"pass": 0, "fail": 0, "not_applicable": 0, "cannot_evaluate": 0}
    for s, (specs, params) in standards.items():
        remaining = per_standard + (args.products % len(standards) if s == 0 else 0)
        t0, c0 = time.perf_counter(), time.process_time()
        compiled = CompiledRequirements(specs)
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        while remaining > 0:
            n = min(batch, remaining)
            products = make_products(params, n, rng)
            conditions = [{"class": CLASSES[i % 3]} for i in range(n)]
            t0, c0 = time.perf_counter(), time.process_time()
            result = evaluate_bulk(products, compiled, conditions)
            elapsed += time.perf_counter() - t0
            cpu += time.process_time() - c0
            for k, v in result.verdict_counts.items():
                verdicts[k] += v
            checked += n
            evaluations += result.outcomes.size
            remaining -= n
    return {
        "products": checked,
        "seconds": elapsed,
        "products_per_s": checked / elapsed,
        "cpu_seconds": cpu,
        "products_per_cpu_s": checked / cpu,
        "evaluations_per_s": evaluations / elapsed,
        "verdicts": verdicts,
    }


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def bench_columns(args, standards, seed: int) -> dict:
    """Columnar mode: the same shape of data as numpy columns (one unit per
    column, a tenth of the columns in another convertible unit)."""
    import numpy as np

    from qihub.requirements.checks import CompiledRequirements, evaluate_columns

    gen = np.random.default_rng(seed)
    per_standard = args.products // len(standards)
    limits = {k: (unit, alt, f, limit) for k, unit, alt, f, limit in NUMERIC}
    elapsed = cpu = 0.0
    checked = 0
    conditions = None
    for s, (specs, params) in standards.items():
        n = per_standard + (args.products % len(standards) if s == 0 else 0)
        columns = {}
        for key in params:
            if key in limits:
                unit, alt, f, limit = limits[key]
                values = limit * gen.uniform(0.2, 1.05, n)
                if f is not None and gen.random() < 0.1:
                    values, unit = values * f, alt
            elif key == "ph":
                values, unit = gen.uniform(3.5, 9.0, n), ""
            else:
                values, unit = (gen.random(n) < 0.1).astype(float), ""
            values[gen.random(n) < 0.01] = np.nan
            columns[key] = (values, unit)
        if conditions is None or len(conditions) != n:
            conditions = [{"class": CLASSES[i % 3]} for i in range(n)]
        t0, c0 = time.perf_counter(), time.process_time()
        evaluate_columns(columns, CompiledRequirements(specs), conditions)
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        checked += n
    return {
        "products": checked,
        "seconds": elapsed,
        "products_per_s": checked / elapsed,
        "products_per_cpu_s": checked / cpu,
    }


def setup_django(db: str) -> str:
    tmp = tempfile.mkdtemp(prefix="qihub-bench-checks-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # however it ends
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ["QIHUB_MEDIA_ROOT"] = str(Path(tmp) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    if db == "postgres":
        _psql(f"CREATE DATABASE {PG_BENCH_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp


def load_database(standards) -> list[str]:
    from qihub.catalog.models import Standard
    from qihub.requirements.models import Parameter, Requirement
    from qihub.requirements.services import parameters_load

    parameters_load()
    params = {p.key: p for p in Parameter.objects.all()}
    identifiers = []
    rows = []
    for s in standards:
        ident = f"GB {40000 + s}-2024"
        identifiers.append(ident)
        rows.append(
            Standard(
                identifier=ident,
                ident_key=ident.replace(" ", ""),
                base_key=f"GB{40000 + s}",
                prefix="GB",
                number=str(40000 + s),
                year=2024,
                level="national",
                nature="mandatory",
                status="in_force",
                title_zh=f"基准标准 {s}",
            )
        )
    Standard.objects.bulk_create(rows)
    by_ident = {
        st.identifier: st for st in Standard.objects.filter(identifier__in=identifiers)
    }
    reqs = []
    for s, (specs, _params) in standards.items():
        std = by_ident[identifiers[s]]
        for spec in specs:
            reqs.append(
                Requirement(
                    standard=std,
                    parameter=params[spec.parameter],
                    operator=spec.operator,
                    value=spec.value,
                    upper=spec.upper,
                    unit=spec.unit,
                    conditions=dict(spec.conditions),
                    kind=spec.kind,
                    status="confirmed",
                )
            )
    Requirement.objects.bulk_create(reqs, batch_size=1000)
    return identifiers


def bench_api(args, standards, identifiers, rng) -> dict:
    from django.test import Client

    client = Client()
    timings = []
    failures = 0
    for i in range(args.api_requests + 20):
        s = rng.randrange(len(identifiers))
        _specs, params = standards[s]
        product = make_products(params, 1, rng)[0]
        body = {
            "standards": [identifiers[s]],
            "values": {k: {"value": v, "unit": u} for k, (v, u) in product.items()},
            "conditions": {"class": rng.choice(CLASSES)},
        }
        t0 = time.perf_counter()
        response = client.post(
            "/api/requirements/check", body, content_type="application/json"
        )
        dt = time.perf_counter() - t0
        if response.status_code != 200:
            failures += 1
        if i >= 20:  # warm-up
            timings.append(dt * 1000)
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))]

    return {
        "requests": len(timings),
        "failures": failures,
        "p50_ms": statistics.median(timings),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--standards", type=int, default=50)
    parser.add_argument("--requirements", type=int, default=2000)
    parser.add_argument("--params", type=int, default=20)
    parser.add_argument("--api-requests", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    rng = random.Random(args.seed)
    setup_django(args.db)
    standards = build_requirements(args.standards, args.requirements, args.params, rng)
    n_req = sum(len(specs) for specs, _p in standards.values())
    avg_params = statistics.mean(len(p) for _s, p in standards.values())
    print(
        f"data: {args.products:,} products x ~{avg_params:.0f} parameters, "
        f"{args.standards} standards, {n_req:,} requirements"
    )
    bulk = bench_bulk(args, standards, rng)
    print(
        f"bulk: {bulk['products']:,} product checks in {bulk['seconds']:.2f} s = "
        f"{bulk['products_per_s']:,.0f} products/s wall-clock, "
        f"{bulk['products_per_cpu_s']:,.0f} products per CPU-second "
        f"({bulk['evaluations_per_s']:,.0f} requirement evaluations/s); verdicts {bulk['verdicts']}"
    )
    cols = bench_columns(args, standards, args.seed)
    print(
        f"columns: {cols['products']:,} product checks in {cols['seconds']:.2f} s = "
        f"{cols['products_per_s']:,.0f} products/s wall-clock, "
        f"{cols['products_per_cpu_s']:,.0f} products per CPU-second"
    )
    identifiers = load_database(standards)
    api = bench_api(args, standards, identifiers, rng)
    print(
        f"api ({args.db}): {api['requests']} single-product checks, "
        f"p50 {api['p50_ms']:.1f} ms, p95 {api['p95_ms']:.1f} ms, p99 {api['p99_ms']:.1f} ms, "
        f"{api['failures']} failures"
    )
    if args.db == "postgres":
        from django.db import connections

        connections.close_all()
        _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")


if __name__ == "__main__":
    main()

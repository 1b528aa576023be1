"""Benchmark for programmes: dashboard from snapshots, a month of indicators
for 300 regions, the annual statistics report.

Builds a synthetic data set in its own database (a SQLite file in
``$QIHUB_BENCH_DIR``, default ``<tmp>/qihub-bench-programmes/``, unless
``DATABASE_URL`` is set): at ``--scale 1`` 1M standards (30% with a drafting
unit), 3M self-declarations, 1M instruments (80% with a verification),
20,000 organisations spread over the GB/T 2260 divisions. Then it measures

* the programme dashboard (the page, as a browser gets it) p50/p95 over
  ``--requests`` requests, drawn from snapshots of 300 regions x 12 months;
* computing every computed indicator for one month for 300 regions
  (``services.snapshots_compute``), and
* exporting the annual statistics report as XLSX.

Targets: dashboard p95 < 200 ms; 300 regions < 60 s; report < 30 s.

Usage::

    .venv/bin/python bench/programmes.py --scale 0.1        # quick
    .venv/bin/python bench/programmes.py --scale 1          # the issue's sizes

The data set is kept between runs for the same scale (``--rebuild``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DAY = datetime.date(2026, 11, 30)


def _setup(args) -> None:
    if "DATABASE_URL" not in os.environ:
        default = Path(tempfile.gettempdir()) / f"qihub-bench-programmes-{args.scale:g}"
        data = Path(os.environ.get("QIHUB_BENCH_DIR", default))
        data.mkdir(parents=True, exist_ok=True)
        if args.rebuild:
            for f in data.glob("qihub.sqlite3*"):
                f.unlink()
        os.environ["QIHUB_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    os.environ.setdefault("QIHUB_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _t(label: str, started: float) -> float:
    now = time.monotonic()
    print(f"  {label}: {now - started:.1f} s", flush=True)
    return now


def build(scale: float, seed: int = 1) -> None:
    from django.db import transaction

    from qihub.catalog.models import Standard, StandardDraftingUnit
    from qihub.declarations.models import Declaration, Enterprise
    from qihub.metrology.models import CalibrationEvent, Instrument, Laboratory
    from qihub.organisations.models import Organisation, Region

    if Standard.objects.exists():
        print("data set already built (--rebuild to start again)")
        return
    rng = random.Random(seed)
    n_org, n_std = int(20_000 * scale) or 100, int(1_000_000 * scale)
    n_decl, n_inst = int(3_000_000 * scale), int(1_000_000 * scale)
    counties = list(
        Region.objects.filter(level="county").values_list("code", flat=True)
    )
    cities = dict(Region.objects.filter(level="city").values_list("code", "name_zh"))
    started = time.monotonic()
    print(
        f"building: {n_org} organisations, {n_std} standards, {n_decl} declarations, {n_inst} instruments"
    )
    with transaction.atomic():
        Organisation.objects.bulk_create(
            [
                Organisation(
                    name_zh=f"合成单位{i}",
                    name_key=f"合成单位{i}",
                    kind="enterprise",
                    region_id=rng.choice(counties),
                )
                for i in range(n_org)
            ],
            batch_size=2000,
        )
    org_ids = list(Organisation.objects.values_list("id", flat=True))
    org_region = dict(Organisation.objects.values_list("id", "region_id"))
    started = _t("organisations", started)
    levels = (
        ["national"] * 3
        + ["industry"] * 3
        + ["local"] * 2
        + ["group"] * 2
        + ["international"]
    )
    statuses = ["in_force"] * 7 + ["withdrawn", "replaced", "to_be_implemented"]
    batch = 20_000
    for lo in range(0, n_std, batch):
        with transaction.atomic():
            rows = []
            for i in range(lo, min(lo + batch, n_std)):
                year = rng.randint(1990, 2026)
                ident = f"SYN/T {i}-{year}"
                rows.append(
                    Standard(
                        identifier=ident,
                        ident_key=ident.replace(" ", ""),
                        base_key=f"SYN/T{i}",
                        prefix="SYN/T",
                        number=str(i),
                        year=year,
                        level=rng.choice(levels),
                        nature="recommended",
                        status=rng.choice(statuses),
                        issued_on=datetime.date(year, rng.randint(1, 12), 1),
                        issuing_body=f"团体{rng.randint(1, 300)}",
                    )
                )
            Standard.objects.bulk_create(rows, batch_size=2000)
            ids = [s.pk for s in rows]
            StandardDraftingUnit.objects.bulk_create(
                [
                    StandardDraftingUnit(
                        standard_id=pk, organisation_id=rng.choice(org_ids), position=1
                    )
                    for pk in ids
                    if rng.random() < 0.3
                ],
                batch_size=2000,
            )
    started = _t("standards and drafting units", started)
    with transaction.atomic():
        ent_orgs = org_ids[: max(1, len(org_ids) // 2)]
        Enterprise.objects.bulk_create(
            [Enterprise(organisation_id=o, industry="电子") for o in ent_orgs],
            batch_size=2000,
        )
    ents = list(Enterprise.objects.values_list("id", "organisation_id"))
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for lo in range(0, n_decl, batch):
        with transaction.atomic():
            rows = []
            for _i in range(lo, min(lo + batch, n_decl)):
                eid, oid = rng.choice(ents)
                rows.append(
                    Declaration(
                        enterprise_id=eid,
                        status="published",
                        region=org_region[oid],
                        product_name="产品",
                        published_at=now
                        - datetime.timedelta(days=rng.randint(0, 3000)),
                    )
                )
            Declaration.objects.bulk_create(rows, batch_size=2000)
    started = _t("declarations", started)
    lab_org = org_ids[0]
    lab = Laboratory.objects.create(
        organisation_id=lab_org, code="SYN-LAB", name="合成实验室"
    )
    city_names = list(cities.values())
    for lo in range(0, n_inst, batch):
        with transaction.atomic():
            rows = [
                Instrument(
                    code=f"SYN-{i}",
                    name="衡器",
                    use="trade",
                    quantity="mass",
                    unit="kg",
                    region=rng.choice(city_names),
                    registered_on=datetime.date(2020, 1, 1),
                    requires_verification=True,
                )
                for i in range(lo, min(lo + batch, n_inst))
            ]
            Instrument.objects.bulk_create(rows, batch_size=2000)
            CalibrationEvent.objects.bulk_create(
                [
                    CalibrationEvent(
                        instrument_id=inst.pk,
                        certificate_number=f"SYN-C-{inst.pk}",
                        kind="verification",
                        conformity="pass",
                        laboratory=lab,
                        performed_on=datetime.date(2026, rng.randint(1, 10), 1),
                        valid_until=datetime.date(2027, 6, 30),
                        quantity="mass",
                        unit="kg",
                        expanded_uncertainty=0.01,
                    )
                    for inst in rows
                    if rng.random() < 0.8
                ],
                batch_size=2000,
            )
    _t("instruments and verifications", started)


def regions300() -> list[str]:
    from qihub.organisations.models import Region

    provinces = list(
        Region.objects.filter(level="province").values_list("code", flat=True)
    )
    cities = list(Region.objects.filter(level="city").values_list("code", flat=True))
    return (provinces + cities)[:300]


def ensure_programme():
    import datetime as dt

    from qihub.organisations import services as org_services
    from qihub.organisations.models import Region
    from qihub.programmes import indicators, services
    from qihub.programmes.models import Programme

    prog = Programme.objects.first()
    if prog is not None:
        return prog
    org, _ = org_services.organisation_find_or_create(
        actor=None, name="合成省市场监督管理局", kind="government", region="510000"
    )
    prog = services.programme_create(
        actor=None,
        name_zh="合成规划",
        issuing_authority=org,
        region=Region.objects.get(code="510000"),
        starts_on=dt.date(2021, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    for slug, ind in indicators.REGISTRY.items():
        if not ind.reported:
            services.target_add(
                actor=None,
                programme=prog,
                indicator=slug,
                target_value=1000,
                unit=ind.unit,
                deadline=dt.date(2027, 12, 31),
            )
    return prog


def bench_compute() -> dict:
    from qihub.programmes import indicators, services

    slugs = [s for s, i in indicators.REGISTRY.items() if not i.reported]
    scopes = regions300()
    started = time.monotonic()
    per_slug: list[tuple[str, float]] = []
    last = [started]

    def progress(slug: str, _stored: int) -> None:
        now = time.monotonic()
        per_slug.append((slug, now - last[0]))
        last[0] = now

    n = services.snapshots_compute(
        month=DAY, scopes=scopes, slugs=slugs, progress=progress
    )
    took = time.monotonic() - started
    slowest = sorted(per_slug, key=lambda kv: -kv[1])[:8]
    print("  slowest indicators: " + ", ".join(f"{s} {t:.1f} s" for s, t in slowest))
    return {
        "regions": len(scopes),
        "indicators": len(slugs),
        "stored": n,
        "seconds": took,
    }


def seed_history(prog) -> None:
    """Eleven more months per region, copied from the computed one, so the
    dashboard draws twelve points (cheap: the dashboard only reads them)."""
    from qihub.programmes.models import Snapshot

    base = list(Snapshot.objects.filter(month=DAY.replace(day=1)))
    rows = []
    month = DAY.replace(day=1)
    for k in range(1, 12):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        for s in base:
            rows.append(
                Snapshot(
                    indicator=s.indicator,
                    scope=s.scope,
                    month=month,
                    value=None if s.value is None else s.value * (1 - 0.02 * k),
                )
            )
    Snapshot.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def bench_dashboard(prog, n: int) -> dict:
    from django.test import Client

    client = Client(headers={"accept-language": "en"})
    times = []
    url = prog.get_absolute_url()
    for i in range(n):
        started = time.monotonic()
        r = client.get(url if i % 2 == 0 else url + "?scope=510100")
        times.append((time.monotonic() - started) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"dashboard answered {r.status_code}")
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
    }


def bench_report() -> dict:
    from qihub.programmes.reports import statistics_report

    started = time.monotonic()
    data = statistics_report(year=2026, fmt="xlsx")
    return {"seconds": time.monotonic() - started, "bytes": len(data)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    _setup(args)
    from django.db import connection

    print(f"database: {connection.vendor}; load: {os.getloadavg()}")
    build(args.scale)
    prog = ensure_programme()
    c = bench_compute()
    print(
        f"compute one month: {c['regions']} regions x {c['indicators']} indicators "
        f"= {c['stored']} values in {c['seconds']:.1f} s (target < 60 s)"
    )
    seed_history(prog)
    d = bench_dashboard(prog, args.requests)
    print(
        f"dashboard from snapshots: p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms, "
        f"max {d['max_ms']:.0f} ms (target p95 < 200 ms)"
    )
    r = bench_report()
    print(
        f"annual report xlsx: {r['seconds']:.1f} s, {r['bytes']} bytes (target < 30 s)"
    )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

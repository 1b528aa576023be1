"""Conformity benchmark: capability search, verification and bulk report
evaluation on a large synthetic data set.

    .venv/bin/python bench/conformity.py [--scale 0.01] [--requests 300] [--seed 7]

``--scale 1`` is the issue's target: 100,000 bodies, 5,000,000 scope lines,
10,000,000 reports, 2,000,000 certificates; ``--scale 0.01`` a hundredth.
Bodies and standards are written with ``bulk_create``; scope lines, reports
and certificates are generated inside the database (``INSERT ... SELECT`` over
``generate_series`` on PostgreSQL, a recursive CTE on SQLite) into a scratch
SQLite file or, with ``--database-url postgres://.../qh_conf_bench``, an empty
PostgreSQL database (migrated by the script). Timed:

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
import atexit
import datetime
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BATCH = 5000

#: The parameters the scope lines are spread over.
PARAMS = ["formaldehyde", "ph", "lead", "cadmium", "azo-dyes", "odour"] + [
    f"param-{i}" for i in range(200)
]


def setup_django(database_url: str = "", data_dir: str = "") -> None:
    tmp = data_dir or tempfile.mkdtemp(prefix="qihub-bench-conformity-")
    if not data_dir:  # ours: removed however the run ends
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    os.makedirs(tmp, exist_ok=True)
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
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


def _pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _contiguous(ids: list[int]) -> tuple[int, int]:
    lo, hi = min(ids), max(ids)
    _check(hi - lo + 1 == len(ids), "ids are not contiguous; use an empty database")
    return lo, len(ids)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _case(expr: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN {i} THEN {_quote(v)}" for i, v in enumerate(values))
    return f"(CASE {expr} {whens} END)"


def _as_text(expr: str) -> str:
    return f"CAST({expr} AS TEXT)" if not _pg() else f"({expr})::text"


def _numbered(prefix: str, expr: str) -> str:
    if _pg():
        return f"{_quote(prefix)} || to_char({expr}, 'FM000000000')"
    return f"printf('{prefix}%09d', {expr})"


def _insert_series(
    model,
    n: int,
    varying: dict[str, str],
    *,
    fixed: dict | None = None,
    randoms: dict[str, int] | None = None,
    chunk: int = 500_000,
) -> None:
    """Insert ``n`` rows of ``model`` with one ``INSERT ... SELECT`` per chunk
    over a number series ``i``: columns in ``varying`` are SQL expressions of
    ``i`` (and of the random integers named in ``randoms``, each below its
    bound); the others take ``fixed`` values or the field defaults."""
    from django.db import connection, transaction

    inst = model(**(fixed or {}))
    cols, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(connection.ops.quote_name(f.column))
        if f.column in varying:
            # Literal percent signs (modulo, printf) must survive the
            # placeholder substitution.
            exprs.append(varying[f.column].replace("%", "%%"))
            continue
        value = f.pre_save(inst, add=True)
        exprs.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    randoms = randoms or {}
    if _pg():
        rnd = {k: f"floor(random() * {m})::int AS {k}" for k, m in randoms.items()}
    else:
        rnd = {k: f"(abs(random()) % {m}) AS {k}" for k, m in randoms.items()}
    extra = "".join(", " + v.replace("%", "%%") for v in rnd.values())
    table = connection.ops.quote_name(model._meta.db_table)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk) - 1
        if _pg():
            series = f"SELECT i{extra} FROM generate_series({lo}, {hi}) AS g(i)"
            sql = (
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                f"FROM ({series}) q"
            )
        else:
            sql = (
                f"WITH RECURSIVE g(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM g "
                f"WHERE i < {hi}) INSERT INTO {table} ({', '.join(cols)}) "
                f"SELECT {', '.join(exprs)} FROM (SELECT i{extra} FROM g) q"
            )
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)


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
    params = PARAMS
    objects = ["婴幼儿纺织产品", "纺织产品", "食品", "玩具", "电线电缆", "家具"]
    # The big tables are generated inside the database (INSERT ... SELECT over
    # a number series), not row by row from Python.
    b0, nb = _contiguous(body_ids)
    s0, ns = _contiguous([pk for pk, _ident in std_ids])
    print(f"  bodies and standards in {time.perf_counter() - t0:.0f} s", flush=True)
    param_case = _case("k", params)
    object_case = _case("i % 6", objects)
    _insert_series(
        ScopeLine,
        n_lines,
        {
            "body_id": f"{b0} + b",
            "body_region": (
                "COALESCE((SELECT region_id FROM organisations_organisation WHERE id = "
                + f"{b0} + b), '')"
            ),
            "object_name": object_case,
            "object_key": object_case,
            "parameter_name_zh": param_case,
            "parameter_key": param_case,
            "standard_id": f"{s0} + s",
            "standard_text": (
                "(SELECT identifier FROM catalog_standard WHERE id = " + f"{s0} + s)"
            ),
            "clause": _as_text("1 + (i % 8)"),
        },
        fixed={"unit": "mg/kg"},
        randoms={"k": len(params), "b": nb, "s": ns},
    )
    print(f"  scope lines in {time.perf_counter() - t0:.0f} s", flush=True)
    _insert_series(
        TestReport,
        n_reports,
        {
            "number": _numbered("R", "i"),
            "body_id": f"{b0} + (i % {nb})",
            "status": "CASE WHEN i % 50 = 0 THEN 'revoked' ELSE 'issued' END",
        },
        fixed={
            "product": "婴儿连体服",
            "conclusion": "pass",
            "issued_on": datetime.date(2025, 1, 1),
        },
    )
    print(f"  reports in {time.perf_counter() - t0:.0f} s", flush=True)
    cb = Organisation.objects.create(
        kind="certification_body", name_zh="认证中心", name_key="bench-cb"
    )
    scheme = Scheme.objects.create(code="BENCH")
    _insert_series(
        Certificate,
        n_certs,
        {
            "number": _numbered("C", "i"),
            "holder_id": f"{b0} + (i % {nb})",
            "standard_id": f"{s0} + (i % {ns})",
            "status": _case(
                "i % 5", ["valid", "valid", "valid", "suspended", "withdrawn"]
            ),
        },
        fixed={
            "scheme_id": scheme.pk,
            "body_id": cb.pk,
            "products": "婴儿连体服",
            "valid_from": datetime.date(2024, 1, 1),
            "valid_until": datetime.date(2027, 1, 1),
        },
    )
    print(f"  certificates in {time.perf_counter() - t0:.0f} s", flush=True)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
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


def built() -> dict | None:
    """The data set a previous run built and kept (``--data-dir``), or None."""
    from qihub.catalog.models import Standard
    from qihub.conformity.models import Certificate, ScopeLine, TestReport
    from qihub.organisations.models import Organisation, Region

    if not ScopeLine.objects.exists():
        return None
    params = PARAMS
    return {
        "bodies": Organisation.objects.filter(kind="testing_body").count(),
        "scope_lines": ScopeLine.objects.count(),
        "reports": TestReport.objects.count(),
        "certificates": Certificate.objects.count(),
        "build_s": 0.0,
        "std_ids": list(Standard.objects.values_list("pk", "identifier")),
        "params": params,
        "regions": list(Region.objects.values_list("code", flat=True)[:300]) or [None],
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
    from qihub.requirements.models import decimal_normalised

    specs = [
        RequirementSpec("formaldehyde", "<=", decimal_normalised(20), unit="mg/kg"),
        RequirementSpec("ph", "range", decimal_normalised(4), decimal_normalised(7.5)),
        RequirementSpec("lead", "<=", decimal_normalised(90), unit="mg/kg"),
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
    ap.add_argument(
        "--database-url",
        default="",
        help="an empty database to fill (default: a scratch SQLite file)",
    )
    ap.add_argument(
        "--data-dir",
        default="",
        help="keep the SQLite data set here and reuse it on the next run",
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print("load:", os.getloadavg())
    setup_django(args.database_url, args.data_dir)
    data = (args.data_dir and built()) or build(args.scale, rng)
    print(
        f"{'reused data set' if not data['build_s'] else f'scale {args.scale}'}: "
        f"{data['bodies']:,} bodies, {data['scope_lines']:,} scope "
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

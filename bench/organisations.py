"""Benchmark: organisation search, organisation pages and network pages at scale.

Builds, in a database of its own (a temporary SQLite file, or a PostgreSQL
database named for this run; both removed at the end):

* ``--orgs`` organisations (1,000,000 by default) with realistic Chinese and
  English names (city, trade name, industry, legal form), a region and the
  search index of migration 0003;
* ``--standards`` standards (3,000,000) with one to three drafting units
  each; a fifth of them drafted by the members of one network;
* ``--declarations`` published self-declarations (2,000,000) of 200,000
  enterprises;
* one network of ``--members`` organisations (1,000).

Then, through Django's test client against the real views and API (no
server in between), it measures:

* ``GET /api/organisations/?q=`` over a mix of what people type: a trade
  name fragment, a full name, a city and an industry word, an English
  prefix, a fragment with a kind or region filter;
* an organisation page (``/organisations/<id>/``) with every domain's counts,
  for network members and for other organisations;
* the network page of ``--members`` members with their combined counts.

Targets (issue 14): search API p95 < 30 ms; an organisation page and a
network page of 1,000 members p95 < 100 ms.

Usage::

    .venv/bin/python bench/organisations.py                  # full size, SQLite
    .venv/bin/python bench/organisations.py --scale 0.1      # a tenth
    .venv/bin/python bench/organisations.py --scale 0.1 --db postgres
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT / "src"))

CITIES = [
    ("510700", "绵阳", "Mianyang"),
    ("510100", "成都", "Chengdu"),
    ("500000", "重庆", "Chongqing"),
    ("610100", "西安", "Xi'an"),
    ("220100", "长春", "Changchun"),
    ("440300", "深圳", "Shenzhen"),
    ("320500", "苏州", "Suzhou"),
    ("330100", "杭州", "Hangzhou"),
    ("420100", "武汉", "Wuhan"),
    ("370200", "青岛", "Qingdao"),
]
TRADE = list(
    dict.fromkeys(  # each character once: names are unique by construction
        "华丰长虹九洲利尔京东方新能源启明星泰和瑞祥鸿达恒信永安宏图金鼎天成博远盛世"
        "中科创新众合联创精工卓越凯盛德源弘毅诚信明辉嘉禾丰泽润达海纳聚力兴业"
    )
)
TRADE_EN = [
    "huafeng", "changhong", "jiuzhou", "lier", "qiming", "taihe", "ruixiang",
    "hongda", "hengxin", "yongan", "hongtu", "jinding", "tiancheng", "boyuan",
    "shengshi", "zhongke", "chuangxin", "zhonghe", "lianchuang", "jinggong",
]  # fmt: skip
INDUSTRIES = [
    ("电子科技", "Electronics"),
    ("新材料", "New Materials"),
    ("精密机械", "Precision Machinery"),
    ("食品", "Food"),
    ("生物医药", "Biopharma"),
    ("化工", "Chemicals"),
    ("检测技术", "Testing Technology"),
    ("智能装备", "Intelligent Equipment"),
    ("纺织服装", "Textiles"),
    ("计量仪器", "Measuring Instruments"),
]
FORMS = [
    ("有限公司", "Co., Ltd.", "enterprise"),
    ("股份有限公司", "Corporation", "enterprise"),
    ("研究院", "Research Institute", "research_institute"),
    ("研究所", "Institute", "research_institute"),
    ("检验检测中心", "Inspection and Testing Center", "testing_body"),
]
LEVELS = [
    ("international", "ISO", 0.05),
    ("national", "GB/T", 0.35),
    ("industry", "JB/T", 0.25),
    ("local", "DB51/T", 0.15),
    ("group", "T/ZZB", 0.15),
    ("enterprise", "Q/BENCH", 0.05),
]


def setup(db: str) -> tuple[str, str | None]:
    tmp = tempfile.mkdtemp(prefix="qihub-bench-orgs-")
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    os.environ.setdefault("QIHUB_TESTING", "1")
    os.environ.setdefault("QIHUB_NETWORK_TALLY_MS", "60")  # as served
    # as served in production: no per-query debug log (formatting a query's
    # thousand member ids for it cost more than running it)
    os.environ.setdefault("DEBUG", "0")
    pg_name = None
    if db == "postgres":
        import psycopg

        base = os.environ.get(
            "QIHUB_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        )
        pg_name = f"qihub_bench_orgs_{os.getpid()}_{int(time.time())}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = f"{base}/{pg_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp, pg_name


def teardown(tmp: str, pg_name: str | None) -> None:
    from django.db import connections

    connections.close_all()
    if pg_name:
        import psycopg

        base = os.environ.get(
            "QIHUB_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        )
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    shutil.rmtree(tmp, ignore_errors=True)


def org_name(i: int) -> tuple[str, str, str, str]:
    """The i-th synthetic name (unique by construction): Chinese, English,
    kind, region code."""
    i, city = divmod(i, len(CITIES))
    i, industry = divmod(i, len(INDUSTRIES))
    i, form = divmod(i, len(FORMS))
    i, a = divmod(i, len(TRADE))
    i, b = divmod(i, len(TRADE))
    code, city_zh, city_en = CITIES[city]
    ind_zh, ind_en = INDUSTRIES[industry]
    form_zh, form_en, kind = FORMS[form]
    trade_zh = TRADE[a] + TRADE[b] + (str(i) if i else "")
    trade_en = (
        TRADE_EN[a % len(TRADE_EN)]
        + TRADE_EN[b % len(TRADE_EN)]
        + (str(i) if i else "")
    )
    return (
        f"{city_zh}市{trade_zh}{ind_zh}{form_zh}",
        f"{city_en} {trade_en.title()} {ind_en} {form_en}",
        kind,
        code,
    )


def _progress(label: str, done: int, total: int, t0: float) -> None:
    if sys.stderr.isatty() or done == total:
        print(
            f"\r  {label}: {done:,}/{total:,} ({time.perf_counter() - t0:.0f} s)",
            end="\n" if done == total else "",
            file=sys.stderr,
            flush=True,
        )


def build(n_orgs: int, n_std: int, n_decl: int, n_members: int, seed: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from qihub.catalog.models import Standard, StandardDraftingUnit
    from qihub.declarations.models import Declaration, Enterprise
    from qihub.organisations import services
    from qihub.organisations.models import Network, NetworkMember, Organisation
    from qihub.organisations.names import name_key, search_tokens

    rng = random.Random(seed)
    now = timezone.now()
    batch = 5000
    t0 = time.perf_counter()
    for start in range(0, n_orgs, batch):
        rows = []
        for i in range(start, min(start + batch, n_orgs)):
            zh, en, kind, region = org_name(i)
            rows.append(
                Organisation(
                    name_zh=zh,
                    name_en=en,
                    name_key=name_key(zh),
                    kind=kind,
                    region_id=region,
                    search_text=" ".join(search_tokens(zh, en)),
                    created_at=now,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            Organisation.objects.bulk_create(rows, batch_size=batch)
        _progress("organisations", min(start + batch, n_orgs), n_orgs, t0)
    org_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))

    members = org_ids[:n_members]
    network = services.network_create(
        actor=None,
        kind=Network.Kind.INNOVATION_CENTRE,
        name_zh="基准测试区域标准创新中心",
        name_en="Benchmark Regional Standard Innovation Centre",
    )
    NetworkMember.objects.bulk_create(
        [
            NetworkMember(
                network=network,
                organisation_id=pk,
                joined_on=datetime.date(2021, 1, 1),
            )
            for pk in members
        ],
        batch_size=batch,
    )

    t0 = time.perf_counter()
    levels = [lv for lv, _p, _w in LEVELS]
    prefixes = {lv: p for lv, p, _w in LEVELS}
    weights = [w for _lv, _p, w in LEVELS]
    for start in range(0, n_std, batch):
        rows = []
        for i in range(start, min(start + batch, n_std)):
            level = rng.choices(levels, weights)[0]
            year = 1995 + i % 31
            prefix = prefixes[level]
            sep = ":" if level == "international" else "-"
            ident = f"{prefix} {100000 + i}{sep}{year}"
            compact = ident.replace(" ", "")
            rows.append(
                Standard(
                    identifier=ident,
                    ident_key=compact,
                    base_key=compact.rsplit(sep, 1)[0],
                    prefix=prefix,
                    number=str(100000 + i),
                    year=year,
                    level=level,
                    nature="recommended",
                    status="in_force",
                    issued_on=datetime.date(year, 1 + i % 12, 1),
                    title_zh=f"合成标准 {i}",
                    created_at=now,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            Standard.objects.bulk_create(rows, batch_size=batch)
        _progress("standards", min(start + batch, n_std), n_std, t0)

    t0 = time.perf_counter()
    std_ids = Standard.objects.order_by("pk").values_list("pk", flat=True)
    units: list[StandardDraftingUnit] = []
    for done, std_id in enumerate(std_ids.iterator(chunk_size=batch), start=1):
        # a fifth by the network's members, the rest by anyone
        pool = members if rng.random() < 0.2 else org_ids
        drafters = {rng.choice(pool) for _ in range(rng.randint(1, 3))}
        units.extend(
            StandardDraftingUnit(standard_id=std_id, organisation_id=o, position=p)
            for p, o in enumerate(drafters, start=1)
        )
        if len(units) >= batch * 2:
            with transaction.atomic():
                StandardDraftingUnit.objects.bulk_create(units, batch_size=batch)
            units = []
            _progress("drafting units", done, n_std, t0)
    if units:
        StandardDraftingUnit.objects.bulk_create(units, batch_size=batch)
    _progress("drafting units", n_std, n_std, t0)

    t0 = time.perf_counter()
    n_ent = min(max(1, n_decl // 10), len(org_ids))
    # enterprises among the members first, so the pages count declarations
    ent_orgs = members + rng.sample(org_ids[n_members:], max(0, n_ent - len(members)))
    Enterprise.objects.bulk_create(
        [Enterprise(organisation_id=o, industry="制造业") for o in ent_orgs],
        batch_size=batch,
    )
    ent_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, n_decl, batch):
        rows = []
        for i in range(start, min(start + batch, n_decl)):
            product = f"合成产品{i % 5000}"
            rows.append(
                Declaration(
                    enterprise_id=ent_ids[i % len(ent_ids)],
                    status="published",
                    product_name=product,
                    product_key=product,
                    category="electronics",
                    published_at=now - datetime.timedelta(days=i % 1500),
                    created_at=now,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            Declaration.objects.bulk_create(rows, batch_size=batch)
        _progress("declarations", min(start + batch, n_decl), n_decl, t0)
    _analyze()
    return {"network": network.pk, "members": members, "orgs": org_ids}


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _timed(client, url: str, params: dict | None = None) -> float:
    t0 = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} answered {response.status_code}")
    return elapsed


def _summary(label: str, times: list[float], target: float) -> dict:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    p50 = statistics.median(times)
    verdict = "met" if p95 < target else "MISSED"
    print(
        f"  {label:34s} n={len(times):4d} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
        f"  max {times[-1]:7.1f} ms   target p95 < {target:.0f} ms: {verdict}"
    )
    return {"p50": round(p50, 1), "p95": round(p95, 1)}


def measure(data: dict, n_queries: int, n_pages: int, seed: int) -> dict:
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client(headers={"accept-language": "zh-hans"})
    rng = random.Random(seed)
    orgs = data["orgs"]
    kinds = [
        "trade fragment",
        "full name",
        "city + industry",
        "English prefix",
        "fragment + kind",
        "fragment + region",
    ]
    search: dict[str, list[float]] = {k: [] for k in kinds}
    # warm up jieba, the URL resolver and the caches
    for _ in range(3):
        client.get("/api/organisations/", {"q": "绵阳"})
    for i in range(n_queries):
        kind = kinds[i % len(kinds)]
        zh, en, org_kind, region = org_name(rng.randrange(len(orgs)))
        trade = zh[3:5]
        if kind == "trade fragment":
            params = {"q": trade}
        elif kind == "full name":
            params = {"q": zh}
        elif kind == "city + industry":
            params = {"q": f"{zh[:2]} {rng.choice(INDUSTRIES)[0]}"}
        elif kind == "English prefix":
            params = {"q": en.split()[1][:5]}
        elif kind == "fragment + kind":
            params = {"q": trade, "kind": org_kind}
        else:
            params = {"q": trade, "region": region[:2] + "0000"}
        search[kind].append(_timed(client, "/api/organisations/", params))
    print("organisation search API (GET /api/organisations/?q=…):")
    every = [t for ts in search.values() for t in ts]
    result = {"search": _summary("all queries", every, 30)}
    for kind, ts in search.items():
        _summary(f"  {kind}", ts, 30)

    members = data["members"]
    print("pages:")
    member_pages = [
        _timed(client, f"/organisations/{rng.choice(members)}/") for _ in range(n_pages)
    ]
    other_pages = [
        _timed(client, f"/organisations/{rng.choice(orgs)}/") for _ in range(n_pages)
    ]
    result["org_member"] = _summary(
        "organisation page (network member)", member_pages, 100
    )
    result["org_other"] = _summary("organisation page (any)", other_pages, 100)
    network_url = f"/organisations/networks/{data['network']}/"
    # The first view counts live (and keeps the counts when that is slow);
    # later views read the kept counts until a write marks them stale.
    cold = _timed(client, network_url)
    network_pages = [_timed(client, network_url) for _ in range(max(5, n_pages // 4))]
    result["network"] = _summary(
        f"network page ({len(members):,} members)", network_pages, 100
    )
    from django.utils import timezone

    from qihub.organisations import tallies
    from qihub.organisations.models import Network, NetworkTally

    network = Network.objects.get(pk=data["network"])
    t0 = time.perf_counter()
    tallies.recount(network)
    recount_ms = (time.perf_counter() - t0) * 1000
    # A write committed and its recount waits for the worker: the page shows
    # the last counts with their time.
    NetworkTally.objects.update(stale=True, queued_at=timezone.now())
    stale_pages = [_timed(client, network_url) for _ in range(5)]
    print(
        f"  first view (live count) {cold:.0f} ms; background recount {recount_ms:.0f} ms;"
        f" view while stale p50 {statistics.median(stale_pages):.1f} ms"
    )
    result["network_cold_ms"] = round(cold)
    result["network_recount_ms"] = round(recount_ms)
    return result


def profile(data: dict) -> None:
    import cProfile
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    url = f"/organisations/networks/{data['network']}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print(f"  {q['time']} s  {q['sql'][:300]}")
    prof = cProfile.Profile()
    prof.enable()
    client.get(url)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--standards", type=int, default=3_000_000)
    parser.add_argument("--declarations", type=int, default=2_000_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--profile", action="store_true", help="profile the network page and its SQL"
    )
    args = parser.parse_args()
    n_orgs = int(args.orgs * args.scale)
    n_std = int(args.standards * args.scale)
    n_decl = int(args.declarations * args.scale)
    tmp, pg_name = setup(args.db)
    try:
        from django.db import connection

        print(
            f"{connection.vendor}: {n_orgs:,} organisations, {n_std:,} standards, "
            f"{n_decl:,} declarations, network of {args.members:,}; "
            f"load {os.getloadavg()[0]:.1f}"
        )
        t0 = time.perf_counter()
        data = build(n_orgs, n_std, n_decl, args.members, args.seed)
        print(f"built in {time.perf_counter() - t0:.0f} s")
        if args.profile:
            profile(data)
        measure(data, args.queries, args.pages, args.seed)
        print(f"load {os.getloadavg()[0]:.1f} at the end")
    finally:
        teardown(tmp, pg_name)


if __name__ == "__main__":
    main()

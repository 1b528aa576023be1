"""Benchmark for self-declarations: bulk re-check and public search at scale.

Builds a synthetic data set in its own database (a SQLite file in
``$QIHUB_BENCH_DIR``, default ``<tmp>/qihub-bench-declarations/``, unless
``DATABASE_URL`` is set), then measures

* the bulk re-check of every declaration citing one standard that has just
  been withdrawn (``declarations_recheck_for_standard``), and
* public search latency (``declaration_search`` + first page + count, as the
  page and the API run it) over a mix of product, enterprise, credit-code,
  standard and region queries: p50 / p95 / max.

Usage::

    .venv/bin/python bench/declarations.py --declarations 3000000 --cite 200000
    .venv/bin/python bench/declarations.py --declarations 50000 --cite 5000   # quick

The data set is kept between runs (``--rebuild`` to start again).
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

REGIONS = [
    "深圳",
    "广州",
    "东莞",
    "佛山",
    "珠海",
    "惠州",
    "中山",
    "江门",
    "汕头",
    "湛江",
    "杭州",
    "宁波",
    "温州",
    "苏州",
    "无锡",
    "南京",
    "成都",
    "重庆",
    "武汉",
    "长沙",
    "郑州",
    "西安",
    "青岛",
    "济南",
    "厦门",
    "福州",
    "合肥",
    "南昌",
    "昆明",
    "南宁",
]
INDUSTRIES = [
    "纺织",
    "电子",
    "食品",
    "家具",
    "玩具",
    "建材",
    "化工",
    "机械",
    "医疗器械",
    "日化",
]
MATERIALS = [
    "纯棉",
    "有机棉",
    "竹纤维",
    "真丝",
    "羊毛",
    "莫代尔",
    "亚麻",
    "涤纶",
    "智能",
    "便携",
    "无线",
    "节能",
    "环保",
    "实木",
    "不锈钢",
    "陶瓷",
    "儿童",
    "婴儿",
    "女士",
    "男士",
    "高端",
    "经典",
    "轻薄",
    "加厚",
    "防水",
    "抗菌",
    "静音",
    "迷你",
    "家用",
    "商用",
    "户外",
    "运动",
    "豪华",
    "简约",
    "复古",
    "时尚",
    "多功能",
    "全自动",
    "手工",
    "精品",
]
PRODUCTS = [
    "连体衣",
    "睡袋",
    "内衣",
    "外套",
    "毛巾",
    "床单",
    "被套",
    "枕头",
    "袜子",
    "围巾",
    "耳机",
    "音箱",
    "充电器",
    "电源",
    "路由器",
    "台灯",
    "电饭煲",
    "电水壶",
    "吹风机",
    "剃须刀",
    "饼干",
    "酸奶",
    "果汁",
    "茶叶",
    "大米",
    "食用油",
    "酱油",
    "面条",
    "奶粉",
    "糖果",
    "餐桌",
    "衣柜",
    "书桌",
    "沙发",
    "床垫",
    "积木",
    "玩偶",
    "拼图",
    "滑板车",
    "童车",
    "瓷砖",
    "涂料",
    "地板",
    "门窗",
    "洗衣液",
    "洗发水",
    "牙膏",
    "香皂",
    "口罩",
    "体温计",
]
COMPANY_WORDS = [
    "华",
    "鑫",
    "泰",
    "盛",
    "达",
    "源",
    "丰",
    "瑞",
    "恒",
    "宏",
    "信",
    "利",
    "安",
    "康",
    "美",
    "佳",
    "德",
    "诚",
    "新",
    "昌",
    "隆",
    "兴",
    "荣",
    "通",
    "益",
    "博",
    "创",
    "智",
]
PARAMETERS = [
    "formaldehyde",
    "ph",
    "lead",
    "cadmium",
    "moisture",
    "tensile_strength",
    "colour_fastness",
    "noise",
    "power_consumption",
    "shelf_life",
]


def _setup(args) -> None:
    if "DATABASE_URL" not in os.environ:
        # Outside the work tree's var/ (which other tools clean up).
        default = Path(tempfile.gettempdir()) / "qihub-bench-declarations"
        data = Path(os.environ.get("QIHUB_BENCH_DIR", default))
        data.mkdir(parents=True, exist_ok=True)
        if args.rebuild:
            for f in data.glob("qihub.sqlite3*"):
                f.unlink()
        os.environ["QIHUB_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    os.environ.setdefault("QIHUB_TESTING", "1")  # immediate tasks, no mail
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    if connection.vendor == "sqlite":
        # Planner statistics for indexes added since the data set was built
        # (the declarations task ``refresh_search_statistics`` does this in service).
        with connection.cursor() as cur:
            cur.execute("PRAGMA optimize")


def _credit_code(n: int) -> str:
    from qihub.organisations.credit_codes import ALPHABET, check_character

    digits = []
    for _ in range(9):
        n, r = divmod(n, 31)
        digits.append(ALPHABET[r])
    body = "91440300" + "".join(reversed(digits))
    return body + check_character(body)


def build(n_decl: int, n_cite: int, n_ind: int, seed: int = 1) -> None:
    """Insert the synthetic data set with plain SQL in large batches."""
    from django.db import connection, transaction

    from qihub.catalog.models import Standard
    from qihub.declarations.models import Declaration
    from qihub.declarations.search_keys import text_key

    if Declaration.objects.exists():
        print(
            f"data set present: {Declaration.objects.count():,} declarations (--rebuild to redo)"
        )
        return
    rng = random.Random(seed)
    t0 = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).isoformat(sep=" ")
    std_rows = []
    for i in range(1000):
        number = 30000 + i
        ident = f"GB {number}-2020" if i < 200 else f"GB/T {number}-2020"
        std_rows.append(
            Standard(
                identifier=ident,
                ident_key=ident.replace(" ", ""),
                base_key=ident.replace(" ", "").rsplit("-", 1)[0],
                prefix="GB" if i < 200 else "GB/T",
                number=str(number),
                year=2020,
                level="national",
                nature="mandatory" if i < 200 else "recommended",
                status="in_force",
                title_zh=f"合成标准 {i}",
            )
        )
    Standard.objects.bulk_create(std_rows, batch_size=500)
    std_ids = list(Standard.objects.order_by("pk").values_list("pk", flat=True))
    target = std_ids[0]
    others = std_ids[1:]
    n_ent = max(1, n_decl // 10)
    batch = 20000
    from qihub.declarations.region_names import RegionIndex
    from qihub.organisations.names import name_key, search_tokens

    regions = RegionIndex.from_db()
    region_codes = {name: regions.resolve(name) for name in REGIONS}
    ent_keys = [""]
    with transaction.atomic(), connection.cursor() as cur:
        orgs, ents = [], []

        def flush_enterprises():
            cur.executemany(
                "INSERT INTO organisations_organisation (id, created_at, updated_at,"
                " name_zh, name_en, name_key, former_names, credit_code, kind,"
                " region_id, address, website, contact_name, contact_email,"
                " contact_phone, search_text) VALUES"
                " (%s,%s,%s,%s,'',%s,'[]',%s,'enterprise',%s,'','','','','',%s)",
                orgs,
            )
            cur.executemany(
                "INSERT INTO declarations_enterprise (id, created_at, updated_at,"
                " organisation_id, industry) VALUES (%s,%s,%s,%s,%s)",
                ents,
            )
            orgs.clear()
            ents.clear()

        for e in range(1, n_ent + 1):
            name = (
                REGIONS[e % len(REGIONS)]
                + "市"
                + "".join(rng.choice(COMPANY_WORDS) for _ in range(2))
                + f"{e}"
                + rng.choice(["有限公司", "科技有限公司", "实业有限公司"])
            )
            code = _credit_code(e)
            ent_keys.append(text_key(name))
            orgs.append(
                (
                    e,
                    now,
                    now,
                    name,
                    name_key(name),
                    code,
                    region_codes[REGIONS[e % len(REGIONS)]],
                    " ".join([*search_tokens(name), code.lower()]),
                )
            )
            ents.append((e, now, now, e, INDUSTRIES[e % len(INDUSTRIES)]))
            if len(ents) >= batch:
                flush_enterprises()
        if ents:
            flush_enterprises()
        print(
            f"  enterprises: {n_ent:,} ({time.perf_counter() - t0:.0f} s)", flush=True
        )
        cite_every = max(1, n_decl // max(1, n_cite))
        decls, versions, cites, inds = [], [], [], []
        cited = 0
        ind_id = 0
        for d in range(1, n_decl + 1):
            e = rng.randint(1, n_ent)
            region = region_codes[REGIONS[e % len(REGIONS)]]
            industry = INDUSTRIES[e % len(INDUSTRIES)]
            product = (
                rng.choice(MATERIALS)
                + rng.choice(PRODUCTS)
                + f" {rng.randint(1, 99)}型"
            )
            category = INDUSTRIES[e % len(INDUSTRIES)] + "产品"
            ent_name_key = ent_keys[e]
            decls.append(
                (
                    d,
                    now,
                    now,
                    e,
                    "published",
                    d,
                    product,
                    text_key(product),
                    category,
                    region,
                    industry,
                    ent_name_key,
                    _credit_code(e),
                    "ok",
                    now,
                )
            )
            versions.append(
                (
                    d,
                    now,
                    now,
                    d,
                    1,
                    "published",
                    product,
                    category,
                    False,
                    "",
                    "ok",
                    "[]",
                    now,
                    now,
                )
            )
            if cited < n_cite and d % cite_every == 0:
                cites.append((d, target, "GB 30000-2020", "ok"))
                cited += 1
            else:
                other = rng.choice(others)
                cites.append((d, other, f"GB {30000 + other - target}-2020", "ok"))
            for p in range(n_ind):
                ind_id += 1
                inds.append(
                    (
                        ind_id,
                        d,
                        PARAMETERS[p % len(PARAMETERS)],
                        "<=",
                        rng.randint(1, 500),
                        "mg/kg",
                        "",
                    )
                )
            if len(decls) >= batch:
                _flush(cur, decls, versions, cites, inds)
                decls, versions, cites, inds = [], [], [], []
                if d % 200000 == 0:
                    print(
                        f"  declarations: {d:,} ({time.perf_counter() - t0:.0f} s)",
                        flush=True,
                    )
        _flush(cur, decls, versions, cites, inds)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
    print(
        f"built {n_decl:,} declarations x {n_ind} indicators, {cited:,} citing the target, "
        f"in {time.perf_counter() - t0:.0f} s"
    )


def _flush(cur, decls, versions, cites, inds) -> None:
    if not decls:
        return
    cur.executemany(
        "INSERT INTO declarations_declaration (id, created_at, updated_at, enterprise_id, status,"
        " current_version_id, product_name, product_key, category, region, industry,"
        " enterprise_key, credit_code, check_status, published_at)"
        " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        decls,
    )
    cur.executemany(
        "INSERT INTO declarations_declarationversion (id, created_at, updated_at, declaration_id,"
        " number, status, product_name, category, is_service, q_standard_file, check_status,"
        " check_results, checked_at, published_at)"
        " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        versions,
    )
    cur.executemany(
        "INSERT INTO declarations_declaredstandard (version_id, standard_id, identifier, flag)"
        " VALUES (%s,%s,%s,%s)",
        cites,
    )
    if inds:
        cur.executemany(
            "INSERT INTO declarations_indicator (id, version_id, parameter, operator, value, unit,"
            " test_method) VALUES (%s,%s,%s,%s,%s,%s,%s)",
            inds,
        )


def bench_recheck() -> dict:
    from qihub.catalog.models import Standard
    from qihub.declarations.models import Declaration
    from qihub.declarations.services import declarations_recheck_for_standard

    target = Standard.objects.order_by("pk").first()
    target.status = "withdrawn" if target.status != "withdrawn" else "in_force"
    target.save(update_fields=["status"])
    t0 = time.perf_counter()
    n = declarations_recheck_for_standard(standard=target)
    seconds = time.perf_counter() - t0
    flagged = Declaration.objects.filter(check_status="flagged").count()
    print(
        f"re-check: {n:,} declarations citing {target.identifier} ({target.status}) "
        f"in {seconds:.1f} s ({n / seconds:,.0f}/s); flagged now: {flagged:,}"
    )
    return {"rechecked": n, "seconds": round(seconds, 2)}


def bench_search(n_queries: int, seed: int = 7) -> dict:
    from qihub.declarations.models import Enterprise
    from qihub.declarations.selectors import SearchResults, declaration_search

    rng = random.Random(seed)
    max_ent = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first()
    kinds = [
        "product_full",
        "product_prefix",
        "enterprise_prefix",
        "credit_code",
        "standard",
        "popular_standard",
        "q_popular_standard",
        "region",
        "q_product",
        "q_enterprise",
        "region_product",
    ]
    timings: dict[str, list[float]] = {k: [] for k in kinds}
    for i in range(n_queries):
        kind = kinds[i % len(kinds)]
        params: dict[str, str] = {}
        if kind == "product_full":
            params["product"] = rng.choice(MATERIALS) + rng.choice(PRODUCTS)
        elif kind == "product_prefix":
            params["product"] = rng.choice(MATERIALS)
        elif kind == "enterprise_prefix":
            ent = Enterprise.objects.select_related("organisation").get(
                pk=rng.randint(1, max_ent)
            )
            params["enterprise"] = ent.name[:6]
        elif kind == "credit_code":
            params["enterprise"] = _credit_code(rng.randint(1, max_ent))
        elif kind == "standard":
            params["standard"] = f"GB {30000 + rng.randint(0, 199)}-2020"
        elif kind == "popular_standard":
            # The standard every --cite declaration cites (a third of them
            # at the scale): the count and the newest-first page must
            # not grow with the matches.
            params["standard"] = "GB 30000-2020"
        elif kind == "q_popular_standard":
            params["q"] = "GB 30000"
        elif kind == "region":
            params["region"] = rng.choice(REGIONS)
        elif kind == "q_product":
            params["q"] = rng.choice(MATERIALS) + rng.choice(PRODUCTS)
        elif kind == "q_enterprise":
            ent = Enterprise.objects.select_related("organisation").get(
                pk=rng.randint(1, max_ent)
            )
            params["q"] = ent.name[:8]
        else:
            params["region"] = rng.choice(REGIONS)
            params["product"] = rng.choice(MATERIALS)
        t0 = time.perf_counter()
        results = SearchResults(declaration_search(**params))
        page = results[0:20]
        total = results.count()
        timings[kind].append((time.perf_counter() - t0) * 1000)
        del page, total
    every = sorted(t for ts in timings.values() for t in ts)
    p95 = every[int(len(every) * 0.95) - 1]
    print(
        f"search: {len(every)} queries, p50 {statistics.median(every):.1f} ms, "
        f"p95 {p95:.1f} ms, max {every[-1]:.1f} ms"
    )
    for kind, ts in timings.items():
        ts.sort()
        print(
            f"  {kind:18s} p50 {statistics.median(ts):6.1f} ms  p95 "
            f"{ts[max(0, int(len(ts) * 0.95) - 1)]:6.1f} ms  max {ts[-1]:6.1f} ms"
        )
    return {"p50_ms": round(statistics.median(every), 1), "p95_ms": round(p95, 1)}


def bench_migration(n_ent: int, n_decl: int, seed: int = 3) -> dict:
    """Time migrations 0004-0006 (enterprises and inspectors to the registry)
    on a database built at 0003 with ``n_ent`` old enterprises (a tenth of
    them named like another, a tenth with a region text naming no division)
    and ``n_decl`` declarations. Uses its own database: run with
    ``--migration`` only."""
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    from qihub.declarations.search_keys import text_key

    executor = MigrationExecutor(connection)
    executor.migrate([("declarations", "0003_region_product_index")])
    rng = random.Random(seed)
    now = datetime.datetime.now(datetime.UTC).isoformat(sep=" ")
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM declarations_declaration")
        cur.execute("DELETE FROM declarations_enterprise_users")
        cur.execute("DELETE FROM declarations_enterprise")
        rows = []
        for e in range(1, n_ent + 1):
            region = "火星" if e % 10 == 0 else REGIONS[e % len(REGIONS)]
            name = f"{REGIONS[e % len(REGIONS)]}市{rng.choice(COMPANY_WORDS)}{e // 10 if e % 10 == 1 else e}有限公司"
            rows.append(
                (e, now, now, _credit_code(e), name, text_key(name), region, "纺织")
            )
            if len(rows) >= 20000 or e == n_ent:
                cur.executemany(
                    "INSERT INTO declarations_enterprise (id, created_at, updated_at,"
                    " credit_code, name, name_key, region, industry)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                    rows,
                )
                rows = []
        decls = []
        for d in range(1, n_decl + 1):
            e = rng.randint(1, n_ent)
            decls.append(
                (d, now, now, e, "published", f"产品{d}", f"产品{d}", "纺织产品")
            )
            if len(decls) >= 20000 or d == n_decl:
                cur.executemany(
                    "INSERT INTO declarations_declaration (id, created_at, updated_at,"
                    " enterprise_id, status, product_name, product_key, category,"
                    " region, industry, enterprise_key, credit_code, check_status)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,'','','','','ok')",
                    decls,
                )
                decls = []
    print(
        f"migration data at 0003: {n_ent:,} enterprises, {n_decl:,} declarations "
        f"({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )
    executor = MigrationExecutor(connection)
    t0 = time.perf_counter()
    executor.migrate(executor.loader.graph.leaf_nodes())
    seconds = time.perf_counter() - t0
    from qihub.declarations.models import Enterprise

    linked = Enterprise.objects.exclude(organisation=None).count()
    print(
        f"migration 0004-0006: {linked:,}/{n_ent:,} enterprises linked to "
        f"organisations in {seconds:.1f} s"
    )
    return {"enterprises": n_ent, "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--declarations", type=int, default=3_000_000)
    parser.add_argument("--cite", type=int, default=200_000)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--queries", type=int, default=450)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--migration",
        type=int,
        default=0,
        metavar="N",
        help="Only time the registry migration on N old enterprises (own database).",
    )
    args = parser.parse_args()
    if args.migration:
        os.environ.setdefault(
            "QIHUB_BENCH_DIR",
            str(Path(tempfile.gettempdir()) / "qihub-bench-declarations-migration"),
        )
        args.rebuild = True
        _setup(args)
        bench_migration(args.migration, args.migration * 2)
        return
    _setup(args)
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    build(args.declarations, args.cite, args.indicators)
    bench_search(args.queries)
    bench_recheck()


if __name__ == "__main__":
    main()

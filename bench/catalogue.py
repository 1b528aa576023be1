"""Catalogue benchmark: import throughput and search latency at scale.

    .venv/bin/python bench/catalogue.py [--n 1000000] [--db sqlite|postgres|both]
                                        [--queries 1000] [--seed 7]

For each database it sets up a scratch database (a temporary SQLite file under
/tmp, or a PostgreSQL database ``qihub_bench_<pid>_<time>`` on 127.0.0.1 that is created and
dropped), migrates, loads the ICS/CCS classifications, writes N synthetic
standards (realistic Chinese and English titles across industries, every
level and prefix, several editions with replacements, ICS codes) to a CSV file
and imports it through ``standards_import`` (records/s, end to end, file
generation not counted). It then runs a mix of queries (identifier prefixes
and exact identifiers in messy spellings, Chinese words, English words,
filtered searches) through the search API endpoint, handed to Django's WSGI
handler as gunicorn hands it (not the test client, which keeps the database
connection open between requests whatever the settings say) and, as the floor, the same query and filters as one SQL statement straight
to the index (``search.raw_index_rows``: FTS5 ``MATCH`` / PostgreSQL ``@@``
newest first, or the ``ident_key`` B-tree range for identifier queries,
returning the same 20 rows) and prints p50/p95/p99 for both and their ratio.

Each database runs in its own child process (Django settings are per process).
"""

from __future__ import annotations

import argparse
import csv
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
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
#: Named per run: a benchmark creates its own database and drops only that
#: one, never one another run or person made.
PG_BENCH_DB = f"qihub_bench_{os.getpid()}_{int(time.time())}"

# --- synthetic catalogue -----------------------------------------------------------

# (ICS prefix, title head zh/en or None, subjects, aspects) per industry.
DOMAINS = [
    (
        "67",
        ("食品安全国家标准", "National food safety standard"),
        [
            ("食品添加剂", "food additives"),
            ("乳制品", "dairy products"),
            ("婴幼儿配方食品", "infant formula foods"),
            ("食品中污染物", "contaminants in foods"),
            ("食品中农药最大残留", "maximum residue limits for pesticides in food"),
            ("饮料", "beverages"),
            ("食用植物油", "edible vegetable oil"),
            ("肉制品", "meat products"),
            ("速冻食品", "quick-frozen foods"),
            ("食品营养强化剂", "food nutritional fortifiers"),
            ("蜂蜜", "honey"),
            ("茶叶", "tea"),
        ],
        [
            ("使用标准", "standard for uses"),
            ("限量", "maximum levels"),
            ("检验方法", "determination methods"),
            ("生产卫生规范", "hygienic practice for production"),
            ("标签通则", "general standard for labelling"),
        ],
    ),
    (
        "59",
        None,
        [
            ("纺织品", "textiles"),
            ("针织物", "knitted fabrics"),
            ("棉短绒", "cotton linter"),
            ("羊毛", "wool"),
            ("化学纤维", "man-made fibres"),
            ("服装", "garments"),
            ("家用纺织品", "home textiles"),
            ("丝绸", "silk"),
        ],
        [
            ("色牢度试验", "tests for colour fastness"),
            ("甲醛的测定", "determination of formaldehyde"),
            ("燃烧性能", "burning behaviour"),
            ("纤维含量的标识", "labelling of fibre content"),
            ("技术规范", "technical specification"),
        ],
    ),
    (
        "43",
        None,
        [
            ("电动汽车", "electric vehicles"),
            (
                "电动汽车传导充电用连接装置",
                "connection set for conductive charging of electric vehicles",
            ),
            ("燃料电池电动汽车", "fuel cell electric vehicles"),
            ("汽车", "road vehicles"),
            ("电动自行车", "electric bicycles"),
            ("车用动力电池", "traction batteries for vehicles"),
            ("智能网联汽车", "intelligent and connected vehicles"),
            ("摩托车", "motorcycles"),
        ],
        [
            ("安全要求", "safety requirements"),
            ("通用要求", "general requirements"),
            ("试验方法", "test methods"),
            ("术语", "terminology"),
            ("能量消耗率和续驶里程", "energy consumption and range"),
            ("电磁兼容性", "electromagnetic compatibility"),
        ],
    ),
    (
        "35",
        ("信息技术 安全技术", "Information technology - Security techniques"),
        [
            ("信息安全管理体系", "information security management systems"),
            ("网络安全", "cybersecurity"),
            ("密码模块", "cryptographic modules"),
            ("个人信息", "personal information"),
            ("数据库管理系统", "database management systems"),
            ("云计算", "cloud computing"),
            ("大数据", "big data"),
            ("人工智能", "artificial intelligence"),
        ],
        [
            ("要求", "requirements"),
            ("实施指南", "implementation guidance"),
            ("安全评估", "security assessment"),
            ("参考架构", "reference architecture"),
            ("测评要求", "evaluation requirements"),
        ],
    ),
    (
        "29",
        None,
        [
            ("家用和类似用途电器", "household and similar electrical appliances"),
            ("低压开关设备和控制设备", "low-voltage switchgear and controlgear"),
            ("电力变压器", "power transformers"),
            ("电线电缆", "electric cables"),
            ("灯具", "luminaires"),
            ("光伏组件", "photovoltaic modules"),
            ("电池", "batteries"),
        ],
        [
            ("安全", "safety"),
            ("通用要求", "general requirements"),
            ("能效限定值及能效等级", "minimum allowable values of energy efficiency"),
            ("性能要求", "performance requirements"),
            ("试验方法", "test methods"),
        ],
    ),
    (
        "91",
        None,
        [
            ("建筑材料", "building materials"),
            ("混凝土", "concrete"),
            ("建筑外门窗", "external windows and doors"),
            ("钢结构", "steel structures"),
            ("建筑防水卷材", "waterproofing membranes for buildings"),
            ("装配式建筑", "prefabricated buildings"),
        ],
        [
            ("燃烧性能分级", "classification for burning behaviour"),
            ("技术规程", "technical specification"),
            ("施工质量验收规范", "code for acceptance of construction quality"),
            ("保温性能检测方法", "test method for thermal insulating properties"),
        ],
    ),
    (
        "13",
        None,
        [
            ("环境空气", "ambient air"),
            ("地表水", "surface water"),
            ("土壤", "soil"),
            ("固体废物", "solid waste"),
            ("工业废水", "industrial wastewater"),
            ("噪声", "noise"),
            ("消防", "fire protection"),
        ],
        [
            ("质量标准", "quality standard"),
            ("监测技术规范", "technical specifications for monitoring"),
            ("污染物排放标准", "discharge standard of pollutants"),
            ("采样方法", "sampling methods"),
        ],
    ),
    (
        "11",
        None,
        [
            ("医疗器械", "medical devices"),
            ("医用电气设备", "medical electrical equipment"),
            ("一次性使用无菌注射器", "sterile hypodermic syringes for single use"),
            ("医用口罩", "medical face masks"),
            ("体外诊断试剂", "in vitro diagnostic reagents"),
        ],
        [
            (
                "质量管理体系 用于法规的要求",
                "quality management systems - requirements for regulatory purposes",
            ),
            (
                "基本安全和基本性能的通用要求",
                "general requirements for basic safety and essential performance",
            ),
            ("生物学评价", "biological evaluation"),
            ("技术要求", "technical requirements"),
        ],
    ),
    (
        "65",
        None,
        [
            ("农药", "pesticides"),
            ("肥料", "fertilizers"),
            ("饲料", "animal feeding stuffs"),
            ("种子", "seeds"),
            ("绿色食品", "green food"),
            ("农业机械", "agricultural machinery"),
        ],
        [
            ("质量分级", "quality grading"),
            ("田间试验准则", "guidelines for field trials"),
            ("检验规则", "inspection rules"),
            ("生产技术规程", "technical code of practice for production"),
        ],
    ),
    (
        "17",
        None,
        [
            ("计量器具", "measuring instruments"),
            ("电子天平", "electronic balances"),
            ("压力表", "pressure gauges"),
            ("温度计", "thermometers"),
            ("标准物质", "reference materials"),
        ],
        [
            ("检定规程", "verification regulation"),
            ("校准规范", "calibration specification"),
            ("测量不确定度评定", "evaluation of measurement uncertainty"),
        ],
    ),
    (
        "03",
        None,
        [
            ("质量管理体系", "quality management systems"),
            ("标准化工作导则", "directives for standardization"),
            ("合格评定", "conformity assessment"),
            ("统计方法", "statistical methods"),
            ("服务质量", "service quality"),
        ],
        [
            ("要求", "requirements"),
            ("基础和术语", "fundamentals and vocabulary"),
            ("指南", "guidelines"),
            ("评价方法", "evaluation methods"),
        ],
    ),
]
QUALIFIERS = [
    ("", ""),
    ("", ""),
    ("", ""),
    ("用", "for"),
    ("中", "in"),
]

PREFIXES = [
    # prefix, weight, international, numbering start
    ("GB", 10, False, 1000),
    ("GB/T", 30, False, 1000),
    ("GB/Z", 2, False, 17000),
    ("JB/T", 6, False, 1000),
    ("HG/T", 4, False, 2000),
    ("QB/T", 4, False, 1000),
    ("FZ/T", 3, False, 1000),
    ("YY/T", 3, False, 300),
    ("SN/T", 3, False, 1000),
    ("NY/T", 3, False, 100),
    ("DB11/T", 2, False, 100),
    ("DB31/T", 2, False, 100),
    ("DB44/T", 2, False, 100),
    ("DB51/T", 2, False, 100),
    ("T/CAS", 2, False, 1),
    ("T/CSAE", 2, False, 1),
    ("T/CECS", 2, False, 1),
    ("Q/GDW", 1, False, 1),
    ("Q/HBJ", 1, False, 1),
    ("ISO", 8, True, 1000),
    ("IEC", 4, True, 60000),
    ("ISO/IEC", 3, True, 10000),
]


def _title(rng: random.Random, domain, part: int | None) -> tuple[str, str]:
    _ics, head, subjects, aspects = domain
    subj_zh, subj_en = rng.choice(subjects)
    asp_zh, asp_en = rng.choice(aspects)
    zh_parts = []
    en_parts = []
    if head and rng.random() < 0.8:
        zh_parts.append(head[0])
        en_parts.append(head[1])
    if rng.random() < 0.3:
        other_zh, other_en = rng.choice(subjects)
        q_zh, q_en = rng.choice(QUALIFIERS)
        subj_zh = f"{other_zh}{q_zh}{subj_zh}" if q_zh else subj_zh
        subj_en = f"{subj_en} {q_en} {other_en}" if q_en else subj_en
    zh_parts.append(subj_zh)
    en_parts.append(subj_en.capitalize() if not en_parts else subj_en)
    if part:
        zh_parts.append(f"第{part}部分：{asp_zh}")
        en_parts.append(f"Part {part}: {asp_en.capitalize()}")
    else:
        zh_parts.append(asp_zh)
        en_parts.append(asp_en.capitalize())
    return " ".join(zh_parts), " - ".join(en_parts)


def generate_csv(path: Path, n: int, *, seed: int, ics_by_field: dict) -> dict:
    """Write N synthetic standards; returns facts the query mix draws from."""
    from qihub.catalog.importing import COLUMNS

    rng = random.Random(seed)
    weights = [p[1] for p in PREFIXES]
    counters = {p[0]: p[3] for p in PREFIXES}
    identifiers_sample: list[str] = []
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        while written < n:
            prefix, _w, international, _start = rng.choices(PREFIXES, weights)[0]
            counters[prefix] += 1
            number = str(counters[prefix])
            parts = [None]
            if rng.random() < 0.12:
                parts = list(range(1, rng.randint(2, 6)))
            domain = rng.choice(DOMAINS)
            editions = rng.choices([1, 2, 3], [70, 22, 8])[0]
            for part in parts:
                num = number
                if part:
                    num = f"{number}-{part}" if international else f"{number}.{part}"
                year = rng.randint(1985, 2012)
                previous = ""
                title_zh, title_en = _title(rng, domain, part)
                ics_codes = rng.sample(
                    ics_by_field[domain[0]],
                    k=min(rng.randint(1, 2), len(ics_by_field[domain[0]])),
                )
                for edition in range(editions):
                    if written >= n:
                        break
                    ident = (
                        f"{prefix} {num}:{year}"
                        if international
                        else f"{prefix} {num}-{year}"
                    )
                    latest = edition == editions - 1
                    if latest:
                        status = "in_force" if not international else "published"
                        if year >= 2025:
                            status = "to_be_implemented"
                        elif rng.random() < 0.05:
                            status = "withdrawn"
                    else:
                        status = "replaced"
                    issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    implemented = "" if international else f"{year + 1}-01-01"
                    writer.writerow(
                        [
                            ident,
                            "" if international and rng.random() < 0.6 else title_zh,
                            title_en,
                            status,
                            issued,
                            implemented,
                            "",
                            ";".join(ics_codes),
                            "",
                            "",
                            "",
                            "",
                            previous,
                            "",
                            "",
                            "",
                        ]
                    )
                    written += 1
                    if rng.random() < 0.02 or len(identifiers_sample) < 200:
                        identifiers_sample.append(ident)
                    previous = ident
                    year = min(2026, year + rng.randint(3, 9))
    return {"identifiers": identifiers_sample[-5000:]}


def make_queries(count: int, *, seed: int, facts: dict) -> list[dict]:
    rng = random.Random(seed + 1)
    zh_words = [
        "食品",
        "食品添加剂",
        "纺织品",
        "电动汽车",
        "充电",
        "信息安全",
        "网络安全",
        "医疗器械",
        "混凝土",
        "土壤",
        "农药",
        "计量器具",
        "质量管理体系",
        "灯具",
        "光伏",
        "乳制品",
        "羊毛",
        "燃烧性能",
        "试验方法",
        "检定规程",
        "云计算",
        "密码",
        "噪声",
        "饲料",
        "服装",
        "蜂蜜",
        "电池",
        "建筑",
        "标准化",
    ]
    en_words = [
        "textiles",
        "vehicles",
        "electric",
        "food",
        "security",
        "concrete",
        "wool",
        "honey",
        "batteries",
        "luminaires",
        "pesticides",
        "calibration",
        "cybersecurity",
        "soil",
        "noise",
        "garments",
        "transformers",
        "cables",
        "terminology",
        "formaldehyde",
        "masks",
        "seeds",
        "photovoltaic",
        "quality management",
        "food additives",
    ]
    levels = ["national", "industry", "local", "group", "enterprise", "international"]
    statuses = ["in_force", "replaced", "withdrawn", "published"]
    idents = facts["identifiers"]
    queries: list[dict] = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            ident = rng.choice(idents)
            r = rng.random()
            if r < 0.4:  # identifier prefix: "GB/T 19"
                head, _sep, rest = ident.partition(" ")
                digits = rest[: rng.randint(1, min(4, len(rest)))]
                queries.append({"kind": "identifier-prefix", "q": f"{head} {digits}"})
            elif r < 0.7:  # exact, messy spelling
                messy = (
                    ident.lower().replace(" ", "")
                    if rng.random() < 0.5
                    else ident.replace("-", "—")
                )
                queries.append({"kind": "identifier-exact", "q": messy})
            else:  # undated
                undated = ident.rsplit(":" if ":" in ident else "-", 1)[0]
                queries.append({"kind": "identifier-undated", "q": undated})
        elif kind == 1:
            queries.append({"kind": "chinese", "q": rng.choice(zh_words)})
        elif kind == 2:
            queries.append({"kind": "english", "q": rng.choice(en_words)})
        else:
            q = {"kind": "filtered", "q": rng.choice(zh_words + en_words)}
            which = rng.random()
            if which < 0.3:
                q["level"] = rng.choice(levels)
            elif which < 0.55:
                q["status"] = rng.choice(statuses)
            elif which < 0.8:
                q["year"] = rng.randint(1990, 2025)
            else:
                q["ics"] = rng.choice(["67", "59", "43", "35", "29.140", "13.040"])
            queries.append(q)
    return queries


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def stats(values: list[float]) -> dict:
    return {
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


# --- one database, in a child process ----------------------------------------------


def run_worker(args) -> dict:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory

    from qihub.catalog import search
    from qihub.catalog.importing import standards_import
    from qihub.catalog.models import Standard
    from qihub.vocab.models import IcsCode
    from qihub.vocab.services import classifications_load

    out: dict = {"db": connection.vendor, "n": args.n}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    classifications_load()
    out["migrate_s"] = time.perf_counter() - t0

    ics_by_field: dict[str, list[str]] = {}
    codes = list(IcsCode.objects.values_list("code", flat=True))
    for domain in DOMAINS:
        field = domain[0]
        leaf = [c for c in codes if c.startswith(field + ".") and c.count(".") >= 1]
        ics_by_field[field] = leaf or [c for c in codes if c.startswith(field)]

    csv_path = Path(args.workdir) / "standards.csv"
    t0 = time.perf_counter()
    facts = generate_csv(csv_path, args.n, seed=args.seed, ics_by_field=ics_by_field)
    out["generate_s"] = time.perf_counter() - t0
    out["csv_mb"] = csv_path.stat().st_size / 1e6

    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=args.n * 2, desc=f"import {connection.vendor}", unit="row")
        progress = bar.update
    cpu0 = _cpu_seconds(connection)
    t0 = time.perf_counter()
    report = standards_import(file=csv_path, fmt="csv", progress=progress)
    import_s = time.perf_counter() - t0
    cpu1 = _cpu_seconds(connection)
    out["import_cpu_us"] = {
        k: (cpu1[k] - cpu0[k]) / max(1, report.created) * 1e6 for k in cpu0
    }
    if progress:
        bar.close()
    if not report.ok:
        raise SystemExit(f"import refused: {report.errors[:5]}")
    out["import_s"] = import_s
    out["import_rate"] = report.created / import_s
    out["created"] = report.created
    out["relations"] = report.relations
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute(
                "INSERT INTO catalog_standard_fts(catalog_standard_fts) VALUES ('optimize')"
            )
    out["standards"] = Standard.objects.count()

    queries = make_queries(args.queries, seed=args.seed, facts=facts)
    handler = WSGIHandler()

    def api_get(params: dict) -> tuple[str, bytes]:
        # A request as a WSGI server passes it (the factory only builds it).
        environ = RequestFactory().get("/api/catalog/standards/", params).environ
        statuses: list[str] = []
        response = handler(environ, lambda status, headers: statuses.append(status))
        body = b"".join(response)
        response.close()  # request_finished, as the server sends it
        return statuses[0], body

    use_api = api_get({"q": "食品"})[0].startswith("200")
    out["through"] = "api" if use_api else "search_standards (API endpoint not found)"

    def run_api(q):
        params = {k: v for k, v in q.items() if k != "kind"}
        if use_api:
            status, body = api_get(params)
            if not status.startswith("200"):
                raise SystemExit(f"API error {status}: {body[:200]}")
            return body
        page = search.search_standards(**params, limit=20)
        return [
            (s.identifier, s.title, [c.code for c in s.ics.all()]) for s in page.results
        ]

    def run_floor(q):
        params = {k: v for k, v in q.items() if k != "kind"}
        return search.raw_index_rows(**params, limit=20)

    # Warm caches (jieba, page cache) with a few queries, not measured.
    for q in queries[:20]:
        run_api(q)
        run_floor(q)
    api_times: dict[str, list[float]] = {}
    floor_times: dict[str, list[float]] = {}
    for q in queries:
        t0 = time.perf_counter()
        run_api(q)
        api_times.setdefault(q["kind"], []).append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        run_floor(q)
        floor_times.setdefault(q["kind"], []).append((time.perf_counter() - t0) * 1000)
    all_api = [t for v in api_times.values() for t in v]
    all_floor = [t for v in floor_times.values() for t in v]
    out["api"] = stats(all_api)
    out["floor"] = stats(all_floor)
    out["api_by_kind"] = {k: stats(v) for k, v in api_times.items()}
    out["floor_by_kind"] = {k: stats(v) for k, v in floor_times.items()}
    return out


def _cpu_seconds(connection) -> dict[str, float]:
    """CPU time so far of this process, its (waited-for) children and, on
    PostgreSQL, the server process of this connection (same machine)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {
        "importer": me.ru_utime + me.ru_stime,
        "checkers": kids.ru_utime + kids.ru_stime,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            cpu["server"] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass  # another machine's server: not measured
    return cpu


def print_result(r: dict) -> None:
    print(f"\n== {r['db']}: {r['standards']:,} standards ({r['csv_mb']:.0f} MB CSV) ==")
    print(
        f"import: {r['created']:,} records + {r['relations']:,} relations in "
        f"{r['import_s']:.1f} s = {r['import_rate']:,.0f} records/s "
        f"(generation {r['generate_s']:.1f} s not counted)"
    )
    cpu = r.get("import_cpu_us", {})
    if cpu:
        parts = ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
        print(f"import CPU per record (us): {parts}; total {sum(cpu.values()):.0f}")
    print(f"search through: {r['through']}")
    print(f"{'':22}{'p50':>8}{'p95':>8}{'p99':>8}  (ms)")
    for label, s in (("search API", r["api"]), ("index only (floor)", r["floor"])):
        print(f"{label:22}{s['p50']:8.2f}{s['p95']:8.2f}{s['p99']:8.2f}")
    ratio = r["api"]["p95"] / r["floor"]["p95"] if r["floor"]["p95"] else float("nan")
    print(f"p95 ratio API / index: {ratio:.1f}x")
    for kind in r["api_by_kind"]:
        a, f = r["api_by_kind"][kind], r["floor_by_kind"][kind]
        print(
            f"  {kind:20} API p50 {a['p50']:6.2f} p95 {a['p95']:6.2f} | "
            f"index p50 {f['p50']:6.2f} p95 {f['p95']:6.2f}"
        )


def run_child(db: str, args) -> dict:
    workdir = tempfile.mkdtemp(prefix=f"qihub-bench-{db}-")
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
        "--n",
        str(args.n),
        "--queries",
        str(args.queries),
        "--seed",
        str(args.seed),
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
        if db == "postgres" and not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch data.")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.worker:
        result = run_worker(args)
        print(json.dumps(result))
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in dbs:
        print_result(run_child(db, args))


if __name__ == "__main__":
    main()

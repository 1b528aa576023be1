"""Benchmark: the organisations data migrations on a 1M-record database.

Builds a database at the migrations *before* the domains pointed to
organisations (declarations 0003, metrology 0004, lifecycle 0003, every other
app at its latest), fills it with ``--n`` records (1,000,000 by default) whose
parties are free text, as they were: 20% enterprises, 60% instruments with
owner names (half of them an enterprise's name in another spelling), 15%
standard projects with a proposer and two or three drafting units, the rest
research projects, laboratories, inspectors, committee members and
feedback. It then runs the remaining migrations, timed, and checks that no
record was lost and every party points to an organisation.

Usage::

    .venv/bin/python bench/org_migration.py                 # 1M on SQLite
    .venv/bin/python bench/org_migration.py --n 50000 --db postgres

Target (issue 14): the data migration on a copy of a 1M-record database < 5 min.
The SQLite file lives in a temporary folder removed at the end; on PostgreSQL
a database named for this run is created and dropped.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: The last migration of each domain before it pointed to organisations.
BEFORE = {
    "declarations": "0003_region_product_index",
    "metrology": "0004_instrument_retired",
    "lifecycle": "0003_event_type_comment_resolved",
}
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CITIES = [
    ("510700", "四川省绵阳市"),
    ("510100", "四川省成都市"),
    ("500000", "重庆市"),
    ("610100", "陕西省西安市"),
    ("220100", "吉林省长春市"),
]


def credit_code(rng: random.Random) -> str:
    division = rng.choice(CITIES)[0]
    body = "91" + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + ALPHABET[(31 - total % 31) % 31]


def respell(name: str, rng: random.Random) -> str:
    """The same name as people type it differently (spaces, full-width brackets)."""
    return rng.choice(
        [f" {name} ", name.replace("有限公司", " 有限公司"), f"{name}\u3000"]
    )


def setup(db: str) -> tuple[str | None, str | None]:
    tmp = tempfile.mkdtemp(prefix="qihub-bench-orgmig-")
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    os.environ.setdefault("QIHUB_TESTING", "1")
    pg_name = None
    if db == "postgres":
        import psycopg

        base = os.environ.get(
            "QIHUB_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        )
        pg_name = f"qihub_bench_orgmig_{os.getpid()}_{int(time.time())}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = f"{base}/{pg_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    return tmp, pg_name


def teardown(tmp: str | None, pg_name: str | None) -> None:
    from django.db import connections

    connections.close_all()
    if pg_name:
        import psycopg

        base = os.environ.get(
            "QIHUB_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        )
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


def _executor():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection)


def migrate_before() -> object:
    """Migrate to the state before the domains' organisation migrations;
    return that state's historical apps."""
    executor = _executor()
    graph = executor.loader.graph
    targets = []
    for app, leaf in graph.leaf_nodes():
        if app in BEFORE:
            targets.append((app, BEFORE[app]))
        else:
            # The latest migration of the app that does not need a domain
            # migration past BEFORE (none do today).
            targets.append((app, leaf))
    plan_targets = []
    for target in targets:
        ancestors = graph.forwards_plan(target)
        if any(a in BEFORE and n > BEFORE[a] for a, n in ancestors):
            continue
        plan_targets.append(target)
    executor.migrate(plan_targets)
    executor = _executor()
    return executor.loader.project_state(plan_targets).apps


def fill(apps, n: int, seed: int) -> dict[str, int]:
    from django.db import transaction

    rng = random.Random(seed)
    Enterprise = apps.get_model("declarations", "Enterprise")
    Inspector = apps.get_model("declarations", "Inspector")
    Laboratory = apps.get_model("metrology", "Laboratory")
    Instrument = apps.get_model("metrology", "Instrument")
    Committee = apps.get_model("lifecycle", "Committee")
    CommitteeMember = apps.get_model("lifecycle", "CommitteeMember")
    Project = apps.get_model("lifecycle", "Project")
    State = apps.get_model("lifecycle", "State")
    ResearchProject = apps.get_model("lifecycle", "ResearchProject")
    Feedback = apps.get_model("lifecycle", "Feedback")
    Standard = apps.get_model("catalog", "Standard")
    User = apps.get_model("auth", "User")

    share = {
        "enterprises": 0.20,
        "instruments": 0.60,
        "projects": 0.15,
        "research": 0.02,
        "laboratories": 0.002,
        "inspectors": 0.005,
        "committee_members": 0.01,
    }
    counts = {k: max(1, int(n * v)) for k, v in share.items()}
    counts["feedback"] = max(1, n - sum(counts.values()))
    batch = 5000
    today = datetime.date(2026, 1, 1)
    with transaction.atomic():
        names = [f"绵阳{i:06d}科技有限公司" for i in range(counts["enterprises"])]
        codes: set[str] = set()
        rows = []
        for name in names:
            code = credit_code(rng)
            while code in codes:
                code = credit_code(rng)
            codes.add(code)
            rows.append(
                Enterprise(
                    credit_code=code,
                    name=name,
                    name_key=name,
                    region=rng.choice(CITIES)[1],
                    industry="制造业",
                )
            )
        Enterprise.objects.bulk_create(rows, batch_size=batch)
        institutes = [
            f"四川省第{i:05d}研究所" for i in range(max(50, counts["projects"] // 5))
        ]
        Inspector.objects.bulk_create(
            [
                Inspector(
                    name=f"检查员{i}",
                    organisation=respell(rng.choice(names), rng)
                    if i % 2
                    else rng.choice(institutes),
                )
                for i in range(counts["inspectors"])
            ],
            batch_size=batch,
        )
        Laboratory.objects.bulk_create(
            [
                Laboratory(
                    code=f"LAB{i:05d}",
                    name=f"某计量测试所{i:05d}",
                    region=rng.choice(CITIES)[1],
                    accreditation_number=f"CNAS L{i:05d}" if i % 2 else "",
                )
                for i in range(counts["laboratories"])
            ],
            batch_size=batch,
        )
        owners = [
            respell(rng.choice(names), rng) if i % 2 else f"某加油站{i % 150_000:06d}"
            for i in range(counts["instruments"])
        ]
        for start in range(0, counts["instruments"], batch):
            Instrument.objects.bulk_create(
                [
                    Instrument(
                        code=f"INS{i:07d}",
                        name="加油机",
                        use="trade",
                        quantity="volume",
                        unit="L",
                        registered_on=today,
                        owner=owners[i],
                        region=rng.choice(CITIES)[1],
                    )
                    for i in range(start, min(start + batch, counts["instruments"]))
                ]
            )
        users = User.objects.bulk_create(
            [
                User(username=f"bench{i}", password="!")  # noqa: S106 - unusable
                for i in range(counts["committee_members"])
            ],
            batch_size=batch,
        )
        if not users[0].pk:
            users = list(
                User.objects.filter(username__startswith="bench").order_by("id")
            )
        committees = Committee.objects.bulk_create(
            [Committee(code=f"SAC/TC {i}", name_zh=f"委员会{i}") for i in range(200)]
        )
        if not committees[0].pk:
            committees = list(Committee.objects.order_by("id"))
        CommitteeMember.objects.bulk_create(
            [
                CommitteeMember(
                    committee=committees[i % len(committees)],
                    user=u,
                    organisation=rng.choice(institutes),
                )
                for i, u in enumerate(users)
            ],
            batch_size=batch,
        )
        state = State.objects.order_by("id").first()
        for start in range(0, counts["projects"], batch):
            Project.objects.bulk_create(
                [
                    Project(
                        code=f"P{i:07d}",
                        title_zh=f"项目{i}",
                        state=state,
                        proposer_organisation=rng.choice(institutes),
                        drafting_units="、".join(
                            [*rng.sample(institutes, 2), rng.choice(names)]
                        ),
                    )
                    for i in range(start, min(start + batch, counts["projects"]))
                ]
            )
        ResearchProject.objects.bulk_create(
            [
                ResearchProject(
                    code=f"R{i:06d}",
                    title_zh=f"研究{i}",
                    lead_organisation=rng.choice(institutes),
                )
                for i in range(counts["research"])
            ],
            batch_size=batch,
        )
        standard = Standard.objects.create(
            identifier="GB/T 1.1-2020",
            ident_key="GB/T1.1-2020",
            base_key="GB/T1.1",
            prefix="GB/T",
            number="1.1",
            year=2020,
            level="national",
            title_zh="标准化工作导则",
        )
        Feedback.objects.bulk_create(
            [
                Feedback(
                    tracking_number=f"FB{i:07d}",
                    standard=standard,
                    name="某人",
                    subject="反馈",
                    body="内容",
                    organisation=rng.choice(names) if i % 3 else "",
                )
                for i in range(counts["feedback"])
            ],
            batch_size=batch,
        )
    return counts


def table_counts() -> dict[str, int]:
    from django.db import connection

    tables = [
        "declarations_enterprise",
        "declarations_inspector",
        "metrology_laboratory",
        "metrology_instrument",
        "lifecycle_committeemember",
        "lifecycle_project",
        "lifecycle_researchproject",
        "lifecycle_feedback",
    ]
    out = {}
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"SELECT COUNT(*) FROM {t}")
            out[t] = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM organisations_organisation")
        out["organisations_organisation"] = cur.fetchone()[0]
    return out


#: Each migrated party column; every row of the benchmark had a party there.
PARTY_COLUMNS = [
    ("declarations_enterprise", "organisation_id"),
    ("declarations_inspector", "organisation_id"),
    ("metrology_laboratory", "organisation_id"),
    ("metrology_instrument", "owner_id"),
    ("lifecycle_committeemember", "organisation_id"),
    ("lifecycle_project", "proposer_organisation_id"),
    ("lifecycle_researchproject", "lead_organisation_id"),
]


def parties_unlinked() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for table, column in PARTY_COLUMNS:
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} IS NULL")
            out[f"{table}.{column}"] = cur.fetchone()[0]
    return out


def drafting_units() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM lifecycle_projectdraftingunit")
        return cur.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    tmp, pg_name = setup(args.db)
    try:
        t0 = time.perf_counter()
        apps = migrate_before()
        counts = fill(apps, args.n, args.seed)
        built = time.perf_counter() - t0
        before = table_counts()
        print(
            f"built {sum(counts.values()):,} records in {built:.1f} s ({args.db}): {counts}"
        )
        from django.core.management import call_command

        t1 = time.perf_counter()
        call_command("migrate", verbosity=0)
        took = time.perf_counter() - t1
        after = table_counts()
        lost = {
            t: (before[t], after[t])
            for t in before
            if t != "organisations_organisation" and before[t] != after[t]
        }
        print(
            f"data migration: {took:.1f} s (target < 300 s at 1M) "
            f"organisations created: {after['organisations_organisation'] - before['organisations_organisation']:,}"
        )
        print("records lost: none" if not lost else f"RECORDS LOST: {lost}")
        unlinked = parties_unlinked()
        print(
            "every party points to an organisation"
            if not any(unlinked.values())
            else f"PARTIES NOT LINKED: {unlinked}"
        )
        print(f"drafting units: {drafting_units():,} (2-3 per project, in order)")
    finally:
        teardown(tmp, pg_name)


if __name__ == "__main__":
    main()

"""Benchmark for the lifecycle's data migration to organisations (issue 14).

Builds a database at ``lifecycle 0003`` (a fresh SQLite file under
``var/bench-lifecycle-parties/`` unless ``DATABASE_URL`` is set) with
free-text parties: projects with a proposer and two to four drafting units,
committee seats, research projects and public comments, drawn from a pool
of organisation names (so most strings repeat, as in real plans, and some
public texts match no registered name). It then times ``migrate lifecycle``
(0004 schema, 0005 matching and registering, 0006 dropping the texts) and
checks that every staff-entered party points to an organisation.

Usage::

    .venv/bin/python bench/lifecycle_parties.py                   # 1,000,000 records
    .venv/bin/python bench/lifecycle_parties.py --records 100000  # quick

Target: a 1M-record database migrates in under 5 minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BEFORE = ("lifecycle", "0003_event_type_comment_resolved")
SUFFIXES = ["有限公司", "研究院", "大学", "研究所", "标准化研究院", "检测中心", "集团"]


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        data = ROOT / "var" / "bench-lifecycle-parties"
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True, exist_ok=True)
        os.environ["QIHUB_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    os.environ.setdefault("QIHUB_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("migrate", BEFORE[0], BEFORE[1], verbosity=0)


def build(records: int, seed: int) -> dict[str, int]:
    """Rows at 0003 through raw SQL: 60 % projects, 10 % seats, 5 % research,
    25 % public comments (half of them naming a registered organisation)."""
    from django.db import connection, transaction
    from django.utils import timezone

    rng = random.Random(seed)
    names = [
        f"某{i}号{SUFFIXES[i % len(SUFFIXES)]}" for i in range(max(records // 50, 50))
    ]
    now = timezone.now().isoformat()
    n = {
        "projects": records * 60 // 100,
        "seats": records * 10 // 100,
        "research": records * 5 // 100,
        "comments": records * 25 // 100,
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM lifecycle_state WHERE slug = 'proposal'")
        state = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO lifecycle_project (created_at, updated_at, code, kind, level,"
            " title_zh, title_en, scope, identifier, ics, state_id,"
            " proposer_organisation, drafting_units, drafters,"
            " implementation_months, draft_file, draft_text)"
            " VALUES (%s, %s, %s, 'new', 'national', %s, '', '', '', '', %s, %s, %s,"
            " '', 6, '', '')",
            (
                (
                    now,
                    now,
                    f"B{i:08d}",
                    f"项目{i}",
                    state,
                    rng.choice(names),
                    "、".join(rng.sample(names, rng.randint(2, 4))),
                )
                for i in range(n["projects"])
            ),
        )
        cur.execute(
            "INSERT INTO lifecycle_committee (created_at, updated_at, code, name_zh,"
            " name_en, level, email, quorum, approval_threshold, disapproval_max)"
            " VALUES (%s, %s, 'BENCH/TC', '', '', 'national', '', 0.5, 0.75, 0.25)",
            (now, now),
        )
        cur.execute("SELECT id FROM lifecycle_committee WHERE code = 'BENCH/TC'")
        committee = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO auth_user (password, is_superuser, username, first_name,"
            " last_name, email, is_staff, is_active, date_joined)"
            " VALUES ('!', %s, %s, '', '', '', %s, %s, %s)",
            ((False, f"bench{i}", False, True, now) for i in range(n["seats"])),
        )
        cur.execute("SELECT id FROM auth_user WHERE username LIKE 'bench%%'")
        users = [row[0] for row in cur.fetchall()]
        cur.executemany(
            "INSERT INTO lifecycle_committeemember (committee_id, user_id, role,"
            " organisation) VALUES (%s, %s, 'member', %s)",
            ((committee, user, rng.choice(names)) for user in users),
        )
        cur.executemany(
            "INSERT INTO lifecycle_researchproject (created_at, updated_at, code,"
            " title_zh, title_en, programme, lead_organisation, leader, status,"
            " summary) VALUES (%s, %s, %s, '研究', '', '', %s, '', 'ongoing', '')",
            ((now, now, f"R{i:08d}", rng.choice(names)) for i in range(n["research"])),
        )
        cur.execute("SELECT MIN(id) FROM lifecycle_project")
        first_project = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO lifecycle_consultation (created_at, updated_at, project_id,"
            " status, opens_on, closes_on) VALUES (%s, %s, %s, 'closed',"
            " '2026-01-01', '2026-03-01')",
            (now, now, first_project),
        )
        cur.execute("SELECT MIN(id) FROM lifecycle_consultation")
        consultation = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO lifecycle_comment (created_at, updated_at, consultation_id,"
            " number, commenter, organisation, email, clause, paragraph, type, text,"
            " proposed_change, resolution, observations)"
            " VALUES (%s, %s, %s, %s, '某人', %s, '', '', '', 'ge', 'x', '',"
            " 'pending', '')",
            (
                (
                    now,
                    now,
                    consultation,
                    i + 1,
                    rng.choice(names) if i % 2 else f"路人{i}",
                )
                for i in range(n["comments"])
            ),
        )
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    setup()
    t0 = time.perf_counter()
    counts = build(args.records, args.seed)
    print(
        f"built {args.records:,} records at 0003 in {time.perf_counter() - t0:.1f} s",
        counts,
    )

    from django.core.management import call_command

    took = 0.0
    for target in (
        "0004_organisations_schema",
        "0005_organisations_data",
        "0006_remove_party_texts",
    ):
        t0 = time.perf_counter()
        call_command("migrate", "lifecycle", target, verbosity=0)
        step = time.perf_counter() - t0
        took += step
        print(f"  {target}: {step:.1f} s")

    from qihub.lifecycle.models import CommitteeMember, Project, ProjectDraftingUnit
    from qihub.organisations.models import Organisation

    unlinked = (
        Project.objects.filter(proposer_organisation__isnull=True).count()
        + CommitteeMember.objects.filter(organisation__isnull=True).count()
    )
    if unlinked:
        raise SystemExit(f"{unlinked} staff-entered parties point to no organisation")
    print(
        f"migrate lifecycle 0004-0006: {took:.1f} s for {args.records:,} records "
        f"(target < 300 s at 1,000,000); {Organisation.objects.count():,} "
        f"organisations, {ProjectDraftingUnit.objects.count():,} drafting units"
    )


if __name__ == "__main__":
    main()

"""International benchmark: field comparison and TBT matching at scale.

    .venv/bin/python bench/international.py [--scale 1.0] [--rebuild]

At ``--scale 1`` the data set is the issue's: 1,000,000 standards (20 %
international, 5 % foreign, the rest domestic; one real ICS code each from
the shipped classification), 50,000 adoption relations (domestic →
international, degree IDT/MOD/NEQ), 3,000,000 published declarations of
100,000 enterprises (each enterprise declares standards of one ICS
sub-group, as an industry does), and 10,000 TBT/SPS notifications with one
to three ICS codes (a third at group level, covering its sub-groups) and a
cited identifier in a quarter of them. Other scales multiply every count.

It measures

* ``comparison.field_comparison(ics="67")`` (target < 2 s at scale 1): the
  international standards in force in ICS 67, their adoptions and degrees,
  the unmatched ones, by year; median of 5 runs after one warm-up;
* ``tbt.tbt_match()`` of every notification (target < 60 s at scale 1):
  one match row per (notification, ICS code / cited standard), and inbox
  items for the users of the enterprises touched (1 % of the enterprises
  have a user); then the enterprise page of the widest notification
  (``selectors.tbt_enterprises``: count, first and last page of 50);
* with ``--before``, first the matching as it was before (``_tbt_before``:
  a row per notification and enterprise), then the data migration that drops
  the rows reading reproduces, on the same data in the same run.

The data set lives in its own SQLite file in ``$QIHUB_BENCH_DIR`` (default
``<tmp>/qihub-bench-international/``) unless ``DATABASE_URL`` is set; it is
kept between runs (``--rebuild`` to start again). Report ``uptime`` beside
the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime
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
sys.path.insert(0, str(ROOT / "src"))


def _setup(args) -> None:
    if "DATABASE_URL" not in os.environ:
        default = Path(tempfile.gettempdir()) / "qihub-bench-international"
        data = Path(os.environ.get("QIHUB_BENCH_DIR", default)) / f"s{args.scale:g}"
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


def _credit_code(n: int) -> str:
    from qihub.organisations.credit_codes import ALPHABET, check_character

    digits = []
    for _ in range(9):
        n, r = divmod(n, 31)
        digits.append(ALPHABET[r])
    body = "91440300" + "".join(reversed(digits))
    return body + check_character(body)


def build(scale: float, seed: int = 1) -> None:
    from django.db import connection, transaction

    from qihub.catalog.models import Standard
    from qihub.vocab.models import IcsCode
    from qihub.vocab.services import classifications_load

    if Standard.objects.exists():
        print(
            f"data set present: {Standard.objects.count():,} standards (--rebuild to redo)"
        )
        return
    if not IcsCode.objects.exists():
        classifications_load()
    rng = random.Random(seed)
    t0 = time.perf_counter()
    n_std = int(1_000_000 * scale)
    n_adopt = int(50_000 * scale)
    n_decl = int(3_000_000 * scale)
    n_ent = max(10, int(100_000 * scale))
    n_note = max(10, int(10_000 * scale))
    codes = sorted(IcsCode.objects.values_list("code", flat=True))
    parents = {c.rsplit(".", 1)[0] for c in codes if "." in c}
    leaves = [c for c in codes if c not in parents]
    groups = [c for c in codes if c.count(".") == 1]
    now = datetime.datetime.now(datetime.UTC).isoformat(sep=" ")
    intl_ids: list[int] = []
    dom_ids: list[int] = []
    by_leaf: dict[str, list[int]] = {}
    batch = 20000
    with transaction.atomic(), connection.cursor() as cur:
        stds, ics = [], []

        def flush_std():
            cur.executemany(
                "INSERT INTO catalog_standard (id, created_at, updated_at, identifier,"
                " ident_key, base_key, prefix, number, year, level, nature, status,"
                " title_zh, title_en, issued_on, implemented_on, withdrawn_on, ccs_id,"
                " issuing_body, committee, scope, source, external_id, search_text,"
                " referenced_only, import_run_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
                "%s,%s,%s,%s,%s,NULL,NULL,NULL,'','','','bench','','',%s,NULL)",
                stds,
            )
            cur.executemany(
                "INSERT INTO catalog_standard_ics (standard_id, icscode_id) VALUES (%s,%s)",
                ics,
            )
            stds.clear()
            ics.clear()

        for i in range(1, n_std + 1):
            r = rng.random()
            year = rng.randint(1990, 2025)
            if r < 0.20:
                prefix, level, nature, status = (
                    "ISO",
                    "international",
                    "voluntary",
                    "published",
                )
                ident = f"ISO {10000 + i}:{year}"
                key = f"ISO{10000 + i}:{year}"
                intl_ids.append(i)
            elif r < 0.25:
                prefix, level, nature, status = (
                    "EN",
                    "foreign_regional",
                    "voluntary",
                    "published",
                )
                ident = f"EN {10000 + i}:{year}"
                key = f"EN{10000 + i}:{year}"
            else:
                prefix, level, nature, status = (
                    "GB/T",
                    "national",
                    "recommended",
                    "in_force",
                )
                ident = f"GB/T {10000 + i}-{year}"
                key = f"GB/T{10000 + i}-{year}"
                dom_ids.append(i)
            if rng.random() < 0.1:
                status = "withdrawn"
            leaf = rng.choice(leaves)
            stds.append(
                (
                    i,
                    now,
                    now,
                    ident,
                    key,
                    key.rsplit(":" if ":" in key else "-", 1)[0],
                    prefix,
                    str(10000 + i),
                    year,
                    level,
                    nature,
                    status,
                    f"合成标准 {i}",
                    f"Synthetic standard {i}",
                    f"{year}-06-01",
                    False,
                )
            )
            ics.append((i, leaf))
            if level == "national" and status == "in_force":
                by_leaf.setdefault(leaf, []).append(i)
            if len(stds) >= batch:
                flush_std()
        flush_std()
        print(f"  standards: {n_std:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
        rels = set()
        while len(rels) < n_adopt:
            rels.add((rng.choice(dom_ids), rng.choice(intl_ids)))
        cur.executemany(
            "INSERT INTO catalog_standardrelation (created_at, updated_at, source_id,"
            " target_id, kind, degree, note) VALUES (%s,%s,%s,%s,'adopts',%s,'')",
            [
                (now, now, s, t, rng.choice(["IDT", "IDT", "MOD", "NEQ"]))
                for s, t in rels
            ],
        )
        print(
            f"  adoptions: {n_adopt:,} ({time.perf_counter() - t0:.0f} s)", flush=True
        )
        leaf_list = [c for c in leaves if by_leaf.get(c)]
        orgs, ents = [], []
        ent_leaf = {}
        for e in range(1, n_ent + 1):
            name = f"合成食品企业{e}有限公司"
            orgs.append((e, now, now, name, f"bench{e}", _credit_code(e), name))
            ents.append((e, now, now, e, "食品"))
            ent_leaf[e] = rng.choice(leaf_list)
        cur.executemany(
            "INSERT INTO organisations_organisation (id, created_at, updated_at, name_zh,"
            " name_en, name_key, former_names, credit_code, kind, region_id, address,"
            " website, contact_name, contact_email, contact_phone, search_text) VALUES"
            " (%s,%s,%s,%s,'',%s,'[]',%s,'enterprise',NULL,'','','','','',%s)",
            orgs,
        )
        cur.executemany(
            "INSERT INTO declarations_enterprise (id, created_at, updated_at,"
            " organisation_id, industry) VALUES (%s,%s,%s,%s,%s)",
            ents,
        )
        decls, versions, cites = [], [], []

        def flush_decl():
            cur.executemany(
                "INSERT INTO declarations_declaration (id, created_at, updated_at,"
                " enterprise_id, status, current_version_id, product_name, product_key,"
                " category, region, industry, enterprise_key, credit_code, check_status,"
                " published_at) VALUES (%s,%s,%s,%s,'published',%s,'p','p','c','','食品',"
                "'', '', 'ok', %s)",
                decls,
            )
            cur.executemany(
                "INSERT INTO declarations_declarationversion (id, created_at, updated_at,"
                " declaration_id, number, status, product_name, category, is_service,"
                " q_standard_file, check_status, check_results, checked_at, published_at)"
                " VALUES (%s,%s,%s,%s,1,'published','p','c',%s,'','ok','[]',%s,%s)",
                versions,
            )
            cur.executemany(
                "INSERT INTO declarations_declaredstandard (version_id, standard_id,"
                " identifier, flag) VALUES (%s,%s,'x','ok')",
                cites,
            )
            decls.clear()
            versions.clear()
            cites.clear()

        for d in range(1, n_decl + 1):
            e = rng.randint(1, n_ent)
            decls.append((d, now, now, e, d, now))
            versions.append((d, now, now, d, False, now, now))
            cites.append((d, rng.choice(by_leaf[ent_leaf[e]])))
            if len(decls) >= batch:
                flush_decl()
                if d % 500_000 == 0:
                    print(
                        f"  declarations: {d:,} ({time.perf_counter() - t0:.0f} s)",
                        flush=True,
                    )
        flush_decl()
        notes = []
        for n in range(1, n_note + 1):
            k = rng.randint(1, 3)
            picked = [
                rng.choice(groups) if rng.random() < 1 / 3 else rng.choice(leaves)
                for _ in range(k)
            ]
            text = "Draft technical regulation."
            if rng.random() < 0.25:
                text += f" Test methods per ISO {10000 + rng.choice(intl_ids)}."
            notes.append(
                (
                    now,
                    now,
                    f"G/TBT/N/BEN/{n}",
                    "TBT",
                    "Benchland",
                    "2026-01-01",
                    "food",
                    "[]",
                    json.dumps(picked),
                    text,
                    "2026-03-01",
                )
            )
        cur.executemany(
            "INSERT INTO international_tbtnotification (created_at, updated_at, symbol,"
            " kind, member, distributed_on, products, hs_codes, ics_codes, description,"
            " comment_deadline, matched_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,NULL)",
            notes,
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"built {n_std:,} standards, {n_adopt:,} adoptions, {n_decl:,} declarations of "
        f"{n_ent:,} enterprises, {n_note:,} notifications in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )


def bench_comparison() -> dict:
    from qihub.international.comparison import field_comparison

    field_comparison(ics="67")
    times = []
    for _ in range(5):
        t = time.perf_counter()
        c = field_comparison(ics="67")
        times.append(time.perf_counter() - t)
    return {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "international_in_force": c.total,
        "adopted": c.adopted,
        "unmatched": c.total - c.adopted,
    }


def ensure_members(share: float = 0.01) -> int:
    """One user for ``share`` of the enterprises (every 100th), so matching
    has inboxes to fill; added once."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from qihub.declarations.models import Enterprise
    from qihub.organisations.models import Membership

    if not User.objects.filter(username__startswith="bench-").exists():
        orgs = list(
            Enterprise.objects.order_by("id").values_list("organisation_id", flat=True)
        )[:: int(1 / share)]
        users = User.objects.bulk_create(
            User(username=f"bench-{o}", password=make_password(None)) for o in orgs
        )
        Membership.objects.bulk_create(
            Membership(user=u, organisation_id=o)
            for u, o in zip(users, orgs, strict=True)
        )
    return Membership.objects.filter(user__username__startswith="bench-").count()


def _clear_tbt_inbox() -> None:
    from qihub.alerts.models import InboxItem

    InboxItem.objects.filter(dedupe__startswith="tbt:").delete()


def bench_tbt_before() -> dict:
    from _tbt_before import tbt_match

    from qihub.international.models import TbtMatch

    _clear_tbt_inbox()
    t = time.perf_counter()
    n = tbt_match()
    out = {"seconds": round(time.perf_counter() - t, 1), "match_rows": n}
    import importlib

    from django.apps import apps
    from django.db import transaction

    migration = importlib.import_module(
        "qihub.international.migrations.0003_tbt_enterprises_read_from_declarations"
    )
    t = time.perf_counter()
    with transaction.atomic():
        migration.forwards(apps, None)
    out["migration_s"] = round(time.perf_counter() - t, 1)
    out["rows_kept"] = TbtMatch.objects.filter(kind="organisation").count()
    return out


def bench_tbt() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qihub.alerts.models import InboxItem
    from qihub.international import selectors
    from qihub.international.models import TbtNotification
    from qihub.international.tbt import tbt_match

    _clear_tbt_inbox()
    t = time.perf_counter()
    n = tbt_match()
    out = {"seconds": round(time.perf_counter() - t, 1), "match_rows": n}
    out["inbox_items"] = InboxItem.objects.filter(dedupe__startswith="tbt:").count()
    # the widest notification (its codes cover the most fields) and a
    # median one
    from qihub.international.tbt import _covered
    from qihub.vocab.models import IcsCode

    known = sorted(IcsCode.objects.values_list("code", flat=True))
    notes = sorted(
        TbtNotification.objects.only("pk", "symbol", "ics_codes"),
        key=lambda n: (sum(len(_covered(c, known)) for c in n.ics_codes), n.pk),
    )
    out["pages"] = []
    for note in (notes[-1], notes[len(notes) // 2]):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            found = selectors.tbt_enterprises(note)
            first = found.page(1)
            found.reasons(first.object_list)
            last = found.page(first.paginator.num_pages)
            found.reasons(last.object_list)
        out["pages"].append(
            {
                "symbol": note.symbol,
                "fields": len(found.codes),
                "enterprises": first.paginator.count,
                "seconds": round((time.perf_counter() - t) / 2, 3),
                "queries": len(queries) // 2,
            }
        )
    return out


def _uptime() -> str:
    return subprocess.run(
        ["uptime"],  # noqa: S607 - the system's uptime, wherever it is
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--before",
        action="store_true",
        help="also time the matching as it was before issue 21, first",
    )
    args = parser.parse_args()
    _setup(args)
    build(args.scale)
    members = ensure_members()
    from django.db import connection

    print(
        f"database: {connection.vendor}; scale {args.scale:g}; "
        f"{members:,} enterprise users"
    )
    print(
        "load:",
        _uptime(),
    )
    cmp = bench_comparison()
    print(
        f"field comparison ICS 67: median {cmp['median_s']} s, max {cmp['max_s']} s "
        f"({cmp['international_in_force']:,} international in force, "
        f"{cmp['adopted']:,} adopted, {cmp['unmatched']:,} unmatched); target < 2 s at scale 1"
    )
    if args.before:
        old = bench_tbt_before()
        print(
            f"TBT matching as before: {old['seconds']} s, "
            f"{old['match_rows']:,} match rows; data migration "
            f"{old['migration_s']} s, {old['rows_kept']:,} rows kept"
        )
        print("load:", _uptime())
    tbt = bench_tbt()
    print(
        f"TBT matching of every notification: {tbt['seconds']} s, "
        f"{tbt['match_rows']:,} match rows, {tbt['inbox_items']:,} inbox items;"
        " target < 60 s at scale 1"
    )
    for p in tbt["pages"]:
        print(
            f"enterprises of {p['symbol']} ({p['fields']} fields): "
            f"{p['enterprises']:,}; a page of 50 with the count and the reasons "
            f"in {p['seconds']} s, {p['queries']} queries (mean of first and last)"
        )
    print(
        "load:",
        _uptime(),
    )


if __name__ == "__main__":
    main()

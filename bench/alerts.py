"""Alerts benchmark: the daily alert job and the first byte of an export.

    .venv/bin/python bench/alerts.py [--standards 200000] [--watches 100000]
                                     [--changed 10000] [--users 10000]

Builds a scratch SQLite database under /tmp (migrated), writes N synthetic
standards in bulk, W watches spread over U users (standards, identifiers,
ICS fields, levels), replaces C followed-or-not standards (status *replaced*
and a *replaced* event each, the successor related), then times
``alerts_run`` (the job: matching, inbox items, successor watches) and
``digests_send`` (locmem mail), and the time to the first chunk of the CSV
export of 100,000 rows and to its last.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _openpyxl_export(exports, params: dict) -> int:
    """The former XLSX export, for comparison: openpyxl's write-only
    workbook to a temporary file, whose first byte waits for the save."""
    import tempfile as _tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from qihub.core.spreadsheets import safe_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("standards")
    ws.append(list(exports.COLUMNS))
    for row in exports.export_rows(params, limit=100_000):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=str(safe_cell(value)))
            cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    with _tempfile.TemporaryFile() as f:
        wb.save(f)
        f.seek(0)
        f.read(1)
        return f.seek(0, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--standards", type=int, default=200_000)
    parser.add_argument("--watches", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument(
        "--snapshot",
        type=Path,
        help="a folder: the built database is saved there (VACUUM INTO) the "
        "first time and copied from it on later runs, so the timed part can "
        "be repeated without rebuilding (the sizes must match)",
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="qihub-bench-alerts-")
    try:
        _run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args, tmp: str) -> None:
    saved = args.snapshot / "qihub.sqlite3" if args.snapshot else None
    if saved is not None and saved.exists():
        shutil.copyfile(saved, Path(tmp) / "qihub.sqlite3")
    os.environ["QIHUB_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from qihub.alerts import exports, services
    from qihub.alerts.models import Watch
    from qihub.catalog.models import Standard, StandardEvent, StandardRelation
    from qihub.vocab.services import classifications_load

    t0 = time.perf_counter()
    if saved is None or not saved.exists():
        classifications_load()
        ics_codes = ["03.120.10", "13.020.10", "67.040", "91.100.30", "29.020"]
        n = args.standards
        with transaction.atomic():
            Standard.objects.bulk_create(
                (
                    Standard(
                        identifier=f"GB/T {i}-2016",
                        ident_key=f"GBT{i}2016",
                        base_key=f"GBT{i}",
                        prefix="GB/T",
                        number=str(i),
                        year=2016,
                        level="national",
                        status="in_force",
                        title_zh=f"标准 {i}",
                        committee=f"SAC/TC {i % 500}",
                        # the search document, so the full-text export below
                        # has matches (the index triggers read it)
                        search_text=f"gb t {i} 2016 gbt 标准 lvlnational yr2016",
                    )
                    for i in range(1, n + 1)
                ),
                batch_size=5000,
            )
            ids = list(Standard.objects.order_by("id").values_list("id", flat=True))
            through = Standard.ics.through
            through.objects.bulk_create(
                (
                    through(standard_id=pk, icscode_id=ics_codes[k % len(ics_codes)])
                    for k, pk in enumerate(ids)
                ),
                batch_size=5000,
            )
            users = get_user_model().objects.bulk_create(
                get_user_model()(username=f"u{k}", email=f"u{k}@example.org")
                for k in range(args.users)
            )
            users = list(get_user_model().objects.values_list("id", flat=True))
            watches = []
            for k in range(args.watches):
                uid = users[k % len(users)]
                spread = (k // len(users) + k) % (args.changed * 2)
                r = k % 20
                if r < 16:  # mostly standards: half of them among the changed
                    pk = ids[spread]
                    watches.append(
                        Watch(user_id=uid, kind="standard", key=str(pk), standard_id=pk)
                    )
                elif r < 18:
                    watches.append(
                        Watch(
                            user_id=uid, kind="identifier", key=f"base:GBT{k % n + 1}"
                        )
                    )
                elif r == 18:
                    watches.append(
                        Watch(
                            user_id=uid, kind="ics", key=ics_codes[k % 5][:2] + f"#{k}"
                        )
                    )
                else:
                    watches.append(
                        Watch(user_id=uid, kind="committee", key=f"SAC/TC {k}")
                    )
            Watch.objects.bulk_create(watches, batch_size=5000, ignore_conflicts=True)
        services.alerts_run()  # the cursor after the load
        with transaction.atomic():
            changed = ids[: args.changed]
            successors = Standard.objects.bulk_create(
                (
                    Standard(
                        identifier=f"GB/T {i}-2026",
                        ident_key=f"GBT{i}2026",
                        base_key=f"GBT{i}",
                        prefix="GB/T",
                        number=str(i),
                        year=2026,
                        level="national",
                        status="in_force",
                        title_zh=f"标准 {i}",
                    )
                    for i in range(1, args.changed + 1)
                ),
                batch_size=5000,
            )
            new_ids = dict(
                Standard.objects.filter(year=2026).values_list("number", "id")
            )
            Standard.objects.filter(id__in=changed).update(status="replaced")
            now = timezone.now()
            StandardEvent.objects.bulk_create(
                (
                    StandardEvent(standard_id=pk, type="replaced", created_at=now)
                    for pk in changed
                ),
                batch_size=5000,
            )
            StandardRelation.objects.bulk_create(
                (
                    StandardRelation(
                        source_id=new_ids[str(i + 1)], target_id=pk, kind="replaces"
                    )
                    for i, pk in enumerate(changed)
                ),
                batch_size=5000,
            )
        del successors
        if saved is not None:
            saved.parent.mkdir(parents=True, exist_ok=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(saved)])
    setup = time.perf_counter() - t0
    users = get_user_model().objects.count()
    watch_count = Watch.objects.count()
    # the scheduled job as it runs: the matching, then the digests
    t, c = time.perf_counter(), time.process_time()
    report = services.alerts_daily()
    daily, cpu = time.perf_counter() - t, time.process_time() - c
    job = report.seconds
    mails = report.mails
    digest = daily - job
    t = time.perf_counter()
    stream = exports.csv_stream({"level": "national"}, limit=100_000)
    next(stream)
    next(stream)
    first = time.perf_counter() - t
    rows = sum(chunk.count("\n") for chunk in stream)
    whole = time.perf_counter() - t
    # the search page's XLSX button, streamed: the first block, the first
    # block holding rows, and the whole; and beside it openpyxl's
    # write-only workbook (the former way: saved whole before any byte)
    t = time.perf_counter()
    xstream = exports.xlsx_stream({"level": "national"}, limit=100_000)
    next(xstream)
    xlsx_first = time.perf_counter() - t
    xlsx_size = len(next(xstream))
    xlsx_rows_first = time.perf_counter() - t
    peak_block = xlsx_size
    for block in xstream:
        xlsx_size += len(block)
        peak_block = max(peak_block, len(block))
    xlsx_whole = time.perf_counter() - t
    t = time.perf_counter()
    openpyxl_size = _openpyxl_export(exports, {"level": "national"})
    openpyxl_first = time.perf_counter() - t
    # a full-text search export, walked as the matches come (search_walk);
    # beside it the former way's wait before its first row: the search
    # collecting every matching id first
    # jieba's dictionary loads once a process (about 0.5 s) on the first
    # query: a server has it loaded, so it is loaded before the timing
    from qihub.catalog.search import search_standards
    from qihub.catalog.search_text import query_tokens

    query_tokens("标准")
    t = time.perf_counter()
    qstream = exports.csv_stream({"q": "标准"}, limit=100_000)
    next(qstream)
    next(qstream, None)
    q_first = time.perf_counter() - t
    q_rows = sum(chunk.count("\n") for chunk in qstream)
    q_whole = time.perf_counter() - t
    t = time.perf_counter()
    search_standards(q="标准", limit=100_000)
    q_old_first = time.perf_counter() - t
    connection.close()
    load = os.getloadavg()
    print(
        f"standards {Standard.objects.count():,}, watches {watch_count:,}, "
        f"users {users:,}, changed {args.changed:,} (setup {setup:.1f} s)"
    )
    print(
        f"daily alert job (alerts_daily): {daily:.2f} s (target < 60 s), "
        f"CPU {cpu:.2f} s"
    )
    print(
        f"  matching (alerts_run): {job:.2f} s: {report.items:,} inbox items, "
        f"{report.moved:,} watches moved to successors"
    )
    print(f"  digests: {mails:,} e-mails in {digest:.2f} s")
    print(
        f"CSV export 100,000 rows: first byte {first * 1000:.0f} ms "
        f"(target < 1 s), all {rows:,} rows in {whole:.2f} s"
    )
    print(
        f"XLSX export 100,000 rows, streamed: first byte {xlsx_first * 1000:.0f} ms "
        f"(target < 1 s), first rows {xlsx_rows_first * 1000:.0f} ms, whole "
        f"{xlsx_whole:.2f} s, {xlsx_size / 1e6:.1f} MB, largest block "
        f"{peak_block / 1024:.0f} KiB"
    )
    print(
        f"  same run, openpyxl write-only saved whole (the former way): first "
        f"byte {openpyxl_first:.2f} s, {openpyxl_size / 1e6:.1f} MB"
    )
    print(
        f"CSV export of a full-text search: first rows {q_first * 1000:.0f} ms "
        f"(target < 1 s), {q_rows:,} more rows in {q_whole:.2f} s; same run, "
        f"the former way's wait for every id first {q_old_first:.2f} s"
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()

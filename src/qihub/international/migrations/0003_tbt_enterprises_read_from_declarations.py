"""TBT matches stop storing one row per (notification, enterprise): the
enterprises are read from the declarations in the notification's fields and
cited standards. This drops every enterprise row that reading reproduces and
keeps the others (an enterprise whose declaration was withdrawn after the
match), so every notification still lists the enterprises it listed before.
Backwards, the rows are written again from the declarations."""

import bisect
from collections import defaultdict

from django.db import migrations

CHUNK = 500


def _citations(apps):
    """(standard, ICS code or None, organisation) of every published
    declaration's current version, in one pass over the declarations (the
    ORM's join order makes SQLite probe the ICS table per row: minutes at a
    million declarations)."""
    from django.db import connection

    t = {
        name: apps.get_model(*name.split("."))._meta.db_table
        for name in (
            "declarations.Declaration",
            "declarations.DeclaredStandard",
            "declarations.Enterprise",
            "catalog.Standard_ics",
        )
    }
    # Table names only, from the models; the value is a parameter.
    sql = (
        "SELECT DISTINCT ds.standard_id, si.icscode_id, e.organisation_id"  # noqa: S608
        f" FROM {t['declarations.Declaration']} d"
        f" CROSS JOIN {t['declarations.DeclaredStandard']} ds"
        f" CROSS JOIN {t['declarations.Enterprise']} e"
        f" LEFT JOIN {t['catalog.Standard_ics']} si ON si.standard_id = ds.standard_id"
        " WHERE d.status = %s AND ds.version_id = d.current_version_id"
        " AND e.id = d.enterprise_id AND ds.standard_id IS NOT NULL"
    )
    with connection.cursor() as cur:
        cur.execute(sql, ["published"])
        while rows := cur.fetchmany(20000):
            yield from rows


def _live(apps) -> dict[int, dict[int, str]]:
    """Notification id → {organisation id: its field, "" for a cited
    standard} as the declarations show them now."""
    TbtMatch = apps.get_model("international", "TbtMatch")
    IcsCode = apps.get_model("vocab", "IcsCode")

    known = sorted(IcsCode.objects.values_list("code", flat=True))

    def covered(code: str) -> list[str]:
        out, i = [], bisect.bisect_left(known, code)
        while i < len(known) and (known[i] == code or known[i].startswith(code + ".")):
            out.append(known[i])
            i += 1
        return out or [code]

    codes: dict[int, set[str]] = defaultdict(set)
    stds: dict[int, set[int]] = defaultdict(set)
    for nid, kind, code, std in TbtMatch.objects.filter(
        kind__in=["ics", "standard"]
    ).values_list("notification_id", "kind", "ics_code", "standard_id"):
        if kind == "ics":
            codes[nid].update(covered(code))
        elif std:
            stds[nid].add(std)
    wanted = set().union(*codes.values()) if codes else set()
    wanted_std = set().union(*stds.values()) if stds else set()
    by_code: dict[str, set[int]] = defaultdict(set)
    by_std: dict[int, set[int]] = defaultdict(set)
    for std, code, org_id in _citations(apps):
        if code in wanted:
            by_code[code].add(org_id)
        if std in wanted_std:
            by_std[std].add(org_id)
    out: dict[int, dict[int, str]] = {}
    for nid in set(codes) | set(stds):
        found: dict[int, str] = {}
        for code in sorted(codes.get(nid, ())):
            for org_id in by_code.get(code, ()):
                found.setdefault(org_id, code)
        for std in stds.get(nid, ()):
            for org_id in by_std.get(std, ()):
                found.setdefault(org_id, "")
        out[nid] = found
    return out


def forwards(apps, schema_editor):
    TbtMatch = apps.get_model("international", "TbtMatch")
    rows = TbtMatch.objects.filter(kind="organisation")
    if not rows.exists():
        return
    live = _live(apps)
    kept: list[int] = []
    reproduced: list[int] = []
    for pk, nid, org_id in rows.values_list(
        "pk", "notification_id", "organisation_id"
    ).iterator(chunk_size=20000):
        (reproduced if org_id in live.get(nid, {}) else kept).append(pk)
    if len(kept) <= CHUNK:
        # one statement (the usual case: reading reproduces nearly every row)
        rows.exclude(pk__in=kept).delete()
    else:
        for i in range(0, len(reproduced), CHUNK):
            TbtMatch.objects.filter(pk__in=reproduced[i : i + CHUNK]).delete()


def backwards(apps, schema_editor):
    TbtMatch = apps.get_model("international", "TbtMatch")
    recorded = set(
        TbtMatch.objects.filter(kind="organisation").values_list(
            "notification_id", "organisation_id"
        )
    )

    def rows():
        for nid, found in _live(apps).items():
            for org_id, code in found.items():
                if (nid, org_id) not in recorded:
                    yield TbtMatch(
                        notification_id=nid,
                        kind="organisation",
                        organisation_id=org_id,
                        ics_code=code,
                    )

    TbtMatch.objects.bulk_create(rows(), batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("international", "0002_tbtmatch_field_indexes"),
        ("declarations", "0006_enterprise_organisation_cleanup"),
        ("vocab", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

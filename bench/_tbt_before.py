"""The TBT matching as it was before issue 21's rework (one stored row per
notification and enterprise), kept for ``bench/international.py --before``
to time against the current code in the same run on the same data.

Its helpers (identifier grammar, cited standards) are the current module's.

Matching WTO TBT/SPS notifications to the platform, set-wise.

A notification touches its ICS codes (each code and every narrower one: a
notification on 67.100 covers 67.100.10); the catalogue standards it names in
its description or products text (read by the identifier grammar); and the
organisations whose published declarations cite a standard in those fields,
or a standard the notification names. One query finds the (ICS code,
organisation) pairs of every published declaration in all the fields of the
batch; the rest is done in memory, and the matches are written in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import islice

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.international.models import InternationalEvent, TbtMatch, TbtNotification
from qihub.international.tbt import _covered, _resolve_cited, clean_ics
from qihub.organisations.profile import counts_changed
from qihub.vocab.models import IcsCode


def _pairs_sql(first: str, key: str) -> str:
    """(key, organisation) of published declarations' current versions,
    starting from the keys: ``CROSS JOIN`` keeps SQLite from scanning every
    declaration and probing each key (PostgreSQL plans it the same either
    way)."""
    from qihub.declarations.models import (
        Declaration,
        DeclarationVersion,
        DeclaredStandard,
        Enterprise,
    )

    # Table and column names only, from the models; values go as parameters.
    return (
        f"SELECT DISTINCT {key}, e.organisation_id FROM {first}"
        f" CROSS JOIN {DeclaredStandard._meta.db_table} ds"
        f" CROSS JOIN {DeclarationVersion._meta.db_table} v"
        f" CROSS JOIN {Declaration._meta.db_table} d"
        f" CROSS JOIN {Enterprise._meta.db_table} e"
        " WHERE {where} AND v.id = ds.version_id AND d.id = v.declaration_id"
        " AND d.current_version_id = v.id AND d.status = %s"
        " AND e.id = d.enterprise_id"
    )


def _declaring_organisations(
    codes: set[str], standard_ids: set[int]
) -> tuple[dict[str, set[int]], dict[int, set[int]]]:
    """(ICS code → organisations, standard → organisations) over published
    declarations' current versions, found from the codes and standards (work
    in proportion to the matches, not to the declarations)."""
    from django.db import connection

    ics_table = Standard.ics.through._meta.db_table
    by_code: dict[str, set[int]] = defaultdict(set)
    by_std: dict[int, set[int]] = defaultdict(set)
    jobs = (
        (
            sorted(codes),
            by_code,
            _pairs_sql(f"{ics_table} si", "si.icscode_id"),
            "si.icscode_id IN ({ph}) AND ds.standard_id = si.standard_id",
        ),
        (
            sorted(standard_ids),
            by_std,
            _pairs_sql(f"{Standard._meta.db_table} s", "s.id"),
            "s.id IN ({ph}) AND ds.standard_id = s.id",
        ),
    )
    with connection.cursor() as cur:
        for values, out, sql, where in jobs:
            for i in range(0, len(values), 900):
                chunk = values[i : i + 900]
                cond = where.format(ph=", ".join(["%s"] * len(chunk)))
                cur.execute(sql.replace("{where}", cond), [*chunk, "published"])
                while rows := cur.fetchmany(20000):
                    for key, org in rows:
                        out[key].add(org)
    return by_code, by_std


def _alert_followers(notes, heads, per_note_codes, cited, by_code, by_std) -> int:
    """Inbox items for the followers of each notification's ICS fields and
    cited standards, and for the members of the organisations it touches
    (their declarations fall in those fields or cite those standards)."""
    from qihub.alerts.services import Notice, notices_deliver

    notices = []
    for pk, _codes, description, products in notes:
        symbol, member, deadline = heads[pk]
        orgs: set[int] = set()
        for code in per_note_codes[pk]:
            orgs |= by_code.get(code, set())
        for std in cited.get(pk, ()):
            orgs |= by_std.get(std, set())
        subject = _("TBT/SPS notification %(symbol)s from %(member)s") % {
            "symbol": symbol,
            "member": member,
        }
        if deadline:
            subject += " " + _("(comments until %(date)s)") % {
                "date": deadline.isoformat()
            }
        notices.append(
            Notice(
                dedupe=f"tbt:{pk}",
                subject=subject,
                body=(products or description or "")[:1000],
                url=reverse("international:tbt_detail", args=[pk]),
                ics=set(per_note_codes[pk]),
                standards=set(cited.get(pk, ())),
                organisations=orgs,
            )
        )
    return notices_deliver(notices=notices)


@transaction.atomic
def tbt_match(*, notification_ids: Sequence[int] | None = None, actor=None) -> int:
    """(Re)match notifications (all when ``notification_ids`` is None): their
    earlier matches are replaced. Returns the number of match rows."""
    qs = TbtNotification.objects.all()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    notes = list(qs.values_list("pk", "ics_codes", "description", "products"))
    heads = {
        pk: (symbol, member, deadline)
        for pk, symbol, member, deadline in qs.values_list(
            "pk", "symbol", "member", "comment_deadline"
        )
    }
    if not notes:
        return 0
    ids = [n[0] for n in notes]
    known = sorted(IcsCode.objects.values_list("code", flat=True))
    per_note_codes: dict[int, set[str]] = {}
    wanted: set[str] = set()
    for pk, codes, _d, _p in notes:
        covered: set[str] = set()
        for code in clean_ics(codes or []):
            covered.update(_covered(code, known) or [code])
        per_note_codes[pk] = covered
        wanted |= covered
    cited = _resolve_cited({pk: f"{d}\n{p}" for pk, _c, d, p in notes})
    all_cited = set().union(*cited.values()) if cited else set()
    by_code, by_std = _declaring_organisations(wanted, all_cited)
    TbtMatch.objects.filter(notification_id__in=ids).delete()
    now = timezone.now()

    def rows() -> Iterator[TbtMatch]:
        for pk, codes, _d, _p in notes:
            for code in clean_ics(codes or []):
                yield TbtMatch(
                    notification_id=pk, kind=TbtMatch.Kind.ICS, ics_code=code
                )
            for std in sorted(cited.get(pk, ())):
                yield TbtMatch(
                    notification_id=pk, kind=TbtMatch.Kind.STANDARD, standard_id=std
                )
            orgs: dict[int, str] = {}
            for code in per_note_codes[pk]:
                for org in by_code.get(code, ()):
                    orgs.setdefault(org, code)
            for std in cited.get(pk, ()):
                for org in by_std.get(std, ()):
                    orgs.setdefault(org, "")
            for org, code in orgs.items():
                yield TbtMatch(
                    notification_id=pk,
                    kind=TbtMatch.Kind.ORGANISATION,
                    organisation_id=org,
                    ics_code=code,
                )

    # Written in batches as they are made: a large run never holds every
    # match in memory.
    written = 0
    stream = rows()
    while batch := list(islice(stream, 5000)):
        TbtMatch.objects.bulk_create(batch)
        written += len(batch)
    counts_changed()  # bulk_create sends no signal
    qs.update(matched_at=now)
    alerted = _alert_followers(notes, heads, per_note_codes, cited, by_code, by_std)
    InternationalEvent.objects.create(
        type=InternationalEvent.Type.TBT_MATCHED,
        actor=actor,
        details={"notifications": len(ids), "matches": written, "alerts": alerted},
    )
    return written

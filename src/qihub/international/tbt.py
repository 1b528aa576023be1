"""Matching WTO TBT/SPS notifications to the platform, set-wise.

A notification touches its ICS codes (each code and every narrower one: a
notification on 67.100 covers 67.100.10); the catalogue standards it names in
its description or products text (read by the identifier grammar); and the
enterprises whose published declarations cite a standard in those fields,
or a standard the notification names. Only the fields and the standards are
stored (one row each); the enterprises are read from the declarations by
``selectors.tbt_enterprises`` when a page asks, so matching costs the same
however many enterprises a wide field holds. Alerts go to the followers of
the fields and standards and to the users of the enterprises touched: one
query finds the declarations of the enterprises that have users.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import islice

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.identifiers import try_parse
from qihub.catalog.models import Standard
from qihub.international.models import InternationalEvent, TbtMatch, TbtNotification
from qihub.organisations.profile import counts_changed
from qihub.vocab.models import IcsCode

ICS_CODE = re.compile(r"^\d{2}(?:\.\d{3}(?:\.\d{2})?)?$")

#: Candidate standard identifiers in free text: an organisation prefix, an
#: optional document type, a number with parts, an optional year.
_CANDIDATE = re.compile(
    r"\b(?:ISO/IEC|ISO|IEC|EN|BS|DIN|NF|JIS|ASTM|ANSI|UL|GB/T|GB|GB/Z|"
    r"[A-Z]{2}/T|CODEX STAN|CXS|OIML)"
    r"(?:[ /](?:TR|TS|PAS|Guide|DIS|FDIS))?"
    r"[ -]?(?:[A-Z] ?)?\d+(?:[.-]\d+)*(?:[:-]\d{4})?",
)


def clean_ics(codes: Sequence[str]) -> list[str]:
    return sorted({c.strip() for c in codes if ICS_CODE.match(c.strip())})


def cited_identifiers(text: str) -> list:
    """The parsed identifiers named in a notification's text."""
    out = []
    for m in _CANDIDATE.finditer(text or ""):
        ident = try_parse(m.group(0))
        if ident is not None:
            out.append(ident.primary)
    return out


def _covered(code: str, known: list[str]) -> list[str]:
    """``code`` and every narrower code in the sorted list ``known``."""
    out = []
    i = bisect.bisect_left(known, code)
    while i < len(known) and (known[i] == code or known[i].startswith(code + ".")):
        out.append(known[i])
        i += 1
    return out


def _resolve_cited(texts: dict[int, str]) -> dict[int, set[int]]:
    """Notification id → ids of the catalogue standards its text names (a
    dated identifier its edition, an undated one its editions valid now)."""
    wanted: dict[int, list] = {nid: cited_identifiers(t) for nid, t in texts.items()}
    keys = {i.key for ids in wanted.values() for i in ids if i.dated}
    bases = {i.base_key for ids in wanted.values() for i in ids if not i.dated}
    by_key: dict[str, int] = {}
    by_base: dict[str, set[int]] = defaultdict(set)
    if keys:
        by_key = dict(
            Standard.objects.filter(ident_key__in=keys).values_list("ident_key", "pk")
        )
    if bases:
        for base, pk in Standard.objects.filter(
            base_key__in=bases, status__in=Standard.VALID_STATUSES
        ).values_list("base_key", "pk"):
            by_base[base].add(pk)
    out: dict[int, set[int]] = {}
    for nid, idents in wanted.items():
        found: set[int] = set()
        for ident in idents:
            if ident.dated and ident.key in by_key:
                found.add(by_key[ident.key])
            elif not ident.dated:
                found |= by_base.get(ident.base_key, set())
        out[nid] = found
    return out


def covered_codes(codes: Sequence[str]) -> list[str]:
    """``codes`` and every narrower code the classification knows (one
    query); a code it does not know stands for itself."""
    codes = clean_ics(codes)
    if not codes:
        return []
    cond = Q()
    for code in codes:
        cond |= Q(code=code) | Q(code__startswith=code + ".")
    known = sorted(IcsCode.objects.filter(cond).values_list("code", flat=True))
    out: set[str] = set()
    for code in codes:
        out.update(_covered(code, known) or [code])
    return sorted(out)


def _member_declarations() -> Iterator[tuple[int, str | None, int]]:
    """(standard, its ICS code or None, organisation) of the current versions
    of published declarations, for the enterprises with users on the platform
    (only they have an inbox). Starts from the memberships, so the work is in
    proportion to those enterprises' declarations, not to all of them."""
    from django.db import connection

    from qihub.declarations.models import (
        Declaration,
        DeclaredStandard,
        Enterprise,
    )
    from qihub.organisations.models import Membership

    # Table and column names only, from the models; the value is a parameter.
    # CROSS JOIN fixes SQLite's join order (PostgreSQL plans it alike).
    sql = (
        "SELECT DISTINCT ds.standard_id, si.icscode_id, e.organisation_id"  # noqa: S608
        f" FROM (SELECT DISTINCT organisation_id FROM {Membership._meta.db_table}) m"
        f" CROSS JOIN {Enterprise._meta.db_table} e"
        f" CROSS JOIN {Declaration._meta.db_table} d"
        f" CROSS JOIN {DeclaredStandard._meta.db_table} ds"
        f" LEFT JOIN {Standard.ics.through._meta.db_table} si"
        " ON si.standard_id = ds.standard_id"
        " WHERE e.organisation_id = m.organisation_id AND d.enterprise_id = e.id"
        " AND d.status = %s AND ds.version_id = d.current_version_id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, ["published"])
        while rows := cur.fetchmany(20000):
            yield from rows


def _alert_followers(notes, heads, per_note_codes, cited) -> int:
    """Inbox items for the followers of each notification's ICS fields and
    cited standards, and for the members of the enterprises it touches
    (their declarations fall in those fields or cite those standards)."""
    from qihub.alerts.services import Notice, notices_deliver

    by_code: dict[str, set[int]] = defaultdict(set)
    by_std: dict[int, set[int]] = defaultdict(set)
    for std, code, org in _member_declarations():
        by_std[std].add(org)
        if code:
            by_code[code].add(org)
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
    earlier matches are replaced by one row per ICS field and cited standard
    (the enterprises are read from the declarations when shown), and the
    followers and touched enterprises' users are alerted once. Returns the
    number of match rows."""
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
    for pk, codes, _d, _p in notes:
        covered: set[str] = set()
        for code in clean_ics(codes or []):
            covered.update(_covered(code, known) or [code])
        per_note_codes[pk] = covered
    cited = _resolve_cited({pk: f"{d}\n{p}" for pk, _c, d, p in notes})
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

    # Written in batches as they are made: a large run never holds every
    # match in memory.
    written = 0
    stream = rows()
    while batch := list(islice(stream, 5000)):
        TbtMatch.objects.bulk_create(batch)
        written += len(batch)
    counts_changed()  # bulk_create sends no signal
    qs.update(matched_at=now)
    alerted = _alert_followers(notes, heads, per_note_codes, cited)
    InternationalEvent.objects.create(
        type=InternationalEvent.Type.TBT_MATCHED,
        actor=actor,
        details={"notifications": len(ids), "matches": written, "alerts": alerted},
    )
    return written

"""Verifying and storing the pages of a member's feed (writes of the pull).

A first full pull reads every record a member shares: a million entries
are a million Ed25519 verifications (~100 us each, holding the GIL) and a
million mirror rows. So the rows go in as plain values through
``core.bulk.rows_insert`` (only JSON and date values prepared by their
field), existing mirrors are read with one query per page, and on a large
pull the signatures of the next page are checked in worker processes while
this one stores the page before (``Verifier``). The checks and their order
are the same either way: the first refused entry stops the pull and the
entries before it are kept.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import Future, ProcessPoolExecutor

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from qihub.core.bulk import db_datetime, rows_insert
from qihub.sharing import membership, signing
from qihub.sharing.models import (
    FeedEntry,
    MemberInstance,
    MemberKey,
    MirroredRecord,
    MirroredStandard,
    SharedKind,
)

#: A page at least this long is verified in worker processes (when the
#: machine has a core to spare): below it, sending it costs more than it saves.
POOL_MIN_PAGE = 1000


def _workers() -> int:
    """Verifying processes for a large pull: one per core up to four, none
    on one core or inside a daemonic process (a Celery prefork worker may
    not start children)."""
    import multiprocessing

    cores = os.cpu_count() or 1
    if cores < 2 or multiprocessing.current_process().daemon:
        return 0
    return min(4, cores)


class Pending:
    """Signatures being checked: the public keys they are checked under and
    one bool per entry (in parts: lists, or futures of the workers)."""

    def __init__(self, publics: dict[str, str], parts: list, items: list) -> None:
        self.publics = publics
        self.parts = parts
        self.items = items

    def result(self) -> list[bool]:
        try:
            return [
                ok
                for part in self.parts
                for ok in (part.result() if isinstance(part, Future) else part)
            ]
        except (OSError, RuntimeError):  # a worker died (BrokenProcessPool)
            return signing.verify_all(self.publics, self.items)


class Verifier:
    """Checks the signatures of feed pages: in this process, or, once a page
    of ``POOL_MIN_PAGE`` entries arrives and a core is free, in worker
    processes so that the next page is verified while the last is stored.
    The workers only check signatures; every decision stays in
    ``page_check``."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.workers = _workers()
        #: Every public key known or announced so far in this pull, by key id.
        self.publics: dict[str, str] = {}

    def submit(self, entries: list[tuple[int, str, str, str]]) -> Pending:
        """Start checking ``(seq, body, key_id, sig)`` entries, each under
        the public key known or announced for its key id."""
        publics = dict(self.publics)
        items = [(key_id, body, sig) for _seq, body, key_id, sig in entries]
        if self.pool is None and self.workers > 0 and len(items) >= POOL_MIN_PAGE:
            import multiprocessing

            # spawn, not fork: this process holds database connections.
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        if self.pool is not None:
            size = -(-len(items) // self.workers)
            try:
                return Pending(
                    publics,
                    [
                        self.pool.submit(
                            signing.verify_all, publics, items[i : i + size]
                        )
                        for i in range(0, len(items), size)
                    ],
                    items,
                )
            except (OSError, RuntimeError, AssertionError):
                # No process could be started: check here from now on.
                self.close()
                self.workers = 0
        return Pending(publics, [signing.verify_all(publics, items)], items)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def page_parse(raw: bytes, cursor: int) -> tuple[list[tuple], bool, str]:
    """A fetched page as its ``(seq, body, key_id, sig)`` entries, whether
    more follow, and the reason it is refused ("" when it is not; the
    entries before a malformed one are kept). Raises ValueError when the
    page is truncated or no feed page."""
    page = json.loads(raw)
    entries = page["entries"]
    more = bool(page["more"])
    if len(entries) != int(page["count"]):
        raise ValueError("count")
    items = []
    for item in entries:
        try:
            items.append((int(item["seq"]), item["body"], item["key_id"], item["sig"]))
        except (KeyError, TypeError, ValueError):
            last = items[-1][0] if items else cursor
            return items, more, _("Malformed feed entry after %(seq)s.") % {"seq": last}
    return items, more, ""


def announced_keys(entries) -> dict[str, str]:
    """The public keys that key entries of a page announce (not yet
    trusted: ``page_check`` decides), for the workers to verify with."""
    found = {}
    for _seq, body, _key_id, _sig in entries:
        if '"kind":"key"' in body:
            try:
                data = json.loads(body)["data"]
                found[str(data["key_id"])] = str(data["public_key"])
            except (ValueError, KeyError, TypeError):
                continue
    return found


def page_check(
    member: MemberInstance, entries, pending: Pending
) -> tuple[list[dict], str]:
    """The entries of a page that pass, in order, and the reason the first
    refused one was refused ("" when all passed). ``pending`` says for each
    entry whether its signature checked out under the public key known or
    announced for its key id. Entries at or before the cursor are replays
    and skipped."""
    keys = {k.key_id: k for k in member.keys.all()}
    verified = pending.result()
    good = []
    last = member.cursor
    for (seq, body_text, key_id, signature), ok in zip(entries, verified, strict=True):
        if seq <= last:
            continue  # replayed entry: already applied
        key = keys.get(key_id)
        if key is None:
            return good, _("Entry %(seq)s is signed with an unknown key %(key)s.") % {
                "seq": seq,
                "key": key_id,
            }
        if pending.publics.get(key_id) != key.public_key:
            # Checked under another public key than the one trusted here (a
            # key id announced twice): check again under this one.
            ok = signing.verify_all(
                {key_id: key.public_key}, [(key_id, body_text, signature)]
            )[0]
        if not ok:
            return good, _("Bad signature on entry %(seq)s: refused.") % {"seq": seq}
        try:
            body = json.loads(body_text)
            placed = body.get("seq") == seq and body.get("instance") == member.base_url
        except (ValueError, AttributeError):
            placed = False
        if not placed:
            return good, _("Entry %(seq)s was signed for another place.") % {"seq": seq}
        if key.valid_until and (parse_datetime(body["at"]) or key.valid_until) > (
            key.valid_until
        ):
            return good, _("Entry %(seq)s is signed with the rotated key %(key)s.") % {
                "seq": seq,
                "key": key_id,
            }
        good.append(body)
        if body["kind"] == "key":
            # A new key announced under a trusted one: trusted from here on.
            data = body["data"]
            keys[data["key_id"]] = MemberKey(
                member=member,
                key_id=data["key_id"],
                public_key=data["public_key"],
                valid_from=parse_datetime(body["at"]),
            )
        last = seq
    return good, ""


@transaction.atomic
def page_store(member: MemberInstance, bodies: list[dict]) -> int:
    """Store the checked entries of one page and move the cursor past them,
    in one transaction: keys and membership entries in order, then the
    latest state of each record."""
    latest: dict[tuple[str, str], dict] = {}
    rotated = False
    for body in bodies:
        if body["kind"] == membership.KIND:
            membership.entry_apply(source=member, body=body)
            continue
        if body["kind"] == "key":
            rotated = True
            MemberKey.objects.filter(member=member, valid_until__isnull=True).update(
                valid_until=parse_datetime(body["at"])
            )
            MemberKey.objects.update_or_create(
                member=member,
                key_id=body["data"]["key_id"],
                defaults={
                    "public_key": body["data"]["public_key"],
                    "valid_from": parse_datetime(body["at"]),
                    "valid_until": None,
                },
            )
            continue
        latest[(body["kind"], body["key"])] = body
    now = db_datetime(timezone.now())
    _records_store(member, latest, now)
    _standards_store(member, latest, now)
    if rotated:
        membership.announce(member=member)  # the secretariat passes it on
    member.cursor = bodies[-1]["seq"]
    member.records += len(bodies)
    member.save(update_fields=["cursor", "records", "updated_at"])
    return len(bodies)


_SEARCHED = {
    SharedKind.EXPERT: (
        "name_zh",
        "name_en",
        "organisation_zh",
        "organisation_en",
        "position",
        "fields",
    ),
    SharedKind.HELD_TEXT: ("identifier", "ident_key", "title", "edition"),
}


def mirror_search_text(kind: str, data) -> str:
    """The lower-cased words a mirrored expert or held text is found by."""
    names = _SEARCHED.get(kind)
    if not names or not isinstance(data, dict):
        return ""
    parts = []
    for name in names:
        value = data.get(name)
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value:
            parts.append(str(value))
    return " ".join(parts).lower()


_RECORD_FIELDS = [
    "member",
    "kind",
    "key",
    "data",
    "source_seq",
    "search_text",
    "deleted",
    "no_longer_shared",
    "first_seen_at",
    "updated_at",
]


def _records_store(member, latest, now) -> None:
    """Mirror rows as plain values: a changed row is deleted and inserted
    again with its primary key and first-seen time (nothing points at
    mirror rows; one statement per page instead of an UPDATE a row); a
    tombstone of a known row only marks it deleted, keeping its data."""
    if not latest:
        return
    keys = list({key for _kind, key in latest})
    existing = {}
    for start in range(0, len(keys), 2000):
        rows = MirroredRecord.objects.filter(
            member=member, key__in=keys[start : start + 2000]
        ).values_list("pk", "kind", "key", "first_seen_at", "no_longer_shared")
        existing.update(
            {(kind, key): (pk, first, gone) for pk, kind, key, first, gone in rows}
        )
    prep_json = MirroredRecord._meta.get_field("data").get_db_prep_value
    creates, replaced, tombstones, gone_pks = [], [], [], []
    for (kind, key), body in latest.items():
        deleted = body["op"] == FeedEntry.Op.DELETE
        known = existing.get((kind, key))
        if known is not None and deleted:
            tombstones.append((True, body["seq"], now, known[0]))
            continue
        data = {} if deleted else body["data"]
        values = (
            member.pk,
            kind,
            key,
            prep_json(data, connection),
            body["seq"],
            "" if deleted else mirror_search_text(kind, data),
            deleted,
        )
        if known is None:
            creates.append((*values, False, now, now))
        else:
            pk, first, gone = known
            gone_pks.append(pk)
            replaced.append((pk, *values, gone, db_datetime(first), now))
    _rows_delete(MirroredRecord, gone_pks)
    rows_insert(MirroredRecord, ["id", *_RECORD_FIELDS], replaced)
    rows_insert(MirroredRecord, _RECORD_FIELDS, creates)
    _tombstones_mark(MirroredRecord, tombstones, with_seq=True)


_STANDARD_KINDS = {SharedKind.LOCAL_STANDARD, SharedKind.GROUP_STANDARD}
_STANDARD_FIELDS = [
    "member",
    "ident_key",
    "identifier",
    "level",
    "status",
    "title_zh",
    "title_en",
    "issued_on",
    "url",
    "search_text",
    "deleted",
    "no_longer_shared",
    "updated_at",
]


def _standards_store(member, latest, now) -> None:
    items = {
        key: body for (kind, key), body in latest.items() if kind in _STANDARD_KINDS
    }
    if not items:
        return
    existing = {
        key: (pk, gone)
        for key, pk, gone in MirroredStandard.objects.filter(
            member=member, ident_key__in=list(items)
        ).values_list("ident_key", "pk", "no_longer_shared")
    }
    prep_date = MirroredStandard._meta.get_field("issued_on").get_db_prep_value
    creates, replaced, tombstones, gone_pks = [], [], [], []
    for key, body in items.items():
        pk, gone = existing.get(key, (None, False))
        deleted = body["op"] == FeedEntry.Op.DELETE
        if deleted and pk is not None:
            tombstones.append((True, now, pk))
            continue
        data = {} if deleted else body["data"]
        identifier = str(data.get("identifier", key))[:200] if data else ""
        title_zh = str(data.get("title_zh", ""))[:500]
        title_en = str(data.get("title_en", ""))[:500]
        values = (
            member.pk,
            key,
            identifier,
            str(data.get("level", ""))[:20],
            str(data.get("status", ""))[:20],
            title_zh,
            title_en,
            prep_date(parse_date(data.get("issued_on") or "") or None, connection),
            str(data.get("url", ""))[:500],
            " ".join([identifier, title_zh, title_en]).lower() if data else "",
            deleted,
            gone,
            now,
        )
        if pk is None:
            creates.append(values)
        else:
            gone_pks.append(pk)
            replaced.append((pk, *values))
    _rows_delete(MirroredStandard, gone_pks)
    rows_insert(MirroredStandard, ["id", *_STANDARD_FIELDS], replaced)
    rows_insert(MirroredStandard, _STANDARD_FIELDS, creates)
    _tombstones_mark(MirroredStandard, tombstones, with_seq=False)


def _rows_delete(model, pks) -> None:
    for start in range(0, len(pks), 500):
        model.objects.filter(pk__in=pks[start : start + 500]).delete()


def _tombstones_mark(model, rows, *, with_seq: bool) -> None:
    """Mark known rows deleted at the source (one statement for all)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = (
        ["deleted", "source_seq", "updated_at"]
        if with_seq
        else ["deleted", "updated_at"]
    )
    # Table and column names come from the model, never from input.
    assignments = ", ".join(f"{quote(name)} = %s" for name in sets)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)

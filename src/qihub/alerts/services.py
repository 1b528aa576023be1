"""Writes for watch lists, the inbox and the daily alert job.

The job (``alerts_run``) reads what changed since its last run: catalogue
events (withdrawn, replaced, status changes, updates by an import), standards
created since (a first load writes an ``ImportRun``, not per-record events,
so new records are found by id), standards whose implementation is 90, 30
or 7 days away, consultations opened on drafts that revise a standard and
periodic review results. It matches them against every watch in a few
indexed queries per chunk, writes the inbox items in bulk (one per user and
event) and moves a followed standard's watch on to its successor. Then
``digests_send`` mails each user the items not yet mailed, a batch of
messages over one connection and one UPDATE a batch.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail.message import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.alerts.models import AlertRun, DigestSetting, InboxItem, Watch
from qihub.catalog import identifiers
from qihub.catalog.models import (
    Standard,
    StandardEvent,
    StandardRelation,
    standard_url,
)
from qihub.core.bulk import db_datetime, rows_insert
from qihub.core.errors import ApplicationError

UNSUBSCRIBE_SALT = "qihub.alerts.unsubscribe"
REMINDER_DAYS = (90, 30, 7)
CHUNK = 900
#: Catalogue events that may mean a followed standard's status changed.
_EVENT_TYPES = (
    StandardEvent.Type.WITHDRAWN,
    StandardEvent.Type.REPLACED,
    StandardEvent.Type.STATUS_CHANGED,
    StandardEvent.Type.IMPORTED,
    StandardEvent.Type.PUBLISHED,
    StandardEvent.Type.UPDATED,
)
_REPLACES = (StandardRelation.Kind.REPLACES, StandardRelation.Kind.PARTIALLY_REPLACES)
ITEM_FIELDS = (
    "user",
    "kind",
    "subject",
    "body",
    "url",
    "standard",
    "watch",
    "dedupe",
    "created_at",
)


# --- watches -----------------------------------------------------------------


def _owner(user, organisation) -> dict:
    if (user is None) == (organisation is None):
        raise ApplicationError(_("A watch belongs to a user or to an organisation."))
    return {"user": user} if user is not None else {"organisation": organisation}


def _can_manage(actor, organisation) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_staff:
        return True
    return organisation.memberships.filter(user=actor).exists()


def watch_key(*, kind: str, value: str) -> tuple[str, str, Standard | None]:
    """The normalised key, a label and the standard of a watch, or an
    ``ApplicationError`` naming the field."""
    value = (value or "").strip()
    if kind not in Watch.Kind.values:
        raise ApplicationError(
            _("Unknown watch kind %(k)s; use one of %(all)s.")
            % {"k": kind, "all": ", ".join(Watch.Kind.values)},
            details={"kind": ["unknown"]},
        )
    if not value:
        raise ApplicationError(
            _("value: say what to follow."), details={"value": ["required"]}
        )
    if kind == Watch.Kind.STANDARD:
        standard = None
        if value.isdigit():
            standard = Standard.objects.filter(pk=int(value)).first()
        if standard is None:
            raise ApplicationError(
                _("standard: no standard %(id)s in the catalogue.") % {"id": value},
                status=404,
                details={"standard": ["unknown"]},
            )
        return str(standard.pk), standard.identifier, standard
    if kind == Watch.Kind.IDENTIFIER:
        ident = identifiers.try_parse(value)
        if ident is None:
            raise ApplicationError(
                _("identifier: %(v)s is not a standard identifier.") % {"v": value},
                details={"identifier": ["unparseable"]},
            )
        primary = ident.primary
        # Dated: that edition; undated: any edition of it.
        key = primary.key if primary.dated else "base:" + primary.base_key
        return key, primary.canonical, None
    if kind == Watch.Kind.ICS:
        from qihub.vocab.models import IcsCode

        code = value.rstrip(".")
        ics = IcsCode.objects.filter(pk=code).first()
        if ics is None:
            raise ApplicationError(
                _("ics: unknown ICS code %(c)s.") % {"c": value},
                details={"ics": ["unknown"]},
            )
        return ics.code, f"ICS {ics.code}", None
    if kind == Watch.Kind.LEVEL:
        if value not in Standard.Level.values:
            raise ApplicationError(
                _("level: unknown level %(l)s; use one of %(all)s.")
                % {"l": value, "all": ", ".join(Standard.Level.values)},
                details={"level": ["unknown"]},
            )
        return value, str(Standard.Level(value).label), None
    if kind == Watch.Kind.COMMITTEE:
        return value[:300], value[:300], None
    return value[:300], value[:300], None  # a saved search: the query


@transaction.atomic
def watch_create(
    *, actor, kind: str, value: str, user=None, organisation=None, label: str = ""
) -> Watch:
    """Follow something: for ``user`` (themselves) or for an ``organisation``
    (its members receive the alerts). A duplicate is refused."""
    if actor is None or not actor.is_authenticated:
        raise ApplicationError(_("Log in to follow standards."), status=401)
    if organisation is None and user is None:
        user = actor
    owner = _owner(user, organisation)
    if user is not None and user != actor and not actor.is_staff:
        raise ApplicationError(_("You may only follow for yourself."), status=403)
    if organisation is not None and not _can_manage(actor, organisation):
        raise ApplicationError(
            _("Only members of %(o)s may manage its watches.") % {"o": organisation},
            status=403,
        )
    key, default_label, standard = watch_key(kind=kind, value=value)
    if Watch.objects.filter(kind=kind, key=key, **owner).exists():
        raise ApplicationError(
            _("You already follow %(w)s.") % {"w": default_label},
            status=409,
            details={"value": ["duplicate"]},
        )
    return Watch.objects.create(
        kind=kind,
        key=key,
        label=(label or default_label)[:300],
        standard=standard,
        **owner,
    )


@transaction.atomic
def watch_delete(*, actor, watch: Watch) -> None:
    """Stop following. A watch is a preference, not a published record: it
    goes; the inbox items it produced stay."""
    if watch.user_id is not None:
        if actor is None or (actor.pk != watch.user_id and not actor.is_staff):
            raise ApplicationError(_("This is not your watch."), status=403)
    elif not _can_manage(actor, watch.organisation):
        raise ApplicationError(_("This is not your watch."), status=403)
    watch.delete()


# --- inbox -------------------------------------------------------------------


@transaction.atomic
def inbox_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's items read (all unread ones when ``ids`` is None),
    the declarations notices of their enterprises too; returns how many."""
    now = timezone.now()
    qs = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        ids = list(ids)
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=now)
    if ids is None:
        from qihub.declarations.models import Notice

        count += Notice.objects.filter(
            enterprise__organisation__memberships__user=user, read_at__isnull=True
        ).update(read_at=now)
    return count


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


@transaction.atomic
def digest_unsubscribe(*, token: str):
    """Turn the daily digest off for the user the signed token names (the
    link in every digest; works without logging in)."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise ApplicationError(
            _("This unsubscribe link is not valid."), status=400
        ) from exc
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None:
        raise ApplicationError(_("This unsubscribe link is not valid."), status=400)
    DigestSetting.objects.update_or_create(
        user=user, defaults={"digest": False, "unsubscribed_at": timezone.now()}
    )
    return user


@transaction.atomic
def digest_subscribe(*, user) -> None:
    DigestSetting.objects.update_or_create(
        user=user, defaults={"digest": True, "unsubscribed_at": None}
    )


# --- the daily job -----------------------------------------------------------


@dataclass
class _Change:
    pk: int
    identifier: str
    title: str
    ident_key: str
    base_key: str
    level: str
    committee: str
    ics: list[str]


def _ics_ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _load_changes(pks: list[int]) -> dict[int, _Change]:
    out: dict[int, _Change] = {}
    through = Standard.ics.through
    for i in range(0, len(pks), CHUNK):
        chunk = pks[i : i + CHUNK]
        ics: dict[int, list[str]] = defaultdict(list)
        for std_id, code in through.objects.filter(standard_id__in=chunk).values_list(
            "standard_id", "icscode_id"
        ):
            ics[std_id].append(code)
        for row in Standard.objects.filter(pk__in=chunk).values_list(
            "pk",
            "identifier",
            "title_zh",
            "title_en",
            "ident_key",
            "base_key",
            "level",
            "committee",
        ):
            pk, ident, tzh, ten, key, base, level, committee = row
            out[pk] = _Change(
                pk, ident, tzh or ten, key, base, level, committee, ics.get(pk, [])
            )
    return out


class _Matcher:
    """Every watch that is not on one standard, read once; watches on
    standards and identifiers are looked up per chunk."""

    def __init__(self) -> None:
        self.by_kind: dict[str, dict[str, list[tuple]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for row in Watch.objects.filter(
            kind__in=[Watch.Kind.ICS, Watch.Kind.COMMITTEE, Watch.Kind.LEVEL]
        ).values_list("pk", "kind", "key", "user_id", "organisation_id"):
            self.by_kind[row[1]][row[2]].append((row[0], row[3], row[4]))
        self.searches = list(
            Watch.objects.filter(kind=Watch.Kind.SEARCH).values_list(
                "pk", "key", "user_id", "organisation_id"
            )
        )

    def search_hits(self, pks: set[int]) -> dict[int, list[tuple]]:
        """Saved searches that match any of ``pks`` (each query runs once)."""
        from qihub.catalog.search import search_standards

        hits: dict[int, list[tuple]] = defaultdict(list)
        if not pks:
            return hits
        by_query: dict[str, list[tuple]] = defaultdict(list)
        for pk, key, user_id, org_id in self.searches:
            by_query[key].append((pk, user_id, org_id))
        for query, watches in by_query.items():
            page = search_standards(q=query, limit=2000)
            for row in page.rows:
                if row["id"] in pks:
                    hits[row["id"]].extend(watches)
        return hits

    def match(
        self, changes: dict[int, _Change], *, broad: bool, searches: dict
    ) -> dict[int, list[tuple]]:
        """Watches (id, user, organisation) for each changed standard.
        ``broad``: ICS fields, committees, levels and searches match too
        (new standards); else only the standard and its identifier."""
        out: dict[int, list[tuple]] = defaultdict(list)
        pks = list(changes)
        for i in range(0, len(pks), CHUNK):
            chunk = pks[i : i + CHUNK]
            for wid, std_id, user_id, org_id in Watch.objects.filter(
                kind=Watch.Kind.STANDARD, standard_id__in=chunk
            ).values_list("pk", "standard_id", "user_id", "organisation_id"):
                out[std_id].append((wid, user_id, org_id))
            keys: dict[str, list[int]] = defaultdict(list)
            for pk in chunk:
                c = changes[pk]
                keys[c.ident_key].append(pk)
                keys["base:" + c.base_key].append(pk)
            for wid, key, user_id, org_id in Watch.objects.filter(
                kind=Watch.Kind.IDENTIFIER, key__in=list(keys)
            ).values_list("pk", "key", "user_id", "organisation_id"):
                for pk in keys[key]:
                    out[pk].append((wid, user_id, org_id))
        if broad:
            ics_w = self.by_kind[Watch.Kind.ICS]
            com_w = self.by_kind[Watch.Kind.COMMITTEE]
            lev_w = self.by_kind[Watch.Kind.LEVEL]
            for pk, c in changes.items():
                if ics_w:
                    seen = set()
                    for code in c.ics:
                        for anc in _ics_ancestors(code):
                            if anc not in seen:
                                seen.add(anc)
                                out[pk].extend(ics_w.get(anc, ()))
                if c.committee and com_w:
                    out[pk].extend(com_w.get(c.committee, ()))
                out[pk].extend(lev_w.get(c.level, ()))
                out[pk].extend(searches.get(pk, ()))
        return out


def _members(org_ids: set[int]) -> dict[int, list[int]]:
    from qihub.organisations.models import Membership

    members: dict[int, list[int]] = defaultdict(list)
    org_ids = list(org_ids)
    for i in range(0, len(org_ids), CHUNK):
        for org_id, user_id in Membership.objects.filter(
            organisation_id__in=org_ids[i : i + CHUNK]
        ).values_list("organisation_id", "user_id"):
            members[org_id].append(user_id)
    return members


def _subject_texts() -> dict[str, str]:
    """The subject line of each kind, translated once per run (gettext per
    item was a tenth of the job)."""
    return {
        InboxItem.Kind.PUBLISHED: _("%(id)s is published"),
        InboxItem.Kind.REPLACED: _("%(id)s is replaced"),
        InboxItem.Kind.WITHDRAWN: _("%(id)s is withdrawn"),
        InboxItem.Kind.IMPLEMENTATION: _("%(id)s takes effect in %(extra)s days"),
        InboxItem.Kind.CONSULTATION: _(
            "A draft revising %(id)s is open for comment until %(extra)s"
        ),
        InboxItem.Kind.REVIEW: _("Periodic review of %(id)s: %(extra)s"),
    }


@dataclass
class AlertReport:
    changed: int = 0
    items: int = 0
    moved: int = 0
    mails: int = 0
    seconds: float = 0.0


def _successors(pks: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The (id, identifier) of each replaced standard's successors."""
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for i in range(0, len(pks), CHUNK):
        for target, source, ident in StandardRelation.objects.filter(
            target_id__in=pks[i : i + CHUNK], kind__in=_REPLACES
        ).values_list("target_id", "source_id", "source__identifier"):
            out[target].append((source, ident))
    return out


def _follow_successors(
    replaced: list[int], now_db
) -> tuple[int, dict[int, list[tuple[int, str]]]]:
    """Each watch on a replaced standard gets a watch on its successor(s),
    for the same owner (one it already has is kept); returns how many were
    proposed and the successors."""
    successors = _successors(replaced)
    if not successors:
        return 0, successors
    new = []
    for i in range(0, len(replaced), CHUNK):
        for wid, std_id, user_id, org_id in Watch.objects.filter(
            kind=Watch.Kind.STANDARD, standard_id__in=replaced[i : i + CHUNK]
        ).values_list("pk", "standard_id", "user_id", "organisation_id"):
            for succ, ident in successors.get(std_id, ()):
                new.append(
                    (
                        user_id,
                        org_id,
                        Watch.Kind.STANDARD.value,
                        str(succ),
                        ident[:300],
                        succ,
                        wid,
                        now_db,
                        now_db,
                    )
                )
    rows_insert(
        Watch,
        (
            "user",
            "organisation",
            "kind",
            "key",
            "label",
            "standard",
            "followed_from",
            "created_at",
            "updated_at",
        ),
        new,
        ignore_conflicts=True,
    )
    return len(new), successors


@transaction.atomic
def alerts_run(*, today: datetime.date | None = None) -> AlertReport:
    """The daily alert job: inbox items for what changed since the last run,
    watches moved on to successors. Re-running the same day adds nothing
    twice (items are unique per user and event)."""
    from qihub.lifecycle.models import Consultation, PeriodicReview

    started = time.perf_counter()
    today = today or timezone.localdate()
    last = AlertRun.objects.order_by("-id").first()
    since = {
        "event": last.last_event_id if last else 0,
        "standard": last.last_standard_id if last else 0,
        "consultation": last.last_consultation_id if last else 0,
        "review": last.last_review_id if last else 0,
    }
    top = {
        "event": StandardEvent.objects.aggregate(m=Max("id"))["m"] or 0,
        "standard": Standard.objects.aggregate(m=Max("id"))["m"] or 0,
        "consultation": Consultation.objects.aggregate(m=Max("id"))["m"] or 0,
        "review": PeriodicReview.objects.aggregate(m=Max("id"))["m"] or 0,
    }
    # kind -> {standard id: extra text}
    wanted: dict[str, dict[int, str]] = defaultdict(dict)
    status_of: dict[int, str] = {}
    new_pks = list(
        Standard.objects.filter(
            id__gt=since["standard"], id__lte=top["standard"], referenced_only=False
        )
        .exclude(status=Standard.Status.DRAFT)
        .values_list("pk", "status")
    )
    for pk, status in new_pks:
        status_of[pk] = status
        if status in Standard.VALID_STATUSES:
            wanted[InboxItem.Kind.PUBLISHED][pk] = ""
    event_pks = set(
        StandardEvent.objects.filter(
            id__gt=since["event"], id__lte=top["event"], type__in=_EVENT_TYPES
        ).values_list("standard_id", flat=True)
    ) - set(status_of)
    event_pks = list(event_pks)
    for i in range(0, len(event_pks), CHUNK):
        for pk, status in Standard.objects.filter(
            pk__in=event_pks[i : i + CHUNK]
        ).values_list("pk", "status"):
            status_of[pk] = status
    for pk, status in status_of.items():
        if status == Standard.Status.REPLACED:
            wanted[InboxItem.Kind.REPLACED][pk] = ""
        elif status == Standard.Status.WITHDRAWN:
            wanted[InboxItem.Kind.WITHDRAWN][pk] = ""
    for days in REMINDER_DAYS:
        for pk in Standard.objects.filter(
            implemented_on=today + datetime.timedelta(days=days)
        ).values_list("pk", flat=True):
            wanted[InboxItem.Kind.IMPLEMENTATION].setdefault(pk, str(days))
    for std_id, closes in (
        Consultation.objects.filter(
            id__gt=since["consultation"],
            id__lte=top["consultation"],
            status=Consultation.Status.OPEN,
            project__replaces__isnull=False,
        )
        .values_list("project__replaces_id", "closes_on")
        .iterator()
    ):
        wanted[InboxItem.Kind.CONSULTATION][std_id] = closes.isoformat()
    for std_id, outcome in PeriodicReview.objects.filter(
        id__gt=since["review"], id__lte=top["review"]
    ).values_list("standard_id", "outcome"):
        label = str(PeriodicReview.Outcome(outcome).label)
        wanted[InboxItem.Kind.REVIEW][std_id] = label

    all_pks = sorted({pk for d in wanted.values() for pk in d})
    changes = _load_changes(all_pks)
    matcher = _Matcher()
    published = {pk: changes[pk] for pk in wanted[InboxItem.Kind.PUBLISHED]}
    searches = matcher.search_hits(set(published)) if matcher.searches else {}
    broad = matcher.match(published, broad=True, searches=searches)
    narrow = matcher.match(
        {pk: changes[pk] for pk in all_pks if pk in changes}, broad=False, searches={}
    )
    org_ids = {w[2] for ws in (*broad.values(), *narrow.values()) for w in ws if w[2]}
    members = _members(org_ids)
    report = AlertReport(changed=len(all_pks))
    now_db = db_datetime(timezone.now())
    replaced = sorted(wanted[InboxItem.Kind.REPLACED])
    report.moved, successors = _follow_successors(replaced, now_db)
    texts = _subject_texts()
    replaced_by = _("Replaced by %(new)s")
    # (user, dedupe) -> the row, in the order of ``ITEM_FIELDS``
    items: dict[tuple[int, str], tuple] = {}
    for kind, targets in wanted.items():
        matches = broad if kind == InboxItem.Kind.PUBLISHED else narrow
        text = texts[kind]
        kind_value = str(kind)
        for pk, extra in targets.items():
            c = changes.get(pk)
            if c is None:
                continue
            found = matches.get(pk)
            if not found:
                continue
            dedupe = f"{kind}:{pk}:{extra}"[:100]
            subject = (text % {"id": c.identifier, "extra": extra})[:500]
            body = c.title
            if kind == InboxItem.Kind.REPLACED and successors.get(pk):
                body = replaced_by % {
                    "new": ", ".join(ident for _pk, ident in successors[pk])
                }
            url = standard_url(pk)
            for wid, user_id, org_id in found:
                for uid in [user_id] if user_id else members.get(org_id, []):
                    if (uid, dedupe) not in items:
                        items[(uid, dedupe)] = (
                            uid,
                            kind_value,
                            subject,
                            body,
                            url,
                            pk,
                            wid,
                            dedupe,
                            now_db,
                        )
    if items:
        before = InboxItem.objects.count()
        rows_insert(InboxItem, ITEM_FIELDS, items.values(), ignore_conflicts=True)
        report.items = InboxItem.objects.count() - before
    report.seconds = time.perf_counter() - started
    AlertRun.objects.create(
        day=today,
        last_event_id=top["event"],
        last_standard_id=top["standard"],
        last_consultation_id=top["consultation"],
        last_review_id=top["review"],
        changed=report.changed,
        items=report.items,
        seconds=report.seconds,
    )
    return report


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def digests_send(*, limit_per_user: int = 50, batch: int = 200) -> int:
    """Mail each user with a digest on and an address the inbox items not
    mailed yet (one message each, an unsubscribe link in it); returns how
    many messages went out.

    Messages go out ``batch`` at a time over one mail connection, and the
    items of a batch are marked mailed by one UPDATE once it has gone: at
    9,025 users the former way (a connection, a message and an UPDATE with
    its own commit per user) took 84.6 s, most of it in the commits. A
    failure mid-batch leaves that batch unmarked, so it is mailed again
    rather than lost."""
    from django.contrib.auth import get_user_model
    from django.core.mail import mailers

    off = set(
        DigestSetting.objects.filter(digest=False).values_list("user_id", flat=True)
    )
    pending: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        InboxItem.objects.filter(emailed_at__isnull=True)
        .order_by("user_id", "-created_at", "-id")
        .values_list("id", "user_id", "subject", "body", "url")
        .iterator(chunk_size=5000)
    ):
        if row[1] not in off:
            pending[row[1]].append(row)
    if not pending:
        return 0
    people = {
        pk: user
        for pk, user in get_user_model()
        .objects.only("id", "email")
        .in_bulk(list(pending))
        .items()
        if user.email
    }
    # the fixed texts, translated once a run
    head = [_("What changed in what you follow:"), ""]
    more = _("… and %(n)d more in your inbox.")
    inbox = _("Your inbox: %(url)s") % {"url": _absolute(reverse("alerts:inbox"))}
    stop = _("Stop these e-mails: %(url)s")
    subject = _("qihub: %(n)d changes in what you follow")
    sender = settings.DEFAULT_FROM_EMAIL

    def message(user_id: int, items: list[tuple]) -> EmailMessage:
        lines = list(head)
        shown = items[:limit_per_user]
        for _pk, _user, item_subject, body, url in shown:
            lines.append(f"- {item_subject}")
            if body:
                lines.append(f"  {body}")
            if url:
                lines.append(f"  {_absolute(url)}")
        if len(items) > len(shown):
            lines.append(more % {"n": len(items) - len(shown)})
        token = unsubscribe_token(people[user_id])
        unsubscribe = _absolute(reverse("alerts:unsubscribe", args=[token]))
        lines += ["", inbox, stop % {"url": unsubscribe}]
        return EmailMessage(
            subject=subject % {"n": len(items)},
            body="\n".join(lines),
            from_email=sender,
            to=[people[user_id].email],
        )

    users = [pk for pk in pending if pk in people]
    sent = 0
    with mailers.default as connection:
        for start in range(0, len(users), batch):
            chunk = users[start : start + batch]
            sent += (
                connection.send_messages([message(pk, pending[pk]) for pk in chunk])
                or 0
            )
            ids = [row[0] for pk in chunk for row in pending[pk]]
            now = timezone.now()
            with transaction.atomic():
                for k in range(0, len(ids), CHUNK):
                    InboxItem.objects.filter(pk__in=ids[k : k + CHUNK]).update(
                        emailed_at=now
                    )
    return sent


def alerts_daily(*, today: datetime.date | None = None) -> AlertReport:
    """The scheduled job: run the alerts, then send the digests."""
    report = alerts_run(today=today)
    report.mails = digests_send()
    AlertRun.objects.filter(
        pk=AlertRun.objects.order_by("-id").values("pk")[:1]
    ).update(mails=report.mails)
    return report


@dataclass
class Notice:
    """An event from another domain (a WTO TBT/SPS notification, say) that
    concerns ICS fields, standards and organisations. It reaches the users
    who follow one of those fields (a watch on a field reaches events in it
    and in every narrower field) or standards, and the members of the
    organisations it names. ``dedupe`` names the event once per user."""

    dedupe: str
    subject: str
    body: str = ""
    url: str = ""
    ics: set[str] = field(default_factory=set)
    standards: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)


@transaction.atomic
def notices_deliver(*, notices: Iterable[Notice]) -> int:
    """Inbox items (kind ``notice``) for the followers of each notice's
    fields and standards and for the members of its organisations.
    Delivering the same notice again adds nothing. Returns the number of
    new items."""
    notices = [n for n in notices if n.ics or n.standards or n.organisations]
    if not notices:
        return 0
    ics_w: dict[str, list[tuple]] = defaultdict(list)
    for wid, key, user_id, org_id in Watch.objects.filter(
        kind=Watch.Kind.ICS
    ).values_list("pk", "key", "user_id", "organisation_id"):
        ics_w[key].append((wid, user_id, org_id))
    std_w: dict[int, list[tuple]] = defaultdict(list)
    std_ids = sorted({s for n in notices for s in n.standards})
    for i in range(0, len(std_ids), CHUNK):
        for wid, std_id, user_id, org_id in Watch.objects.filter(
            kind=Watch.Kind.STANDARD, standard_id__in=std_ids[i : i + CHUNK]
        ).values_list("pk", "standard_id", "user_id", "organisation_id"):
            std_w[std_id].append((wid, user_id, org_id))
    per_notice: list[list[tuple]] = []
    org_ids: set[int] = set()
    for n in notices:
        found: list[tuple] = []
        if ics_w:
            fields = {a for code in n.ics for a in _ics_ancestors(code)}
            for code in sorted(fields):
                found.extend(ics_w.get(code, ()))
        for std in n.standards:
            found.extend(std_w.get(std, ()))
        found.extend((None, None, org) for org in sorted(n.organisations))
        org_ids |= {org for _w, _u, org in found if org}
        per_notice.append(found)
    members = _members(org_ids)
    items: dict[tuple[int, str], InboxItem] = {}
    for n, found in zip(notices, per_notice, strict=True):
        dedupe = n.dedupe[:100]
        for wid, user_id, org_id in found:
            for uid in [user_id] if user_id else members.get(org_id, []):
                items.setdefault(
                    (uid, dedupe),
                    InboxItem(
                        user_id=uid,
                        kind=InboxItem.Kind.NOTICE,
                        subject=n.subject[:500],
                        body=n.body,
                        url=n.url[:500],
                        watch_id=wid,
                        dedupe=dedupe,
                    ),
                )
    if not items:
        return 0
    before = InboxItem.objects.count()
    InboxItem.objects.bulk_create(
        list(items.values()), ignore_conflicts=True, batch_size=500
    )
    return InboxItem.objects.count() - before

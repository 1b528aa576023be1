"""Writes of the sharing app: this instance's identity and keys, what it
publishes, its signed outbox, member instances and pulling their feeds."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.core.services import log
from qihub.sharing import membership, pulling, signing
from qihub.sharing.models import (
    FeedEntry,
    InstanceIdentity,
    MemberInstance,
    MemberKey,
    MirroredRecord,
    MirroredStandard,
    PublishingChoice,
    SharedKind,
    SigningKey,
)

#: Entries per feed page: the default and the most a reader may ask for.
FEED_PAGE = 500
FEED_PAGE_MAX = 2000
PULL_TIMEOUT = 20

_enabled_cache: dict[str, Any] = {"at": 0.0, "kinds": None}
_ENABLED_TTL = 10.0


def _require_staff(actor) -> None:
    if actor is not None and not is_staff_member(actor):
        raise ApplicationError(_("Only institute staff may do this."), status=403)


def enabled_kinds() -> frozenset[str]:
    """The kinds this instance publishes (cached briefly in the process: it
    is asked on every save of a shareable record)."""
    now = time.monotonic()
    if _enabled_cache["kinds"] is None or now - _enabled_cache["at"] > _ENABLED_TTL:
        _enabled_cache["kinds"] = frozenset(
            PublishingChoice.objects.filter(enabled=True).values_list("kind", flat=True)
        )
        _enabled_cache["at"] = now
    return _enabled_cache["kinds"]


def enabled_kinds_forget() -> None:
    _enabled_cache["kinds"] = None


# --- identity and keys --------------------------------------------------------


@transaction.atomic
def identity_set(*, base_url: str, organisation=None, actor=None) -> InstanceIdentity:
    """Set this instance's base URL and organisation; the first call also
    creates its signing key."""
    _require_staff(actor)
    base_url = base_url_clean(base_url)
    identity = InstanceIdentity.objects.order_by("pk").first() or InstanceIdentity()
    identity.base_url = base_url
    identity.organisation = organisation
    identity.save()
    if not SigningKey.objects.filter(valid_until__isnull=True).exists():
        _key_create()
    log(actor=actor, action="sharing.identity", details={"base_url": base_url})
    return identity


def identity_get() -> InstanceIdentity | None:
    return InstanceIdentity.objects.order_by("pk").first()


def _key_create() -> SigningKey:
    key_id, public, encrypted = signing.key_generate()
    return SigningKey.objects.create(
        key_id=key_id,
        public_key=public,
        private_key_encrypted=encrypted,
        valid_from=timezone.now(),
    )


def _current_key() -> SigningKey:
    key = SigningKey.objects.filter(valid_until__isnull=True).first()
    if key is None:
        raise ApplicationError(
            _("Set this instance's identity first: it has no signing key.")
        )
    return key


@transaction.atomic
def key_rotate(*, actor=None) -> SigningKey:
    """Replace the signing key. The new public key is announced in the feed,
    signed by the old one, so members that trust the old key learn the new
    one; the old key keeps its public half and verifies what it signed."""
    _require_staff(actor)
    old = _current_key()
    new = _key_create()
    entry_write(
        kind="key",
        key=new.key_id,
        op=FeedEntry.Op.UPSERT,
        data={"key_id": new.key_id, "public_key": new.public_key},
        signer=old,
    )
    old.valid_until = timezone.now()
    old.save(update_fields=["valid_until"])
    log(actor=actor, action="sharing.key_rotate", details={"key_id": new.key_id})
    return new


# --- publishing ---------------------------------------------------------------


def entry_write(*, kind: str, key: str, op: str, data: dict, signer=None) -> None:
    identity = identity_get()
    if identity is None:
        return
    signer = signer or _current_key()
    digest = hashlib.sha256(
        signing.canonical([kind, key, op, data]).encode()
    ).hexdigest()
    last = (
        FeedEntry.objects.filter(kind=kind, key=key)
        .order_by("-seq")
        .values_list("digest", flat=True)
        .first()
    )
    if last == digest or (last is None and op == FeedEntry.Op.DELETE):
        return  # nothing new to say (idempotent saves, unpublished deletions)
    entry = FeedEntry.objects.create(
        kind=kind, key=key, op=op, digest=digest, body="", key_id=signer.key_id
    )
    _entry_sign(entry, identity, signer, data)
    entry.save(update_fields=["body", "signature"])


def _entry_sign(entry, identity, signer, data) -> None:
    entry.body = signing.canonical(
        {
            "instance": identity.base_url,
            "seq": entry.seq,
            "kind": entry.kind,
            "key": entry.key,
            "op": entry.op,
            "at": timezone.now().isoformat(),
            "data": data,
        }
    )
    entry.signature = signing.sign(
        signing.private_key_load(signer.private_key_encrypted), entry.body
    )


def record_changed(*, kind: str, key: str, data: dict | None) -> None:
    """Write the change of one record to the outbox when its kind is
    published: ``data`` None (or the record no longer qualifies) is a
    tombstone."""
    if kind not in enabled_kinds():
        return
    op = FeedEntry.Op.UPSERT if data is not None else FeedEntry.Op.DELETE
    entry_write(kind=kind, key=key, op=op, data=data or {})


@transaction.atomic
def publishing_set(*, kind: str, enabled: bool, actor=None) -> PublishingChoice:
    """Publish one kind (every current record enters the feed) or stop
    publishing it (every record gets a tombstone)."""
    _require_staff(actor)
    if kind not in SharedKind.values:
        raise ApplicationError(
            _("Unknown kind: %(kind)s.") % {"kind": kind}, details={"kind": "invalid"}
        )
    _current_key()
    choice, _created = PublishingChoice.objects.get_or_create(kind=kind)
    choice.enabled = enabled
    choice.save()
    enabled_kinds_forget()
    from qihub.sharing import publishing

    for key, data in publishing.records_of(kind):
        op = FeedEntry.Op.UPSERT if enabled and data is not None else "delete"
        entry_write(kind=kind, key=key, op=op, data=data if op != "delete" else {})
    log(actor=actor, action="sharing.publish", details={"kind": kind, "on": enabled})
    return choice


# --- members ------------------------------------------------------------------


@transaction.atomic
def member_register(
    *,
    network,
    base_url: str,
    public_key: str,
    key_id: str = "",
    organisation=None,
    name: str = "",
    actor=None,
) -> MemberInstance:
    """Register another institute's instance in a network (state requested)
    with the public key it gave us."""
    _require_staff(actor)
    base_url = base_url.strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ApplicationError(
            _("The base URL must start with http:// or https://."),
            details={"base_url": "invalid"},
        )
    try:
        signing.public_key_load(public_key)
    except ValueError as exc:
        raise ApplicationError(
            _("The public key is not a base64 Ed25519 key."),
            details={"public_key": "invalid"},
        ) from exc
    if MemberInstance.objects.filter(network=network, base_url=base_url).exists():
        raise ApplicationError(
            _("This instance is already registered in the network."), status=409
        )
    member = MemberInstance.objects.create(
        network=network, base_url=base_url, organisation=organisation, name=name
    )
    MemberKey.objects.create(
        member=member,
        key_id=key_id or hashlib.sha256(_raw(public_key)).hexdigest()[:16],
        public_key=public_key,
    )
    log(actor=actor, action="sharing.member_register", details={"url": base_url})
    return member


#: The most an instance description may weigh (it is a few keys).
DESCRIPTION_MAX = 64 * 1024
#: How long registering waits for the other instance (a page waits on it).
DESCRIBE_TIMEOUT = 10


def http_describe(url: str) -> bytes:
    """GET another instance's description (``/api/network/instance``)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=DESCRIBE_TIMEOUT) as response:  # noqa: S310
        return response.read(DESCRIPTION_MAX + 1)


def instance_describe(*, base_url: str, fetch: Fetch | None = None) -> dict:
    """What another qihub says of itself at ``/api/network/instance``: its
    base URL, organisation and public keys, checked. Refused with a message
    naming the base URL when it cannot be reached or is not a qihub
    instance description (nothing is stored)."""
    base_url = base_url_clean(base_url)
    url = f"{base_url}/api/network/instance"
    fetch = fetch or http_describe
    try:
        raw = fetch(url)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ApplicationError(
            _("Could not reach %(url)s: %(error)s")
            % {"url": url, "error": getattr(exc, "reason", exc)},
            details={"base_url": "unreachable"},
        ) from exc
    malformed = ApplicationError(
        _(
            "%(url)s did not answer with a qihub instance description "
            "(base URL and public keys)."
        )
        % {"url": url},
        details={"base_url": "malformed"},
    )
    try:
        if len(raw) > DESCRIPTION_MAX:
            raise ValueError("too long")
        info = json.loads(raw)
        said = str(info["base_url"]).rstrip("/")
        organisation = str(info.get("organisation") or "")
        keys = []
        for item in info["keys"]:
            valid_until = item.get("valid_until")
            keys.append(
                {
                    "key_id": str(item["key_id"])[:32],
                    "public_key": str(item["public_key"]),
                    "valid_from": parse_datetime(str(item.get("valid_from") or "")),
                    "valid_until": parse_datetime(valid_until) if valid_until else None,
                }
            )
            signing.public_key_load(keys[-1]["public_key"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise malformed from exc
    current = [k for k in keys if k["valid_until"] is None]
    if not said or len(current) != 1 or not all(k["key_id"] for k in keys):
        raise ApplicationError(
            _(
                "%(url)s has no identity yet (a base URL and one current "
                "signing key): its administrator sets it first."
            )
            % {"url": url},
            details={"base_url": "no_identity"},
        )
    if said != base_url:
        raise ApplicationError(
            _(
                "The instance at %(url)s signs its feed as %(said)s: register "
                "it by that base URL."
            )
            % {"url": base_url, "said": said},
            details={"base_url": "mismatch"},
        )
    return {"base_url": said, "organisation": organisation, "keys": keys}


def member_register_from_url(
    *,
    network,
    base_url: str,
    organisation=None,
    name: str = "",
    actor=None,
    fetch: Fetch | None = None,
) -> MemberInstance:
    """Register another institute's instance in a network by its base URL
    alone: its public keys (the current one, and rotated ones with their
    validity so that the entries they signed still verify) are read from its
    ``/api/network/instance``. The membership is *requested* until accepted;
    an unreachable or malformed answer stores nothing. The other instance is
    asked outside the transaction: on SQLite a transaction holds the write
    lock, and its answer may take seconds."""
    _require_staff(actor)
    base_url = base_url_clean(base_url)
    if MemberInstance.objects.filter(network=network, base_url=base_url).exists():
        raise ApplicationError(
            _("This instance is already registered in the network."),
            status=409,
            details={"base_url": "duplicate"},
        )
    info = instance_describe(base_url=base_url, fetch=fetch)
    [current] = [k for k in info["keys"] if k["valid_until"] is None]
    with transaction.atomic():
        return _member_store(
            network=network,
            base_url=base_url,
            info=info,
            current=current,
            organisation=organisation,
            name=name,
            actor=actor,
        )


def _member_store(
    *, network, base_url: str, info: dict, current: dict, organisation, name: str, actor
) -> MemberInstance:
    member = member_register(
        network=network,
        base_url=base_url,
        public_key=current["public_key"],
        key_id=current["key_id"],
        organisation=organisation,
        name=(name or info["organisation"])[:300],
        actor=actor,
    )
    member.keys.filter(key_id=current["key_id"]).update(
        valid_from=current["valid_from"]
    )
    MemberKey.objects.bulk_create(
        [
            MemberKey(
                member=member,
                key_id=k["key_id"],
                public_key=k["public_key"],
                valid_from=k["valid_from"],
                valid_until=k["valid_until"],
            )
            for k in info["keys"]
            if k["valid_until"] is not None and k["key_id"] != current["key_id"]
        ],
        ignore_conflicts=True,
    )
    return member


def base_url_clean(base_url: str) -> str:
    base_url = (base_url or "").strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(base_url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 (a port that is no number raises here)
    except ValueError:
        valid = False
    if not valid:
        raise ApplicationError(
            _(
                "The base URL must be an http:// or https:// address with a "
                "host name, such as https://qihub.example.org."
            ),
            details={"base_url": "invalid"},
        )
    return base_url


def _raw(public_key: str) -> bytes:
    import base64

    return base64.b64decode(public_key)


@transaction.atomic
def member_accept(*, member: MemberInstance, actor=None) -> MemberInstance:
    """The network's secretariat accepts the membership: the feed is pulled
    from now on. Refused when the network has no secretariat."""
    _require_staff(actor)
    from qihub.organisations.models import SecretariatTerm

    today = timezone.localdate()
    term = (
        SecretariatTerm.objects.filter(network=member.network, starts_on__lte=today)
        .exclude(ends_on__lt=today)
        .order_by("-starts_on")
        .first()
    )
    if term is None:
        raise ApplicationError(
            _("The network has no secretariat to accept the membership."), status=409
        )
    if member.state == MemberInstance.State.ACCEPTED:
        raise ApplicationError(_("This member is already accepted."), status=409)
    member.state = MemberInstance.State.ACCEPTED
    member.accepted_at = timezone.now()
    member.accepted_by = term.organisation
    member.removed_at = None
    member.save()
    MirroredRecord.objects.filter(member=member).update(no_longer_shared=False)
    MirroredStandard.objects.filter(member=member).update(no_longer_shared=False)
    membership.announce(member=member)
    log(actor=actor, action="sharing.member_accept", details={"id": member.pk})
    return member


@transaction.atomic
def member_remove(*, member: MemberInstance, actor=None) -> MemberInstance:
    """The member leaves the network: its mirrors stay, marked "no longer
    shared", and are no longer updated."""
    _require_staff(actor)
    member.state = MemberInstance.State.REMOVED
    member.removed_at = timezone.now()
    member.save()
    MirroredRecord.objects.filter(member=member).update(no_longer_shared=True)
    MirroredStandard.objects.filter(member=member).update(no_longer_shared=True)
    membership.announce(member=member)
    log(actor=actor, action="sharing.member_remove", details={"id": member.pk})
    return member


# --- pulling ------------------------------------------------------------------


class PullError(Exception):
    """The pull of one member stopped: the reason is shown on the status page
    (``applied``: the entries of the refused page stored before it)."""

    def __init__(self, reason: str, applied: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.applied = applied


Fetch = Callable[[str], bytes]


def http_fetch(url: str) -> bytes:
    """GET a feed page (the member's base URL is registered by staff)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=PULL_TIMEOUT) as response:  # noqa: S310
        return response.read()


def member_pull(
    *, member: MemberInstance, fetch: Fetch | None = None, limit: int = FEED_PAGE_MAX
) -> int:
    """Fetch the member's feed from its cursor, verify every entry against its
    registered keys and mirror it. Each page is stored in one transaction and
    the cursor advances only with it; a refused entry stops the pull (the
    valid entries before it are kept). While one page is stored, the next is
    fetched and its signatures checked (in worker processes on a large
    pull: ``pulling.Verifier``). Returns the entries applied."""
    if member.state != MemberInstance.State.ACCEPTED:
        return 0
    fetch = fetch or http_fetch
    applied = 0
    member.last_pull_at = timezone.now()
    verifier = pulling.Verifier()
    verifier.publics = {k.key_id: k.public_key for k in member.keys.all()}
    since = member.cursor
    pending = None  # the page fetched last, its signatures being checked
    try:
        while True:
            url = f"{member.base_url}/api/network/feed?since={since}&limit={limit}"
            try:
                raw = fetch(url)
            except (OSError, urllib.error.URLError) as exc:
                raise PullError(_("Unreachable: %(error)s") % {"error": exc}) from exc
            try:
                entries, more, refused = pulling.page_parse(raw, since)
            except (ValueError, KeyError, TypeError) as exc:
                raise PullError(
                    _("Truncated or malformed feed page after cursor %(cursor)s.")
                    % {"cursor": since}
                ) from exc
            verifier.publics.update(pulling.announced_keys(entries))
            current = (entries, verifier.submit(entries), refused)
            if pending is not None:
                applied += _page_apply(member, *pending)
            pending = current
            if refused or not more or not entries:
                break
            since = max(since, entries[-1][0])
        applied += _page_apply(member, *pending)
    except PullError as exc:
        applied += exc.applied
        member.last_error = exc.reason
        member.last_error_at = timezone.now()
        member.save(
            update_fields=["last_pull_at", "last_error", "last_error_at", "updated_at"]
        )
        return applied
    finally:
        verifier.close()
    member.last_success_at = timezone.now()
    member.last_error = ""
    member.save(
        update_fields=["last_pull_at", "last_success_at", "last_error", "updated_at"]
    )
    return applied


def _page_apply(member, entries, checking, refused: str) -> int:
    """Check and store one fetched page. When an entry of it (or the page
    itself) was refused, the entries before it are stored and counted in
    ``member.pull_applied`` before PullError says why."""
    good, error = pulling.page_check(member, entries, checking)
    applied = pulling.page_store(member, good) if good else 0
    if error or refused:
        raise PullError(error or refused, applied)
    return applied


def network_pull(*, fetch: Fetch | None = None) -> dict[str, int]:
    """Pull every accepted member instance (the scheduled job), including
    those the secretariat's feed announces during this run. The secretariat
    instances go first: a removal they announce applies before the removed
    member's feed would be read."""
    counts: dict[str, int] = {}
    pulled: set[int] = set()
    while True:
        todo = list(
            MemberInstance.objects.filter(state=MemberInstance.State.ACCEPTED)
            .exclude(pk__in=pulled)
            .select_related("network")
        )
        if not todo:
            return counts
        todo.sort(key=lambda m: not membership.is_secretariat_instance(m))
        for member in todo:
            pulled.add(member.pk)
            member.refresh_from_db(fields=["state"])
            if member.state == MemberInstance.State.ACCEPTED:
                counts[member.base_url] = member_pull(member=member, fetch=fetch)

"""The network API: this instance's signed change feed and its identity, read
by the other member instances; and, for staff, the member instances
(register by base URL, accept, remove), this instance's key rotation and what
it publishes per kind."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from qihub.core.api_auth import write_auth
from qihub.core.errors import PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.sharing import selectors, services
from qihub.sharing.models import MemberInstance, SigningKey

router = Router(tags=["sharing"])


class SharingFeedQuery(Schema):
    since: int = Field(0, ge=0, le=2**62)
    limit: int = Field(services.FEED_PAGE, ge=1, le=services.FEED_PAGE_MAX)


class SharingFeedEntryOut(Schema):
    seq: int
    body: str
    key_id: str
    sig: str


class SharingFeedOut(Schema):
    instance: str
    since: int
    next: int
    count: int
    more: bool
    entries: list[SharingFeedEntryOut]


class SharingKeyOut(Schema):
    key_id: str
    public_key: str
    valid_from: str
    valid_until: str | None


class SharingInstanceOut(Schema):
    base_url: str
    organisation: str
    keys: list[SharingKeyOut]


def _json(value: str) -> str:
    # The bodies are canonical JSON already; only quote them as strings.
    import json

    return json.dumps(value, ensure_ascii=False)


@router.get("/feed", response=SharingFeedOut, summary="The signed change feed")
def feed(request, filters: Query[SharingFeedQuery]):
    """Entries after the cursor ``since``, in order; ``body`` is the canonical
    JSON signed by ``sig`` (Ed25519, base64) with the key ``key_id``. A
    deletion is a tombstone (``op`` delete). Read ``next`` as the following
    cursor while ``more`` is true."""
    identity = services.identity_get()
    rows, more = selectors.feed_page(since=filters.since, limit=filters.limit)
    last = rows[-1][0] if rows else filters.since
    parts = [
        f'{{"seq":{seq},"body":{_json(body)},"key_id":"{key_id}","sig":"{sig}"}}'
        for seq, body, key_id, sig in rows
    ]
    text = (
        f'{{"instance":{_json(identity.base_url if identity else "")},'
        f'"since":{filters.since},"next":{last},"count":{len(rows)},'
        f'"more":{"true" if more else "false"},"entries":[{",".join(parts)}]}}'
    )
    # Built as text: a page of a thousand entries stays well under 50 ms.
    return HttpResponse(text, content_type="application/json")


@router.get("/instance", response=SharingInstanceOut, summary="This instance")
def instance(request):
    """This instance's base URL, organisation and public keys (current and
    rotated, with their validity)."""
    identity = services.identity_get()
    return {
        "base_url": identity.base_url if identity else "",
        "organisation": identity.organisation.name
        if identity and identity.organisation
        else "",
        "keys": [
            {
                "key_id": k.key_id,
                "public_key": k.public_key,
                "valid_from": k.valid_from.isoformat(),
                "valid_until": k.valid_until.isoformat() if k.valid_until else None,
            }
            for k in SigningKey.objects.all()
        ],
    }


# --- staff: members, key, publishing --------------------------------------------


class SharingMemberKeyOut(Schema):
    key_id: str
    public_key: str
    valid_from: datetime.datetime | None
    valid_until: datetime.datetime | None


class SharingMemberOut(Schema):
    id: int
    network: int
    network_name: str
    base_url: str
    name: str
    organisation: int | None
    state: str
    accepted_at: datetime.datetime | None
    removed_at: datetime.datetime | None
    cursor: int
    records: int
    last_success_at: datetime.datetime | None
    last_error: str
    keys: list[SharingMemberKeyOut]


class SharingMemberIn(Schema):
    network: int = Field(..., ge=1, le=2**62)
    base_url: str = Field(..., max_length=300)
    name: str = Field("", max_length=300)
    organisation: int | None = Field(None, ge=1, le=2**62)


class SharingIdentityIn(Schema):
    base_url: str = Field(..., max_length=300)
    organisation: int | None = Field(None, ge=1, le=2**62)


class SharingPublishingOut(Schema):
    kind: str
    label: str
    enabled: bool


class SharingPublishingIn(Schema):
    enabled: bool


def _staff_only(request) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only institute staff may do this."))


def _member_out(member: MemberInstance) -> dict:
    return {
        "id": member.pk,
        "network": member.network_id,
        "network_name": str(member.network.name),
        "base_url": member.base_url,
        "name": member.name,
        "organisation": member.organisation_id,
        "state": member.state,
        "accepted_at": member.accepted_at,
        "removed_at": member.removed_at,
        "cursor": member.cursor,
        "records": member.records,
        "last_success_at": member.last_success_at,
        "last_error": member.last_error,
        "keys": [
            {
                "key_id": k.key_id,
                "public_key": k.public_key,
                "valid_from": k.valid_from,
                "valid_until": k.valid_until,
            }
            for k in member.keys.all()
        ],
    }


def _member(member_id: int) -> MemberInstance:
    return get_object_or_404(
        MemberInstance.objects.select_related("network"), pk=member_id
    )


@router.get(
    "/members",
    response=list[SharingMemberOut],
    auth=write_auth,
    summary="Member instances (staff)",
)
def members(request):
    """Every registered member instance with its state, keys and pull status."""
    _staff_only(request)
    return [_member_out(m) for m in selectors.members_status().prefetch_related("keys")]


@router.post(
    "/members",
    response={201: SharingMemberOut},
    auth=write_auth,
    summary="Register a member instance by its base URL (staff)",
)
def member_register(request, payload: SharingMemberIn):
    """Read the instance's public keys from ``BASE_URL/api/network/instance``
    and register it in the network (state *requested*). An unreachable or
    malformed answer is refused (400) and stores nothing."""
    from qihub.organisations.models import Network, Organisation

    _staff_only(request)
    network = get_object_or_404(Network, pk=payload.network)
    organisation = (
        get_object_or_404(Organisation, pk=payload.organisation)
        if payload.organisation
        else None
    )
    member = services.member_register_from_url(
        network=network,
        base_url=payload.base_url,
        name=payload.name,
        organisation=organisation,
        actor=request.user,
    )
    return Status(201, _member_out(_member(member.pk)))


@router.post(
    "/members/{int:member_id}/accept",
    response=SharingMemberOut,
    auth=write_auth,
    summary="Accept a member instance (staff)",
)
def member_accept(request, member_id: int):
    """The network's secretariat accepts the membership: its feed is pulled."""
    member = services.member_accept(member=_member(member_id), actor=request.user)
    return _member_out(member)


@router.post(
    "/members/{int:member_id}/remove",
    response=SharingMemberOut,
    auth=write_auth,
    summary="Remove a member instance (staff)",
)
def member_remove(request, member_id: int):
    """Its mirrors stay, marked "no longer shared", and stop updating."""
    member = services.member_remove(member=_member(member_id), actor=request.user)
    return _member_out(member)


@router.put(
    "/instance",
    response=SharingInstanceOut,
    auth=write_auth,
    summary="Set this instance's base URL and organisation (staff)",
)
def identity_set(request, payload: SharingIdentityIn):
    """The base URL the other members reach this instance at (its feed
    entries are signed for it); the first call also makes its signing key."""
    from qihub.organisations.models import Organisation

    _staff_only(request)
    organisation = (
        get_object_or_404(Organisation, pk=payload.organisation)
        if payload.organisation
        else None
    )
    services.identity_set(
        base_url=payload.base_url, organisation=organisation, actor=request.user
    )
    return instance(request)


@router.post(
    "/key/rotate",
    response=SharingKeyOut,
    auth=write_auth,
    summary="Rotate this instance's signing key (staff)",
)
def key_rotate(request):
    """A new signing key, announced in the feed under the old one."""
    key = services.key_rotate(actor=request.user)
    return {
        "key_id": key.key_id,
        "public_key": key.public_key,
        "valid_from": key.valid_from.isoformat(),
        "valid_until": None,
    }


@router.get(
    "/publishing",
    response=list[SharingPublishingOut],
    auth=write_auth,
    summary="What this instance publishes, per kind (staff)",
)
def publishing(request):
    _staff_only(request)
    return [{**c, "label": str(c["label"])} for c in selectors.publishing_choices()]


@router.put(
    "/publishing/{kind}",
    response=SharingPublishingOut,
    auth=write_auth,
    summary="Publish one kind or stop publishing it (staff)",
)
def publishing_set(request, kind: str, payload: SharingPublishingIn):
    """Publishing a kind puts every current record of it in the feed;
    stopping writes a tombstone for each."""
    choice = services.publishing_set(
        kind=kind, enabled=payload.enabled, actor=request.user
    )
    return {
        "kind": choice.kind,
        "label": str(choice.get_kind_display()),
        "enabled": choice.enabled,
    }

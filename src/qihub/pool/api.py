"""The pool API: this instance's expert pool and held standard texts (staff
add and change them), and the searches across a network's member instances
(who is an expert in what, who holds which standard texts)."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from qihub.core.api_auth import write_auth
from qihub.core.roles import is_staff_member
from qihub.pool import selectors, services
from qihub.pool.models import Expert, HeldText

router = Router(tags=["pool"])


class PoolExpertOut(Schema):
    id: int
    name_zh: str
    name_en: str
    organisation: int | None
    position: str
    fields: list[str]
    email: str
    listed: bool
    contact_shared: bool
    consent_on: datetime.date | None
    consent_withdrawn_on: datetime.date | None


class PoolExpertIn(Schema):
    name_zh: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    organisation: int | None = Field(None, ge=1, le=2**62)
    position: str = Field("", max_length=200)
    fields: str = Field(..., max_length=500)
    email: str = Field("", max_length=254)
    listed: bool = False
    contact_shared: bool = False
    consent_on: datetime.date | None = None


class PoolHeldTextOut(Schema):
    id: int
    identifier: str
    ident_key: str
    standard: int | None
    title: str
    edition: str
    language: str
    licence_scope: str
    licence_until: datetime.date | None
    note: str
    released_on: datetime.date | None


class PoolHeldTextIn(Schema):
    identifier: str = Field(..., max_length=200)
    title: str = Field("", max_length=500)
    edition: str = Field(..., max_length=100)
    language: str = Field("", max_length=20)
    licence_scope: str = Field(..., max_length=20)
    licence_until: datetime.date | None = None
    note: str = Field("", max_length=5000)


class PoolNetworkExpertOut(Schema):
    name: str
    organisation: str
    position: str
    fields: list[str]
    email: str
    source: str
    source_url: str
    no_longer_shared: bool


class PoolHolderOut(Schema):
    source: str
    source_url: str
    edition: str
    language: str
    licence_scope: str
    licence_scope_label: str
    licence_until: str | None
    no_longer_shared: bool


class PoolHoldingOut(Schema):
    identifier: str
    title: str
    holders: list[PoolHolderOut]


class PoolExpertQuery(Schema):
    q: str = Field("", max_length=200)
    field: str = Field("", max_length=200)


class PoolTextQuery(Schema):
    q: str = Field("", max_length=200)


def _expert_out(e: Expert) -> dict:
    staff_view = {
        "id": e.pk,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "organisation": e.organisation_id,
        "position": e.position,
        "fields": e.field_list,
        "email": e.email,
        "listed": e.listed,
        "contact_shared": e.contact_shared,
        "consent_on": e.consent_on,
        "consent_withdrawn_on": e.consent_withdrawn_on,
    }
    return staff_view


def _public(expert: dict) -> dict:
    return {**expert, "email": expert["email"] if expert["contact_shared"] else ""}


def _text_out(t: HeldText) -> dict:
    return {
        "id": t.pk,
        "identifier": t.identifier,
        "ident_key": t.ident_key,
        "standard": t.standard_id,
        "title": t.title,
        "edition": t.edition,
        "language": t.language,
        "licence_scope": t.licence_scope,
        "licence_until": t.licence_until,
        "note": t.note,
        "released_on": t.released_on,
    }


def _staff_reader(request) -> bool:
    """Whether a read comes from staff: the session, or a bearer token (the
    reads are public, so no auth is required to ask)."""
    from qihub.core.services import api_token_authenticate

    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return is_staff_member(api_token_authenticate(header[7:].strip()))
    return is_staff_member(request.user)


def _organisation(pk: int | None):
    from qihub.organisations.models import Organisation

    return get_object_or_404(Organisation, pk=pk) if pk else None


@router.get("/experts", response=list[PoolExpertOut], summary="This instance's experts")
def experts(request):
    """The experts who agreed to be listed (staff also see the others); the
    e-mail address only where the expert agreed to share it."""
    staff = _staff_reader(request)
    rows = selectors.experts(include_unlisted=staff)[:500]
    return [_expert_out(e) if staff else _public(_expert_out(e)) for e in rows]


@router.post(
    "/experts",
    response={201: PoolExpertOut},
    auth=write_auth,
    summary="Add an expert (staff)",
)
def expert_create(request, payload: PoolExpertIn):
    values = payload.dict()
    values["organisation"] = _organisation(values["organisation"])
    expert = services.expert_create(actor=request.user, **values)
    return Status(201, _expert_out(expert))


@router.put(
    "/experts/{int:expert_id}",
    response=PoolExpertOut,
    auth=write_auth,
    summary="Change an expert (staff)",
)
def expert_update(request, expert_id: int, payload: PoolExpertIn):
    values = payload.dict()
    values["organisation"] = _organisation(values["organisation"])
    expert = services.expert_update(
        expert=get_object_or_404(Expert, pk=expert_id), actor=request.user, **values
    )
    return _expert_out(expert)


@router.post(
    "/experts/{int:expert_id}/withdraw",
    response=PoolExpertOut,
    auth=write_auth,
    summary="Record that an expert withdrew their consent (staff)",
)
def expert_withdraw(request, expert_id: int):
    """The expert leaves the shared pool; the record stays here."""
    expert = services.expert_consent_withdraw(
        expert=get_object_or_404(Expert, pk=expert_id), actor=request.user
    )
    return _expert_out(expert)


@router.get(
    "/texts", response=list[PoolHeldTextOut], summary="Standard texts held here"
)
def held_texts(request):
    """The standard texts this instance holds for joint purchase (staff also
    see released ones): identifier, edition, licence scope; never the file."""
    staff = _staff_reader(request)
    return [_text_out(t) for t in selectors.held_texts(include_released=staff)[:2000]]


@router.post(
    "/texts",
    response={201: PoolHeldTextOut},
    auth=write_auth,
    summary="List a held standard text (staff)",
)
def held_text_create(request, payload: PoolHeldTextIn):
    text = services.held_text_create(actor=request.user, **payload.dict())
    return Status(201, _text_out(text))


@router.put(
    "/texts/{int:text_id}",
    response=PoolHeldTextOut,
    auth=write_auth,
    summary="Change a held standard text (staff)",
)
def held_text_update(request, text_id: int, payload: PoolHeldTextIn):
    text = services.held_text_update(
        text=get_object_or_404(HeldText, pk=text_id),
        actor=request.user,
        **payload.dict(),
    )
    return _text_out(text)


@router.post(
    "/texts/{int:text_id}/release",
    response=PoolHeldTextOut,
    auth=write_auth,
    summary="A held standard text is no longer held (staff)",
)
def held_text_release(request, text_id: int):
    text = services.held_text_release(
        text=get_object_or_404(HeldText, pk=text_id), actor=request.user
    )
    return _text_out(text)


def _network(network_id: int):
    from qihub.organisations.models import Network

    return get_object_or_404(Network, pk=network_id)


@router.get(
    "/networks/{int:network_id}/experts",
    response=list[PoolNetworkExpertOut],
    summary="The expert pool across a network's member instances",
)
def network_experts(request, network_id: int, filters: Query[PoolExpertQuery]):
    """Experts here and at the member instances matching ``q`` (name,
    organisation, position, fields) and ``field`` (a field of expertise);
    ``source`` is the member instance (empty: this instance)."""
    return selectors.network_experts(
        _network(network_id), q=filters.q, field=filters.field
    )


@router.get(
    "/networks/{int:network_id}/texts",
    response=list[PoolHoldingOut],
    summary="Who holds which standard texts across a network",
)
def network_texts(request, network_id: int, filters: Query[PoolTextQuery]):
    return selectors.network_holdings(_network(network_id), q=filters.q)

"""Alerts API: the caller's watches and inbox."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from qihub.alerts import selectors, services
from qihub.alerts.models import Watch
from qihub.core.api_auth import write_auth

router = Router(auth=write_auth)


class WatchIn(Schema):
    kind: str
    value: str
    organisation: int | None = None
    label: str = ""


class WatchOut(Schema):
    id: int
    kind: str
    key: str
    label: str
    standard: int | None
    organisation: int | None
    followed_from: int | None

    @staticmethod
    def of(w: Watch) -> dict:
        return {
            "id": w.pk,
            "kind": w.kind,
            "key": w.key,
            "label": w.label,
            "standard": w.standard_id,
            "organisation": w.organisation_id,
            "followed_from": w.followed_from_id,
        }


class InboxEntryOut(Schema):
    source: str
    id: int
    kind: str
    subject: str
    body: str
    url: str
    created_at: datetime.datetime
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[InboxEntryOut]


class ReadIn(Schema):
    ids: list[int] | None = None


class ReadOut(Schema):
    marked: int


@router.get("/watches", response=list[WatchOut], summary="My watches")
def watch_list(request):
    return [WatchOut.of(w) for w in selectors.watches_for_user(request.user)]


@router.post("/watches", response={201: WatchOut}, summary="Follow something")
def watch_create(request, payload: WatchIn):
    organisation = None
    if payload.organisation is not None:
        from qihub.organisations.models import Organisation

        organisation = get_object_or_404(Organisation, pk=payload.organisation)
    watch = services.watch_create(
        actor=request.user,
        kind=payload.kind,
        value=payload.value,
        organisation=organisation,
        label=payload.label,
    )
    return 201, WatchOut.of(watch)


@router.delete("/watches/{int:watch_id}", response={204: None}, summary="Unfollow")
def watch_delete(request, watch_id: int):
    services.watch_delete(
        actor=request.user, watch=get_object_or_404(Watch, pk=watch_id)
    )
    return 204, None


@router.get("/inbox", response=InboxOut, summary="My inbox (every domain)")
def inbox(request, unread: bool = False, limit: int = 50):
    limit = max(1, min(limit, 200))
    entries = selectors.inbox(request.user, limit=limit, unread_only=unread)
    return {
        "unread": selectors.unread_count(request.user),
        "items": [
            {
                "source": e.source,
                "id": e.pk,
                "kind": e.kind,
                "subject": e.subject,
                "body": e.body,
                "url": e.url,
                "created_at": e.created_at,
                "read": e.read,
            }
            for e in entries
        ],
    }


@router.post("/inbox/read", response=ReadOut, summary="Mark inbox items read")
def inbox_read(request, payload: ReadIn):
    return {"marked": services.inbox_mark_read(user=request.user, ids=payload.ids)}

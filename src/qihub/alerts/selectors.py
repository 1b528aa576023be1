"""Reads for watch lists and the one inbox.

The inbox shows the user's alert items and the declarations notices of the
enterprises they belong to, newest first, merged (each side read with its
own index, limited to the page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from qihub.alerts.models import InboxItem, Watch


@dataclass
class Entry:
    """One line of the unified inbox."""

    source: str  # "alerts" or "declarations"
    pk: int
    kind: str
    kind_label: str
    subject: str
    body: str
    url: str
    created_at: datetime
    read: bool


def watches_for_user(user) -> QuerySet[Watch]:
    """The user's own watches and those of their organisations."""
    from django.db.models import Q

    return (
        Watch.objects.filter(Q(user=user) | Q(organisation__memberships__user=user))
        .select_related("standard", "organisation")
        .distinct()
        .order_by("kind", "label", "id")
    )


def watch_for(user, standard) -> Watch | None:
    if not user.is_authenticated:
        return None
    return Watch.objects.filter(
        user=user, kind=Watch.Kind.STANDARD, standard=standard
    ).first()


def _notices(user):
    from qihub.declarations.selectors import notices_for_user

    return notices_for_user(user)


def inbox(user, *, limit: int = 50, unread_only: bool = False) -> list[Entry]:
    items = InboxItem.objects.filter(user=user).order_by("-created_at", "-id")
    notices = _notices(user)
    if unread_only:
        items = items.filter(read_at__isnull=True)
        notices = notices.filter(read_at__isnull=True)
    entries = [
        Entry(
            "alerts",
            i.pk,
            i.kind,
            i.get_kind_display(),
            i.subject,
            i.body,
            i.url,
            i.created_at,
            i.read_at is not None,
        )
        for i in items[:limit]
    ]
    for n in notices[:limit]:
        entries.append(
            Entry(
                "declarations",
                n.pk,
                n.kind,
                n.get_kind_display(),
                n.subject,
                n.body,
                n.declaration.get_absolute_url() if n.declaration_id else "",
                n.created_at,
                n.read_at is not None,
            )
        )
    entries.sort(key=lambda e: e.created_at, reverse=True)
    return entries[:limit]


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return (
        InboxItem.objects.filter(user=user, read_at__isnull=True).count()
        + _notices(user).filter(read_at__isnull=True).count()
    )

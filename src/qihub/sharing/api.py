"""The network API: this instance's signed change feed and its identity, read
by the other member instances."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from qihub.sharing import selectors, services
from qihub.sharing.models import SigningKey

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

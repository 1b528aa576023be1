"""Reads of the expert pool and the held texts: this instance's own, and
across the member instances of a network (their mirrored entries)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qihub.pool.models import Expert, HeldText

#: The most rows a search across members answers with.
SEARCH_LIMIT = 50
HOLDINGS_LIMIT = 200


def experts(*, include_unlisted: bool = False) -> QuerySet[Expert]:
    """This instance's experts: the listed ones, or every one (for staff)."""
    rows = Expert.objects.select_related("organisation")
    if not include_unlisted:
        rows = rows.filter(listed=True)
    return rows.order_by("name_zh", "name_en", "pk")


def held_texts(*, include_released: bool = False) -> QuerySet[HeldText]:
    rows = HeldText.objects.select_related("standard")
    if not include_released:
        rows = rows.filter(released_on__isnull=True)
    return rows.order_by("ident_key", "edition", "pk")


def _local_expert(e: Expert) -> dict:
    return {
        "name": e.name,
        "organisation": e.organisation.name if e.organisation else "",
        "position": e.position,
        "fields": e.field_list,
        "email": e.email if e.contact_shared else "",
        "source": "",
        "source_url": "",
        "no_longer_shared": False,
    }


def _mirrored_expert(r) -> dict:
    from qihub.core.i18n import localised

    d = r.data
    return {
        "name": localised(str(d.get("name_zh", "")), str(d.get("name_en", ""))),
        "organisation": localised(
            str(d.get("organisation_zh", "")), str(d.get("organisation_en", ""))
        ),
        "position": str(d.get("position", "")),
        "fields": [str(f) for f in d.get("fields") or []],
        "email": str(d.get("email", "")),
        "source": r.member.display_name,
        "source_url": r.member.base_url,
        "no_longer_shared": r.no_longer_shared,
    }


def _has_field(fields: list[str], field: str) -> bool:
    return any(field in f.lower() for f in fields)


def network_experts(
    network, *, q: str = "", field: str = "", limit: int = SEARCH_LIMIT
) -> list[dict]:
    """The expert pool across the network: this instance's listed experts
    and those the member instances share, matching every word of ``q`` (in
    name, organisation, position or fields) and, when given, having a field
    of expertise containing ``field``. Each with its source (empty: here)."""
    from qihub.sharing.models import MirroredRecord, SharedKind

    words = q.lower().split()
    field = field.strip().lower()
    local = experts()
    for word in words:
        local = local.filter(
            Q(name_zh__icontains=word)
            | Q(name_en__icontains=word)
            | Q(position__icontains=word)
            | Q(fields__icontains=word)
            | Q(organisation__name_zh__icontains=word)
            | Q(organisation__name_en__icontains=word)
        )
    if field:
        local = local.filter(fields__icontains=field)
    found = [_local_expert(e) for e in local[: limit * 4]]
    mirrored = MirroredRecord.objects.filter(
        member__network=network, kind=SharedKind.EXPERT, deleted=False
    ).select_related("member__organisation")
    for word in [*words, field] if field else words:
        mirrored = mirrored.filter(search_text__contains=word)
    found += [
        _mirrored_expert(r) for r in mirrored.order_by("member", "key")[: limit * 4]
    ]
    if field:
        found = [e for e in found if _has_field(e["fields"], field)]
    return found[:limit]


def network_holdings(
    network, *, q: str = "", limit: int = HOLDINGS_LIMIT
) -> list[dict]:
    """Who holds which standard texts across the network, by identifier:
    ``[{"identifier", "title", "holders": [{source, edition, language,
    licence_scope, licence_until, no_longer_shared}]}]``; this instance's
    own holdings have an empty source."""
    from qihub.sharing.models import MirroredRecord, SharedKind

    scopes = dict(HeldText.Scope.choices)
    words = q.lower().split()
    local = held_texts()
    for word in words:
        local = local.filter(
            Q(identifier__icontains=word)
            | Q(ident_key__icontains=word)
            | Q(title__icontains=word)
        )
    mirrored = MirroredRecord.objects.filter(
        member__network=network, kind=SharedKind.HELD_TEXT, deleted=False
    ).select_related("member__organisation")
    for word in words:
        mirrored = mirrored.filter(search_text__contains=word)
    by_key: dict[str, dict] = {}

    def add(key, identifier, title, holder) -> None:
        row = by_key.setdefault(
            key, {"identifier": identifier, "title": title, "holders": []}
        )
        row["title"] = row["title"] or title
        holder["licence_scope_label"] = str(
            scopes.get(holder["licence_scope"], holder["licence_scope"])
        )
        row["holders"].append(holder)

    for t in local[:limit]:
        add(
            t.ident_key,
            t.identifier,
            t.title,
            {
                "source": "",
                "source_url": "",
                "edition": t.edition,
                "language": t.language,
                "licence_scope": t.licence_scope,
                "licence_until": t.licence_until.isoformat()
                if t.licence_until
                else None,
                "no_longer_shared": False,
            },
        )
    for r in mirrored.order_by("member", "key")[:limit]:
        d = r.data
        add(
            str(d.get("ident_key") or d.get("identifier", "")),
            str(d.get("identifier", "")),
            str(d.get("title", "")),
            {
                "source": r.member.display_name,
                "source_url": r.member.base_url,
                "edition": str(d.get("edition", "")),
                "language": str(d.get("language", "")),
                "licence_scope": str(d.get("licence_scope", "")),
                "licence_until": d.get("licence_until") or None,
                "no_longer_shared": r.no_longer_shared,
            },
        )
    return [by_key[k] for k in sorted(by_key)][:limit]

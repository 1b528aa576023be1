"""The secretariat's acceptances carried to every member (writes).

Only the network's secretariat instance accepts and removes member
instances. When it does, and when a member it accepted rotates its signing
key, it writes a *membership* entry in its own signed feed: the network (by
name), the member's base URL, organisation and public keys, and whether it
is accepted or removed. Every other member pulling the secretariat's feed
applies the entry, so it learns a new member (and starts pulling it) or a
removal (the mirrors stay, marked "no longer shared") without registering
anything by hand.

A member instance is the network's *secretariat instance* when it is
registered with the organisation that holds the network's current
secretariat term. A membership entry from any other member is refused
(recorded as a ``RefusedEntry`` for the status page) and changes nothing;
the pull goes on with that member's other entries.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.services import log
from qihub.sharing import signing
from qihub.sharing.models import (
    FeedEntry,
    MemberInstance,
    MemberKey,
    MirroredRecord,
    MirroredStandard,
    RefusedEntry,
)

#: The feed kind of membership entries (never a mirrored record).
KIND = "membership"
STATES = (MemberInstance.State.ACCEPTED, MemberInstance.State.REMOVED)


def secretariat_term(network):
    """The network's secretariat term running today, or None."""
    from qihub.organisations.models import SecretariatTerm

    today = timezone.localdate()
    return (
        SecretariatTerm.objects.filter(network=network, starts_on__lte=today)
        .exclude(ends_on__lt=today)
        .select_related("organisation")
        .order_by("-starts_on")
        .first()
    )


def is_secretariat_instance(member: MemberInstance) -> bool:
    """Whether ``member`` is registered here as the instance of the
    organisation holding its network's secretariat today."""
    term = secretariat_term(member.network)
    return bool(term and member.organisation_id == term.organisation_id)


def _here_is_secretariat(network) -> bool:
    from qihub.sharing.services import identity_get

    identity = identity_get()
    term = secretariat_term(network)
    return bool(
        identity
        and term
        and identity.organisation_id
        and identity.organisation_id == term.organisation_id
    )


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def announce(*, member: MemberInstance) -> None:
    """Write the member's membership (its state, organisation and keys) to
    this instance's feed when this instance holds the network's secretariat;
    otherwise nothing (only the secretariat speaks for the network). An
    unchanged announcement writes nothing."""
    if member.state not in STATES or not _here_is_secretariat(member.network):
        return
    from qihub.sharing.services import entry_write

    network = member.network
    organisation = member.organisation
    entry_write(
        kind=KIND,
        key=f"{network.pk}:{member.base_url}"[:200],
        op=FeedEntry.Op.UPSERT,
        data={
            "network": {"name_zh": network.name_zh, "name_en": network.name_en},
            "base_url": member.base_url,
            "name": member.name,
            "organisation": {
                "name_zh": organisation.name_zh if organisation else "",
                "name_en": organisation.name_en if organisation else "",
            },
            "state": member.state,
            "keys": [
                {
                    "key_id": k.key_id,
                    "public_key": k.public_key,
                    "valid_from": _when(k.valid_from),
                    "valid_until": _when(k.valid_until),
                }
                for k in member.keys.order_by("key_id")
            ],
        },
    )


def _same_network(network, said) -> bool:
    """The entry's network is ``network``: the same Chinese or English name
    (networks are records of each instance; their names are what the
    instances share)."""
    if not isinstance(said, dict):
        return False
    zh, en = str(said.get("name_zh") or ""), str(said.get("name_en") or "")
    return bool((zh and zh == network.name_zh) or (en and en == network.name_en))


def _organisation_find(said):
    """The local organisation of the announced names (compared as their
    normalised name keys), if exactly one."""
    from qihub.organisations.models import Organisation
    from qihub.organisations.names import name_key

    if not isinstance(said, dict):
        return None
    keys = {
        name_key(str(said.get(field) or "")) for field in ("name_zh", "name_en")
    } - {""}
    rows = list(Organisation.objects.filter(name_key__in=keys)[:2]) if keys else []
    return rows[0] if len(rows) == 1 else None


def _keys_parse(items) -> list[dict]:
    keys = []
    for item in items:
        valid_from, valid_until = item.get("valid_from"), item.get("valid_until")
        key = {
            "key_id": str(item["key_id"])[:32],
            "public_key": str(item["public_key"]),
            "valid_from": parse_datetime(valid_from) if valid_from else None,
            "valid_until": parse_datetime(valid_until) if valid_until else None,
        }
        signing.public_key_load(key["public_key"])
        if not key["key_id"]:
            raise ValueError("key id")
        keys.append(key)
    return keys


def _parse(data) -> dict:
    """The announced membership, checked; ValueError when it is not one."""
    from qihub.sharing.services import base_url_clean

    try:
        state = data["state"]
        if state not in STATES:
            raise ValueError("state")
        keys = _keys_parse(data.get("keys") or [])
        if state == MemberInstance.State.ACCEPTED and (
            len([k for k in keys if k["valid_until"] is None]) != 1
        ):
            raise ValueError("no current key")
        base_url = base_url_clean(str(data["base_url"]))
    except (KeyError, TypeError, AttributeError, ApplicationError) as exc:
        raise ValueError(str(exc)) from exc
    return {
        "state": state,
        "base_url": base_url,
        "name": str(data.get("name") or "")[:300],
        "organisation": data.get("organisation"),
        "keys": keys,
    }


def _keys_merge(member: MemberInstance, keys: list[dict]) -> None:
    """Add the announced keys the member does not have and end the validity
    of those announced as rotated; a key rotated here stays rotated."""
    have = {k.key_id: k for k in member.keys.all()}
    for key in keys:
        row = have.get(key["key_id"])
        if row is None:
            MemberKey.objects.create(member=member, **key)
        elif key["valid_until"] and row.valid_until is None:
            row.valid_until = key["valid_until"]
            row.save(update_fields=["valid_until"])


def _refuse(source: MemberInstance, body: dict, reason: str) -> None:
    RefusedEntry.objects.get_or_create(
        member=source,
        seq=body["seq"],
        defaults={
            "kind": KIND,
            "key": str(body.get("key", ""))[:200],
            "reason": reason,
        },
    )
    log(
        action="sharing.membership_refused",
        target=source.base_url,
        details={"seq": body["seq"], "reason": reason},
    )


def entry_apply(*, source: MemberInstance, body: dict) -> bool:
    """Apply one verified membership entry of ``source``'s feed (inside the
    page's transaction). Refused, recorded and nothing changed when
    ``source`` is not the network's secretariat instance or the entry is
    malformed; skipped when it is about another network, this instance or
    the secretariat itself. True when a member instance changed."""
    if not is_secretariat_instance(source):
        _refuse(
            source,
            body,
            _(
                "Entry %(seq)s claims a membership change, but %(member)s is "
                "not the network's secretariat instance: refused, nothing "
                "changed."
            )
            % {"seq": body["seq"], "member": source.base_url},
        )
        return False
    data = body.get("data")
    if not isinstance(data, dict) or not _same_network(
        source.network, data.get("network")
    ):
        return False
    try:
        said = _parse(data)
    except ValueError:
        _refuse(
            source,
            body,
            _(
                "Entry %(seq)s is no membership change (base URL, state and "
                "keys): refused, nothing changed."
            )
            % {"seq": body["seq"]},
        )
        return False
    from qihub.sharing.services import identity_get

    identity = identity_get()
    if said["base_url"] in (source.base_url, identity.base_url if identity else ""):
        return False
    at = parse_datetime(str(body.get("at") or "")) or timezone.now()
    member = MemberInstance.objects.filter(
        network=source.network, base_url=said["base_url"]
    ).first()
    if said["state"] == MemberInstance.State.REMOVED:
        if member is None or member.state == MemberInstance.State.REMOVED:
            return False
        member.state = MemberInstance.State.REMOVED
        member.removed_at = at
        member.save()
        _mirrors_mark(member, no_longer_shared=True)
        log(action="sharing.member_remove", details={"id": member.pk, "by": KIND})
        return True
    if member is None:
        member = MemberInstance(network=source.network, base_url=said["base_url"])
    if member.organisation_id is None:
        member.organisation = _organisation_find(said["organisation"])
    member.name = member.name or said["name"] or _display(said["organisation"])
    was = member.state if member.pk else None
    member.state = MemberInstance.State.ACCEPTED
    if was != MemberInstance.State.ACCEPTED:
        member.accepted_at = at
        member.accepted_by = secretariat_term(source.network).organisation
        member.removed_at = None
    member.save()
    _keys_merge(member, said["keys"])
    if was == MemberInstance.State.REMOVED:
        _mirrors_mark(member, no_longer_shared=False)
    if was != MemberInstance.State.ACCEPTED:
        log(action="sharing.member_accept", details={"id": member.pk, "by": KIND})
    return True


def _display(organisation) -> str:
    if not isinstance(organisation, dict):
        return ""
    return str(organisation.get("name_zh") or organisation.get("name_en") or "")[:300]


def _mirrors_mark(member: MemberInstance, *, no_longer_shared: bool) -> None:
    MirroredRecord.objects.filter(member=member).update(
        no_longer_shared=no_longer_shared
    )
    MirroredStandard.objects.filter(member=member).update(
        no_longer_shared=no_longer_shared
    )

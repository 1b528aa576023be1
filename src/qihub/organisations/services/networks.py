"""Networks, their members, secretariat terms, meetings and announcements."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.errors import Conflict
from qihub.organisations.models import (
    Announcement,
    Meeting,
    Network,
    NetworkMember,
    Organisation,
    OrganisationEvent,
    Region,
    SecretariatTerm,
)
from qihub.organisations.services._common import (
    check_staff,
    check_text,
    event,
    field_error,
    recorded_actor,
)
from qihub.organisations.services.organisations import region_resolve


@transaction.atomic
def network_create(
    *,
    actor,
    kind: str,
    name_zh: str = "",
    name_en: str = "",
    organisation: Organisation | None = None,
    region: str | Region | None = None,
    founded_on: datetime.date | None = None,
    description: str = "",
) -> Network:
    """Register a network of organisations."""
    check_staff(actor)
    if kind not in Network.Kind.values:
        raise field_error(
            "kind",
            _("Unknown kind of network %(kind)r; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Network.Kind.values)},
        )
    name_zh = check_text("name_zh", name_zh, 300)
    name_en = check_text("name_en", name_en, 300)
    if not name_zh and not name_en:
        raise field_error("name_zh", _("Give the network's name."))
    network = Network.objects.create(
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        organisation=organisation,
        region=region_resolve(region),
        founded_on=founded_on,
        description=description or "",
    )
    event(OrganisationEvent.Type.CREATED, actor=actor, network=network)
    return network


@transaction.atomic
def network_member_join(
    *,
    actor,
    network: Network,
    organisation: Organisation,
    joined_on: datetime.date,
    liaison_name: str = "",
    liaison_email: str = "",
    liaison_phone: str = "",
) -> NetworkMember:
    """An organisation joins a network on a day (once at a time)."""
    check_staff(actor)
    if joined_on is None:
        raise field_error("joined_on", _("Give the day the organisation joins."))
    if NetworkMember.objects.filter(
        network=network, organisation=organisation, left_on__isnull=True
    ).exists():
        raise Conflict(
            _("%(org)s is already a member of %(net)s.")
            % {"org": organisation.name, "net": network.name},
            details={"organisation": [str(organisation.pk)]},
        )
    if liaison_email:
        try:
            EmailValidator()(liaison_email)
        except DjangoValidationError as exc:
            raise field_error(
                "liaison_email",
                _("%(v)r is not an e-mail address.") % {"v": liaison_email},
            ) from exc
    member = NetworkMember.objects.create(
        network=network,
        organisation=organisation,
        joined_on=joined_on,
        liaison_name=check_text("liaison_name", liaison_name, 100),
        liaison_email=liaison_email,
        liaison_phone=check_text("liaison_phone", liaison_phone, 40),
    )
    event(
        OrganisationEvent.Type.JOINED,
        actor=actor,
        network=network,
        organisation=organisation,
        details={"joined_on": joined_on.isoformat()},
    )
    return member


@transaction.atomic
def network_member_leave(
    *, actor, member: NetworkMember, left_on: datetime.date, reason: str = ""
) -> NetworkMember:
    """A member leaves the network: it stops counting from ``left_on``."""
    check_staff(actor)
    if member.left_on is not None:
        raise Conflict(_("This organisation has already left the network."))
    if left_on is None or left_on <= member.joined_on:
        raise field_error(
            "left_on",
            _("A member cannot leave (%(left)s) before it joined (%(joined)s).")
            % {"left": left_on, "joined": member.joined_on},
        )
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    SecretariatTerm.objects.filter(
        network=member.network,
        organisation=member.organisation,
        ends_on__isnull=True,
    ).update(ends_on=left_on)
    event(
        OrganisationEvent.Type.LEFT,
        actor=actor,
        network=member.network,
        organisation=member.organisation,
        reason=reason,
        details={"left_on": left_on.isoformat()},
    )
    return member


@transaction.atomic
def secretariat_assign(
    *,
    actor,
    network: Network,
    organisation: Organisation,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> SecretariatTerm:
    """A member holds the secretariat from ``starts_on``; the term before it
    ends that day. The holder must be a member on the first day of its term."""
    check_staff(actor)
    if starts_on is None:
        raise field_error("starts_on", _("Give the day the term starts."))
    if ends_on is not None and ends_on <= starts_on:
        raise field_error(
            "ends_on",
            _("A term cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": ends_on, "start": starts_on},
        )
    member = [
        m
        for m in NetworkMember.objects.filter(
            network=network, organisation=organisation
        )
        if m.active_on(starts_on)
    ]
    if not member:
        raise field_error(
            "organisation",
            _("%(org)s is not a member of %(net)s on %(day)s.")
            % {"org": organisation.name, "net": network.name, "day": starts_on},
        )
    terms = list(SecretariatTerm.objects.select_for_update().filter(network=network))
    for term in terms:
        if term.starts_on >= starts_on:
            raise field_error(
                "starts_on",
                _("A later term (from %(day)s) is already recorded.")
                % {"day": term.starts_on},
            )
        if term.ends_on is None or term.ends_on > starts_on:
            term.ends_on = starts_on
            term.save(update_fields=["ends_on"])
    term = SecretariatTerm.objects.create(
        network=network,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        note=check_text("note", note, 300),
    )
    event(
        OrganisationEvent.Type.SECRETARIAT,
        actor=actor,
        network=network,
        organisation=organisation,
        details={"starts_on": starts_on.isoformat()},
    )
    return term


@transaction.atomic
def meeting_record(
    *,
    actor,
    network: Network,
    held_on: datetime.date,
    title: str,
    place: str = "",
    minutes: str = "",
    decisions: str = "",
) -> Meeting:
    """Record a meeting of the network with its minutes and decisions."""
    check_staff(actor)
    title = check_text("title", title, 300)
    if not title:
        raise field_error("title", _("Give the meeting's title."))
    if held_on is None:
        raise field_error("held_on", _("Give the day of the meeting."))
    meeting = Meeting.objects.create(
        network=network,
        held_on=held_on,
        title=title,
        place=check_text("place", place, 200),
        minutes=minutes or "",
        decisions=decisions or "",
        actor=recorded_actor(actor),
    )
    event(
        OrganisationEvent.Type.MEETING,
        actor=actor,
        network=network,
        details={"meeting": meeting.pk, "held_on": held_on.isoformat()},
    )
    return meeting


@transaction.atomic
def announcement_publish(
    *, actor, network: Network, title: str, body: str = ""
) -> Announcement:
    """Publish a notice to the network's members."""
    check_staff(actor)
    title = check_text("title", title, 300)
    if not title:
        raise field_error("title", _("Give the announcement's title."))
    announcement = Announcement.objects.create(
        network=network, title=title, body=body or "", actor=recorded_actor(actor)
    )
    event(
        OrganisationEvent.Type.ANNOUNCEMENT,
        actor=actor,
        network=network,
        details={"announcement": announcement.pk},
    )
    return announcement

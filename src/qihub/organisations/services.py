"""Writes for organisations, designations, memberships and networks.

Every write checks its input (a refusal names the field and changes
nothing), records an ``OrganisationEvent`` in the same transaction and is
the only way views, the API, the admin, imports and the other domains
create or change these records. ``actor=None`` is the platform itself (a
command run without a user, a data migration); any other actor must be
institute staff or, where said, an administrator of the organisation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations import credit_codes
from qihub.organisations.models import (
    Announcement,
    Designation,
    Meeting,
    Membership,
    Network,
    NetworkMember,
    Organisation,
    OrganisationEvent,
    Region,
    SecretariatTerm,
)
from qihub.organisations.names import name_key, query_tokens, search_tokens

#: Fields of an organisation that ``organisation_update`` may change.
EDITABLE_FIELDS = (
    "name_zh",
    "name_en",
    "credit_code",
    "kind",
    "region",
    "address",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "former_names",
)


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, details={field: [message]})


def _recorded_actor(actor):
    """The user to record, or None for the platform itself."""
    return actor if actor is not None and actor.is_authenticated else None


def check_staff(actor) -> None:
    """Institute staff (or the platform itself) may register and change parties."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(
            _("Only institute staff may register or change organisations.")
        )


def may_manage(user, organisation: Organisation) -> bool:
    """Staff, and the organisation's own administrators, manage its records."""
    if user is None:
        return True
    if is_staff_member(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMINISTRATOR
    ).exists()


def check_may_manage(actor, organisation: Organisation) -> None:
    if not may_manage(actor, organisation):
        raise PermissionDenied(
            _(
                "Only institute staff and the administrators of %(org)s may "
                "manage its members and records."
            )
            % {"org": organisation.name}
        )


def _event(
    type_: str,
    *,
    actor,
    organisation: Organisation | None = None,
    network: Network | None = None,
    reason: str = "",
    details: dict | None = None,
) -> OrganisationEvent:
    return OrganisationEvent.objects.create(
        type=type_,
        actor=_recorded_actor(actor),
        organisation=organisation,
        network=network,
        reason=reason,
        details=details or {},
    )


def region_resolve(code: str | Region | None) -> Region | None:
    """The region of a GB/T 2260 code, None for a blank one; an unknown code
    is refused naming the field."""
    if code is None or isinstance(code, Region):
        return code
    code = str(code).strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _field_error(
            "region",
            _(
                "%(code)s is not an administrative-division code of GB/T 2260 "
                "(six digits, such as 510700 for Mianyang)."
            )
            % {"code": code},
        )
    return region


def credit_code_clean(code: str | None, *, kind: str) -> str:
    """The normalised credit code, ``""`` when there is none; a wrong one is refused."""
    if code is None or not str(code).strip():
        return ""
    try:
        return credit_codes.validate(code)
    except credit_codes.CreditCodeError as exc:
        raise _field_error("credit_code", str(exc)) from exc


def _region_from_code(code: str | None) -> Region | None:
    """Characters 3-8 of a credit code are the registering division."""
    if not code:
        return None
    return Region.objects.filter(code=code[2:8]).first()


def _check_text(field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise _field_error(
            field,
            _("%(field)s is longer than %(n)d characters.")
            % {"field": field, "n": limit},
        )
    return value


def _validate(org: Organisation) -> None:
    """The rules every organisation obeys, wherever it was written from."""
    org.name_zh = _check_text("name_zh", org.name_zh, 300)
    org.name_en = _check_text("name_en", org.name_en, 300)
    org.address = _check_text("address", org.address, 300)
    org.contact_name = _check_text("contact_name", org.contact_name, 100)
    org.contact_phone = _check_text("contact_phone", org.contact_phone, 40)
    if not org.name_zh and not org.name_en:
        raise _field_error("name_zh", _("Give the organisation's name."))
    if org.kind not in Organisation.Kind.values:
        raise _field_error(
            "kind",
            _("Unknown kind of organisation %(kind)r; use one of: %(kinds)s.")
            % {"kind": org.kind, "kinds": ", ".join(Organisation.Kind.values)},
        )
    if org.credit_code and org.kind in Organisation.FOREIGN_KINDS:
        raise _field_error(
            "credit_code",
            _("A foreign or international body has no unified social credit code."),
        )
    if org.contact_email:
        try:
            EmailValidator()(org.contact_email)
        except DjangoValidationError as exc:
            raise _field_error(
                "contact_email",
                _("%(v)r is not an e-mail address.") % {"v": org.contact_email},
            ) from exc
    if org.website:
        try:
            URLValidator(schemes=["http", "https"])(org.website)
        except DjangoValidationError as exc:
            raise _field_error(
                "website",
                _("%(v)r is not a web address (http:// or https://).")
                % {"v": org.website},
            ) from exc
    org.name_key = name_key(org.name_zh or org.name_en)
    org.search_text = " ".join(
        search_tokens(org.name_zh, org.name_en, *org.former_names)
        + ([org.credit_code.lower()] if org.credit_code else [])
    )


def with_credit_code(code, qs=None):
    """Organisations with this credit code (or any of these codes), through
    the unique index: it is partial (codes are optional), and SQLite uses a
    partial index only when the query repeats its condition; without it
    every lookup scans the table."""
    qs = Organisation.objects.all() if qs is None else qs
    codes = [code] if isinstance(code, str) else list(code)
    return qs.filter(credit_code__in=codes).exclude(credit_code="")


def _check_unique(org: Organisation) -> None:
    others = Organisation.objects.exclude(pk=org.pk)
    if org.credit_code:
        clash = with_credit_code(org.credit_code, others).first()
        if clash is not None:
            raise Conflict(
                _("The credit code %(code)s is already registered for %(org)s.")
                % {"code": org.credit_code, "org": clash.name},
                details={"credit_code": [str(clash.pk)]},
            )
    clash = others.filter(name_key=org.name_key).first()
    if clash is not None:
        raise Conflict(
            _("%(org)s is already registered (id %(id)d).")
            % {"org": clash.name, "id": clash.pk},
            details={"name_zh": [str(clash.pk)]},
        )


def _save(org: Organisation) -> None:
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        # Two requests registering the same party at once: the constraint
        # decides, the loser gets the same message as a sequential duplicate.
        _check_unique(org)
        raise Conflict(_("This organisation is already registered.")) from exc


@transaction.atomic
def organisation_create(
    *,
    actor,
    kind: str,
    name_zh: str = "",
    name_en: str = "",
    credit_code: str | None = None,
    region: str | Region | None = None,
    address: str = "",
    website: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    former_names: Iterable[str] = (),
    reason: str = "",
) -> Organisation:
    """Register a party. The credit code (GB 32100) is checked when given; the
    region defaults to the division the credit code was registered in. A
    party with the same credit code or the same name is refused."""
    check_staff(actor)
    code = credit_code_clean(credit_code, kind=kind)
    org = Organisation(
        kind=kind,
        name_zh=name_zh or "",
        name_en=name_en or "",
        credit_code=code,
        region=region_resolve(region) or _region_from_code(code),
        address=address or "",
        website=(website or "").strip(),
        contact_name=contact_name or "",
        contact_email=(contact_email or "").strip(),
        contact_phone=contact_phone or "",
        former_names=[n.strip() for n in former_names if n and n.strip()],
    )
    _validate(org)
    _check_unique(org)
    _save(org)
    _event(OrganisationEvent.Type.CREATED, actor=actor, organisation=org, reason=reason)
    return org


def _jsonable(value: Any) -> Any:
    if isinstance(value, Region):
        return value.code
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@transaction.atomic
def organisation_update(
    *, actor, organisation: Organisation, reason: str = "", **changes: Any
) -> Organisation:
    """Change an organisation's fields (``EDITABLE_FIELDS``). A new name keeps
    the old one among the former names; the history records old and new."""
    check_may_manage(actor, organisation)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(unknown)}
        )
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if "credit_code" in changes:
        changes["credit_code"] = credit_code_clean(
            changes["credit_code"], kind=changes.get("kind", org.kind)
        )
    if "region" in changes:
        changes["region"] = region_resolve(changes["region"])
    if "former_names" in changes:
        changes["former_names"] = [
            n.strip() for n in changes["former_names"] or () if n and n.strip()
        ]
    diff: dict[str, list] = {}
    for field, value in changes.items():
        if value is None and field != "region":
            value = ""
        old = getattr(org, field)
        if old != value:
            diff[field] = [_jsonable(old), _jsonable(value)]
            setattr(org, field, value)
    if not diff:
        return org
    old_name = organisation.name_zh or organisation.name_en
    new_name = org.name_zh or org.name_en
    renamed = name_key(old_name) != name_key(new_name)
    if renamed and old_name not in org.former_names:
        org.former_names = [old_name, *org.former_names]
    _validate(org)
    _check_unique(org)
    _save(org)
    _event(
        OrganisationEvent.Type.RENAMED if renamed else OrganisationEvent.Type.UPDATED,
        actor=actor,
        organisation=org,
        reason=reason,
        details=diff,
    )
    return org


def organisation_match(*, name: str = "", credit_code: str | None = None):
    """The registered organisation with this credit code, else with this
    name (current or former, normalised), else None."""
    if credit_code:
        try:
            code = credit_codes.validate(credit_code)
        except credit_codes.CreditCodeError:
            code = None
        if code:
            found = with_credit_code(code).first()
            if found is not None:
                return found
    key = name_key(name)
    if not key:
        return None
    found = Organisation.objects.filter(name_key=key).first()
    if found is not None:
        return found
    # A former name: the organisations whose name tokens (former names
    # included) hold all of this name's, from the full-text index.
    from qihub.organisations.selectors import name_match_ids

    tokens = query_tokens(name)
    if not tokens:
        return None
    candidates = name_match_ids(tokens, limit=200)
    for org in Organisation.objects.filter(pk__in=candidates).exclude(former_names=[]):
        if any(name_key(n) == key for n in org.former_names):
            return org
    return None


@transaction.atomic
def organisation_find_or_create(
    *,
    actor,
    name: str,
    kind: str,
    credit_code: str | None = None,
    region: str | Region | None = None,
) -> tuple[Organisation, bool]:
    """The organisation matching the credit code or name, or a new one.
    Returns ``(organisation, created)``; used where other domains name a party."""
    found = organisation_match(name=name, credit_code=credit_code)
    if found is not None:
        return found, False
    return (
        organisation_create(
            actor=actor,
            kind=kind,
            name_zh=name if _looks_chinese(name) else "",
            name_en="" if _looks_chinese(name) else name,
            credit_code=credit_code,
            region=region,
        ),
        True,
    )


def _looks_chinese(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text or "")


# -- designations -------------------------------------------------------------


@transaction.atomic
def designation_add(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    valid_from: datetime.date,
    expires_on: datetime.date | None = None,
    issuing_authority: Organisation | None = None,
    number: str = "",
    network: Network | None = None,
    evidence=None,
    note: str = "",
) -> Designation:
    """Record a designation (a title given for a period). It counts from
    ``valid_from`` and stops counting on ``expires_on``."""
    check_staff(actor)
    if kind not in Designation.Kind.values:
        raise _field_error(
            "kind",
            _("Unknown designation %(kind)r; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Designation.Kind.values)},
        )
    if valid_from is None:
        raise _field_error("valid_from", _("Give the day the designation starts."))
    if expires_on is not None and expires_on <= valid_from:
        raise _field_error(
            "expires_on",
            _("A designation cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": expires_on, "start": valid_from},
        )
    if kind == Designation.Kind.CO_CONSTRUCTION_UNIT and network is None:
        raise _field_error(
            "network", _("Name the centre the organisation helps build.")
        )
    if issuing_authority is not None and issuing_authority.pk == organisation.pk:
        raise _field_error(
            "issuing_authority",
            _("An organisation cannot designate itself."),
        )
    designation = Designation(
        organisation=organisation,
        kind=kind,
        valid_from=valid_from,
        expires_on=expires_on,
        issuing_authority=issuing_authority,
        number=_check_text("number", number, 100),
        network=network,
        note=_check_text("note", note, 300),
    )
    if evidence:
        designation.evidence = evidence
    designation.save()
    _event(
        OrganisationEvent.Type.DESIGNATED,
        actor=actor,
        organisation=organisation,
        details={
            "designation": kind,
            "number": designation.number,
            "valid_from": valid_from.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return designation


# -- users of an organisation -------------------------------------------------


def _role(role: str) -> str:
    if role not in Membership.Role.values:
        raise _field_error(
            "role",
            _("Unknown role %(role)r; use member or administrator.") % {"role": role},
        )
    return role


@transaction.atomic
def membership_add(
    *, actor, organisation: Organisation, user, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make a user a member (or administrator) of an organisation."""
    check_may_manage(actor, organisation)
    role = _role(role)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise Conflict(
            _("%(user)s already belongs to %(org)s.")
            % {"user": user.get_username(), "org": organisation.name},
            details={"user": [user.get_username()]},
        )
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role
    )
    _event(
        OrganisationEvent.Type.MEMBER_ADDED,
        actor=actor,
        organisation=organisation,
        details={"user": user.get_username(), "role": role},
    )
    return membership


def _check_not_last_administrator(membership: Membership) -> None:
    if membership.role != Membership.Role.ADMINISTRATOR:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(
            organisation=membership.organisation, role=Membership.Role.ADMINISTRATOR
        )
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise _field_error(
            "user",
            _(
                "%(user)s is the last administrator of %(org)s: make another "
                "user its administrator first."
            )
            % {
                "user": membership.user.get_username(),
                "org": membership.organisation.name,
            },
        )


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role: str) -> Membership:
    """Change a user's role in an organisation; the last administrator stays one."""
    check_may_manage(actor, membership.organisation)
    role = _role(role)
    if role == membership.role:
        return membership
    if role != Membership.Role.ADMINISTRATOR:
        _check_not_last_administrator(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _event(
        OrganisationEvent.Type.ROLE_CHANGED,
        actor=actor,
        organisation=membership.organisation,
        details={"user": membership.user.get_username(), "role": [old, role]},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a user from an organisation; the last administrator cannot leave."""
    check_may_manage(actor, membership.organisation)
    _check_not_last_administrator(membership)
    org = membership.organisation
    username = membership.user.get_username()
    membership.delete()
    _event(
        OrganisationEvent.Type.MEMBER_REMOVED,
        actor=actor,
        organisation=org,
        details={"user": username},
    )


# -- networks -----------------------------------------------------------------


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
        raise _field_error(
            "kind",
            _("Unknown kind of network %(kind)r; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Network.Kind.values)},
        )
    name_zh = _check_text("name_zh", name_zh, 300)
    name_en = _check_text("name_en", name_en, 300)
    if not name_zh and not name_en:
        raise _field_error("name_zh", _("Give the network's name."))
    network = Network.objects.create(
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        organisation=organisation,
        region=region_resolve(region),
        founded_on=founded_on,
        description=description or "",
    )
    _event(OrganisationEvent.Type.CREATED, actor=actor, network=network)
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
        raise _field_error("joined_on", _("Give the day the organisation joins."))
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
            raise _field_error(
                "liaison_email",
                _("%(v)r is not an e-mail address.") % {"v": liaison_email},
            ) from exc
    member = NetworkMember.objects.create(
        network=network,
        organisation=organisation,
        joined_on=joined_on,
        liaison_name=_check_text("liaison_name", liaison_name, 100),
        liaison_email=liaison_email,
        liaison_phone=_check_text("liaison_phone", liaison_phone, 40),
    )
    _event(
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
        raise _field_error(
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
    _event(
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
        raise _field_error("starts_on", _("Give the day the term starts."))
    if ends_on is not None and ends_on <= starts_on:
        raise _field_error(
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
        raise _field_error(
            "organisation",
            _("%(org)s is not a member of %(net)s on %(day)s.")
            % {"org": organisation.name, "net": network.name, "day": starts_on},
        )
    terms = list(SecretariatTerm.objects.select_for_update().filter(network=network))
    for term in terms:
        if term.starts_on >= starts_on:
            raise _field_error(
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
        note=_check_text("note", note, 300),
    )
    _event(
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
    title = _check_text("title", title, 300)
    if not title:
        raise _field_error("title", _("Give the meeting's title."))
    if held_on is None:
        raise _field_error("held_on", _("Give the day of the meeting."))
    meeting = Meeting.objects.create(
        network=network,
        held_on=held_on,
        title=title,
        place=_check_text("place", place, 200),
        minutes=minutes or "",
        decisions=decisions or "",
        actor=_recorded_actor(actor),
    )
    _event(
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
    title = _check_text("title", title, 300)
    if not title:
        raise _field_error("title", _("Give the announcement's title."))
    announcement = Announcement.objects.create(
        network=network, title=title, body=body or "", actor=_recorded_actor(actor)
    )
    _event(
        OrganisationEvent.Type.ANNOUNCEMENT,
        actor=actor,
        network=network,
        details={"announcement": announcement.pk},
    )
    return announcement

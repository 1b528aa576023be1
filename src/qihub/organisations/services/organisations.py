"""Organisations and their designations."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError, Conflict
from qihub.organisations import credit_codes
from qihub.organisations.models import (
    Designation,
    Network,
    Organisation,
    OrganisationEvent,
    Region,
)
from qihub.organisations.names import name_key, query_tokens, search_tokens
from qihub.organisations.services._common import (
    check_may_manage,
    check_staff,
    check_text,
    event,
    field_error,
)

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
        raise field_error(
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
        raise field_error("credit_code", str(exc)) from exc


def _region_from_code(code: str | None) -> Region | None:
    """Characters 3-8 of a credit code are the registering division."""
    if not code:
        return None
    return Region.objects.filter(code=code[2:8]).first()


def _validate(org: Organisation) -> None:
    """The rules every organisation obeys, wherever it was written from."""
    org.name_zh = check_text("name_zh", org.name_zh, 300)
    org.name_en = check_text("name_en", org.name_en, 300)
    org.address = check_text("address", org.address, 300)
    org.contact_name = check_text("contact_name", org.contact_name, 100)
    org.contact_phone = check_text("contact_phone", org.contact_phone, 40)
    if not org.name_zh and not org.name_en:
        raise field_error("name_zh", _("Give the organisation's name."))
    if org.kind not in Organisation.Kind.values:
        raise field_error(
            "kind",
            _("Unknown kind of organisation %(kind)r; use one of: %(kinds)s.")
            % {"kind": org.kind, "kinds": ", ".join(Organisation.Kind.values)},
        )
    if org.credit_code and org.kind in Organisation.FOREIGN_KINDS:
        raise field_error(
            "credit_code",
            _("A foreign or international body has no unified social credit code."),
        )
    if org.contact_email:
        try:
            EmailValidator()(org.contact_email)
        except DjangoValidationError as exc:
            raise field_error(
                "contact_email",
                _("%(v)r is not an e-mail address.") % {"v": org.contact_email},
            ) from exc
    if org.website:
        try:
            URLValidator(schemes=["http", "https"])(org.website)
        except DjangoValidationError as exc:
            raise field_error(
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
    event(OrganisationEvent.Type.CREATED, actor=actor, organisation=org, reason=reason)
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
    event(
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
        raise field_error(
            "kind",
            _("Unknown designation %(kind)r; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Designation.Kind.values)},
        )
    if valid_from is None:
        raise field_error("valid_from", _("Give the day the designation starts."))
    if expires_on is not None and expires_on <= valid_from:
        raise field_error(
            "expires_on",
            _("A designation cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": expires_on, "start": valid_from},
        )
    if kind == Designation.Kind.CO_CONSTRUCTION_UNIT and network is None:
        raise field_error("network", _("Name the centre the organisation helps build."))
    if issuing_authority is not None and issuing_authority.pk == organisation.pk:
        raise field_error(
            "issuing_authority",
            _("An organisation cannot designate itself."),
        )
    designation = Designation(
        organisation=organisation,
        kind=kind,
        valid_from=valid_from,
        expires_on=expires_on,
        issuing_authority=issuing_authority,
        number=check_text("number", number, 100),
        network=network,
        note=check_text("note", note, 300),
    )
    if evidence:
        designation.evidence = evidence
    designation.save()
    event(
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

"""Enterprises: registered, found for an import, kept in step with their organisation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.actors import require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.core.roles import Role
from qihub.declarations.models import (
    Declaration,
    Enterprise,
)
from qihub.declarations.region_names import RegionIndex
from qihub.declarations.search_keys import text_key
from qihub.organisations import credit_codes
from qihub.organisations.models import Membership, Organisation, Region
from qihub.organisations.services import (
    membership_add,
    organisation_find_or_create,
    organisation_match,
    organisation_update,
)

# --- enterprises ---------------------------------------------------------------


def region_for_text(text: str, *, index: RegionIndex | None = None) -> Region | None:
    """The GB/T 2260 division a typed region names ("深圳", "440300",
    "Shenzhen"), None for a blank one; an unknown or ambiguous one is
    refused naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    code = (index or RegionIndex.cached()).resolve(text)
    region = Region.objects.filter(pk=code).first() if code else None
    if region is None:
        raise ApplicationError(
            _(
                "Region: %(text)s names no single administrative division of "
                "GB/T 2260; give its name (such as 深圳市) or its six-digit code."
            )
            % {"text": text},
            details={"region": [_("Unknown region.")]},
        )
    return region


def _clean_enterprise(
    *, credit_code: str, name: str, region: str, industry: str
) -> dict:
    errors = {}
    try:
        code = credit_codes.validate(credit_code)
    except credit_codes.CreditCodeError as exc:
        errors["credit_code"] = str(exc)
        code = ""
    for field, value, label in (
        ("name", name, _("name")),
        ("region", region, _("region")),
        ("industry", industry, _("industry")),
    ):
        if not (value or "").strip():
            errors[field] = _("Give the enterprise's %(field)s.") % {"field": label}
    if code and Enterprise.objects.filter(organisation__credit_code=code).exists():
        errors["credit_code"] = _(
            "An enterprise with credit code %(code)s is registered already."
        ) % {"code": code}
    resolved = None
    if "region" not in errors:
        try:
            resolved = region_for_text(region)
        except ApplicationError as exc:
            errors["region"] = exc.message
    if errors:
        raise ApplicationError(" ".join(errors.values()), details=errors)
    return {
        "credit_code": code,
        "name": name.strip(),
        "region": resolved,
        "industry": industry.strip(),
    }


def _organisation_for(
    *, actor, credit_code: str, name: str, region: Region | None
) -> Organisation:
    """The registry's organisation of this credit code (or name), registered
    when missing; a name match without a credit code gets this one."""
    org, created = organisation_find_or_create(
        actor=actor,
        name=name,
        kind=Organisation.Kind.ENTERPRISE,
        credit_code=credit_code,
        region=region,
    )
    if created or not credit_code or org.credit_code == credit_code:
        return org
    if org.credit_code:
        raise ApplicationError(
            _(
                "Credit code: %(org)s is registered with the credit code "
                "%(other)s, not %(code)s; check the credit code or the name."
            )
            % {"org": org.name, "other": org.credit_code, "code": credit_code},
            details={"credit_code": [org.credit_code]},
        )
    return organisation_update(
        actor=actor,
        organisation=org,
        credit_code=credit_code,
        reason=_("Credit code given when registering the enterprise."),
    )


def _enterprise_of(
    *, actor, organisation: Organisation, industry: str, fresh_only: bool = False
) -> Enterprise:
    """The organisation's enterprise record, created when it has none."""
    existing = Enterprise.objects.filter(organisation=organisation).first()
    if existing is not None:
        if fresh_only:
            raise Conflict(
                _("%(org)s is registered as an enterprise already.")
                % {"org": organisation.name},
                details={"credit_code": [organisation.credit_code]},
            )
        return existing
    return Enterprise.objects.create(organisation=organisation, industry=industry)


@transaction.atomic
def enterprise_create(
    *,
    actor,
    organisation: Organisation | None = None,
    credit_code: str = "",
    name: str = "",
    region: str = "",
    industry: str,
    users: Iterable = (),
) -> Enterprise:
    """Register an enterprise on behalf of the authority (staff only).

    Either an ``organisation`` already in the registry, or its credit code,
    name and region: the registry's organisation with that credit code (or
    name) is used, else one is registered (``organisation_find_or_create``).
    ``users`` become administrators of the organisation.
    """
    require_staff(actor)
    if organisation is None:
        data = _clean_enterprise(
            credit_code=credit_code, name=name, region=region, industry=industry
        )
        organisation = _organisation_for(
            actor=actor,
            credit_code=data["credit_code"],
            name=data["name"],
            region=data["region"],
        )
    elif not (industry or "").strip():
        raise ApplicationError(
            _("Give the enterprise's %(field)s.") % {"field": _("industry")},
            details={"industry": [_("industry")]},
        )
    enterprise = _enterprise_of(
        actor=actor,
        organisation=organisation,
        industry=industry.strip(),
        fresh_only=True,
    )
    for user in users:
        membership_add(
            actor=actor,
            organisation=organisation,
            user=user,
            role=Membership.Role.ADMINISTRATOR,
        )
    return enterprise


@transaction.atomic
def enterprise_for_import(
    *,
    actor,
    credit_code: str,
    name: str,
    region: Region | None,
    industry: str,
) -> tuple[Enterprise, bool]:
    """The enterprise of an imported row: the registry's organisation with this
    credit code (or name), registered when missing, and its enterprise record.
    Returns ``(enterprise, created)``."""
    require_staff(actor)
    organisation = _organisation_for(
        actor=actor, credit_code=credit_code, name=name, region=region
    )
    had = Enterprise.objects.filter(organisation=organisation).exists()
    enterprise = _enterprise_of(
        actor=actor, organisation=organisation, industry=industry
    )
    return enterprise, not had


@transaction.atomic
def enterprise_register(
    *,
    username: str,
    password: str,
    email: str = "",
    credit_code: str,
    name: str,
    region: str,
    industry: str,
) -> tuple[Any, Enterprise]:
    """Public self-registration: an enterprise and its first user (role
    enterprise, administrator of the organisation).

    Refused as a whole when the credit code is invalid or taken, the region
    names no division, the username exists, or the registry's organisation
    of this credit code has users already (they add colleagues themselves).
    """
    data = _clean_enterprise(
        credit_code=credit_code, name=name, region=region, industry=industry
    )
    if get_user_model().objects.filter(username=username).exists():
        raise ApplicationError(
            _("The username %(username)s is taken; choose another.")
            % {"username": username},
            details={"username": _("This username is taken.")},
        )
    found = organisation_match(name=data["name"], credit_code=data["credit_code"])
    if found is not None and found.memberships.exists():
        raise Conflict(
            _(
                "%(org)s has users already: ask its organisation administrator "
                "to add you."
            )
            % {"org": found.name},
            details={"credit_code": [data["credit_code"]]},
        )
    from qihub.core.services import log, password_check, user_create

    password_check(password=password, username=username, email=email)
    user = user_create(
        username=username, password=password, email=email, roles=[Role.ENTERPRISE]
    )
    found = _organisation_for(
        actor=None,
        credit_code=data["credit_code"],
        name=data["name"],
        region=data["region"],
    )
    enterprise = _enterprise_of(
        actor=None, organisation=found, industry=data["industry"], fresh_only=True
    )
    membership_add(
        actor=None,
        organisation=found,
        user=user,
        role=Membership.Role.ADMINISTRATOR,
    )
    log(
        action="enterprise_registered",
        actor=user,
        target=f"enterprise {enterprise.credit_code}",
    )
    return user, enterprise


def declarations_resync_organisation(*, organisation: Organisation) -> int:
    """Copy an organisation's current name key, credit code and region onto
    its enterprise's declarations (after a change in the registry). Returns
    how many changed."""
    return (
        Declaration.objects.filter(enterprise__organisation=organisation)
        .exclude(
            enterprise_key=text_key(organisation.name),
            credit_code=organisation.credit_code,
            region=organisation.region_id or "",
        )
        .update(
            enterprise_key=text_key(organisation.name),
            credit_code=organisation.credit_code,
            region=organisation.region_id or "",
        )
    )


def denormalise(declaration: Declaration, enterprise: Enterprise) -> None:
    """Copy the organisation's search keys onto the declaration."""
    org = enterprise.organisation
    declaration.region = org.region_id or ""
    declaration.industry = enterprise.industry
    declaration.enterprise_key = text_key(org.name)
    declaration.credit_code = org.credit_code

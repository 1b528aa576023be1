"""Writes for self-declarations: enterprises, declarations and their checks.

Spot checks live in ``spotchecks.py``, forerunner evaluations in
``forerunners.py`` and bulk import in ``importing.py``; all write through
keyword-only, atomic functions like these.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.identifiers import compact_key
from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.core.actors import may_act_as_staff, recorded, require_staff
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.core.roles import Role, has_role
from qihub.declarations import declaration_checks
from qihub.declarations.models import (
    CheckRun,
    Declaration,
    DeclarationEvent,
    DeclarationVersion,
    DeclaredStandard,
    Enterprise,
    Indicator,
    Notice,
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
from qihub.requirements.services import parameter_resolve

#: Rows per statement in the bulk re-check.
RECHECK_CHUNK = 5000


# --- permissions ---------------------------------------------------------------


def can_manage(user, enterprise: Enterprise) -> bool:
    """Staff manage every enterprise; a user of the enterprise's organisation
    (member or administrator) manages its declarations."""
    if user is None or not user.is_authenticated:
        return False
    if has_role(user, Role.STAFF):
        return True
    return Membership.objects.filter(
        user=user, organisation_id=enterprise.organisation_id
    ).exists()


def _check_manage(actor, enterprise: Enterprise) -> None:
    if not (may_act_as_staff(actor) or can_manage(actor, enterprise)):
        raise PermissionDenied(
            _(
                "Only the enterprise's own users or institute staff may manage its declarations."
            )
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


def _denormalise(declaration: Declaration, enterprise: Enterprise) -> None:
    """Copy the organisation's search keys onto the declaration."""
    org = enterprise.organisation
    declaration.region = org.region_id or ""
    declaration.industry = enterprise.industry
    declaration.enterprise_key = text_key(org.name)
    declaration.credit_code = org.credit_code


# --- declaration content -------------------------------------------------------


def _resolve_standard(identifier: str) -> Standard | None:
    found = standard_get_by_identifier(identifier)
    if found is not None:
        return found
    return Standard.objects.filter(ident_key=compact_key(identifier)).first()


def indicators_clean(indicators: Sequence[Mapping[str, Any]]) -> list[dict]:
    cleaned = []
    operators = set(Indicator.Operator.values)
    aliases = {"≤": "<=", "≥": ">=", "＜": "<", "＞": ">", "=<": "<=", "=>": ">="}
    for n, raw in enumerate(indicators, start=1):
        parameter = str(raw.get("parameter") or "").strip()
        value_text = str(
            raw.get("value") if raw.get("value") is not None else ""
        ).strip()
        if not parameter and not value_text:
            continue
        operator = str(raw.get("operator") or "").strip()
        operator = aliases.get(operator, operator)
        if not parameter:
            raise ApplicationError(
                _("Indicator %(n)d: give the parameter.") % {"n": n},
                details={"indicators": n},
            )
        resolved = parameter_resolve(parameter)
        key = resolved.key if resolved is not None else parameter
        if operator not in operators:
            raise ApplicationError(
                _(
                    "Indicator %(n)d (%(p)s): the operator must be one of <=, <, >=, >, =, range."
                )
                % {"n": n, "p": parameter},
                details={"indicators": n},
            )
        try:
            value = Decimal(value_text.replace(",", "."))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ApplicationError(
                _("Indicator %(n)d (%(p)s): %(v)r is not a number.")
                % {"n": n, "p": parameter, "v": value_text},
                details={"indicators": n},
            ) from None
        upper = None
        if operator == Indicator.Operator.RANGE:
            upper_text = str(
                raw.get("upper") if raw.get("upper") is not None else ""
            ).strip()
            try:
                upper = Decimal(upper_text.replace(",", "."))
                if not upper.is_finite() or upper < value:
                    raise InvalidOperation
            except InvalidOperation:
                raise ApplicationError(
                    _(
                        "Indicator %(n)d (%(p)s): a range needs an upper value not below the lower one."
                    )
                    % {"n": n, "p": parameter},
                    details={"indicators": n},
                ) from None
        unit = str(raw.get("unit") or "").strip()
        if unit:
            from qihub.requirements import units

            try:
                units.parse_unit(unit)
            except units.UnitError:
                raise ApplicationError(
                    _("Indicator %(n)d (%(p)s): unknown unit %(u)r.")
                    % {"n": n, "p": parameter, "u": unit},
                    details={"indicators": n},
                ) from None
        cleaned.append(
            {
                "parameter": key,
                "operator": operator,
                "value": value,
                "upper": upper,
                "unit": unit,
                "test_method": str(raw.get("test_method") or "").strip()[:200],
            }
        )
    return cleaned


#: The earliest date a declaration can take effect: enterprise standards
#: and their declarations date from the People's Republic (1949); an earlier
#: date such as 0001-01-01 is a typing error.
EARLIEST_EFFECTIVE_ON = datetime.date(1949, 1, 1)


def _check_effective_on(effective_on: datetime.date | None) -> None:
    if effective_on is None:
        return
    latest = timezone.localdate() + datetime.timedelta(days=3653)  # ten years
    if not EARLIEST_EFFECTIVE_ON <= effective_on <= latest:
        message = _(
            "The effective date %(date)s is not plausible: give a date between "
            "%(earliest)s and %(latest)s."
        ) % {
            "date": effective_on.isoformat(),
            "earliest": EARLIEST_EFFECTIVE_ON.isoformat(),
            "latest": latest.isoformat(),
        }
        raise ApplicationError(message, details={"effective_on": [message]})


def _clean_content(
    *,
    product_name: str,
    category: str,
    standards: Sequence[str],
    indicators: Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[dict]]:
    if not (product_name or "").strip():
        raise ApplicationError(
            _("Give the product or service name."), details={"product_name": 1}
        )
    if not (category or "").strip():
        raise ApplicationError(_("Give the product category."), details={"category": 1})
    idents = []
    for ident in standards:
        ident = " ".join(str(ident).split())
        if ident and ident.upper() not in {i.upper() for i in idents}:
            idents.append(ident)
    if not idents:
        raise ApplicationError(
            _("Declare at least one standard the product executes."),
            details={"standards": 1},
        )
    return idents, indicators_clean(indicators)


def _write_content(
    version: DeclarationVersion, idents: list[str], indicators: list[dict]
) -> None:
    version.standards.all().delete()
    version.indicators.all().delete()
    DeclaredStandard.objects.bulk_create(
        [
            DeclaredStandard(
                version=version, identifier=ident, standard=_resolve_standard(ident)
            )
            for ident in idents
        ]
    )
    Indicator.objects.bulk_create(
        [Indicator(version=version, **ind) for ind in indicators]
    )


def _event(
    declaration, type_, *, actor, version=None, reason="", details=None
) -> DeclarationEvent:
    return DeclarationEvent.objects.create(
        declaration=declaration,
        version=version,
        type=type_,
        actor=recorded(actor),
        reason=reason,
        details=json.loads(json.dumps(details or {}, default=str)),
    )


@transaction.atomic
def declaration_create(
    *,
    actor,
    enterprise: Enterprise,
    product_name: str,
    category: str,
    standards: Sequence[str],
    indicators: Sequence[Mapping[str, Any]] = (),
    effective_on: datetime.date | None = None,
    is_service: bool = False,
    q_standard_file=None,
) -> Declaration:
    """Start a declaration: a draft (version 1) the enterprise then submits."""
    _check_manage(actor, enterprise)
    idents, cleaned = _clean_content(
        product_name=product_name,
        category=category,
        standards=standards,
        indicators=indicators,
    )
    _check_effective_on(effective_on)
    declaration = Declaration(
        enterprise=enterprise,
        product_name=product_name.strip(),
        product_key=text_key(product_name),
        category=category.strip(),
    )
    _denormalise(declaration, enterprise)
    declaration.save()
    version = DeclarationVersion.objects.create(
        declaration=declaration,
        number=1,
        product_name=product_name.strip(),
        category=category.strip(),
        is_service=is_service,
        effective_on=effective_on,
        created_by=recorded(actor),
    )
    if q_standard_file:
        version.q_standard_file = q_standard_file
        version.save(update_fields=["q_standard_file"])
    _write_content(version, idents, cleaned)
    declaration.current_version = version
    declaration.save(update_fields=["current_version"])
    _event(declaration, DeclarationEvent.Type.CREATED, actor=actor, version=version)
    return declaration


def draft_version(declaration: Declaration) -> DeclarationVersion | None:
    """The version being edited, if any."""
    return declaration.versions.filter(status=DeclarationVersion.Status.DRAFT).first()


@transaction.atomic
def declaration_update(
    *,
    actor,
    declaration: Declaration,
    product_name: str,
    category: str,
    standards: Sequence[str],
    indicators: Sequence[Mapping[str, Any]] = (),
    effective_on: datetime.date | None = None,
    is_service: bool = False,
    q_standard_file=None,
) -> DeclarationVersion:
    """Change a declaration. A published version is never edited: the change
    goes into a new draft version, published on submission."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _check_manage(actor, declaration.enterprise)
    if declaration.status == Declaration.Status.WITHDRAWN:
        raise Conflict(_("A withdrawn declaration cannot be changed; start a new one."))
    idents, cleaned = _clean_content(
        product_name=product_name,
        category=category,
        standards=standards,
        indicators=indicators,
    )
    _check_effective_on(effective_on)
    version = draft_version(declaration)
    if version is None:
        last = declaration.versions.order_by("-number").first()
        version = DeclarationVersion.objects.create(
            declaration=declaration,
            number=(last.number if last else 0) + 1,
            product_name=product_name.strip(),
            category=category.strip(),
            created_by=recorded(actor),
            q_standard_file=last.q_standard_file if last else "",
        )
    version.product_name = product_name.strip()
    version.category = category.strip()
    version.is_service = is_service
    version.effective_on = effective_on
    version.check_status = Declaration.Check.UNCHECKED
    version.check_results = []
    if q_standard_file:
        version.q_standard_file = q_standard_file
    version.save()
    _write_content(version, idents, cleaned)
    if declaration.status == Declaration.Status.DRAFT:
        declaration.current_version = version
        declaration.product_name = version.product_name
        declaration.product_key = text_key(version.product_name)
        declaration.category = version.category
        declaration.save()
    _event(declaration, DeclarationEvent.Type.EDITED, actor=actor, version=version)
    return version


def _notify_check(
    declaration: Declaration, version: DeclarationVersion, outcome
) -> Notice:
    if outcome.status == Declaration.Check.FLAGGED:
        subject = _("Problems found in the declaration of %(product)s (version %(n)d)")
    else:
        subject = _("The declaration of %(product)s (version %(n)d) passed the checks")
    return Notice.objects.create(
        enterprise=declaration.enterprise,
        declaration=declaration,
        kind=Notice.Kind.CHECK,
        subject=(subject % {"product": version.product_name, "n": version.number})[
            :300
        ],
        body="\n".join(declaration_checks.issue_message(i) for i in outcome.items),
        details={"items": outcome.items, "version": version.number},
    )


@transaction.atomic
def declaration_submit(*, actor, declaration: Declaration) -> DeclarationVersion:
    """Submit the draft version: run the checks and publish it if they pass.

    A version with problems (a cited standard not in force, an indicator
    weaker than a mandatory limit, a missing mandatory parameter) stays a
    draft with the results shown, so the enterprise can correct it. On
    publication the previous published version is superseded but stays
    visible. The result also goes to the enterprise's inbox.
    """
    declaration = (
        Declaration.objects.select_for_update()
        .select_related("enterprise__organisation")
        .get(pk=declaration.pk)
    )
    _check_manage(actor, declaration.enterprise)
    version = draft_version(declaration)
    if version is None:
        raise Conflict(_("There is no draft to submit: change the declaration first."))
    outcome = _run_and_store(version, CheckRun.Trigger.SUBMIT)
    _notify_check(declaration, version, outcome)
    if outcome.status == Declaration.Check.FLAGGED:
        _event(
            declaration,
            DeclarationEvent.Type.CHECKED,
            actor=actor,
            version=version,
            reason=_("Submission refused by the automatic checks."),
            details={"items": outcome.items},
        )
        return version
    _publish(declaration, version, actor=actor)
    return version


def _publish(
    declaration: Declaration, version: DeclarationVersion, *, actor, reason: str = ""
) -> None:
    now = timezone.now()
    declaration.versions.filter(status=DeclarationVersion.Status.PUBLISHED).update(
        status=DeclarationVersion.Status.SUPERSEDED, updated_at=now
    )
    version.status = DeclarationVersion.Status.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at", "updated_at"])
    enterprise = declaration.enterprise
    declaration.status = Declaration.Status.PUBLISHED
    declaration.current_version = version
    declaration.product_name = version.product_name
    declaration.product_key = text_key(version.product_name)
    declaration.category = version.category
    _denormalise(declaration, enterprise)
    declaration.check_status = version.check_status
    declaration.published_at = declaration.published_at or now
    declaration.save()
    _event(
        declaration,
        DeclarationEvent.Type.PUBLISHED,
        actor=actor,
        version=version,
        reason=reason,
        details={"version": version.number},
    )


def _run_and_store(version: DeclarationVersion, trigger: str):
    outcome = declaration_checks.run(version)
    for citation in outcome.citations:
        citation.save(update_fields=["flag", "replacement"])
    now = timezone.now()
    version.check_status = outcome.status
    version.check_results = outcome.items
    version.checked_at = now
    version.save(
        update_fields=["check_status", "check_results", "checked_at", "updated_at"]
    )
    CheckRun.objects.create(
        version=version,
        trigger=trigger,
        check_status=outcome.status,
        results=outcome.items,
    )
    return outcome


@transaction.atomic
def declaration_publish_imported(*, actor, declaration: Declaration, source: dict):
    """Publish an imported declaration's version 1 with its check result.

    A migrated declaration was public in the old system already, so a
    flagged one is published flagged, not held back; the history records
    where it came from (``source``: file and line). Staff only. Returns the
    check outcome.
    """
    require_staff(actor)
    declaration = (
        Declaration.objects.select_for_update()
        .select_related("enterprise__organisation")
        .get(pk=declaration.pk)
    )
    version = declaration.current_version
    if version is None or version.status != DeclarationVersion.Status.DRAFT:
        raise Conflict(_("Only a declaration's first draft can be imported."))
    outcome = _run_and_store(version, CheckRun.Trigger.SUBMIT)
    _publish(
        declaration, version, actor=actor, reason=_("Imported from another system.")
    )
    _event(
        declaration,
        DeclarationEvent.Type.IMPORTED,
        actor=actor,
        version=version,
        details=source,
    )
    return outcome


@transaction.atomic
def declaration_recheck(*, actor, declaration: Declaration) -> DeclarationVersion:
    """Re-run the checks on the version in effect (or the draft) by hand."""
    declaration = (
        Declaration.objects.select_for_update()
        .select_related("enterprise__organisation")
        .get(pk=declaration.pk)
    )
    _check_manage(actor, declaration.enterprise)
    version = declaration.current_version or draft_version(declaration)
    if version is None:
        raise Conflict(_("This declaration has no version to check."))
    outcome = _run_and_store(version, CheckRun.Trigger.MANUAL)
    if version.status == DeclarationVersion.Status.PUBLISHED:
        declaration.check_status = outcome.status
        declaration.save(update_fields=["check_status", "updated_at"])
    _notify_check(declaration, version, outcome)
    _event(declaration, DeclarationEvent.Type.CHECKED, actor=actor, version=version)
    return version


@transaction.atomic
def declaration_withdraw(
    *, actor, declaration: Declaration, reason: str
) -> Declaration:
    """Withdraw a published declaration. It stays public, marked withdrawn."""
    declaration = (
        Declaration.objects.select_for_update()
        .select_related("enterprise__organisation")
        .get(pk=declaration.pk)
    )
    _check_manage(actor, declaration.enterprise)
    if declaration.status != Declaration.Status.PUBLISHED:
        raise Conflict(_("Only a published declaration can be withdrawn."))
    if not (reason or "").strip():
        raise ApplicationError(
            _("Give a reason for the withdrawal."), details={"reason": 1}
        )
    declaration.versions.filter(status=DeclarationVersion.Status.PUBLISHED).update(
        status=DeclarationVersion.Status.WITHDRAWN, updated_at=timezone.now()
    )
    declaration.status = Declaration.Status.WITHDRAWN
    declaration.save(update_fields=["status", "updated_at"])
    _event(
        declaration, DeclarationEvent.Type.WITHDRAWN, actor=actor, reason=reason.strip()
    )
    return declaration


# --- the bulk re-check when a cited standard changes -------------------------------


def declarations_recheck_for_standard(*, standard: Standard) -> int:
    """Re-check every declaration version citing ``standard`` after its status changed.

    Set-based, for hundreds of thousands of declarations: the standard's flag
    and replacement are computed once; one UPDATE sets them on the citation
    table. The affected versions (published or draft, found through the
    citation index) are then processed in id-range chunks: per distinct
    stored result, one UPDATE writes the new results (only this standard's
    citation items change; other findings stay); one INSERT ... SELECT
    records a ``CheckRun`` per version; one UPDATE copies the status to the
    declarations. Finally one INSERT ... SELECT leaves one inbox notice per
    affected enterprise. Returns the number of versions re-checked.
    """
    standard = Standard.objects.get(pk=standard.pk)
    flag, replacement = declaration_checks.citation_flag(standard, standard.identifier)
    item = declaration_checks.citation_item(
        flag, standard.identifier, replacement, standard.status
    )
    live = [DeclarationVersion.Status.PUBLISHED, DeclarationVersion.Status.DRAFT]
    now = timezone.now()

    def new_results(old: list) -> list:
        items = [
            i
            for i in (old or [])
            if not (
                i.get("code") in declaration_checks.STANDARD_CODES
                and i.get("identifier") == standard.identifier
            )
        ]
        if item is not None:
            items.append(item)
        return items

    citing = DeclaredStandard.objects.filter(standard=standard).values("version_id")
    affected = DeclarationVersion.objects.filter(pk__in=citing, status__in=live)
    total = 0
    with transaction.atomic():
        DeclaredStandard.objects.filter(standard=standard).update(
            flag=flag, replacement=replacement
        )
        ids = list(affected.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), RECHECK_CHUNK):
            low, high = ids[start], ids[min(start + RECHECK_CHUNK, len(ids)) - 1]
            # Narrow the citation subquery itself to the id range, so each
            # chunk reads only its slice of the (standard, version) index.
            chunk = DeclarationVersion.objects.filter(
                pk__in=DeclaredStandard.objects.filter(
                    standard=standard, version_id__gte=low, version_id__lte=high
                ).values("version_id"),
                pk__gte=low,
                pk__lte=high,
                status__in=live,
            )
            olds = list(
                chunk.order_by().values_list("check_results", flat=True).distinct()
            )
            for old in olds:
                items = new_results(old)
                chunk.filter(check_results=old).update(
                    check_results=items,
                    check_status=declaration_checks.status_for(items),
                    checked_at=now,
                )
            _checkruns_insert(chunk, now)
            Declaration.objects.filter(
                status=Declaration.Status.PUBLISHED,
                current_version__in=chunk.filter(
                    status=DeclarationVersion.Status.PUBLISHED
                ),
            ).update(
                check_status=Subquery(
                    DeclarationVersion.objects.filter(pk=OuterRef("current_version_id"))
                    .order_by()
                    .values("check_status")[:1]
                )
            )
            total += min(start + RECHECK_CHUNK, len(ids)) - start
        _notices_insert(standard, item, affected)
    return total


def _checkruns_insert(versions: QuerySet, now) -> None:
    """Record a ``CheckRun`` for each of ``versions`` with one INSERT ... SELECT."""
    select, params = (
        versions.order_by()
        .annotate(
            run_at=Value(now, output_field=DateTimeField()),
            run_trigger=Value(CheckRun.Trigger.STANDARD_CHANGED.value),
        )
        .values_list("pk", "run_at", "run_trigger", "check_status", "check_results")
        .query.sql_with_params()
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {CheckRun._meta.db_table} "
            f"(version_id, created_at, trigger, check_status, results) {select}",
            params,
        )


def _notices_insert(standard: Standard, item: dict | None, versions: QuerySet) -> None:
    """One inbox notice per enterprise with a declaration among ``versions``."""
    subject = (
        _("%(identifier)s changed: your declarations citing it were re-checked")
        % {"identifier": standard.identifier}
    )[:300]
    body = (
        declaration_checks.issue_message(item)
        if item
        else _("%(identifier)s is in force.") % {"identifier": standard.identifier}
    )
    details = {"standard": standard.identifier, "status": standard.status}
    select, params = (
        Declaration.objects.filter(pk__in=versions.values("declaration_id"))
        .order_by()
        .values("enterprise_id")
        .annotate(
            n=Count("pk"),
            kind=Value(Notice.Kind.STANDARD_CHANGED.value),
            subject=Value(subject),
            body=Value(body),
            details=Value(details, output_field=JSONField()),
            created_at=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list(
            "enterprise_id", "kind", "subject", "body", "details", "created_at"
        )
        .query.sql_with_params()
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Notice._meta.db_table} "
            f"(enterprise_id, kind, subject, body, details, created_at) {select}",
            params,
        )


@transaction.atomic
def notice_mark_read(*, actor, notice: Notice) -> Notice:
    """Mark an inbox message read."""
    _check_manage(actor, notice.enterprise)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice

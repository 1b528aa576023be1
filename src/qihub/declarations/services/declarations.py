"""A declaration's content, versions, submission, publication, re-check and withdrawal."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.identifiers import compact_key
from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.core.actors import recorded, require_staff
from qihub.core.errors import ApplicationError, Conflict
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
from qihub.declarations.search_keys import text_key
from qihub.declarations.services._common import check_manage, event
from qihub.declarations.services.enterprises import denormalise
from qihub.requirements.services import parameter_resolve

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
    check_manage(actor, enterprise)
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
    denormalise(declaration, enterprise)
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
    event(declaration, DeclarationEvent.Type.CREATED, actor=actor, version=version)
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
    check_manage(actor, declaration.enterprise)
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
    event(declaration, DeclarationEvent.Type.EDITED, actor=actor, version=version)
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
    check_manage(actor, declaration.enterprise)
    version = draft_version(declaration)
    if version is None:
        raise Conflict(_("There is no draft to submit: change the declaration first."))
    outcome = _run_and_store(version, CheckRun.Trigger.SUBMIT)
    _notify_check(declaration, version, outcome)
    if outcome.status == Declaration.Check.FLAGGED:
        event(
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
    denormalise(declaration, enterprise)
    declaration.check_status = version.check_status
    declaration.published_at = declaration.published_at or now
    declaration.save()
    event(
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
    event(
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
    check_manage(actor, declaration.enterprise)
    version = declaration.current_version or draft_version(declaration)
    if version is None:
        raise Conflict(_("This declaration has no version to check."))
    outcome = _run_and_store(version, CheckRun.Trigger.MANUAL)
    if version.status == DeclarationVersion.Status.PUBLISHED:
        declaration.check_status = outcome.status
        declaration.save(update_fields=["check_status", "updated_at"])
    _notify_check(declaration, version, outcome)
    event(declaration, DeclarationEvent.Type.CHECKED, actor=actor, version=version)
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
    check_manage(actor, declaration.enterprise)
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
    event(
        declaration, DeclarationEvent.Type.WITHDRAWN, actor=actor, reason=reason.strip()
    )
    return declaration

"""Calibration laboratories, their accreditation and its scope."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import may_act_as_staff
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.metrology.models import AccreditationScope, Laboratory
from qihub.metrology.services._common import check_range, check_staff, check_unit
from qihub.organisations import services as org_services
from qihub.organisations.models import Designation, Organisation
from qihub.organisations.selectors import organisations_of_user

#: The accreditation body named as the issuing authority of a laboratory's
#: ``accredited_body`` designation (the data migration registers it too).
CNAS_NAME = "中国合格评定国家认可委员会 (CNAS)"


def accreditation_body() -> Organisation:
    """CNAS, registered as a government authority when not yet known."""
    body, _created = org_services.organisation_find_or_create(
        actor=None, name=CNAS_NAME, kind=Organisation.Kind.GOVERNMENT
    )
    return body


def _record_accreditation(*, actor, laboratory: Laboratory) -> None:
    """An accredited laboratory makes its organisation an accredited body
    (number = the accreditation number), once per number."""
    number = laboratory.accreditation_number.strip()
    org = laboratory.organisation
    if (
        not number
        or org.designations.filter(
            kind=Designation.Kind.ACCREDITED_BODY, number=number
        ).exists()
    ):
        return
    body = accreditation_body()
    org_services.designation_add(
        actor=actor,
        organisation=org,
        kind=Designation.Kind.ACCREDITED_BODY,
        valid_from=timezone.localdate(),
        issuing_authority=body if body.pk != org.pk else None,
        number=number,
        note=_("Laboratory %(code)s") % {"code": laboratory.code},
    )


@transaction.atomic
def laboratory_create(
    *,
    actor,
    code: str,
    name: str,
    organisation: Organisation,
    accreditation_number: str = "",
    email: str = "",
    scopes: list[dict] | None = None,
) -> Laboratory:
    """Register a calibration laboratory run by ``organisation`` (its legal
    entity; the laboratory's own name may be a department's), with its
    accreditation scope entries (``quantity``, ``range_min``, ``range_max``,
    ``unit``, ``valid_until``). An accreditation number also records the
    organisation as an accredited body (issued by CNAS) from today."""
    check_staff(actor)
    if organisation is None:
        raise ApplicationError(
            _("Name the organisation that runs the laboratory."),
            details={"organisation": ["required"]},
        )
    if Laboratory.objects.filter(code=code).exists():
        raise Conflict(_("Laboratory %(code)s is already registered.") % {"code": code})
    lab = Laboratory.objects.create(
        organisation=organisation,
        code=code,
        name=name,
        accreditation_number=accreditation_number,
        email=email,
    )
    for scope in scopes or []:
        _scope_create(laboratory=lab, **scope)
    _record_accreditation(actor=actor, laboratory=lab)
    return lab


def may_manage_laboratory(user, laboratory: Laboratory) -> bool:
    """Institute staff, and the users of the organisation that runs the lab."""
    if may_act_as_staff(user):
        return True
    return organisations_of_user(user).filter(pk=laboratory.organisation_id).exists()


@transaction.atomic
def laboratory_scope_add(
    *,
    laboratory: Laboratory,
    actor,
    quantity: str,
    range_min: float,
    range_max: float,
    unit: str,
    valid_until: datetime.date,
) -> AccreditationScope:
    """Add an entry to a laboratory's accreditation scope, as when the
    accreditation is extended or renewed. Entries are added, never changed or
    deleted: the chain checks look up the entry valid on a calibration's day,
    so an expired one still answers for the calibrations made under it.
    Institute staff and the laboratory's own users (members of its
    organisation) may add them."""
    if not may_manage_laboratory(actor, laboratory):
        raise PermissionDenied(
            _(
                "Only institute staff and the users of %(org)s may change the "
                "accreditation scope of laboratory %(code)s."
            )
            % {"org": laboratory.organisation.name, "code": laboratory.code}
        )
    return _scope_create(
        laboratory=laboratory,
        quantity=quantity,
        range_min=range_min,
        range_max=range_max,
        unit=unit,
        valid_until=valid_until,
    )


def _scope_create(*, laboratory: Laboratory, **scope) -> AccreditationScope:
    check_unit(scope["unit"])
    check_range(scope["range_min"], scope["range_max"])
    return AccreditationScope.objects.create(laboratory=laboratory, **scope)

"""Measurement standards: registration, status and re-assessment."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.dates import add_years
from qihub.core.errors import ApplicationError, Conflict
from qihub.metrology.models import Laboratory, MeasurementStandard, MetrologyEvent
from qihub.metrology.services._common import check_range, check_staff, check_unit


def assessment_years() -> int:
    """Validity of a standard's assessment certificate (4 years customarily)."""
    return int(getattr(settings, "METROLOGY_ASSESSMENT_YEARS", 4))


def assessment_valid_until(assessed_on: datetime.date) -> datetime.date:
    """The last day of validity of an assessment certificate issued on
    ``assessed_on``: the same day ``assessment_years()`` years later."""
    return add_years(assessed_on, assessment_years())


@transaction.atomic
def standard_register(
    *,
    actor,
    code: str,
    name: str,
    quantity: str,
    unit: str,
    uncertainty: float,
    holder: Laboratory,
    kind: str = MeasurementStandard.Kind.SOCIAL_PUBLIC,
    coverage_factor: float = 2.0,
    range_min: float | None = None,
    range_max: float | None = None,
    accuracy_class: str = "",
    mpe: float | None = None,
    region: str = "",
    assessment_certificate: str = "",
    assessed_on: datetime.date | None = None,
) -> MeasurementStandard:
    """Register a measurement standard. National primary and international
    references end chains; the assessment certificate is valid for
    ``METROLOGY_ASSESSMENT_YEARS`` (4) years from the assessment."""
    check_staff(actor)
    check_unit(unit)
    check_range(range_min, range_max)
    if uncertainty <= 0:
        raise ApplicationError(_("The uncertainty of a standard must be positive."))
    if MeasurementStandard.objects.filter(code=code).exists():
        raise Conflict(_("Standard %(code)s is already registered.") % {"code": code})
    valid_until = None
    if assessed_on is not None:
        valid_until = assessment_valid_until(assessed_on)
    standard = MeasurementStandard.objects.create(
        code=code,
        name=name,
        kind=kind,
        is_primary=kind
        in (
            MeasurementStandard.Kind.NATIONAL_PRIMARY,
            MeasurementStandard.Kind.INTERNATIONAL,
        ),
        quantity=quantity,
        unit=unit,
        range_min=range_min,
        range_max=range_max,
        uncertainty=uncertainty,
        coverage_factor=coverage_factor,
        accuracy_class=accuracy_class,
        mpe=mpe,
        holder=holder,
        region=region,
        assessment_certificate=assessment_certificate,
        assessment_valid_from=assessed_on,
        assessment_valid_until=valid_until,
    )
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.REGISTERED, actor=recorded(actor), standard=standard
    )
    return standard


@transaction.atomic
def standard_set_status(
    *, standard: MeasurementStandard, status: str, actor, reason: str = ""
) -> MeasurementStandard:
    """Change a standard's status: *active* (in use as a reference),
    *suspended* (out of use for a while: awaiting repair, recalibration or
    re-assessment) or *retired* (out of use for good). A standard that is not
    active breaks every chain through it, so each change is recorded in the
    history with its reason; suspending or retiring must say why. A suspended
    standard may be reactivated; a retired one stays retired (its successor
    is registered as a new standard). Asking for the current status again
    changes and records nothing. Returns the standard as saved."""
    check_staff(actor)
    if status not in MeasurementStandard.Status.values:
        raise ApplicationError(
            _("Unknown status %(status)s: active, suspended or retired.")
            % {"status": status},
            details={"status": status},
        )
    # the status as stored, not as the caller's copy has it (the admin's form
    # has already set the new one on its instance)
    standard = MeasurementStandard.objects.select_for_update().get(pk=standard.pk)
    old = standard.status
    if status == old:
        return standard
    if old == MeasurementStandard.Status.RETIRED:
        raise Conflict(
            _(
                "Standard %(code)s is retired and cannot be put back into use; "
                "register its successor as a new standard."
            )
            % {"code": standard.code}
        )
    reason = reason.strip()
    if status != MeasurementStandard.Status.ACTIVE and not reason:
        raise ApplicationError(
            _("Give a reason for suspending or retiring the standard."),
            details={"reason": "required"},
        )
    standard.status = status
    standard.save(update_fields=["status", "updated_at"])
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.STATUS_CHANGED,
        actor=recorded(actor),
        standard=standard,
        reason=reason,
        details={"from": old, "to": status},
    )
    return standard


@transaction.atomic
def standard_reassess(
    *,
    standard: MeasurementStandard,
    actor,
    certificate: str,
    assessed_on: datetime.date,
) -> MeasurementStandard:
    """Record a re-assessment (复查考核) of a standard: the authority has
    examined it again and issued a new assessment certificate, valid for
    ``METROLOGY_ASSESSMENT_YEARS`` (4) years from ``assessed_on``. A
    re-assessment follows the last assessment and is not dated in the future;
    a retired standard is not re-assessed (a suspended one may be, often the
    reason it was suspended). The history records the new certificate and
    validity beside the previous ones. Returns the standard as saved."""
    check_staff(actor)
    certificate = certificate.strip()
    if not certificate:
        raise ApplicationError(
            _("Give the number of the new assessment certificate."),
            details={"certificate": "required"},
        )
    longest = MeasurementStandard._meta.get_field("assessment_certificate").max_length
    if len(certificate) > longest:
        raise ApplicationError(
            _("An assessment certificate number has at most %(max)d characters.")
            % {"max": longest},
            details={"certificate": "too long"},
        )
    if assessed_on > timezone.localdate():
        raise ApplicationError(
            _("The re-assessment date %(date)s is in the future.")
            % {"date": assessed_on.isoformat()},
            details={"assessed_on": assessed_on.isoformat()},
        )
    standard = MeasurementStandard.objects.select_for_update().get(pk=standard.pk)
    if standard.status == MeasurementStandard.Status.RETIRED:
        raise Conflict(
            _("Standard %(code)s is retired and is no longer re-assessed.")
            % {"code": standard.code}
        )
    last = standard.assessment_valid_from
    if last is not None and assessed_on < last:
        raise ApplicationError(
            _(
                "The re-assessment date %(date)s is before the last assessment "
                "(%(last)s); a re-assessment follows the last one."
            )
            % {"date": assessed_on.isoformat(), "last": last.isoformat()},
            details={"assessed_on": assessed_on.isoformat()},
        )
    previous_certificate = standard.assessment_certificate
    previous_until = standard.assessment_valid_until
    standard.assessment_certificate = certificate
    standard.assessment_valid_from = assessed_on
    standard.assessment_valid_until = assessment_valid_until(assessed_on)
    standard.save(
        update_fields=[
            "assessment_certificate",
            "assessment_valid_from",
            "assessment_valid_until",
            "updated_at",
        ]
    )
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.REASSESSED,
        actor=recorded(actor),
        standard=standard,
        details={
            "certificate": certificate,
            "valid_from": assessed_on.isoformat(),
            "valid_until": standard.assessment_valid_until.isoformat(),
            "previous_certificate": previous_certificate,
            "previous_valid_until": previous_until.isoformat()
            if previous_until
            else None,
        },
    )
    return standard

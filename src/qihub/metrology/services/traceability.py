"""What a revoked certificate or an out-of-tolerance standard makes
suspect down the chain."""

import dataclasses
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict
from qihub.metrology.models import (
    CalibrationEvent,
    Instrument,
    MeasurementStandard,
    MetrologyEvent,
)
from qihub.metrology.services._common import check_staff
from qihub.metrology.traceability import downstream_standards


@dataclasses.dataclass
class Impact:
    """What a revoked certificate or an out-of-tolerance standard affects."""

    standards: list[int]
    instruments: int


def _mark_downstream(
    *,
    cause: CalibrationEvent | None,
    roots: set[int],
    since: datetime.date,
    reason: str,
) -> Impact:
    standards = downstream_standards(roots, since)
    MeasurementStandard.objects.filter(pk__in=standards).update(
        suspect=True, suspect_reason=reason[:500]
    )
    count = Instrument.objects.filter(
        latest_event__reference_standard_id__in=standards,
        latest_event__performed_on__gte=since,
    ).update(suspect=True, suspect_reason=reason[:500], suspect_cause=cause)
    return Impact(standards=sorted(standards), instruments=count)


@transaction.atomic
def certificate_revoke(*, certificate: CalibrationEvent, actor, reason: str) -> Impact:
    """Revoke a certificate. Nothing is deleted: the certificate stays visible
    as revoked, and every standard and instrument downstream of it (calibrated
    since against the item it covered) is marked suspect with the reason."""
    check_staff(actor)
    if not reason.strip():
        raise ApplicationError(_("Give a reason for revoking the certificate."))
    certificate = CalibrationEvent.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CalibrationEvent.Status.REVOKED:
        raise Conflict(
            _("Certificate %(number)s is already revoked.")
            % {"number": certificate.certificate_number}
        )
    certificate.status = CalibrationEvent.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason
    certificate.save(
        update_fields=["status", "revoked_at", "revoke_reason", "updated_at"]
    )
    text = _("Certificate %(number)s revoked: %(reason)s") % {
        "number": certificate.certificate_number,
        "reason": reason,
    }
    if certificate.calibrated_standard_id:
        impact = _mark_downstream(
            cause=certificate,
            roots={certificate.calibrated_standard_id},
            since=certificate.performed_on,
            reason=text,
        )
    else:
        Instrument.objects.filter(pk=certificate.instrument_id).update(
            suspect=True, suspect_reason=text[:500], suspect_cause=certificate
        )
        impact = Impact(standards=[], instruments=1)
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.REVOKED,
        actor=recorded(actor),
        certificate=certificate,
        standard=certificate.calibrated_standard,
        instrument=certificate.instrument,
        reason=reason,
        details={"standards": len(impact.standards), "instruments": impact.instruments},
    )
    return impact


@transaction.atomic
def standard_mark_out_of_tolerance(
    *, standard: MeasurementStandard, actor, reason: str, since: datetime.date
) -> Impact:
    """Record that a standard was found out of tolerance: it and everything
    calibrated against it since ``since`` (directly or down the chain) becomes
    suspect."""
    check_staff(actor)
    if not reason.strip():
        raise ApplicationError(_("Give a reason for the out-of-tolerance finding."))
    text = _("Standard %(code)s found out of tolerance: %(reason)s") % {
        "code": standard.code,
        "reason": reason,
    }
    impact = _mark_downstream(cause=None, roots={standard.pk}, since=since, reason=text)
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.OUT_OF_TOLERANCE,
        actor=recorded(actor),
        standard=standard,
        reason=reason,
        details={"since": since.isoformat(), "instruments": impact.instruments},
    )
    return impact

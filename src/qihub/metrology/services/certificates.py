"""Calibrations and verifications and their certificates."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict
from qihub.metrology.models import (
    CalibrationEvent,
    Instrument,
    Laboratory,
    MeasurementResult,
    MeasurementStandard,
    MetrologyEvent,
    TechnicalSpecification,
)
from qihub.metrology.services._common import check_staff
from qihub.metrology.traceability import propagate, reference_ureal
from qihub.metrology.units import to_dsi


def _already_recorded(number: str) -> Conflict:
    return Conflict(
        _("Certificate %(number)s is already recorded.") % {"number": number},
        details={"certificate_number": number},
    )


@transaction.atomic
def calibration_record(
    *,
    actor,
    certificate_number: str,
    laboratory: Laboratory,
    performed_on: datetime.date,
    valid_until: datetime.date,
    expanded_uncertainty: float,
    instrument: Instrument | None = None,
    calibrated_standard: MeasurementStandard | None = None,
    reference_standard: MeasurementStandard | None = None,
    kind: str = CalibrationEvent.Kind.CALIBRATION,
    specification: TechnicalSpecification | None = None,
    measured_error: float = 0.0,
    coverage_factor: float = 2.0,
    conformity: str = "",
    results: list[dict] | None = None,
    dcc_xml: str = "",
    dcc_schema_version: str = "",
    signature_status: str = "",
) -> CalibrationEvent:
    """Record a calibration or verification and its certificate.

    The reference standard's current GTC archive is loaded and propagated
    through this link, and the new archive is stored with the certificate so
    the next link down keeps the full uncertainty budget. A new calibration of
    an instrument becomes its latest one and clears an earlier suspicion. An
    instrument taken out of use is not calibrated after that day (only
    measurement standards serve as references, so an instrument never does).
    """
    check_staff(actor)
    if not certificate_number.strip():
        raise ApplicationError(_("A certificate needs a number."))
    if kind not in CalibrationEvent.Kind.values:
        raise ApplicationError(
            _("Unknown kind %(kind)s: calibration or verification.") % {"kind": kind},
            details={"kind": kind},
        )
    if conformity not in CalibrationEvent.Conformity.values:
        raise ApplicationError(
            _("Unknown conformity %(value)s: pass, fail or empty (no statement).")
            % {"value": conformity},
            details={"conformity": conformity},
        )
    if (instrument is None) == (calibrated_standard is None):
        raise ApplicationError(
            _("A calibration concerns exactly one instrument or standard.")
        )
    item = instrument or calibrated_standard
    if valid_until < performed_on:
        raise ApplicationError(_("The next due date is before the calibration date."))
    if instrument is not None:
        # as stored, and locked against a retirement recorded meanwhile
        retired_on = (
            Instrument.objects.select_for_update()
            .values_list("retired_on", flat=True)
            .get(pk=instrument.pk)
        )
        if retired_on is not None and performed_on > retired_on:
            raise Conflict(
                _(
                    "Instrument %(code)s was taken out of use on %(date)s and "
                    "is not calibrated after that day."
                )
                % {"code": instrument.code, "date": retired_on.isoformat()},
                details={"performed_on": performed_on.isoformat()},
            )
    if expanded_uncertainty < 0 or coverage_factor <= 0:
        raise ApplicationError(
            _("The uncertainty and coverage factor must be positive.")
        )
    if reference_standard is not None and reference_standard.pk == getattr(
        calibrated_standard, "pk", None
    ):
        raise ApplicationError(_("A standard cannot calibrate itself."))
    if CalibrationEvent.objects.filter(certificate_number=certificate_number).exists():
        raise _already_recorded(certificate_number)
    archive = ""
    if reference_standard is not None:
        parent = reference_ureal(reference_standard, performed_on)
        archive, _u = propagate(
            parent=parent,
            parent_unit=reference_standard.unit,
            unit=item.unit,
            measured_error=measured_error,
            expanded_uncertainty=expanded_uncertainty,
            coverage_factor=coverage_factor,
            label=certificate_number,
        )
    try:
        # Two requests with one number can both pass the check above; the
        # unique constraint decides, in a savepoint so the refusal is clean.
        with transaction.atomic():
            event = CalibrationEvent.objects.create(
                certificate_number=certificate_number,
                kind=kind,
                instrument=instrument,
                calibrated_standard=calibrated_standard,
                reference_standard=reference_standard,
                laboratory=laboratory,
                specification=specification,
                performed_on=performed_on,
                valid_until=valid_until,
                quantity=item.quantity,
                unit=item.unit,
                measured_error=measured_error,
                expanded_uncertainty=expanded_uncertainty,
                coverage_factor=coverage_factor,
                conformity=conformity,
                gtc_archive=archive,
                dcc_xml=dcc_xml,
                dcc_schema_version=dcc_schema_version,
                signature_status=signature_status,
            )
    except IntegrityError as exc:
        raise _already_recorded(certificate_number) from exc
    if not results:
        results = [
            {
                "name": "measurement error",
                "ref_type": "basic_measurementError",
                "value": measured_error,
                "unit": to_dsi(item.unit),
                "expanded_uncertainty": expanded_uncertainty,
                "coverage_factor": coverage_factor,
                "coverage_probability": 0.95,
            }
        ]
    for pos, row in enumerate(results):
        MeasurementResult.objects.create(event=event, position=pos, **row)
    if instrument is not None:
        latest = instrument.latest_event
        if latest is None or (latest.performed_on, latest.pk) <= (
            performed_on,
            event.pk,
        ):
            instrument.latest_event = event
            instrument.suspect = False
            instrument.suspect_reason = ""
            instrument.suspect_cause = None
            instrument.save(
                update_fields=[
                    "latest_event",
                    "suspect",
                    "suspect_reason",
                    "suspect_cause",
                    "updated_at",
                ]
            )
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.CALIBRATED,
        actor=recorded(actor),
        instrument=instrument,
        standard=calibrated_standard,
        certificate=event,
        details={"reference": getattr(reference_standard, "code", None)},
    )
    return event

"""Importing calibration certificates from PTB DCC files."""

import dataclasses
import datetime
import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict
from qihub.metrology import dcc
from qihub.metrology.models import (
    CalibrationEvent,
    Instrument,
    Laboratory,
    MeasurementStandard,
    MetrologyEvent,
)
from qihub.metrology.services._common import check_staff
from qihub.metrology.services.certificates import calibration_record
from qihub.metrology.services.instruments import instrument_register
from qihub.metrology.units import UnitError, dsi_to_pint, parse_unit
from qihub.organisations import services as org_services
from qihub.organisations.models import Organisation
from qihub.organisations.names import name_key


@dataclasses.dataclass
class DccImport:
    """The outcome of a DCC import (also of a dry run)."""

    certificate_number: str
    schema_version: str
    item: str
    item_created: bool
    laboratory: str
    reference: str | None
    results: int
    signature: str
    event: CalibrationEvent | None
    signed_at: str = ""  # the signing time stated in the signature, ISO 8601
    warnings: list[str] = dataclasses.field(default_factory=list)


def _dcc_laboratory(data: dcc.DccData, *, actor) -> Laboratory:
    """The laboratory a DCC names (by code, then name); an unknown one is
    registered, run by the organisation of its name (matched or created)."""
    lab = None
    if data.laboratory_code:
        lab = Laboratory.objects.filter(code=data.laboratory_code).first()
    if lab is None and data.laboratory:
        lab = Laboratory.objects.filter(name=data.laboratory).first()
    if lab is None:
        name = data.laboratory or data.laboratory_code or "?"
        code = (
            data.laboratory_code
            or "DCC-" + hashlib.sha256(name.encode()).hexdigest()[:10]
        )
        organisation, _created = org_services.organisation_find_or_create(
            actor=actor, name=name, kind=Organisation.Kind.CALIBRATION_LAB
        )
        lab = Laboratory.objects.create(code=code, name=name, organisation=organisation)
    return lab


def _dcc_owner(customer: str, *, actor) -> Organisation | None:
    """The organisation a DCC's customer names (matched or created)."""
    if not name_key(customer):
        return None
    owner, _created = org_services.organisation_find_or_create(
        actor=actor, name=customer.strip(), kind=Organisation.Kind.ENTERPRISE
    )
    return owner


@transaction.atomic
def dcc_import(
    *, data: bytes, actor, dry_run: bool = False, filename: str = ""
) -> DccImport:
    """Import a calibration certificate from a PTB DCC file.

    The file is parsed safely, its signature verified at its signing time
    when it has one, and it is validated against the schema of its release
    (2.1.0 to 3.3.0); a refused file stores nothing, and what was checked but
    not conclusive comes back as warnings. The calibrated item is matched by its identifications
    (a registered standard's code, the customer's asset number, or maker and
    serial) and registered when unknown; the ``basic_normalUsed`` equipment
    is matched to a registered standard: the traceability link.
    """
    check_staff(actor)
    try:
        parsed = dcc.read(data)
    except dcc.DccError as exc:
        raise ApplicationError(str(exc), details={"file": filename}) from exc
    if CalibrationEvent.objects.filter(
        certificate_number=parsed.certificate_number
    ).exists():
        raise Conflict(
            _("Certificate %(number)s is already recorded.")
            % {"number": parsed.certificate_number}
        )
    reference = (
        MeasurementStandard.objects.filter(code__in=parsed.reference_ids).first()
        if parsed.reference_ids
        else None
    )
    lab = _dcc_laboratory(parsed, actor=actor)
    item_ids = [i for i in parsed.item.identifications if i]
    calibrated_standard = MeasurementStandard.objects.filter(code__in=item_ids).first()
    instrument = None
    created = False
    if calibrated_standard is None:
        instrument = Instrument.objects.filter(code__in=item_ids).first()
        if instrument is None and parsed.item.serial:
            instrument = Instrument.objects.filter(
                maker=parsed.item.maker, serial=parsed.item.serial
            ).first()
        if instrument is None:
            unit = "dimensionless"
            if reference is not None:
                unit = reference.unit
            elif parsed.results:
                try:
                    unit = dsi_to_pint(parsed.results[0].unit)
                    parse_unit(unit)
                except UnitError:
                    unit = "dimensionless"
            instrument = instrument_register(
                actor=actor,
                code=parsed.item.customer_id or f"DCC-{parsed.certificate_number}"[:80],
                name=parsed.item.name or parsed.certificate_number,
                use="other",
                quantity=reference.quantity if reference else "unspecified",
                unit=unit,
                maker=parsed.item.maker,
                model=parsed.item.model,
                serial=parsed.item.serial,
                owner=_dcc_owner(parsed.customer, actor=actor),
                registered_on=parsed.performed_on,
            )
            created = True
    signed_at = parsed.signing_time.isoformat() if parsed.signing_time else ""
    main = next((r for r in parsed.results if r.expanded_uncertainty is not None), None)
    results = [dataclasses.asdict(r) for r in parsed.results]
    event = calibration_record(
        actor=actor,
        certificate_number=parsed.certificate_number,
        laboratory=lab,
        performed_on=parsed.performed_on,
        valid_until=parsed.valid_until
        or parsed.performed_on + datetime.timedelta(days=365),
        expanded_uncertainty=main.expanded_uncertainty if main else 0.0,
        coverage_factor=(main.coverage_factor or 2.0) if main else 2.0,
        measured_error=main.value if main else 0.0,
        instrument=instrument,
        calibrated_standard=calibrated_standard,
        reference_standard=reference,
        conformity=parsed.conformity,
        results=results,
        dcc_xml=data.decode("utf-8", errors="replace"),
        dcc_schema_version=parsed.schema_version,
        signature_status=parsed.signature_status,
    )
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.DCC_IMPORTED,
        actor=recorded(actor),
        certificate=event,
        instrument=instrument,
        standard=calibrated_standard,
        details={
            "file": filename,
            "schema": parsed.schema_version,
            "signed_at": signed_at,
            "warnings": parsed.warnings,
        },
    )
    outcome = DccImport(
        signed_at=signed_at,
        warnings=parsed.warnings,
        certificate_number=parsed.certificate_number,
        schema_version=parsed.schema_version,
        item=str(instrument or calibrated_standard),
        item_created=created,
        laboratory=lab.name,
        reference=reference.code if reference else None,
        results=len(results),
        signature=parsed.signature_status,
        event=None if dry_run else event,
    )
    if dry_run:
        transaction.set_rollback(True)
    return outcome

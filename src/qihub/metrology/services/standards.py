"""Writes for the metrology registry: labs, standards, instruments (and
taking them out of use), specifications, reference materials, calibrations,
revocations, reminders."""

import dataclasses
import datetime
import hashlib
import re
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import may_act_as_staff, recorded, require_staff
from qihub.core.dates import add_years
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.metrology import dcc
from qihub.metrology.models import (
    COMPULSORY_USES,
    AccreditationScope,
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    Laboratory,
    MeasurementResult,
    MeasurementStandard,
    MetrologyEvent,
    PropertyValue,
    ReferenceMaterial,
    TechnicalSpecification,
    Use,
)
from qihub.metrology.traceability import (
    downstream_standards,
    propagate,
    reference_ureal,
)
from qihub.metrology.units import UnitError, dsi_to_pint, parse_unit, to_dsi
from qihub.organisations import services as org_services
from qihub.organisations.models import Designation, Organisation
from qihub.organisations.names import name_key
from qihub.organisations.selectors import organisations_of_user

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
RM_NUMBER = re.compile(r"^GBW(\(E\))?\s?\d{5,6}$")


def _check_staff(actor) -> None:
    """Registry writes are for institute staff and the system itself."""
    require_staff(actor, _("Only institute staff may change the metrology registry."))


def _check_unit(unit: str) -> None:
    if unit in {"dB", "dB(A)"}:
        return
    try:
        parse_unit(unit)
    except UnitError as exc:
        raise ApplicationError(
            _("Unknown unit %(unit)s.") % {"unit": unit}, details={"unit": unit}
        ) from exc


def _check_range(range_min, range_max) -> None:
    if range_min is not None and range_max is not None and range_min > range_max:
        raise ApplicationError(_("The range minimum is above the range maximum."))


def assessment_years() -> int:
    """Validity of a standard's assessment certificate (4 years customarily)."""
    return int(getattr(settings, "METROLOGY_ASSESSMENT_YEARS", 4))


def assessment_valid_until(assessed_on: datetime.date) -> datetime.date:
    """The last day of validity of an assessment certificate issued on
    ``assessed_on``: the same day ``assessment_years()`` years later."""
    return add_years(assessed_on, assessment_years())


@transaction.atomic
def compulsory_catalogue_load(*, path: Path | None = None) -> int:
    """Load (or refresh) the compulsory verification catalogue from its data
    file; idempotent. Returns the number of entries."""
    entries = yaml.safe_load(
        (path or DATA_DIR / "compulsory_catalogue.yaml").read_text()
    )
    for row in entries:
        CompulsoryItem.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "category": row["category"],
                "quantity": row["quantity"],
                "mark": row["mark"],
                "uses": row["uses"],
                "regulation": row["regulation"],
            },
        )
    return len(entries)


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
    _check_staff(actor)
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
    _check_unit(scope["unit"])
    _check_range(scope["range_min"], scope["range_max"])
    return AccreditationScope.objects.create(laboratory=laboratory, **scope)


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
    _check_staff(actor)
    _check_unit(unit)
    _check_range(range_min, range_max)
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
    _check_staff(actor)
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
    _check_staff(actor)
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


@transaction.atomic
def instrument_register(
    *,
    actor,
    code: str,
    name: str,
    use: str,
    quantity: str,
    unit: str,
    item_type: CompulsoryItem | None = None,
    maker: str = "",
    model: str = "",
    serial: str = "",
    owner: Organisation | None = None,
    owner_email: str = "",
    region: str = "",
    location: str = "",
    range_min: float | None = None,
    range_max: float | None = None,
    accuracy_class: str = "",
    mpe: float | None = None,
    registered_on: datetime.date | None = None,
) -> Instrument:
    """Register an instrument in use, owned by ``owner`` (an organisation;
    None when no owner is known). It requires compulsory verification when
    its type carries a V mark and its use is a compulsory category."""
    _check_staff(actor)
    if not code.strip() or not name.strip():
        raise ApplicationError(_("An instrument needs an asset number and a name."))
    if use not in Use.values:
        raise ApplicationError(
            _("Unknown use %(use)s.") % {"use": use}, details={"use": use}
        )
    _check_unit(unit)
    _check_range(range_min, range_max)
    if owner_email:
        try:
            validate_email(owner_email)
        except ValidationError as exc:
            raise ApplicationError(
                _("%(email)s is not an e-mail address.") % {"email": owner_email},
                details={"owner_email": owner_email},
            ) from exc
    if Instrument.objects.filter(code=code).exists():
        raise Conflict(
            _("Instrument %(code)s is already registered.") % {"code": code},
            details={"code": code},
        )
    instrument = Instrument.objects.create(
        code=code,
        name=name,
        item_type=item_type,
        use=use,
        quantity=quantity,
        unit=unit,
        maker=maker,
        model=model,
        serial=serial,
        owner=owner,
        owner_email=owner_email,
        region=region,
        location=location,
        range_min=range_min,
        range_max=range_max,
        accuracy_class=accuracy_class,
        mpe=mpe,
        registered_on=registered_on or timezone.localdate(),
        requires_verification=requires_verification(item_type, use),
    )
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.REGISTERED,
        actor=recorded(actor),
        instrument=instrument,
    )
    return instrument


@transaction.atomic
def instrument_retire(
    *, instrument: Instrument, actor, on: datetime.date, reason: str
) -> Instrument:
    """Take an instrument out of use (停用: scrapped, lost, withdrawn by its
    owner) from ``on``, for good. Its record and history stay; from that day
    it leaves the compulsory-verification coverage (before it, past figures
    are unchanged) and the reminders, and it is no longer calibrated. The day
    is not in the future, nor before the instrument was registered or last
    calibrated; the reason is required and kept with it and in its history.
    Returns the instrument as saved."""
    _check_staff(actor)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Give a reason for taking the instrument out of use."),
            details={"reason": "required"},
        )
    if on > timezone.localdate():
        raise ApplicationError(
            _("The day %(date)s is in the future.") % {"date": on.isoformat()},
            details={"on": on.isoformat()},
        )
    # as stored, and locked against a calibration recorded meanwhile
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.retired_on is not None:
        raise Conflict(
            _("Instrument %(code)s was already taken out of use on %(date)s.")
            % {"code": instrument.code, "date": instrument.retired_on.isoformat()}
        )
    if on < instrument.registered_on:
        raise ApplicationError(
            _(
                "The day %(date)s is before the instrument was registered "
                "(%(registered)s)."
            )
            % {
                "date": on.isoformat(),
                "registered": instrument.registered_on.isoformat(),
            },
            details={"on": on.isoformat()},
        )
    latest = instrument.latest_event
    if latest is not None and on < latest.performed_on:
        raise ApplicationError(
            _(
                "The day %(date)s is before the instrument's last calibration "
                "or verification (%(last)s, certificate %(certificate)s)."
            )
            % {
                "date": on.isoformat(),
                "last": latest.performed_on.isoformat(),
                "certificate": latest.certificate_number,
            },
            details={"on": on.isoformat()},
        )
    instrument.retired_on = on
    instrument.retired_reason = reason
    instrument.save(update_fields=["retired_on", "retired_reason", "updated_at"])
    MetrologyEvent.objects.create(
        type=MetrologyEvent.Type.RETIRED,
        actor=recorded(actor),
        instrument=instrument,
        reason=reason,
        details={"on": on.isoformat()},
    )
    return instrument


def requires_verification(item_type: CompulsoryItem | None, use: str) -> bool:
    """Compulsory verification applies to a V-marked type in a compulsory use."""
    return bool(
        item_type is not None
        and item_type.requires_verification
        and use in COMPULSORY_USES
    )


@transaction.atomic
def specification_register(
    *,
    actor,
    identifier: str,
    title_zh: str,
    title_en: str = "",
    quantity: str = "",
    issued_on: datetime.date | None = None,
    implemented_on: datetime.date | None = None,
) -> TechnicalSpecification:
    """Register a verification regulation (JJG) or calibration specification
    (JJF), national or local (JJF(吉) ...), as a catalogue entry: the existing
    catalogue standard is reused, otherwise it is created in the catalogue."""
    from qihub.catalog.identifiers import IdentifierError, parse
    from qihub.catalog.models import Standard

    _check_staff(actor)
    try:
        ident = parse(identifier)
    except IdentifierError as exc:
        raise ApplicationError(str(exc), details={"identifier": "invalid"}) from exc
    if not ident.prefix.startswith(("JJG", "JJF")):
        raise ApplicationError(
            _("%(identifier)s is not a JJG or JJF specification.")
            % {"identifier": identifier}
        )
    standard = Standard.objects.filter(ident_key=ident.key).first()
    if standard is None:
        standard = _catalogue_create(
            actor=actor,
            ident=ident,
            title_zh=title_zh,
            title_en=title_en,
            issued_on=issued_on,
            implemented_on=implemented_on,
        )
    spec, _created = TechnicalSpecification.objects.update_or_create(
        standard=standard,
        defaults={
            "kind": TechnicalSpecification.Kind.VERIFICATION
            if ident.prefix.startswith("JJG")
            else TechnicalSpecification.Kind.CALIBRATION,
            "quantity": quantity,
            "is_local": "(" in ident.prefix,
        },
    )
    return spec


def _catalogue_create(*, actor, ident, title_zh, title_en, issued_on, implemented_on):
    """Create the catalogue entry through the catalogue's service."""
    from qihub.catalog import services as catalog_services

    return catalog_services.standard_create(
        actor=actor,
        identifier=ident.canonical,
        title_zh=title_zh,
        title_en=title_en,
        issued_on=issued_on,
        implemented_on=implemented_on,
        source="metrology",
    )


@transaction.atomic
def reference_material_register(
    *,
    actor,
    number: str,
    name: str,
    properties: list[dict],
    producer: str = "",
    valid_until: datetime.date | None = None,
    standard=None,
) -> ReferenceMaterial:
    """Register a certified reference material: GBW (first grade) or GBW(E)
    (second grade) number, certified property values with uncertainty."""
    _check_staff(actor)
    number = " ".join(number.split())
    if not RM_NUMBER.match(number):
        raise ApplicationError(
            _("%(number)s is not a GBW or GBW(E) reference material number.")
            % {"number": number}
        )
    if ReferenceMaterial.objects.filter(number=number).exists():
        raise Conflict(
            _("Reference material %(number)s is already registered.")
            % {"number": number}
        )
    if not properties:
        raise ApplicationError(
            _("A certified reference material needs at least one property value.")
        )
    material = ReferenceMaterial.objects.create(
        number=number,
        grade=ReferenceMaterial.Grade.SECOND
        if number.startswith("GBW(E)")
        else ReferenceMaterial.Grade.FIRST,
        name=name,
        producer=producer,
        valid_until=valid_until,
        standard=standard,
    )
    for prop in properties:
        PropertyValue.objects.create(material=material, **prop)
    return material


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
    _check_staff(actor)
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
    _check_staff(actor)
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
    _check_staff(actor)
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


def reminders_send(*, today: datetime.date | None = None, within_days: int = 30) -> int:
    """Mail each owner the instruments whose compulsory verification falls due
    within ``within_days`` or is overdue; an instrument taken out of use by
    ``today`` is left out. Returns the number of mails sent."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    rows = (
        Instrument.objects.in_use_on(today)
        .filter(requires_verification=True)
        .exclude(owner_email="")
        .select_related("latest_event")
        .order_by("owner_email", "code")
    )
    by_owner: dict[str, list[str]] = {}
    for inst in rows.iterator(chunk_size=2000):
        ev = inst.latest_event
        if ev is None:
            line = _("%(code)s %(name)s: never verified") % {
                "code": inst.code,
                "name": inst.name,
            }
        elif ev.valid_until < today:
            line = _("%(code)s %(name)s: overdue since %(date)s") % {
                "code": inst.code,
                "name": inst.name,
                "date": ev.valid_until.isoformat(),
            }
        elif ev.valid_until <= horizon:
            line = _("%(code)s %(name)s: due on %(date)s") % {
                "code": inst.code,
                "name": inst.name,
                "date": ev.valid_until.isoformat(),
            }
        else:
            continue
        by_owner.setdefault(inst.owner_email, []).append(line)
    for email, lines in by_owner.items():
        send_mail(
            subject=_("Compulsory verification due: %(count)d instrument(s)")
            % {"count": len(lines)},
            message="\n".join(lines),
            from_email=None,
            recipient_list=[email],
        )
    if by_owner:
        MetrologyEvent.objects.create(
            type=MetrologyEvent.Type.REMINDER,
            details={
                "owners": len(by_owner),
                "instruments": sum(map(len, by_owner.values())),
            },
        )
    return len(by_owner)


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
    _check_staff(actor)
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

"""Instruments in use, the compulsory verification catalogue, and
taking instruments out of use."""

import datetime
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict
from qihub.metrology.models import (
    COMPULSORY_USES,
    CompulsoryItem,
    Instrument,
    MetrologyEvent,
    Use,
)
from qihub.metrology.services._common import check_range, check_staff, check_unit
from qihub.organisations.models import Organisation

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


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
    check_staff(actor)
    if not code.strip() or not name.strip():
        raise ApplicationError(_("An instrument needs an asset number and a name."))
    if use not in Use.values:
        raise ApplicationError(
            _("Unknown use %(use)s.") % {"use": use}, details={"use": use}
        )
    check_unit(unit)
    check_range(range_min, range_max)
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
    check_staff(actor)
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

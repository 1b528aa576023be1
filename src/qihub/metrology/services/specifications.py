"""Verification regulations (JJG) and calibration specifications (JJF)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.metrology.models import TechnicalSpecification
from qihub.metrology.services._common import check_staff


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

    check_staff(actor)
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

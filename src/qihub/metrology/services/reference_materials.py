"""Certified reference materials (GBW, GBW(E))."""

import datetime
import re

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError, Conflict
from qihub.metrology.models import PropertyValue, ReferenceMaterial
from qihub.metrology.services._common import check_staff

RM_NUMBER = re.compile(r"^GBW(\(E\))?\s?\d{5,6}$")


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
    check_staff(actor)
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

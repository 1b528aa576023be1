"""Checks that several metrology services share."""

from django.utils.translation import gettext as _

from qihub.core.actors import require_staff
from qihub.core.errors import ApplicationError
from qihub.metrology.units import UnitError, parse_unit


def check_staff(actor) -> None:
    """Registry writes are for institute staff and the system itself."""
    require_staff(actor, _("Only institute staff may change the metrology registry."))


def check_unit(unit: str) -> None:
    if unit in {"dB", "dB(A)"}:
        return
    try:
        parse_unit(unit)
    except UnitError as exc:
        raise ApplicationError(
            _("Unknown unit %(unit)s.") % {"unit": unit}, details={"unit": unit}
        ) from exc


def check_range(range_min, range_max) -> None:
    if range_min is not None and range_max is not None and range_min > range_max:
        raise ApplicationError(_("The range minimum is above the range maximum."))

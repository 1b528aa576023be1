"""What the conformity writes share: who acts for an organisation, a body's accreditation, field errors."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.core.errors import ApplicationError, NotFound, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations.models import Designation, Membership, Organisation


def acts_for(user, organisation: Organisation | None) -> bool:
    """Staff, the platform itself (None) and the organisation's members act
    for it."""
    if user is None:
        return True
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    if is_staff_member(user):
        return True
    return Membership.objects.filter(user=user, organisation=organisation).exists()


def check_acts_for(user, organisation: Organisation) -> None:
    if not acts_for(user, organisation):
        raise PermissionDenied(
            _("Only staff and members of %(org)s may do this.")
            % {"org": organisation.name}
        )


def field_error(field_name: str, message: str) -> ApplicationError:
    return ApplicationError(message, details={field_name: message})


def actor_recorded(user):
    return user if getattr(user, "is_authenticated", False) else None


def accreditation_on(body: Organisation, day: datetime.date) -> Designation | None:
    """The body's accreditation (``accredited_body`` designation) valid on ``day``."""
    for d in body.designations.filter(kind=Designation.Kind.ACCREDITED_BODY).order_by(
        "-valid_from"
    ):
        if d.valid_on(day):
            return d
    return None


def body_by_code(code: str) -> Organisation:
    """A body by credit code, accreditation number (CNAS L1234) or id."""
    code = (code or "").strip()
    org = Organisation.objects.filter(credit_code=code.upper()).first()
    if org is None:
        d = (
            Designation.objects.filter(
                kind=Designation.Kind.ACCREDITED_BODY, number__iexact=code
            )
            .select_related("organisation")
            .first()
        )
        org = d.organisation if d else None
    if org is None and code.isdigit():
        org = Organisation.objects.filter(pk=int(code)).first()
    if org is None:
        raise NotFound(
            _("No body with code %(code)s (credit code, accreditation number or id).")
            % {"code": code}
        )
    return org


VERIFY_NUMBER = re.compile(
    r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff\-/_.()（）]{2,59}$"
)


def standards_resolve(refs: Iterable[str | Standard]) -> list[Standard]:
    found = []
    for ref in refs:
        if isinstance(ref, Standard):
            found.append(ref)
            continue
        std = standard_get_by_identifier(str(ref))
        if std is None:
            raise field_error(
                "standards",
                _("%(ident)s is not in the standards catalogue.") % {"ident": ref},
            )
        found.append(std)
    if not found:
        raise field_error("standards", _("Cite at least one standard."))
    return found

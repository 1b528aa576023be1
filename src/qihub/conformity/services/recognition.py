"""Mutual recognition agreements."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.conformity.models import (
    Agreement,
)
from qihub.conformity.services._common import (
    field_error,
    standards_resolve,
)
from qihub.core.errors import PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations.models import Organisation
from qihub.requirements.parameters import fold


def _agreement_values(
    *,
    kind: str,
    name: str,
    bodies: Iterable[Organisation],
    markets: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    products: Sequence[str],
    standards: Sequence[str | Standard],
) -> tuple[dict, list[Organisation], list[Standard]]:
    """Check an agreement's fields before anything is written; the first bad
    one is refused by name."""
    if kind not in Agreement.Kind.values:
        raise field_error("kind", _("Unknown agreement kind %(k)r.") % {"k": kind})
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("Give the agreement a name."))
    if len(name) > 200:
        raise field_error("name", _("The name is longer than 200 characters."))
    bodies = list(bodies)
    if not bodies:
        raise field_error("bodies", _("Name at least one body it covers."))
    markets = list(dict.fromkeys(m.strip() for m in markets if m and m.strip()))
    if not markets:
        raise field_error("markets", _("Name at least one market."))
    if valid_from is None:
        raise field_error("valid_from", _("Give the date the agreement starts."))
    if valid_until is not None and valid_until <= valid_from:
        raise field_error("valid_until", _("The agreement must end after it starts."))
    stds = standards_resolve(standards) if standards else []
    values = {
        "kind": kind,
        "name": name,
        "markets": markets,
        "products": [fold(p) for p in products if p and p.strip()],
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    return values, bodies, stds


@transaction.atomic
def agreement_create(
    *,
    actor,
    kind: str,
    name: str,
    bodies: Iterable[Organisation],
    markets: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    products: Sequence[str] = (),
    standards: Sequence[str | Standard] = (),
) -> Agreement:
    """Record a recognition agreement: the bodies whose results it covers,
    the markets that accept them, its product and standard scope (empty: the
    whole scope) and its validity."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may record agreements."))
    values, bodies, stds = _agreement_values(
        kind=kind,
        name=name,
        bodies=bodies,
        markets=markets,
        valid_from=valid_from,
        valid_until=valid_until,
        products=products,
        standards=standards,
    )
    ag = Agreement.objects.create(**values)
    ag.bodies.set(bodies)
    ag.standards.set(stds)
    return ag


@transaction.atomic
def agreement_update(
    *,
    actor,
    agreement: Agreement,
    kind: str,
    name: str,
    bodies: Iterable[Organisation],
    markets: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    products: Sequence[str] = (),
    standards: Sequence[str | Standard] = (),
) -> Agreement:
    """Change an agreement's scope or validity (an extension, a new member,
    an end date); "recognised here?" answers from the new values at once."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change agreements."))
    values, bodies, stds = _agreement_values(
        kind=kind,
        name=name,
        bodies=bodies,
        markets=markets,
        valid_from=valid_from,
        valid_until=valid_until,
        products=products,
        standards=standards,
    )
    ag = Agreement.objects.select_for_update().get(pk=agreement.pk)
    for field_name, value in values.items():
        setattr(ag, field_name, value)
    ag.save()
    ag.bodies.set(bodies)
    ag.standards.set(stds)
    return ag

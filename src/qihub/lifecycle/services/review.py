"""Periodic review (复审) of published standards."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.actors import recorded, require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.lifecycle.models import Committee, PeriodicReview, Project
from qihub.lifecycle.services.projects import project_create


@transaction.atomic
def periodic_review_record(
    *,
    standard: Standard,
    actor,
    outcome: str,
    reason: str = "",
    on: datetime.date | None = None,
    committee: Committee | None = None,
) -> PeriodicReview:
    """Record a periodic review (复审) outcome. *Confirm* restarts the five
    years; *revise* opens a revision project; *withdraw* abolishes the
    standard in the catalogue."""
    require_staff(actor, _("Only institute staff may record a periodic review."))
    if outcome not in PeriodicReview.Outcome.values:
        raise ApplicationError(_("Outcome must be confirm, revise or withdraw."))
    if not standard.is_valid:
        raise Conflict(
            _("%(id)s is %(s)s; only valid standards are reviewed.")
            % {"id": standard.identifier, "s": standard.get_status_display()}
        )
    if outcome != PeriodicReview.Outcome.CONFIRM and not reason.strip():
        raise ApplicationError(_("Give the reason for revising or withdrawing."))
    on = on or timezone.localdate()
    review = PeriodicReview(
        standard=standard,
        outcome=outcome,
        decided_on=on,
        reason=reason.strip(),
        actor=recorded(actor),
    )
    if outcome == PeriodicReview.Outcome.WITHDRAW:
        from qihub.catalog import services as catalog_services

        catalog_services.standard_withdraw(
            standard=standard, actor=actor, reason=reason, on=on
        )
    elif outcome == PeriodicReview.Outcome.REVISE:
        review.revision_project = project_create(
            actor=actor,
            kind=Project.Kind.REVISION,
            level=standard.level
            if standard.level != Standard.Level.INTERNATIONAL
            else Standard.Level.NATIONAL,
            title_zh=standard.title_zh,
            title_en=standard.title_en,
            replaces=standard,
            committee=committee
            or Committee.objects.filter(code=standard.committee).first(),
            scope=standard.scope,
            comment=_("Opened by the periodic review: %(r)s") % {"r": reason},
        )
    review.save()
    return review

"""Standards research projects, their milestones and reviews."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.core.actors import recorded, require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.lifecycle.models import ResearchMilestone, ResearchProject, ResearchReview
from qihub.lifecycle.services._common import check_organisation, check_public_input
from qihub.organisations.models import Organisation


@transaction.atomic
def research_project_create(
    *,
    actor,
    code: str,
    title_zh: str = "",
    title_en: str = "",
    programme: str = "",
    lead_organisation: Organisation | None = None,
    leader: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    summary: str = "",
) -> ResearchProject:
    """Register a standards research project led by ``lead_organisation``."""
    if actor is not None:
        require_staff(actor)
    if not code.strip() or not (title_zh.strip() or title_en.strip()):
        raise ApplicationError(_("A research project needs a code and a title."))
    if starts_on and ends_on and ends_on < starts_on:
        raise ApplicationError(_("The end date cannot be before the start date."))
    check_public_input(
        ResearchProject,
        code=code,
        title_zh=title_zh,
        title_en=title_en,
        programme=programme,
        leader=leader,
        summary=summary,
    )
    lead_organisation = check_organisation("lead_organisation", lead_organisation)
    if ResearchProject.objects.filter(code=code.strip()).exists():
        raise Conflict(_("Research project %(c)s exists already.") % {"c": code})
    return ResearchProject.objects.create(
        code=code.strip(),
        title_zh=title_zh,
        title_en=title_en,
        programme=programme,
        lead_organisation=lead_organisation,
        leader=leader,
        starts_on=starts_on,
        ends_on=ends_on,
        summary=summary,
    )


@transaction.atomic
def research_milestone_add(
    *,
    research_project: ResearchProject,
    actor,
    title: str,
    due_on: datetime.date | None = None,
    reached_on: datetime.date | None = None,
) -> ResearchMilestone:
    """Plan a milestone (or record one reached)."""
    if actor is not None:
        require_staff(actor)
    if not title.strip():
        raise ApplicationError(_("A milestone needs a title."))
    check_public_input(ResearchMilestone, title=title)
    return ResearchMilestone.objects.create(
        research_project=research_project,
        title=title.strip(),
        due_on=due_on,
        reached_on=reached_on,
    )


@transaction.atomic
def research_review_record(
    *,
    research_project: ResearchProject,
    actor,
    kind: str,
    outcome: str,
    held_on: datetime.date,
    conclusion: str = "",
    panel: str = "",
) -> ResearchReview:
    """Record a mid-term evaluation or the final acceptance; the project's
    status follows (accepted, not accepted, evaluated)."""
    if actor is not None:
        require_staff(actor)
    if kind not in ResearchReview.Kind.values:
        raise ApplicationError(_("Kind must be evaluation or acceptance."))
    if outcome not in ResearchReview.Outcome.values:
        raise ApplicationError(_("Outcome must be passed, conditional or failed."))
    rp = ResearchProject.objects.select_for_update().get(pk=research_project.pk)
    if rp.status in (ResearchProject.Status.ACCEPTED, ResearchProject.Status.FAILED):
        raise Conflict(_("This research project has been concluded already."))
    review = ResearchReview.objects.create(
        research_project=rp,
        kind=kind,
        outcome=outcome,
        held_on=held_on,
        conclusion=conclusion,
        panel=panel,
        actor=recorded(actor),
    )
    if kind == ResearchReview.Kind.ACCEPTANCE:
        rp.status = (
            ResearchProject.Status.FAILED
            if outcome == ResearchReview.Outcome.FAILED
            else ResearchProject.Status.ACCEPTED
        )
    elif outcome != ResearchReview.Outcome.FAILED:
        rp.status = ResearchProject.Status.EVALUATED
    rp.save(update_fields=["status", "updated_at"])
    return review

"""Public consultation on drafts: comments, their resolution, and closing
consultations at their deadline."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict
from qihub.lifecycle import workflow
from qihub.lifecycle.models import Comment, Consultation, ProjectEvent
from qihub.lifecycle.ratelimit import anonymous_rate_check
from qihub.lifecycle.services._common import (
    check_public_input,
    consultation_close,
    project_event,
    public_organisation,
    require_manager,
)


def consultations_close_expired(*, today: datetime.date | None = None) -> int:
    """Close the open consultations whose deadline has passed (run daily by
    the scheduler), each with a *consultation closed* event in its
    project's history; returns how many. The project stays in consultation
    until its comments are resolved and it moves on. Comments were refused
    from the day after the deadline already, and pages show such a
    consultation as closed before this runs (``Consultation.is_open``)."""
    today = today or timezone.localdate()
    closed = 0
    expired = Consultation.objects.filter(
        status=Consultation.Status.OPEN, closes_on__lt=today
    ).values_list("pk", flat=True)
    for pk in expired:
        with transaction.atomic():
            consultation = (
                Consultation.objects.select_for_update(of=("self",))
                .select_related("project")
                .get(pk=pk)
            )
            if consultation.status != Consultation.Status.OPEN:
                continue  # closed meanwhile by a transition
            consultation_close(consultation)
            project_event(
                consultation.project,
                ProjectEvent.Type.CONSULTATION_CLOSED,
                actor=None,
                comment=_("The consultation deadline (%(day)s) has passed.")
                % {"day": consultation.closes_on.isoformat()},
                details={
                    "consultation": consultation.pk,
                    "closes_on": consultation.closes_on.isoformat(),
                    "comments": consultation.comments.count(),
                },
            )
            closed += 1
    return closed


@transaction.atomic
def comment_submit(
    *,
    consultation: Consultation,
    actor,
    text: str,
    commenter: str = "",
    organisation_name: str = "",
    email: str = "",
    clause: str = "",
    paragraph: str = "",
    type: str = Comment.Type.GENERAL,
    proposed_change: str = "",
    ip: str | None = None,
) -> Comment:
    """Comment on a draft in consultation. Anyone may comment until the
    deadline; anonymous visitors are rate-limited per address. The
    organisation is kept as typed and linked when it names a registered one."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.OPEN:
        raise Conflict(_("This consultation is closed; comments are no longer taken."))
    if timezone.localdate() > consultation.closes_on:
        raise Conflict(
            _("The consultation closed on %(day)s.") % {"day": consultation.closes_on}
        )
    if not text.strip():
        raise ApplicationError(_("Write your comment."), details={"text": "required"})
    if type not in Comment.Type.values:
        raise ApplicationError(_("Type of comment must be ge, te or ed."))
    check_public_input(
        Comment,
        email=email,
        commenter=commenter,
        organisation_name=organisation_name,
        clause=clause,
        paragraph=paragraph,
        text=text,
        proposed_change=proposed_change,
    )
    user = recorded(actor)
    if not commenter.strip():
        if user is None:
            raise ApplicationError(
                _("Give your name so the committee can answer you."),
                details={"commenter": "required"},
            )
        commenter = user.get_full_name() or user.username
    anonymous_rate_check(user=user, ip=ip, scope="comment")
    number = (consultation.comments.aggregate(n=Max("number"))["n"] or 0) + 1
    return Comment.objects.create(
        consultation=consultation,
        number=number,
        user=user,
        commenter=commenter.strip(),
        organisation_name=organisation_name.strip(),
        organisation=public_organisation(organisation_name),
        email=email.strip(),
        clause=clause.strip(),
        paragraph=paragraph.strip(),
        type=type,
        text=text.strip(),
        proposed_change=proposed_change.strip(),
    )


@transaction.atomic
def comment_resolve(
    *, comment: Comment, actor, resolution: str, observations: str = ""
) -> Comment:
    """Record the committee's decision on a comment: accepted, partially
    accepted or rejected (the last two need a reason)."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("consultation__project__committee")
        .get(pk=comment.pk)
    )
    require_manager(actor, comment.consultation.project.committee)
    if resolution not in Comment.Resolution.values or resolution == "pending":
        raise ApplicationError(
            _("Choose accepted, partially accepted or rejected."),
            details={"resolution": resolution},
        )
    if resolution != Comment.Resolution.ACCEPTED and not observations.strip():
        raise ApplicationError(
            _("Give the reason when a comment is not fully accepted."),
            details={"observations": "required"},
        )
    project = comment.consultation.project
    if project.state.slug not in (workflow.CONSULTATION, workflow.DRAFTING):
        raise Conflict(
            _("Comments can be resolved only while the project is in consultation.")
        )
    old = comment.resolution
    comment.resolution = resolution
    comment.observations = observations.strip()
    comment.resolved_by = recorded(actor)
    comment.resolved_at = timezone.now()
    comment.save()
    project_event(
        project,
        ProjectEvent.Type.COMMENT_RESOLVED,
        actor=actor,
        comment=observations,
        details={"comment": comment.number, "resolution": [old, resolution]},
    )
    return comment

"""Implementation feedback and complaints on published standards."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.core.roles import Role, has_role
from qihub.lifecycle.access import may_manage
from qihub.lifecycle.models import Committee, Feedback, FeedbackEvent
from qihub.lifecycle.ratelimit import anonymous_rate_check
from qihub.lifecycle.services._common import check_public_input, public_organisation

FEEDBACK_MOVES = {
    Feedback.Status.RECEIVED: {
        Feedback.Status.TRIAGED,
        Feedback.Status.ASSIGNED,
        Feedback.Status.REJECTED,
        Feedback.Status.ANSWERED,
    },
    Feedback.Status.TRIAGED: {
        Feedback.Status.ASSIGNED,
        Feedback.Status.REJECTED,
        Feedback.Status.ANSWERED,
    },
    Feedback.Status.ASSIGNED: {Feedback.Status.ANSWERED, Feedback.Status.REJECTED},
    Feedback.Status.ANSWERED: {Feedback.Status.CLOSED, Feedback.Status.ASSIGNED},
    Feedback.Status.REJECTED: {Feedback.Status.CLOSED},
    Feedback.Status.CLOSED: set(),
}


def _next_tracking_number(today: datetime.date) -> str:
    prefix = f"FB-{today.year}-"
    last = (
        Feedback.objects.filter(tracking_number__startswith=prefix)
        .order_by("-tracking_number")
        .values_list("tracking_number", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:06d}"


@transaction.atomic
def feedback_submit(
    *,
    standard: Standard,
    actor,
    name: str,
    subject: str,
    body: str,
    kind: str = Feedback.Kind.FEEDBACK,
    organisation_name: str = "",
    email: str = "",
    clause: str = "",
    ip: str | None = None,
) -> Feedback:
    """Submit implementation feedback or a complaint on a published standard.
    The submitter follows it by its tracking number. The organisation is kept
    as typed and linked when it names a registered one."""
    if standard.status == Standard.Status.DRAFT:
        raise ApplicationError(_("Feedback is taken on published standards only."))
    if kind not in Feedback.Kind.values:
        raise ApplicationError(_("Choose feedback or complaint."))
    check_public_input(
        Feedback,
        email=email,
        name=name,
        organisation_name=organisation_name,
        clause=clause,
        subject=subject,
        body=body,
    )
    user = recorded(actor)
    if not name.strip() and user is not None:
        name = user.get_full_name() or user.username
    missing = [
        f
        for f, v in (("name", name), ("subject", subject), ("body", body))
        if not v.strip()
    ]
    if missing:
        raise ApplicationError(
            _("Fill in your name, a subject and the description."),
            details=dict.fromkeys(missing, "required"),
        )
    anonymous_rate_check(user=user, ip=ip, scope="feedback")
    today = timezone.localdate()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    tracking_number=_next_tracking_number(today),
                    standard=standard,
                    kind=kind,
                    name=name.strip(),
                    organisation_name=organisation_name.strip(),
                    organisation=public_organisation(organisation_name),
                    email=email.strip(),
                    user=user,
                    clause=clause.strip(),
                    subject=subject.strip(),
                    body=body.strip(),
                )
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(_("Could not allocate a tracking number; please retry."))
    FeedbackEvent.objects.create(
        feedback=feedback,
        type=FeedbackEvent.Type.RECEIVED,
        actor=user,
        to_status=Feedback.Status.RECEIVED,
    )
    return feedback


@transaction.atomic
def feedback_handle(
    *,
    feedback: Feedback,
    actor,
    status: str,
    committee: Committee | None = None,
    response: str = "",
    note: str = "",
) -> Feedback:
    """Move feedback on: triage, assign to the responsible committee, answer
    (the response is shown to the submitter), reject or close."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    target_committee = committee or feedback.committee
    is_staff = has_role(actor, Role.STAFF)
    if not is_staff:
        # A committee officer handles only what is assigned to their committee
        # and cannot hand it to another committee.
        if feedback.committee is None or not may_manage(actor, feedback.committee):
            raise PermissionDenied(
                _("Only staff or the assigned committee may handle feedback.")
            )
        if committee is not None and committee != feedback.committee:
            raise PermissionDenied(
                _("Only staff or the assigned committee may handle feedback.")
            )
    if status not in FEEDBACK_MOVES.get(feedback.status, set()):
        raise Conflict(
            _("Feedback that is %(old)s cannot become %(new)s.")
            % {
                "old": feedback.get_status_display(),
                "new": Feedback.Status(status).label
                if status in Feedback.Status.values
                else status,
            }
        )
    if status == Feedback.Status.ASSIGNED and target_committee is None:
        raise ApplicationError(_("Choose the committee to assign it to."))
    if status in (Feedback.Status.ANSWERED, Feedback.Status.REJECTED) and not (
        response.strip()
    ):
        raise ApplicationError(_("Write the response the submitter will read."))
    old = feedback.status
    details: dict = {"status": [old, status]}
    feedback.status = status
    if committee is not None:
        if committee != feedback.committee:
            details["committee"] = [
                feedback.committee.code if feedback.committee else None,
                committee.code,
            ]
        feedback.committee = committee
    if response.strip():
        feedback.response = response.strip()
        feedback.responded_at = timezone.now()
    feedback.save()
    FeedbackEvent.objects.create(
        feedback=feedback,
        actor=recorded(actor),
        type=FeedbackEvent.Type.STATUS_CHANGED,
        from_status=old,
        to_status=status,
        reason=note or response,
        details=details,
    )
    if feedback.email and response.strip():
        number, mail_to = feedback.tracking_number, feedback.email
        body = response.strip()
        transaction.on_commit(
            lambda: send_mail(
                _("Your feedback %(n)s") % {"n": number},
                body,
                settings.DEFAULT_FROM_EMAIL,
                [mail_to],
            )
        )
    return feedback

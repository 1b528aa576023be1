"""What entering and leaving each workflow state does to a project.

Each state's behaviour is a hook on the state (its slug), as Wagtail's tasks
have ``on_action``: ``LEAVE`` hooks run for the state a project leaves, then
``ENTER`` hooks for the state it enters, inside ``project_transition``'s
transaction, so a hook that refuses (by raising) changes nothing. A hook
reads and adds to the ``Move``; ``details`` go into the transition's event.
A state without hooks (drafting, approval, ...) is only a place on the
workflow.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from qihub.core.dates import add_months
from qihub.core.errors import ApplicationError, Conflict
from qihub.lifecycle import workflow
from qihub.lifecycle.models import Ballot, Comment, Consultation, Project, Transition
from qihub.lifecycle.services._common import consultation_close


@dataclass
class Move:
    """One move of a project along a workflow edge, as its hooks see it."""

    project: Project
    current: str
    target: str
    transition: Transition
    actor: object
    deadline: datetime.date | None = None
    issued_on: datetime.date | None = None
    details: dict = field(default_factory=dict)
    today: datetime.date = field(default_factory=timezone.localdate)

    @cached_property
    def open_consultation(self) -> Consultation | None:
        return self.project.consultations.filter(
            status=Consultation.Status.OPEN
        ).first()

    @cached_property
    def open_ballot(self) -> Ballot | None:
        return self.project.ballots.filter(status=Ballot.Status.OPEN).first()


Hook = Callable[[Move], None]


def run(move: Move) -> None:
    """The hooks of the state left, then those of the state entered."""
    # both read before any hook writes (a hook may open a consultation)
    move.open_consultation, move.open_ballot  # noqa: B018
    for hook in LEAVE.get(move.current, ()):
        hook(move)
    for hook in ENTER.get(move.target, ()):
        hook(move)


# --- consultation -------------------------------------------------------------


def consultation_open(move: Move) -> None:
    """Entering *consultation*: the draft is there; a public consultation
    opens until the deadline."""
    project, deadline = move.project, move.deadline
    if not (project.draft_file or project.draft_text.strip()):
        raise ApplicationError(
            _("Attach the draft for comments (a file or its text) first.")
        )
    if deadline is None or deadline <= move.today:
        raise ApplicationError(
            _("Give a consultation deadline after today (usually 60 days).")
        )
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                project=project, opens_on=move.today, closes_on=deadline
            )
    except IntegrityError as exc:
        raise Conflict(_("This project already has an open consultation.")) from exc
    move.details["consultation"] = consultation.pk
    move.details["closes_on"] = deadline.isoformat()


def consultation_leave(move: Move) -> None:
    """Leaving *consultation*: to the review only with every comment of this
    stage's consultation (open, or closed at its deadline) resolved; an open
    one closes."""
    stage_consultation = (
        move.open_consultation
        or move.project.consultations.order_by("-opens_on", "-id").first()
    )
    if move.target == workflow.REVIEW and stage_consultation is not None:
        pending = stage_consultation.comments.filter(
            resolution=Comment.Resolution.PENDING
        ).count()
        if pending:
            raise Conflict(
                _(
                    "%(n)d comment(s) are still unresolved; resolve every "
                    "comment before the committee review."
                )
                % {"n": pending}
            )
    if move.open_consultation is not None:
        consultation_close(move.open_consultation)
        move.details["consultation_closed"] = move.open_consultation.pk


# --- committee review ---------------------------------------------------------


def ballot_open(move: Move) -> None:
    """Entering *review*: the responsible committee's ballot opens (30 days
    unless a deadline is given)."""
    project = move.project
    if project.committee is None:
        raise ApplicationError(
            _("Assign the responsible committee before the committee review.")
        )
    if move.deadline is not None and move.deadline < move.today:
        raise ApplicationError(_("The ballot cannot close before today."))
    closes = move.deadline or (move.today + datetime.timedelta(days=30))
    ballot = Ballot.objects.create(
        project=project, committee=project.committee, closes_on=closes
    )
    move.details["ballot"] = ballot.pk


def review_leave(move: Move) -> None:
    """Leaving *review* back to drafting or on to submission: the ballot is
    closed, and only a passed one lets the draft be submitted."""
    if move.target not in (workflow.DRAFTING, workflow.SUBMITTED):
        return
    if move.open_ballot is not None:
        raise Conflict(_("Close the committee ballot first."))
    last = move.project.ballots.order_by("-created_at", "-id").first()
    if move.target == workflow.SUBMITTED and (
        last is None or last.result != Ballot.Result.PASSED
    ):
        raise Conflict(
            _("Only a draft whose committee ballot passed can be submitted.")
        )


def ballot_stop(move: Move) -> None:
    """Entering *suspended* or *cancelled*: an open ballot is stopped."""
    ballot = move.open_ballot
    if ballot is None:
        return
    ballot.status = Ballot.Status.CLOSED
    ballot.closed_at = timezone.now()
    ballot.result_reason = _("Ballot stopped: the project was %(s)s.") % {
        "s": move.transition.to_state
    }
    ballot.save()


# --- publication ------------------------------------------------------------


def standard_publish(move: Move) -> None:
    """Entering *published*: the catalogue record of the standard, issued
    on ``issued_on`` (today by default), replacing the revised edition."""
    from qihub.catalog import services as catalog_services

    project, actor = move.project, move.actor
    issued_on = move.issued_on or move.today
    if not project.identifier.strip():
        raise ApplicationError(
            _("Set the standard number the project will be published under first.")
        )
    implemented_on = add_months(issued_on, project.implementation_months)
    standard = catalog_services.standard_create(
        actor=actor,
        identifier=project.identifier,
        title_zh=project.title_zh,
        title_en=project.title_en,
        issued_on=issued_on,
        implemented_on=implemented_on,
        ics=[c for c in project.ics.replace(";", ",").split(",") if c.strip()],
        committee=project.committee.code if project.committee else "",
        scope=project.scope,
        source="lifecycle",
        reason=_("Published by standard project %(code)s.") % {"code": project.code},
    )
    catalog_services.standard_set_drafting_units(
        standard=standard,
        organisations=project.drafting_organisations(),
        actor=actor,
        reason=_("Drafting units of standard project %(code)s.")
        % {"code": project.code},
    )
    if project.replaces is not None:
        catalog_services.standard_replace(
            old=project.replaces,
            new=standard,
            actor=actor,
            reason=_("Revised by standard project %(code)s.") % {"code": project.code},
        )
    project.standard = standard
    for patent in project.patents.filter(standard__isnull=True):
        patent.standard = standard
        patent.save(update_fields=["standard"])
    move.details |= {
        "standard": standard.pk,
        "identifier": standard.identifier,
        "issued_on": issued_on.isoformat(),
        "implemented_on": implemented_on.isoformat(),
        "replaces": project.replaces.identifier if project.replaces else None,
    }


def implementation_check(move: Move) -> None:
    """Entering *implemented*: not before the standard's implementation date."""
    standard = move.project.standard
    if standard and standard.implemented_on and standard.implemented_on > move.today:
        raise Conflict(
            _("%(id)s is implemented on %(day)s; mark it implemented from then.")
            % {"id": standard.identifier, "day": standard.implemented_on}
        )


#: What leaving a state does, by the state's slug.
LEAVE: dict[str, tuple[Hook, ...]] = {
    workflow.CONSULTATION: (consultation_leave,),
    workflow.REVIEW: (review_leave,),
}
#: What entering a state does, by the state's slug.
ENTER: dict[str, tuple[Hook, ...]] = {
    workflow.CONSULTATION: (consultation_open,),
    workflow.REVIEW: (ballot_open,),
    workflow.SUSPENDED: (ballot_stop,),
    workflow.CANCELLED: (ballot_stop,),
    workflow.PUBLISHED: (standard_publish,),
    workflow.IMPLEMENTED: (implementation_check,),
}

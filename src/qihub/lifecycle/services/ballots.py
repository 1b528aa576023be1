"""Committee ballots: votes and the result."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.lifecycle.ballots import tally
from qihub.lifecycle.models import Ballot, CommitteeMember, ProjectEvent, Vote
from qihub.lifecycle.services._common import project_event, require_manager


@transaction.atomic
def ballot_vote(*, ballot: Ballot, actor, choice: str, comment: str = "") -> Vote:
    """Cast (or change) a committee member's vote while the ballot is open.
    A disapproval must say why."""
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.status != Ballot.Status.OPEN:
        raise Conflict(_("This ballot is closed."))
    member = CommitteeMember.objects.filter(
        committee_id=ballot.committee_id, user=recorded(actor)
    ).first()
    if member is None or not member.votes:
        raise PermissionDenied(
            _("Only voting members of %(c)s may vote on this ballot.")
            % {"c": ballot.committee.code}
        )
    if choice not in Vote.Choice.values:
        raise ApplicationError(_("Vote approve, disapprove or abstain."))
    if choice == Vote.Choice.DISAPPROVE and not comment.strip():
        raise ApplicationError(
            _("A disapproval must come with comments."), details={"comment": "required"}
        )
    vote, _created = Vote.objects.update_or_create(
        ballot=ballot, voter=actor, defaults={"choice": choice, "comment": comment}
    )
    return vote


@transaction.atomic
def ballot_close(*, ballot: Ballot, actor, comment: str = "") -> Ballot:
    """Close a ballot and record its result under the committee's quorum and
    thresholds."""
    ballot = (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("committee", "project")
        .get(pk=ballot.pk)
    )
    require_manager(actor, ballot.committee)
    if ballot.status != Ballot.Status.OPEN:
        raise Conflict(_("This ballot is closed already."))
    committee = ballot.committee
    eligible = committee.memberships.exclude(role=CommitteeMember.Role.OBSERVER).count()
    counts = dict.fromkeys(Vote.Choice.values, 0)
    for choice in ballot.votes.values_list("choice", flat=True):
        counts[choice] += 1
    result = tally(
        eligible=eligible,
        approve=counts["approve"],
        disapprove=counts["disapprove"],
        abstain=counts["abstain"],
        quorum=committee.quorum,
        approval_threshold=committee.approval_threshold,
        disapproval_max=committee.disapproval_max,
    )
    ballot.status = Ballot.Status.CLOSED
    ballot.closed_at = timezone.now()
    ballot.result = Ballot.Result.PASSED if result.passed else Ballot.Result.FAILED
    ballot.counts = result.as_dict()
    ballot.result_reason = result.reason
    ballot.save()
    project_event(
        ballot.project,
        ProjectEvent.Type.BALLOT_CLOSED,
        actor=actor,
        comment=comment,
        details={"ballot": ballot.pk, "result": ballot.result, **ballot.counts},
    )
    return ballot

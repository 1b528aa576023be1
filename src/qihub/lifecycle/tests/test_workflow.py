import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from qihub.core.dates import add_months
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.lifecycle import services
from qihub.lifecycle.models import (
    Ballot,
    Comment,
    Consultation,
    Project,
    ProjectEvent,
    State,
    Transition,
)
from qihub.lifecycle.selectors import transitions_available
from qihub.lifecycle.workflow import STATES, TRANSITIONS, workflow_ensure

pytestmark = pytest.mark.django_db

FUTURE = timezone.localdate() + datetime.timedelta(days=60)


def test_workflow_is_data_and_idempotent():
    workflow_ensure()
    workflow_ensure()
    assert State.objects.count() == len(STATES)
    assert Transition.objects.count() == len(TRANSITIONS)
    assert State.objects.get(slug="cancelled").terminal


def test_proposal_records_creation_event(make_project, enterprise_user):
    project = make_project()
    assert project.code.startswith("P")
    assert project.state.slug == "proposal"
    event = project.events.get()
    assert event.type == ProjectEvent.Type.CREATED
    assert event.actor == enterprise_user


def test_anonymous_cannot_propose(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.project_create(actor=AnonymousUser(), title_en="x")


def test_revision_needs_the_revised_standard(enterprise_user):
    with pytest.raises(ApplicationError, match="must name the standard"):
        services.project_create(actor=enterprise_user, title_en="x", kind="revision")


def test_illegal_transition_is_refused_and_changes_nothing(make_project, staff_user):
    project = make_project()
    with pytest.raises(Conflict) as exc:
        services.project_transition(
            project=project, to_state="published", actor=staff_user
        )
    assert "cannot move to" in str(exc.value)
    assert "Approved (project plan)" in str(exc.value)
    project.refresh_from_db()
    assert project.state.slug == "proposal"
    assert project.events.count() == 1


def test_unauthorised_user_is_refused(make_project, enterprise_user, reviewer_user):
    project = make_project()
    for user in (enterprise_user, reviewer_user):
        with pytest.raises(PermissionDenied, match="needs the role"):
            services.project_transition(
                project=project, to_state="approved", actor=user
            )
    project.refresh_from_db()
    assert project.state.slug == "proposal"
    assert transitions_available(project=project, user=enterprise_user) == []


def test_secretary_may_take_secretary_moves_only(make_project, secretary):
    project = make_project("approved")
    slugs = {
        t.to_state.slug for t in transitions_available(project=project, user=secretary)
    }
    assert slugs == {"drafting"}
    project = services.project_transition(
        project=project, to_state="drafting", actor=secretary
    )
    assert project.state.slug == "drafting"
    with pytest.raises(PermissionDenied):
        services.project_transition(
            project=project, to_state="cancelled", actor=secretary
        )


def test_consultation_needs_draft_and_deadline(make_project, staff_user):
    project = make_project("drafting")
    with pytest.raises(ApplicationError, match="Attach the draft"):
        services.project_transition(
            project=project, to_state="consultation", actor=staff_user, deadline=FUTURE
        )
    services.project_update(project=project, actor=staff_user, draft_text="1 Scope\n")
    with pytest.raises(ApplicationError, match="deadline"):
        services.project_transition(
            project=project, to_state="consultation", actor=staff_user
        )
    project = services.project_transition(
        project=project, to_state="consultation", actor=staff_user, deadline=FUTURE
    )
    consultation = project.consultations.get()
    assert consultation.is_open
    assert consultation.closes_on == FUTURE


def test_at_most_one_open_consultation_per_project(make_project):
    project = make_project("consultation")
    today = timezone.localdate()
    Consultation.objects.create(
        project=project, opens_on=today, closes_on=FUTURE, status="closed"
    )
    with pytest.raises(IntegrityError):
        Consultation.objects.create(project=project, opens_on=today, closes_on=FUTURE)


def test_review_needs_resolved_comments_and_opens_ballot(make_project, staff_user):
    project = make_project("consultation")
    consultation = project.consultations.get()
    comment = services.comment_submit(
        consultation=consultation,
        actor=None,
        commenter="Li",
        text="Clarify",
        ip="1.2.3.4",
    )
    with pytest.raises(Conflict, match="unresolved"):
        services.project_transition(
            project=project, to_state="review", actor=staff_user
        )
    services.comment_resolve(
        comment=comment,
        actor=staff_user,
        resolution="partial",
        observations="Done in 4.2",
    )
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    consultation.refresh_from_db()
    assert consultation.status == "closed"
    assert project.ballots.get().status == "open"


def test_submission_needs_a_passed_ballot(make_project, staff_user, voters):
    project = make_project("consultation")
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    with pytest.raises(Conflict, match="Close the committee ballot"):
        services.project_transition(
            project=project, to_state="submitted", actor=staff_user
        )
    services.ballot_vote(ballot=ballot, actor=voters[0], choice="approve")
    services.ballot_vote(
        ballot=ballot, actor=voters[1], choice="disapprove", comment="No"
    )
    services.ballot_vote(
        ballot=ballot, actor=voters[2], choice="disapprove", comment="No"
    )
    ballot = services.ballot_close(ballot=ballot, actor=staff_user)
    assert ballot.result == Ballot.Result.FAILED
    with pytest.raises(Conflict, match="ballot passed"):
        services.project_transition(
            project=project, to_state="submitted", actor=staff_user
        )
    project = services.project_transition(
        project=project, to_state="drafting", actor=staff_user
    )
    assert project.state.slug == "drafting"


def test_cancel_closes_open_ballot(make_project, staff_user):
    project = make_project("consultation")
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    project = services.project_transition(
        project=project,
        to_state="cancelled",
        actor=staff_user,
        comment="Merged elsewhere",
    )
    assert project.ballots.get().status == "closed"
    event = project.events.first()
    assert (event.from_state, event.to_state, event.reason) == (
        "review",
        "cancelled",
        "Merged elsewhere",
    )
    with pytest.raises(Conflict):
        services.project_transition(
            project=project, to_state="approved", actor=staff_user
        )


def test_timeline_records_every_transition_and_edit(make_project, staff_user):
    project = make_project("drafting")
    services.project_update(project=project, actor=staff_user, title_en="New title")
    types = list(project.events.order_by("id").values_list("type", flat=True))
    assert types == ["created", "transition", "transition", "edited"]


def test_proposer_may_edit_only_while_proposal(
    make_project, enterprise_user, staff_user
):
    project = make_project()
    services.project_update(project=project, actor=enterprise_user, scope="Scope text")
    services.project_transition(project=project, to_state="approved", actor=staff_user)
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, actor=enterprise_user, scope="Other")


def test_bad_identifier_is_refused_with_parser_message(make_project, staff_user):
    project = make_project()
    with pytest.raises(ApplicationError):
        services.project_update(project=project, actor=staff_user, identifier="???")


def test_publication_creates_catalogue_record_replacing_old(
    make_project, staff_user, voters, old_standard
):
    project = make_project(
        "consultation", replaces=old_standard, identifier="GB 31701-2026"
    )
    assert project.kind == Project.Kind.REVISION
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    for voter in voters[:3]:
        services.ballot_vote(ballot=ballot, actor=voter, choice="approve")
    assert services.ballot_close(ballot=ballot, actor=staff_user).result == "passed"
    project = services.project_transition(
        project=project, to_state="submitted", actor=staff_user
    )
    project = services.project_transition(
        project=project,
        to_state="published",
        actor=staff_user,
        issued_on=timezone.localdate(),
    )
    new = project.standard
    assert new.identifier == "GB 31701-2026"
    assert new.implemented_on == add_months(timezone.localdate(), 6)
    assert new.implemented_on > timezone.localdate()
    old_standard.refresh_from_db()
    assert old_standard.status == "replaced"
    assert new.relations_out.get().target == old_standard
    with pytest.raises(Conflict, match="implemented on"):
        services.project_transition(
            project=project, to_state="implemented", actor=staff_user
        )


def test_publication_without_number_is_refused(make_project, staff_user, voters):
    project = make_project("consultation")
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    for voter in voters:
        services.ballot_vote(ballot=ballot, actor=voter, choice="approve")
    services.ballot_close(ballot=ballot, actor=staff_user)
    project = services.project_transition(
        project=project, to_state="submitted", actor=staff_user
    )
    with pytest.raises(ApplicationError, match="standard number"):
        services.project_transition(
            project=project, to_state="published", actor=staff_user
        )
    project.refresh_from_db()
    assert project.state.slug == "submitted"


def test_comment_resolution_rules(make_project, staff_user, enterprise_user):
    project = make_project("consultation")
    comment = services.comment_submit(
        consultation=project.consultations.get(),
        actor=enterprise_user,
        text="Typo",
        type="ed",
        clause="2",
    )
    assert comment.commenter == "enterprise1"
    assert comment.number == 1
    with pytest.raises(PermissionDenied):
        services.comment_resolve(
            comment=comment, actor=enterprise_user, resolution="accepted"
        )
    with pytest.raises(ApplicationError, match="reason"):
        services.comment_resolve(
            comment=comment, actor=staff_user, resolution="rejected"
        )
    comment = services.comment_resolve(
        comment=comment, actor=staff_user, resolution="accepted"
    )
    assert comment.resolution == Comment.Resolution.ACCEPTED


def test_closed_consultation_takes_no_comments(make_project, staff_user):
    project = make_project("consultation")
    consultation = project.consultations.get()
    services.project_transition(project=project, to_state="drafting", actor=staff_user)
    with pytest.raises(Conflict, match="closed"):
        services.comment_submit(
            consultation=consultation, actor=None, commenter="A", text="x"
        )


def test_consultations_past_their_deadline_close_on_schedule(make_project, staff_user):
    from qihub.lifecycle.selectors import consultations_closing, consultations_open
    from qihub.lifecycle.tasks import SCHEDULED, close_expired_consultations

    project = make_project("consultation")
    consultation = project.consultations.get()
    services.comment_submit(
        consultation=consultation, actor=None, commenter="A", text="x"
    )
    running = make_project("consultation").consultations.get()
    today = timezone.localdate()
    Consultation.objects.filter(pk=consultation.pk).update(
        closes_on=today - datetime.timedelta(days=1)
    )
    consultation.refresh_from_db()
    # Before the job runs, the deadline alone decides what pages show.
    assert consultation.status == Consultation.Status.OPEN
    assert not consultation.is_open
    assert running.is_open
    assert list(consultations_open()) == [running]
    assert consultation not in consultations_closing(days=90)

    assert close_expired_consultations in SCHEDULED
    assert close_expired_consultations.enqueue().return_value == 1
    assert services.consultations_close_expired() == 0  # nothing left to close
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CLOSED
    assert consultation.closed_at is not None
    running.refresh_from_db()
    assert running.status == Consultation.Status.OPEN
    event = project.events.get(type=ProjectEvent.Type.CONSULTATION_CLOSED)
    assert event.actor is None
    assert event.details["comments"] == 1
    assert str(consultation.closes_on) in event.reason

    # The project stays in consultation, and its unresolved comment still
    # keeps it from the committee review.
    project.refresh_from_db()
    assert project.state.slug == "consultation"
    with pytest.raises(Conflict, match="unresolved"):
        services.project_transition(
            project=project, to_state="review", actor=staff_user
        )
    services.comment_resolve(
        comment=consultation.comments.get(), actor=staff_user, resolution="accepted"
    )
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    assert project.state.slug == "review"
    assert "consultation_closed" not in project.events.first().details


def test_published_projects_become_implemented_on_schedule(make_project, old_standard):
    from qihub.lifecycle.tasks import SCHEDULED, mark_implemented_projects
    from qihub.lifecycle.workflow import state_get

    project = make_project()
    Project.objects.filter(pk=project.pk).update(
        state=state_get("published"), standard=old_standard
    )
    assert mark_implemented_projects in SCHEDULED
    assert mark_implemented_projects.enqueue().return_value == 1
    project.refresh_from_db()
    assert project.state.slug == "implemented"
    event = project.events.first()
    assert event.actor is None
    assert event.reason == "Implementation date reached."


def test_staff_adjustments_to_the_process_stand(make_project, staff_user):
    project = make_project("approved")
    Transition.objects.filter(
        from_state__slug="approved", to_state__slug="drafting"
    ).delete()
    with pytest.raises(Conflict):
        services.project_transition(
            project=project, to_state="drafting", actor=staff_user
        )
    workflow_ensure()
    assert not Transition.objects.filter(
        from_state__slug="approved", to_state__slug="drafting"
    ).exists()

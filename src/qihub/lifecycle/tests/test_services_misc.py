import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.lifecycle import exports, selectors, services
from qihub.lifecycle.ballots import tally
from qihub.lifecycle.clauses import split_clauses
from qihub.lifecycle.models import Feedback, PeriodicReview, ResearchProject
from qihub.lifecycle.ratelimit import RateLimited
from qihub.lifecycle.tasks import SCHEDULED, send_deadline_reminders

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
RULES = {
    "quorum": Decimal("0.5"),
    "approval_threshold": Decimal("0.75"),
    "disapproval_max": Decimal("0.25"),
}


def test_tally_rules():
    assert (
        tally(eligible=8, approve=3, disapprove=0, abstain=0, **RULES).passed is False
    )
    assert (
        "Quorum"
        in tally(eligible=8, approve=3, disapprove=0, abstain=0, **RULES).reason
    )
    assert tally(eligible=4, approve=3, disapprove=1, abstain=0, **RULES).passed is True
    failing = tally(eligible=4, approve=2, disapprove=1, abstain=1, **RULES)
    assert not failing.passed
    assert "below" in failing.reason
    assert (
        tally(eligible=4, approve=0, disapprove=0, abstain=4, **RULES).passed is False
    )


def test_only_members_vote_once_and_disapproval_needs_comments(
    make_project, staff_user, voters, enterprise_user
):
    project = make_project("consultation")
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    with pytest.raises(PermissionDenied, match="voting members"):
        services.ballot_vote(ballot=ballot, actor=enterprise_user, choice="approve")
    with pytest.raises(ApplicationError, match="comments"):
        services.ballot_vote(ballot=ballot, actor=voters[0], choice="disapprove")
    services.ballot_vote(ballot=ballot, actor=voters[0], choice="abstain")
    services.ballot_vote(ballot=ballot, actor=voters[0], choice="approve")
    assert ballot.votes.count() == 1
    for voter in voters[1:3]:
        services.ballot_vote(ballot=ballot, actor=voter, choice="approve")
    with pytest.raises(PermissionDenied):
        services.ballot_close(ballot=ballot, actor=voters[0])
    ballot = services.ballot_close(ballot=ballot, actor=staff_user)
    assert ballot.result == "passed"
    assert ballot.counts == {
        "eligible": 4,
        "approve": 3,
        "disapprove": 0,
        "abstain": 0,
        "cast": 3,
    }
    with pytest.raises(Conflict):
        services.ballot_vote(ballot=ballot, actor=voters[3], choice="approve")
    assert project.events.filter(type="ballot_closed").exists()


@override_settings(QIHUB_LIFECYCLE_ANON_LIMIT=3)
def test_anonymous_comments_are_rate_limited(make_project, enterprise_user):
    consultation = make_project("consultation").consultations.get()
    for _ in range(3):
        services.comment_submit(
            consultation=consultation, actor=None, commenter="A", text="x", ip="9.9.9.9"
        )
    with pytest.raises(RateLimited, match="Too many submissions") as exc:
        services.comment_submit(
            consultation=consultation, actor=None, commenter="A", text="x", ip="9.9.9.9"
        )
    assert exc.value.status == 429
    # another address and a logged-in user are not affected
    services.comment_submit(
        consultation=consultation, actor=None, commenter="B", text="y", ip="8.8.8.8"
    )
    services.comment_submit(
        consultation=consultation, actor=enterprise_user, text="z", ip="9.9.9.9"
    )
    assert consultation.comments.count() == 5


def test_anonymous_comment_needs_a_name(make_project):
    consultation = make_project("consultation").consultations.get()
    with pytest.raises(ApplicationError, match="Give your name"):
        services.comment_submit(consultation=consultation, actor=None, text="x")
    assert consultation.comments.count() == 0


def test_comment_resolution_table_exports(make_project, staff_user):
    from openpyxl import load_workbook

    consultation = make_project("consultation").consultations.get()
    c = services.comment_submit(
        consultation=consultation,
        actor=None,
        commenter="王工",
        organisation_name="某检测中心",
        clause="4.2",
        paragraph="表1",
        type="te",
        text="限量值过严",
        proposed_change="改为 0.5 mg/kg",
    )
    services.comment_resolve(
        comment=c, actor=staff_user, resolution="rejected", observations="依据风险评估"
    )
    csv_text = exports.as_csv(consultation).decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert header.startswith(
        "序号 No.,提出单位 MB/NC / Organisation,章条编号 Clause/Subclause"
    )
    assert "意见类型 Type of comment" in header
    assert "处理结果 Decision" in header
    assert (
        row
        == "1,某检测中心,4.2,表1,te,限量值过严,改为 0.5 mg/kg,依据风险评估,不采纳 / Rejected"
    )
    import io

    ws = load_workbook(io.BytesIO(exports.as_xlsx(consultation))).active
    assert ws["A3"].value == "序号 No."
    assert [cell.value for cell in ws[4]][:5] == [1, "某检测中心", "4.2", "表1", "te"]


def test_split_clauses():
    clauses = split_clauses("前言\n1 范围\n本文件规定。\n3.1\u3000术语\nA.1 示例\n")
    assert [c.ref for c in clauses] == ["1", "3.1", "A.1"]
    assert clauses[0].text == "本文件规定。"
    assert clauses[1].depth == 1


def test_patent_disclosure_and_listing(make_project, old_standard):
    project = make_project()
    with pytest.raises(ApplicationError, match="licensing"):
        services.patent_disclose(
            actor=None,
            project=project,
            patent_number="ZL1",
            holder="H",
            licensing="x",
            declarant="D",
        )
    services.patent_disclose(
        actor=None,
        project=project,
        patent_number="ZL201510000001.2",
        holder="某公司",
        licensing="frand",
        declarant="张三",
    )
    services.patent_disclose(
        actor=None,
        standard=old_standard,
        patent_number="ZL2",
        holder="H",
        licensing="free",
        declarant="D",
    )
    assert selectors.patents_for(project=project).count() == 1
    assert selectors.patents_for(standard=old_standard.pk).get().patent_number == "ZL2"


def test_feedback_tracking_and_triage(
    old_standard, staff_user, committee, plain_user, django_capture_on_commit_callbacks
):
    fb = services.feedback_submit(
        standard=old_standard,
        actor=None,
        name="李四",
        subject="条款 5.1 难以执行",
        body="检测方法不明确",
        kind="complaint",
        email="li@example.org",
    )
    assert fb.tracking_number == f"FB-{TODAY.year}-000001"
    fb2 = services.feedback_submit(
        standard=old_standard, actor=None, name="X", subject="S", body="B"
    )
    assert fb2.tracking_number.endswith("000002")
    with pytest.raises(PermissionDenied):
        services.feedback_handle(feedback=fb, actor=plain_user, status="triaged")
    with pytest.raises(Conflict, match="cannot become"):
        services.feedback_handle(feedback=fb, actor=staff_user, status="closed")
    services.feedback_handle(feedback=fb, actor=staff_user, status="triaged")
    fb = services.feedback_handle(
        feedback=fb, actor=staff_user, status="assigned", committee=committee
    )
    assert fb.committee == committee
    with pytest.raises(ApplicationError, match="response"):
        services.feedback_handle(feedback=fb, actor=staff_user, status="answered")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fb = services.feedback_handle(
            feedback=fb,
            actor=staff_user,
            status="answered",
            response="将在修订中明确。",
        )
    assert mail.outbox[0].to == ["li@example.org"]
    found = selectors.feedback_by_tracking_number(fb.tracking_number.lower())
    assert found.status == Feedback.Status.ANSWERED
    assert found.response == "将在修订中明确。"
    assert [e.to_status for e in found.events.all()] == [
        "received",
        "triaged",
        "assigned",
        "answered",
    ]


def test_feedback_needs_subject_and_body(old_standard):
    with pytest.raises(ApplicationError, match="subject"):
        services.feedback_submit(
            standard=old_standard, actor=None, name="A", subject="", body=""
        )
    assert Feedback.objects.count() == 0


def test_research_project_reviews(staff_user, make_project):
    rp = services.research_project_create(
        actor=staff_user, code="RP-16-03", title_zh="重要技术标准研究", programme="16项"
    )
    services.research_milestone_add(
        research_project=rp, actor=staff_user, title="中期检查", due_on=TODAY
    )
    services.research_review_record(
        research_project=rp,
        actor=staff_user,
        kind="evaluation",
        outcome="passed",
        held_on=TODAY,
    )
    rp.refresh_from_db()
    assert rp.status == ResearchProject.Status.EVALUATED
    services.research_review_record(
        research_project=rp,
        actor=staff_user,
        kind="acceptance",
        outcome="passed",
        held_on=TODAY,
    )
    rp.refresh_from_db()
    assert rp.status == ResearchProject.Status.ACCEPTED
    with pytest.raises(Conflict):
        services.research_review_record(
            research_project=rp,
            actor=staff_user,
            kind="acceptance",
            outcome="failed",
            held_on=TODAY,
        )
    project = make_project(research_projects=[rp])
    assert list(rp.projects.all()) == [project]


def test_periodic_reviews_due_and_confirm(staff_user, old_standard):
    recent = StandardFactory(identifier="GB/T 1-2024", implemented_on=TODAY)
    due = selectors.periodic_reviews_due(today=TODAY)
    assert old_standard in due
    assert recent not in due
    entry = due[due.index(old_standard)]
    assert entry.review_due_on == datetime.date(2021, 6, 1)
    assert entry.review_overdue
    services.periodic_review_record(
        standard=old_standard, actor=staff_user, outcome="confirm"
    )
    assert old_standard not in selectors.periodic_reviews_due(today=TODAY)


def test_periodic_review_revise_opens_revision_project(
    staff_user, old_standard, enterprise_user
):
    with pytest.raises(PermissionDenied):
        services.periodic_review_record(
            standard=old_standard, actor=enterprise_user, outcome="confirm"
        )
    with pytest.raises(ApplicationError, match="reason"):
        services.periodic_review_record(
            standard=old_standard, actor=staff_user, outcome="revise"
        )
    review = services.periodic_review_record(
        standard=old_standard, actor=staff_user, outcome="revise", reason="技术进步"
    )
    project = review.revision_project
    assert project.replaces == old_standard
    assert project.kind == "revision"
    # an open revision project takes the standard off the due list
    assert old_standard not in selectors.periodic_reviews_due(today=TODAY)


def test_periodic_review_withdraw(staff_user, old_standard):
    services.periodic_review_record(
        standard=old_standard, actor=staff_user, outcome="withdraw", reason="已无需求"
    )
    old_standard.refresh_from_db()
    assert old_standard.status == "withdrawn"
    assert PeriodicReview.objects.get().outcome == "withdraw"


def test_deadline_reminders_mail(
    make_project, staff_user, secretary, old_standard, voters
):
    mail.outbox.clear()
    old_standard.committee = "SAC/TC 999"
    old_standard.save()
    late = make_project("approved", due_on=TODAY - datetime.timedelta(days=3))
    consultation = make_project("consultation").consultations.get()
    consultation.closes_on = TODAY + datetime.timedelta(days=5)
    consultation.save()
    voters[0].email = "voter0@example.org"
    voters[0].save()
    voters[1].email = "voter1@example.org"
    voters[1].save()
    review = make_project("consultation")
    review = services.project_transition(
        project=review,
        to_state="review",
        actor=staff_user,
        deadline=TODAY + datetime.timedelta(days=3),
    )
    services.ballot_vote(ballot=review.ballots.get(), actor=voters[1], choice="approve")
    mail.outbox.clear()
    assert send_deadline_reminders in SCHEDULED
    result = send_deadline_reminders.enqueue(days=14).return_value
    assert result["overdue"] == 1
    assert result["closing"] == 1
    assert result["reviews"] >= 1
    recipients = {to for m in mail.outbox for to in m.to}
    assert result["ballots"] == 1
    assert "voter0@example.org" in recipients
    assert "voter1@example.org" not in recipients
    assert "sec@example.org" in recipients
    assert "tc999@example.org" in recipients
    body = "\n".join(m.body for m in mail.outbox)
    assert late.code in body
    assert old_standard.identifier in body


def test_withdrawal_elsewhere_notes_revision_project(
    make_project, staff_user, old_standard, django_capture_on_commit_callbacks
):
    from qihub.catalog import services as catalog_services

    project = make_project(replaces=old_standard)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.standard_withdraw(
            standard=old_standard, actor=staff_user, reason="Obsolete"
        )
    note = project.events.filter(type="note").get()
    assert "GB 31701-2015" in note.reason


def test_proposer_is_told_of_transitions(
    staff_user, committee, django_capture_on_commit_callbacks
):
    from qihub.core.services import user_create

    proposer = user_create(
        username="prop", password="pw-prop", email="prop@example.org"
    )
    project = services.project_create(
        actor=proposer, title_en="Mailed", committee=committee
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(
            project=project,
            to_state="approved",
            actor=staff_user,
            comment="In plan 2027",
        )
    assert mail.outbox[0].to == ["prop@example.org"]
    assert "In plan 2027" in mail.outbox[0].body


def test_export_neutralises_spreadsheet_formulas(make_project):
    consultation = make_project("consultation").consultations.get()
    services.comment_submit(
        consultation=consultation, actor=None, commenter="=HYPERLINK(1)", text="+1+1"
    )
    row = exports.rows(consultation)[0]
    assert row[1] == "'=HYPERLINK(1)"
    assert row[5] == "'+1+1"


def test_committee_secretary_handles_only_own_feedback(
    old_standard, staff_user, committee, secretary
):
    fb = services.feedback_submit(
        standard=old_standard, actor=None, name="A", subject="S", body="B"
    )
    with pytest.raises(PermissionDenied):
        services.feedback_handle(
            feedback=fb, actor=secretary, status="assigned", committee=committee
        )
    services.feedback_handle(
        feedback=fb, actor=staff_user, status="assigned", committee=committee
    )
    fb = services.feedback_handle(
        feedback=fb, actor=secretary, status="answered", response="Will clarify."
    )
    assert fb.status == "answered"


def test_public_input_limits(make_project, old_standard):
    consultation = make_project("consultation").consultations.get()
    with pytest.raises(ApplicationError, match="Too long: clause/subclause"):
        services.comment_submit(
            consultation=consultation,
            actor=None,
            commenter="A",
            text="x",
            clause="9" * 61,
        )
    with pytest.raises(ApplicationError, match="not a valid e-mail"):
        services.feedback_submit(
            standard=old_standard,
            actor=None,
            name="A",
            subject="S",
            body="B",
            email="nope",
        )
    assert consultation.comments.count() == 0
    assert Feedback.objects.count() == 0

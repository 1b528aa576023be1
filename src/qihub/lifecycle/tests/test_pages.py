import datetime

import pytest
from django.utils import timezone

from qihub.lifecycle import services
from qihub.lifecycle.models import Comment, Committee, Feedback, ResearchProject

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_dashboard_lists_deadlines(
    client, make_project, old_standard, django_assert_max_num_queries
):
    make_project("approved", due_on=TODAY - datetime.timedelta(days=1))
    make_project("consultation")
    with django_assert_max_num_queries(12):
        response = client.get("/lifecycle/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Overdue projects" in html
    assert "Periodic reviews due" in html
    assert "GB 31701-2015" in html
    assert "overdue" in html


def test_dashboard_in_chinese(zh_client, old_standard):
    html = zh_client.get("/lifecycle/").content.decode()
    assert "复审" in html


def test_project_detail_shows_only_allowed_buttons(
    client, make_project, staff_user, enterprise_user
):
    project = make_project()
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'data-transition="approved"' not in html
    client.force_login(enterprise_user)
    assert (
        'data-transition="approved"'
        not in client.get(project.get_absolute_url()).content.decode()
    )
    client.force_login(staff_user)
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'data-transition="approved"' in html
    assert 'data-transition="published"' not in html
    assert "Timeline" in html


def test_project_list_bounded_queries(
    client, make_project, django_assert_max_num_queries
):
    for _ in range(5):
        make_project()
    with django_assert_max_num_queries(6):
        response = client.get("/lifecycle/projects/")
    assert response.status_code == 200


def test_transition_refused_by_page_shows_message(
    client, make_project, enterprise_user
):
    project = make_project()
    client.force_login(enterprise_user)
    response = client.post(
        f"/lifecycle/projects/{project.pk}/transition/",
        {"to_state": "approved"},
        follow=True,
    )
    assert "needs the role" in response.content.decode()
    project.refresh_from_db()
    assert project.state.slug == "proposal"


def test_propose_project_page(client, enterprise_user, committee, old_standard):
    client.force_login(enterprise_user)
    response = client.post(
        "/lifecycle/projects/new/",
        {
            "kind": "revision",
            "level": "national",
            "title_zh": "婴幼儿纺织产品安全",
            "replaces": "GB 31701-2015",
            "committee": committee.pk,
            "implementation_months": 6,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "revises" in response.content.decode().lower()
        or "GB 31701-2015" in response.content.decode()
    )
    bad = client.post(
        "/lifecycle/projects/new/",
        {
            "kind": "new",
            "level": "national",
            "replaces": "GB 1-1900",
            "implementation_months": 6,
        },
    )
    assert "is not in the catalogue" in bad.content.decode()


def test_anonymous_comment_on_clause(client, make_project):
    project = make_project("consultation")
    consultation = project.consultations.get()
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "1 范围" in page
    response = client.post(
        consultation.get_absolute_url(),
        {
            "commenter": "Anon",
            "clause": "1",
            "type": "te",
            "text": "Please widen scope",
        },
        follow=True,
    )
    assert "comment no. 1 was recorded" in response.content.decode()
    assert Comment.objects.get().clause == "1"


def test_consultation_past_its_deadline_shows_closed(client, make_project):
    project = make_project("consultation")
    consultation = project.consultations.get()
    consultation.closes_on = TODAY - datetime.timedelta(days=1)
    consultation.save()
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Open for comments" not in page
    assert 'id="comment-form"' not in page
    response = client.post(
        consultation.get_absolute_url(),
        {"commenter": "Late", "type": "ge", "text": "Too late?"},
        follow=True,
    )
    assert "closed on" in response.content.decode()
    assert not Comment.objects.exists()


def test_registered_user_sees_own_comments(client, make_project, enterprise_user):
    consultation = make_project("consultation").consultations.get()
    services.comment_submit(
        consultation=consultation, actor=None, commenter="X", text="other's"
    )
    services.comment_submit(
        consultation=consultation, actor=enterprise_user, text="mine"
    )
    client.force_login(enterprise_user)
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "mine" in html
    assert "other&#x27;s" not in html
    assert "other's" not in html


def test_resolution_page_htmx_and_export(
    client, make_project, staff_user, enterprise_user
):
    consultation = make_project("consultation").consultations.get()
    comment = services.comment_submit(
        consultation=consultation, actor=None, commenter="X", text="t"
    )
    client.force_login(enterprise_user)
    assert (
        client.get(
            f"/lifecycle/consultations/{consultation.pk}/comments.csv"
        ).status_code
        == 403
    )
    client.force_login(staff_user)
    page = client.get(f"/lifecycle/consultations/{consultation.pk}/resolve/")
    assert page.status_code == 200
    response = client.post(
        f"/lifecycle/comments/{comment.pk}/resolve/",
        {f"c{comment.pk}-resolution": "rejected", f"c{comment.pk}-observations": ""},
        headers={"HX-Request": "true"},
    )
    assert "Give the reason" in response.content.decode()
    response = client.post(
        f"/lifecycle/comments/{comment.pk}/resolve/",
        {f"c{comment.pk}-resolution": "accepted"},
        headers={"HX-Request": "true"},
    )
    assert response.content.decode().lstrip().startswith("<tr")
    assert "Accepted" in response.content.decode()
    csv = client.get(f"/lifecycle/consultations/{consultation.pk}/comments.csv")
    assert csv["Content-Type"] == "text/csv"
    assert "处理结果 Decision" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"/lifecycle/consultations/{consultation.pk}/comments.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_feedback_form_and_tracking(client, old_standard):
    response = client.post(
        f"/lifecycle/feedback/new/?standard={old_standard.pk}",
        {"kind": "complaint", "name": "Zhao", "subject": "Unclear", "body": "Clause 5"},
        follow=True,
    )
    fb = Feedback.objects.get()
    assert fb.tracking_number in response.content.decode()
    html = client.get(
        f"/lifecycle/feedback/track/?number={fb.tracking_number}"
    ).content.decode()
    assert "Received" in html
    assert (
        "No feedback"
        in client.get("/lifecycle/feedback/track/?number=FB-0").content.decode()
    )


def test_feedback_queue_is_staff_only(
    client, enterprise_user, staff_user, old_standard, committee
):
    fb = services.feedback_submit(
        standard=old_standard, actor=None, name="A", subject="S", body="B"
    )
    client.force_login(enterprise_user)
    assert client.get("/lifecycle/feedback/", follow=True).redirect_chain
    client.force_login(staff_user)
    assert fb.tracking_number in client.get("/lifecycle/feedback/").content.decode()
    client.post(
        f"/lifecycle/feedback/{fb.pk}/handle/",
        {f"f{fb.pk}-status": "assigned", f"f{fb.pk}-committee": committee.pk},
    )
    fb.refresh_from_db()
    assert fb.status == "assigned"


def test_patent_form(client, make_project):
    project = make_project()
    client.post(
        f"/lifecycle/patents/new/?project={project.pk}",
        {"patent_number": "ZL1", "holder": "Co", "licensing": "free", "declarant": "D"},
    )
    assert "ZL1" in client.get(project.get_absolute_url()).content.decode()


def test_ballot_page_vote(client, make_project, staff_user, voters):
    project = make_project("consultation")
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    client.force_login(voters[0])
    client.post(ballot.get_absolute_url(), {"choice": "approve"})
    assert ballot.votes.get().choice == "approve"
    client.force_login(staff_user)
    client.post(f"/lifecycle/ballots/{ballot.pk}/close/")
    ballot.refresh_from_db()
    assert ballot.status == "closed"
    assert "Quorum not reached" in ballot.result_reason


def test_research_pages(client, staff_user):
    rp = services.research_project_create(
        actor=staff_user, code="RP-1", title_en="Research"
    )
    assert "RP-1" in client.get("/lifecycle/research/").content.decode()
    assert client.get(rp.get_absolute_url()).status_code == 200


def test_edit_project_plan_records_event(
    client, make_project, enterprise_user, staff_user
):
    project = make_project()
    client.force_login(enterprise_user)
    response = client.post(
        f"/lifecycle/projects/{project.pk}/edit/",
        {
            "title_zh": project.title_zh,
            "title_en": "Better title",
            "level": "national",
            "implementation_months": 12,
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title_en == "Better title"
    event = project.events.filter(type="edited").get()
    assert event.details["changes"]["title_en"] == [
        "Test standard project",
        "Better title",
    ]
    services.project_transition(project=project, to_state="approved", actor=staff_user)
    response = client.post(
        f"/lifecycle/projects/{project.pk}/edit/",
        {"title_en": "Again", "level": "national", "implementation_months": 6},
    )
    assert "You may not edit this project." in response.content.decode()


def test_admin_edit_goes_through_service(client, admin_user, make_project):
    project = make_project()
    client.force_login(admin_user)
    assert (
        client.get(f"/admin/lifecycle/project/{project.pk}/change/").status_code == 200
    )
    assert client.get("/admin/lifecycle/state/").status_code == 200


def test_clause_view_falls_back_to_revised_edition(client, make_project, old_standard):
    from qihub.lifecycle.models import Consultation
    from qihub.requirements.models import Clause, Document

    document = Document.objects.create(standard=old_standard, source_format="markdown")
    Clause.objects.create(document=document, number="4.1", title="甲醛含量", order=1)
    project = make_project("drafting", replaces=old_standard)
    consultation = Consultation.objects.create(
        project=project, opens_on=TODAY, closes_on=TODAY + datetime.timedelta(days=30)
    )
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "the edition under revision" in html
    assert '<option value="4.1">4.1 甲醛含量</option>' in html


def test_committee_pages(client, committee, secretary, make_project):
    make_project()
    assert "SAC/TC 999" in client.get("/lifecycle/committees/").content.decode()
    html = client.get(committee.get_absolute_url()).content.decode()
    assert "secretary1" in html
    assert "Secretary" in html
    assert "Test standard project" in html


def test_staff_record_research_review_on_page(client, staff_user, enterprise_user):
    rp = services.research_project_create(actor=staff_user, code="RP-2", title_en="R")
    client.force_login(enterprise_user)
    client.post(rp.get_absolute_url(), {"form": "milestone", "title": "M"})
    assert rp.milestones.count() == 0
    client.force_login(staff_user)
    client.post(rp.get_absolute_url(), {"form": "milestone", "title": "Mid-term check"})
    client.post(
        rp.get_absolute_url(),
        {
            "form": "review",
            "kind": "acceptance",
            "outcome": "passed",
            "held_on": "2026-11-01",
        },
    )
    rp.refresh_from_db()
    assert rp.status == "accepted"
    assert "Mid-term check" in client.get(rp.get_absolute_url()).content.decode()


def test_standard_panel_for_catalogue_page(client, old_standard, make_project):
    project = make_project(replaces=old_standard)
    services.patent_disclose(
        actor=None,
        standard=old_standard,
        patent_number="ZL7",
        holder="H",
        licensing="free",
        declarant="D",
    )
    html = client.get(f"/lifecycle/standards/{old_standard.pk}/panel/").content.decode()
    assert project.code in html
    assert "ZL7" in html
    assert f"/lifecycle/feedback/new/?standard={old_standard.pk}" in html


def test_project_and_consultation_pages_bounded_queries(
    client, make_project, staff_user, django_assert_max_num_queries
):
    project = make_project("consultation")
    consultation = project.consultations.get()
    for i in range(5):
        services.comment_submit(
            consultation=consultation, actor=None, commenter=f"C{i}", text="t"
        )
    client.force_login(staff_user)
    client.get(project.get_absolute_url())
    with django_assert_max_num_queries(25):
        assert client.get(project.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(consultation.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client.get(
                f"/lifecycle/consultations/{consultation.pk}/resolve/"
            ).status_code
            == 200
        )


def test_draft_file_upload_and_download(
    client, make_project, staff_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    project = make_project("drafting")
    client.force_login(staff_user)
    client.post(
        f"/lifecycle/projects/{project.pk}/draft/",
        {
            "identifier": "GB/T 99999-2026",
            "draft_text": "",
            "draft_file": SimpleUploadedFile("draft.pdf", b"%PDF-1.4 draft"),
        },
    )
    project.refresh_from_db()
    assert project.identifier == "GB/T 99999-2026"
    url = f"/lifecycle/projects/{project.pk}/draft/download/"
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 draft"
    client.logout()
    assert client.get(url).status_code == 404  # not public before consultation
    services.project_transition(
        project=project,
        to_state="consultation",
        actor=staff_user,
        deadline=TODAY + datetime.timedelta(days=30),
    )
    assert client.get(url).status_code == 200


def test_draft_file_type_is_checked(
    client, make_project, staff_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    project = make_project("drafting")
    client.force_login(staff_user)
    response = client.post(
        f"/lifecycle/projects/{project.pk}/draft/",
        {"draft_file": SimpleUploadedFile("draft.exe", b"MZ")},
        follow=True,
    )
    assert "Upload the draft as pdf" in response.content.decode()
    project.refresh_from_db()
    assert not project.draft_file


def test_dashboard_lists_ballots_awaiting_my_vote(
    client, make_project, staff_user, voters
):
    project = make_project("consultation")
    project = services.project_transition(
        project=project, to_state="review", actor=staff_user
    )
    ballot = project.ballots.get()
    client.force_login(voters[0])
    assert "Ballots awaiting your vote" in client.get("/lifecycle/").content.decode()
    services.ballot_vote(ballot=ballot, actor=voters[0], choice="approve")
    assert (
        "Ballots awaiting your vote" not in client.get("/lifecycle/").content.decode()
    )


def test_observer_is_not_asked_to_vote(make_project, staff_user, committee, voters):
    from qihub.core.services import user_create
    from qihub.lifecycle.models import CommitteeMember
    from qihub.lifecycle.selectors import ballots_awaiting_vote

    observer = user_create(username="obs", password="pw-obs")
    services.committee_member_add(
        committee=committee,
        user=observer,
        actor=staff_user,
        role=CommitteeMember.Role.OBSERVER,
    )
    project = make_project("consultation")
    services.project_transition(project=project, to_state="review", actor=staff_user)
    assert list(ballots_awaiting_vote(user=observer)) == []
    assert len(ballots_awaiting_vote(user=voters[0])) == 1


def test_staff_create_committee_on_page(client, staff_user):
    client.force_login(staff_user)
    assert "New committee" in client.get("/lifecycle/committees/").content.decode()
    response = client.post(
        "/lifecycle/committees/new/",
        {
            "code": "SAC/TC 176",
            "name_en": "Quality management",
            "level": "national",
            "email": "tc176@example.org",
            "quorum": "0.6",
            "approval_threshold": "0.75",
            "disapproval_max": "0.25",
        },
    )
    committee = Committee.objects.get(code="SAC/TC 176")
    assert response.status_code == 302
    assert response["Location"] == committee.get_absolute_url()
    assert str(committee.quorum) == "0.600"


def test_committee_page_refuses_an_existing_code(client, staff_user, committee):
    client.force_login(staff_user)
    response = client.post(
        "/lifecycle/committees/new/",
        {
            "code": "SAC/TC 999",
            "name_en": "Duplicate",
            "level": "national",
            "quorum": "0.5",
            "approval_threshold": "0.75",
            "disapproval_max": "0.25",
        },
    )
    assert response.status_code == 200
    assert "Committee SAC/TC 999 exists already." in response.content.decode()
    assert Committee.objects.get().name_en == committee.name_en


def test_new_committee_and_research_pages_are_staff_only(client, enterprise_user):
    for url in ("/lifecycle/committees/new/", "/lifecycle/research/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client.force_login(enterprise_user)
    assert "New committee" not in client.get("/lifecycle/committees/").content.decode()
    html = client.get("/lifecycle/research/").content.decode()
    assert "New research project" not in html
    assert client.get("/lifecycle/committees/new/").status_code == 403
    response = client.post(
        "/lifecycle/research/new/", {"code": "RP-X", "title_en": "Sneaky"}
    )
    assert response.status_code == 403
    assert not ResearchProject.objects.exists()


def test_staff_add_committee_member_on_page(
    client, staff_user, committee, plain_user, cnis
):
    client.force_login(staff_user)
    html = client.get(committee.get_absolute_url()).content.decode()
    assert 'id="member-form"' in html
    response = client.post(
        committee.get_absolute_url(),
        {"user": "visitor1", "role": "secretary", "organisation": cnis.pk},
    )
    assert response.status_code == 302
    member = committee.memberships.get()
    assert (member.user, member.role, member.organisation) == (
        plain_user,
        "secretary",
        cnis,
    )
    html = client.get(committee.get_absolute_url()).content.decode()
    assert f'<a href="{cnis.get_absolute_url()}">CNIS</a>' in html
    response = client.post(
        committee.get_absolute_url(), {"user": "nobody", "role": "member"}
    )
    assert response.status_code == 200
    assert "No user is called nobody." in response.content.decode()
    assert committee.memberships.count() == 1


@pytest.mark.parametrize("role", ["chair", "secretary"])
def test_committee_officer_seats_a_member_on_page(
    client, staff_user, committee, plain_user, role, cnis
):
    """The page follows ``committee_member_add``: the committee's chair and
    secretary seat members as staff do."""
    from qihub.core.services import user_create

    officer = user_create(username="officer1", password="pw-officer1")
    services.committee_member_add(
        committee=committee, user=officer, actor=staff_user, role=role
    )
    client.force_login(officer)
    url = committee.get_absolute_url()
    assert 'id="member-form"' in client.get(url).content.decode()
    response = client.post(
        url, {"user": "visitor1", "role": "member", "organisation": cnis.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    member = committee.memberships.get(user=plain_user)
    assert (member.role, member.organisation) == ("member", cnis)
    html = client.get(url).content.decode()
    assert "visitor1 seated as Member." in html


def test_committee_member_form_refused_to_others(
    client, staff_user, committee, enterprise_user, plain_user
):
    """Anyone but staff and the committee's chair or secretary, an ordinary
    member included, sees no member form and has a POST refused."""
    url = committee.get_absolute_url()
    response = client.post(url, {"user": "visitor1", "role": "member"})
    assert response["Location"].startswith("/accounts/login/")
    services.committee_member_add(
        committee=committee, user=enterprise_user, actor=staff_user
    )
    for user in (plain_user, enterprise_user):
        client.force_login(user)
        assert 'id="member-form"' not in client.get(url).content.decode()
        response = client.post(url, {"user": "visitor1", "role": "chair"})
        assert response.status_code == 403
    assert list(committee.memberships.values_list("user", "role")) == [
        (enterprise_user.pk, "member")
    ]


def test_staff_create_research_project_on_page(client, staff_user):
    client.force_login(staff_user)
    assert "New research project" in client.get("/lifecycle/research/").content.decode()
    response = client.post(
        "/lifecycle/research/new/",
        {
            "code": "RP-2026-01",
            "title_en": "Digital standards",
            "programme": "NQI",
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
        },
    )
    research = ResearchProject.objects.get(code="RP-2026-01")
    assert response.status_code == 302
    assert response["Location"] == research.get_absolute_url()
    response = client.post(
        "/lifecycle/research/new/",
        {
            "code": "RP-2026-02",
            "title_en": "Backwards",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in (
        response.content.decode()
    )
    assert ResearchProject.objects.count() == 1


def test_milestone_on_research_page(client, staff_user, enterprise_user):
    rp = services.research_project_create(actor=staff_user, code="RP-3", title_en="R")
    url = rp.get_absolute_url()
    response = client.post(url, {"form": "milestone", "title": "Kick-off"})
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(enterprise_user)
    assert "Add a milestone" not in client.get(url).content.decode()
    assert client.post(url, {"form": "milestone", "title": "M"}).status_code == 403
    client.force_login(staff_user)
    response = client.post(
        url, {"form": "milestone", "title": "Kick-off", "due_on": "2026-03-01"}
    )
    assert response.status_code == 302
    response = client.post(url, {"form": "milestone", "title": "x" * 301})
    assert response.status_code == 200
    assert "at most 300 characters" in response.content.decode()
    assert [m.title for m in rp.milestones.all()] == ["Kick-off"]


def test_new_registry_entries_in_chinese(zh_client, staff_user, committee):
    zh_client.force_login(staff_user)
    assert "新建技术委员会" in zh_client.get("/lifecycle/committees/").content.decode()
    assert "新建标准研究项目" in zh_client.get("/lifecycle/research/").content.decode()
    assert "添加委员" in zh_client.get(committee.get_absolute_url()).content.decode()
    response = zh_client.post(
        committee.get_absolute_url(), {"user": "nobody", "role": "member"}
    )
    assert "没有用户名为 nobody 的用户。" in response.content.decode()

"""The feedback admin: staff move feedback on through ``feedback_handle``,
so each step is checked and recorded; what the submitter sent is read-only
and nothing is deleted."""

import pytest

from qihub.lifecycle import services
from qihub.lifecycle.models import Feedback, FeedbackEvent


@pytest.fixture
def feedback(old_standard):
    return services.feedback_submit(
        standard=old_standard,
        actor=None,
        name="李四",
        subject="条款 5.1",
        body="不明确",
    )


def _form(feedback, **changes) -> dict:
    form = {
        "status": feedback.status,
        "committee": feedback.committee_id or "",
        "response": feedback.response,
        "note": "",
        "events-TOTAL_FORMS": str(feedback.events.count()),
        "events-INITIAL_FORMS": str(feedback.events.count()),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    for i, event in enumerate(feedback.events.all()):
        form[f"events-{i}-id"] = str(event.pk)
        form[f"events-{i}-feedback"] = str(feedback.pk)
    form.update(changes)
    return form


def test_a_status_change_in_the_admin_goes_through_the_service(
    client, admin_user, feedback, committee
):
    client.force_login(admin_user)
    url = f"/admin/lifecycle/feedback/{feedback.pk}/change/"
    response = client.post(
        url,
        _form(feedback, status="assigned", committee=committee.pk, note="to the TC"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    feedback.refresh_from_db()
    assert (feedback.status, feedback.committee) == ("assigned", committee)
    received, assigned = feedback.events.all()
    assert received.type == FeedbackEvent.Type.RECEIVED
    assert (assigned.type, assigned.actor, assigned.reason) == (
        FeedbackEvent.Type.STATUS_CHANGED,
        admin_user,
        "to the TC",
    )
    assert assigned.details == {
        "status": ["received", "assigned"],
        "committee": [None, committee.code],
    }


def test_a_move_the_service_refuses_changes_nothing(client, admin_user, feedback):
    client.force_login(admin_user)
    url = f"/admin/lifecycle/feedback/{feedback.pk}/change/"
    response = client.post(url, _form(feedback, status="closed"), follow=True)
    assert "cannot become" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.RECEIVED
    assert feedback.events.count() == 1


def test_feedback_is_neither_added_nor_deleted_in_the_admin(
    client, admin_user, feedback
):
    client.force_login(admin_user)
    assert client.get("/admin/lifecycle/feedback/add/").status_code == 403
    delete = f"/admin/lifecycle/feedback/{feedback.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Feedback.objects.filter(pk=feedback.pk).exists()
    page = client.get(f"/admin/lifecycle/feedback/{feedback.pk}/change/")
    assert page.status_code == 200
    assert 'name="subject"' not in page.content.decode()  # read-only


def test_older_feedback_events_get_a_type_and_details(feedback):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module(
        "qihub.lifecycle.migrations.0009_feedback_event_types"
    )
    apps = (
        MigrationLoader(connection)
        .project_state(("lifecycle", "0009_feedback_event_types"))
        .apps
    )
    # Rows as the table held them before events had a type and details.
    FeedbackEvent.objects.create(
        feedback=feedback, type="", from_status="received", to_status="triaged"
    )
    FeedbackEvent.objects.update(type="", details={})
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # re-runnable
    assert [(e.type, e.details) for e in feedback.events.all()] == [
        ("received", {}),
        ("status_changed", {"status": ["received", "triaged"]}),
    ]

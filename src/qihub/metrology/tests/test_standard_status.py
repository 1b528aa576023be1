"""A standard's status (active, suspended, retired) changes through
``services.standard_set_status``: from its page, the API and the admin, checked
the same way and recorded in its history with the reason."""

import pytest
from django.urls import reverse

from qihub.core.errors import ApplicationError
from qihub.metrology import services
from qihub.metrology.models import MeasurementStandard, MetrologyEvent


def _status_events(standard) -> list[MetrologyEvent]:
    return list(
        MetrologyEvent.objects.filter(
            standard=standard, type=MetrologyEvent.Type.STATUS_CHANGED
        )
    )


def _set_status(standard, status: str) -> None:
    MeasurementStandard.objects.filter(pk=standard.pk).update(status=status)


# The service -------------------------------------------------------------


def test_a_suspension_is_recorded_with_its_reason(registry, staff_user):
    standard = services.standard_set_status(
        standard=registry.working,
        status="suspended",
        actor=staff_user,
        reason="  Sent for repair  ",
    )
    assert standard.status == "suspended"
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == (
        "suspended"
    )
    [event] = _status_events(registry.working)
    assert (event.actor, event.reason) == (staff_user, "Sent for repair")
    assert event.details == {"from": "active", "to": "suspended"}
    assert event.summary == "Active → Suspended"


def test_a_suspended_standard_is_reactivated(registry, staff_user):
    services.standard_set_status(
        standard=registry.working, status="suspended", actor=staff_user, reason="x"
    )
    standard = services.standard_set_status(
        standard=registry.working, status="active", actor=staff_user
    )
    assert standard.status == "active"
    events = _status_events(registry.working)
    assert [e.details for e in events] == [
        {"from": "suspended", "to": "active"},
        {"from": "active", "to": "suspended"},
    ]
    assert events[0].reason == ""  # reactivating needs no reason


def test_the_unchanged_status_records_nothing(registry, staff_user):
    before = registry.working.updated_at
    standard = services.standard_set_status(
        standard=registry.working, status="active", actor=staff_user, reason="again"
    )
    assert standard.status == "active"
    assert standard.updated_at == before
    assert _status_events(registry.working) == []


def test_the_stored_status_is_compared_not_the_callers_copy(registry, staff_user):
    # the admin's form has already set the new status on its instance
    copy = MeasurementStandard.objects.get(pk=registry.working.pk)
    copy.status = "suspended"
    services.standard_set_status(
        standard=copy, status="suspended", actor=staff_user, reason="Seal broken"
    )
    [event] = _status_events(registry.working)
    assert event.details == {"from": "active", "to": "suspended"}


@pytest.mark.parametrize(
    ("start", "status", "reason", "message"),
    [
        ("active", "lost", "x", "Unknown status lost: active, suspended or retired."),
        ("active", "", "x", "Unknown status : active, suspended or retired."),
        ("active", "suspended", "", "Give a reason for suspending or retiring"),
        ("active", "retired", "   ", "Give a reason for suspending or retiring"),
        (
            "retired",
            "active",
            "Repaired",
            "Standard JL-S-002 is retired and cannot be put back into use; "
            "register its successor as a new standard.",
        ),
        ("retired", "suspended", "x", "is retired and cannot be put back"),
    ],
)
def test_refused_status_changes_change_nothing(
    registry, staff_user, start, status, reason, message
):
    _set_status(registry.working, start)
    with pytest.raises(ApplicationError, match=message):
        services.standard_set_status(
            standard=registry.working, status=status, actor=staff_user, reason=reason
        )
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == start
    assert _status_events(registry.working) == []


def test_only_staff_change_a_status(registry, plain_user):
    with pytest.raises(ApplicationError, match="Only institute staff") as refused:
        services.standard_set_status(
            standard=registry.working,
            status="suspended",
            actor=plain_user,
            reason="x",
        )
    assert refused.value.status == 403
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == "active"
    assert _status_events(registry.working) == []


# The API -----------------------------------------------------------------


def _status_url(code: str) -> str:
    return f"/api/metrology/standards/{code}/status"


def _post(api, code: str, body: dict):
    return api.post(_status_url(code), body, content_type="application/json")


def test_staff_suspend_a_standard_through_the_api(staff_api, staff_user, registry):
    response = _post(
        staff_api, "JL-S-002", {"status": "suspended", "reason": "Sent for repair"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["code"], body["status"]) == ("JL-S-002", "suspended")
    assert body["holder"] == "吉林省计量科学研究院"
    [event] = _status_events(registry.working)
    assert (event.actor, event.reason) == (staff_user, "Sent for repair")
    assert event.details == {"from": "active", "to": "suspended"}
    # the reason may be left out when reactivating
    response = _post(staff_api, "JL-S-002", {"status": "active"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"


def test_a_code_with_slashes_is_found(staff_api, registry):
    standard = services.standard_register(
        actor=None,
        code="[2026]吉量标/社证字/001",
        name="压力表标准装置",
        quantity="pressure",
        unit="kPa",
        uncertainty=0.1,
        holder=registry.jl,
    )
    response = _post(
        staff_api, standard.code, {"status": "suspended", "reason": "Re-assessment"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "[2026]吉量标/社证字/001"
    assert [e.details["to"] for e in _status_events(standard)] == ["suspended"]


@pytest.mark.parametrize(
    ("code", "body", "status", "message"),
    [
        (
            "JL-S-999",
            {"status": "suspended", "reason": "x"},
            404,
            "No measurement standard is registered with the code JL-S-999.",
        ),
        (
            "JL-S-002",
            {"status": "lost", "reason": "x"},
            400,
            "Unknown status lost: active, suspended or retired.",
        ),
        (
            "JL-S-002",
            {"status": "retired"},
            400,
            "Give a reason for suspending or retiring the standard.",
        ),
    ],
)
def test_refused_api_status_changes_say_why(
    staff_api, registry, code, body, status, message
):
    response = _post(staff_api, code, body)
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == "active"
    assert _status_events(registry.working) == []


def test_a_retired_standard_stays_retired_through_the_api(staff_api, registry):
    _set_status(registry.working, "retired")
    response = _post(staff_api, "JL-S-002", {"status": "active", "reason": "x"})
    assert response.status_code == 409
    assert "is retired and cannot be put back" in response.json()["detail"]
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == "retired"


def test_api_status_changes_need_staff(client, user_api, registry):
    body = {"status": "suspended", "reason": "x"}
    assert _post(client, "JL-S-002", body).status_code == 401
    response = _post(user_api, "JL-S-002", body)
    assert response.status_code == 403
    assert "Only institute staff" in response.json()["detail"]
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == "active"


def test_a_missing_status_is_named(staff_api, registry):
    response = _post(staff_api, "JL-S-002", {"reason": "x"})
    assert response.status_code == 422
    assert "status" in str(response.json()["errors"])


# The page ----------------------------------------------------------------


def test_staff_change_the_status_on_the_page(
    staff_client, staff_user, registry, django_assert_max_num_queries
):
    page = registry.working.get_absolute_url()
    url = reverse("metrology:standard_set_status", args=[registry.working.pk])
    html = staff_client.get(page).content.decode()
    assert f'action="{url}"' in html
    assert '<option value="active" selected>' in html
    response = staff_client.post(
        url, {"status": "suspended", "reason": "Piston sent for repair"}
    )
    assert response.status_code == 302
    assert response["location"] == page
    with django_assert_max_num_queries(40):
        html = staff_client.get(page).content.decode()
    assert "Status of JL-S-002: Suspended." in html
    assert "Status changed (Active → Suspended) Piston sent for repair" in html
    [event] = _status_events(registry.working)
    assert event.actor == staff_user
    # the chain of the instrument calibrated against it now breaks there
    html = staff_client.get(registry.instrument.get_absolute_url()).content.decode()
    assert "Standard JL-S-002 is not active (Suspended)." in html


def test_a_refused_status_change_shows_why_on_the_page(staff_client, registry):
    url = reverse("metrology:standard_set_status", args=[registry.working.pk])
    response = staff_client.post(url, {"status": "retired", "reason": " "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give a reason for suspending or retiring the standard." in html
    assert 'role="alert"' in html
    assert '<option value="retired" selected>' in html  # what was chosen is kept
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == "active"
    assert _status_events(registry.working) == []


def test_a_retired_standard_has_no_status_form(staff_client, registry):
    _set_status(registry.working, "retired")
    page = registry.working.get_absolute_url()
    assert 'id="status-form"' not in staff_client.get(page).content.decode()
    url = reverse("metrology:standard_set_status", args=[registry.working.pk])
    response = staff_client.post(url, {"status": "active", "reason": "Repaired"})
    assert response.status_code == 200
    assert "is retired and cannot be put back into use" in response.content.decode()


def test_others_see_no_status_form_and_may_not_post(client, plain_user, registry):
    page = registry.working.get_absolute_url()
    url = reverse("metrology:standard_set_status", args=[registry.working.pk])
    body = {"status": "suspended", "reason": "x"}
    assert 'id="status-form"' not in client.get(page).content.decode()
    assert client.post(url, body).status_code == 302  # log in first
    client.force_login(plain_user)
    assert 'id="status-form"' not in client.get(page).content.decode()
    assert client.post(url, body).status_code == 403
    assert client.get(url).status_code == 405
    assert MeasurementStandard.objects.get(pk=registry.working.pk).status == "active"
    assert _status_events(registry.working) == []


def test_the_status_form_in_chinese(zh_client, staff_user, registry):
    zh_client.force_login(staff_user)
    url = reverse("metrology:standard_set_status", args=[registry.working.pk])
    response = zh_client.post(url, {"status": "suspended", "reason": ""})
    html = response.content.decode()
    assert "请填写暂停或停用计量标准的理由。" in html
    zh_client.post(url, {"status": "suspended", "reason": "送修"})
    html = zh_client.get(registry.working.get_absolute_url()).content.decode()
    assert "更改状态" in html
    assert "状态已变更 (在用 → 暂停) 送修" in html

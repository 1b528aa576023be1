"""A standard's re-assessment (复查考核) is recorded through
``services.standard_reassess``: from its page, the API and the admin, checked
the same way and recorded in its history with the new certificate and the
validity derived from the day of the re-assessment."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from qihub.core.dates import add_months
from qihub.core.errors import ApplicationError
from qihub.metrology import services
from qihub.metrology.models import MeasurementStandard, MetrologyEvent

# The fixture's working standard JL-S-002 was assessed on 2020-01-01 without a
# certificate number; its assessment expired on 2024-01-01.
CERTIFICATE = "[2026]吉量标证字第201号"
ASSESSED_ON = datetime.date(2025, 12, 1)


def _reassessments(standard) -> list[MetrologyEvent]:
    return list(
        MetrologyEvent.objects.filter(
            standard=standard, type=MetrologyEvent.Type.REASSESSED
        )
    )


def _assessment(standard) -> tuple:
    standard = MeasurementStandard.objects.get(pk=standard.pk)
    return (
        standard.assessment_certificate,
        standard.assessment_valid_from,
        standard.assessment_valid_until,
    )


def _set(standard, **fields) -> None:
    MeasurementStandard.objects.filter(pk=standard.pk).update(**fields)


UNCHANGED = ("", datetime.date(2020, 1, 1), datetime.date(2024, 1, 1))


# The service -------------------------------------------------------------


def test_a_reassessment_is_recorded_with_the_new_validity(registry, staff_user):
    standard = services.standard_reassess(
        standard=registry.working,
        actor=staff_user,
        certificate=f"  {CERTIFICATE}  ",
        assessed_on=ASSESSED_ON,
    )
    # valid for four years from the re-assessment, as at registration
    expected = (CERTIFICATE, ASSESSED_ON, datetime.date(2029, 12, 1))
    assert (
        standard.assessment_certificate,
        standard.assessment_valid_from,
        standard.assessment_valid_until,
    ) == expected
    assert _assessment(registry.working) == expected
    [event] = _reassessments(registry.working)
    assert (event.actor, event.reason) == (staff_user, "")
    assert event.details == {
        "certificate": CERTIFICATE,
        "valid_from": "2025-12-01",
        "valid_until": "2029-12-01",
        "previous_certificate": "",
        "previous_valid_until": "2024-01-01",
    }
    assert event.summary == f"certificate {CERTIFICATE}, valid until 2029-12-01"


def test_each_reassessment_follows_the_last(registry, staff_user):
    services.standard_reassess(
        standard=registry.working,
        actor=staff_user,
        certificate=CERTIFICATE,
        assessed_on=ASSESSED_ON,
    )
    # the same day again (a corrected number) is not before the last one
    services.standard_reassess(
        standard=registry.working,
        actor=staff_user,
        certificate="[2026]吉量标证字第202号",
        assessed_on=ASSESSED_ON,
    )
    latest, first = _reassessments(registry.working)
    assert first.details["previous_certificate"] == ""
    assert latest.details["previous_certificate"] == CERTIFICATE
    assert latest.details["previous_valid_until"] == "2029-12-01"
    assert _assessment(registry.working)[0] == "[2026]吉量标证字第202号"


def test_a_standard_without_an_assessment_is_assessed(registry, staff_user):
    # the national primary standard was registered without any assessment
    services.standard_reassess(
        standard=registry.primary,
        actor=staff_user,
        certificate="国基证〔2025〕第1号",
        assessed_on=ASSESSED_ON,
    )
    [event] = _reassessments(registry.primary)
    assert event.details["previous_certificate"] == ""
    assert event.details["previous_valid_until"] is None


def test_a_suspended_standard_is_reassessed(registry, staff_user):
    _set(registry.working, status="suspended")
    standard = services.standard_reassess(
        standard=registry.working,
        actor=staff_user,
        certificate=CERTIFICATE,
        assessed_on=ASSESSED_ON,
    )
    assert standard.status == "suspended"  # reactivating is a status change
    assert len(_reassessments(registry.working)) == 1


def test_registration_and_reassessment_derive_the_validity_alike(
    registry, staff_user, settings
):
    settings.METROLOGY_ASSESSMENT_YEARS = 5
    leap_day = datetime.date(2024, 2, 29)
    registered = services.standard_register(
        actor=None,
        code="JL-S-200",
        name="电子天平标准装置",
        quantity="mass",
        unit="kg",
        uncertainty=0.002,
        holder=registry.jl,
        assessed_on=leap_day,
    )
    # 2029 has no 29 February: the certificate ends on its last day
    assert registered.assessment_valid_until == datetime.date(2029, 2, 28)
    standard = services.standard_reassess(
        standard=registry.working,
        actor=staff_user,
        certificate=CERTIFICATE,
        assessed_on=leap_day,
    )
    assert standard.assessment_valid_until == datetime.date(2029, 2, 28)


@pytest.mark.parametrize(
    ("certificate", "assessed_on", "message"),
    [
        ("", ASSESSED_ON, "Give the number of the new assessment certificate."),
        ("   ", ASSESSED_ON, "Give the number of the new assessment certificate."),
        (
            "9" * 101,
            ASSESSED_ON,
            "An assessment certificate number has at most 100 characters.",
        ),
        (
            CERTIFICATE,
            datetime.date(2019, 12, 31),
            "The re-assessment date 2019-12-31 is before the last assessment "
            "(2020-01-01); a re-assessment follows the last one.",
        ),
    ],
)
def test_refused_reassessments_change_nothing(
    registry, staff_user, certificate, assessed_on, message
):
    with pytest.raises(ApplicationError, match=re.escape(message)) as refused:
        services.standard_reassess(
            standard=registry.working,
            actor=staff_user,
            certificate=certificate,
            assessed_on=assessed_on,
        )
    assert refused.value.status == 400
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


def test_a_reassessment_in_the_future_is_refused(registry, staff_user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        services.standard_reassess(
            standard=registry.working,
            actor=staff_user,
            certificate=CERTIFICATE,
            assessed_on=tomorrow,
        )
    assert refused.value.message == (
        f"The re-assessment date {tomorrow.isoformat()} is in the future."
    )
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


def test_a_retired_standard_is_not_reassessed(registry, staff_user):
    _set(registry.working, status="retired")
    with pytest.raises(ApplicationError) as refused:
        services.standard_reassess(
            standard=registry.working,
            actor=staff_user,
            certificate=CERTIFICATE,
            assessed_on=ASSESSED_ON,
        )
    assert refused.value.status == 409
    assert refused.value.message == (
        "Standard JL-S-002 is retired and is no longer re-assessed."
    )
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


def test_only_staff_record_a_reassessment(registry, plain_user):
    with pytest.raises(ApplicationError, match="Only institute staff") as refused:
        services.standard_reassess(
            standard=registry.working,
            actor=plain_user,
            certificate=CERTIFICATE,
            assessed_on=ASSESSED_ON,
        )
    assert refused.value.status == 403
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


# When an assessment expires ----------------------------------------------

ON = datetime.date(2026, 8, 31)


@pytest.mark.parametrize(
    ("valid_until", "status", "expiry"),
    [
        (datetime.date(2026, 8, 30), "active", "expired"),
        (ON, "active", "expiring"),  # valid through its last day
        (datetime.date(2027, 2, 28), "active", "expiring"),  # six months on
        (datetime.date(2027, 3, 1), "active", ""),
        (datetime.date(2026, 8, 30), "suspended", "expired"),
        (datetime.date(2026, 8, 30), "retired", ""),  # out of use for good
        (None, "active", ""),  # no assessment recorded
    ],
)
def test_an_assessment_expires_or_is_about_to(valid_until, status, expiry):
    standard = MeasurementStandard(assessment_valid_until=valid_until, status=status)
    assert standard.assessment_expiry(ON) == expiry


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), 11) == datetime.date(2026, 12, 15)
    assert add_months(datetime.date(2024, 2, 29), 48) == datetime.date(2028, 2, 29)


# The API -----------------------------------------------------------------


def _url(code: str) -> str:
    return f"/api/metrology/standards/{code}/assessment"


def _post(api, code: str, body: dict):
    return api.post(_url(code), body, content_type="application/json")


BODY = {"certificate": CERTIFICATE, "assessed_on": "2025-12-01"}


def test_staff_record_a_reassessment_through_the_api(staff_api, staff_user, registry):
    response = _post(staff_api, "JL-S-002", BODY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "JL-S-002"
    assert (
        body["assessment_certificate"],
        body["assessment_valid_from"],
        body["assessment_valid_until"],
    ) == (CERTIFICATE, "2025-12-01", "2029-12-01")
    [event] = _reassessments(registry.working)
    assert event.actor == staff_user
    assert event.details["certificate"] == CERTIFICATE
    # and the standard reads back so
    read = staff_api.get(f"/api/metrology/standards/{registry.working.pk}").json()
    assert read["assessment_valid_until"] == "2029-12-01"


@pytest.mark.parametrize(
    ("code", "body", "status", "message"),
    [
        (
            "JL-S-999",
            BODY,
            404,
            "No measurement standard is registered with the code JL-S-999.",
        ),
        (
            "JL-S-002",
            {**BODY, "certificate": " "},
            400,
            "Give the number of the new assessment certificate.",
        ),
        (
            "JL-S-002",
            {**BODY, "assessed_on": "2019-06-01"},
            400,
            "The re-assessment date 2019-06-01 is before the last assessment "
            "(2020-01-01)",
        ),
        (
            "JL-S-002",
            {**BODY, "assessed_on": "2999-01-01"},
            400,
            "The re-assessment date 2999-01-01 is in the future.",
        ),
    ],
)
def test_refused_api_reassessments_say_why(
    staff_api, registry, code, body, status, message
):
    response = _post(staff_api, code, body)
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


def test_a_retired_standard_is_not_reassessed_through_the_api(staff_api, registry):
    _set(registry.working, status="retired")
    response = _post(staff_api, "JL-S-002", BODY)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Standard JL-S-002 is retired and is no longer re-assessed."
    )
    assert _assessment(registry.working) == UNCHANGED


def test_api_reassessments_need_staff(client, user_api, registry):
    assert _post(client, "JL-S-002", BODY).status_code == 401
    response = _post(user_api, "JL-S-002", BODY)
    assert response.status_code == 403
    assert "Only institute staff" in response.json()["detail"]
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assessed_on": "2025-12-01"}, "certificate"),
        ({"certificate": CERTIFICATE}, "assessed_on"),
        ({"certificate": CERTIFICATE, "assessed_on": "2025-13-01"}, "assessed_on"),
    ],
)
def test_missing_or_malformed_input_is_named(staff_api, registry, body, field):
    response = _post(staff_api, "JL-S-002", body)
    assert response.status_code == 422
    assert field in str(response.json()["errors"])
    assert _reassessments(registry.working) == []


# The page ----------------------------------------------------------------


def _page_url(standard) -> str:
    return reverse("metrology:standard_reassess", args=[standard.pk])


def test_staff_record_a_reassessment_on_the_page(
    staff_client, staff_user, registry, django_assert_max_num_queries
):
    page = registry.working.get_absolute_url()
    url = _page_url(registry.working)
    html = staff_client.get(page).content.decode()
    assert f'action="{url}"' in html
    assert 'id="reassess-form"' in html
    response = staff_client.post(
        url, {"certificate": CERTIFICATE, "assessed_on": "2025-12-01"}
    )
    assert response.status_code == 302
    assert response["location"] == page
    with django_assert_max_num_queries(40):
        html = staff_client.get(page).content.decode()
    assert (
        f"Re-assessment of JL-S-002 recorded: certificate {CERTIFICATE}, "
        "valid until 2029-12-01."
    ) in html
    assert f"{CERTIFICATE} (valid until Dec. 1, 2029)" in html
    assert f"Re-assessed (certificate {CERTIFICATE}, valid until 2029-12-01)" in html
    assert 'class="badge bad">expired<' not in html
    [event] = _reassessments(registry.working)
    assert event.actor == staff_user


def test_a_refused_reassessment_shows_why_on_the_page(staff_client, registry):
    response = staff_client.post(
        _page_url(registry.working),
        {"certificate": CERTIFICATE, "assessed_on": "2019-06-01"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "The re-assessment date 2019-06-01 is before the last assessment "
        "(2020-01-01); a re-assessment follows the last one."
    ) in html
    assert 'role="alert"' in html
    # what was typed is kept
    assert f'value="{CERTIFICATE}"' in html
    assert 'value="2019-06-01"' in html
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


def test_an_incomplete_reassessment_form_is_refused(staff_client, registry):
    response = staff_client.post(_page_url(registry.working), {"certificate": " "})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert _reassessments(registry.working) == []


def test_a_retired_standard_has_no_reassessment_form(staff_client, registry):
    _set(registry.working, status="retired")
    page = registry.working.get_absolute_url()
    assert 'id="reassess-form"' not in staff_client.get(page).content.decode()
    response = staff_client.post(
        _page_url(registry.working),
        {"certificate": CERTIFICATE, "assessed_on": "2025-12-01"},
    )
    assert response.status_code == 200
    assert "is retired and is no longer re-assessed" in response.content.decode()
    assert _assessment(registry.working) == UNCHANGED


def test_others_see_no_reassessment_form_and_may_not_post(client, plain_user, registry):
    page = registry.working.get_absolute_url()
    url = _page_url(registry.working)
    body = {"certificate": CERTIFICATE, "assessed_on": "2025-12-01"}
    assert 'id="reassess-form"' not in client.get(page).content.decode()
    assert client.post(url, body).status_code == 302  # log in first
    client.force_login(plain_user)
    assert 'id="reassess-form"' not in client.get(page).content.decode()
    assert client.post(url, body).status_code == 403
    assert client.get(url).status_code == 405
    assert _assessment(registry.working) == UNCHANGED
    assert _reassessments(registry.working) == []


def test_the_page_warns_of_an_expired_or_expiring_assessment(client, registry):
    page = registry.working.get_absolute_url()
    expired = '<span class="badge bad">expired</span>'
    expiring = '<span class="badge warn">expires within 6 months</span>'
    html = client.get(page).content.decode()
    assert "(valid until Jan. 1, 2024) " + expired in html
    assert expiring not in html
    soon = timezone.localdate() + datetime.timedelta(days=30)
    _set(registry.working, assessment_valid_until=soon)
    html = client.get(page).content.decode()
    assert f"(valid until {date_format(soon)}) {expiring}" in html
    assert expired not in html
    later = timezone.localdate() + datetime.timedelta(days=400)
    _set(registry.working, assessment_valid_until=later)
    html = client.get(page).content.decode()
    assert expired not in html
    assert expiring not in html


def test_the_reassessment_form_in_chinese(zh_client, staff_user, registry):
    zh_client.force_login(staff_user)
    url = _page_url(registry.working)
    page = registry.working.get_absolute_url()
    html = zh_client.get(page).content.decode()
    assert "记录复查考核" in html
    assert '<span class="badge bad">已过期</span>' in html
    response = zh_client.post(
        url, {"certificate": CERTIFICATE, "assessed_on": "2019-06-01"}
    )
    assert "复查考核日期 2019-06-01 早于上次考核（2020-01-01）" in (
        response.content.decode()
    )
    zh_client.post(url, {"certificate": CERTIFICATE, "assessed_on": "2025-12-01"})
    html = zh_client.get(page).content.decode()
    assert f"已记录计量标准 JL-S-002 的复查考核：考核证书 {CERTIFICATE}" in html
    assert f"已复查考核 (考核证书 {CERTIFICATE}，有效期至 2029-12-01)" in html

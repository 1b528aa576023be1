"""An instrument is taken out of use (停用: scrapped, lost, withdrawn) through
``services.instrument_retire``: on its page and through the API, checked the
same way and recorded in its history. From that day it leaves the
compulsory-verification coverage and the reminders and is no longer
calibrated; the coverage of earlier days is unchanged."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qihub.core.errors import ApplicationError
from qihub.metrology import selectors, services
from qihub.metrology.models import (
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    MetrologyEvent,
)

from .conftest import DAY

# The fixture's instrument INS-0001 (a sphygmomanometer in health care, so
# under compulsory verification) was registered on 2025-01-01 and last
# verified on 2026-05-22, valid until 2027-06-01.
LAST_VERIFIED = datetime.date(2026, 5, 22)
RETIRED_ON = datetime.date(2026, 7, 15)
REASON = "Scrapped: the cuff is torn and the gauge cannot be repaired"


def _retirements(instrument) -> list[MetrologyEvent]:
    return list(
        MetrologyEvent.objects.filter(
            instrument=instrument, type=MetrologyEvent.Type.RETIRED
        )
    )


def _retired(instrument) -> tuple:
    instrument = Instrument.objects.get(pk=instrument.pk)
    return (instrument.retired_on, instrument.retired_reason)


def _retire(instrument, on: datetime.date = RETIRED_ON, reason: str = REASON):
    return services.instrument_retire(
        instrument=instrument, actor=None, on=on, reason=reason
    )


IN_USE = (None, "")


@pytest.fixture
def scale(registry):
    """A second instrument under compulsory verification, never verified, with
    the same owner as INS-0001."""
    return services.instrument_register(
        actor=None,
        code="INS-0002",
        name="电子计价秤",
        item_type=CompulsoryItem.objects.get(code="CV-02"),
        use="trade",
        quantity="mass",
        unit="kg",
        owner_email="equipment@hospital.example",
        region="吉林市",
        registered_on=datetime.date(2025, 1, 1),
    )


# The service -------------------------------------------------------------


def test_an_instrument_is_taken_out_of_use(registry, staff_user):
    instrument = services.instrument_retire(
        instrument=registry.instrument,
        actor=staff_user,
        on=RETIRED_ON,
        reason=f"  {REASON}  ",
    )
    assert (instrument.retired_on, instrument.retired_reason) == (RETIRED_ON, REASON)
    assert _retired(registry.instrument) == (RETIRED_ON, REASON)
    [event] = _retirements(registry.instrument)
    assert (event.actor, event.reason) == (staff_user, REASON)
    assert event.details == {"on": "2026-07-15"}
    assert event.summary == "from 2026-07-15"
    # its record, certificates and history stay
    assert CalibrationEvent.objects.filter(instrument=instrument).count() == 1
    assert (
        Instrument.objects.get(pk=instrument.pk).latest_event
        == (registry.certs["leaf"])
    )


def test_an_instrument_is_taken_out_of_use_on_the_day_of_its_last_verification(
    registry, staff_user
):
    instrument = _retire(registry.instrument, on=LAST_VERIFIED)
    assert instrument.retired_on == LAST_VERIFIED


@pytest.mark.parametrize(
    ("on", "reason", "message"),
    [
        (RETIRED_ON, "", "Give a reason for taking the instrument out of use."),
        (RETIRED_ON, "  ", "Give a reason for taking the instrument out of use."),
        (
            datetime.date(2026, 5, 21),
            REASON,
            "The day 2026-05-21 is before the instrument's last calibration or "
            "verification (2026-05-22, certificate JL-2026-500).",
        ),
        (
            datetime.date(2024, 12, 31),
            REASON,
            "The day 2024-12-31 is before the instrument was registered (2025-01-01).",
        ),
    ],
)
def test_refused_retirements_change_nothing(registry, staff_user, on, reason, message):
    with pytest.raises(ApplicationError, match=re.escape(message)) as refused:
        services.instrument_retire(
            instrument=registry.instrument, actor=staff_user, on=on, reason=reason
        )
    assert refused.value.status == 400
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


def test_a_retirement_in_the_future_is_refused(registry, staff_user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        services.instrument_retire(
            instrument=registry.instrument, actor=staff_user, on=tomorrow, reason=REASON
        )
    assert refused.value.status == 400
    assert refused.value.message == (
        f"The day {tomorrow.isoformat()} is in the future."
    )
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


def test_an_instrument_is_taken_out_of_use_once(registry, staff_user):
    _retire(registry.instrument)
    # the caller's copy still shows it in use: the stored row decides
    with pytest.raises(ApplicationError) as refused:
        services.instrument_retire(
            instrument=registry.instrument,
            actor=staff_user,
            on=datetime.date(2026, 8, 1),
            reason="Lost",
        )
    assert refused.value.status == 409
    assert refused.value.message == (
        "Instrument INS-0001 was already taken out of use on 2026-07-15."
    )
    assert _retired(registry.instrument) == (RETIRED_ON, REASON)
    assert len(_retirements(registry.instrument)) == 1


def test_only_staff_take_an_instrument_out_of_use(registry, plain_user):
    with pytest.raises(ApplicationError, match="Only institute staff") as refused:
        services.instrument_retire(
            instrument=registry.instrument,
            actor=plain_user,
            on=RETIRED_ON,
            reason=REASON,
        )
    assert refused.value.status == 403
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


# Calibrations --------------------------------------------------------------


def _calibrate(registry, number: str, performed_on: datetime.date):
    return services.calibration_record(
        actor=None,
        certificate_number=number,
        kind="verification",
        laboratory=registry.jl,
        instrument=registry.instrument,
        reference_standard=registry.working,
        performed_on=performed_on,
        valid_until=performed_on + datetime.timedelta(days=365),
        expanded_uncertainty=0.12,
        conformity="pass",
    )


def test_an_instrument_out_of_use_is_not_calibrated_after_that_day(registry):
    _retire(registry.instrument)
    with pytest.raises(ApplicationError) as refused:
        _calibrate(registry, "JL-2026-900", RETIRED_ON + datetime.timedelta(days=1))
    assert refused.value.status == 409
    assert refused.value.message == (
        "Instrument INS-0001 was taken out of use on 2026-07-15 and is not "
        "calibrated after that day."
    )
    assert refused.value.details == {"performed_on": "2026-07-16"}
    assert not CalibrationEvent.objects.filter(certificate_number="JL-2026-900")
    # a certificate of its last day in use (entered late) is still recorded
    _calibrate(registry, "JL-2026-901", RETIRED_ON)
    assert Instrument.objects.get(pk=registry.instrument.pk).retired_on == RETIRED_ON


def test_a_calibration_after_the_day_is_refused_through_the_api(staff_api, registry):
    _retire(registry.instrument)
    response = staff_api.post(
        "/api/metrology/certificates",
        {
            "certificate_number": "JL-2026-900",
            "kind": "verification",
            "laboratory": "JLIM",
            "instrument": "INS-0001",
            "reference_standard": "JL-S-002",
            "performed_on": "2026-08-01",
            "valid_until": "2027-08-01",
            "expanded_uncertainty": 0.12,
            "conformity": "pass",
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "was taken out of use on 2026-07-15" in response.json()["detail"]


# Coverage and reminders --------------------------------------------------


def _coverage(on: datetime.date) -> tuple:
    total = selectors.coverage_total(on=on)
    rows = {
        (r.region, r.item_type): (r.covered, r.required)
        for r in selectors.coverage_rows(on=on)
    }
    return (total.covered, total.required), rows


def test_coverage_keeps_the_past_and_leaves_out_an_instrument_out_of_use(
    registry, scale
):
    before = {
        day: _coverage(day)
        for day in (DAY, RETIRED_ON - datetime.timedelta(days=1), RETIRED_ON)
    }
    assert before[DAY] == (
        (1, 2),
        {("长春市", "CV-04"): (1, 1), ("吉林市", "CV-02"): (0, 1)},
    )
    _retire(registry.instrument)
    # until the day before, it counts as before
    assert _coverage(DAY) == before[DAY]
    yesterday = RETIRED_ON - datetime.timedelta(days=1)
    assert _coverage(yesterday) == before[yesterday]
    # from the day on, it is out of both counts
    for day in (RETIRED_ON, datetime.date(2026, 8, 31)):
        assert _coverage(day) == ((0, 1), {("吉林市", "CV-02"): (0, 1)})
    series = selectors.coverage_series(until=datetime.date(2026, 8, 31), months=3)
    assert [(d, r.covered, r.required) for d, r in series] == [
        (datetime.date(2026, 6, 30), 1, 2),
        (datetime.date(2026, 7, 31), 0, 1),
        (datetime.date(2026, 8, 31), 0, 1),
    ]
    only_changchun = selectors.coverage_total(on=RETIRED_ON, region="长春市")
    assert (only_changchun.required, only_changchun.rate) == (0, None)


def test_coverage_through_the_api_after_a_retirement(client, registry, scale):
    _retire(scale, on=datetime.date(2026, 7, 1))
    body = client.get(
        "/api/metrology/coverage", {"on": "2026-07-31", "months": 2}
    ).json()
    # the never verified scale no longer pulls the rate down from July on
    assert [(r["on"], r["covered"], r["required"]) for r in body] == [
        ("2026-06-30", 1, 2),
        ("2026-07-31", 1, 1),
    ]
    assert body[-1]["rate"] == 1.0


def test_reminders_leave_out_an_instrument_out_of_use(registry, scale):
    due_soon = DAY + datetime.timedelta(days=350)
    _retire(registry.instrument)
    assert services.reminders_send(today=due_soon) == 1
    [message] = mail.outbox
    assert "INS-0002" in message.body  # still in use, never verified
    assert "INS-0001" not in message.body
    assert message.subject == "Compulsory verification due: 1 instrument(s)"
    mail.outbox.clear()
    _retire(scale)
    assert services.reminders_send(today=DAY + datetime.timedelta(days=400)) == 0
    assert mail.outbox == []
    # a reminder run for a day before it was taken out of use still names it
    before = RETIRED_ON - datetime.timedelta(days=1)
    assert services.reminders_send(today=before, within_days=365) == 1
    assert "INS-0001" in mail.outbox[0].body


# The API -----------------------------------------------------------------


def _url(code: str) -> str:
    return f"/api/metrology/instruments/{code}/retire"


def _post(api, code: str, body: dict):
    return api.post(_url(code), body, content_type="application/json")


BODY = {"on": "2026-07-15", "reason": REASON}


def test_staff_take_an_instrument_out_of_use_through_the_api(
    staff_api, staff_user, registry
):
    response = _post(staff_api, "INS-0001", BODY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["code"], body["retired_on"], body["retired_reason"]) == (
        "INS-0001",
        "2026-07-15",
        REASON,
    )
    assert body["next_due"] == "2027-06-01"
    [event] = _retirements(registry.instrument)
    assert event.actor == staff_user
    # it reads back so, and the list shows it among those out of use only
    read = staff_api.get(f"/api/metrology/instruments/{registry.instrument.pk}")
    assert read.json()["retired_on"] == "2026-07-15"
    assert staff_api.get("/api/metrology/instruments").json()["count"] == 0
    retired = staff_api.get("/api/metrology/instruments", {"retired": "true"}).json()
    assert [i["code"] for i in retired["items"]] == ["INS-0001"]


def test_an_asset_number_with_slashes_is_found(staff_api, registry):
    instrument = services.instrument_register(
        actor=None,
        code="长春/医院/0007",
        name="血压计",
        use="health",
        quantity="pressure",
        unit="kPa",
        registered_on=datetime.date(2025, 1, 1),
    )
    response = _post(staff_api, instrument.code, BODY)
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "长春/医院/0007"
    assert _retired(instrument) == (RETIRED_ON, REASON)


@pytest.mark.parametrize(
    ("code", "body", "status", "message"),
    [
        (
            "INS-9999",
            BODY,
            404,
            "No instrument is registered with the asset number INS-9999.",
        ),
        (
            "INS-0001",
            {**BODY, "reason": " "},
            400,
            "Give a reason for taking the instrument out of use.",
        ),
        (
            "INS-0001",
            {**BODY, "on": "2026-05-01"},
            400,
            "The day 2026-05-01 is before the instrument's last calibration or "
            "verification (2026-05-22, certificate JL-2026-500).",
        ),
        (
            "INS-0001",
            {**BODY, "on": "2999-01-01"},
            400,
            "The day 2999-01-01 is in the future.",
        ),
    ],
)
def test_refused_api_retirements_say_why(
    staff_api, registry, code, body, status, message
):
    response = _post(staff_api, code, body)
    assert response.status_code == status, response.content
    assert response.json()["detail"] == message
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


def test_an_instrument_out_of_use_is_not_retired_again_through_the_api(
    staff_api, registry
):
    _retire(registry.instrument)
    response = _post(staff_api, "INS-0001", {**BODY, "on": "2026-08-01"})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Instrument INS-0001 was already taken out of use on 2026-07-15."
    )
    assert _retired(registry.instrument) == (RETIRED_ON, REASON)


def test_api_retirements_need_staff(client, user_api, registry):
    assert _post(client, "INS-0001", BODY).status_code == 401
    response = _post(user_api, "INS-0001", BODY)
    assert response.status_code == 403
    assert "Only institute staff" in response.json()["detail"]
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": REASON}, "on"),
        ({"on": "2026-07-15"}, "reason"),
        ({"on": "2026-07-32", "reason": REASON}, "on"),
    ],
)
def test_missing_or_malformed_input_is_named(staff_api, registry, body, field):
    response = _post(staff_api, "INS-0001", body)
    assert response.status_code == 422
    assert field in str(response.json()["errors"])
    assert _retirements(registry.instrument) == []


# The page ----------------------------------------------------------------


def _page_url(instrument) -> str:
    return reverse("metrology:instrument_retire", args=[instrument.pk])


def test_staff_take_an_instrument_out_of_use_on_the_page(
    staff_client, staff_user, registry, django_assert_max_num_queries
):
    page = registry.instrument.get_absolute_url()
    url = _page_url(registry.instrument)
    html = staff_client.get(page).content.decode()
    assert f'action="{url}"' in html
    assert 'id="retire-form"' in html
    assert 'id="id_retire_on"' in html  # beside the chain form's own date
    response = staff_client.post(url, {"on": "2026-07-15", "reason": REASON})
    assert response.status_code == 302
    assert response["location"] == page
    with django_assert_max_num_queries(30):
        html = staff_client.get(page).content.decode()
    assert "Instrument INS-0001 taken out of use on 2026-07-15." in html
    assert f"Taken out of use on 2026-07-15: {REASON}" in html
    assert f"Taken out of use (from 2026-07-15) {REASON}" in html  # history
    assert 'id="retire-form"' not in html
    [event] = _retirements(registry.instrument)
    assert event.actor == staff_user


def test_a_refused_retirement_shows_why_on_the_page(staff_client, registry):
    response = staff_client.post(
        _page_url(registry.instrument), {"on": "2026-05-01", "reason": REASON}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "The day 2026-05-01 is before the instrument&#x27;s last calibration or "
        "verification (2026-05-22, certificate JL-2026-500)."
    ) in html
    assert 'role="alert"' in html
    # what was typed is kept
    assert 'value="2026-05-01"' in html
    assert REASON in html
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


def test_an_incomplete_retirement_form_is_refused(staff_client, registry):
    response = staff_client.post(_page_url(registry.instrument), {"reason": " "})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert _retirements(registry.instrument) == []


def test_an_instrument_out_of_use_has_no_retirement_form(staff_client, registry):
    _retire(registry.instrument)
    page = registry.instrument.get_absolute_url()
    assert 'id="retire-form"' not in staff_client.get(page).content.decode()
    response = staff_client.post(
        _page_url(registry.instrument), {"on": "2026-08-01", "reason": "Lost"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "was already taken out of use on 2026-07-15" in html
    assert _retired(registry.instrument) == (RETIRED_ON, REASON)


def test_others_see_no_retirement_form_and_may_not_post(client, plain_user, registry):
    page = registry.instrument.get_absolute_url()
    url = _page_url(registry.instrument)
    body = {"on": "2026-07-15", "reason": REASON}
    assert 'id="retire-form"' not in client.get(page).content.decode()
    assert client.post(url, body).status_code == 302  # log in first
    client.force_login(plain_user)
    assert 'id="retire-form"' not in client.get(page).content.decode()
    assert client.post(url, body).status_code == 403
    assert client.get(url).status_code == 405
    assert _retired(registry.instrument) == IN_USE
    assert _retirements(registry.instrument) == []


def test_the_list_shows_instruments_in_use_unless_asked(client, registry, scale):
    _retire(registry.instrument)
    url = reverse("metrology:instrument_list")
    html = client.get(url).content.decode()
    assert "INS-0002" in html
    assert "INS-0001" not in html
    html = client.get(url, {"retired": "1"}).content.decode()
    assert "INS-0001" in html
    assert "taken out of use on 2026-07-15" in html
    assert "INS-0002" not in html


def test_taking_out_of_use_in_chinese(zh_client, staff_user, registry):
    zh_client.force_login(staff_user)
    page = registry.instrument.get_absolute_url()
    url = _page_url(registry.instrument)
    assert "停用日期" in zh_client.get(page).content.decode()
    response = zh_client.post(url, {"on": "2026-05-01", "reason": "报废"})
    assert "日期 2026-05-01 早于该计量器具最近一次校准或检定" in (
        response.content.decode()
    )
    zh_client.post(url, {"on": "2026-07-15", "reason": "报废"})
    html = zh_client.get(page).content.decode()
    assert "计量器具 INS-0001 已于 2026-07-15 停用。" in html
    assert "已于 2026-07-15 停用：报废" in html
    assert "已停用 (自 2026-07-15 起) 报废" in html


# The admin ---------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_shows_a_retirement_and_does_not_write_it(admin_client, registry):
    _retire(registry.instrument)
    url = f"/admin/metrology/instrument/{registry.instrument.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert "Taken out of use on" in html
    assert REASON in html
    assert 'name="retired_on"' not in html
    assert 'name="retired_reason"' not in html
    response = admin_client.post(
        url,
        {
            "name": "血压计",
            "owner": str(registry.instrument.owner_id),
            "owner_email": "equipment@hospital.example",
            "region": "长春市",
            # read-only here: ignored
            "retired_on": "",
            "retired_reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _retired(registry.instrument) == (RETIRED_ON, REASON)


def test_the_admin_filters_instruments_in_use(admin_client, registry, scale):
    _retire(registry.instrument)
    changelist = "/admin/metrology/instrument/"
    html = admin_client.get(changelist).content.decode()
    assert ("INS-0001" in html, "INS-0002" in html) == (True, True)
    assert "By use status" in html
    html = admin_client.get(changelist, {"in_use": "no"}).content.decode()
    assert ("INS-0001" in html, "INS-0002" in html) == (True, False)
    html = admin_client.get(changelist, {"in_use": "yes"}).content.decode()
    assert ("INS-0001" in html, "INS-0002" in html) == (False, True)


def test_the_overview_counts_instruments_in_use(registry):
    before = selectors.overview()
    _retire(registry.instrument)
    assert selectors.overview()["instruments"] == before["instruments"] - 1


def test_a_certificate_number_recorded_meanwhile_is_a_clean_conflict(
    registry, monkeypatch
):
    """Two requests with one number both pass the existence check; the second
    insert meets the unique constraint and is refused, nothing half-stored."""
    import datetime as _dt

    from django.db.models.query import QuerySet

    from qihub.core.errors import Conflict
    from qihub.metrology import services as metrology_services
    from qihub.metrology.models import CalibrationEvent, MeasurementResult

    real_exists = QuerySet.exists

    def racing_exists(self):
        if self.model is CalibrationEvent:
            return False  # the other request has not committed when we look
        return real_exists(self)

    monkeypatch.setattr(QuerySet, "exists", racing_exists)
    before = (CalibrationEvent.objects.count(), MeasurementResult.objects.count())
    with pytest.raises(Conflict, match="already recorded"):
        metrology_services.calibration_record(
            actor=None,
            certificate_number="JL-2026-500",
            laboratory=registry.jl,
            instrument=registry.instrument,
            reference_standard=registry.working,
            performed_on=_dt.date(2026, 12, 1),
            valid_until=_dt.date(2027, 12, 1),
            measured_error=0.1,
            expanded_uncertainty=0.12,
        )
    assert (
        CalibrationEvent.objects.count(),
        MeasurementResult.objects.count(),
    ) == before

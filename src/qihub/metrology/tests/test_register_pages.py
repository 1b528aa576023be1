"""The staff pages that register instruments and record calibrations."""

import pytest
from django.urls import reverse

from qihub.metrology.models import CalibrationEvent, Instrument, MetrologyEvent
from qihub.organisations.models import Organisation

from .conftest import DAY, far, organisation

REGISTER = reverse("metrology:instrument_register")
RECORD = reverse("metrology:certificate_record")


def _instrument(**changes) -> dict:
    form = {
        "code": "INS-0100",
        "name": "电子血压计",
        "item_type": "CV-04",
        "use": "health",
        "quantity": "pressure",
        "unit": "kPa",
        "range_min": "0",
        "range_max": "40",
        "mpe": "0.5",
        "owner": organisation("长春市第二医院", Organisation.Kind.ENTERPRISE).pk,
        "region": "长春市",
    }
    form.update(changes)
    return form


def _certificate(**changes) -> dict:
    form = {
        "certificate_number": "JL-2026-600",
        "kind": "verification",
        "instrument": "INS-0001",
        "reference_standard": "JL-S-002",
        "laboratory": "JLIM",
        "performed_on": DAY.isoformat(),
        "valid_until": far().isoformat(),
        "measured_error": "0.05",
        "expanded_uncertainty": "0.2",
        "coverage_factor": "2",
        "conformity": "pass",
    }
    form.update(changes)
    return form


def _counts() -> tuple[int, int, int]:
    return (
        Instrument.objects.count(),
        CalibrationEvent.objects.count(),
        MetrologyEvent.objects.count(),
    )


def test_links_are_shown_to_staff_only(client, staff_user, registry):
    pages = [
        (reverse("metrology:instrument_list"), REGISTER),
        (reverse("metrology:certificate_list"), RECORD),
        (registry.instrument.get_absolute_url(), f"{RECORD}?instrument=INS-0001"),
        (registry.working.get_absolute_url(), f"{RECORD}?standard=JL-S-002"),
    ]
    for url, link in pages:
        assert f'href="{link}"' not in client.get(url).content.decode(), url
    client.force_login(staff_user)
    for url, link in pages:
        assert f'href="{link}"' in client.get(url).content.decode(), url


def test_staff_registers_an_instrument(
    staff_client, staff_user, registry, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        html = staff_client.get(REGISTER).content.decode()
    assert "Register an instrument" in html
    assert '<option value="CV-04">' in html
    response = staff_client.post(REGISTER, _instrument())
    instrument = Instrument.objects.get(code="INS-0100")
    assert response.status_code == 302
    assert response["location"] == instrument.get_absolute_url()
    html = staff_client.get(response["location"]).content.decode()
    assert "Instrument INS-0100 registered." in html
    assert instrument.requires_verification  # V-marked type, health care
    assert instrument.item_type.code == "CV-04"
    assert instrument.owner.name == "长春市第二医院"
    event = MetrologyEvent.objects.get(instrument=instrument)
    assert (event.type, event.actor) == (MetrologyEvent.Type.REGISTERED, staff_user)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit": "kPaX"}, "Unknown unit kPaX."),
        ({"code": "INS-0001"}, "Instrument INS-0001 is already registered."),
        ({"range_min": "50"}, "The range minimum is above the range maximum."),
    ],
)
def test_a_refused_instrument_shows_why_and_changes_nothing(
    staff_client, registry, changes, message
):
    before = _counts()
    response = staff_client.post(REGISTER, _instrument(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert 'value="电子血压计"' in html  # what was typed is kept
    assert _counts() == before


def test_staff_records_a_verification(
    staff_client, staff_user, registry, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        html = staff_client.get(RECORD, {"instrument": "INS-0001"}).content.decode()
    assert 'name="instrument" value="INS-0001"' in html
    response = staff_client.post(RECORD, _certificate())
    event = CalibrationEvent.objects.get(certificate_number="JL-2026-600")
    assert response.status_code == 302
    assert response["location"] == event.get_absolute_url()
    html = staff_client.get(response["location"]).content.decode()
    assert "Certificate JL-2026-600 recorded." in html
    assert "JL-S-002" in html
    assert event.kind == "verification"
    assert event.reference_standard == registry.working
    assert event.gtc_archive  # the reference's budget, propagated
    assert Instrument.objects.get(pk=registry.instrument.pk).latest_event == event
    history = MetrologyEvent.objects.get(certificate=event)
    assert history.actor == staff_user


def test_the_calibrated_standard_is_filled_in(staff_client, registry):
    html = staff_client.get(RECORD, {"standard": "JL-S-002"}).content.decode()
    assert 'name="calibrated_standard" value="JL-S-002"' in html
    response = staff_client.post(
        RECORD,
        _certificate(
            instrument="", calibrated_standard="JL-S-002", reference_standard="JL-S-001"
        ),
    )
    assert response.status_code == 302
    event = CalibrationEvent.objects.get(certificate_number="JL-2026-600")
    assert event.calibrated_standard == registry.working


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"reference_standard": "JL-S-999"},
            "No measurement standard is registered with the code JL-S-999.",
        ),
        (
            {"instrument": "INS-9999"},
            "No instrument is registered with the asset number INS-9999.",
        ),
        (
            {"certificate_number": "JL-2026-500"},
            "Certificate JL-2026-500 is already recorded.",
        ),
        (
            {"valid_until": "2026-01-01"},
            "The next due date is before the calibration date.",
        ),
        (
            {"calibrated_standard": "JL-S-001"},
            "A calibration concerns exactly one instrument or standard.",
        ),
    ],
)
def test_a_refused_calibration_shows_why_and_changes_nothing(
    staff_client, registry, changes, message
):
    before = _counts()
    response = staff_client.post(RECORD, _certificate(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert _counts() == before
    latest = Instrument.objects.get(pk=registry.instrument.pk).latest_event
    assert latest == registry.certs["leaf"]


def test_pages_are_for_staff(client, plain_user, registry):
    before = _counts()
    for url in (REGISTER, RECORD):
        response = client.get(url)
        assert response.status_code == 302  # log in first
        assert response["location"].startswith("/accounts/login/")
    client.force_login(plain_user)
    for url, form in ((REGISTER, _instrument()), (RECORD, _certificate())):
        assert client.get(url).status_code == 403
        assert client.post(url, form).status_code == 403
    assert _counts() == before


def test_chinese_form(zh_client, staff_user, registry):
    zh_client.force_login(staff_user)
    assert "登记计量器具" in zh_client.get(REGISTER).content.decode()
    assert "记录检定或校准" in zh_client.get(RECORD).content.decode()

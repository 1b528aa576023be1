"""The metrology admin: instruments are added through the service,
calibrations are read and searched only."""

import pytest

from qihub.metrology.models import (
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    MetrologyEvent,
)

ADD = "/admin/metrology/instrument/add/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _instrument(**changes) -> dict:
    form = {
        "code": "INS-0200",
        "name": "电子计价秤",
        "item_type": "",
        "use": "trade",
        "quantity": "mass",
        "unit": "kg",
        "range_min": "0",
        "range_max": "30",
        "mpe": "",
        "accuracy_class": "III",
        "maker": "",
        "model": "",
        "serial": "",
        "owner": "红旗街菜市场",
        "owner_email": "",
        "region": "长春市",
        "location": "",
        "registered_on": "2026-05-01",
    }
    form.update(changes)
    return form


def test_adding_an_instrument_goes_through_the_service(
    admin_client, admin_user, registry
):
    scale = CompulsoryItem.objects.get(code="CV-02")
    response = admin_client.post(ADD, _instrument(item_type=scale.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    instrument = Instrument.objects.get(code="INS-0200")
    assert instrument.requires_verification  # computed: V-marked scale in trade
    event = MetrologyEvent.objects.get(instrument=instrument)
    assert (event.type, event.actor) == (MetrologyEvent.Type.REGISTERED, admin_user)
    # the form offers only what the service takes
    html = admin_client.get(ADD).content.decode()
    assert 'name="code"' in html
    assert 'name="requires_verification"' not in html
    assert 'name="latest_event"' not in html


def test_a_refused_instrument_in_the_admin_says_why(admin_client, registry):
    before = (Instrument.objects.count(), MetrologyEvent.objects.count())
    response = admin_client.post(ADD, _instrument(unit="kgX"), follow=True)
    assert "Unknown unit kgX." in response.content.decode()
    assert (Instrument.objects.count(), MetrologyEvent.objects.count()) == before


def test_only_descriptive_fields_are_edited(admin_client, registry):
    instrument = registry.instrument
    url = f"/admin/metrology/instrument/{instrument.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "name": "电子血压计",
            "maker": "",
            "model": "",
            "serial": "",
            "owner": "长春市中心医院",
            "owner_email": "equipment@hospital.example",
            "region": "长春市",
            "location": "",
            # read-only here: ignored
            "use": "other",
            "unit": "mmHg",
            "requires_verification": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    instrument.refresh_from_db()
    assert (instrument.name, instrument.owner) == ("电子血压计", "长春市中心医院")
    assert (instrument.use, instrument.unit) == ("health", "kPa")
    assert instrument.requires_verification
    assert instrument.latest_event == registry.certs["leaf"]


def test_calibrations_are_read_only_in_the_admin(admin_client, registry):
    leaf = registry.certs["leaf"]
    assert admin_client.get("/admin/metrology/calibrationevent/add/").status_code == (
        403
    )
    found = admin_client.get("/admin/metrology/calibrationevent/", {"q": "INS-0001"})
    assert found.status_code == 200
    assert "JL-2026-500" in found.content.decode()
    assert "JL-2026-010" not in found.content.decode()
    url = f"/admin/metrology/calibrationevent/{leaf.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "JL-2026-500" in html
    assert 'name="valid_until"' not in html  # shown, not editable
    response = admin_client.post(
        url, {"certificate_number": "JL-2026-500", "valid_until": "2040-01-01"}
    )
    assert response.status_code == 403
    delete = admin_client.post(
        f"/admin/metrology/calibrationevent/{leaf.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    leaf.refresh_from_db()
    assert leaf.valid_until.year == 2027
    assert CalibrationEvent.objects.count() == 3

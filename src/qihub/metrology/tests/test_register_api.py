"""POST /api/metrology/instruments and /api/metrology/certificates: the same
services as the pages, with natural codes for what they refer to."""

import pytest

from qihub.metrology import services
from qihub.metrology.models import (
    CalibrationEvent,
    Instrument,
    MetrologyEvent,
)
from qihub.metrology.traceability import (
    archive_budget,
    chain_validate,
    propagate,
    reference_ureal,
)
from qihub.organisations.models import Organisation

from .conftest import DAY, far, organisation

INSTRUMENTS = "/api/metrology/instruments"
CERTIFICATES = "/api/metrology/certificates"


def _post(api, url, body):
    return api.post(url, body, content_type="application/json")


def _instrument(**changes) -> dict:
    body = {
        "code": "INS-0100",
        "name": "电子血压计",
        "item_type": "CV-04",
        "use": "health",
        "quantity": "pressure",
        "unit": "kPa",
        "range_min": 0,
        "range_max": 40,
        "mpe": 0.5,
        "owner_id": organisation("长春市第二医院", Organisation.Kind.ENTERPRISE).pk,
        "owner_email": "devices@hospital2.example",
        "region": "长春市",
    }
    body.update(changes)
    return body


def _certificate(**changes) -> dict:
    body = {
        "certificate_number": "JL-2026-600",
        "kind": "verification",
        "laboratory": "JLIM",
        "instrument": "INS-0001",
        "reference_standard": "JL-S-002",
        "performed_on": DAY.isoformat(),
        "valid_until": far().isoformat(),
        "measured_error": 0.05,
        "expanded_uncertainty": 0.2,
        "conformity": "pass",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _counts() -> tuple[int, int, int]:
    return (
        Instrument.objects.count(),
        CalibrationEvent.objects.count(),
        MetrologyEvent.objects.count(),
    )


def test_staff_registers_an_instrument(staff_api, staff_user, registry):
    response = _post(staff_api, INSTRUMENTS, _instrument())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "INS-0100"
    assert body["item_type"] == "CV-04"
    hospital = Organisation.objects.get(name_zh="长春市第二医院")
    assert (body["owner_id"], body["owner"]) == (hospital.pk, "长春市第二医院")
    assert body["requires_verification"] is True  # V-marked type, health care
    assert body["next_due"] is None
    instrument = Instrument.objects.get(code="INS-0100")
    assert body["id"] == instrument.pk
    assert instrument.registered_on  # today by default
    event = MetrologyEvent.objects.get(instrument=instrument)
    assert (event.type, event.actor) == (MetrologyEvent.Type.REGISTERED, staff_user)


def test_requires_verification_follows_type_and_use(staff_api, registry):
    body = _post(staff_api, INSTRUMENTS, _instrument(use="other")).json()
    assert body["requires_verification"] is False  # not a compulsory use
    body = _post(
        staff_api, INSTRUMENTS, _instrument(code="INS-0101", item_type=None)
    ).json()
    assert (body["item_type"], body["requires_verification"]) == (None, False)


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"code": "INS-0001"}, 409, "Instrument INS-0001 is already registered."),
        ({"unit": "kPaX"}, 400, "Unknown unit kPaX."),
        ({"item_type": "CV-99"}, 404, "no entry CV-99"),
        ({"use": "fun"}, 400, "Unknown use fun."),
        ({"range_min": 50}, 400, "range minimum is above the range maximum"),
        ({"owner_email": "not-an-address"}, 400, "not-an-address is not an e-mail"),
        ({"code": " "}, 400, "needs an asset number and a name"),
        ({"owner_id": 999999}, 404, "No organisation is registered with the id 999999"),
    ],
)
def test_refused_instruments_change_nothing(
    staff_api, registry, changes, status, message
):
    before = _counts()
    response = _post(staff_api, INSTRUMENTS, _instrument(**changes))
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert _counts() == before


def test_registering_needs_staff(client, user_api, registry):
    before = _counts()
    assert _post(client, INSTRUMENTS, _instrument()).status_code == 401
    response = _post(user_api, INSTRUMENTS, _instrument())
    assert response.status_code == 403
    assert "Only institute staff" in response.json()["detail"]
    assert _counts() == before


def test_staff_records_a_verification_of_an_instrument(staff_api, staff_user, registry):
    # a revoked verification left the instrument suspect; a new one clears it
    services.certificate_revoke(
        certificate=registry.certs["leaf"], actor=staff_user, reason="Seal broken"
    )
    assert Instrument.objects.get(pk=registry.instrument.pk).suspect

    response = _post(staff_api, CERTIFICATES, _certificate())
    assert response.status_code == 201, response.content
    body = response.json()
    event = CalibrationEvent.objects.get(certificate_number="JL-2026-600")
    assert body["id"] == event.pk
    assert body["url"] == event.get_absolute_url()
    assert {k: body[k] for k in ("kind", "status", "performed_on", "valid_until")} == {
        "kind": "verification",
        "status": "valid",
        "performed_on": DAY.isoformat(),
        "valid_until": far().isoformat(),
    }
    assert (body["instrument"], body["calibrated_standard"]) == ("INS-0001", None)
    assert (body["reference_standard"], body["laboratory"]) == ("JL-S-002", "JLIM")
    assert (event.quantity, event.unit) == ("pressure", "kPa")

    # the reference's archive is propagated as calibration_record does: the
    # budget keeps every upstream component down to the national primary
    expected, _u = propagate(
        parent=reference_ureal(registry.working, DAY),
        parent_unit="kPa",
        unit="kPa",
        measured_error=0.05,
        expanded_uncertainty=0.2,
        coverage_factor=2.0,
        label="JL-2026-600",
    )
    assert archive_budget(event.gtc_archive) == archive_budget(expected)
    labels = [label for label, _u in body["budget"]]
    assert {
        "NIM-P-01",
        "NIM-2026-001 (local)",
        "JL-2026-010 (local)",
        "JL-2026-600 (local)",
    } <= set(labels)

    instrument = Instrument.objects.get(pk=registry.instrument.pk)
    assert instrument.latest_event == event
    assert (instrument.suspect, instrument.suspect_cause) == (False, None)
    chain = chain_validate(instrument, on=DAY)
    assert chain.ok
    assert chain.links[0].event == event
    assert chain.uncertainty == pytest.approx(0.1)  # U = 0.2, k = 2
    history = MetrologyEvent.objects.get(
        certificate=event, type=MetrologyEvent.Type.CALIBRATED
    )
    assert history.actor == staff_user
    assert history.details == {"reference": "JL-S-002"}


def test_staff_records_a_calibration_of_a_standard(staff_api, registry):
    response = _post(
        staff_api,
        CERTIFICATES,
        _certificate(
            kind=None,
            conformity=None,
            instrument=None,
            calibrated_standard="JL-S-002",
            reference_standard="JL-S-001",
            expanded_uncertainty=0.04,
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "calibration"
    assert (body["instrument"], body["calibrated_standard"]) == (None, "JL-S-002")
    # the working standard's new certificate is what the next link down loads
    event = CalibrationEvent.objects.get(pk=body["id"])
    assert reference_ureal(registry.working, DAY).u == pytest.approx(0.02)
    labels = {label for label, _u in archive_budget(event.gtc_archive)}
    assert {"NIM-P-01", "NIM-2026-001 (local)", "JL-2026-600 (local)"} <= labels
    assert "JL-2026-010 (local)" not in labels  # its earlier certificate


def test_the_specification_is_given_by_its_identifier(staff_api, registry):
    services.specification_register(
        actor=None, identifier="JJG 270-2008", title_zh="血压计和血压表检定规程"
    )
    body = _post(
        staff_api, CERTIFICATES, _certificate(specification="JJG270-2008")
    ).json()
    assert body["specification"] == "JJG 270-2008"


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"laboratory": "NOLAB"}, 404, "laboratory is registered with the code NOLAB"),
        ({"instrument": "INS-9999"}, 404, "asset number INS-9999"),
        ({"reference_standard": "JL-S-999"}, 404, "with the code JL-S-999"),
        (
            {"instrument": None, "calibrated_standard": "JL-S-998"},
            404,
            "with the code JL-S-998",
        ),
        ({"specification": "JJG 1-1999"}, 404, "No specification JJG 1-1999"),
        ({"calibrated_standard": "JL-S-001"}, 400, "exactly one instrument"),
        ({"instrument": None}, 400, "exactly one instrument"),
        (
            {"certificate_number": "JL-2026-500"},
            409,
            "Certificate JL-2026-500 is already recorded.",
        ),
        ({"valid_until": "2026-01-01"}, 400, "next due date is before"),
        ({"expanded_uncertainty": -1}, 400, "must be positive"),
        ({"kind": "inspection"}, 400, "Unknown kind inspection"),
        ({"conformity": "maybe"}, 400, "Unknown conformity maybe"),
        (
            {
                "instrument": None,
                "calibrated_standard": "JL-S-002",
                "reference_standard": "JL-S-002",
            },
            400,
            "cannot calibrate itself",
        ),
    ],
)
def test_refused_certificates_change_nothing(
    staff_api, registry, changes, status, message
):
    before = _counts()
    latest = registry.instrument.latest_event_id
    response = _post(staff_api, CERTIFICATES, _certificate(**changes))
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert _counts() == before
    assert Instrument.objects.get(pk=registry.instrument.pk).latest_event_id == latest


def test_recording_needs_staff(client, user_api, registry):
    before = _counts()
    assert _post(client, CERTIFICATES, _certificate()).status_code == 401
    assert _post(user_api, CERTIFICATES, _certificate()).status_code == 403
    assert _counts() == before


def test_missing_or_malformed_fields_are_named(staff_api, registry):
    body = _certificate()
    del body["expanded_uncertainty"]
    response = _post(staff_api, CERTIFICATES, body)
    assert response.status_code == 422
    assert "expanded_uncertainty" in str(response.json()["errors"])
    response = _post(staff_api, CERTIFICATES, _certificate(performed_on="yesterday"))
    assert response.status_code == 422
    assert "performed_on" in str(response.json()["errors"])
    assert not CalibrationEvent.objects.filter(
        certificate_number="JL-2026-600"
    ).exists()

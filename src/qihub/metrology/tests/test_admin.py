"""The metrology admin: laboratories, standards, specifications and
instruments are added through the services, calibrations are read and
searched only."""

import datetime

import pytest

from qihub.catalog.models import Standard, StandardEvent
from qihub.metrology.models import (
    AccreditationScope,
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    Laboratory,
    MeasurementStandard,
    MetrologyEvent,
    TechnicalSpecification,
)
from qihub.metrology.tests.conftest import organisation
from qihub.organisations.models import Organisation

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
        "owner": "",
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
    market = organisation("红旗街菜市场", Organisation.Kind.ENTERPRISE)
    response = admin_client.post(ADD, _instrument(item_type=scale.pk, owner=market.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    instrument = Instrument.objects.get(code="INS-0200")
    assert instrument.owner == market
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
    hospital = organisation("长春市中心医院", Organisation.Kind.ENTERPRISE)
    url = f"/admin/metrology/instrument/{instrument.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "name": "电子血压计",
            "maker": "",
            "model": "",
            "serial": "",
            "owner": str(hospital.pk),
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
    assert (instrument.name, instrument.owner.name) == ("电子血压计", "长春市中心医院")
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


# Laboratories ------------------------------------------------------------

LAB_ADD = "/admin/metrology/laboratory/add/"


def _scopes(*rows: dict, initial: int = 0) -> dict:
    """The scope inline's management form and rows (``id`` for existing ones)."""
    form = {
        "scopes-TOTAL_FORMS": str(len(rows)),
        "scopes-INITIAL_FORMS": str(initial),
        "scopes-MIN_NUM_FORMS": "0",
        "scopes-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        form.update({f"scopes-{i}-{name}": value for name, value in row.items()})
    return form


def _scope(**changes) -> dict:
    row = {
        "id": "",
        "quantity": "mass",
        "range_min": "0",
        "range_max": "60",
        "unit": "kg",
        "valid_until": "2030-12-31",
    }
    row.update(changes)
    return row


def _laboratory(*scopes: dict, **changes) -> dict:
    form = {
        "code": "CCIM",
        "name": "长春市计量检定测试技术研究院",
        "organisation": organisation(
            "长春市计量检定测试技术研究院", region="220100"
        ).pk,
        "accreditation_number": "CNAS L0001",
        "email": "lab@ccim.example",
    }
    form.update(changes)
    return {**form, **_scopes(*scopes)}


def test_adding_a_laboratory_goes_through_the_service(admin_client, registry):
    response = admin_client.post(LAB_ADD, _laboratory(_scope()))
    assert response.status_code == 302, response.content.decode()[:2000]
    lab = Laboratory.objects.get(code="CCIM")
    assert (lab.name, lab.email) == ("长春市计量检定测试技术研究院", "lab@ccim.example")
    assert lab.organisation.name == "长春市计量检定测试技术研究院"
    assert lab.organisation.region_id == "220100"
    # the accreditation makes the organisation an accredited body (by CNAS)
    designation = lab.organisation.designations.get()
    assert (designation.kind, designation.number) == ("accredited_body", "CNAS L0001")
    assert "CNAS" in designation.issuing_authority.name
    scope = lab.scopes.get()
    assert (scope.quantity, scope.range_max, scope.unit) == ("mass", 60, "kg")
    assert scope.valid_until == datetime.date(2030, 12, 31)


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (_scope(unit="kgX"), "Unknown unit kgX."),
        (_scope(range_min="100"), "The range minimum is above the range maximum."),
    ],
)
def test_a_refused_laboratory_in_the_admin_says_why(
    admin_client, registry, scope, message
):
    before = (Laboratory.objects.count(), AccreditationScope.objects.count())
    response = admin_client.post(LAB_ADD, _laboratory(scope), follow=True)
    assert message in response.content.decode()
    assert (Laboratory.objects.count(), AccreditationScope.objects.count()) == before


def test_a_laboratory_is_corrected_and_its_scope_only_extended(admin_client, registry):
    lab = registry.jl
    existing = lab.scopes.get()
    url = f"/admin/metrology/laboratory/{lab.pk}/change/"
    assert admin_client.get(url).status_code == 200
    new_entry = _scope(quantity="pressure", range_max="2", unit="MPa")
    old_entry = {"id": str(existing.pk), "valid_until": "2040-01-01"}
    form = {
        "code": "JLIM-X",  # read-only here: ignored
        "name": "吉林省计量院",
        "organisation": str(lab.organisation_id),
        "accreditation_number": "",
        "email": "",
        **_scopes(old_entry, new_entry, initial=1),
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    lab.refresh_from_db()
    assert (lab.code, lab.name) == ("JLIM", "吉林省计量院")
    assert lab.scopes.count() == 2
    assert lab.scopes.get(unit="MPa").range_max == 2
    existing.refresh_from_db()
    assert existing.valid_until == datetime.date(2030, 1, 1)  # not changed

    # a refused entry says why and leaves the lab as it was
    refused = {**form, "name": "改名", **_scopes(_scope(unit="kgX"))}
    response = admin_client.post(url, refused, follow=True)
    assert "Unknown unit kgX." in response.content.decode()
    lab.refresh_from_db()
    assert (lab.name, lab.scopes.count()) == ("吉林省计量院", 2)


# Measurement standards ---------------------------------------------------

STANDARD_ADD = "/admin/metrology/measurementstandard/add/"


def _standard(holder, **changes) -> dict:
    form = {
        "code": "JL-S-100",
        "name": "电子天平标准装置",
        "kind": "social_public",
        "quantity": "mass",
        "unit": "kg",
        "range_min": "0",
        "range_max": "30",
        "uncertainty": "0.002",
        "coverage_factor": "2",
        "accuracy_class": "",
        "mpe": "",
        "holder": str(holder.pk),
        "region": "长春市",
        "assessment_certificate": "[2026]吉量标证字第100号",
        "assessment_valid_from": "2026-03-01",
    }
    form.update(changes)
    return form


def test_adding_a_standard_goes_through_the_service(admin_client, admin_user, registry):
    response = admin_client.post(STANDARD_ADD, _standard(registry.jl))
    assert response.status_code == 302, response.content.decode()[:2000]
    standard = MeasurementStandard.objects.get(code="JL-S-100")
    # derived by the service: four years of assessment validity
    assert standard.assessment_valid_until == datetime.date(2030, 3, 1)
    assert not standard.is_primary
    event = MetrologyEvent.objects.get(standard=standard)
    assert (event.type, event.actor) == (MetrologyEvent.Type.REGISTERED, admin_user)
    html = admin_client.get(STANDARD_ADD).content.decode()
    assert 'name="code"' in html
    assert 'name="assessment_valid_until"' not in html
    assert 'name="suspect"' not in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"uncertainty": "0"}, "The uncertainty of a standard must be positive."),
        ({"unit": "kgX"}, "Unknown unit kgX."),
    ],
)
def test_a_refused_standard_in_the_admin_says_why(
    admin_client, registry, changes, message
):
    before = (MeasurementStandard.objects.count(), MetrologyEvent.objects.count())
    response = admin_client.post(
        STANDARD_ADD, _standard(registry.jl, **changes), follow=True
    )
    assert message in response.content.decode()
    assert (
        MeasurementStandard.objects.count(),
        MetrologyEvent.objects.count(),
    ) == before


def _standard_change(registry, **changes) -> dict:
    form = {
        "name": "数字压力计标准装置（更新）",
        "holder": str(registry.nim.pk),
        "region": "长春市",
        "status": "active",
        "reason": "",
        # read-only here: ignored
        "unit": "MPa",
        "uncertainty": "9",
        "suspect": "on",
    }
    form.update(changes)
    return form


def test_a_standard_is_corrected_not_deleted(admin_client, registry):
    standard = registry.working
    url = f"/admin/metrology/measurementstandard/{standard.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, _standard_change(registry))
    assert response.status_code == 302, response.content.decode()[:2000]
    standard.refresh_from_db()
    assert standard.name == "数字压力计标准装置（更新）"
    assert (standard.holder, standard.status) == (registry.nim, "active")
    assert (standard.unit, standard.uncertainty) == ("kPa", 0.05)
    assert not standard.suspect
    # the status did not change: nothing recorded
    assert not MetrologyEvent.objects.filter(
        standard=standard, type=MetrologyEvent.Type.STATUS_CHANGED
    ).exists()
    delete = admin_client.post(
        f"/admin/metrology/measurementstandard/{standard.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert MeasurementStandard.objects.filter(pk=standard.pk).exists()


def test_a_status_change_in_the_admin_goes_through_the_service(
    admin_client, admin_user, registry
):
    standard = registry.working
    url = f"/admin/metrology/measurementstandard/{standard.pk}/change/"
    assert 'name="reason"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        _standard_change(registry, status="retired", reason="Replaced by JL-S-003"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    standard.refresh_from_db()
    assert (standard.name, standard.status) == ("数字压力计标准装置（更新）", "retired")
    event = MetrologyEvent.objects.get(
        standard=standard, type=MetrologyEvent.Type.STATUS_CHANGED
    )
    assert (event.actor, event.reason) == (admin_user, "Replaced by JL-S-003")
    assert event.details == {"from": "active", "to": "retired"}


@pytest.mark.parametrize(
    ("start", "changes", "message"),
    [
        (
            "active",
            {"status": "suspended"},
            "Give a reason for suspending or retiring the standard.",
        ),
        (
            "retired",
            {"status": "active", "reason": "Repaired"},
            "Standard JL-S-002 is retired and cannot be put back into use",
        ),
    ],
)
def test_a_refused_status_change_in_the_admin_says_why(
    admin_client, registry, start, changes, message
):
    standard = registry.working
    MeasurementStandard.objects.filter(pk=standard.pk).update(status=start)
    before = MetrologyEvent.objects.count()
    url = f"/admin/metrology/measurementstandard/{standard.pk}/change/"
    response = admin_client.post(
        url, _standard_change(registry, **changes), follow=True
    )
    assert message in response.content.decode()
    standard.refresh_from_db()
    # nothing saved, not even the corrected name
    assert (standard.name, standard.status) == ("数字压力计标准装置", start)
    assert MetrologyEvent.objects.count() == before


def test_a_reassessment_in_the_admin_goes_through_the_service(
    admin_client, admin_user, registry
):
    standard = registry.working
    url = f"/admin/metrology/measurementstandard/{standard.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert 'name="new_assessment_certificate"' in html
    assert 'name="reassessed_on"' in html
    response = admin_client.post(
        url,
        _standard_change(
            registry,
            new_assessment_certificate="[2026]吉量标证字第201号",
            reassessed_on="2025-12-01",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    standard.refresh_from_db()
    assert standard.name == "数字压力计标准装置（更新）"
    assert (
        standard.assessment_certificate,
        standard.assessment_valid_from,
        standard.assessment_valid_until,
    ) == (
        "[2026]吉量标证字第201号",
        datetime.date(2025, 12, 1),
        datetime.date(2029, 12, 1),  # derived by the service
    )
    event = MetrologyEvent.objects.get(
        standard=standard, type=MetrologyEvent.Type.REASSESSED
    )
    assert event.actor == admin_user
    assert event.details["previous_valid_until"] == "2024-01-01"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"new_assessment_certificate": "[2026]吉量标证字第201号"},
            "reassessed_on",
            "Give the day of the re-assessment as well.",
        ),
        (
            {"reassessed_on": "2025-12-01"},
            "new_assessment_certificate",
            "Give the new assessment certificate&#x27;s number as well.",
        ),
    ],
)
def test_half_a_reassessment_in_the_admin_is_a_form_error(
    admin_client, registry, changes, field, message
):
    standard = registry.working
    url = f"/admin/metrology/measurementstandard/{standard.pk}/change/"
    response = admin_client.post(url, _standard_change(registry, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["adminform"].form.errors
    standard.refresh_from_db()
    assert (standard.name, standard.assessment_valid_from) == (
        "数字压力计标准装置",
        datetime.date(2020, 1, 1),
    )
    assert not MetrologyEvent.objects.filter(
        standard=standard, type=MetrologyEvent.Type.REASSESSED
    ).exists()


@pytest.mark.parametrize(
    ("start", "day", "message"),
    [
        (
            "active",
            "2019-06-01",
            "The re-assessment date 2019-06-01 is before the last assessment",
        ),
        ("retired", "2025-12-01", "Standard JL-S-002 is retired and is no longer"),
    ],
)
def test_a_refused_reassessment_in_the_admin_says_why(
    admin_client, registry, start, day, message
):
    standard = registry.working
    MeasurementStandard.objects.filter(pk=standard.pk).update(status=start)
    before = MetrologyEvent.objects.count()
    url = f"/admin/metrology/measurementstandard/{standard.pk}/change/"
    response = admin_client.post(
        url,
        _standard_change(
            registry,
            status=start,
            new_assessment_certificate="[2026]吉量标证字第201号",
            reassessed_on=day,
        ),
        follow=True,
    )
    assert message in response.content.decode()
    standard.refresh_from_db()
    # nothing saved, not even the corrected name
    assert (standard.name, standard.assessment_certificate) == (
        "数字压力计标准装置",
        "",
    )
    assert MetrologyEvent.objects.count() == before


def test_an_instrument_is_not_deleted(admin_client, registry):
    instrument = registry.instrument
    url = f"/admin/metrology/instrument/{instrument.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    changelist = admin_client.post(
        "/admin/metrology/instrument/",
        {"action": "delete_selected", "_selected_action": [instrument.pk]},
    )
    assert changelist.status_code in (200, 302)
    assert Instrument.objects.filter(pk=instrument.pk).exists()
    assert MetrologyEvent.objects.filter(instrument=instrument).exists()


# Technical specifications ------------------------------------------------

SPECIFICATION_ADD = "/admin/metrology/technicalspecification/add/"


def _specification(**changes) -> dict:
    form = {
        "identifier": "JJF(吉) 101-2022",
        "title_zh": "电子血压计现场校准规范",
        "title_en": "",
        "quantity": "pressure",
        "issued_on": "2022-03-01",
        "implemented_on": "2022-06-01",
    }
    form.update(changes)
    return form


def test_adding_a_specification_goes_through_the_service(
    admin_client, admin_user, registry
):
    response = admin_client.post(SPECIFICATION_ADD, _specification())
    assert response.status_code == 302, response.content.decode()[:2000]
    spec = TechnicalSpecification.objects.get()
    # derived from the identifier by the service, catalogued in the catalogue
    assert (spec.kind, spec.is_local, spec.quantity) == (
        "calibration",
        True,
        "pressure",
    )
    assert spec.standard.title_zh == "电子血压计现场校准规范"
    event = StandardEvent.objects.get(standard=spec.standard)
    assert (event.type, event.actor) == (StandardEvent.Type.CREATED, admin_user)
    html = admin_client.get(SPECIFICATION_ADD).content.decode()
    assert 'name="identifier"' in html
    assert 'name="kind"' not in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"identifier": "GB/T 19001-2016"},
            "GB/T 19001-2016 is not a JJG or JJF specification.",
        ),
        (
            {"title_zh": ""},
            "A standard needs a Chinese or an English title.",
        ),
    ],
)
def test_a_refused_specification_in_the_admin_says_why(
    admin_client, registry, changes, message
):
    response = admin_client.post(
        SPECIFICATION_ADD, _specification(**changes), follow=True
    )
    assert message in response.content.decode()
    assert not TechnicalSpecification.objects.exists()
    assert not Standard.objects.exists()


def test_only_the_quantity_of_a_specification_is_edited(admin_client, registry):
    admin_client.post(SPECIFICATION_ADD, _specification())
    spec = TechnicalSpecification.objects.get()
    url = f"/admin/metrology/technicalspecification/{spec.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"quantity": "blood pressure", "kind": "verification", "is_local": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    spec.refresh_from_db()
    assert (spec.quantity, spec.kind, spec.is_local) == (
        "blood pressure",
        "calibration",
        True,
    )

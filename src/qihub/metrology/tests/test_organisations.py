"""Metrology's parties are organisations: the counts it gives an organisation
(or a network's members together), who may extend a lab's scope, and the
parties a DCC names."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.metrology import dcc, selectors, services
from qihub.metrology.models import Instrument, Laboratory, MeasurementStandard
from qihub.organisations import services as org_services
from qihub.organisations.models import Organisation

from .conftest import DAY, organisation

DCC_DIR = Path(settings.SHARED_DATA_DIR) / "dcc"


def _counts(*orgs) -> dict[str, int]:
    return {
        m.key: m.value for m in selectors.organisation_metrics([org.pk for org in orgs])
    }


def test_an_organisation_counts_its_labs_scope_standards_and_instruments(
    registry, django_assert_max_num_queries
):
    jl = registry.jl.organisation
    hospital = registry.instrument.owner
    assert _counts(jl) == {
        "laboratories": 1,
        "accredited_scope": 1,
        "measurement_standards": 2,
        "instruments": 0,
    }
    assert _counts(hospital) == {
        "laboratories": 0,
        "accredited_scope": 0,
        "measurement_standards": 0,
        "instruments": 1,
    }
    # a set counts each record once, in a bounded number of queries
    with django_assert_max_num_queries(4):
        together = _counts(jl, registry.nim.organisation, hospital, jl)
    assert together == {
        "laboratories": 2,
        "accredited_scope": 2,
        "measurement_standards": 3,
        "instruments": 1,
    }
    metric = selectors.organisation_metrics([jl.pk])[0]
    assert str(metric.label) == "Laboratories"
    assert str(metric.section) == "Metrology"


def test_a_second_lab_counts_for_its_organisation_and_retired_items_do_not(
    registry, staff_user
):
    jl = registry.jl.organisation
    second = services.laboratory_create(
        actor=None,
        code="JLIM-2",
        name="吉林省计量科学研究院 温度室",  # a department's own name
        organisation=jl,
        scopes=[
            {
                "quantity": "temperature",
                "range_min": 0,
                "range_max": 100,
                "unit": "degC",
                "valid_until": datetime.date(2020, 1, 1),  # expired: not counted
            }
        ],
    )
    assert second.organisation == jl
    services.standard_set_status(
        standard=registry.working,
        status=MeasurementStandard.Status.RETIRED,
        actor=None,
        reason="replaced",
    )
    services.instrument_retire(
        instrument=registry.instrument, actor=None, on=DAY, reason="scrapped"
    )
    assert _counts(jl, registry.instrument.owner) == {
        "laboratories": 2,
        "accredited_scope": 1,
        "measurement_standards": 1,
        "instruments": 0,
    }


def test_an_accredited_lab_makes_its_organisation_an_accredited_body(registry):
    org = organisation("长春市计量检定测试技术研究院", region="220100")
    lab = services.laboratory_create(
        actor=None,
        code="CCIM",
        name="长春市计量检定测试技术研究院",
        organisation=org,
        accreditation_number="CNAS L0001",
    )
    again = services.laboratory_create(
        actor=None,
        code="CCIM-2",
        name="长春市计量院 压力室",
        organisation=org,
        accreditation_number="CNAS L0001",  # the same accreditation: one title
    )
    designation = org.designations.get()
    assert (designation.kind, designation.number) == ("accredited_body", "CNAS L0001")
    assert designation.issuing_authority == services.accreditation_body()
    assert lab.organisation == again.organisation == org
    assert lab.region_name == "Changchun City"


def test_a_lab_needs_its_organisation(registry):
    with pytest.raises(ApplicationError, match="Name the organisation"):
        services.laboratory_create(
            actor=None, code="X", name="无主实验室", organisation=None
        )
    assert not Laboratory.objects.filter(code="X").exists()


# Who may extend a laboratory's scope ----------------------------------------


def _scope(**changes) -> dict:
    body = {
        "quantity": "mass",
        "range_min": 0,
        "range_max": 60,
        "unit": "kg",
        "valid_until": "2030-12-31",
    }
    body.update(changes)
    return body


def test_the_labs_own_users_add_to_its_scope(registry, plain_user, token_client_for):
    lab = registry.jl
    url = f"/api/metrology/laboratories/{lab.code}/scopes"
    api = token_client_for(plain_user)
    refused = api.post(url, _scope(), content_type="application/json")
    assert refused.status_code == 403, refused.content
    assert "users of 吉林省计量科学研究院" in refused.json()["detail"]
    assert lab.scopes.count() == 1

    org_services.membership_add(
        actor=None, organisation=lab.organisation, user=plain_user
    )
    response = api.post(url, _scope(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == "kg"
    assert lab.scopes.count() == 2
    # ... but not to another organisation's lab
    with pytest.raises(PermissionDenied):
        services.laboratory_scope_add(
            laboratory=registry.nim,
            actor=plain_user,
            **{**_scope(), "valid_until": datetime.date(2030, 12, 31)},
        )


def test_staff_add_to_any_labs_scope_and_bad_input_is_refused(registry, staff_api):
    url = "/api/metrology/laboratories/NIM/scopes"
    response = staff_api.post(url, _scope(), content_type="application/json")
    assert response.status_code == 201, response.content
    bad = staff_api.post(url, _scope(unit="kgX"), content_type="application/json")
    assert bad.status_code == 400
    assert "Unknown unit kgX." in bad.json()["detail"]
    unknown = staff_api.post(
        "/api/metrology/laboratories/NOPE/scopes",
        _scope(),
        content_type="application/json",
    )
    assert unknown.status_code == 404
    assert registry.nim.scopes.count() == 2


def test_the_api_gives_the_labs_organisation(client, registry):
    body = client.get(
        "/api/metrology/laboratories",
        {"organisation_id": registry.jl.organisation_id},
    ).json()
    assert [lab["code"] for lab in body["items"]] == ["JLIM"]
    jl = body["items"][0]
    assert (jl["organisation_id"], jl["organisation"]) == (
        registry.jl.organisation_id,
        "吉林省计量科学研究院",
    )
    assert jl["region"] == "220100"
    standard = client.get(f"/api/metrology/standards/{registry.working.pk}").json()
    assert standard["holder_code"] == "JLIM"
    assert standard["holder_organisation_id"] == registry.jl.organisation_id


# The parties of a DCC -------------------------------------------------------


def test_an_exported_dcc_names_the_owner_and_the_labs_city(registry):
    xml = dcc.export(registry.certs["leaf"]).decode()
    assert "长春市第一医院" in xml
    # the lab's city is its organisation's division (English here)
    assert "Changchun City" in xml


@pytest.mark.skipif(not DCC_DIR.is_dir(), reason=f"DCC samples not found in {DCC_DIR}")
def test_an_imported_dcc_registers_its_parties_as_organisations(db, staff_user):
    data = (DCC_DIR / "sample-humidity.xml").read_bytes()
    parsed = dcc.read(data)
    dry = services.dcc_import(data=data, actor=staff_user, dry_run=True)
    assert dry.event is None
    assert not Organisation.objects.exists()  # a dry run registers no one
    outcome = services.dcc_import(data=data, actor=staff_user)
    lab = outcome.event.laboratory
    assert lab.organisation.kind == Organisation.Kind.CALIBRATION_LAB
    instrument = Instrument.objects.get()
    if parsed.customer.strip():
        assert instrument.owner.name == parsed.customer.strip()
        assert instrument.owner.kind == Organisation.Kind.ENTERPRISE
    else:
        assert instrument.owner is None

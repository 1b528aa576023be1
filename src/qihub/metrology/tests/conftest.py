"""Fixtures for metrology tests: a small registry with one full chain."""

import dataclasses
import datetime

import pytest

from qihub.metrology import services
from qihub.metrology.models import CompulsoryItem, MeasurementStandard, Use
from qihub.organisations import services as org_services
from qihub.organisations.models import Organisation, Region
from qihub.organisations.regions import regions_load

DAY = datetime.date(2026, 6, 1)


@dataclasses.dataclass
class Registry:
    nim: object
    jl: object
    primary: object
    provincial: object
    working: object
    instrument: object
    certs: dict


def far(days: int = 365) -> datetime.date:
    return DAY + datetime.timedelta(days=days)


def organisation(
    name: str, kind: str = Organisation.Kind.CALIBRATION_LAB, region: str | None = None
) -> Organisation:
    """An organisation of the registry (matched by name when already there)."""
    if region and not Region.objects.filter(code=region).exists():
        # a transactional test flushed the divisions the migration loaded
        regions_load()
    org, _created = org_services.organisation_find_or_create(
        actor=None, name=name, kind=kind, region=region
    )
    return org


@pytest.fixture
def registry(db) -> Registry:
    """National primary -> provincial -> working standard -> sphygmomanometer."""
    services.compulsory_catalogue_load()
    long_ago = datetime.date(2020, 1, 1)
    scope = {"valid_until": datetime.date(2030, 1, 1)}
    nim = services.laboratory_create(
        actor=None,
        code="NIM",
        name="National Institute of Metrology",
        organisation=organisation(
            "National Institute of Metrology",
            Organisation.Kind.RESEARCH_INSTITUTE,
            "110000",
        ),
        scopes=[
            dict(quantity="pressure", range_min=0, range_max=10, unit="MPa", **scope)
        ],
    )
    jl = services.laboratory_create(
        actor=None,
        code="JLIM",
        name="吉林省计量科学研究院",
        organisation=organisation("吉林省计量科学研究院", region="220100"),
        scopes=[
            dict(quantity="pressure", range_min=0, range_max=1000, unit="kPa", **scope)
        ],
    )
    primary = services.standard_register(
        actor=None,
        code="NIM-P-01",
        name="活塞式压力计基准",
        kind=MeasurementStandard.Kind.NATIONAL_PRIMARY,
        quantity="pressure",
        unit="kPa",
        uncertainty=0.001,
        holder=nim,
    )
    provincial = services.standard_register(
        actor=None,
        code="JL-S-001",
        name="活塞式压力计标准装置",
        quantity="pressure",
        unit="kPa",
        range_min=0,
        range_max=600,
        uncertainty=0.01,
        mpe=0.05,
        holder=jl,
        region="长春市",
        assessed_on=long_ago,
    )
    working = services.standard_register(
        actor=None,
        code="JL-S-002",
        name="数字压力计标准装置",
        quantity="pressure",
        unit="kPa",
        range_min=0,
        range_max=100,
        uncertainty=0.05,
        mpe=0.25,
        holder=jl,
        region="长春市",
        assessed_on=long_ago,
    )
    sphyg = CompulsoryItem.objects.get(code="CV-04")
    instrument = services.instrument_register(
        actor=None,
        code="INS-0001",
        name="血压计",
        item_type=sphyg,
        use=Use.HEALTH,
        quantity="pressure",
        unit="kPa",
        range_min=0,
        range_max=40,
        mpe=0.5,
        owner=organisation("长春市第一医院", Organisation.Kind.ENTERPRISE, "220100"),
        owner_email="equipment@hospital.example",
        region="长春市",
        registered_on=datetime.date(2025, 1, 1),
    )
    c1 = services.calibration_record(
        actor=None,
        certificate_number="NIM-2026-001",
        laboratory=nim,
        calibrated_standard=provincial,
        reference_standard=primary,
        performed_on=DAY - datetime.timedelta(days=60),
        valid_until=far(),
        measured_error=0.002,
        expanded_uncertainty=0.01,
    )
    c2 = services.calibration_record(
        actor=None,
        certificate_number="JL-2026-010",
        laboratory=jl,
        calibrated_standard=working,
        reference_standard=provincial,
        performed_on=DAY - datetime.timedelta(days=30),
        valid_until=far(),
        measured_error=-0.01,
        expanded_uncertainty=0.05,
    )
    c3 = services.calibration_record(
        actor=None,
        certificate_number="JL-2026-500",
        kind="verification",
        laboratory=jl,
        instrument=instrument,
        reference_standard=working,
        performed_on=DAY - datetime.timedelta(days=10),
        valid_until=far(),
        measured_error=0.1,
        expanded_uncertainty=0.12,
        conformity="pass",
    )
    instrument.refresh_from_db()
    return Registry(
        nim=nim,
        jl=jl,
        primary=primary,
        provincial=provincial,
        working=working,
        instrument=instrument,
        certs={"top": c1, "mid": c2, "leaf": c3},
    )


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages in English (the default language is zh-hans)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff_client(client, staff_user):
    """The test client logged in as institute staff."""
    client.force_login(staff_user)
    return client

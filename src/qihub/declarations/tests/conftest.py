"""Fixtures for the declarations tests: a mandatory GB standard with limits."""

import pytest

from qihub.organisations import credit_codes


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (requests still negotiate their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _regions(request):
    """The GB/T 2260 divisions the region texts resolve to. A migration loads
    them; a transactional test elsewhere in the run may have flushed them."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from qihub.organisations.models import Region
        from qihub.organisations.regions import regions_load

        if not Region.objects.exists():
            regions_load()


def make_code(body17: str) -> str:
    """A valid credit code from its first 17 characters."""
    return body17 + credit_codes.check_character(body17)


@pytest.fixture
def gb_toy(db):
    """GB 6675.4-2014-like toy safety standard limiting lead and formaldehyde."""
    from qihub.catalog.tests.factories import StandardFactory
    from qihub.requirements.services import requirement_create

    standard = StandardFactory(
        identifier="GB 31701-2015",
        nature="mandatory",
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
    )
    requirement_create(
        standard=standard,
        parameter="formaldehyde",
        operator="<=",
        value="20",
        unit="mg/kg",
        subject="children's textiles",
        actor=None,
    )
    requirement_create(
        standard=standard,
        parameter="pH",
        operator="range",
        value="4.0",
        upper="7.5",
        subject="children's textiles",
        actor=None,
    )
    return standard


@pytest.fixture
def enterprise(db, enterprise_user, staff_user):
    from qihub.declarations import services

    return services.enterprise_create(
        actor=staff_user,
        credit_code=make_code("91440300MA5FABCD1"),
        name="深圳市童衣有限公司",
        region="深圳",
        industry="纺织",
        users=[enterprise_user],
    )


GOOD_INDICATORS = [
    {"parameter": "formaldehyde", "operator": "<=", "value": "15", "unit": "mg/kg"},
    {
        "parameter": "pH",
        "operator": "range",
        "value": "4.5",
        "upper": "7.0",
        "unit": "",
    },
]


def withdraw_standard(standard, actor) -> None:
    """Withdraw a catalogue standard through the catalogue's service, so the
    declarations app hears of it by the status-changed signal."""
    from qihub.catalog.services import standard_withdraw

    standard_withdraw(
        standard=standard, actor=actor, reason="superseded by a new technical code"
    )

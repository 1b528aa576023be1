import datetime

import pytest

from qihub.organisations.credit_codes import check_character


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (requests still negotiate their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def make_code(body17: str) -> str:
    """A valid credit code from its first 17 characters."""
    return body17 + check_character(body17)


#: Valid credit codes registered in Mianyang (510700), Chengdu (510100) and
#: Jilin (220000) as the 3rd-8th characters say.
MIANYANG = make_code("91510700MA62L3XK0")
MIANYANG_2 = make_code("12510700450000111")
CHENGDU = make_code("91510100MA6C8B3D1")
JILIN = make_code("12220000412755001")


@pytest.fixture
def make_org(db):
    """Register an organisation as the platform (``actor=None``)."""
    from qihub.organisations import services

    def make(name: str, kind: str = "enterprise", **kwargs):
        field = "name_en" if name.isascii() else "name_zh"
        return services.organisation_create(
            actor=None, kind=kind, **{field: name}, **kwargs
        )

    return make


DAY = datetime.date(2024, 1, 1)


@pytest.fixture
def unit(make_org):
    return make_org(
        "中国工程物理研究院", kind="military_research", credit_code=MIANYANG
    )


@pytest.fixture
def drafted(unit, make_org):
    """Three standards: the unit first drafting unit of two, second of one."""
    from qihub.catalog import services as catalog_services

    other = make_org("绵阳市标准化研究院", kind="standardization_institute")
    out = []
    for identifier, title, year, first in [
        ("GB/T 43000-2023", "激光器件通用规范", 2023, True),
        ("GB/T 42000-2022", "中子发生器测试方法", 2022, False),
        ("T/SCSS 001-2024", "精密加工团体标准", 2024, True),
    ]:
        standard = catalog_services.standard_create(
            actor=None,
            identifier=identifier,
            title_zh=title,
            issued_on=datetime.date(year, 5, 1),
        )
        catalog_services.standard_set_drafting_units(
            standard=standard,
            organisations=[unit, other] if first else [other, unit],
            actor=None,
        )
        out.append(standard)
    return out


@pytest.fixture
def centre(make_org, drafted, unit):
    """The Mianyang centre: the unit and the institute, members since DAY."""
    from qihub.organisations import services
    from qihub.organisations.models import Network, Organisation

    network = services.network_create(
        actor=None, kind=Network.Kind.INNOVATION_CENTRE, name_zh="绵阳区域标准创新中心"
    )
    other = Organisation.objects.get(name_zh="绵阳市标准化研究院")
    for org in (unit, other):
        services.network_member_join(
            actor=None,
            network=network,
            organisation=org,
            joined_on=DAY,
            liaison_name="李四",
            liaison_email="li@example.org",
        )
    return network

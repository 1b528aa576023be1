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

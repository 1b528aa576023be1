import datetime

import pytest
from django.core.files.base import ContentFile

from qihub.organisations import services as org_services
from qihub.organisations.models import Region
from qihub.organisations.regions import regions_load
from qihub.programmes import services


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _regions(request):
    """The GB/T 2260 divisions (loaded by a migration; a transactional test
    elsewhere in the run may have flushed them)."""
    if "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    if not Region.objects.exists():
        regions_load()


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def authority(db):
    org, _ = org_services.organisation_find_or_create(
        actor=None, name="吉林省市场监督管理局", kind="government", region="220000"
    )
    return org


@pytest.fixture
def programme(authority):
    return services.programme_create(
        actor=None,
        name_zh="测试规划",
        name_en="Test plan",
        issuing_authority=authority,
        region=Region.objects.get(code="220000"),
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
    )


def evidence(name="evidence.txt"):
    return ContentFile(b"evidence\n", name=name)

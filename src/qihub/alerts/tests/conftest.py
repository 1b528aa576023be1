import csv

import pytest

from qihub.catalog import services as catalog_services

FIELDS = [
    "identifier",
    "title_zh",
    "status",
    "issued_on",
    "ics",
    "replaces",
    "committee",
]


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in FIELDS})
    return path


@pytest.fixture
def standard(classifications):
    return catalog_services.standard_create(
        actor=None,
        identifier="GB/T 19001-2016",
        title_zh="质量管理体系 要求",
        ics=["03.120.10"],
    )


@pytest.fixture
def user(db):
    from qihub.core.services import user_create

    return user_create(
        username="follower", password="pw-follower", roles=[], email="f@example.org"
    )


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (the default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_org(db):
    from qihub.organisations import services

    def make(name: str):
        return services.organisation_create(actor=None, kind="enterprise", name_en=name)

    return make

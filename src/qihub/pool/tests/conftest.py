import pytest


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (requests negotiate their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client

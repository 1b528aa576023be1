import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Service messages in these tests are asserted in English."""
    with translation.override("en"):
        yield

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

"""Passwords go through Django's configured validators (issue 23)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from qihub.core.errors import ApplicationError
from qihub.core.services import password_check

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weak", ["1", "password", "12345678"])
def test_weak_passwords_refused_with_validator_messages(weak):
    with pytest.raises(ApplicationError) as exc:
        password_check(password=weak, username="someone")
    assert exc.value.details["password"]


def test_create_user_command_refuses_weak_password():
    with pytest.raises(CommandError, match="password"):
        call_command("create_user", "weakling", "--password", "1")
    assert not get_user_model().objects.filter(username="weakling").exists()


def test_create_user_command_accepts_strong_password():
    call_command("create_user", "strong", "--password", "Tr0ub4dor&3-horse")
    assert get_user_model().objects.filter(username="strong").exists()


def test_self_registration_refuses_common_password(client):
    from qihub.declarations.tests.conftest import make_code

    resp = client.post(
        "/declarations/register/",
        {
            "credit_code": make_code("91440300MA5FXYAW1"),
            "name": "Weak Ltd",
            "region": "深圳",
            "industry": "纺织",
            "username": "weakent",
            "password": "12345678",
        },
    )
    assert resp.status_code == 200
    assert not get_user_model().objects.filter(username="weakent").exists()

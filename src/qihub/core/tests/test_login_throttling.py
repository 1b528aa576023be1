"""Login throttling (django-axes): wrong passwords for one user name from one
address lock that pair out after ``AXES_FAILURE_LIMIT`` attempts, on the
site's login and the admin's, even with the right password then; a right
password before that resets the count."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def axes_on(settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    reset()
    yield settings
    reset()


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("zhang", password=PASSWORD)


def _login(client, url: str, password: str):
    return client.post(url, {"username": "zhang", "password": password})


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_locked_out_after_the_limit(axes_on, user, client, url):
    attempts = 0
    while True:
        attempts += 1
        r = _login(client, url, "wrong")
        if r.status_code == 429:
            break
        assert r.status_code == 200  # the form again, with its error
        assert attempts < 20
    # The limit's wrong password is the one that locks: 5 attempts.
    assert attempts == axes_on.AXES_FAILURE_LIMIT
    assert "Too many failed logins" in r.content.decode()
    # Locked: the right password is refused too, and no session starts.
    r = _login(client, url, PASSWORD)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_right_password_resets_the_count(axes_on, user, client):
    for _ in range(4):
        assert _login(client, "/accounts/login/", "wrong").status_code == 200
    assert _login(client, "/accounts/login/", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "/accounts/login/", "wrong").status_code == 200
    assert _login(client, "/accounts/login/", PASSWORD).status_code == 302


def test_another_user_name_is_not_locked(axes_on, user, client):
    for _ in range(5):
        _login(client, "/accounts/login/", "wrong")
    get_user_model().objects.create_user("li", password=PASSWORD)
    r = client.post("/accounts/login/", {"username": "li", "password": PASSWORD})
    assert r.status_code == 302

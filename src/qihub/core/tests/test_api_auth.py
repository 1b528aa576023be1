"""A missing or bad bearer token is a 401 with WWW-Authenticate; sessions keep CSRF."""

import pytest
from django.test import Client

from qihub.core.services import api_token_create, user_create

pytestmark = pytest.mark.django_db

URL = "/api/catalog/standards/"
BODY = {"code": "GB/T 1-2020"}


def _post(client, **headers):
    return client.post(URL, BODY, content_type="application/json", headers=headers)


def test_missing_token_is_401_with_bearer_challenge():
    response = _post(Client(enforce_csrf_checks=True))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "bearer token" in response.json()["detail"]


def test_bad_token_is_401_with_bearer_challenge():
    response = _post(Client(enforce_csrf_checks=True), Authorization="Bearer nope")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_valid_token_passes_authentication():
    user = user_create(username="tok", password="x-long-pass-9", roles=["staff"])
    _, key = api_token_create(user=user)
    response = _post(Client(enforce_csrf_checks=True), Authorization=f"Bearer {key}")
    assert response.status_code not in (401, 403)


def test_logged_in_session_without_csrf_token_is_still_refused():
    user_create(username="sess", password="x-long-pass-9", roles=["staff"])
    client = Client(enforce_csrf_checks=True)
    client.login(username="sess", password="x-long-pass-9")
    response = _post(client)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

import pytest
from django.contrib.auth.models import Group

from qihub.core.errors import PermissionDenied
from qihub.core.models import AuditLog
from qihub.core.roles import Role, has_role
from qihub.core.services import api_token_authenticate, api_token_create, user_set_roles


@pytest.mark.django_db
def test_role_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
def test_roles_and_administrator_holds_all(staff_user, admin_user):
    assert has_role(staff_user, Role.STAFF)
    assert not has_role(staff_user, Role.REVIEWER)
    assert has_role(admin_user, Role.REVIEWER)


@pytest.mark.django_db
def test_only_administrators_change_roles(staff_user, plain_user, admin_user):
    with pytest.raises(PermissionDenied):
        user_set_roles(user=plain_user, roles=["staff"], actor=staff_user)
    user_set_roles(user=plain_user, roles=["reviewer"], actor=admin_user)
    assert has_role(plain_user, Role.REVIEWER)
    assert AuditLog.objects.filter(action=AuditLog.Action.ROLE_CHANGE).exists()


@pytest.mark.django_db
def test_api_token_is_stored_hashed(plain_user):
    token, key = api_token_create(user=plain_user)
    assert key not in token.key_hash
    assert api_token_authenticate(key) == plain_user
    assert api_token_authenticate("wrong") is None


@pytest.mark.django_db
def test_openapi_schema_and_language_switch(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "qihub API"
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_login_is_audited(client, staff_user):
    assert client.login(username="staff1", password="pw-staff1")
    assert AuditLog.objects.filter(
        action=AuditLog.Action.LOGIN, actor=staff_user
    ).exists()


@pytest.mark.django_db
def test_api_write_without_token_is_401_json(client):
    response = client.post(
        "/api/catalog/standards/", {}, content_type="application/json"
    )
    assert response.status_code in (401, 405)


@pytest.mark.django_db(transaction=True)
def test_a_web_worker_keeps_its_database_connection():
    """Served as gunicorn serves it (not the test client, which keeps
    connections open itself), two requests use one connection: opening one
    per request cost a search most of its time on SQLite. (The test database
    on SQLite is in memory, which Django never closes: there the setting is
    what is checked.)"""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory

    assert connection.settings_dict["CONN_MAX_AGE"] is None or (
        connection.settings_dict["CONN_MAX_AGE"] >= 60
    )
    handler = WSGIHandler()

    def get(path: str) -> None:
        environ = RequestFactory().get(path, {"q": "GB"}).environ
        statuses: list[str] = []
        response = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        response.close()  # request_finished: where Django closes old connections
        assert statuses == ["200 OK"]

    get("/api/catalog/standards/")
    first = connection.connection
    assert first is not None
    get("/api/catalog/standards/")
    assert connection.connection is first

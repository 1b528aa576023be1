"""Server errors reachable anonymously (issue 23): each answered 4xx now."""

import json

import pytest
from django.test import Client, override_settings

from qihub.catalog.tests.factories import StandardFactory

HUGE = "9223372036854775807"
HUGER = "99999999999999999999"

PAGED_API = [
    "/api/lifecycle/projects/",
    "/api/lifecycle/patents/",
    "/api/lifecycle/committees/",
    "/api/lifecycle/research/",
    "/api/metrology/laboratories",
    "/api/metrology/specifications",
    "/api/metrology/reference-materials",
    "/api/metrology/standards",
    "/api/metrology/instruments",
    "/api/requirements/documents",
    "/api/requirements/requirements",
    "/api/declarations/declarations",
    "/api/catalog/standards/",
    "/api/organisations/",
]

PAGED_PAGES = [
    "/catalog/",
    "/requirements/list/",
    "/lifecycle/",
    "/declarations/",
    "/organisations/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGED_API)
@pytest.mark.parametrize("page", [HUGE, HUGER, "-1", "0"])
def test_api_lists_refuse_a_page_out_of_range(client, url, page):
    response = client.get(url, {"page": page})
    assert response.status_code in (400, 422), response.content[:300]
    assert "detail" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGED_PAGES)
@pytest.mark.parametrize("page", [HUGE, HUGER, "³", "-1"])
def test_pages_clamp_a_page_out_of_range(client, url, page):
    response = client.get(url, {"page": page})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"year": "-1", "q": "abc"},
        {"year": "-1", "q": "食品"},
        {"level": "a-b", "q": "abc"},
        {"q": 'a"b OR NOT c* ^d:e NEAR(f)'},
        {"q": "abc", "ics": "-1"},
    ],
)
def test_catalogue_search_takes_any_text(client, params):
    StandardFactory(title_en="abc things")
    response = client.get("/api/catalog/standards/", params)
    assert response.status_code in (200, 400), response.content[:300]
    page = client.get("/catalog/", params)
    assert page.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["³", "٣", "²³", HUGER, "½"])
def test_unicode_digits_as_a_standard_are_not_found(client, ref):
    response = client.post(
        "/api/requirements/check",
        json.dumps({"standards": [ref], "values": {}}),
        content_type="application/json",
    )
    assert response.status_code == 404, response.content[:300]
    response = client.get("/api/requirements/compare", {"a": ref, "b": ref})
    assert response.status_code == 404
    response = client.get("/requirements/compare/", {"a": ref, "b": ref})
    assert response.status_code == 200
    response = client.get("/api/requirements/requirements", {"standard": ref})
    assert response.status_code == 200


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_413(client):
    body = json.dumps({"standards": ["x" * 2000], "values": {}})
    response = client.post(
        "/api/requirements/check", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "larger" in response.json()["detail"]
    response = client.post("/accounts/login/", {"username": "x" * 2000})
    assert response.status_code == 413


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["title_zh", "issuing_body", "committee", "scope"])
def test_patch_null_for_a_text_field_is_422(staff_api, field):
    standard = StandardFactory()
    response = staff_api.patch(
        f"/api/catalog/standards/{standard.pk}",
        json.dumps({field: None}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content[:300]
    assert field in response.json()["errors"]
    standard.refresh_from_db()
    assert getattr(standard, field) is not None


def test_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False


@pytest.mark.django_db
def test_404_is_no_debug_page():
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    with override_settings(DEBUG=False):
        page = client.get("/no-such-page/")
        assert page.status_code == 404
        assert b"Traceback" not in page.content
        assert b"Page not found" in page.content
        api = client.get("/api/no-such-endpoint")
        assert api.status_code == 404
        assert api.json()["detail"]


@pytest.mark.django_db
def test_500_is_no_debug_page(monkeypatch):
    from qihub.catalog import views

    def boom(request):
        raise RuntimeError("/secret/local/path")

    monkeypatch.setattr(views.selectors, "standard_counts_by_level", boom)
    client = Client(raise_request_exception=False)
    page = client.get("/")
    assert page.status_code == 500
    assert b"/secret/local/path" not in page.content
    assert b"Server error" in page.content


@pytest.mark.django_db
def test_api_500_is_json(monkeypatch):
    from qihub.catalog import api

    def boom(*args, **kwargs):
        raise RuntimeError("/secret/local/path")

    monkeypatch.setattr(api.selectors, "search_standards", boom)
    client = Client(raise_request_exception=False)
    response = client.get("/api/catalog/standards/", {"q": "x"})
    assert response.status_code == 500
    assert "secret" not in response.content.decode()
    assert response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["-9999999999", "9999999999"])
def test_periodic_review_look_ahead_is_bounded(client, days):
    response = client.get(
        "/api/lifecycle/periodic-reviews/due/", {"lookahead_days": days}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_ids_beyond_64_bits_are_not_server_errors(client):
    response = client.get("/api/metrology/laboratories", {"organisation_id": HUGER})
    assert response.status_code in (200, 422)
    response = client.get(f"/api/catalog/standards/{HUGER}")
    assert response.status_code in (404, 422)
    page = client.get(f"/catalog/standards/{HUGER}/")
    assert page.status_code == 404


@pytest.mark.django_db
def test_a_write_that_finds_sqlite_busy_is_503_with_retry_after(staff_api, monkeypatch):
    from django.db import OperationalError

    from qihub.catalog import services

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "standard_update", locked)
    standard = StandardFactory()
    response = staff_api.patch(
        f"/api/catalog/standards/{standard.pk}",
        json.dumps({"title_en": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "busy" in response.json()["detail"]


def test_sqlite_writers_wait_and_take_the_write_lock_first():
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "busy_timeout=30000" in options["init_command"]


@pytest.mark.django_db
def test_text_with_a_nul_character_is_refused_before_any_view(client, staff_api):
    """PostgreSQL refuses NUL in every text column (a 500 schemathesis found
    on GET /api/international/bodies?q=%00); it is refused at the boundary."""
    api = client.get("/api/international/bodies", {"q": "ISO\x00"})
    assert api.status_code == 422
    assert "NUL" in api.json()["detail"]
    page = client.get("/catalog/", {"q": "a\x00b"})
    assert page.status_code == 400
    body = staff_api.post(
        "/api/lifecycle/research/",
        '{"title": "x\\u0000"}',
        content_type="application/json",
    )
    assert body.status_code == 422
    assert client.get("/api/catalog/standards/", {"q": "食品"}).status_code == 200

import pytest

from qihub.catalog import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(staff_user, classifications):
    old = services.standard_create(
        actor=None,
        identifier="GB 2762-2017",
        title_zh="食品安全国家标准 食品中污染物限量",
        ics=["67.040"],
    )
    new = services.standard_create(
        actor=None,
        identifier="GB 2762-2022",
        title_zh="食品安全国家标准 食品中污染物限量",
        title_en="Maximum levels of contaminants in foods",
        ics=["67.040"],
    )
    services.standard_replace(old=old, new=new, actor=None)
    return old, new


def test_search_api_finds_chinese_word_exact_identifier_first(client, catalogue):
    _old, _new = catalogue
    body = client.get("/api/catalog/standards/", {"q": "食品"}).json()
    assert {i["identifier"] for i in body["items"]} == {"GB 2762-2017", "GB 2762-2022"}
    body = client.get("/api/catalog/standards/", {"q": "gb 2762—2017"}).json()
    assert body["items"][0]["identifier"] == "GB 2762-2017"
    assert client.get("/api/catalog/standards/", {"status": "nope"}).status_code == 400


def test_detail_lookup_and_status_on(client, catalogue):
    old, new = catalogue
    detail = client.get(f"/api/catalog/standards/{old.pk}").json()
    assert {
        "kind": "replaces",
        "degree": "",
        "direction": "in",
        "other": "GB 2762-2022",
        "other_id": new.pk,
    } in detail["relations"]
    assert detail["history"]
    assert (
        client.get("/api/catalog/lookup", {"identifier": "GB 2762"}).json()["id"]
        == new.pk
    )
    assert (
        client.get("/api/catalog/lookup", {"identifier": "GB 9999"}).status_code == 404
    )
    parsed = client.get("/api/catalog/identifiers/parse", {"text": "GB/T 1.1-20x"})
    assert parsed.status_code == 400
    assert "year" in parsed.json()["detail"]


def test_writes_need_token_and_staff(client, user_api, staff_api, classifications):
    payload = {
        "identifier": "GB/T 1.1-2020",
        "title_zh": "标准化工作导则",
        "ics": ["01.120"],
    }
    assert (
        client.post(
            "/api/catalog/standards/", payload, content_type="application/json"
        ).status_code
        == 401
    )
    assert (
        user_api.post(
            "/api/catalog/standards/", payload, content_type="application/json"
        ).status_code
        == 403
    )
    created = staff_api.post(
        "/api/catalog/standards/", payload, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    std_id = created.json()["id"]
    bad = staff_api.post(
        "/api/catalog/standards/",
        {**payload, "identifier": "XX 1"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "prefix" in bad.json()["detail"]
    withdrawn = staff_api.post(
        f"/api/catalog/standards/{std_id}/withdraw",
        {"reason": "obsolete"},
        content_type="application/json",
    )
    assert withdrawn.json()["status"] == "withdrawn"


def test_pages_render_with_bounded_queries(
    client, catalogue, django_assert_max_num_queries
):
    old, _new = catalogue
    assert client.get("/").status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get("/catalog/", {"q": "食品"})
    assert "GB 2762-2022" in page.content.decode()
    with django_assert_max_num_queries(15):
        detail = client.get(old.get_absolute_url()).content.decode()
    assert "Replaced by" in detail
    assert "GB 2762-2022" in detail
    assert "<svg" in detail
    assert client.get("/catalog/ics/", {"parent": "67"}).status_code == 200


def test_chinese_page(zh_client, catalogue):
    assert "标准" in zh_client.get("/catalog/").content.decode()


def test_the_standard_page_costs_the_same_with_more_ics_codes(
    client, staff_user, classifications
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = services.standard_create(
        actor=staff_user,
        identifier="GB/T 1001-2020",
        title_zh="一个分类",
        ics=["67.040"],
    )
    three = services.standard_create(
        actor=staff_user,
        identifier="GB/T 1002-2020",
        title_zh="三个分类",
        ics=["67.040", "67.050", "13.220.01"],
    )
    counts = []
    for standard in (one, three):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(standard.get_absolute_url()).content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert "13.220.01" in page


def test_the_page_says_an_unknown_level_or_status_as_the_api_refuses_it(
    client, catalogue
):
    assert client.get("/api/catalog/standards/", {"level": "planet"}).status_code >= 400
    page = client.get("/catalog/", {"level": "planet", "status": "gone"})
    # The page still answers 200 (test_hardening: any text is taken), saying so.
    assert page.status_code == 200
    text = page.content.decode()
    assert "Unknown level &#x27;planet&#x27;" in text
    assert "Unknown status &#x27;gone&#x27;" in text
    assert "GB 2762-2022" not in text
    ok = client.get("/catalog/", {"level": "national"})
    assert ok.status_code == 200
    assert "Unknown level" not in ok.content.decode()


def test_staff_remove_a_relation_with_a_reason(client, catalogue, staff_api, user_api):
    old, new = catalogue
    url = f"/api/catalog/standards/{new.pk}/relations/remove"
    body = {"other": "GB 2762-2017", "kind": "replaces", "reason": "entered by mistake"}
    assert user_api.post(url, body, content_type="application/json").status_code == 403
    no_reason = dict(body, reason=" ")
    r = staff_api.post(url, no_reason, content_type="application/json")
    assert r.status_code == 400
    assert "reason" in r.json()["detail"]
    r = staff_api.post(url, dict(body, kind="cites"), content_type="application/json")
    assert r.status_code == 404
    r = staff_api.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["relations"] == []
    assert client.get(f"/api/catalog/standards/{old.pk}").json()["relations"] == []
    for std in (old, new):
        [event] = std.events.filter(type="relation_removed")
        assert event.reason == "entered by mistake"
    r = staff_api.post(url, body, content_type="application/json")
    assert r.status_code == 404  # gone: nothing to remove twice

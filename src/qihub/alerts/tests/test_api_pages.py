import csv
import io

import pytest
from django.test import Client
from lxml import etree

from qihub.alerts import services
from qihub.alerts.feeds import watch_feed_token
from qihub.alerts.models import InboxItem, Watch
from qihub.catalog import services as catalog_services

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _api(user) -> Client:
    from qihub.core.services import api_token_create

    _token, key = api_token_create(user=user)
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


def test_watch_api_create_list_refuse_delete(user, standard):
    api = _api(user)
    r = api.post(
        "/api/alerts/watches",
        {"kind": "standard", "value": str(standard.pk)},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    wid = r.json()["id"]
    r = api.post(
        "/api/alerts/watches",
        {"kind": "standard", "value": str(standard.pk)},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert "already follow" in r.json()["detail"]
    r = api.post(
        "/api/alerts/watches",
        {"kind": "ics", "value": "99.999"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "ics" in r.json()["detail"]
    r = api.post(
        "/api/alerts/watches",
        {"kind": "standard", "value": "424242"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert [w["id"] for w in api.get("/api/alerts/watches").json()] == [wid]
    assert api.delete(f"/api/alerts/watches/{wid}").status_code == 204
    assert not Watch.objects.exists()
    assert Client().get("/api/alerts/watches").status_code == 401


def test_inbox_api_and_page(user, client, django_assert_max_num_queries):
    for n in range(5):
        InboxItem.objects.create(
            user=user, kind="replaced", subject=f"S{n}", dedupe=str(n)
        )
    api = _api(user)
    body = api.get("/api/alerts/inbox").json()
    assert body["unread"] == 5
    assert [i["subject"] for i in body["items"]][:2] == ["S4", "S3"]
    assert api.post(
        "/api/alerts/inbox/read",
        {"ids": [body["items"][0]["id"]]},
        content_type="application/json",
    ).json() == {"marked": 1}
    client.force_login(user)
    with django_assert_max_num_queries(12):
        page = client.get("/alerts/inbox/")
    assert page.status_code == 200
    assert "4 unread" in page.content.decode()


def test_follow_button_htmx(user, client, standard):
    client.force_login(user)
    r = client.post(f"/alerts/follow/{standard.pk}/", headers={"hx-request": "true"})
    assert "Unfollow" in r.content.decode()
    assert Watch.objects.filter(user=user, standard=standard).exists()
    r = client.post(f"/alerts/follow/{standard.pk}/", headers={"hx-request": "true"})
    assert ">Follow<" in r.content.decode()
    assert not Watch.objects.exists()
    anonymous = Client(headers={"accept-language": "en"})
    assert (
        "Log in to follow"
        in anonymous.get(f"/alerts/follow/{standard.pk}/").content.decode()
    )


def test_watch_list_page_refuses_unknown_ics(user, client, classifications):
    client.force_login(user)
    r = client.post("/alerts/", {"kind": "ics", "value": "99.999"}, follow=True)
    assert "unknown ICS code 99.999" in r.content.decode()


def test_unsubscribe_without_login(user):
    token = services.unsubscribe_token(user)
    anonymous = Client(headers={"accept-language": "en"})
    assert (
        "Stop the daily"
        in anonymous.get(f"/alerts/unsubscribe/{token}/").content.decode()
    )
    r = anonymous.post(f"/alerts/unsubscribe/{token}/")
    assert "no more digest" in r.content.decode()
    assert user.digest_setting.digest is False
    assert anonymous.post("/alerts/unsubscribe/bad/").status_code == 400


def _check_atom(content: bytes) -> etree._Element:
    root = etree.fromstring(content)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        assert root.find(ATOM + name) is not None, name
    for entry in root.findall(ATOM + "entry"):
        for name in ("id", "title", "updated", "link"):
            assert entry.find(ATOM + name) is not None, name
    return root


def test_feeds_validate_as_atom(user, client, standard, make_org):
    import feedparser

    new = catalog_services.standard_create(
        actor=None, identifier="GB/T 19001-2026", title_zh="质量管理体系 要求"
    )
    catalog_services.standard_replace(old=standard, new=new, actor=None)
    r = client.get("/alerts/feeds/standards/replaced/?level=national")
    assert r["content-type"].startswith("application/atom+xml")
    root = _check_atom(r.content)
    titles = [e.findtext(ATOM + "title") for e in root.findall(ATOM + "entry")]
    assert titles == ["GB/T 19001-2016 质量管理体系 要求"]
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo
    assert parsed.version == "atom10"
    _check_atom(client.get("/alerts/feeds/standards/new/?ics=03.120&q=质量").content)
    _check_atom(client.get("/alerts/feeds/consultations/").content)
    org = make_org("Feed org")
    _check_atom(client.get(f"/alerts/feeds/organisations/{org.pk}/").content)
    InboxItem.objects.create(user=user, kind="replaced", subject="X", dedupe="x")
    root = _check_atom(
        client.get(f"/alerts/feeds/watches/{watch_feed_token(user)}/").content
    )
    assert len(root.findall(ATOM + "entry")) == 1
    assert client.get("/alerts/feeds/watches/bad/").status_code == 404
    assert client.get("/alerts/feeds/standards/other/").status_code == 404


def test_export_csv_and_xlsx_escape_formulas(client, classifications):
    from openpyxl import load_workbook

    catalog_services.standard_create(
        actor=None, identifier="GB/T 1-2020", title_zh="=HYPERLINK(1)"
    )
    catalog_services.standard_create(actor=None, identifier="GB/T 2-2020", title_zh="b")
    r = client.get("/alerts/export.csv?level=national")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "identifier"
    assert [row[0] for row in rows[1:]] == ["GB/T 1-2020", "GB/T 2-2020"]
    assert rows[1][1] == "'=HYPERLINK(1)"
    r = client.get("/alerts/export.xlsx?q=GB/T 1")
    assert r.streaming
    assert 'filename="standards-' in r["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = list(ws.values)
    assert values[1][0] == "GB/T 1-2020"
    assert values[1][1] == "'=HYPERLINK(1)"
    assert client.get("/alerts/export.pdf").status_code == 404


def test_search_api_cursor_pages_past_the_cap(client, classifications):
    for n in range(1, 8):
        catalog_services.standard_create(
            actor=None, identifier=f"GB/T {n}-2020", title_zh="标准"
        )
    seen, cursor = [], None
    while True:
        url = "/api/catalog/standards/?per_page=3" + (
            f"&cursor={cursor}" if cursor else ""
        )
        body = client.get(url).json()
        seen += [i["identifier"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))
    body = client.get("/api/catalog/standards/?q=GB/T&per_page=3").json()
    assert body["next_cursor"]
    assert client.get("/api/catalog/standards/?cursor=zzz").status_code == 400


def test_search_page_export_buttons_carry_the_current_search(client, classifications):
    import html
    import re

    catalog_services.standard_create(actor=None, identifier="GB/T 1-2020", title_zh="a")
    catalog_services.standard_create(actor=None, identifier="GB/T 2-2021", title_zh="b")
    page = client.get("/catalog/?level=national&year=2020").content.decode()
    links = [
        html.unescape(m)
        for m in re.findall(r'href="(/alerts/export\.(?:csv|xlsx)\?[^"]*)"', page)
    ]
    assert len(links) == 2
    assert all("level=national&year=2020" in link for link in links)
    r = client.get(links[0])
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == ["GB/T 1-2020"]

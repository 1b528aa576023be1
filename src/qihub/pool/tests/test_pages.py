"""The pool page: the public sees listed experts and held texts; staff add
experts and texts, record withdrawn consent and release texts."""

import datetime

import pytest

from qihub.pool import services
from qihub.pool.models import Expert, HeldText

pytestmark = pytest.mark.django_db


def test_public_page_shows_only_listed_experts(client):
    services.expert_create(
        name_en="Listed Person",
        fields="metrology",
        listed=True,
        consent_on=datetime.date(2025, 1, 2),
    )
    services.expert_create(name_en="Hidden Person", fields="metrology")
    page = client.get("/pool/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Listed Person" in page
    assert "Hidden Person" not in page
    assert 'id="expert-form"' not in page


def test_staff_add_withdraw_and_release(staff):
    r = staff.post(
        "/pool/experts/add",
        {
            "name_en": "Wang",
            "fields": "metrology; calibration",
            "listed": "on",
            "consent_on": "2025-01-02",
        },
    )
    assert r.status_code == 302, r.content.decode()
    expert = Expert.objects.get()
    r = staff.post(
        "/pool/texts/add",
        {"identifier": "ISO 9001:2015", "edition": "2015", "licence_scope": "network"},
    )
    assert r.status_code == 302
    text = HeldText.objects.get()
    page = staff.get("/pool/").content.decode()
    assert "metrology; calibration" in page
    assert "Shareable with the network" in page

    assert staff.post(f"/pool/experts/{expert.pk}/withdraw").status_code == 302
    expert.refresh_from_db()
    assert not expert.listed
    r = staff.post(f"/pool/experts/{expert.pk}/withdraw")
    assert r.status_code == 409
    assert "no consent to withdraw" in r.content.decode()
    assert staff.post(f"/pool/texts/{text.pk}/release").status_code == 302
    text.refresh_from_db()
    assert text.released_on


def test_refused_forms_keep_what_was_typed(staff):
    r = staff.post(
        "/pool/experts/add", {"name_en": "Wang", "fields": "metrology", "listed": "on"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "Record the date the expert agreed to be listed." in body
    assert 'value="Wang"' in body
    assert not Expert.objects.exists()
    services.held_text_create(identifier="ISO 1", edition="1", licence_scope="site")
    r = staff.post(
        "/pool/texts/add",
        {"identifier": "ISO 1", "edition": "1", "licence_scope": "site"},
    )
    assert r.status_code == 400
    assert "already listed" in r.content.decode()
    assert HeldText.objects.count() == 1


def test_actions_are_for_staff(client, enterprise_user):
    client.force_login(enterprise_user)
    r = client.post("/pool/experts/add", {"name_en": "X", "fields": "y"})
    assert r.status_code == 403
    assert not Expert.objects.exists()


def test_the_page_in_chinese(zh_client):
    page = zh_client.get("/pool/").content.decode()
    assert "专家库" in page


def test_admin_goes_through_the_services(client, admin_user):
    client.force_login(admin_user)
    r = client.post(
        "/admin/pool/expert/add/",
        {"name_en": "Wang", "fields": "metrology", "listed": "on"},
    )
    assert r.status_code == 200  # refused: the form says why
    assert "Record the date the expert agreed" in r.content.decode()
    r = client.post(
        "/admin/pool/heldtext/add/",
        {"identifier": "ISO 1", "edition": "1", "licence_scope": "site"},
    )
    assert r.status_code == 302
    assert HeldText.objects.get().ident_key


def test_pool_page_queries_do_not_grow_with_rows(staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qihub.organisations.models import Organisation

    org = Organisation.objects.create(name_zh="甲所", kind="enterprise")

    def add(n: int) -> None:
        services.expert_create(name_zh=f"专家{n}", fields="计量", organisation=org)
        services.held_text_create(
            identifier=f"ISO {n}", edition="1", licence_scope="site"
        )

    add(0)
    with CaptureQueriesContext(connection) as few:
        assert staff.get("/pool/").status_code == 200
    for n in range(1, 11):
        add(n)
    with CaptureQueriesContext(connection) as many:
        assert staff.get("/pool/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)

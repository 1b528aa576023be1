"""Expert pool and held texts: consent rules, identifier links, refusals
that change nothing."""

import datetime

import pytest

from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError
from qihub.pool import services
from qihub.pool.models import Expert, HeldText, split_fields

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 1)


def test_fields_are_split_on_any_separator():
    assert split_fields("计量；校准, 温度;; ") == ["计量", "校准", "温度"]


def test_expert_is_created_and_tidied():
    e = services.expert_create(
        name_zh=" 王计量 ", fields="计量，校准", listed=True, consent_on=TODAY
    )
    assert (e.name_zh, e.fields, e.field_list) == (
        "王计量",
        "计量; 校准",
        ["计量", "校准"],
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"fields": "x"}, "Give the expert's name"),
        ({"name_zh": "王"}, "at least one field"),
        ({"name_zh": "王", "fields": "x", "listed": True}, "date the expert agreed"),
        (
            {
                "name_zh": "王",
                "fields": "x",
                "listed": True,
                "consent_on": TODAY,
                "contact_shared": True,
            },
            "the e-mail address the expert agreed",
        ),
        (
            {
                "name_zh": "王",
                "fields": "x",
                "contact_shared": True,
                "email": "w@example.org",
            },
            "only for an expert who agreed to be listed",
        ),
        (
            {
                "name_zh": "王",
                "fields": "x",
                "listed": True,
                "consent_on": datetime.date(2999, 1, 1),
            },
            "cannot be in the future",
        ),
        ({"name_zh": "王", "fields": "x", "salary": 1}, "Unknown fields: salary"),
    ],
)
def test_bad_experts_are_refused(values, message):
    with pytest.raises(ApplicationError, match=message):
        services.expert_create(**values)
    assert not Expert.objects.exists()


def test_refused_update_changes_nothing():
    e = services.expert_create(name_zh="王", fields="计量")
    with pytest.raises(ApplicationError):
        services.expert_update(expert=e, listed=True)
    e.refresh_from_db()
    assert (e.listed, e.fields) == (False, "计量")


def test_consent_withdrawal():
    e = services.expert_create(
        name_zh="王",
        fields="计量",
        email="w@example.org",
        listed=True,
        contact_shared=True,
        consent_on=TODAY,
    )
    e = services.expert_consent_withdraw(expert=e, on=TODAY)
    assert (e.listed, e.contact_shared, e.consent_withdrawn_on) == (False, False, TODAY)
    with pytest.raises(ApplicationError, match="no consent to withdraw"):
        services.expert_consent_withdraw(expert=e)
    e = services.expert_update(expert=e, listed=True, consent_on=TODAY)
    assert e.consent_withdrawn_on is None


def test_held_text_links_the_catalogue_record():
    s = StandardFactory(identifier="GB/T 19001-2016", title_zh="质量管理体系 要求")
    t = services.held_text_create(
        identifier="GB/T  19001-2016", edition="2016", licence_scope="site"
    )
    assert (t.standard, t.title, t.ident_key) == (s, "质量管理体系 要求", s.ident_key)
    other = services.held_text_create(
        identifier="ISO 9001:2015", edition="2015", licence_scope="single_user"
    )
    assert other.standard is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"edition": "2015", "licence_scope": "site"}, "identifier"),
        ({"identifier": "ISO 1", "licence_scope": "site"}, "edition"),
        (
            {"identifier": "ISO 1", "edition": "1", "licence_scope": "all"},
            "Unknown licence",
        ),
        (
            {
                "identifier": "ISO 1",
                "edition": "1",
                "licence_scope": "site",
                "file": "x.pdf",
            },
            "Unknown fields: file",
        ),
    ],
)
def test_bad_held_texts_are_refused(values, message):
    with pytest.raises(ApplicationError, match=message):
        services.held_text_create(**values)
    assert not HeldText.objects.exists()


def test_same_edition_twice_is_refused_and_release_once():
    t = services.held_text_create(identifier="ISO 1", edition="1", licence_scope="site")
    with pytest.raises(ApplicationError, match="already listed") as exc:
        services.held_text_create(
            identifier="ISO  1", edition="1", licence_scope="site"
        )
    assert exc.value.status == 409
    services.held_text_create(identifier="ISO 1", edition="2", licence_scope="site")
    services.held_text_release(text=t, on=TODAY)
    with pytest.raises(ApplicationError, match="already released"):
        services.held_text_release(text=t)


def test_only_staff_may_write(enterprise_user):
    with pytest.raises(ApplicationError) as exc:
        services.expert_create(actor=enterprise_user, name_zh="王", fields="x")
    assert exc.value.status == 403
    assert not Expert.objects.exists()


def test_demo_rows(db):
    from qihub.pool import demo

    demo.load()
    demo.load()  # runs again without duplicating
    assert Expert.objects.count() == 3
    assert Expert.objects.filter(listed=True).count() == 2
    assert HeldText.objects.filter(identifier="ISO 9001:2015").exists()

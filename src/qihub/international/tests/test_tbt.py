"""TBT matching stores fields and cited standards only; the enterprises a
notification touches are read from the declarations, paged, in a bounded
number of queries; the data migration keeps every enterprise a notification
listed before."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from qihub.international import selectors
from qihub.international.imports import tbt_import
from qihub.international.models import TbtMatch, TbtNotification
from qihub.international.tbt import tbt_match
from qihub.international.tests.conftest import TBT_CSV

MIGRATION = importlib.import_module(
    "qihub.international.migrations.0003_tbt_enterprises_read_from_declarations"
)


def _declaring_enterprises(standard, n: int, prefix: str = "甜味企业") -> list:
    """``n`` enterprises, each with a published declaration citing
    ``standard`` (written in bulk: the services would take a minute)."""
    from qihub.declarations.models import (
        Declaration,
        DeclarationVersion,
        DeclaredStandard,
        Enterprise,
    )
    from qihub.organisations.models import Organisation

    orgs = Organisation.objects.bulk_create(
        Organisation(name_zh=f"{prefix}{i:03}", name_key=f"{prefix}{i:03}")
        for i in range(n)
    )
    ents = Enterprise.objects.bulk_create(
        Enterprise(organisation=o, industry="食品") for o in orgs
    )
    decls = Declaration.objects.bulk_create(
        Declaration(enterprise=e, status="published", product_name="p") for e in ents
    )
    versions = DeclarationVersion.objects.bulk_create(
        DeclarationVersion(
            declaration=d, number=1, status="published", product_name="p", category="c"
        )
        for d in decls
    )
    for d, v in zip(decls, versions, strict=True):
        d.current_version = v
    Declaration.objects.bulk_update(decls, ["current_version"])
    DeclaredStandard.objects.bulk_create(
        DeclaredStandard(version=v, standard=standard, identifier=standard.identifier)
        for v in versions
    )
    return orgs


@pytest.fixture
def kor(food_enterprise, food):
    assert tbt_import(file=TBT_CSV.encode()).ok
    return TbtNotification.objects.get(symbol="G/TBT/N/KOR/1201")


@pytest.mark.django_db
def test_matching_stores_fields_and_standards_not_enterprises(kor, food):
    assert set(kor.matches.values_list("kind", flat=True)) == {"ics", "standard"}
    _declaring_enterprises(food["gb2760"], 3)
    # a declaration published after the match is read at once
    assert selectors.tbt_enterprises(kor).organisations().count() == 4


@pytest.mark.django_db
def test_enterprise_of_a_cited_standard_outside_the_fields(kor, food):
    # ISO 22000:2018 is cited; it is in ICS 67.020 and 03.100.70, not 67.220
    (org,) = _declaring_enterprises(food["iso22000"], 1, prefix="管理体系企业")
    found = selectors.tbt_enterprises(kor)
    assert org in found.organisations()
    assert found.reasons([org]) == {org.pk: ""}
    assert kor in selectors.tbt_alerts_for([org.pk])


@pytest.mark.django_db
def test_withdrawn_declaration_no_longer_touched(kor, food_enterprise):
    from qihub.declarations.models import Declaration

    Declaration.objects.filter(enterprise=food_enterprise).update(status="withdrawn")
    assert not selectors.tbt_enterprises(kor).organisations().exists()
    assert not selectors.tbt_alerts_for([food_enterprise.organisation_id]).exists()


@pytest.mark.django_db
def test_enterprise_list_is_paged_with_bounded_queries(
    client, kor, food, django_assert_max_num_queries
):
    _declaring_enterprises(food["gb2760"], 120)
    url = reverse("international:tbt_detail", args=[kor.pk])
    for page, rows in ((1, 50), (2, 50), (3, 21)):
        with django_assert_max_num_queries(12):
            r = client.get(f"{url}?page={page}")
        assert r.status_code == 200
        assert r.text.count("declares a standard in ICS 67.220.20") == rows
    assert "121 enterprises" in r.text
    assert "page 3 of 3" in r.text
    # htmx asks for the enterprises alone
    with django_assert_max_num_queries(10):
        r = client.get(f"{url}?page=2", headers={"HX-Request": "true"})
    assert r.text.startswith('<div id="enterprises">')
    assert "<h1>" not in r.text
    # a page number that is not one shows the first page
    assert "page 1 of 3" in client.get(f"{url}?page=x").text


@pytest.mark.django_db
def test_api_enterprises_paged(client, kor, food, django_assert_max_num_queries):
    _declaring_enterprises(food["gb2760"], 60)
    detail = client.get(f"/api/international/tbt/{kor.pk}").json()
    assert detail["enterprises_count"] == 61
    assert sum(m["kind"] == "organisation" for m in detail["matches"]) == 50
    with django_assert_max_num_queries(8):
        page = client.get(f"/api/international/tbt/{kor.pk}/enterprises?page=2")
    page = page.json()
    assert (page["count"], page["page"], page["pages"]) == (61, 2, 2)
    assert len(page["items"]) == 11
    assert page["items"][0]["ics_code"] == "67.220.20"
    r = client.get(f"/api/international/tbt/{kor.pk}/enterprises?page=0")
    assert r.status_code == 422


@pytest.mark.django_db
def test_only_enterprises_with_users_get_inbox_items(kor, food, food_enterprise):
    from qihub.alerts.models import InboxItem

    _declaring_enterprises(food["gb2760"], 5)
    tbt_match()
    ent_user = food_enterprise.organisation.memberships.get().user
    assert list(InboxItem.objects.values_list("user", flat=True)) == [ent_user.pk]


@pytest.mark.django_db
def test_migration_keeps_the_enterprises_each_match_listed(kor, food, orgs):
    """Before the change every (notification, enterprise) was a row. Rows the
    declarations reproduce go; the others stay and are still listed."""
    ent_org = selectors.tbt_enterprises(kor).organisations().get()
    gone = orgs["lab"]  # recorded by the old matching, declares nothing now
    TbtMatch.objects.bulk_create(
        [
            TbtMatch(
                notification=kor,
                kind="organisation",
                organisation=ent_org,
                ics_code="67.220.20",
            ),
            TbtMatch(
                notification=kor,
                kind="organisation",
                organisation=gone,
                ics_code="67.220",
            ),
        ]
    )
    MIGRATION.forwards(apps, None)
    assert list(
        kor.matches.filter(kind="organisation").values_list("organisation", flat=True)
    ) == [gone.pk]
    found = selectors.tbt_enterprises(kor)
    listed = list(found.organisations())
    assert set(listed) == {ent_org, gone}
    assert found.reasons(listed) == {ent_org.pk: "67.220.20", gone.pk: "67.220"}
    assert kor in selectors.tbt_alerts_for([gone.pk])
    # backwards writes a row for every enterprise again, once
    MIGRATION.backwards(apps, None)
    assert sorted(
        kor.matches.filter(kind="organisation").values_list("organisation", flat=True)
    ) == sorted([ent_org.pk, gone.pk])
    # re-matching replaces the recorded rows with what the declarations show
    tbt_match(notification_ids=[kor.pk])
    assert not kor.matches.filter(kind="organisation").exists()
    assert list(selectors.tbt_enterprises(kor).organisations()) == [ent_org]

"""The organisation search reads the full-text index (migration 0003), on
SQLite and PostgreSQL alike: it follows every write, covers the rows that
existed before it, and lists a broad match newest first."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qihub.organisations import selectors, services
from qihub.organisations.models import Organisation
from qihub.organisations.names import name_key, search_tokens

pytestmark = pytest.mark.django_db


def _names(qs) -> list[str]:
    return [org.name_zh for org in qs]


def test_fragments_prefixes_and_former_names_are_found(make_org):
    centre = make_org("绵阳科技城区域标准创新中心", kind="standardization_institute")
    services.organisation_update(
        actor=None, organisation=centre, name_en="Mianyang Standard Innovation Centre"
    )
    make_org("成都市标准化研究院", kind="standardization_institute")
    assert _names(selectors.organisation_search(q="科技城")) == [centre.name_zh]
    assert _names(selectors.organisation_search(q="创新 绵阳")) == [centre.name_zh]
    assert _names(selectors.organisation_search(q="innov")) == [centre.name_zh]
    assert _names(selectors.organisation_search(q="标准")) == [
        "成都市标准化研究院",
        "绵阳科技城区域标准创新中心",
    ]
    assert not selectors.organisation_search(q="重庆")
    assert not selectors.organisation_search(q='" OR 1')  # no FTS syntax


def test_the_index_follows_a_rename(make_org):
    org = make_org("四川虹欧显示器件有限公司")
    services.organisation_update(
        actor=None, organisation=org, name_zh="四川长虹显示公司"
    )
    assert _names(selectors.organisation_search(q="长虹显示")) == ["四川长虹显示公司"]
    # the former name stays searchable
    assert list(selectors.organisation_search(q="虹欧")) == [org]


def test_a_broad_match_lists_the_newest_first(make_org, monkeypatch):
    monkeypatch.setattr(selectors, "MATCH_CAP", 2)
    orgs = [make_org(f"绵阳第{n}电子有限公司") for n in "一二三四"]
    found = list(selectors.organisation_search(q="电子"))
    assert [o.pk for o in found] == [o.pk for o in reversed(orgs)]
    assert list(selectors.organisation_search(q="电子", kind="university")) == []


def test_a_broad_match_is_counted_by_the_index(make_org, monkeypatch):
    monkeypatch.setattr(selectors, "MATCH_CAP", 2)
    for n in "一二三四":
        make_org(f"绵阳第{n}电子有限公司")
    make_org("成都电子科技大学", kind="university")
    make_org("绵阳市标准化研究院", kind="standardization_institute")
    found = selectors.organisation_search(q="电子")
    assert found.count() == 5 == len(list(found))
    # a filter added afterwards, or none(), counts for real
    assert found.filter(kind="university").count() == 1
    assert found.none().count() == 0
    assert selectors.organisation_search(q="电子")[:2].count() == 2
    # with a filter of the search itself: counted by the table
    assert selectors.organisation_search(q="电子", kind="enterprise").count() == 4
    from django.core.paginator import Paginator

    assert Paginator(found, 2).num_pages == 3


def test_a_count_beyond_the_cap_is_a_lower_bound(make_org, monkeypatch, client):
    monkeypatch.setattr(selectors, "MATCH_CAP", 2)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for n in "一二三四五":
        make_org(f"绵阳第{n}电子有限公司")
    found = selectors.organisation_search(q="电子")
    assert found.count() == 3
    assert found.count_is_estimate
    assert len(list(found)) == 5  # every match is still listed
    data = client.get("/api/organisations/", {"q": "电子"}).json()
    assert data["count"] == 3
    assert data["count_is_estimate"] is True
    assert len(data["items"]) == 5
    data = client.get("/api/organisations/", {"q": "第一电子"}).json()
    assert data["count"] == 1
    assert data["count_is_estimate"] is False


def test_name_match_uses_the_index_for_former_names(make_org):
    org = make_org("西南应用磁学研究所", kind="research_institute")
    services.organisation_update(
        actor=None, organisation=org, name_zh="中国电子科技集团公司第九研究所"
    )
    assert services.organisation_match(name="西南应用磁学研究所") == org
    assert services.organisation_match(name="西南应用光学研究所") is None


@pytest.mark.django_db(transaction=True)
def test_rows_registered_before_the_index_are_in_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("organisations", "0002_regions")])
    old = executor.loader.project_state([("organisations", "0002_regions")]).apps
    Old = old.get_model("organisations", "Organisation")
    name = "中国空气动力研究与发展中心"
    Old.objects.create(
        name_zh=name,
        name_key=name_key(name),
        search_text=" ".join(search_tokens(name)),
        kind="military_research",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _names(selectors.organisation_search(q="空气动力")) == [name]
    assert Organisation.objects.filter(name_zh=name).exists()

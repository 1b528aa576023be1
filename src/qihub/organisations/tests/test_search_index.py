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


def test_few_matches_are_filtered_counted_and_paged_from_one_read(make_org):
    """Up to MATCH_CAP matches come from the index with their name, kind and
    region: filters, count and order apply to them, and a page is read by
    its own ids."""
    import datetime

    from django.core.paginator import Paginator
    from django.test.utils import CaptureQueriesContext

    orgs = [
        make_org(name, kind=kind, region=region)
        for name, kind, region in [
            ("绵阳丙电子有限公司", "enterprise", "510703"),
            ("绵阳甲电子研究所", "research_institute", "510703"),
            ("成都乙电子有限公司", "enterprise", "510104"),
            ("深圳丁电子有限公司", "enterprise", "440304"),
        ]
    ]
    services.designation_add(
        actor=None,
        organisation=orgs[2],
        kind="honest_measurement",
        valid_from=datetime.date(2020, 1, 1),
    )
    by_name = sorted(orgs, key=lambda o: (o.name_key, o.pk))
    found = selectors.organisation_search(q="电子")
    with CaptureQueriesContext(connection) as ctx:
        assert found.count() == 4
        page = list(found[1:3])
    assert page == by_name[1:3]
    assert len(ctx.captured_queries) == 1  # the page; the count was known
    assert list(Paginator(found, 3).page(2).object_list) == by_name[3:]
    assert list(found) == by_name  # iterated whole: the same order
    assert list(found.filter(kind="research_institute")) == [orgs[1]]
    assert sorted(found.values_list("pk", flat=True)) == sorted(o.pk for o in orgs)

    def search(**filters):
        return list(selectors.organisation_search(q="电子", **filters))

    assert search(kind="enterprise") == [o for o in by_name if o.kind == "enterprise"]
    assert search(region="510000") == [o for o in by_name if o.region_id[:2] == "51"]
    assert search(region="510700") == [o for o in by_name if o.region_id[:4] == "5107"]
    assert search(designation="honest_measurement") == [orgs[2]]
    assert search(kind="university") == []
    counted = selectors.organisation_search(q="电子", region="510000")
    assert counted.count() == 3
    assert not counted.count_is_estimate


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL plan of a broad name search")


def test_postgres_broad_match_estimated_and_newest_first(
    postgres_only, make_org, monkeypatch
):
    """A search the index's statistics call broad is not read from the
    index first: its count is the estimate, and its page the newest matches,
    found by walking the newest rows or, when they hold too few, from the
    index in a widening window of the newest ids."""
    orgs = [make_org(f"绵阳第{n}电子有限公司") for n in "一二三四五六七八"]
    make_org("成都市标准化研究院", kind="standardization_institute")
    monkeypatch.setattr(selectors, "BROAD_ESTIMATE", 4)
    monkeypatch.setattr(selectors, "_statistics", lambda: ({"电子": 0.5}, 0.01, 10.0))
    newest = [o.pk for o in reversed(orgs)]
    for recent in (20_000, 1):  # the walk finds them; the walk is too short
        monkeypatch.setattr(selectors, "RECENT", recent)
        found = selectors.organisation_search(q="电子")
        assert found.count() == 5
        assert found.count_is_estimate
        assert [o.pk for o in found[0:3]] == newest[:3]
        assert [o.pk for o in found[6:20]] == newest[6:]
        assert [o.pk for o in found] == newest
    # a filter added afterwards is counted by the table
    assert found.filter(kind="enterprise").count() == 8
    # the planner settings of the search do not outlive it
    with connection.cursor() as cur:
        cur.execute("SHOW enable_seqscan")
        assert cur.fetchone()[0] == "on"
        cur.execute("SHOW enable_indexscan")
        assert cur.fetchone()[0] == "on"


def test_postgres_estimate_takes_a_word_as_its_rarest_pair(postgres_only, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "_statistics",
        lambda: ({"杭州": 0.1, "检测": 0.3, "测技": 0.1, "技术": 0.1}, 0.001, 1e6),
    )
    _share, estimate = selectors._estimated_matches(
        [["杭州"], ["检测", "测技", "技术"]]
    )
    assert estimate == 10_000
    assert selectors._estimated_matches([["杭"]])[1] == 1000  # unknown: rare

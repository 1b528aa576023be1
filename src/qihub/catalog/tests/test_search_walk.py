"""The keyset walk of search results: the API's cursor and the search
export give every result of a query exactly once, in the order of the
search's pages, on both databases."""

import pytest

from qihub.catalog import search
from qihub.catalog.search_walk import START, Position, page_after, results_after
from qihub.catalog.tests.test_search import make

QUERIES = [
    # (query, filters): exact band and prefix band (a digit: no text band)
    ("GB/T 1", {}),
    # identifiers starting with the query, then text matches outside them
    ("gb", {}),
    # text only: few (ranked) or many (newest first) by the caps below
    ("食品", {}),
    ("food safety", {}),
    ("食品", {"status": "withdrawn"}),
    ("标准", {"level": "national", "year": 2020}),
    ("蜂蜜", {}),  # one match
    ("纸张", {}),  # none
]


@pytest.fixture
def catalogue(db):
    made = []
    for i in range(40):
        year = 2018 + i % 4
        title = ["食品安全 乳制品", "食品 检验方法", "纸 标准", "标准 食品"][i % 4]
        made.append(
            make(
                f"GB/T {1 + (i % 3) * 10 + i // 12}-{year}"
                if i < 12
                else f"GB/T {2000 + i}-{year}",
                title_zh=title + f" 第{i}部分",
                title_en="Food safety part" if i % 2 else "Paper",
                status="withdrawn" if i % 5 == 0 else "in_force",
            )
        )
    for i in range(6):  # other prefixes with Chinese titles, for "gb"-free text
        make(f"QB/T {100 + i}-2020", title_zh="食品 标准 轻工", title_en="GB food")
    make("QB/T 200-2020", title_zh="蜂蜜")
    return made


def _all_ids(q: str, filters: dict) -> list[int]:
    page = search.search_standards(q=q, limit=10_000, **filters)
    return [row["id"] for row in page.rows]


def _walk(q: str, filters: dict, per_page: int) -> list[int]:
    seen, position = [], START
    for _ in range(1000):
        ids, position = page_after(q=q, after=position, limit=per_page, **filters)
        assert len(ids) <= per_page
        seen += ids
        if position is None:
            return seen
        # a position survives its text form (the API's cursor)
        position = Position.decode(position.encode())
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize("cap", [5, 200], ids=["many", "few"])
@pytest.mark.parametrize("per_page", [1, 3, 7, 50])
def test_pages_give_every_result_once_in_the_search_order(
    catalogue, monkeypatch, cap, per_page
):
    # cap 5: most queries have more text matches than the caps (newest
    # first); cap 200: all ranked.
    monkeypatch.setattr(search, "MATCH_CAP", cap)
    monkeypatch.setattr(search, "RANK_CAP", cap)
    for q, filters in QUERIES:
        want = _all_ids(q, filters)
        got = _walk(q, filters, per_page)
        assert got == want, (q, filters)
        assert len(set(got)) == len(got)
        streamed = [pk for pk, _ in results_after(q=q, chunk=per_page, **filters)]
        assert streamed == want, (q, filters)


@pytest.mark.parametrize("cap", [5, 200])
@pytest.mark.parametrize("per_page", [2, 5, 9])
def test_api_cursor_pages_match_the_first_page_and_keep_its_count(
    catalogue, client, monkeypatch, cap, per_page
):
    monkeypatch.setattr(search, "MATCH_CAP", cap)
    monkeypatch.setattr(search, "RANK_CAP", cap)
    for q, filters in QUERIES:
        want = _all_ids(q, filters)
        params = {"q": q, "per_page": per_page, **filters}
        first = client.get("/api/catalog/standards/", params).json()
        seen = [item["id"] for item in first["items"]]
        body = first
        while body["next_cursor"]:
            body = client.get(
                "/api/catalog/standards/", {**params, "cursor": body["next_cursor"]}
            ).json()
            assert body["count"] == first["count"]
            assert body["count_is_estimate"] == first["count_is_estimate"]
            seen += [item["id"] for item in body["items"]]
        assert seen == want, (q, filters)


def test_a_deep_cursor_costs_no_more_statements_than_the_first(
    catalogue, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(search, "MATCH_CAP", 5)
    monkeypatch.setattr(search, "RANK_CAP", 5)
    position = START
    for _ in range(5):
        with django_assert_max_num_queries(8):
            _ids, position = page_after(q="gb", after=position, limit=3)


@pytest.mark.parametrize(
    "text", ["", "3n", "0nx", "2r12", "2n1:2", "9n", "2rx:1", "1x"]
)
def test_bad_positions_are_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011 (any malformed text)
        Position.decode(text)


def test_api_refuses_cursors_of_another_kind(catalogue, client):
    body = client.get("/api/catalog/standards/?q=gb&per_page=2").json()
    cursor = body["next_cursor"]
    assert cursor
    # a query's cursor without the query, a listing's with one, garbage
    assert client.get(f"/api/catalog/standards/?cursor={cursor}").status_code == 400
    listing = client.get("/api/catalog/standards/?per_page=2").json()["next_cursor"]
    r = client.get(f"/api/catalog/standards/?q=gb&cursor={listing}")
    assert r.status_code == 400
    assert "start again" in r.json()["detail"]
    assert client.get("/api/catalog/standards/?q=gb&cursor=czox").status_code == 400
    from base64 import urlsafe_b64encode

    gone = urlsafe_b64encode(b"s:5:1:@99999999").decode()
    assert client.get(f"/api/catalog/standards/?q=gb&cursor={gone}").status_code == 400

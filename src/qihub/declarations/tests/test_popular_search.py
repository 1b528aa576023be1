"""A standard cited by many declarations: newest first, and a count that
stops at a bound past the page (a lower bound beyond it)."""

import pytest

from qihub.declarations import selectors
from qihub.declarations.tests.test_views import _published

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(gb_toy, enterprise, enterprise_user, monkeypatch):
    monkeypatch.setattr(selectors, "POPULAR", 3)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    return [
        _published(enterprise_user, enterprise, product=f"婴儿服装{i}")
        for i in range(8)
    ]


def test_a_popular_standard_lists_the_newest_first(many):
    qs = selectors.declaration_search(standard="GB 31701-2015")
    assert "EXISTS" in str(qs.query)
    results = selectors.SearchResults(qs, page=1, per_page=3)
    assert [d.pk for d in results[0:3]] == [d.pk for d in reversed(many)][:3]


def test_the_count_is_exact_below_the_bound_and_a_lower_bound_above(many):
    qs = selectors.declaration_search(standard="GB 31701-2015")
    first = selectors.SearchResults(qs, page=1, per_page=3)
    assert (first.count(), first.total_is_estimate) == (5, True)
    last = selectors.SearchResults(qs, page=3, per_page=3)
    assert (last.count(), last.total_is_estimate) == (8, False)


def test_a_rare_standard_is_found_through_its_citations(
    gb_toy, enterprise, enterprise_user
):
    declaration = _published(enterprise_user, enterprise)
    qs = selectors.declaration_search(standard="GB 31701-2015")
    assert "EXISTS" not in str(qs.query)
    assert list(qs) == [declaration]


def test_the_api_says_when_the_count_is_a_lower_bound(client, many):
    answer = client.get(
        "/api/declarations/declarations",
        {"standard": "GB 31701-2015", "page_size": 3},
    ).json()
    assert (answer["count"], answer["count_is_estimate"]) == (5, True)
    assert len(answer["items"]) == 3
    beyond = client.get(
        "/api/declarations/declarations",
        {"standard": "GB 31701-2015", "page": 3, "page_size": 3},
    ).json()
    assert (beyond["count"], beyond["count_is_estimate"]) == (8, False)
    assert len(beyond["items"]) == 2
    assert (
        client.get(
            "/api/declarations/declarations", {"standard": "x", "page": 10**12}
        ).status_code
        == 422
    )


def test_the_page_lists_every_match_of_its_first_page(client, many):
    page = client.get("/declarations/", {"standard": "GB 31701-2015"}).text
    assert "婴儿服装7" in page
    assert "婴儿服装0" in page

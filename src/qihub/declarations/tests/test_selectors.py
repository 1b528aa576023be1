"""The declarations' profile provider for organisation and network pages."""

import pytest

from qihub.declarations import forerunners, selectors, services
from qihub.declarations.tests.conftest import GOOD_INDICATORS, make_code

pytestmark = pytest.mark.django_db


def _publish(user, enterprise, product, hcho="15"):
    indicators = [dict(GOOD_INDICATORS[0], value=hcho), GOOD_INDICATORS[1]]
    d = services.declaration_create(
        actor=user,
        enterprise=enterprise,
        product_name=product,
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=indicators,
    )
    services.declaration_submit(actor=user, declaration=d)
    return d


def test_organisation_metrics_count_each_record_once(
    gb_toy, enterprise, enterprise_user, staff_user, django_assert_max_num_queries
):
    other = services.enterprise_create(
        actor=staff_user,
        credit_code=make_code("91440101MA5FQTHR1"),
        name="广州市棉语服饰有限公司",
        region="广州",
        industry="纺织",
    )
    _publish(enterprise_user, enterprise, "婴儿连体衣", "10")
    gone = _publish(enterprise_user, enterprise, "婴儿睡袋", "12")
    services.declaration_withdraw(
        actor=enterprise_user, declaration=gone, reason="停产"
    )
    _publish(staff_user, other, "儿童外套", "18")
    services.declaration_create(  # a draft is not published
        actor=enterprise_user,
        enterprise=enterprise,
        product_name="草稿",
        category="children's textiles",
        standards=["GB 31701-2015"],
    )
    ev = forerunners.forerunner_create(
        actor=staff_user,
        category="children's textiles",
        title="2026 领跑者",
        indicators=[{"parameter": "formaldehyde", "direction": "lower", "weight": 1}],
        leaders=1,
    )
    forerunners.forerunner_compute(actor=staff_user, evaluation=ev)
    draft_ev = forerunners.forerunner_create(  # computed, not published: not counted
        actor=staff_user,
        category="children's textiles",
        title="未发布",
        indicators=[{"parameter": "formaldehyde", "direction": "lower", "weight": 1}],
    )
    forerunners.forerunner_compute(actor=staff_user, evaluation=draft_ev)
    forerunners.forerunner_publish(actor=staff_user, evaluation=ev)
    ev.refresh_from_db()
    year = ev.published_at.year

    mine = enterprise.organisation_id
    with django_assert_max_num_queries(2):
        metrics = {m.key: m for m in selectors.organisation_metrics([mine])}
    assert metrics["declarations_published"].value == 1
    assert metrics["declarations_published"].by_level_year == {
        "declarations": {year: 1}
    }
    assert metrics["forerunner_entries"].value == 1
    assert metrics["forerunner_leaders"].value == 1  # formaldehyde 10: first

    both = {
        m.key: m.value
        for m in selectors.organisation_metrics([mine, other.organisation_id, mine])
    }
    assert both == {
        "declarations_published": 2,
        "forerunner_entries": 2,
        "forerunner_leaders": 1,
    }
    nothing = {m.key: m.value for m in selectors.organisation_metrics([999999])}
    assert set(nothing.values()) == {0}

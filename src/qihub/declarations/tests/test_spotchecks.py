from decimal import Decimal

import pytest

from qihub.core.errors import Conflict
from qihub.declarations import spotchecks
from qihub.declarations.models import SpotCheck
from qihub.declarations.spotchecks import Candidate, Examiner, draw


def _population(n=200):
    regions = ["深圳", "广州", "东莞"]
    industries = ["纺织", "电子"]
    return [
        Candidate(i, i, i % 40, f"企业{i % 40}", regions[i % 3], industries[i % 2])
        for i in range(1, n + 1)
    ]


def _examiners():
    # inspector k works for organisation k (the enterprise 企业k)
    return [Examiner(k, k) for k in range(1, 12)]


def test_same_seed_same_draw_and_different_seed_differs():
    pop, ex = _population(), _examiners()
    a = draw(pop, ex, seed=42, share=Decimal("0.1"))
    b = draw(list(reversed(pop)), list(reversed(ex)), seed=42, share=Decimal("0.1"))
    c = draw(pop, ex, seed=43, share=Decimal("0.1"))
    assert a == b
    assert a != c


def test_stratified_share_and_conflict_rule():
    pop, ex = _population(), _examiners()
    result = draw(pop, ex, seed=7, share=Decimal("0.1"))
    strata = {d.stratum for d in result}
    assert len(strata) == 6  # 3 regions x 2 industries
    assert len(result) == sum(
        spotchecks.stratum_size(
            sum(1 for c in pop if f"{c.region} / {c.industry}" == s), Decimal("0.1")
        )
        for s in strata
    )
    by_id = {e.inspector_id: e for e in ex}
    for d in result:
        assert d.inspector_id is not None
        assert not spotchecks.conflicted(by_id[d.inspector_id], d.candidate)


def test_no_free_inspector_leaves_unassigned():
    pop = [Candidate(1, 1, 5, "企业5", "深圳", "纺织")]
    result = draw(pop, [Examiner(1, 5)], seed=1, share=Decimal("1"))
    assert result[0].inspector_id is None


def _org(actor, name):
    from qihub.organisations.services import organisation_find_or_create

    org, _created = organisation_find_or_create(
        actor=actor, name=name, kind="testing_body"
    )
    return org


@pytest.mark.django_db
def test_plan_draw_findings_publish(staff_user, enterprise, gb_toy, enterprise_user):
    from qihub.declarations import services
    from qihub.declarations.tests.conftest import GOOD_INDICATORS

    for n in range(4):
        d = services.declaration_create(
            actor=enterprise_user,
            enterprise=enterprise,
            product_name=f"产品{n}",
            category="children's textiles",
            standards=["GB 31701-2015"],
            indicators=GOOD_INDICATORS,
        )
        services.declaration_submit(actor=enterprise_user, declaration=d)
    own = spotchecks.inspector_create(
        actor=staff_user, name="张三", organisation=enterprise.organisation
    )
    assert own.organisation.enterprise == enterprise
    other = spotchecks.inspector_create(
        actor=staff_user, name="李四", organisation=_org(staff_user, "市质检院")
    )
    plan = spotchecks.spotcheck_plan_create(
        actor=staff_user, name="2026 第一批", share="0.5", seed=2026
    )
    checks = spotchecks.spotcheck_draw(actor=staff_user, plan=plan)
    assert len(checks) == 2
    assert all(c.inspector_id == other.pk for c in checks)
    with pytest.raises(Conflict):
        spotchecks.spotcheck_draw(actor=staff_user, plan=plan)
    redraw = draw(
        spotchecks.candidates_for(plan),
        spotchecks.examiners(),
        seed=2026,
        share=plan.share,
    )
    assert [d.candidate.declaration_id for d in redraw] == [
        c.declaration_id for c in checks
    ]
    import datetime

    from django.utils import timezone

    spotchecks.spotcheck_record(actor=staff_user, check=checks[0], outcome="conforming")
    with pytest.raises(Conflict):
        spotchecks.spotcheck_plan_publish(actor=staff_user, plan=plan)
    spotchecks.spotcheck_record(
        actor=staff_user,
        check=checks[1],
        outcome="nonconforming",
        items=["甲醛超标"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    spotchecks.spotcheck_rectify(actor=staff_user, check=checks[1])
    assert SpotCheck.objects.get(pk=checks[1].pk).outcome == "rectified"
    spotchecks.spotcheck_plan_publish(actor=staff_user, plan=plan)


@pytest.mark.django_db
def test_conflict_rule_compares_organisations_not_spellings(
    staff_user, enterprise, gb_toy, enterprise_user
):
    """An inspector whose organisation is written another way is still the
    enterprise's own; one of a similar name but another party is not."""
    from qihub.declarations import services
    from qihub.declarations.tests.conftest import GOOD_INDICATORS

    d = services.declaration_create(
        actor=enterprise_user,
        enterprise=enterprise,
        product_name="婴儿连体衣",
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=GOOD_INDICATORS,
    )
    services.declaration_submit(actor=enterprise_user, declaration=d)
    same = _org(staff_user, "深圳市 童衣有限公司（）")  # another spelling
    assert same == enterprise.organisation
    near = _org(staff_user, "深圳市童衣科技有限公司")  # another party
    assert near != enterprise.organisation
    own = spotchecks.inspector_create(actor=staff_user, name="张三", organisation=same)
    other = spotchecks.inspector_create(
        actor=staff_user, name="李四", organisation=near
    )
    candidate = spotchecks.candidates_for(
        spotchecks.spotcheck_plan_create(actor=staff_user, name="p", share="1", seed=1)
    )[0]
    by_id = {e.inspector_id: e for e in spotchecks.examiners()}
    assert spotchecks.conflicted(by_id[own.pk], candidate)
    assert not spotchecks.conflicted(by_id[other.pk], candidate)
    assert candidate.region == "深圳市"  # strata are named by the division
    for seed in range(5):
        plan = spotchecks.spotcheck_plan_create(
            actor=staff_user, name=f"p{seed}", share="1", seed=seed, regions=["广东"]
        )
        (check,) = spotchecks.spotcheck_draw(actor=staff_user, plan=plan)
        assert check.inspector_id == other.pk


@pytest.mark.django_db
def test_inspector_needs_a_name_and_an_organisation(staff_user):
    from qihub.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="organisation the inspector") as exc:
        spotchecks.inspector_create(actor=staff_user, name="张三", organisation=None)
    assert "organisation" in exc.value.details
    with pytest.raises(ApplicationError, match="inspector's name"):
        spotchecks.inspector_create(
            actor=staff_user, name=" ", organisation=_org(staff_user, "市质检院")
        )

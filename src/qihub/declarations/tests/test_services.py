import pytest

from qihub.catalog.signals import standard_status_changed
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.declarations import services
from qihub.declarations.models import (
    CheckRun,
    Declaration,
    DeclarationVersion,
    DeclaredStandard,
    Notice,
)
from qihub.declarations.tests.conftest import GOOD_INDICATORS, make_code

pytestmark = pytest.mark.django_db


def _declare(user, enterprise, indicators):
    return services.declaration_create(
        actor=user,
        enterprise=enterprise,
        product_name="婴儿连体衣",
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=indicators,
    )


def test_weaker_indicator_is_flagged_and_not_published(
    gb_toy, enterprise, enterprise_user
):
    weak = [dict(GOOD_INDICATORS[0], value="30"), GOOD_INDICATORS[1]]
    decl = _declare(enterprise_user, enterprise, weak)
    version = services.declaration_submit(actor=enterprise_user, declaration=decl)
    decl.refresh_from_db()
    assert decl.status == Declaration.Status.DRAFT
    assert version.check_status == Declaration.Check.FLAGGED
    codes = {i["code"]: i for i in version.check_results}
    assert codes["indicator_weaker"]["parameter"] == "formaldehyde"
    assert Notice.objects.filter(enterprise=enterprise, declaration=decl).exists()


def test_missing_mandatory_parameter_is_listed(gb_toy, enterprise, enterprise_user):
    decl = _declare(enterprise_user, enterprise, GOOD_INDICATORS[:1])
    version = services.declaration_submit(actor=enterprise_user, declaration=decl)
    missing = [i for i in version.check_results if i["code"] == "mandatory_missing"]
    assert [i["parameter"] for i in missing] == ["ph"]


def test_correct_then_publish_then_new_version_keeps_history(
    gb_toy, enterprise, enterprise_user
):
    decl = _declare(
        enterprise_user,
        enterprise,
        [dict(GOOD_INDICATORS[0], value="30"), GOOD_INDICATORS[1]],
    )
    services.declaration_submit(actor=enterprise_user, declaration=decl)
    services.declaration_update(
        actor=enterprise_user,
        declaration=decl,
        product_name="婴儿连体衣",
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=GOOD_INDICATORS,
    )
    v1 = services.declaration_submit(actor=enterprise_user, declaration=decl)
    decl.refresh_from_db()
    assert decl.status == Declaration.Status.PUBLISHED
    assert decl.current_version == v1
    assert v1.number == 1
    services.declaration_update(
        actor=enterprise_user,
        declaration=decl,
        product_name="婴儿连体衣 A 款",
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=GOOD_INDICATORS,
    )
    decl.refresh_from_db()
    assert decl.current_version == v1  # the draft is not public yet
    v2 = services.declaration_submit(actor=enterprise_user, declaration=decl)
    v1.refresh_from_db()
    assert v2.number == 2
    assert v1.status == DeclarationVersion.Status.SUPERSEDED
    decl.refresh_from_db()
    assert decl.product_name == "婴儿连体衣 A 款"
    services.declaration_withdraw(
        actor=enterprise_user, declaration=decl, reason="停产"
    )
    decl.refresh_from_db()
    assert decl.status == Declaration.Status.WITHDRAWN
    assert decl.versions.count() == 2
    with pytest.raises(Conflict):
        services.declaration_withdraw(
            actor=enterprise_user, declaration=decl, reason="again"
        )


def test_other_enterprise_user_cannot_touch(gb_toy, enterprise, db):
    from qihub.core.services import user_create

    other = user_create(username="other", password="pw-other", roles=["enterprise"])
    with pytest.raises(PermissionDenied):
        _declare(other, enterprise, GOOD_INDICATORS)


def test_unknown_and_withdrawn_standards_flagged(gb_toy, enterprise, enterprise_user):
    from qihub.catalog.tests.factories import StandardFactory

    StandardFactory(identifier="GB 18401-2003", nature="mandatory", status="withdrawn")
    decl = services.declaration_create(
        actor=enterprise_user,
        enterprise=enterprise,
        product_name="x",
        category="c",
        standards=["GB 18401-2003", "GB 99999-2099", "Q/SZTY 001-2024"],
        indicators=[],
    )
    version = services.declaration_submit(actor=enterprise_user, declaration=decl)
    codes = sorted(i["code"] for i in version.check_results)
    assert codes == ["standard_missing", "standard_withdrawn"]


def test_bad_indicator_refused_with_message(gb_toy, enterprise, enterprise_user):
    with pytest.raises(ApplicationError, match="not a number"):
        _declare(
            enterprise_user,
            enterprise,
            [{"parameter": "formaldehyde", "operator": "<=", "value": "abc"}],
        )


def test_bulk_recheck_after_replacement(gb_toy, enterprise, enterprise_user):
    from qihub.catalog.models import StandardRelation
    from qihub.catalog.tests.factories import StandardFactory

    decl = _declare(enterprise_user, enterprise, GOOD_INDICATORS)
    services.declaration_submit(actor=enterprise_user, declaration=decl)
    new = StandardFactory(identifier="GB 31701-2025", nature="mandatory")
    StandardRelation.objects.create(source=new, target=gb_toy, kind="replaces")
    gb_toy.status = "replaced"
    gb_toy.save()
    assert services.declarations_recheck_for_standard(standard=gb_toy) == 1
    decl.refresh_from_db()
    assert decl.check_status == Declaration.Check.FLAGGED
    item = decl.current_version.check_results[-1]
    assert item["code"] == "standard_replaced"
    assert item["replacement"] == "GB 31701-2025"
    assert DeclaredStandard.objects.get(version=decl.current_version).flag == "replaced"
    assert CheckRun.objects.filter(
        version=decl.current_version, trigger="standard_changed"
    ).exists()
    assert Notice.objects.filter(
        enterprise=enterprise, kind="standard_changed"
    ).exists()


def test_signal_triggers_recheck(gb_toy, enterprise, enterprise_user):
    decl = _declare(enterprise_user, enterprise, GOOD_INDICATORS)
    services.declaration_submit(actor=enterprise_user, declaration=decl)
    gb_toy.status = "withdrawn"
    gb_toy.save()
    standard_status_changed.send(
        sender=type(gb_toy),
        standard=gb_toy,
        old_status="in_force",
        new_status="withdrawn",
    )
    decl.refresh_from_db()
    assert decl.check_status == Declaration.Check.FLAGGED


def test_register_enterprise_validates_code(db):
    with pytest.raises(ApplicationError, match="check character"):
        services.enterprise_register(
            username="ent2",
            password="pw-ent2-long",
            credit_code="91440300MA5FABCD10",
            name="X",
            region="深圳",
            industry="纺织",
        )


def test_refresh_search_statistics_task():
    from qihub.declarations.tasks import refresh_search_statistics

    result = refresh_search_statistics.enqueue()
    assert result.return_value in ("optimized", "nothing to do")


def test_bulk_recheck_many_declarations_in_chunks(
    gb_toy, enterprise, enterprise_user, monkeypatch
):
    monkeypatch.setattr(services.rechecks, "RECHECK_CHUNK", 2)
    decls = []
    for _n in range(5):
        d = _declare(enterprise_user, enterprise, GOOD_INDICATORS)
        services.declaration_submit(actor=enterprise_user, declaration=d)
        decls.append(d)
    gb_toy.status = "withdrawn"
    gb_toy.save()
    assert services.declarations_recheck_for_standard(standard=gb_toy) == 5
    assert Declaration.objects.filter(check_status="flagged").count() == 5
    assert CheckRun.objects.filter(trigger="standard_changed").count() == 5
    assert Notice.objects.filter(kind="standard_changed").count() == 1
    gb_toy.status = "in_force"
    gb_toy.save()
    services.declarations_recheck_for_standard(standard=gb_toy)
    assert Declaration.objects.filter(check_status="ok").count() == 5


def test_declarations_follow_a_renamed_organisation(
    gb_toy, enterprise, enterprise_user
):
    from qihub.declarations.selectors import declaration_search
    from qihub.organisations.services import organisation_update

    d = _declare(enterprise_user, enterprise, GOOD_INDICATORS)
    services.declaration_submit(actor=enterprise_user, declaration=d)
    organisation_update(
        actor=enterprise_user,  # the organisation's administrator
        organisation=enterprise.organisation,
        name_zh="深圳市新童衣有限公司",
        region="440305",
    )
    assert list(declaration_search(enterprise="深圳市新童衣")) == [d]
    assert list(declaration_search(region="440305")) == [d]
    assert list(declaration_search(region="深圳")) == [d]  # the city holds it
    assert list(declaration_search(region="南山区")) == [d]  # 深圳's or 鹤岗's
    assert list(declaration_search(region="广东省")) == [d]
    assert not declaration_search(enterprise="深圳市童衣").exists()


def test_register_refuses_unknown_region_and_taken_code_changing_nothing(enterprise):
    from django.contrib.auth import get_user_model

    from qihub.organisations.models import Organisation

    before = Organisation.objects.count()
    with pytest.raises(ApplicationError, match="Region: 火星 names no single") as exc:
        services.enterprise_register(
            username="ent3",
            password="pw-ent3-long",
            credit_code=make_code("91440300MA5FNEWW1"),
            name="新公司",
            region="火星",
            industry="纺织",
        )
    assert "region" in exc.value.details
    with pytest.raises(ApplicationError, match="registered already") as exc:
        services.enterprise_register(
            username="ent3",
            password="pw-ent3-long",
            credit_code=enterprise.credit_code,
            name="另一个名字",
            region="深圳",
            industry="纺织",
        )
    assert "credit_code" in exc.value.details
    assert Organisation.objects.count() == before
    assert not get_user_model().objects.filter(username="ent3").exists()

"""A scope line carries its body's region (``ScopeLine.body_region``), so
"who can test this" filters a region on the lines' own index: the copy is
made on import, follows the body when it moves, and the migration filled it
for the lines that existed before."""

import pytest

pytestmark = pytest.mark.django_db

SCOPE = (
    "序号,检测对象,项目/参数,检测标准（方法）名称及编号（含年号）,限制范围,说明\n"
    "1,婴幼儿纺织产品,甲醛含量,GB 31701-2015,,\n"
)


def _region(code, level="city"):
    from qihub.organisations.models import Region

    region = Region.objects.filter(code=code).first()
    return region or Region.objects.create(code=code, name_zh=code, level=level)


def _body(name, region):
    from qihub.organisations.models import Organisation

    return Organisation.objects.create(
        kind=Organisation.Kind.TESTING_BODY,
        name_zh=name,
        name_key=name,
        region=region,
    )


def _import(body):
    from qihub.conformity.services import scope_import

    scope_import(actor=None, body=body, data=SCOPE.encode(), filename="s.csv")


def _found(region):
    from qihub.conformity.selectors import capabilities

    return [hit.line.body_id for hit in capabilities(parameter="甲醛", region=region)]


def test_lines_carry_the_region_and_follow_the_body(gb31701, staff_user):
    from qihub.organisations.services import organisation_update

    mianyang, chengdu = _region("510700"), _region("510100")
    hebei = _region("130100")
    a = _body("绵阳检验所", mianyang)
    b = _body("成都检验所", chengdu)
    _import(a)
    _import(b)
    assert set(a.scope_lines.values_list("body_region", flat=True)) == {"510700"}
    # Sichuan holds both, listed by region then body; a city holds its own.
    assert _found("510000") == [b.pk, a.pk]
    assert _found("510700") == [a.pk]
    assert _found("5107") == [a.pk]
    assert _found("130000") == []

    organisation_update(actor=staff_user, organisation=a, region="130100")
    assert set(a.scope_lines.values_list("body_region", flat=True)) == {hebei.code}
    assert _found("510700") == []
    assert _found("130000") == [a.pk]


def test_a_body_without_region_is_found_without_a_region_filter(gb31701):
    body = _body("无地区检验所", None)
    _import(body)
    assert set(body.scope_lines.values_list("body_region", flat=True)) == {""}
    assert _found("") == [body.pk]
    assert _found("510000") == []


def test_the_migration_fills_existing_lines(gb31701):
    from importlib import import_module

    from django.db import connection

    from qihub.conformity.models import ScopeLine

    body = _body("老检验所", _region("510700"))
    _import(body)
    ScopeLine.objects.update(body_region="")  # as before the column existed
    fill = import_module("qihub.conformity.migrations.0006_scope_body_region").FILL
    with connection.cursor() as cur:
        cur.execute(fill)
    assert set(ScopeLine.objects.values_list("body_region", flat=True)) == {"510700"}

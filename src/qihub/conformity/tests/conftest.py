import datetime

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def gb31701(db):
    """GB 31701-2015 with a confirmed formaldehyde limit of 20 mg/kg."""
    from qihub.catalog.services import standard_create
    from qihub.requirements.services import requirement_create

    std = standard_create(
        actor=None,
        identifier="GB 31701-2015",
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
    )
    requirement_create(
        standard=std, parameter="formaldehyde", operator="<=", value="20", unit="mg/kg"
    )
    return std


@pytest.fixture
def lab(db):
    from qihub.organisations.models import Designation, Organisation

    org = Organisation.objects.create(
        kind=Organisation.Kind.TESTING_BODY,
        name_zh="某市产品质量检验所",
        name_key="lab",
    )
    Designation.objects.create(
        organisation=org,
        kind=Designation.Kind.ACCREDITED_BODY,
        number="CNAS L0001",
        valid_from=datetime.date(2020, 1, 1),
    )
    return org


@pytest.fixture
def enterprise(db):
    from qihub.organisations.models import Organisation

    return Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE, name_zh="青禾宝童装有限公司", name_key="qhb"
    )


@pytest.fixture
def cert_body(db):
    from qihub.organisations.models import Organisation

    return Organisation.objects.create(
        kind=Organisation.Kind.CERTIFICATION_BODY, name_zh="某认证中心", name_key="cb"
    )


SCOPE_CSV = (
    "序号,检测对象,项目/参数,检测标准（方法）名称及编号（含年号）,限制范围,说明\n"
    "1,婴幼儿纺织产品,1 甲醛含量,婴幼儿及儿童纺织产品安全技术规范 GB 31701-2015 第4.1条,,\n"
    "2,婴幼儿纺织产品,2 pH值,GB 31701-2015,,只测水萃取液\n"
)


@pytest.fixture
def scope_lines(lab, gb31701):
    from qihub.conformity.services import scope_import

    scope_import(actor=None, body=lab, data=SCOPE_CSV.encode(), filename="s.csv")
    return list(lab.scope_lines.all())

"""Demo data: enterprises in Shenzhen and Guangzhou declaring children's
textiles against GB 31701-2015, an inspector pool, a drawn spot-check plan and
a published forerunner list. Re-runnable: it does nothing the second time."""

import datetime

from django.db import transaction
from django.utils import timezone

from qihub.declarations.models import Enterprise
from qihub.organisations.credit_codes import check_character

CATEGORY = "children's textiles"

ENTERPRISES = [
    ("91440300MA5D00011", "深圳市小羊童装有限公司", "深圳", "纺织"),
    ("91440300MA5D00021", "深圳市彩虹织造有限公司", "深圳", "纺织"),
    ("91440101MA5D00031", "广州市棉语服饰有限公司", "广州", "纺织"),
    ("91440101MA5D00041", "广州市乐童电子有限公司", "广州", "电子"),
]
PRODUCTS = [
    ("婴儿纯棉连体衣", "12"),
    ("儿童针织内衣", "16"),
    ("婴儿睡袋", "9"),
    ("儿童外套", "18"),
]


def _code(body: str) -> str:
    return body[:17] + check_character(body[:17])


def _standard():
    from qihub.catalog.models import Standard

    std = Standard.objects.filter(identifier="GB 31701-2015").first()
    if std is None:
        try:
            from qihub.catalog.services import standard_create

            std = standard_create(
                actor=None,
                identifier="GB 31701-2015",
                title_zh="婴幼儿及儿童纺织产品安全技术规范",
                title_en="Safety technical code for infants and children textile products",
                issued_on=datetime.date(2015, 5, 26),
                implemented_on=datetime.date(2016, 6, 1),
            )
        except Exception:
            std, _ = Standard.objects.get_or_create(
                identifier="GB 31701-2015",
                defaults={
                    "ident_key": "GB31701-2015",
                    "base_key": "GB31701",
                    "prefix": "GB",
                    "number": "31701",
                    "year": 2015,
                    "level": "national",
                    "nature": "mandatory",
                    "title_zh": "婴幼儿及儿童纺织产品安全技术规范",
                },
            )
    from qihub.requirements.models import Requirement
    from qihub.requirements.services import requirement_create

    if not Requirement.objects.filter(
        standard=std, parameter__key="formaldehyde"
    ).exists():
        requirement_create(
            standard=std,
            parameter="formaldehyde",
            operator="<=",
            value="20",
            unit="mg/kg",
            subject=CATEGORY,
            actor=None,
        )
        requirement_create(
            standard=std,
            parameter="pH",
            operator="range",
            value="4.0",
            upper="7.5",
            subject=CATEGORY,
            actor=None,
        )
    return std


@transaction.atomic
def load(stdout=None) -> None:
    """Load the demo declarations, spot checks and forerunner list."""
    if Enterprise.objects.exists():
        return
    from django.contrib.auth import get_user_model

    from qihub.core.services import user_create
    from qihub.declarations import forerunners, services, spotchecks
    from qihub.organisations.models import Organisation
    from qihub.organisations.services import organisation_find_or_create

    User = get_user_model()
    staff = User.objects.filter(is_superuser=True).first() or user_create(
        username="decl-staff",
        password="demo-decl-staff",  # noqa: S106 - a documented demo account
        roles=["staff"],
    )
    _standard()
    enterprises = []
    for n, (body, name, region, industry) in enumerate(ENTERPRISES, start=1):
        user = user_create(
            username=f"enterprise{n}",
            password=f"demo-enterprise{n}",
            roles=["enterprise"],
        )
        ent = services.enterprise_create(
            actor=staff,
            credit_code=_code(body),
            name=name,
            region=region,
            industry=industry,
            users=[user],
        )
        enterprises.append((ent, user))
    for (ent, user), (product, hcho) in zip(enterprises, PRODUCTS, strict=True):
        decl = services.declaration_create(
            actor=user,
            enterprise=ent,
            product_name=product,
            category=CATEGORY,
            standards=["GB 31701-2015", f"Q/{ent.credit_code[-6:]} 001-2025"],
            indicators=[
                {
                    "parameter": "formaldehyde",
                    "operator": "<=",
                    "value": hcho,
                    "unit": "mg/kg",
                    "test_method": "GB/T 2912.1",
                },
                {
                    "parameter": "pH",
                    "operator": "range",
                    "value": "4.5",
                    "upper": "7.0",
                },
            ],
            effective_on=datetime.date(2026, 1, 1),
        )
        services.declaration_submit(actor=user, declaration=decl)
    # Inspectors name their organisation as typed; the registry resolves it
    # (李工 works for an enterprise that declares, so never checks it).
    for name, organisation in (
        ("王检", "深圳市质量检验院"),
        ("陈检", "广州市质量监督检测研究院"),
        ("李工", "深圳市小羊童装有限公司"),
    ):
        org, _created = organisation_find_or_create(
            actor=staff,
            name=organisation,
            kind=Organisation.Kind.TESTING_BODY,
        )
        spotchecks.inspector_create(actor=staff, name=name, organisation=org)
    plan = spotchecks.spotcheck_plan_create(
        actor=staff, name="2026 年第一批双随机抽查", share="0.5", seed=20260101
    )
    checks = spotchecks.spotcheck_draw(actor=staff, plan=plan)
    for check in checks:
        spotchecks.spotcheck_record(actor=staff, check=check, outcome="conforming")
    spotchecks.spotcheck_plan_publish(actor=staff, plan=plan)
    ev = forerunners.forerunner_create(
        actor=staff,
        category=CATEGORY,
        title="2026 年婴幼儿纺织产品企业标准领跑者",
        indicators=[{"parameter": "formaldehyde", "direction": "lower", "weight": 1}],
        leaders=2,
    )
    forerunners.forerunner_compute(actor=staff, evaluation=ev)
    forerunners.forerunner_publish(actor=staff, evaluation=ev)
    if stdout is not None:
        stdout.write(
            f"declarations: {len(ENTERPRISES)} enterprises, {len(PRODUCTS)} declarations, "
            f"1 spot-check plan, 1 forerunner list ({timezone.localdate()})\n"
        )

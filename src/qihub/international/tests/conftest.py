"""Fixtures of the international tests: an ICS 67 food field with
international standards, their domestic adoptions (IDT of an earlier
edition, MOD, NEQ) and unadopted ones, a foreign standard, organisations in
Shenzhen and Beijing, and a food enterprise with a published declaration."""

import datetime

import pytest

from qihub.organisations import credit_codes

ICS = {
    "03": "Services",
    "03.100": "Company organization",
    "03.100.70": "Management systems",
    "61": "Clothing industry",
    "61.020": "Clothes",
    "67": "Food technology",
    "67.020": "Processes in the food industry",
    "67.060": "Cereals, pulses and derived products",
    "67.200": "Edible oils and fats. Oilseeds",
    "67.200.20": "Oilseeds",
    "67.220": "Spices and condiments. Food additives",
    "67.220.20": "Food additives",
    "67.250": "Materials and articles in contact with foodstuffs",
}


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _regions(request):
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from qihub.organisations.models import Region
        from qihub.organisations.regions import regions_load

        if not Region.objects.exists():
            regions_load()


@pytest.fixture
def ics_codes(db):
    from qihub.vocab.models import IcsCode

    for code, title in ICS.items():
        parent = code.rsplit(".", 1)[0] if "." in code else None
        IcsCode.objects.get_or_create(
            code=code,
            defaults={
                "title_en": title,
                "level": code.count(".") + 1,
                "parent_id": parent,
            },
        )


def make_code(body17: str) -> str:
    return body17 + credit_codes.check_character(body17)


@pytest.fixture
def orgs(db):
    from qihub.organisations.models import Organisation
    from qihub.organisations.services import organisation_find_or_create

    K = Organisation.Kind

    def org(name, kind, region):
        return organisation_find_or_create(
            actor=None, name=name, kind=kind, region=region
        )[0]

    return {
        "szis": org("深圳市标准技术研究院", K.STANDARDIZATION_INSTITUTE, "440300"),
        "lab": org("深圳市计量质量检测研究院", K.TESTING_BODY, "440300"),
        "cnis": org("中国标准化研究院", K.STANDARDIZATION_INSTITUTE, "110000"),
    }


def _std(identifier, status="published", issued="2018-06-19", ics=(), **kw):
    from qihub.catalog.services import standard_create

    return standard_create(
        actor=None,
        identifier=identifier,
        title_en=kw.pop("title_en", f"Title of {identifier}"),
        status=status,
        issued_on=datetime.date.fromisoformat(issued) if issued else None,
        ics=list(ics),
        **kw,
    )


@pytest.fixture
def food(ics_codes):
    """The ICS 67 catalogue of the tests."""
    from qihub.catalog.models import StandardRelation
    from qihub.catalog.services import relation_add

    s = {
        "iso22000_2005": _std("ISO 22000:2005", "replaced", "2005-09-01", ["67.020"]),
        "iso22000": _std(
            "ISO 22000:2018", "published", "2018-06-19", ["67.020", "03.100.70"]
        ),
        "iso665": _std("ISO 665:2020", "published", "2020-06-01", ["67.200.20"]),
        "iso2171": _std("ISO 2171:2023", "published", "2023-03-01", ["67.060"]),
        "iso_old": _std("ISO 1000:1990", "withdrawn", "1990-01-01", ["67.060"]),
        "en1186": _std("EN 1186-1:2002", "published", "2002-06-01", ["67.250"]),
        "gbt22000": _std("GB/T 22000-2006", "in_force", "2006-03-01", ["67.020"]),
        "gbt14489": _std("GB/T 14489.1-2008", "in_force", "2008-11-04", ["67.200.20"]),
        "gb2760": _std(
            "GB 2760-2024",
            "in_force",
            "2024-02-08",
            ["67.220.20"],
            title_zh="食品添加剂使用标准",
        ),
        "gbt_en": _std("GB/T 40000-2021", "in_force", "2021-01-01", ["67.250"]),
    }
    for src, tgt, degree in (
        ("gbt22000", "iso22000_2005", "IDT"),
        ("gbt14489", "iso665", "MOD"),
        ("gbt_en", "en1186", "NEQ"),
    ):
        relation_add(
            source=s[src],
            target=s[tgt],
            kind=StandardRelation.Kind.ADOPTS,
            degree=degree,
            actor=None,
        )
    return s


@pytest.fixture
def food_enterprise(food, staff_user):
    """A Shenzhen food enterprise with a published declaration citing GB 2760-2024."""
    from qihub.core.services import user_create
    from qihub.declarations import services as decl

    user = user_create(username="foodent", password="pw-foodent", roles=["enterprise"])
    ent = decl.enterprise_create(
        actor=staff_user,
        credit_code=make_code("91440300MA5F0067"[:17].ljust(17, "1")),
        name="深圳市甜源食品有限公司",
        region="深圳",
        industry="食品",
        users=[user],
    )
    d = decl.declaration_create(
        actor=user,
        enterprise=ent,
        product_name="复合甜味剂",
        category="食品添加剂",
        standards=["GB 2760-2024"],
        effective_on=datetime.date(2026, 1, 1),
    )
    decl.declaration_submit(actor=user, declaration=d)
    d.refresh_from_db()
    assert d.status == "published"
    return ent


TBT_CSV = (
    "Document symbol,Notifying member,Date of distribution,Products covered,"
    "HS code(s),ICS code(s),Description,Final date for comments\n"
    'G/TBT/N/KOR/1201,"Korea, Republic of",2026-10-20,Food additives,2106;3302,'
    "67.220,Sweeteners aligned with GB 2760-2024 and ISO 22000:2018.,2099-12-19\n"
    "G/TBT/N/USA/2210,United States of America,2026-11-20,Children's sleepwear,"
    "6111,61.020,Flammability per ASTM D6413.,2020-01-19\n"
)

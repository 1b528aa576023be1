"""Demo international standardization: ISO/TC 34 and its bee products
subcommittee (secretariat and convenors from demo organisations), projects
at several stages, a training course with certified trainees (one active),
the ICS 67 food catalogue with international standards, their domestic
adoptions (IDT, MOD and NEQ) and some left unadopted, a food enterprise with
a published declaration, and real-looking WTO TBT/SPS notifications matched
against it (``data/demo-tbt.csv``)."""

import datetime
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Real international and foreign food standards (ICS 67) with real titles.
REFERENCE_STANDARDS = [
    (
        "ISO 22000:2005",
        "Food safety management systems — Requirements for any organization in the food chain",
        "食品安全管理体系 食品链中各类组织的要求",
        "replaced",
        "2005-09-01",
        ["67.020", "03.100.70"],
    ),
    (
        "ISO 22000:2018",
        "Food safety management systems — Requirements for any organization in the food chain",
        "食品安全管理体系 食品链中各类组织的要求",
        "published",
        "2018-06-19",
        ["67.020", "03.100.70"],
    ),
    (
        "ISO 22005:2007",
        "Traceability in the feed and food chain — General principles and basic requirements for system design and implementation",
        "饲料和食品链的可追溯性 体系设计与实施的通用原则和基本要求",
        "published",
        "2007-07-15",
        ["67.020"],
    ),
    (
        "ISO 712:1998",
        "Cereals and cereal products — Determination of moisture content — Routine reference method",
        "谷物及谷物制品 水分的测定 常规参考方法",
        "replaced",
        "1998-06-01",
        ["67.060"],
    ),
    (
        "ISO 712:2009",
        "Cereals and cereal products — Determination of moisture content — Reference method",
        "谷物及谷物制品 水分的测定 基准法",
        "published",
        "2009-12-01",
        ["67.060"],
    ),
    (
        "ISO 665:2000",
        "Oilseeds — Determination of moisture and volatile matter content",
        "油料 水分及挥发物含量的测定",
        "replaced",
        "2000-12-01",
        ["67.200.20"],
    ),
    (
        "ISO 665:2020",
        "Oilseeds — Determination of moisture and volatile matter content",
        "油料 水分及挥发物含量的测定",
        "published",
        "2020-06-01",
        ["67.200.20"],
    ),
    (
        "ISO/TS 22002-2:2013",
        "Prerequisite programmes on food safety — Part 2: Catering",
        "食品安全前提方案 第2部分：餐饮",
        "published",
        "2013-12-15",
        ["67.020"],
    ),
    (
        "ISO 2171:2023",
        "Cereals, pulses and by-products — Determination of ash yield by incineration",
        "谷物、豆类及副产品 灰分的测定 灼烧法",
        "published",
        "2023-03-01",
        ["67.060"],
    ),
    (
        "ISO 659:2009",
        "Oilseeds — Determination of oil content (Reference method)",
        "油料 含油量的测定(基准法)",
        "published",
        "2009-07-01",
        ["67.200.20"],
    ),
    (
        "ISO 12824:2016",
        "Royal jelly — Specifications",
        "蜂王浆 规范",
        "published",
        "2016-07-01",
        ["67.180.10"],
    ),
    (
        "EN ISO 22000:2018",
        "Food safety management systems — Requirements for any organization in the food chain",
        "",
        "published",
        "2018-06-20",
        ["67.020", "03.100.70"],
    ),
    (
        "EN 1186-1:2002",
        "Materials and articles in contact with foodstuffs — Plastics — Part 1: Guide to the selection of conditions and test methods for overall migration",
        "",
        "published",
        "2002-06-01",
        ["67.250"],
    ),
]
#: Domestic adoptions (source, target, degree, title). The first three are
#: the catalogue's real correspondence; the NEQ one is a demo relation.
ADOPTIONS = [
    (
        "GB/T 22000-2006",
        "ISO 22000:2005",
        "IDT",
        "食品安全管理体系 食品链中各类组织的要求",
        "2006-03-01",
        ["67.020", "03.100.70"],
    ),
    (
        "GB/T 22005-2009",
        "ISO 22005:2007",
        "IDT",
        "饲料和食品链的可追溯性 体系设计与实施的通用原则和基本要求",
        "2009-09-30",
        ["67.020"],
    ),
    (
        "GB/T 21305-2007",
        "ISO 712:1998",
        "IDT",
        "谷物及谷物制品水分的测定 常规法",
        "2007-11-19",
        ["67.060"],
    ),
    (
        "GB/T 14489.1-2008",
        "ISO 665:2000",
        "MOD",
        "油料 水分及挥发物含量测定",
        "2008-11-04",
        ["67.200.20"],
    ),
    ("GB 31654-2021", "ISO/TS 22002-2:2013", "NEQ", "", "", []),
]
FOOD_ENTERPRISE = ("91440300MA5F00671", "深圳市甜源食品有限公司", "深圳", "食品")


def _date(text: str):
    return datetime.date.fromisoformat(text) if text else None


def _catalogue():
    from qihub.catalog import services as catalog
    from qihub.catalog.models import Standard, StandardRelation

    def get_or_create(identifier, title_en, title_zh, status, issued, ics):
        found = Standard.objects.filter(identifier=identifier).first()
        if found:
            return found
        return catalog.standard_create(
            actor=None,
            identifier=identifier,
            title_en=title_en,
            title_zh=title_zh,
            status=status,
            issued_on=_date(issued),
            implemented_on=_date(issued)
            if not identifier.startswith(("ISO", "EN"))
            else None,
            ics=ics,
            source="demo",
        )

    refs = {row[0]: get_or_create(*row) for row in REFERENCE_STANDARDS}
    for source, target, degree, title_zh, issued, ics in ADOPTIONS:
        src = get_or_create(source, "", title_zh, "in_force", issued, ics)
        tgt = refs[target]
        if not StandardRelation.objects.filter(source=src, target=tgt).exists():
            catalog.relation_add(
                source=src,
                target=tgt,
                kind=StandardRelation.Kind.ADOPTS,
                degree=degree,
                actor=None,
                note="demo relation" if degree == "NEQ" else "",
            )
    return refs


def _food_declaration(staff) -> None:
    from qihub.core.services import user_create
    from qihub.declarations import services as decl
    from qihub.declarations.models import Enterprise
    from qihub.organisations.credit_codes import check_character

    body, name, region, industry = FOOD_ENTERPRISE
    code = body[:17] + check_character(body[:17])
    if Enterprise.objects.filter(organisation__credit_code=code).exists():
        return
    user = user_create(
        username="food-enterprise",
        password="demo-food-enterprise",  # noqa: S106 - a documented demo account
        roles=["enterprise"],
    )
    ent = decl.enterprise_create(
        actor=staff,
        credit_code=code,
        name=name,
        region=region,
        industry=industry,
        users=[user],
    )
    d = decl.declaration_create(
        actor=user,
        enterprise=ent,
        product_name="复合甜味剂(代糖)",
        category="食品添加剂",
        standards=["GB 2760-2024", "GB 14880-2012"],
        effective_on=datetime.date(2026, 1, 1),
    )
    decl.declaration_submit(actor=user, declaration=d)


def load(stdout=None) -> None:
    from django.contrib.auth import get_user_model

    from qihub.core.services import user_create
    from qihub.international import imports, services
    from qihub.international.models import InternationalProject, TechnicalBody
    from qihub.organisations.models import Organisation
    from qihub.organisations.services import organisation_find_or_create

    if TechnicalBody.objects.filter(reference="ISO/TC 34").exists():
        return
    User = get_user_model()
    staff = User.objects.filter(is_superuser=True).first() or user_create(
        username="intl-staff",
        password="demo-intl-staff",  # noqa: S106 - a documented demo account
        roles=["staff"],
    )
    refs = _catalogue()

    def org(name, kind, region=None):
        return organisation_find_or_create(
            actor=None, name=name, kind=kind, region=region
        )[0]

    K = Organisation.Kind
    cnis = org("中国标准化研究院", K.STANDARDIZATION_INSTITUTE, "110000")
    szis = org("深圳市标准技术研究院", K.STANDARDIZATION_INSTITUTE, "440300")
    bee = org("中国农业科学院蜜蜂研究所", K.RESEARCH_INSTITUTE, "110000")
    food_inst = org("深圳市计量质量检测研究院", K.TESTING_BODY, "440300")
    cofco = org("中粮营养健康研究院有限公司", K.ENTERPRISE, "110000")
    _food_declaration(staff)

    tc34 = services.body_register(
        actor=None,
        reference="ISO/TC 34",
        title_en="Food products",
        title_zh="食品",
        mirror_name="全国食品工业标准化技术委员会 SAC/TC 64",
        mirror_organisation=cnis,
    )
    sc19 = services.body_register(
        actor=None,
        reference="ISO/TC 34/SC 19",
        title_en="Bee products",
        title_zh="蜂产品",
        mirror_name="全国蜂产品标准化工作组",
        mirror_organisation=bee,
    )
    sc17 = services.body_register(
        actor=None,
        reference="ISO/TC 34/SC 17",
        title_en="Management systems for food safety",
        title_zh="食品安全管理体系",
        mirror_name="全国食品质量控制与管理标准化技术委员会 SAC/TC 313",
        mirror_organisation=cnis,
    )
    wg = services.body_register(
        actor=None, reference="ISO/TC 34/SC 19/WG 1", title_en="Royal jelly"
    )
    wg17 = services.body_register(
        actor=None,
        reference="ISO/TC 34/SC 17/WG 8",
        title_en="Prerequisite programmes on food safety",
    )
    start, end = datetime.date(2024, 1, 1), datetime.date(2029, 12, 31)
    for body, role, organisation, person in (
        (sc19, "secretariat", bee, "吴黎明"),
        (sc19, "chair", bee, "彭文君"),
        (wg, "convenor", bee, "张红城"),
        (wg17, "convenor", szis, "陈静"),
        (sc17, "expert", szis, "林晓"),
        (tc34, "expert", cofco, "王磊"),
    ):
        services.post_assign(
            actor=None,
            body=body,
            role=role,
            organisation=organisation,
            person_name=person,
            term_start=start,
            term_end=end,
        )
    projects = [
        (
            "ISO 12824:2016",
            "60.60",
            sc19,
            bee,
            "张红城",
            [cnis],
            "2012-03-01",
            refs["ISO 12824:2016"],
        ),
        ("ISO/DIS 24381", "40.20", sc19, bee, "张红城", [szis], "2023-05-10", None),
        (
            "ISO/CD 7220",
            "30.20",
            sc17,
            szis,
            "林晓",
            [cnis, food_inst],
            "2024-09-01",
            None,
        ),
        ("ISO/AWI 25123", "20.00", tc34, cofco, "王磊", [cnis], "2025-06-15", None),
        ("ISO/NP 25980", "10.20", tc34, food_inst, "陈芳", [szis], "2026-04-01", None),
        ("ISO/PWI 26011", "00.60", sc17, szis, "林晓", [], "2026-09-01", None),
    ]
    titles = {
        "ISO 12824:2016": ("Royal jelly — Specifications", "蜂王浆 规范"),
        "ISO/DIS 24381": ("Bee pollen — Specifications", "蜂花粉 规范"),
        "ISO/CD 7220": (
            "Food safety management — Guidance for small food businesses",
            "食品安全管理 小型食品企业指南",
        ),
        "ISO/AWI 25123": (
            "Cereals — Determination of mycotoxins by LC-MS/MS",
            "谷物 液相色谱-串联质谱法测定真菌毒素",
        ),
        "ISO/NP 25980": (
            "Sweeteners — Determination of steviol glycosides",
            "甜味剂 甜菊醇糖苷的测定",
        ),
        "ISO/PWI 26011": ("Food traceability — Digital records", "食品追溯 数字记录"),
    }
    for ref, stage, body, lead, leader, parts, proposed, standard in projects:
        if InternationalProject.objects.filter(reference=ref).exists():
            continue
        en, zh = titles[ref]
        services.project_register(
            actor=None,
            reference=ref,
            stage=stage,
            title_en=en,
            title_zh=zh,
            body=body,
            leading_organisation=lead,
            leader_name=leader,
            participants=parts,
            proposed_on=_date(proposed),
            target_dis_on=_date(proposed) + datetime.timedelta(days=540),
            target_publication_on=_date(proposed) + datetime.timedelta(days=1080),
            standard=standard,
        )
    course = services.course_create(
        actor=None,
        title="国际标准化人才培训班(2023年第1期)",
        training_base=szis,
        starts_on=datetime.date(2023, 10, 9),
        ends_on=datetime.date(2023, 10, 13),
    )
    for n, (person, organisation) in enumerate(
        (("林晓", szis), ("陈芳", food_inst), ("赵敏", cofco), ("刘洋", food_inst)),
        start=1,
    ):
        services.trainee_enrol(
            actor=None,
            course=course,
            person_name=person,
            organisation=organisation,
            certificate_number=f"SZIS-ISO-2023-{n:03d}" if n < 4 else "",
        )
    report = imports.tbt_import(
        file=DATA_DIR / "demo-tbt.csv", file_name="demo-tbt.csv"
    )
    if not report.ok:
        raise RuntimeError(f"demo TBT file refused: {report.errors[:3]}")
    if stdout:
        stdout.write(
            "international: ISO/TC 34 with 3 subgroups, 5 posts, "
            f"{len(projects)} projects, 1 training course, "
            f"{report.created} TBT/SPS notifications"
        )

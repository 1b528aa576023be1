"""Demo data for the lifecycle: a committee with members, projects in
different states (one in consultation with comments, one revising a
catalogue standard), a research project, a patent and a complaint."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from qihub.catalog.models import Standard
from qihub.catalog.services import standard_create
from qihub.core.services import user_create
from qihub.lifecycle import services
from qihub.lifecycle.models import Committee, CommitteeMember
from qihub.organisations.models import Organisation
from qihub.organisations.services import organisation_find_or_create

COMMITTEE = "SAC/TC 219"
DEMO_PASSWORD = "qihub-demo"  # noqa: S105 - documented demo credential

DRAFT = """1 范围
本文件规定了婴幼儿及儿童纺织产品的安全技术要求、试验方法和检验规则。
2 规范性引用文件
GB/T 2912.1 纺织品 甲醛的测定 第1部分：游离和水解的甲醛（水萃取法）
3 术语和定义
3.1 婴幼儿纺织产品
年龄在36个月及以下的婴幼儿穿着或使用的纺织产品。
4 要求
4.1 甲醛含量应不大于 20 mg/kg。
4.2 pH 值应为 4.0～7.5。
5 试验方法
5.1 甲醛含量按 GB/T 2912.1 测定。
"""


def _user(username: str, roles: list[str]):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    return user or user_create(
        username=username,
        password=DEMO_PASSWORD,
        roles=roles,
        email=f"{username}@example.org",
    )


def _standard(identifier: str, **fields) -> Standard:
    standard = Standard.objects.filter(identifier=identifier).first()
    if standard is not None:
        return standard
    return standard_create(actor=None, identifier=identifier, **fields)


def _org(name: str, kind: str) -> Organisation:
    org, _created = organisation_find_or_create(actor=None, name=name, kind=kind)
    return org


@transaction.atomic
def load(stdout=None) -> None:
    if Committee.objects.filter(code=COMMITTEE).exists():
        return
    today = timezone.localdate()
    staff = _user("staff", ["staff"])
    enterprise = _user("enterprise", ["enterprise"])
    secretary = _user("tc219-secretary", [])
    members = [_user(f"tc219-member{i}", ["reviewer"]) for i in range(1, 5)]
    federation = _org("中国纺织工业联合会", Organisation.Kind.SOCIAL_ORGANISATION)
    testing_centre = _org(
        "国家纺织制品质量检验检测中心", Organisation.Kind.TESTING_BODY
    )
    institute = _org("中国标准化研究院", Organisation.Kind.STANDARDIZATION_INSTITUTE)
    university = _org("东华大学", Organisation.Kind.UNIVERSITY)

    committee = services.committee_create(
        actor=staff,
        code=COMMITTEE,
        name_zh="全国纺织品标准化技术委员会",
        name_en="National technical committee on textiles of SAC",
        email="tc219@example.org",
    )
    services.committee_member_add(
        committee=committee,
        user=secretary,
        actor=staff,
        role=CommitteeMember.Role.SECRETARY,
        organisation=institute,
    )
    seats = [federation, testing_centre, university, None]
    for member, organisation in zip(members, seats, strict=True):
        services.committee_member_add(
            committee=committee, user=member, actor=staff, organisation=organisation
        )

    research = services.research_project_create(
        actor=staff,
        code="ZB-2025-07",
        title_zh="婴幼儿纺织产品有害物质限量重要技术标准研究",
        title_en="Research on limits of hazardous substances in infant textiles",
        programme="16项重要技术标准研究",
        lead_organisation=federation,
        leader="张明",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    services.research_milestone_add(
        research_project=research,
        actor=staff,
        title="完成国内外限量对比研究",
        due_on=datetime.date(2025, 6, 30),
        reached_on=datetime.date(2025, 6, 20),
    )
    services.research_milestone_add(
        research_project=research,
        actor=staff,
        title="提交标准草案建议稿",
        due_on=datetime.date(2026, 6, 30),
    )
    services.research_review_record(
        research_project=research,
        actor=staff,
        kind="evaluation",
        outcome="passed",
        held_on=datetime.date(2025, 12, 15),
        panel="专家组 7 人",
        conclusion="进展符合计划，同意继续。",
    )

    old = _standard(
        "GB 31701-2015",
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
        issued_on=datetime.date(2015, 5, 26),
        implemented_on=datetime.date(2016, 6, 1),
        committee=COMMITTEE,
    )
    # An older standard due for its periodic review, shown on the dashboard.
    _standard(
        "GB 18401-2010",
        title_zh="国家纺织产品基本安全技术规范",
        title_en="National general safety technical code for textile products",
        issued_on=datetime.date(2011, 1, 14),
        implemented_on=datetime.date(2011, 8, 1),
        committee=COMMITTEE,
    )
    revision = services.project_create(
        actor=enterprise,
        kind="revision",
        replaces=old,
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
        identifier="GB 31701-2026",
        committee=committee,
        proposer_organisation=federation,
        drafting_units=[federation, testing_centre, university],
        drafters="张明、李华",
        planned_consultation_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=300),
        research_projects=[research],
    )
    services.project_update(project=revision, actor=staff, draft_text=DRAFT)
    for slug in ("approved", "drafting", "consultation"):
        revision = services.project_transition(
            project=revision,
            to_state=slug,
            actor=staff,
            deadline=today + datetime.timedelta(days=45),
            comment="演示",
        )
    consultation = revision.consultations.get()
    first = services.comment_submit(
        consultation=consultation,
        actor=None,
        commenter="王工",
        organisation_name="国家纺织制品质量检验检测中心",
        clause="4.1",
        type="te",
        text="建议甲醛限量与 GB 18401 A 类一致。",
        proposed_change="甲醛含量应不大于 20 mg/kg（A 类）。",
    )
    services.comment_submit(
        consultation=consultation,
        actor=enterprise,
        clause="3.1",
        type="ed",
        text="“36个月及以下”建议改为“36 个月以下（含 36 个月）”。",
    )
    services.comment_resolve(
        comment=first,
        actor=staff,
        resolution="accepted",
        observations="采纳。",
    )
    services.patent_disclose(
        actor=None,
        project=revision,
        patent_number="ZL202310000001.X",
        title="一种纺织品甲醛快速检测方法",
        holder="某检测仪器有限公司",
        licensing="frand",
        declarant="赵律师",
    )

    new = services.project_create(
        actor=enterprise,
        title_zh="儿童服装绳带安全要求",
        title_en="Safety requirements for cords and drawstrings on children's clothing",
        committee=committee,
        proposer_organisation=_org("某服装企业", Organisation.Kind.ENTERPRISE),
        drafting_units=[testing_centre],
        due_on=today - datetime.timedelta(days=30),
    )
    services.project_transition(project=new, to_state="approved", actor=staff)
    services.project_create(
        actor=enterprise,
        level="group",
        title_zh="婴幼儿纺织品用色牢度快速评价方法",
        title_en="Rapid evaluation of colour fastness for infant textiles",
        proposer_organisation=_org(
            "某团体标准化组织", Organisation.Kind.SOCIAL_ORGANISATION
        ),
    )
    services.feedback_submit(
        standard=old,
        actor=None,
        kind="complaint",
        name="刘女士",
        email="liu@example.org",
        clause="4.2",
        subject="pH 值检测结果在不同实验室差异较大",
        body="同一批产品两家实验室结论不同，建议明确试样制备条件。",
    )
    if stdout:
        stdout.write(
            "lifecycle: committee SAC/TC 219, 3 projects (one in consultation), "
            "1 research project"
        )

"""Every indicator, computed from the other domains' records with
set-based queries, and registered by slug.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from qihub.organisations.models import Organisation, Region
from qihub.programmes.indicators.base import (
    Compute,
    Indicator,
    Many,
    Scope,
    day_end,
    grouped,
    register,
)


def _count(qs: QuerySet) -> float:
    return float(qs.count())


# -- metrology -------------------------------------------------------------------


def _social_public_standards(scope: Scope, day: datetime.date) -> float | None:
    from qihub.metrology.models import MeasurementStandard

    qs = MeasurementStandard.objects.filter(
        kind=MeasurementStandard.Kind.SOCIAL_PUBLIC,
        status=MeasurementStandard.Status.ACTIVE,
    ).filter(
        Q(assessment_valid_from__isnull=True) | Q(assessment_valid_from__lte=day),
        Q(assessment_valid_until__isnull=True) | Q(assessment_valid_until__gte=day),
        created_at__date__lte=day,
    )
    if scope.region is not None:
        qs = qs.filter(region__in=scope.region_names())
    else:
        qs = qs.filter(scope.orgs_q("holder__organisation_id", day))
    return _count(qs)


#: Province-level divisions and the short name local metrological technical
#: specifications carry in their identifier: JJF(吉) 1001-2020.
PROVINCE_ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽",
    "22": "吉", "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖",
    "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
    "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
    "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁",
    "65": "新",
}  # fmt: skip


def _in_force_on(prefix: str, day: datetime.date) -> Q:
    """A catalogue entry in force on ``day`` by its dates (the catalogue's
    status-on-a-date): issued by then and not withdrawn by then."""
    return Q(**{f"{prefix}issued_on__lte": day}) & (
        Q(**{f"{prefix}withdrawn_on__isnull": True})
        | Q(**{f"{prefix}withdrawn_on__gt": day})
    )


def _local_specifications(scope: Scope, day: datetime.date) -> float | None:
    from qihub.catalog.models import StandardDraftingUnit
    from qihub.metrology.models import TechnicalSpecification

    qs = TechnicalSpecification.objects.filter(
        _in_force_on("standard__", day), is_local=True
    )
    if scope.region is not None and scope.region.level == Region.Level.PROVINCE:
        abbr = PROVINCE_ABBR.get(scope.region.code[:2], "?")
        qs = qs.filter(
            Q(standard__identifier__contains=f"({abbr})")
            | Q(standard__identifier__contains=f"（{abbr}）")
        )
    else:
        qs = qs.filter(
            standard_id__in=StandardDraftingUnit.objects.filter(
                scope.orgs_q("organisation_id", day)
            ).values("standard_id")
        )
    return _count(qs)


def _reference_materials(scope: Scope, day: datetime.date) -> float | None:
    from qihub.metrology.models import ReferenceMaterial

    orgs = Organisation.objects.filter(pk__in=scope.org_ids(day))
    qs = ReferenceMaterial.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        created_at__date__lte=day,
    ).filter(
        Q(producer__in=orgs.exclude(name_zh="").values("name_zh"))
        | Q(producer__in=orgs.exclude(name_en="").values("name_en"))
    )
    return _count(qs)


def _coverage(scope: Scope, day: datetime.date) -> float | None:
    from qihub.metrology.selectors import coverage_within

    if scope.region is not None:
        row = coverage_within(on=day, regions=Q(region__in=scope.region_names()))
    else:
        row = coverage_within(on=day, owners=scope.orgs_q("owner_id", day))
    return None if row.rate is None else round(row.rate * 100, 2)


def _coverage_many(scopes: list[Scope], day: datetime.date) -> dict[str, float | None]:
    """One grouped pass over the instruments (the coverage page's rows per
    region of use), summed into each scope by its regions' names."""
    from qihub.metrology.selectors import coverage_rows

    per_name: dict[str, list[int]] = {}
    for row in coverage_rows(on=day):
        acc = per_name.setdefault(row.region, [0, 0])
        acc[0] += row.required
        acc[1] += row.covered
    out: dict[str, float | None] = {}
    for sc in scopes:
        names = set(sc.region_names())
        required = sum(v[0] for k, v in per_name.items() if k in names)
        covered = sum(v[1] for k, v in per_name.items() if k in names)
        out[sc.key] = round(100 * covered / required, 2) if required else None
    return out


def _designations(kind: str) -> Compute:
    def compute(scope: Scope, day: datetime.date) -> float | None:
        from qihub.organisations.selectors import designations_valid_on

        return _count(
            designations_valid_on(day)
            .filter(scope.orgs_q("organisation_id", day), kind=kind)
            .values("organisation_id")
            .distinct()
        )

    return compute


# -- standards -------------------------------------------------------------------


def _drafted(level: str) -> Compute:
    def compute(scope: Scope, day: datetime.date) -> float | None:
        from qihub.catalog.models import Standard, StandardDraftingUnit

        return _count(
            Standard.objects.filter(
                level=level,
                issued_on__lte=day,
                pk__in=StandardDraftingUnit.objects.filter(
                    scope.orgs_q("organisation_id", day)
                ).values("standard_id"),
            )
        )

    return compute


def _drafted_many(level: str, *, in_force: bool = False) -> Many:
    def many(scopes: list[Scope], day: datetime.date) -> dict[str, float | None]:
        from django.db.models import Count
        from django.db.models.functions import Substr

        from qihub.catalog.models import StandardDraftingUnit

        units = StandardDraftingUnit.objects.filter(
            standard__level=level, standard__issued_on__lte=day
        )
        if in_force:
            units = units.filter(_in_force_on("standard__", day))

        def counts_for(length: int) -> dict[str, float]:
            rows = (
                units.annotate(p=Substr("organisation__region_id", 1, length))
                .values("p")
                .annotate(n=Count("standard_id", distinct=True))
                .values_list("p", "n")
            )
            return dict(rows)

        return grouped(scopes, counts_for)

    return many


def _group_in_force(scope: Scope, day: datetime.date) -> float | None:
    from qihub.catalog.models import Standard, StandardDraftingUnit

    return _count(
        Standard.objects.filter(
            _in_force_on("", day),
            level=Standard.Level.GROUP,
            pk__in=StandardDraftingUnit.objects.filter(
                scope.orgs_q("organisation_id", day)
            ).values("standard_id"),
        )
    )


# -- lifecycle -------------------------------------------------------------------


def _research_accepted(scope: Scope, day: datetime.date) -> float | None:
    from qihub.lifecycle.models import ResearchProject, ResearchReview

    passed = ResearchReview.objects.filter(
        research_project=OuterRef("pk"),
        kind=ResearchReview.Kind.ACCEPTANCE,
        outcome__in=[ResearchReview.Outcome.PASSED, ResearchReview.Outcome.CONDITIONAL],
        held_on__lte=day,
    )
    return _count(
        ResearchProject.objects.filter(
            scope.orgs_q("lead_organisation_id", day),
            status=ResearchProject.Status.ACCEPTED,
        ).filter(Exists(passed))
    )


def _international(count_name: str) -> Compute:
    """International projects led or taken part in, from the international
    standardization app (each project once for the whole scope)."""

    def compute(scope: Scope, day: datetime.date) -> float | None:
        from qihub.international import selectors as international

        count = getattr(international, count_name)
        if scope.organisation is not None:
            return float(count(on=day, organisations=[scope.organisation.pk]))
        return float(count(region=scope.region, network=scope.network, on=day))

    return compute


def _projects_of(scope: Scope, day: datetime.date) -> QuerySet:
    from qihub.lifecycle.models import Project, ProjectDraftingUnit

    return Project.objects.filter(
        scope.orgs_q("proposer_organisation_id", day)
        | Q(
            pk__in=ProjectDraftingUnit.objects.filter(
                scope.orgs_q("organisation_id", day)
            ).values("project_id")
        )
    ).values("id")


def _consultations(scope: Scope, day: datetime.date) -> float | None:
    from qihub.lifecycle.models import Consultation

    return _count(
        Consultation.objects.filter(
            opens_on__lte=day, project_id__in=_projects_of(scope, day)
        )
    )


def _comments_resolved(scope: Scope, day: datetime.date) -> float | None:
    from qihub.lifecycle.models import Comment

    return _count(
        Comment.objects.filter(
            resolved_at__date__lte=day,
            consultation__project_id__in=_projects_of(scope, day),
        )
    )


#: Days a complaint on a standard may wait for its answer.
COMPLAINT_DEADLINE_DAYS = 30


def _complaints_in_time(scope: Scope, day: datetime.date) -> float | None:
    from qihub.catalog.models import StandardDraftingUnit
    from qihub.lifecycle.models import Feedback

    received = Feedback.objects.filter(
        kind=Feedback.Kind.COMPLAINT, created_at__date__lte=day
    ).filter(
        scope.orgs_q("organisation_id", day)
        | Q(
            standard_id__in=StandardDraftingUnit.objects.filter(
                scope.orgs_q("organisation_id", day)
            ).values("standard_id")
        )
    )
    rows = list(received.values_list("created_at", "responded_at"))
    due = [r for r in rows if r[0].date() + _days(COMPLAINT_DEADLINE_DAYS) <= day]
    if not due:
        return None
    ok = sum(
        1
        for created, answered in due
        if answered is not None
        and answered.date() <= day
        and (answered - created).days <= COMPLAINT_DEADLINE_DAYS
    )
    return round(100 * ok / len(due), 2)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# -- declarations ---------------------------------------------------------------


def _declarations_qs(day: datetime.date) -> QuerySet:
    """Declarations published by ``day`` and not withdrawn by then (a
    withdrawal is final, so only the withdrawn ones need their events)."""
    from qihub.declarations.models import Declaration, DeclarationEvent

    withdrawn = DeclarationEvent.objects.filter(
        declaration=OuterRef("pk"),
        type=DeclarationEvent.Type.WITHDRAWN,
        created_at__lt=day_end(day),
    )
    return Declaration.objects.filter(
        status__in=[Declaration.Status.PUBLISHED, Declaration.Status.WITHDRAWN],
        published_at__lt=day_end(day),
    ).exclude(Q(status=Declaration.Status.WITHDRAWN) & Exists(withdrawn))


def _declarations(scope: Scope, day: datetime.date) -> float | None:
    if scope.region is not None:
        return _declarations_many([scope], day)[scope.key]
    return _count(
        _declarations_qs(day).filter(scope.orgs_q("enterprise__organisation_id", day))
    )


def _declarations_many(
    scopes: list[Scope], day: datetime.date
) -> dict[str, float | None]:
    from django.db.models import Count
    from django.db.models.functions import Substr

    qs = _declarations_qs(day)

    def counts_for(length: int) -> dict[str, float]:
        return dict(
            qs.annotate(p=Substr("region", 1, length))
            .values("p")
            .annotate(n=Count("id"))
            .values_list("p", "n")
        )

    return grouped(scopes, counts_for)


def _forerunner_lists(scope: Scope, day: datetime.date) -> float | None:
    from qihub.declarations.models import ForerunnerEvaluation

    ids = set(
        Organisation.objects.filter(pk__in=scope.org_ids(day)).values_list(
            "id", flat=True
        )
    )
    lists = ForerunnerEvaluation.objects.filter(
        status=ForerunnerEvaluation.Status.PUBLISHED, published_at__date__lte=day
    ).values_list("results", flat=True)
    return float(
        sum(
            1
            for results in lists
            if any((r or {}).get("organisation") in ids for r in results or [])
        )
    )


# -- the list ---------------------------------------------------------------------

_STATUS_DATES = (
    " The past is computed from the records' dates; where a domain keeps no "
    "dated history the record's present state is used for every date."
)

register(
    Indicator(
        "social_public_standards",
        "社会公用计量标准",
        "Social public measurement standards in force",
        "项",
        "Active social public measurement standards (社会公用计量标准) serving "
        "the region or held by the scope's organisations, whose assessment "
        "certificate was valid on the date. Suspensions and retirements keep no "
        "date, so the present status is used." + _STATUS_DATES,
        _social_public_standards,
    )
)
register(
    Indicator(
        "local_measurement_specifications",
        "地方计量技术规范",
        "Local measurement technical specifications",
        "项",
        "Local verification regulations and calibration specifications in force "
        "on the date: for a province, those carrying its short name (JJF(吉)); "
        "otherwise those its organisations drafted.",
        _local_specifications,
    )
)
register(
    Indicator(
        "certified_reference_materials",
        "有证标准物质",
        "Certified reference materials",
        "种",
        "Certified reference materials (GBW, GBW(E)) produced by the scope's "
        "organisations, recorded by the date and still valid on it.",
        _reference_materials,
    )
)
register(
    Indicator(
        "verification_coverage",
        "强制检定覆盖率",
        "Compulsory-verification coverage",
        "%",
        "Instruments used in the region (or owned by the scope's organisations) "
        "that require compulsory verification and held a valid passed "
        "verification on the date, in percent of those that require one "
        "(the metrology coverage chart's rule). No instrument: no data.",
        _coverage,
        _coverage_many,
    )
)
register(
    Indicator(
        "industrial_measurement_centres",
        "产业计量测试中心",
        "Industrial measurement and testing centres",
        "个",
        "Organisations of the scope holding an industrial measurement and "
        "testing centre designation valid on the date.",
        _designations("industrial_measurement_centre"),
    )
)
register(
    Indicator(
        "honest_measurement_units",
        "诚信计量示范单位",
        "Honest measurement demonstration units",
        "家",
        "Organisations of the scope holding an honest measurement demonstration "
        "unit designation valid on the date.",
        _designations("honest_measurement"),
    )
)
register(
    Indicator(
        "standard_innovation_enterprises",
        "标准创新型企业",
        "Standard innovation enterprises",
        "家",
        "Organisations of the scope holding a standard innovation enterprise "
        "designation valid on the date.",
        _designations("standard_innovation_enterprise"),
    )
)
for _level, _zh, _en in (
    ("international", "主导或参与制定国际标准", "International standards drafted"),
    ("national", "主导或参与制定国家标准", "National standards drafted"),
    ("industry", "主导或参与制定行业标准", "Industry standards drafted"),
    ("local", "主导或参与制定地方标准", "Local standards drafted"),
    ("group", "主导或参与制定团体标准", "Group standards drafted"),
):
    register(
        Indicator(
            f"standards_drafted_{_level}",
            _zh,
            _en,
            "项",
            f"{_en}: {_level} standards issued by the date that at least one "
            "organisation of the scope drafted (each standard once however "
            "many of them drafted it).",
            _drafted(_level),
            _drafted_many(_level),
        )
    )
register(
    Indicator(
        "group_standards_in_force",
        "现行团体标准",
        "Group standards published and in force",
        "项",
        "Group standards drafted by the scope's organisations, issued by the "
        "date and not withdrawn by then.",
        _group_in_force,
        _drafted_many("group", in_force=True),
    )
)
register(
    Indicator(
        "international_projects_led",
        "主导的国际标准项目",
        "International standard projects led",
        "项",
        "International projects (ISO, IEC, ITU: new work items and projects) "
        "whose leading organisation is in the scope, proposed by the date and "
        "not abandoned.",
        _international("projects_led_count"),
    )
)
register(
    Indicator(
        "international_projects_taken_part",
        "主导或参与的国际标准项目",
        "International standard projects led or taken part in",
        "项",
        "International projects the scope's organisations lead or take part "
        "in, proposed by the date and not abandoned; each project once.",
        _international("projects_participated_count"),
    )
)
register(
    Indicator(
        "research_projects_accepted",
        "通过验收的科研项目",
        "Research projects accepted",
        "项",
        "Research projects led by the scope's organisations that passed their "
        "acceptance review on or before the date.",
        _research_accepted,
    )
)
register(
    Indicator(
        "self_declarations_published",
        "企业标准自我声明公开",
        "Self-declarations published",
        "项",
        "Self-declarations of the region's enterprises (or the scope's) published "
        "by the date and not withdrawn by then (from their events).",
        _declarations,
        _declarations_many,
    )
)
register(
    Indicator(
        "forerunner_lists",
        "企业标准领跑者榜单",
        "Forerunner lists naming the scope's enterprises",
        "个",
        "Published forerunner lists, by the date, naming at least one "
        "enterprise of the scope.",
        _forerunner_lists,
    )
)
register(
    Indicator(
        "consultations_held",
        "征求意见",
        "Consultations held",
        "次",
        "Public consultations opened by the date on projects the scope's "
        "organisations proposed or draft.",
        _consultations,
    )
)
register(
    Indicator(
        "comments_resolved",
        "处理的意见",
        "Comments resolved",
        "条",
        "Consultation comments resolved by the date on those projects.",
        _comments_resolved,
    )
)
register(
    Indicator(
        "complaints_in_time",
        "按期处理的投诉",
        "Complaints handled within the deadline",
        "%",
        f"Complaints on standards the scope's organisations drafted (or from "
        f"them) whose {COMPLAINT_DEADLINE_DAYS}-day answer deadline fell by the "
        "date, answered in time, in percent. None due: no data.",
        _complaints_in_time,
    )
)
for _slug, _zh, _en, _unit, _definition in (
    (
        "international_standards_led",
        "主导或参与国际标准",
        "International standards led or taken part in",
        "项",
        "Reported: approved reports of published international standards "
        "(ISO, IEC, ITU) an organisation led or took part in; the projects "
        "themselves are counted by international_projects_led and "
        "international_projects_taken_part.",
    ),
    (
        "talents_trained",
        "培养国际标准化人才",
        "International-standards talents trained",
        "人",
        "Reported: people trained, per approved report with evidence.",
    ),
    (
        "organisations_brought",
        "引进国际标准组织或对口机构",
        "International standards organisations brought to the city",
        "个",
        "Reported: international standards organisations, their secretariats "
        "or counterparts established in the city.",
    ),
    (
        "standard_innovation_bases",
        "标准创新基地",
        "Standard innovation bases",
        "个",
        "Reported: standard innovation bases built.",
    ),
    (
        "synchronised_rd_enterprises",
        "科技研发与标准研制同步企业",
        "Enterprises with synchronised R&D and standards",
        "家",
        "Reported: enterprises developing standards alongside their R&D.",
    ),
):
    register(Indicator(_slug, _zh, _en, _unit, _definition))

"""Demo programmes: the three plans of issue 16 with their real targets.

* Jilin's metrology development plan to 2025 (吉林省计量发展规划);
* Shenzhen's 2016–2018 standards internationalisation plan;
* Mianyang's regional standardization centre (its research and standards
  targets), measured over the Mianyang centre network when the
  organisations demo made one, else over the city of Mianyang.

The demo registries are far smaller than a province, so the twelve monthly
snapshots of the province-scale targets are *entered* (``seeded``, an
illustrative series in the plans' orders of magnitude, shown with its
cities) rather than computed; the reported Shenzhen indicators come from
approved reported values and their snapshots are computed from them. The
dashboard then shows met, on-track, at-risk and off-track targets; ``qihub
snapshot-indicators`` recomputes any month from the live records.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from qihub.organisations import services as org_services
from qihub.organisations.models import Network, Region
from qihub.programmes import services
from qihub.programmes.models import Programme, ReportedValue

JILIN = "吉林省计量发展规划（2021—2025年）"
SHENZHEN = "深圳市标准国际化创新发展行动计划（2016—2018年）"
MIANYANG = "绵阳区域标准化研究中心建设方案"


def _months(today: datetime.date, n: int = 12) -> list[datetime.date]:
    first = today.replace(day=1)
    out = [first]
    for _i in range(n - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        out.append(first)
    return list(reversed(out))


def _linear(start: float, end: float, n: int, digits: int = 0) -> list[float]:
    step = (end - start) / (n - 1)
    return [
        round(start + step * i, digits) if digits else round(start + step * i)
        for i in range(n)
    ]


#: City shares of the province's counts (Changchun, Jilin City, ...).
CITY_SHARES = {
    "220100": 0.42,
    "220200": 0.17,
    "220300": 0.07,
    "220400": 0.04,
    "220500": 0.07,
    "220600": 0.04,
    "220700": 0.07,
    "220800": 0.04,
    "222400": 0.08,
}
CITY_COVERAGE_OFFSET = {
    "220100": 2.1,
    "220200": 0.8,
    "220300": -3.5,
    "220400": -1.2,
    "220500": -0.6,
    "220600": -4.0,
    "220700": -2.2,
    "220800": -5.1,
    "222400": -1.9,
}


def _seed(slug: str, scope: str, months, values) -> None:
    for month, value in zip(months, values, strict=True):
        services.snapshot_store(
            indicator=slug, scope=scope, month=month, value=value, seeded=True
        )


def _org(name: str, region: str, kind: str = "government"):
    org, _created = org_services.organisation_find_or_create(
        actor=None, name=name, kind=kind, region=region
    )
    return org


def _jilin(today, months) -> None:
    authority = _org("吉林省市场监督管理局", "220000")
    prog = services.programme_create(
        actor=None,
        name_zh=JILIN,
        name_en="Jilin Province metrology development plan (2021–2025)",
        issuing_authority=authority,
        region=Region.objects.get(code="220000"),
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        source_title="吉林省计量发展规划（2021—2025年）",
        source_text="到2025年，建立社会公用计量标准1450项，制修订地方计量技术规范70项，"
        "研制标准物质80种，强制检定覆盖率达到90%，建设产业计量测试中心5个，"
        "培育诚信计量示范单位1000家。",
    )
    deadline = datetime.date(2025, 12, 31)
    n = len(months)
    plan = [
        # slug, target, unit, baseline, province series
        ("social_public_standards", 1450, "项", 1203, _linear(1395, 1462, n)),
        ("local_measurement_specifications", 70, "项", 41, _linear(57, 66, n)),
        ("certified_reference_materials", 80, "种", 38, _linear(61, 72, n)),
        ("verification_coverage", 90, "%", 82.0, _linear(86.0, 89.8, n, 2)),
        (
            "industrial_measurement_centres",
            5,
            "个",
            2,
            [3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5][-n:],
        ),
        ("honest_measurement_units", 1000, "家", 520, _linear(760, 905, n)),
    ]
    for slug, target, unit, baseline, series in plan:
        services.target_add(
            actor=None,
            programme=prog,
            indicator=slug,
            target_value=target,
            unit=unit,
            deadline=deadline,
            baseline_value=baseline,
            baseline_on=datetime.date(2020, 12, 31),
            owner=authority,
        )
        _seed(slug, "220000", months, series)
        for code, share in CITY_SHARES.items():
            if slug == "verification_coverage":
                city = [
                    min(100.0, round(v + CITY_COVERAGE_OFFSET[code], 2)) for v in series
                ]
            else:
                city = [round(v * share) for v in series]
            _seed(slug, code, months, city)


def _shenzhen(today, months) -> None:
    authority = _org("深圳市市场和质量监督管理委员会", "440300")
    prog = services.programme_create(
        actor=None,
        name_zh=SHENZHEN,
        name_en="Shenzhen standards internationalisation action plan (2016–2018)",
        issuing_authority=authority,
        region=Region.objects.get(code="440300"),
        starts_on=datetime.date(2016, 1, 1),
        ends_on=datetime.date(2018, 12, 31),
        source_title=SHENZHEN,
        source_text="主导或参与制修订国际标准600项，培养国际标准化人才500名，"
        "引进国际标准组织或对口机构5个，建设标准创新基地5个，"
        "培育科技研发与标准研制同步企业30家（共15项量化指标）。",
    )
    deadline = datetime.date(2018, 12, 31)
    plan = [
        ("international_standards_led", 600, "项", 626),
        ("talents_trained", 500, "人", 538),
        ("organisations_brought", 5, "个", 4),
        ("standard_innovation_bases", 5, "个", 5),
        ("synchronised_rd_enterprises", 30, "家", 31),
    ]
    for slug, target, unit, reached in plan:
        services.target_add(
            actor=None,
            programme=prog,
            indicator=slug,
            target_value=target,
            unit=unit,
            deadline=deadline,
            owner=authority,
        )
        rv = services.reported_value_submit(
            actor=None,
            organisation=authority,
            indicator=slug,
            period_start=datetime.date(2016, 1, 1),
            period_end=deadline,
            value=reached,
            evidence=ContentFile(
                f"{slug}: {reached} (2016–2018 summary report)\n".encode(),
                name=f"{slug}-2018.txt",
            ),
            today=today,
        )
        services.reported_value_review(actor=None, reported=rv, approve=True)
    # one report waiting for a reviewer on the review page
    services.reported_value_submit(
        actor=None,
        organisation=authority,
        indicator="talents_trained",
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2019, 12, 31),
        value=120,
        evidence=ContentFile(b"training certificates 2019\n", name="talents-2019.txt"),
        today=today,
    )
    for month in months:
        services.snapshots_compute(month=month, scopes=["440300"])


def _mianyang(today, months) -> None:
    authority = _org("绵阳市市场监督管理局", "510700")
    network = Network.objects.filter(name_zh__contains="绵阳").order_by("id").first()
    prog = services.programme_create(
        actor=None,
        name_zh=MIANYANG,
        name_en="Mianyang regional standardization centre",
        issuing_authority=authority,
        region=None if network else Region.objects.get(code="510700"),
        network=network,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        source_title=MIANYANG,
        source_text="承担科研项目16项并通过验收；所属单位主导或参与制定国际标准4项、"
        "国家标准28项、行业标准5项、团体标准22项。",
    )
    scope = prog.scope_key
    deadline = datetime.date(2027, 12, 31)
    n = len(months)
    plan = [
        ("research_projects_accepted", 16, "项", _linear(5, 10, n)),
        ("standards_drafted_international", 4, "项", [1] * 6 + [2] * (n - 6)),
        ("standards_drafted_national", 28, "项", _linear(12, 19, n)),
        ("standards_drafted_industry", 5, "项", [3] * 4 + [4] * 4 + [5] * (n - 8)),
        ("standards_drafted_group", 22, "项", _linear(8, 15, n)),
    ]
    for slug, target, unit, series in plan:
        services.target_add(
            actor=None,
            programme=prog,
            indicator=slug,
            target_value=target,
            unit=unit,
            deadline=deadline,
            owner=authority,
        )
        _seed(slug, scope, months, series)


def load(stdout=None, today: datetime.date | None = None) -> None:
    """Load the three programmes once (skipped when they are there)."""
    if Programme.objects.filter(name_zh=JILIN).exists():
        return
    today = today or timezone.localdate()
    months = _months(today)
    _jilin(today, months)
    _shenzhen(today, months)
    _mianyang(today, months)
    if stdout is not None:
        pending = ReportedValue.objects.filter(
            state=ReportedValue.State.PENDING
        ).count()
        stdout.write(
            f"programmes: 3 programmes, {len(months)} months of snapshots, "
            f"{pending} reported value waiting for review"
        )

"""Demo conformity data: a city's inspection institute, a metrology
institute, a certification body and a foreign laboratory under an MRA, their
scopes on demo standards (GB 31701 formaldehyde among them), reports and
certificates. Re-runnable: nothing is added twice."""

from __future__ import annotations

import datetime

from django.utils import timezone

from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity import services
from qihub.conformity.models import (
    Agreement,
    Application,
    Certificate,
    Scheme,
    TestReport,
)
from qihub.organisations.models import Designation, Organisation
from qihub.requirements.models import Requirement

Kind = Organisation.Kind

BODIES = [
    (
        "绵阳市产品质量监督检验所",
        "Mianyang Product Quality Supervision and Inspection Institute",
        Kind.TESTING_BODY,
        "510700",
        "CNAS L0523",
    ),
    (
        "绵阳市计量测试所",
        "Mianyang Institute of Metrology and Testing",
        Kind.CALIBRATION_LAB,
        "510700",
        "CNAS L2841",
    ),
    ("中国质量认证中心", "China Quality Certification Centre", Kind.CERTIFICATION_BODY, "110000", "CNAS C001-P"),
    ("", "TÜV Rheinland LGA Products GmbH", Kind.INTERNATIONAL, None, "DAkkS D-PL-11035-01"),
]  # fmt: skip

SCOPES = {
    "CNAS L0523": (
        "序号,检测对象,项目/参数,单位,检测标准（方法）名称及编号（含年号）,限制范围,说明\n"
        "1,婴幼儿纺织产品,1 甲醛含量,mg/kg,婴幼儿及儿童纺织产品安全技术规范 GB 31701-2015 第4.1条,,\n"
        "2,婴幼儿纺织产品,2 pH值,,GB 31701-2015 第4.1条,,\n"
        "3,纺织产品,1 甲醛含量,mg/kg,国家纺织产品基本安全技术规范 GB 18401-2010,,\n"
        "4,食品,1 铅,mg/kg,GB 2762-2017,,只测谷物及其制品\n"
    ),
    "CNAS L2841": (
        "object,parameter,unit,standard,clause,limitation\n"
        "infant textile products,pH,,GB 31701-2015,4.1,\n"
    ),
    "DAkkS D-PL-11035-01": (
        "object,parameter,unit,standard,clause\n"
        "textile products for infants,formaldehyde,mg/kg,GB 31701,4.1\n"
    ),
}


def _body(name_zh, name_en, kind, region, number) -> Organisation:
    org = (
        Organisation.objects.filter(name_zh=name_zh).first()
        if name_zh
        else Organisation.objects.filter(name_en=name_en).first()
    )
    if org is None:
        from qihub.organisations.services import organisation_create

        org = organisation_create(
            actor=None, kind=kind, name_zh=name_zh, name_en=name_en, region=region
        )
    if not org.designations.filter(kind=Designation.Kind.ACCREDITED_BODY).exists():
        Designation.objects.create(
            organisation=org,
            kind=Designation.Kind.ACCREDITED_BODY,
            number=number,
            valid_from=datetime.date(2021, 3, 1),
            expires_on=datetime.date(2027, 2, 28),
        )
    return org


def _formaldehyde_conditions(standard) -> dict:
    """The conditions of GB 31701's strictest confirmed formaldehyde limit,
    adding an unconditional 20 mg/kg limit when the catalogue has none."""
    reqs = Requirement.objects.filter(
        standard=standard,
        parameter__key="formaldehyde",
        status=Requirement.Status.CONFIRMED,
    ).order_by("value")
    req = reqs.first()
    if req is None:
        from qihub.requirements.services import requirement_create

        req = requirement_create(
            standard=standard,
            parameter="formaldehyde",
            operator="<=",
            value="20",
            unit="mg/kg",
            conditions={},
        )
    return dict(req.conditions or {})


def load(stdout=None) -> None:
    gb31701 = standard_get_by_identifier("GB 31701-2015")
    if gb31701 is None:
        if stdout:
            stdout.write("conformity: GB 31701-2015 not in the catalogue; skipped")
        return
    conditions = _formaldehyde_conditions(gb31701)
    bodies = {row[4]: _body(*row) for row in BODIES}
    for code, csv_text in SCOPES.items():
        body = bodies[code]
        if not body.scope_lines.exists():
            services.scope_import(
                actor=None, body=body, data=csv_text.encode(), filename="scope.csv"
            )
    lab = bodies["CNAS L0523"]
    cb = bodies["CNAS C001-P"]
    foreign = bodies["DAkkS D-PL-11035-01"]
    enterprise = (
        Organisation.objects.filter(
            kind=Kind.ENTERPRISE, name_zh__contains="童装"
        ).first()
        or Organisation.objects.filter(kind=Kind.ENTERPRISE).first()
    )
    if enterprise is None:
        from qihub.organisations.services import organisation_create

        enterprise = organisation_create(
            actor=None, kind=Kind.ENTERPRISE, name_zh="深圳市小羊童装有限公司"
        )
    reports = {}
    for number, value, conclusion in (
        ("MYZJ-2025-T0001", "12", "pass"),
        ("MYZJ-2025-T0002", "48", "fail"),
    ):
        report = TestReport.objects.filter(number=number).first()
        if report is None:
            report = services.report_create(
                actor=None,
                body=lab,
                client=enterprise,
                number=number,
                product="婴儿连体服",
                sample="批号 20250301, 3 件",
                standards=["GB 31701-2015"],
                conditions=conditions,
                conclusion=conclusion,
                results=[
                    {
                        "parameter": "甲醛含量",
                        "value": value,
                        "unit": "mg/kg",
                        "uncertainty": "2",
                        "method": "GB/T 2912.1-2009",
                        "limit_quoted": "≤ 20 mg/kg",
                    }
                ],
            )
            report = services.report_issue(actor=None, report=report)
        reports[number] = report
    scheme = Scheme.objects.filter(code="SZS-TEX").first()
    if scheme is None:
        scheme = services.scheme_create(
            actor=None,
            code="SZS-TEX",
            name_zh="深圳标准认证 婴幼儿纺织产品",
            name_en="Shenzhen Standard certification — infant textiles",
            standards=["GB 31701-2015"],
            rules="型式试验 + 工厂检查 + 获证后监督 (每 12 个月)",
            owner=cb,
        )
    today = timezone.localdate()
    for number, status in (
        ("CQC-SZS-2025-0001", "valid"),
        ("CQC-SZS-2025-0002", "suspended"),
    ):
        if Certificate.objects.filter(number=number).exists():
            continue
        cert = services.certificate_issue(
            actor=None,
            scheme=scheme,
            body=cb,
            holder=enterprise,
            products="婴儿连体服",
            models_text="A-01, A-02" if status == "valid" else "B-07",
            standard=gb31701,
            number=number,
            valid_from=today - datetime.timedelta(days=120),
        )
        if status == "suspended":
            services.certificate_change(
                actor=None,
                certificate=cert,
                action="suspend",
                reason="获证后监督抽样甲醛含量不合格",
            )
    passing = next(
        (r for r in reports.values() if r.computed == "pass" and r.status == "issued"),
        None,
    )
    if passing is not None and not Application.objects.exists():
        # One application through the whole path: evaluation (test report +
        # factory inspection), decision, certificate.
        app = services.application_create(
            actor=None,
            scheme=scheme,
            body=cb,
            applicant=enterprise,
            products="婴儿睡袋",
            models_text="S-03",
            standard=gb31701,
        )
        services.application_evaluate(
            actor=None,
            application=app,
            test_report=passing,
            inspection_on=today - datetime.timedelta(days=30),
            inspection_passed=True,
            inspection_notes="质量管理体系与生产一致性检查符合要求",
        )
        services.application_decide(
            actor=None, application=app, grant=True, number="CQC-SZS-2025-0003"
        )
    if not Agreement.objects.exists():
        services.agreement_create(
            actor=None,
            kind=Agreement.Kind.ILAC_MRA,
            name="ILAC MRA",
            bodies=[lab, foreign],
            markets=["CN", "DE", "EU", "HK", "US"],
            valid_from=datetime.date(2001, 1, 31),
        )
        services.agreement_create(
            actor=None,
            kind=Agreement.Kind.BILATERAL,
            name="绵阳所—TÜV 莱茵 婴幼儿纺织品检测结果互认",
            bodies=[lab, foreign],
            markets=["CN", "DE"],
            products=["纺织"],
            standards=["GB 31701-2015"],
            valid_from=datetime.date(2024, 6, 1),
            valid_until=datetime.date(2029, 5, 31),
        )
    if stdout:
        stdout.write(
            f"conformity: {len(bodies)} bodies with scopes, {len(reports)} reports, "
            f"{Certificate.objects.count()} certificates, "
            f"{Agreement.objects.count()} recognition agreements"
        )

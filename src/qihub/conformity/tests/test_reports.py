import datetime

import pytest

from qihub.conformity import services
from qihub.conformity.models import TestReport, TestRequest
from qihub.core.errors import ApplicationError


def _report(lab, number="R-001", value="35", unit="mg/kg", conclusion="fail", **kw):
    return services.report_create(
        actor=None,
        body=lab,
        number=number,
        product="婴儿连体服",
        standards=["GB 31701"],
        results=[
            {"parameter": "甲醛含量", "value": value, "unit": unit, "uncertainty": "2"}
        ],
        conclusion=conclusion,
        **kw,
    )


def test_issue_flags_failing_result(lab, gb31701):
    report = services.report_issue(actor=None, report=_report(lab))
    assert report.status == TestReport.Status.ISSUED
    assert report.computed == "fail"
    result = report.results.get()
    assert result.outcome == "fail"
    assert "does not meet" in result.reason


def test_unit_conversion(lab, gb31701):
    report = services.report_issue(
        actor=None, report=_report(lab, value="0.015", unit="g/kg", conclusion="pass")
    )
    assert report.computed == "pass"


def test_contradiction_blocks_issue(lab, gb31701):
    report = _report(lab, conclusion="pass")
    with pytest.raises(ApplicationError, match="contradicts the results: 甲醛含量"):
        services.report_issue(actor=None, report=report)
    report.refresh_from_db()
    assert report.status == TestReport.Status.DRAFT
    assert report.results.get().outcome == ""


def test_unconvertible_unit_refused(lab, gb31701):
    report = _report(lab, unit="m", conclusion="pass")
    with pytest.raises(ApplicationError, match="cannot be converted"):
        services.report_issue(actor=None, report=report)


def test_expired_body_cannot_issue(lab, gb31701):
    lab.designations.update(expires_on=datetime.date(2021, 1, 1))
    with pytest.raises(ApplicationError, match="no valid accreditation"):
        services.report_issue(actor=None, report=_report(lab))


def test_unknown_standard_refused(lab, gb31701):
    with pytest.raises(ApplicationError, match="not in the standards catalogue"):
        services.report_create(
            actor=None,
            body=lab,
            number="R-9",
            product="x",
            standards=["GB 99999"],
            results=[{"parameter": "pH", "value": "7"}],
            conclusion="pass",
        )


def test_revoke(lab, gb31701):
    report = services.report_issue(actor=None, report=_report(lab))
    with pytest.raises(ApplicationError, match="Say why"):
        services.report_revoke(actor=None, report=report, reason="")
    report = services.report_revoke(actor=None, report=report, reason="sample mix-up")
    assert report.status == "revoked"
    assert services.verify_numbers(["R-001"])[0]["status"] == "revoked"


def test_request_flow(lab, enterprise, gb31701, enterprise_user):
    from qihub.organisations.models import Membership

    Membership.objects.create(user=enterprise_user, organisation=enterprise)
    req = services.request_create(
        actor=enterprise_user,
        body=lab,
        client=enterprise,
        product="婴儿连体服",
        parameters="甲醛含量",
        standard="GB 31701",
    )
    with pytest.raises(ApplicationError, match="other side"):
        services.request_move(
            actor=enterprise_user, request=req, state="quoted", quote="1"
        )
    services.request_move(actor=None, request=req, state="quoted", quote="800 元, 5 天")
    services.request_move(actor=enterprise_user, request=req, state="accepted")
    services.request_move(actor=None, request=req, state="sample_received")
    report = services.report_issue(actor=None, report=_report(lab, request=req))
    req.refresh_from_db()
    assert req.state == TestRequest.State.REPORT_ISSUED
    assert report.client == enterprise
    assert [e.type for e in req.events.all()] == [
        "requested",
        "quoted",
        "accepted",
        "sample_received",
        "report_issued",
    ]


def test_certification_lifecycle(lab, cert_body, enterprise, gb31701):
    scheme = services.scheme_create(
        actor=None, code="SZS", name_en="Shenzhen standard", standards=["GB 31701"]
    )
    app = services.application_create(
        actor=None,
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        standard="GB 31701-2015",
    )
    report = services.report_issue(
        actor=None, report=_report(lab, value="10", conclusion="pass")
    )
    services.application_evaluate(
        actor=None,
        application=app,
        test_report=report,
        inspection_on=datetime.date(2025, 1, 1),
        inspection_passed=True,
    )
    cert = services.application_decide(
        actor=None, application=app, grant=True, number="CERT-2025-001"
    )
    assert cert.status == "valid"
    assert services.verify_numbers(["CERT-2025-001"])[0]["holder"] == enterprise.name
    services.certificate_change(
        actor=None, certificate=cert, action="suspend", reason="surveillance failed"
    )
    assert services.verify_numbers(["CERT-2025-001"])[0]["status"] == "suspended"
    services.certificate_change(actor=None, certificate=cert, action="restore")
    new = services.certificate_renew(
        actor=None, certificate=cert, number="CERT-2028-001"
    )
    assert new.replaces == cert
    services.certificate_change(
        actor=None, certificate=new, action="withdraw", reason="closed"
    )
    with pytest.raises(ApplicationError):
        services.certificate_change(actor=None, certificate=new, action="restore")
    assert [e.type for e in cert.events.all()] == [
        "issued",
        "suspended",
        "restored",
        "renewed",
    ]


def test_verify_bulk_per_number(lab, gb31701):
    services.report_issue(actor=None, report=_report(lab))
    out = services.verify_numbers(["R-001", "NOPE-1", "<bad>", None])
    assert [o["status"] for o in out] == ["valid", "unknown", "malformed", "malformed"]
    assert "client" not in out[0]


def test_recognition(lab, gb31701):
    report = services.report_issue(actor=None, report=_report(lab))
    services.agreement_create(
        actor=None,
        kind="ilac_mra",
        name="ILAC MRA",
        bodies=[lab],
        markets=["EU", "US"],
        valid_from=datetime.date(2020, 1, 1),
    )
    from qihub.conformity.selectors import recognising_agreements, report_markets

    assert recognising_agreements(body=lab, product="x", standard=gb31701, market="EU")
    assert not recognising_agreements(body=lab, market="JP")
    assert [m["market"] for m in report_markets(report)] == ["EU", "US"]

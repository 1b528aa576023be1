"""Pages: an application evaluated and decided by the certification body;
the public list of recognition agreements."""

import datetime

from qihub.conformity import services
from qihub.conformity.models import Application, Certificate
from qihub.conformity.tests.test_reports import _report
from qihub.organisations.models import Membership


def test_application_page_evaluate_and_grant(
    client, django_user_model, lab, cert_body, enterprise, gb31701
):
    user = django_user_model.objects.create_user("cb", password="x")
    Membership.objects.create(user=user, organisation=cert_body)
    scheme = services.scheme_create(actor=None, code="SZS", standards=["GB 31701"])
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
    url = f"/conformity/applications/{app.pk}/"
    assert client.get(url).status_code == 302  # login first
    client.force_login(user)
    page = client.get(url).content.decode()
    assert 'id="evaluate"' in page
    assert 'id="decide"' not in page
    # An unknown report is refused and nothing changes.
    client.post(url, {"step": "evaluate", "test_report": "NOPE-1"})
    app.refresh_from_db()
    assert app.state == "applied"
    client.post(
        url,
        {
            "step": "evaluate",
            "test_report": report.number,
            "inspection_on": "2025-01-01",
            "inspection_passed": "1",
        },
    )
    app.refresh_from_db()
    assert app.state == "evaluated"
    assert app.inspection_on == datetime.date(2025, 1, 1)
    r = client.post(url, {"step": "decide", "grant": "1", "number": "CERT-P-1"})
    cert = Certificate.objects.get(number="CERT-P-1")
    assert r.status_code == 302
    assert r.url == cert.get_absolute_url()
    assert Application.objects.get().state == "granted"
    # Someone else sees nothing.
    other = django_user_model.objects.create_user("other", password="x")
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_agreements_page(client, lab, gb31701):
    services.agreement_create(
        actor=None,
        kind="ilac_mra",
        name="ILAC MRA",
        bodies=[lab],
        markets=["CN", "DE"],
        valid_from=datetime.date(2020, 1, 1),
    )
    page = client.get("/conformity/agreements/").content.decode()
    assert "ILAC MRA" in page
    assert lab.name in page
    assert "CN, DE" in page

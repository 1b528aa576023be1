"""Real-browser test of the main flow: an enterprise finds a lab that can test
formaldehyde in infant garments to GB 31701, requests a test; the lab quotes,
receives the sample and issues a report whose failing item the engine flags;
a visitor verifies a certificate by number and sees it suspended after the
certification body suspends it."""

import pytest
from django.utils import timezone

from qihub.conformity import services
from qihub.core.services import user_create
from qihub.organisations.models import Membership


def _logout(page):
    page.click("button:has-text('Log out')")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_find_request_report_verify(
    page, login, scope_lines, lab, enterprise, cert_body, gb31701
):
    buyer = user_create(username="buyer", password="pw-buyer", roles=["enterprise"])
    tester = user_create(username="tester", password="pw-tester", roles=[])
    certifier = user_create(username="certifier", password="pw-certifier", roles=[])
    Membership.objects.create(user=buyer, organisation=enterprise)
    Membership.objects.create(user=tester, organisation=lab)
    Membership.objects.create(user=certifier, organisation=cert_body)
    scheme = services.scheme_create(
        actor=None, code="SZS", name_en="Shenzhen standard", standards=["GB 31701"]
    )
    services.certificate_issue(
        actor=None,
        scheme=scheme,
        body=cert_body,
        holder=enterprise,
        products="婴儿连体服",
        standard="GB 31701",
        number="CQC-2025-0001",
        valid_from=timezone.localdate(),
    )

    # The enterprise finds the lab and asks for a test.
    login(buyer)
    page.goto("/conformity/capabilities/")
    page.fill("#id_product", "婴幼儿纺织")
    page.fill("#id_parameter", "甲醛")
    page.fill("#id_standard", "GB 31701")
    page.click("form button[type=submit]:has-text('Search')")
    row = page.locator("#capabilities tbody tr").first
    assert lab.name in row.inner_text()
    assert "valid" in row.inner_text()
    row.locator("a:has-text('Request a test')").click()
    page.click("button:has-text('Send request')")
    assert page.inner_text("#request-state") == "Requested"
    request_url = page.url
    _logout(page)

    # The lab quotes; the enterprise accepts; the lab receives the sample.
    login(tester)
    page.goto(request_url)
    page.fill("input[name=quote]", "800 元, 5 个工作日")
    page.click("button[value=quoted]")
    assert page.inner_text("#request-state") == "Quoted"
    _logout(page)
    login(buyer)
    page.goto(request_url)
    page.click("button[value=accepted]")
    assert page.inner_text("#request-state") == "Accepted"
    _logout(page)
    login(tester)
    page.goto(request_url)
    page.click("button[value=sample_received]")
    assert page.inner_text("#request-state") == "Sample received"

    # A report that says "conforms" against failing results is refused.
    page.fill("#id_number", "MY-2025-0001")
    page.fill("#id_results", "甲醛含量 = 35 mg/kg")
    page.select_option("#id_conclusion", "pass")
    page.click("button:has-text('Issue report')")
    assert "contradicts the results" in page.inner_text(".errors")
    page.select_option("#id_conclusion", "fail")
    page.click("button:has-text('Issue report')")
    assert page.inner_text("#report-status") == "Issued"
    failing = page.locator("#results tr.outcome-fail")
    assert failing.count() == 1
    assert "does not meet" in failing.inner_text()
    _logout(page)

    # A visitor verifies the certificate; the body suspends it; it shows suspended.
    page.goto("/conformity/verify/?number=CQC-2025-0001")
    assert page.inner_text("#verify-status") == "Valid"
    assert enterprise.name in page.inner_text("#verification")
    login(certifier)
    page.goto("/conformity/certificates/")
    page.click("a:has-text('CQC-2025-0001')")
    page.fill("input[name=reason]", "surveillance sample failed")
    page.click("button[value=suspend]")
    assert page.inner_text("#certificate-status") == "Suspended"
    _logout(page)
    page.goto("/conformity/verify/")
    page.fill("#id_number", "CQC-2025-0001")
    page.click("button:has-text('Verify')")
    assert page.inner_text("#verify-status") == "Suspended"

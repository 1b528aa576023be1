import datetime

from django.urls import reverse

from qihub.conformity import services


def _issued(lab, number="R-V1", value="35", conclusion="fail"):
    report = services.report_create(
        actor=None,
        body=lab,
        number=number,
        product="婴儿连体服",
        standards=["GB 31701"],
        results=[{"parameter": "甲醛含量", "value": value, "unit": "mg/kg"}],
        conclusion=conclusion,
    )
    return services.report_issue(actor=None, report=report)


def _cert(lab, cert_body, enterprise):
    scheme = services.scheme_create(
        actor=None, code="S1", name_en="Scheme", standards=["GB 31701"]
    )
    return services.certificate_issue(
        actor=None,
        scheme=scheme,
        body=cert_body,
        holder=enterprise,
        products="婴儿连体服",
        standard="GB 31701",
        number="C-001",
        valid_from=datetime.date(2025, 1, 1),
    )


def test_index_and_search(client, scope_lines, django_assert_max_num_queries):
    assert client.get(reverse("conformity:index")).status_code == 200
    with django_assert_max_num_queries(10):
        r = client.get(
            reverse("conformity:capabilities"),
            {"parameter": "甲醛", "standard": "GB 31701"},
        )
    assert "某市产品质量检验所" in r.content.decode()


def test_body_page_lists_flagged(
    client,
    scope_lines,
    lab,
    gb31701,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from qihub.catalog.services import standard_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        standard_withdraw(standard=gb31701, actor=None, reason="x")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("conformity:body_detail", args=[lab.pk]))
    assert 'id="flagged"' in r.content.decode()


def test_report_page_and_pdf(
    client, lab, gb31701, staff_user, django_assert_max_num_queries
):
    report = _issued(lab)
    client.force_login(staff_user)
    with django_assert_max_num_queries(15):
        r = client.get(report.get_absolute_url())
    assert "does not meet" in r.content.decode()
    r = client.get(reverse("conformity:report_pdf", args=[report.pk]))
    assert r["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_public_report_page_hides_results(client, lab, gb31701):
    report = _issued(lab)
    r = client.get(report.get_absolute_url())
    assert 'id="results"' not in r.content.decode()


def test_certified_list_feed_verify(
    client, lab, cert_body, enterprise, gb31701, django_assert_max_num_queries
):
    _cert(lab, cert_body, enterprise)
    with django_assert_max_num_queries(8):
        r = client.get(reverse("conformity:certified_list"), {"q": "连体服"})
    assert "C-001" in r.content.decode()
    r = client.get(reverse("conformity:certified_feed"))
    assert r["content-type"].startswith("application/atom+xml")
    assert "C-001" in r.content.decode()
    with django_assert_max_num_queries(6):
        r = client.get(reverse("conformity:verify"), {"number": "C-001"})
    assert 'id="verify-status"' in r.content.decode()
    assert enterprise.name in r.content.decode()
    r = client.get(reverse("conformity:verify"), {"number": "NOPE-9"})
    assert "Unknown" in r.content.decode()


def test_certificate_suspend_page(
    client, lab, cert_body, enterprise, gb31701, staff_user
):
    cert = _cert(lab, cert_body, enterprise)
    client.force_login(staff_user)
    r = client.post(
        reverse("conformity:certificate_status", args=[cert.pk]),
        {"action": "suspend", "reason": "audit"},
    )
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "suspended"


def test_request_pages(client, lab, gb31701, enterprise_user):
    client.force_login(enterprise_user)
    r = client.post(
        reverse("conformity:request_new", args=[lab.pk]),
        {"product": "婴儿连体服", "parameters": "甲醛含量", "standard": "GB 31701"},
    )
    assert r.status_code == 302
    r = client.get(r["location"])
    assert "Requested" in r.content.decode()
    r = client.post(
        reverse("conformity:request_new", args=[lab.pk]),
        {"product": "x", "parameters": "y", "standard": "GB 99999"},
    )
    assert "not in the standards catalogue" in r.content.decode()

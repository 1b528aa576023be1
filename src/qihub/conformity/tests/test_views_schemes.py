"""Pages: staff create and edit schemes and agreements; a member of an
organisation applies under a scheme; application and certificate history."""

import datetime

import pytest

from qihub.conformity import services
from qihub.conformity.models import Agreement, Application, Scheme
from qihub.conformity.tests.test_reports import _report
from qihub.organisations.models import Membership


@pytest.fixture
def scheme(gb31701):
    return services.scheme_create(
        actor=None, code="SZS", name_en="Shenzhen standard", standards=["GB 31701"]
    )


def _refused_to(client, url, user, data=None):
    """Anonymous visitors are sent to log in; other users get 403."""
    r = client.get(url)
    assert r.status_code == 302
    assert "/login" in r.url
    if data is not None:
        assert client.post(url, data).status_code == 302
    client.force_login(user)
    assert client.get(url).status_code == 403
    if data is not None:
        assert client.post(url, data).status_code == 403
    client.logout()


SCHEME_DATA = {
    "code": "SZS2",
    "name_en": "Voluntary product certification",
    "standards": "GB 31701",
    "rules": "Type test plus factory inspection.",
    "validity_years": "3",
    "surveillance_months": "12",
}


def test_scheme_new_refused_to_anonymous_and_non_staff(client, plain_user, gb31701):
    _refused_to(client, "/conformity/schemes/new/", plain_user, SCHEME_DATA)
    assert not Scheme.objects.exists()


def test_scheme_new(client, staff_user, gb31701):
    client.force_login(staff_user)
    assert 'id="scheme-form"' in client.get("/conformity/schemes/new/").content.decode()
    r = client.post("/conformity/schemes/new/", SCHEME_DATA)
    assert r.status_code == 302
    assert r.url == "/conformity/schemes/"
    scheme = Scheme.objects.get()
    assert scheme.rules == "Type test plus factory inspection."
    assert [s.identifier for s in scheme.standards.all()] == ["GB 31701-2015"]
    page = client.get("/conformity/schemes/").content.decode()
    assert "Voluntary product certification" in page
    assert f"/conformity/schemes/{scheme.pk}/edit/" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"standards": "GB 31701, GB 99999-2020"}, "GB 99999-2020 is not in the"),
        ({"validity_years": "0"}, "The validity is 1 to 10 years."),
        ({"owner": "NOBODY-1"}, "No body with code NOBODY-1"),
        ({"code": "bad code"}, "The code is up to 40 letters"),
    ],
)
def test_scheme_new_bad_input_shown_and_nothing_stored(
    client, staff_user, gb31701, changes, message
):
    client.force_login(staff_user)
    r = client.post("/conformity/schemes/new/", {**SCHEME_DATA, **changes})
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Scheme.objects.exists()


def test_scheme_edit(client, staff_user, plain_user, scheme, cert_body):
    url = f"/conformity/schemes/{scheme.pk}/edit/"
    data = {
        "name_en": "Shenzhen standard certification",
        "standards": "GB 31701-2015",
        "rules": "Annual surveillance.",
        "owner": str(cert_body.pk),
        "validity_years": "5",
        "surveillance_months": "6",
    }
    _refused_to(client, url, plain_user, data)
    scheme.refresh_from_db()
    assert scheme.validity_years == 3
    client.force_login(staff_user)
    page = client.get(url).content.decode()
    assert 'value="GB 31701-2015"' in page
    assert 'name="code"' not in page  # the code stays
    bad = client.post(url, {**data, "surveillance_months": "61"})
    assert bad.status_code == 400
    assert "The surveillance interval is 1 to 60 months." in bad.content.decode()
    scheme.refresh_from_db()
    assert scheme.validity_years == 3
    assert client.post(url, data).status_code == 302
    scheme.refresh_from_db()
    assert (scheme.validity_years, scheme.surveillance_months) == (5, 6)
    assert scheme.owner == cert_body
    assert scheme.rules == "Annual surveillance."


AGREEMENT_DATA = {
    "kind": "bilateral",
    "name": "CN-DE textiles",
    "markets": "DE, AT",
    "products": "纺织产品",
    "standards": "GB 31701",
    "valid_from": "2020-01-01",
    "valid_until": "2030-01-01",
}


def test_agreement_new_refused_to_anonymous_and_non_staff(client, plain_user, lab):
    data = {**AGREEMENT_DATA, "bodies": str(lab.pk)}
    _refused_to(client, "/conformity/agreements/new/", plain_user, data)
    assert not Agreement.objects.exists()


def test_agreement_new_and_edit(
    client, staff_user, plain_user, lab, cert_body, gb31701
):
    client.force_login(staff_user)
    r = client.post(
        "/conformity/agreements/new/", {**AGREEMENT_DATA, "bodies": "CNAS L0001"}
    )
    assert r.status_code == 302, r.content.decode()
    ag = Agreement.objects.get()
    assert list(ag.bodies.all()) == [lab]
    assert ag.markets == ["DE", "AT"]
    page = client.get("/conformity/agreements/").content.decode()
    assert f"/conformity/agreements/{ag.pk}/edit/" in page
    url = f"/conformity/agreements/{ag.pk}/edit/"
    client.logout()
    _refused_to(client, url, plain_user, {**AGREEMENT_DATA, "bodies": str(lab.pk)})
    client.force_login(staff_user)
    assert "CN-DE textiles" in client.get(url).content.decode()
    bad = client.post(
        url,
        {**AGREEMENT_DATA, "bodies": str(lab.pk), "valid_until": "2019-12-31"},
    )
    assert bad.status_code == 400
    assert "The agreement must end after it starts." in bad.content.decode()
    bad = client.post(url, {**AGREEMENT_DATA, "bodies": "NOBODY-1"})
    assert bad.status_code == 400
    assert "No body with code NOBODY-1" in bad.content.decode()
    ag.refresh_from_db()
    assert ag.valid_until == datetime.date(2030, 1, 1)
    r = client.post(
        url,
        {
            **AGREEMENT_DATA,
            "bodies": f"{lab.pk}\n{cert_body.pk}",
            "valid_until": "2035-01-01",
        },
    )
    assert r.status_code == 302
    ag.refresh_from_db()
    assert ag.valid_until == datetime.date(2035, 1, 1)
    assert set(ag.bodies.all()) == {lab, cert_body}


# --- applying ------------------------------------------------------------------


@pytest.fixture
def member(django_user_model, enterprise):
    user = django_user_model.objects.create_user("applicant", password="x")
    Membership.objects.create(user=user, organisation=enterprise)
    return user


def _apply_data(cert_body, enterprise, **changes):
    return {
        "applicant": str(enterprise.pk),
        "body": str(cert_body.pk),
        "products": "婴儿连体服",
        "models_text": "QH-01, QH-02",
        "standard": "GB 31701",
        "note": "please",
        **changes,
    }


def test_apply_refused_to_anonymous_and_non_members(
    client, plain_user, scheme, cert_body, enterprise
):
    _refused_to(
        client,
        f"/conformity/schemes/{scheme.pk}/apply/",
        plain_user,
        _apply_data(cert_body, enterprise),
    )
    assert not Application.objects.exists()


def test_apply(client, member, scheme, cert_body, enterprise):
    url = f"/conformity/schemes/{scheme.pk}/apply/"
    client.force_login(member)
    page = client.get(url).content.decode()
    assert 'id="application-form"' in page
    assert "GB 31701-2015" in page
    r = client.post(url, _apply_data(cert_body, enterprise))
    app = Application.objects.get()
    assert r.status_code == 302
    assert r.url == app.get_absolute_url()
    assert (app.applicant, app.body, app.models_text) == (
        enterprise,
        cert_body,
        "QH-01, QH-02",
    )
    event = app.events.get()
    assert (event.type, event.actor, event.reason) == ("applied", member, "please")
    page = client.get(app.get_absolute_url()).content.decode()
    assert 'id="history"' in page
    assert "Applied" in page
    assert "applicant" in page  # who
    assert "please" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"standard": "GB 99999-2020"}, "GB 99999-2020 is not in the"),
        ({"products": " "}, "This field is required."),
    ],
)
def test_apply_bad_input_shown_and_nothing_stored(
    client, member, scheme, cert_body, enterprise, changes, message
):
    client.force_login(member)
    r = client.post(
        f"/conformity/schemes/{scheme.pk}/apply/",
        _apply_data(cert_body, enterprise, **changes),
    )
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Application.objects.exists()


def test_apply_standard_outside_the_scheme(
    client, member, scheme, cert_body, enterprise
):
    from qihub.catalog.services import standard_create

    standard_create(actor=None, identifier="GB 18401-2010", title_zh="纺织品安全")
    client.force_login(member)
    r = client.post(
        f"/conformity/schemes/{scheme.pk}/apply/",
        _apply_data(cert_body, enterprise, standard="GB 18401-2010"),
    )
    assert r.status_code == 400
    assert "Scheme SZS does not certify against GB 18401-2010." in r.content.decode()
    assert not Application.objects.exists()


def test_apply_only_for_own_organisation(
    client, member, scheme, cert_body, enterprise, lab
):
    client.force_login(member)
    r = client.post(
        f"/conformity/schemes/{scheme.pk}/apply/",
        _apply_data(cert_body, enterprise, applicant=str(lab.pk)),
    )
    assert r.status_code == 400
    assert not Application.objects.exists()


# --- history on the pages --------------------------------------------------------


def test_certificate_page_history(
    client, django_user_model, scheme, lab, cert_body, enterprise
):
    officer = django_user_model.objects.create_user("officer", password="x")
    Membership.objects.create(user=officer, organisation=cert_body)
    app = services.application_create(
        actor=None,
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        standard="GB 31701",
    )
    report = services.report_issue(
        actor=None, report=_report(lab, value="10", conclusion="pass")
    )
    services.application_evaluate(
        actor=officer,
        application=app,
        test_report=report,
        inspection_on=datetime.date(2025, 1, 1),
        inspection_passed=True,
        inspection_notes="line 2 inspected",
    )
    cert = services.application_decide(
        actor=officer, application=app, grant=True, number="CERT-V-1"
    )
    services.certificate_change(
        actor=officer, certificate=cert, action="suspend", reason="audit failed"
    )
    # The public sees what and when, not who.
    page = client.get(cert.get_absolute_url()).content.decode()
    assert 'id="history"' in page
    assert "Suspended" in page
    assert "audit failed" in page
    assert "officer" not in page
    client.force_login(officer)
    page = client.get(cert.get_absolute_url()).content.decode()
    assert "officer" in page
    page = client.get(app.get_absolute_url()).content.decode()
    for text in ("Applied", "Evaluated", "Granted", "line 2 inspected", "CERT-V-1"):
        assert text in page
    assert "the platform" in page  # the application came in through an import


def test_scheme_pages_in_chinese(zh_client, staff_user, scheme):
    from django.utils import translation

    translation.activate("zh-hans")
    zh_client.force_login(staff_user)
    page = zh_client.get("/conformity/schemes/").content.decode()
    assert "认证制度" in page
    assert "新建认证制度" in page
    r = zh_client.post(
        f"/conformity/schemes/{scheme.pk}/edit/",
        {"standards": "GB 31701", "validity_years": "0", "surveillance_months": "12"},
    )
    assert "有效期为 1 至 10 年。" in r.content.decode()


def test_history_pages_and_api_make_a_bounded_number_of_queries(
    client, token_client_for, staff_user, scheme, cert_body, enterprise
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qihub.conformity.services.certification import _app_event

    app = services.application_create(
        actor=staff_user,
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        standard="GB 31701",
    )
    api = token_client_for(staff_user)
    client.force_login(staff_user)
    urls = [
        (client, app.get_absolute_url()),
        (client, "/conformity/schemes/"),
        (api, f"/api/conformity/applications/{app.pk}"),
    ]

    def counts():
        out = []
        for c, url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            out.append(len(ctx))
        return out

    before = counts()
    for n in range(5):
        _app_event(app, "evaluated", staff_user, f"note {n}")
        services.scheme_create(actor=None, code=f"S{n}", standards=["GB 31701"])
    assert counts() == before


def test_admin_shows_the_history(client, admin_user, scheme, cert_body, enterprise):
    app = services.application_create(
        actor=None,
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        standard="GB 31701",
        note="imported",
    )
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    r = client.get(f"/admin/conformity/application/{app.pk}/change/")
    assert r.status_code == 200
    assert "imported" in r.content.decode()

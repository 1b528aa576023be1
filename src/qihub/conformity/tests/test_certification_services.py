"""Certification services: schemes and agreements refuse bad input by field
and change nothing; applications and certificates keep their history."""

import datetime

import pytest

from qihub.conformity import services
from qihub.conformity.models import (
    Agreement,
    Application,
    ApplicationEvent,
    Certificate,
    Scheme,
)
from qihub.conformity.tests.test_reports import _report
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.organisations.models import Membership


@pytest.fixture
def scheme(gb31701):
    return services.scheme_create(
        actor=None, code="SZS", name_en="Shenzhen standard", standards=["GB 31701"]
    )


def _refused(field_name, call, **kw):
    with pytest.raises(ApplicationError) as exc:
        call(**kw)
    assert field_name in exc.value.details, exc.value.details
    return exc.value.message


# --- schemes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_name", "changes", "message"),
    [
        ("code", {"code": " "}, "Give the scheme a code."),
        ("code", {"code": "S Z"}, "up to 40 letters"),
        ("standards", {"standards": []}, "Cite at least one standard."),
        ("standards", {"standards": ["GB 99999-2020"]}, "not in the standards"),
        ("validity_years", {"validity_years": 0}, "1 to 10 years"),
        ("surveillance_months", {"surveillance_months": 61}, "1 to 60 months"),
        (
            "surveillance_months",
            {"validity_years": 1, "surveillance_months": 13},
            "longer than the validity",
        ),
        ("name_en", {"name_en": "x" * 201}, "longer than 200"),
    ],
)
def test_scheme_create_bad_input_stores_nothing(gb31701, field_name, changes, message):
    data = {"actor": None, "code": "SZS", "standards": ["GB 31701"], **changes}
    assert message in _refused(field_name, services.scheme_create, **data)
    assert not Scheme.objects.exists()


def test_scheme_create_duplicate_code(scheme):
    msg = _refused(
        "code", services.scheme_create, actor=None, code="SZS", standards=["GB 31701"]
    )
    assert "SZS exists" in msg
    assert Scheme.objects.count() == 1


def test_scheme_create_needs_staff(gb31701, plain_user):
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=plain_user, code="X", standards=["GB 31701"])
    assert not Scheme.objects.exists()


def test_scheme_update(scheme, staff_user, cert_body):
    from qihub.catalog.services import standard_create

    standard_create(actor=None, identifier="GB 18401-2010", title_zh="纺织品安全")
    services.scheme_update(
        actor=staff_user,
        scheme=scheme,
        name_en="Shenzhen standard certification",
        standards=["GB 31701", "GB 18401"],
        rules="Factory inspection every year.",
        owner=cert_body,
        validity_years=5,
        surveillance_months=6,
    )
    scheme.refresh_from_db()
    assert scheme.code == "SZS"
    assert scheme.validity_years == 5
    assert scheme.owner == cert_body
    assert sorted(s.identifier for s in scheme.standards.all()) == [
        "GB 18401-2010",
        "GB 31701-2015",
    ]


def test_scheme_update_bad_input_changes_nothing(scheme, staff_user):
    msg = _refused(
        "standards",
        services.scheme_update,
        actor=staff_user,
        scheme=scheme,
        name_en="Changed",
        standards=["GB 31701", "GB 99999-2020"],
        rules="new rules",
    )
    assert msg == "GB 99999-2020 is not in the standards catalogue."
    _refused(
        "validity_years",
        services.scheme_update,
        actor=staff_user,
        scheme=scheme,
        standards=["GB 31701"],
        validity_years=11,
    )
    scheme.refresh_from_db()
    assert scheme.name_en == "Shenzhen standard"
    assert scheme.rules == ""
    assert [s.identifier for s in scheme.standards.all()] == ["GB 31701-2015"]


def test_scheme_update_needs_staff(scheme, plain_user):
    with pytest.raises(PermissionDenied):
        services.scheme_update(
            actor=plain_user, scheme=scheme, name_en="x", standards=["GB 31701"]
        )
    scheme.refresh_from_db()
    assert scheme.name_en == "Shenzhen standard"


# --- agreements ---------------------------------------------------------------


def _agreement_data(lab, **changes):
    return {
        "actor": None,
        "kind": "bilateral",
        "name": "CN-DE textiles",
        "bodies": [lab],
        "markets": ["DE"],
        "valid_from": datetime.date(2020, 1, 1),
        "valid_until": datetime.date(2030, 1, 1),
        "products": ["纺织产品"],
        "standards": ["GB 31701-2015"],
        **changes,
    }


@pytest.mark.parametrize(
    ("field_name", "changes", "message"),
    [
        ("kind", {"kind": "treaty"}, "Unknown agreement kind"),
        ("name", {"name": "  "}, "Give the agreement a name."),
        ("bodies", {"bodies": []}, "Name at least one body"),
        ("markets", {"markets": [" "]}, "Name at least one market."),
        ("valid_from", {"valid_from": None}, "Give the date the agreement starts."),
        (
            "valid_until",
            {"valid_until": datetime.date(2019, 1, 1)},
            "must end after it starts",
        ),
        ("standards", {"standards": ["GB 99999-2020"]}, "not in the standards"),
    ],
)
def test_agreement_create_bad_input_stores_nothing(
    lab, gb31701, field_name, changes, message
):
    msg = _refused(
        field_name, services.agreement_create, **_agreement_data(lab, **changes)
    )
    assert message in msg
    assert not Agreement.objects.exists()


def test_agreement_update_and_bad_update(lab, cert_body, gb31701, staff_user):
    ag = services.agreement_create(**_agreement_data(lab))
    _refused(
        "markets",
        services.agreement_update,
        **_agreement_data(lab, actor=staff_user, markets=[], name="Changed"),
        agreement=ag,
    )
    ag.refresh_from_db()
    assert ag.name == "CN-DE textiles"
    assert ag.markets == ["DE"]
    services.agreement_update(
        **_agreement_data(
            lab,
            actor=staff_user,
            bodies=[lab, cert_body],
            markets=["DE", "AT", "DE"],
            valid_until=None,
            standards=[],
        ),
        agreement=ag,
    )
    ag.refresh_from_db()
    assert ag.markets == ["DE", "AT"]
    assert ag.valid_until is None
    assert set(ag.bodies.all()) == {lab, cert_body}
    assert not ag.standards.exists()


def test_agreement_update_needs_staff(lab, gb31701, plain_user):
    ag = services.agreement_create(**_agreement_data(lab))
    with pytest.raises(PermissionDenied):
        services.agreement_update(
            **_agreement_data(lab, actor=plain_user, name="x"), agreement=ag
        )
    ag.refresh_from_db()
    assert ag.name == "CN-DE textiles"


# --- applications and their history --------------------------------------------


@pytest.mark.parametrize(
    ("field_name", "changes", "message"),
    [
        ("products", {"products": " "}, "Name the products."),
        ("standard", {"standard": ""}, "Give the standard."),
        ("standard", {"standard": "GB 99999-2020"}, "not in the standards"),
        ("standard", {"standard": "GB 18401-2010"}, "does not certify against"),
    ],
)
def test_application_create_bad_input_stores_nothing(
    scheme, cert_body, enterprise, field_name, changes, message
):
    from qihub.catalog.services import standard_create

    standard_create(actor=None, identifier="GB 18401-2010", title_zh="纺织品安全")
    data = {
        "actor": None,
        "scheme": scheme,
        "body": cert_body,
        "applicant": enterprise,
        "products": "婴儿连体服",
        "standard": "GB 31701-2015",
        **changes,
    }
    assert message in _refused(field_name, services.application_create, **data)
    assert not Application.objects.exists()
    assert not ApplicationEvent.objects.exists()


def test_application_create_body_and_actor_refused(
    scheme, cert_body, lab, enterprise, django_user_model
):
    data = {
        "scheme": scheme,
        "applicant": enterprise,
        "products": "婴儿连体服",
        "standard": "GB 31701-2015",
    }
    msg = _refused("body", services.application_create, actor=None, body=lab, **data)
    assert "is not a certification body" in msg
    outsider = django_user_model.objects.create_user("outsider", password="x")
    with pytest.raises(PermissionDenied):
        services.application_create(actor=outsider, body=cert_body, **data)
    assert not Application.objects.exists()


def test_every_change_is_in_the_history(
    scheme, lab, cert_body, enterprise, django_user_model
):
    applicant = django_user_model.objects.create_user("applicant", password="x")
    Membership.objects.create(user=applicant, organisation=enterprise)
    officer = django_user_model.objects.create_user("officer", password="x")
    Membership.objects.create(user=officer, organisation=cert_body)
    app = services.application_create(
        actor=applicant,
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        models_text="QH-01",
        standard="GB 31701",
        note="first application",
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
        actor=officer, application=app, grant=True, number="CERT-H-1", reason="ok"
    )
    events = list(app.events.all())
    assert [(e.type, e.actor, e.reason) for e in events] == [
        ("applied", applicant, "first application"),
        ("evaluated", officer, "line 2 inspected"),
        ("granted", officer, "ok"),
    ]
    assert events[1].details["test_report"] == report.number
    assert events[2].details["certificate"] == "CERT-H-1"

    services.certificate_change(
        actor=officer, certificate=cert, action="suspend", reason="audit failed"
    )
    services.certificate_change(actor=officer, certificate=cert, action="restore")
    new = services.certificate_renew(
        actor=officer, certificate=cert, number="CERT-H-2", reason="3 more years"
    )
    services.certificate_change(
        actor=officer, certificate=cert, action="withdraw", reason="holder asked"
    )
    assert [
        (e.type, e.actor, e.reason) for e in cert.events.order_by("created_at", "pk")
    ] == [
        ("issued", officer, ""),
        ("suspended", officer, "audit failed"),
        ("restored", officer, ""),
        ("renewed", officer, "3 more years"),
        ("withdrawn", officer, "holder asked"),
    ]
    assert cert.events.get(type="issued").details == {"application": app.pk}
    assert new.events.get().details == {"renews": "CERT-H-1"}
    # Expiry by the schedule: the platform did it.
    Certificate.objects.filter(pk=new.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1)
    )
    assert services.certificates_expire_due() == 1
    expired = new.events.get(type="expired")
    assert expired.actor is None
    assert expired.reason == "Validity ended."


def test_refusal_is_in_the_history(scheme, lab, cert_body, enterprise):
    app = services.application_create(
        actor=None,
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        standard="GB 31701",
    )
    report = services.report_issue(actor=None, report=_report(lab))
    services.application_evaluate(
        actor=None,
        application=app,
        test_report=report,
        inspection_on=datetime.date(2025, 1, 1),
        inspection_passed=True,
    )
    _refused(
        "reason", services.application_decide, actor=None, application=app, grant=False
    )
    assert [e.type for e in app.events.all()] == ["applied", "evaluated"]
    services.application_decide(
        actor=None, application=app, grant=False, reason="formaldehyde over the limit"
    )
    last = app.events.last()
    assert (last.type, last.reason, last.actor) == (
        "refused",
        "formaldehyde over the limit",
        None,
    )


def test_backfill_gives_older_applications_a_history(scheme, cert_body, enterprise):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    backfill = importlib.import_module(
        "qihub.conformity.migrations.0004_application_event_backfill"
    )
    # The models as that migration sees them (the event's ``type`` was still
    # called ``state``); the table is the same one.
    apps = (
        MigrationLoader(connection)
        .project_state(("conformity", "0004_application_event_backfill"))
        .apps
    )
    old = Application.objects.create(
        scheme=scheme,
        body=cert_body,
        applicant=enterprise,
        products="婴儿连体服",
        standard=scheme.standards.get(),
        state=Application.State.REFUSED,
        decision_reason="no factory",
    )
    backfill.forwards(apps, None)
    backfill.forwards(apps, None)  # re-runnable: only applications without events
    events = list(old.events.all())
    assert [(e.type, e.reason) for e in events] == [
        ("applied", ""),
        ("refused", "no factory"),
    ]
    assert events[0].created_at == old.created_at
    backfill.backwards(apps, None)
    assert not old.events.exists()

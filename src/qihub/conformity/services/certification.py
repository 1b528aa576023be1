"""Certification: schemes, applications, decisions, certificates and their changes, surveillance and expiry."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity.models import (
    Application,
    ApplicationEvent,
    Certificate,
    CertificateEvent,
    Outcome,
    Scheme,
    TestReport,
)
from qihub.conformity.services._common import (
    VERIFY_NUMBER,
    actor_recorded,
    check_acts_for,
    field_error,
    standards_resolve,
)
from qihub.core.errors import Conflict, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations.models import Organisation
from qihub.requirements.parameters import fold

_SCHEME_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,39}$")


def _scheme_values(
    *,
    name_zh: str,
    name_en: str,
    standards: Sequence[str | Standard],
    rules: str,
    validity_years: int,
    surveillance_months: int,
) -> tuple[dict, list[Standard]]:
    """Check a scheme's fields before anything is written; the first bad one
    is refused by name."""
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    for name, value in (("name_zh", name_zh), ("name_en", name_en)):
        if len(value) > 200:
            raise field_error(name, _("The name is longer than 200 characters."))
    if not isinstance(validity_years, int) or not 1 <= validity_years <= 10:
        raise field_error("validity_years", _("The validity is 1 to 10 years."))
    if not isinstance(surveillance_months, int) or not 1 <= surveillance_months <= 60:
        raise field_error(
            "surveillance_months",
            _("The surveillance interval is 1 to 60 months."),
        )
    if surveillance_months > validity_years * 12:
        raise field_error(
            "surveillance_months",
            _("The surveillance interval is longer than the validity."),
        )
    values = {
        "name_zh": name_zh,
        "name_en": name_en,
        "rules": (rules or "").strip(),
        "validity_years": validity_years,
        "surveillance_months": surveillance_months,
    }
    return values, standards_resolve(standards)


@transaction.atomic
def scheme_create(
    *,
    actor,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    standards: Sequence[str | Standard] = (),
    rules: str = "",
    owner: Organisation | None = None,
    validity_years: int = 3,
    surveillance_months: int = 12,
) -> Scheme:
    """A certification scheme with the standards and rules it certifies
    against, the validity of its certificates and their surveillance interval."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may create schemes."))
    code = (code or "").strip()
    if not code:
        raise field_error("code", _("Give the scheme a code."))
    if not _SCHEME_CODE.match(code):
        raise field_error(
            "code",
            _("The code is up to 40 letters, digits, '-', '_' or '.'."),
        )
    if Scheme.objects.filter(code=code).exists():
        raise field_error("code", _("Scheme %(c)s exists.") % {"c": code})
    values, stds = _scheme_values(
        name_zh=name_zh,
        name_en=name_en,
        standards=standards,
        rules=rules,
        validity_years=validity_years,
        surveillance_months=surveillance_months,
    )
    scheme = Scheme.objects.create(code=code, owner=owner, **values)
    scheme.standards.set(stds)
    return scheme


@transaction.atomic
def scheme_update(
    *,
    actor,
    scheme: Scheme,
    name_zh: str = "",
    name_en: str = "",
    standards: Sequence[str | Standard] = (),
    rules: str = "",
    owner: Organisation | None = None,
    validity_years: int = 3,
    surveillance_months: int = 12,
) -> Scheme:
    """Change a scheme's names, standards, rules, owner, validity or
    surveillance interval. The code stays: applications and the API name the
    scheme by it. Certificates already issued keep their own dates."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change schemes."))
    values, stds = _scheme_values(
        name_zh=name_zh,
        name_en=name_en,
        standards=standards,
        rules=rules,
        validity_years=validity_years,
        surveillance_months=surveillance_months,
    )
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.owner = owner
    scheme.save()
    scheme.standards.set(stds)
    return scheme


def _app_event(
    application: Application, state: str, actor, reason: str = "", **details
) -> None:
    """The one place an application's history is written."""
    ApplicationEvent.objects.create(
        application=application,
        type=state,
        actor=actor_recorded(actor),
        reason=reason or "",
        details=details,
    )


@transaction.atomic
def application_create(
    *,
    actor,
    scheme: Scheme,
    body: Organisation,
    applicant: Organisation,
    products: str,
    standard: str | Standard,
    models_text: str = "",
    note: str = "",
) -> Application:
    """An applicant asks a certification body for a certificate under a
    scheme, for products (and models) against one of the scheme's standards."""
    check_acts_for(actor, applicant)
    if body.kind != Organisation.Kind.CERTIFICATION_BODY:
        raise field_error(
            "body", _("%(b)s is not a certification body.") % {"b": body.name}
        )
    if not (products or "").strip():
        raise field_error("products", _("Name the products."))
    if isinstance(standard, str) and not standard.strip():
        raise field_error("standard", _("Give the standard."))
    std = (
        standard
        if isinstance(standard, Standard)
        else standard_get_by_identifier(standard.strip())
    )
    if std is None:
        raise field_error(
            "standard",
            _("%(ident)s is not in the standards catalogue.") % {"ident": standard},
        )
    if not scheme.standards.filter(base_key=std.base_key).exists():
        raise field_error(
            "standard",
            _("Scheme %(s)s does not certify against %(std)s.")
            % {"s": scheme.code, "std": std.identifier},
        )
    app = Application.objects.create(
        scheme=scheme,
        body=body,
        applicant=applicant,
        products=products.strip()[:300],
        models_text=(models_text or "").strip()[:300],
        standard=std,
    )
    _app_event(app, Application.State.APPLIED, actor, note)
    return app


@transaction.atomic
def application_evaluate(
    *,
    actor,
    application: Application,
    test_report: TestReport,
    inspection_on: datetime.date,
    inspection_passed: bool,
    inspection_notes: str = "",
) -> Application:
    """Record the evaluation: a test report and the factory inspection."""
    check_acts_for(actor, application.body)
    if application.state not in (
        Application.State.APPLIED,
        Application.State.EVALUATED,
    ):
        raise Conflict(_("The application is already decided."))
    if test_report.status != TestReport.Status.ISSUED:
        raise field_error(
            "test_report", _("The test report must be issued (and not revoked).")
        )
    application.test_report = test_report
    application.inspection_on = inspection_on
    application.inspection_passed = inspection_passed
    application.inspection_notes = inspection_notes
    application.state = Application.State.EVALUATED
    application.save()
    _app_event(
        application,
        Application.State.EVALUATED,
        actor,
        inspection_notes,
        test_report=test_report.number,
        inspection_on=inspection_on.isoformat(),
        inspection_passed=inspection_passed,
    )
    return application


@transaction.atomic
def application_decide(
    *,
    actor,
    application: Application,
    grant: bool,
    number: str = "",
    reason: str = "",
    valid_from: datetime.date | None = None,
) -> Certificate | None:
    """Decide an evaluated application: grant issues the certificate (only
    with a passing report and a passed inspection), refuse records why."""
    check_acts_for(actor, application.body)
    if application.state != Application.State.EVALUATED:
        raise Conflict(_("Evaluate the application before deciding."))
    if not grant:
        if not reason.strip():
            raise field_error("reason", _("Say why the application is refused."))
        application.state = Application.State.REFUSED
        application.decision_reason = reason
        application.save()
        _app_event(application, Application.State.REFUSED, actor, reason)
        return None
    report = application.test_report
    if report is None or report.computed != Outcome.PASS or report.status != "issued":
        raise field_error("test_report", _("The test report does not show conformity."))
    if not application.inspection_passed:
        raise field_error(
            "inspection_passed", _("The factory inspection did not pass.")
        )
    application.state = Application.State.GRANTED
    application.decision_reason = reason
    application.save()
    cert = certificate_issue(
        actor=actor,
        scheme=application.scheme,
        body=application.body,
        holder=application.applicant,
        products=application.products,
        models_text=application.models_text,
        standard=application.standard,
        number=number,
        valid_from=valid_from,
        application=application,
    )
    _app_event(
        application, Application.State.GRANTED, actor, reason, certificate=cert.number
    )
    return cert


def _add_months(day: datetime.date, months: int) -> datetime.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    return day.replace(year=y, month=m, day=min(day.day, 28))


def _cert_event(
    cert: Certificate, type_: str, actor, reason: str = "", **details
) -> None:
    """The one place a certificate's history is written."""
    CertificateEvent.objects.create(
        certificate=cert,
        type=type_,
        actor=actor_recorded(actor),
        reason=reason,
        details=details,
    )


@transaction.atomic
def certificate_issue(
    *,
    actor,
    scheme: Scheme,
    body: Organisation,
    holder: Organisation,
    products: str,
    standard: str | Standard,
    number: str,
    models_text: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    application: Application | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    """Issue a certificate with its scope, validity (the scheme's years by
    default) and first surveillance date."""
    check_acts_for(actor, body)
    number = (number or "").strip()
    if not VERIFY_NUMBER.match(number):
        raise field_error(
            "number", _("Give a certificate number (letters, digits, - / .).")
        )
    if Certificate.objects.filter(number=number).exists():
        raise field_error(
            "number", _("Certificate number %(n)s is taken.") % {"n": number}
        )
    std = standards_resolve([standard])[0]
    start = valid_from or timezone.localdate()
    end = valid_until or start.replace(year=start.year + scheme.validity_years)
    if end <= start:
        raise field_error("valid_until", _("The certificate must end after it starts."))
    cert = Certificate.objects.create(
        number=number,
        scheme=scheme,
        body=body,
        holder=holder,
        application=application,
        products=products.strip()[:300],
        models_text=(models_text or "")[:300],
        standard=std,
        valid_from=start,
        valid_until=end,
        next_surveillance_on=_add_months(start, scheme.surveillance_months),
        replaces=replaces,
        search_text=fold(
            " ".join([number, products, models_text or "", holder.name, std.identifier])
        ),
    )
    details = {}
    if application is not None:
        details["application"] = application.pk
    if replaces is not None:
        details["renews"] = replaces.number
    _cert_event(cert, CertificateEvent.Type.ISSUED, actor, **details)
    return cert


_CERT_EDGES = {
    "suspend": (
        {Certificate.Status.VALID},
        Certificate.Status.SUSPENDED,
        CertificateEvent.Type.SUSPENDED,
    ),
    "restore": (
        {Certificate.Status.SUSPENDED},
        Certificate.Status.VALID,
        CertificateEvent.Type.RESTORED,
    ),
    "withdraw": (
        {Certificate.Status.VALID, Certificate.Status.SUSPENDED},
        Certificate.Status.WITHDRAWN,
        CertificateEvent.Type.WITHDRAWN,
    ),
    "expire": (
        {Certificate.Status.VALID, Certificate.Status.SUSPENDED},
        Certificate.Status.EXPIRED,
        CertificateEvent.Type.EXPIRED,
    ),
}


@transaction.atomic
def certificate_change(
    *, actor, certificate: Certificate, action: str, reason: str = ""
) -> Certificate:
    """Suspend, restore, withdraw or expire a certificate, with the reason in
    its history. Withdrawn is final; a suspended certificate can be restored."""
    if action not in _CERT_EDGES:
        raise field_error("action", _("Unknown action %(a)r.") % {"a": action})
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    check_acts_for(actor, cert.body)
    sources, target, event = _CERT_EDGES[action]
    if cert.status not in sources:
        raise Conflict(
            _("A %(status)s certificate cannot be changed this way (%(action)s).")
            % {"status": cert.get_status_display(), "action": action}
        )
    if action in ("suspend", "withdraw") and not (reason or "").strip():
        raise field_error("reason", _("Say why."))
    if action == "restore" and cert.valid_until < timezone.localdate():
        raise Conflict(_("The certificate has run out; renew it instead."))
    cert.status = target
    cert.status_reason = reason or ""
    cert.save(update_fields=["status", "status_reason", "updated_at"])
    _cert_event(cert, event, actor, reason)
    return cert


@transaction.atomic
def certificate_renew(
    *, actor, certificate: Certificate, number: str, reason: str = ""
) -> Certificate:
    """Renew a certificate: a new one continues the old scope from the day the
    old one ends; the old one expires then (or now, if already past)."""
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status == Certificate.Status.WITHDRAWN:
        raise Conflict(_("A withdrawn certificate cannot be renewed."))
    if hasattr(old, "renewed_by"):
        raise Conflict(_("This certificate has been renewed already."))
    start = max(old.valid_until, timezone.localdate())
    new = certificate_issue(
        actor=actor,
        scheme=old.scheme,
        body=old.body,
        holder=old.holder,
        products=old.products,
        models_text=old.models_text,
        standard=old.standard,
        number=number,
        valid_from=start,
        replaces=old,
    )
    _cert_event(
        old, CertificateEvent.Type.RENEWED, actor, reason, renewed_by=new.number
    )
    return new


@transaction.atomic
def certificate_surveil(
    *, actor, certificate: Certificate, passed: bool, notes: str = ""
) -> Certificate:
    """Record a surveillance audit: passed moves the next date on; failed
    suspends the certificate."""
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    check_acts_for(actor, cert.body)
    _cert_event(cert, CertificateEvent.Type.SURVEILLED, actor, notes, passed=passed)
    if passed:
        cert.next_surveillance_on = _add_months(
            timezone.localdate(), cert.scheme.surveillance_months
        )
        cert.save(update_fields=["next_surveillance_on", "updated_at"])
        return cert
    return certificate_change(
        actor=actor,
        certificate=cert,
        action="suspend",
        reason=notes or _("Surveillance failed."),
    )


def certificates_expire_due(*, day: datetime.date | None = None) -> int:
    """Expire every valid or suspended certificate past its end (scheduled)."""
    day = day or timezone.localdate()
    n = 0
    for cert in Certificate.objects.filter(
        status__in=[Certificate.Status.VALID, Certificate.Status.SUSPENDED],
        valid_until__lt=day,
    ):
        certificate_change(
            actor=None, certificate=cert, action="expire", reason=_("Validity ended.")
        )
        n += 1
    return n


def surveillance_reminders_send(
    *, today: datetime.date | None = None, within_days: int = 30
) -> int:
    """Remind each certification body of its valid certificates whose
    surveillance falls due within ``within_days`` or is overdue (scheduled).
    A certificate is reminded once per due date (a *reminded* event in its
    history); bodies without a contact e-mail still get the event. Returns the
    number of certificates reminded."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    rows = (
        Certificate.objects.filter(
            status=Certificate.Status.VALID,
            next_surveillance_on__isnull=False,
            next_surveillance_on__lte=horizon,
        )
        .select_related("body", "holder")
        .order_by("body_id", "next_surveillance_on", "number")
    )
    by_body: dict[int, tuple[Organisation, list[str]]] = {}
    n = 0
    for cert in rows.iterator(chunk_size=2000):
        due = cert.next_surveillance_on.isoformat()
        if cert.events.filter(
            type=CertificateEvent.Type.REMINDED, details__due=due
        ).exists():
            continue
        with transaction.atomic():
            _cert_event(cert, CertificateEvent.Type.REMINDED, None, "", due=due)
        n += 1
        if cert.next_surveillance_on < today:
            line = _("%(number)s %(holder)s: surveillance overdue since %(date)s")
        else:
            line = _("%(number)s %(holder)s: surveillance due on %(date)s")
        by_body.setdefault(cert.body_id, (cert.body, []))[1].append(
            line % {"number": cert.number, "holder": cert.holder.name, "date": due}
        )
    for body, lines in by_body.values():
        if not body.contact_email:
            continue
        send_mail(
            subject=_("Certificate surveillance due: %(count)d certificate(s)")
            % {"count": len(lines)},
            message="\n".join(lines),
            from_email=None,
            recipient_list=[body.contact_email],
        )
    return n

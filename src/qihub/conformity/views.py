"""Conformity pages: who can test this, bodies and their scopes, test
requests, reports, certificates, certified products and verification."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.conformity import selectors, services
from qihub.conformity.forms import (
    AgreementForm,
    ApplicationForm,
    CapabilityForm,
    MoveForm,
    ReasonForm,
    ReportForm,
    RequestForm,
    SchemeForm,
    VerifyForm,
)
from qihub.conformity.models import (
    Application,
    Certificate,
    TestReport,
    TestRequest,
)
from qihub.conformity.ratelimit import verify_rate_check
from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.organisations.models import Organisation
from qihub.requirements.checking import parse_conditions_text, parse_values_text


def _form_error(form, exc: ApplicationError) -> None:
    fields = [name for name in exc.details if name in form.fields]
    if len(fields) == 1:
        form.add_error(fields[0], exc.message)
    else:
        form.add_error(None, exc.message)


def _staff_only(request) -> None:
    if not is_staff_member(request.user):
        raise DjangoPermissionDenied(_("Only institute staff may do this."))


def _form_page(
    request, form, change, done: str, template: str, context: dict, then: str = ""
):
    """A form page: on a valid POST ``change(cleaned_data)`` calls one service
    and the page redirects to ``then`` (else to what the service returned); a
    refusal is shown on the form (400) with what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            target = change(form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(then or target)
    return render(
        request,
        template,
        {"form": form, **context},
        status=400 if form.is_bound else 200,
    )


def index(request):
    return render(
        request,
        "conformity/index.html",
        {"bodies": selectors.bodies()[:50], "form": CapabilityForm()},
    )


def capability_search(request):
    form = CapabilityForm(request.GET or None)
    hits = []
    if form.is_valid() and any(form.cleaned_data.values()):
        hits = selectors.capabilities(**form.cleaned_data)
    return render(
        request,
        "conformity/capability_search.html",
        {"form": form, "hits": hits, "searched": bool(request.GET)},
    )


def body_detail(request, pk: int):
    body = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    lines = Paginator(selectors.body_scope(body), 200).get_page(request.GET.get("page"))
    return render(
        request,
        "conformity/body_detail.html",
        {
            "body": body,
            "lines": lines,
            "flagged": list(selectors.flagged_scope_lines(body)[:200]),
            "accreditation": services.accreditation_on(body, timezone.localdate()),
        },
    )


@login_required
def request_new(request, pk: int):
    body = get_object_or_404(Organisation, pk=pk)
    form = RequestForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        client = Organisation.objects.filter(memberships__user=request.user).first()
        try:
            req = services.request_create(
                actor=request.user, body=body, client=client, **form.cleaned_data
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Test request sent."))
            return redirect(req)
    return render(request, "conformity/request_new.html", {"body": body, "form": form})


@login_required
def request_list(request):
    return render(
        request,
        "conformity/request_list.html",
        {"requests": selectors.requests_for(request.user)[:100]},
    )


def _request_or_404(request, pk: int) -> TestRequest:
    try:
        req = selectors.request_detail(pk)
    except TestRequest.DoesNotExist as exc:
        raise Http404 from exc
    if not services.may_see_request(request.user, req):
        raise Http404
    return req


@login_required
def request_detail(request, pk: int):
    req = _request_or_404(request, pk)
    sides = services.request_sides(request.user, req)
    moves = [
        (state, label)
        for state, side in services.REQUEST_EDGES.get(req.state, {}).items()
        if side in sides and state != TestRequest.State.REPORT_ISSUED
        for label in [TestRequest.State(state).label]
    ]
    report = getattr(req, "report", None) if req.state == "report_issued" else None
    return render(
        request,
        "conformity/request_detail.html",
        {
            "req": req,
            "moves": moves,
            "is_body": "body" in sides,
            "report": report,
            "report_form": ReportForm(
                initial={"product": req.product, "standards": req.standard.identifier}
            ),
        },
    )


@login_required
@require_POST
def request_move(request, pk: int):
    req = _request_or_404(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.request_move(actor=request.user, request=req, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(req)


@login_required
def report_new(request, pk: int):
    req = _request_or_404(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            values = parse_values_text(data["results"])
            from django.db import transaction

            with transaction.atomic():
                report = services.report_create(
                    actor=request.user,
                    body=req.body,
                    request=req,
                    number=data["number"],
                    product=data["product"],
                    sample=data["sample"],
                    standards=[
                        s.strip() for s in data["standards"].split(",") if s.strip()
                    ],
                    conclusion=data["conclusion"],
                    conditions=parse_conditions_text(data["conditions"]),
                    results=[
                        {"parameter": name, "value": str(v), "unit": unit}
                        for name, (v, unit) in values.items()
                    ],
                )
                report = services.report_issue(actor=request.user, report=report)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Report issued."))
            return redirect(report)
    return render(request, "conformity/report_new.html", {"req": req, "form": form})


def report_detail(request, pk: int):
    try:
        report = selectors.report_detail(pk)
    except TestReport.DoesNotExist as exc:
        raise Http404 from exc
    may_act = (
        services.acts_for(request.user, report.body)
        if request.user.is_authenticated
        else False
    )
    client_side = request.user.is_authenticated and services.acts_for(
        request.user, report.client
    )
    if report.status == TestReport.Status.DRAFT and not may_act:
        raise Http404
    return render(
        request,
        "conformity/report_detail.html",
        {
            "report": report,
            "may_act": may_act,
            "show_results": may_act or client_side,
            "markets": selectors.report_markets(report),
            "revoke_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def report_revoke(request, pk: int):
    report = get_object_or_404(TestReport, pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.report_revoke(
            actor=request.user,
            report=report,
            reason=form.data.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(report)


def report_pdf(request, pk: int):
    from qihub.conformity.pdf import report_pdf as make_pdf

    try:
        report = selectors.report_detail(pk)
    except TestReport.DoesNotExist as exc:
        raise Http404 from exc
    if report.status == TestReport.Status.DRAFT:
        raise Http404
    response = HttpResponse(make_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.number}.pdf"'
    return response


def certified_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.certified_products(q=q), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "conformity/certified_list.html", {"page": page, "q": q})


def certified_feed(request):
    feed = Atom1Feed(
        title=_("Certified products"),
        link=request.build_absolute_uri(reverse("conformity:certified_list")),
        description=_("Certificates issued on the platform."),
        language=request.LANGUAGE_CODE,
    )
    for cert in selectors.certified_products(status="")[:50]:
        feed.add_item(
            title=f"{cert.number} {cert.products} — {cert.holder.name}",
            link=request.build_absolute_uri(cert.get_absolute_url()),
            description=f"{cert.standard.identifier} · {cert.get_status_display()} · {cert.body.name}",
            pubdate=cert.created_at,
            updateddate=cert.updated_at,
            unique_id=request.build_absolute_uri(cert.get_absolute_url()),
        )
    return HttpResponse(
        feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )


def certificate_detail(request, pk: int):
    try:
        cert = selectors.certificate_detail(pk)
    except Certificate.DoesNotExist as exc:
        raise Http404 from exc
    may_act = request.user.is_authenticated and services.acts_for(
        request.user, cert.body
    )
    holder_side = request.user.is_authenticated and services.acts_for(
        request.user, cert.holder
    )
    return render(
        request,
        "conformity/certificate_detail.html",
        {
            "cert": cert,
            "may_act": may_act,
            # Who changed it is for the parties; the public sees what and when.
            "show_actor": may_act or holder_side,
            "status": selectors.verify([cert.number])[0]["status"],
        },
    )


@login_required
@require_POST
def certificate_status(request, pk: int):
    cert = get_object_or_404(Certificate, pk=pk)
    try:
        services.certificate_change(
            actor=request.user,
            certificate=cert,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(cert)


def verify(request):
    number = request.GET.get("number", "").strip()
    form = VerifyForm(request.GET or None)
    result = None
    error = ""
    if number:
        try:
            verify_rate_check(request)
        except ApplicationError as exc:
            error = exc.message
        else:
            result = selectors.verify([number])[0]
    return render(
        request,
        "conformity/verify.html",
        {"form": form, "result": result, "error": error, "number": number},
    )


def agreements(request):
    """The recognition agreements (ILAC/IAF MRA membership, bilateral)."""
    return render(
        request,
        "conformity/agreements.html",
        {
            "agreements": selectors.agreements(),
            "is_staff": is_staff_member(request.user),
        },
    )


@login_required
def agreement_new(request):
    """Record a recognition agreement (staff)."""
    _staff_only(request)
    return _form_page(
        request,
        AgreementForm(request.POST or None),
        lambda data: services.agreement_create(actor=request.user, **data),
        _("The agreement was recorded."),
        "conformity/agreement_form.html",
        {"agreement": None},
        reverse("conformity:agreements"),
    )


@login_required
def agreement_edit(request, pk: int):
    """Change an agreement's scope or validity (staff)."""
    _staff_only(request)
    agreement = get_object_or_404(selectors.agreements(), pk=pk)
    return _form_page(
        request,
        AgreementForm(request.POST or None, agreement=agreement),
        lambda data: services.agreement_update(
            actor=request.user, agreement=agreement, **data
        ),
        _("The agreement was changed."),
        "conformity/agreement_form.html",
        {"agreement": agreement},
        reverse("conformity:agreements"),
    )


def scheme_list(request):
    """The certification schemes, the standards and rules they certify against."""
    return render(
        request,
        "conformity/scheme_list.html",
        {"schemes": selectors.schemes(), "is_staff": is_staff_member(request.user)},
    )


@login_required
def scheme_new(request):
    """Create a certification scheme (staff)."""
    _staff_only(request)
    return _form_page(
        request,
        SchemeForm(request.POST or None),
        lambda data: services.scheme_create(actor=request.user, **data),
        _("The scheme was created."),
        "conformity/scheme_form.html",
        {"scheme": None},
        reverse("conformity:scheme_list"),
    )


@login_required
def scheme_edit(request, pk: int):
    """Change a scheme's standards, rules, validity or surveillance (staff)."""
    _staff_only(request)
    scheme = get_object_or_404(selectors.schemes(), pk=pk)
    return _form_page(
        request,
        SchemeForm(request.POST or None, scheme=scheme),
        lambda data: services.scheme_update(actor=request.user, scheme=scheme, **data),
        _("The scheme was changed."),
        "conformity/scheme_form.html",
        {"scheme": scheme},
        reverse("conformity:scheme_list"),
    )


@login_required
def application_new(request, pk: int):
    """A member of an organisation applies for certification under a scheme."""
    scheme = get_object_or_404(selectors.schemes(), pk=pk)
    applicants = selectors.organisations_of(request.user)
    if not applicants.exists():
        raise DjangoPermissionDenied(
            _("Only members of an organisation may apply for certification.")
        )
    form = ApplicationForm(
        request.POST or None,
        scheme=scheme,
        applicants=applicants,
        bodies=selectors.certification_bodies(),
    )
    return _form_page(
        request,
        form,
        lambda data: services.application_create(
            actor=request.user, scheme=scheme, **data
        ),
        _("Your application was sent to the certification body."),
        "conformity/application_new.html",
        {"scheme": scheme},
    )


@login_required
def application_detail(request, pk: int):
    """An application's evaluation and decision, for the certification body
    (and the applicant, read only)."""
    try:
        app = selectors.application_detail(pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    is_body = services.acts_for(request.user, app.body)
    if not (is_body or services.acts_for(request.user, app.applicant)):
        raise Http404
    if request.method == "POST" and is_body:
        step = request.POST.get("step", "")
        try:
            if step == "evaluate":
                report = TestReport.objects.filter(
                    number=request.POST.get("test_report", "").strip()
                ).first()
                if report is None:
                    raise ApplicationError(_("No such test report."))
                try:
                    day = datetime.date.fromisoformat(
                        request.POST.get("inspection_on", "")
                    )
                except ValueError:
                    raise ApplicationError(
                        _("Give the factory inspection date.")
                    ) from None
                services.application_evaluate(
                    actor=request.user,
                    application=app,
                    test_report=report,
                    inspection_on=day,
                    inspection_passed=request.POST.get("inspection_passed") == "1",
                    inspection_notes=request.POST.get("inspection_notes", ""),
                )
            elif step == "decide":
                cert = services.application_decide(
                    actor=request.user,
                    application=app,
                    grant=request.POST.get("grant") == "1",
                    number=request.POST.get("number", ""),
                    reason=request.POST.get("reason", ""),
                )
                if cert is not None:
                    return redirect(cert)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("conformity:application_detail", pk=app.pk)
    return render(
        request,
        "conformity/application_detail.html",
        {
            "app": app,
            "is_body": is_body,
            "certificate": next(iter(app.certificates.all()), None),
        },
    )

"""Metrology pages: registries, registering instruments and taking them out of
use, recording calibrations, chains, revocation, coverage, DCC, PDF."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.metrology import charts, dcc, pdf, selectors, services
from qihub.metrology.forms import (
    CalibrationForm,
    ChainDateForm,
    CoverageForm,
    DccUploadForm,
    InstrumentForm,
    InstrumentRetireForm,
    RevokeForm,
    StandardReassessForm,
    StandardStatusForm,
)
from qihub.metrology.models import (
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    MeasurementStandard,
)
from qihub.metrology.traceability import chain_validate


def _page(request, qs, per_page: int = 25):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _staff_only(request) -> None:
    if not is_staff_member(request.user):
        raise DjangoPermissionDenied(_("Only institute staff may do this."))


def _form_error(form, exc: ApplicationError) -> None:
    """Show a refused move on the field it is about (``details`` names the
    input), else above the form."""
    fields = [name for name in exc.details if name in form.fields]
    if len(fields) == 1:
        form.add_error(fields[0], exc.message)
    else:
        form.add_error(None, exc.message)


def index(request):
    today = timezone.localdate()
    return render(
        request,
        "metrology/index.html",
        {
            "counts": selectors.overview(),
            "coverage": selectors.coverage_total(on=today),
            "target": selectors.COVERAGE_TARGET,
        },
    )


def standard_list(request):
    qs = selectors.standard_list(
        q=request.GET.get("q", ""),
        kind=request.GET.get("kind", ""),
        region=request.GET.get("region", ""),
    )
    return render(
        request,
        "metrology/standard_list.html",
        {"page": _page(request, qs), "kinds": MeasurementStandard.Kind.choices},
    )


def _standard_page(
    request,
    standard: MeasurementStandard,
    *,
    status_form: StandardStatusForm | None = None,
    reassess_form: StandardReassessForm | None = None,
):
    """The standard's page; a refused form is given back with what was typed,
    the other one is drawn afresh."""
    if status_form is None:
        status_form = StandardStatusForm(initial={"status": standard.status})
    if reassess_form is None:
        reassess_form = StandardReassessForm()
    today = timezone.localdate()
    chain = chain_validate(standard, on=today)
    return render(
        request,
        "metrology/standard_detail.html",
        {
            "standard": standard,
            "assessment_expiry": standard.assessment_expiry(today),
            "chain": chain,
            "chain_svg": mark_safe(charts.chain_svg(chain)),  # noqa: S308 (built with escape())
            "calibrations": selectors.certificate_list().filter(
                calibrated_standard=standard
            )[:50],
            "history": selectors.item_history(standard=standard)[:50],
            "status_form": status_form,
            "reassess_form": reassess_form,
        },
    )


def standard_detail(request, pk: int):
    standard = get_object_or_404(
        MeasurementStandard.objects.select_related("holder__organisation"), pk=pk
    )
    return _standard_page(request, standard)


def _change_on_page(request, item, form, change, done, page):
    """A staff form on a standard's or an instrument's page: ``change(form)``
    calls the service and returns the item as saved, ``done(item)`` says what
    it did; a refusal is shown by ``page(form)``, with what was typed."""
    if form.is_valid():
        try:
            item = change(form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done(item))
            return redirect(item)
    return page(form)


def _standard_change(request, pk: int, form_class, service, done, form_name: str):
    """A staff form on a standard's page: ``service`` makes the change."""
    _staff_only(request)
    standard = get_object_or_404(
        MeasurementStandard.objects.select_related("holder__organisation"), pk=pk
    )
    return _change_on_page(
        request,
        standard,
        form_class(request.POST),
        lambda data: service(standard=standard, actor=request.user, **data),
        done,
        lambda form: _standard_page(request, standard, **{form_name: form}),
    )


@login_required
@require_http_methods(["POST"])
def standard_set_status(request, pk: int):
    """Suspend, retire or reactivate a standard from its page."""
    return _standard_change(
        request,
        pk,
        StandardStatusForm,
        services.standard_set_status,
        lambda standard: (
            _("Status of %(code)s: %(status)s.")
            % {"code": standard.code, "status": standard.get_status_display()}
        ),
        "status_form",
    )


@login_required
@require_http_methods(["POST"])
def standard_reassess(request, pk: int):
    """Record a re-assessment from the standard's page."""
    return _standard_change(
        request,
        pk,
        StandardReassessForm,
        services.standard_reassess,
        lambda standard: (
            _(
                "Re-assessment of %(code)s recorded: certificate "
                "%(certificate)s, valid until %(date)s."
            )
            % {
                "code": standard.code,
                "certificate": standard.assessment_certificate,
                "date": standard.assessment_valid_until.isoformat(),
            }
        ),
        "reassess_form",
    )


def instrument_list(request):
    qs = selectors.instrument_list(
        q=request.GET.get("q", ""),
        region=request.GET.get("region", ""),
        item_type=request.GET.get("type", ""),
        suspect=request.GET.get("suspect") == "1",
        retired=request.GET.get("retired") == "1",
    )
    return render(
        request,
        "metrology/instrument_list.html",
        {
            "page": _page(request, qs),
            "regions": selectors.regions(),
            "types": CompulsoryItem.objects.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def instrument_register(request):
    _staff_only(request)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_register(
                actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Instrument %(code)s registered.") % {"code": instrument.code},
            )
            return redirect(instrument)
    return render(request, "metrology/instrument_register.html", {"form": form})


def _instrument(pk: int) -> Instrument:
    return get_object_or_404(
        Instrument.objects.select_related(
            "item_type", "latest_event", "suspect_cause", "owner"
        ),
        pk=pk,
    )


def _instrument_page(
    request, instrument: Instrument, *, retire_form: InstrumentRetireForm | None = None
):
    """The instrument's page (or its chain alone, for HTMX); a refused
    retirement is given back with what was typed."""
    form = ChainDateForm(request.GET or None)
    on = today = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    chain = chain_validate(instrument, on=on)
    context = {
        "instrument": instrument,
        "form": form,
        "chain": chain,
        "chain_svg": mark_safe(charts.chain_svg(chain)),  # noqa: S308 (built with escape())
        "events": selectors.certificate_list().filter(instrument=instrument)[:50],
        "history": selectors.item_history(instrument=instrument)[:50],
        "retire_form": retire_form or InstrumentRetireForm(initial={"on": today}),
    }
    if request.htmx:
        return render(request, "metrology/_chain.html", context)
    return render(request, "metrology/instrument_detail.html", context)


def instrument_detail(request, pk: int):
    return _instrument_page(request, _instrument(pk))


@login_required
@require_http_methods(["POST"])
def instrument_retire(request, pk: int):
    """Take an instrument out of use from its page."""
    _staff_only(request)
    instrument = _instrument(pk)
    return _change_on_page(
        request,
        instrument,
        InstrumentRetireForm(request.POST),
        lambda data: services.instrument_retire(
            instrument=instrument, actor=request.user, **data
        ),
        lambda saved: (
            _("Instrument %(code)s taken out of use on %(date)s.")
            % {"code": saved.code, "date": saved.retired_on.isoformat()}
        ),
        lambda form: _instrument_page(request, instrument, retire_form=form),
    )


def certificate_list(request):
    qs = selectors.certificate_list(
        q=request.GET.get("q", ""), status=request.GET.get("status", "")
    )
    return render(
        request, "metrology/certificate_list.html", {"page": _page(request, qs)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_record(request):
    """Record a calibration or verification; ``?instrument=<asset number>`` or
    ``?standard=<code>`` fills in the calibrated item."""
    _staff_only(request)
    form = CalibrationForm(
        request.POST or None,
        initial={
            "instrument": request.GET.get("instrument", ""),
            "calibrated_standard": request.GET.get("standard", ""),
            "performed_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.calibration_record(
                actor=request.user,
                **selectors.calibration_references(**form.references()),
                **form.service_arguments(),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Certificate %(number)s recorded.")
                % {"number": event.certificate_number},
            )
            return redirect(event)
    return render(request, "metrology/certificate_record.html", {"form": form})


def certificate_detail(request, pk: int):
    try:
        event = selectors.certificate_get(pk)
    except CalibrationEvent.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "metrology/certificate_detail.html",
        {
            "event": event,
            "form": RevokeForm(),
            "suspects": selectors.suspects_for(event)[:200],
            "verify_url": pdf.verification_url(event),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request, pk: int):
    _staff_only(request)
    event = get_object_or_404(CalibrationEvent, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            impact = services.certificate_revoke(
                certificate=event,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Certificate revoked: %(n)d instrument(s) and %(s)d standard(s) are now suspect."
                )
                % {"n": impact.instruments, "s": len(impact.standards)},
            )
            return redirect("metrology:certificate_detail", pk=event.pk)
    return render(
        request, "metrology/certificate_revoke.html", {"event": event, "form": form}
    )


def certificate_pdf(request, pk: int):
    event = get_object_or_404(
        CalibrationEvent.objects.select_related(
            "instrument", "calibrated_standard", "laboratory", "reference_standard"
        ),
        pk=pk,
    )
    response = HttpResponse(pdf.certificate_pdf(event), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{event.pk}.pdf"'
    return response


def certificate_dcc(request, pk: int):
    event = get_object_or_404(
        CalibrationEvent.objects.select_related(
            "instrument", "calibrated_standard", "laboratory", "reference_standard"
        ),
        pk=pk,
    )
    response = HttpResponse(dcc.export(event), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="dcc-{event.pk}.xml"'
    return response


def certificate_verify(request, number: str):
    """The public page a certificate's QR code opens."""
    event = selectors.certificate_by_number(number)
    if event is None:
        raise Http404(_("No such certificate."))
    genuine = request.GET.get("h", "") == event.verify_hash
    today = timezone.localdate()
    return render(
        request,
        "metrology/certificate_verify.html",
        {
            "event": event,
            "genuine": genuine,
            "expired": event.valid_until < today,
            "revoked": event.status == CalibrationEvent.Status.REVOKED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dcc_import(request):
    _staff_only(request)
    form = DccUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > dcc.max_bytes():
            form.add_error("file", _("The file is too large."))
        else:
            try:
                outcome = services.dcc_import(
                    data=upload.read(),
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    filename=upload.name,
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                if outcome.event is not None:
                    messages.success(request, _("Certificate imported."))
                    return redirect(outcome.event.get_absolute_url())
    return render(
        request, "metrology/dcc_import.html", {"form": form, "outcome": outcome}
    )


def _coverage_params(request):
    form = CoverageForm(request.GET or None)
    on = timezone.localdate()
    region = item_type = ""
    if form.is_valid():
        on = form.cleaned_data["on"] or on
        region = form.cleaned_data["region"]
        item_type = form.cleaned_data["item_type"]
    return form, on, region, item_type


def coverage(request):
    form, on, region, item_type = _coverage_params(request)
    series = selectors.coverage_series(until=on, region=region, item_type=item_type)
    return render(
        request,
        "metrology/coverage.html",
        {
            "form": form,
            "on": on,
            "series": series,
            "chart": mark_safe(charts.coverage_svg(series)),  # noqa: S308 (built with escape())
            "rows": selectors.coverage_rows(on=on),
            "total": series[-1][1],
            "target": selectors.COVERAGE_TARGET,
        },
    )


def coverage_csv(request):
    _form, on, region, item_type = _coverage_params(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coverage-{on}.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "region", "item_type", "required", "covered", "rate"])
    for day, row in selectors.coverage_series(
        until=on, region=region, item_type=item_type
    ):
        writer.writerow(_csv_row(day, row))
    for row in selectors.coverage_rows(on=on):
        writer.writerow(_csv_row(on, row))
    return response


def _csv_row(day: datetime.date, row) -> list:
    rate = "" if row.rate is None else f"{row.rate:.4f}"
    return [day.isoformat(), row.region, row.item_type, row.required, row.covered, rate]


def registries(request):
    return render(
        request,
        "metrology/registries.html",
        {
            "specifications": selectors.specification_list()[:200],
            "materials": selectors.reference_material_list()[:200],
            "laboratories": selectors.laboratory_list()[:200],
            "catalogue": CompulsoryItem.objects.all(),
        },
    )

"""Pages: full-text reader, glossary, review, check, comparison, import."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role
from qihub.requirements import checking, checks, fulltext, selectors, services
from qihub.requirements.forms import (
    CheckForm,
    CompareForm,
    CorrectForm,
    ImportForm,
    RejectForm,
    RequirementFilterForm,
)
from qihub.requirements.models import Document, Parameter, Requirement


def _staff_or_403(request) -> None:
    if not has_role(request.user, Role.STAFF):
        raise DjangoPermissionDenied(_("Only institute staff may do this."))


def index(request):
    return render(
        request,
        "requirements/index.html",
        {
            "documents": selectors.documents(),
            "standards": selectors.standards_with_requirements(),
            "proposed": selectors.review_queue().count(),
            "is_staff": has_role(request.user, Role.STAFF),
        },
    )


def document_read(request, pk: int):
    try:
        document, clauses = selectors.document_for_reading(pk)
    except Document.DoesNotExist as exc:
        raise Http404(_("No such document.")) from exc
    return render(
        request,
        "requirements/document_read.html",
        {
            "document": document,
            "clauses": clauses,
            "references": document.references.select_related("standard"),
            "marked": sum(1 for c in clauses if c.requirements.all()),
        },
    )


def document_glossary(request, pk: int):
    document = get_object_or_404(Document.objects.select_related("standard"), pk=pk)
    return render(
        request,
        "requirements/document_glossary.html",
        {"document": document, "terms": selectors.terms_for(document)},
    )


def document_export(request, pk: int, fmt: str):
    if fmt not in ("xml", "json"):
        raise Http404(_("Export as xml or json."))
    document = get_object_or_404(Document.objects.select_related("standard"), pk=pk)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", document.standard.identifier)
    if fmt == "xml":
        response = HttpResponse(
            fulltext.export_sts(document), content_type="application/xml"
        )
    else:
        response = HttpResponse(
            fulltext.export_json(document), content_type="application/json"
        )
    response["Content-Disposition"] = f'inline; filename="{slug}.{fmt}"'
    return response


@login_required
def document_import(request):
    _staff_or_403(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = fulltext.document_import(
                data=upload.read(),
                filename=upload.name,
                actor=request.user,
                replace=form.cleaned_data["replace"],
            )
        except ApplicationError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, result.summary())
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(result.document.get_absolute_url())
    return render(
        request, "requirements/document_import.html", {"form": form, "result": result}
    )


def requirement_list(request):
    form = RequirementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.requirement_list(
        standard=filters.get("standard") or None,
        subject=filters.get("subject") or None,
        parameter=filters.get("parameter") or None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "requirements/requirement_list.html", {"form": form, "page": page}
    )


@login_required
def review(request):
    _staff_or_403(request)
    qs = selectors.review_queue(standard_id=request.GET.get("standard") or None)
    page = Paginator(qs, 40).get_page(request.GET.get("page"))
    return render(
        request,
        "requirements/review.html",
        {"page": page, "new_parameters": selectors.new_parameters().count()},
    )


@login_required
@require_POST
def review_action(request, pk: int, action: str):
    _staff_or_403(request)
    requirement = get_object_or_404(
        Requirement.objects.select_related("parameter", "standard", "clause"), pk=pk
    )
    error = ""
    try:
        if action == "confirm":
            requirement = services.requirement_confirm(
                requirement=requirement, actor=request.user
            )
        elif action == "reject":
            form = RejectForm(request.POST)
            reason = form.data.get("reason", "")
            requirement = services.requirement_reject(
                requirement=requirement, actor=request.user, reason=reason
            )
        elif action == "correct":
            form = CorrectForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the corrected fields."))
            data = dict(form.cleaned_data)
            data["conditions"] = checking.parse_conditions_text(
                data.get("conditions", "")
            )
            requirement = services.requirement_correct(
                requirement=requirement, actor=request.user, **data
            )
        else:
            raise Http404(_("Unknown action."))
    except ApplicationError as exc:
        error = str(exc)
    requirement = Requirement.objects.select_related(
        "parameter", "standard", "clause"
    ).get(pk=requirement.pk)
    template = "requirements/_review_row.html"
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("requirements:review")
    return render(request, template, {"r": requirement, "error": error})


@login_required
def parameters_new(request):
    """Staff map each new parameter extraction proposed onto a vocabulary
    parameter, or keep it as one of its own."""
    _staff_or_403(request)
    page = Paginator(selectors.new_parameters(), 50).get_page(request.GET.get("page"))
    for parameter in page.object_list:
        parameter.samples = list(
            parameter.requirements.select_related("standard").order_by("id")[:3]
        )
    return render(
        request,
        "requirements/parameters_new.html",
        {"page": page, "known": selectors.known_parameters()},
    )


@login_required
@require_POST
def parameter_resolve(request, pk: int, action: str):
    _staff_or_403(request)
    parameter = get_object_or_404(Parameter, pk=pk)
    name = parameter.name
    try:
        if action == "map":
            target = Parameter.objects.filter(
                key=request.POST.get("target", ""), is_new=False
            ).first()
            if target is None:
                raise ApplicationError(_("Choose the known parameter to map onto."))
            moved = services.parameter_map(
                parameter=parameter, target=target, actor=request.user
            )
            messages.success(
                request,
                _("%(p)s mapped onto %(t)s: %(n)d requirements moved.")
                % {"p": name, "t": target.name, "n": moved},
            )
        elif action == "keep":
            services.parameter_keep(
                parameter=parameter, actor=request.user, key=request.POST.get("key", "")
            )
            messages.success(request, _("%(p)s kept in the vocabulary.") % {"p": name})
        else:
            raise Http404(_("Unknown action."))
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect("requirements:parameters_new")


def check(request):
    form = CheckForm(request.POST or None)
    results = None
    overall = None
    if request.method == "POST" and form.is_valid():
        try:
            refs = [
                r
                for r in re.split(r"[\n,，;；]+", form.cleaned_data["standards"])
                if r.strip()
            ]
            standards = [checking.standard_lookup(r.strip()) for r in refs]
            values = checking.parse_values_text(form.cleaned_data["values"])
            conditions = checking.parse_conditions_text(form.cleaned_data["conditions"])
            results = checking.check_product(
                standards=standards, values=values, conditions=conditions
            )
            overall = checks.summarise(results)
        except ApplicationError as exc:
            form.add_error(None, str(exc))
    template = (
        "requirements/_check_results.html"
        if request.htmx
        else "requirements/check.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "results": results,
            "overall": overall,
            "rows": _with_requirements(results),
        },
    )


def _with_requirements(results) -> list:
    """Pair each result with its requirement record (one query)."""
    if not results:
        return []
    pks = [r.requirement.ref for r in results]
    by_pk = {
        r.pk: r
        for r in Requirement.objects.filter(pk__in=pks).select_related(
            "standard", "clause"
        )
    }
    return [(res, by_pk.get(res.requirement.ref)) for res in results]


def compare(request):
    form = CompareForm(request.GET or None)
    rows = None
    a = b = None
    if form.is_bound and form.is_valid():
        try:
            a = checking.standard_lookup(form.cleaned_data["a"].strip())
            b = checking.standard_lookup(form.cleaned_data["b"].strip())
            rows = checking.compare_standards(a, b)
        except ApplicationError as exc:
            form.add_error(None, str(exc))
    counts = {}
    if rows is not None:
        for verdict in checks.VERDICTS:
            counts[verdict] = sum(1 for r in rows if r.verdict == verdict)
    template = (
        "requirements/_compare_table.html"
        if request.htmx
        else "requirements/compare.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "rows": rows,
            "a": a,
            "b": b,
            "counts": counts,
            "not_weaker": checks.not_weaker(rows) if rows is not None else None,
            "standards": selectors.standards_with_requirements(),
        },
    )

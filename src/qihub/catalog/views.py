"""Catalogue pages: home with search, results with filters, detail, ICS tree."""

import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from qihub.catalog import selectors, services
from qihub.catalog.graph import relation_svg
from qihub.catalog.importing import FORMATS
from qihub.catalog.models import Standard
from qihub.catalog.search import SearchPage
from qihub.core.errors import ApplicationError
from qihub.core.pagination import ascii_int, page_number
from qihub.core.views import ImportUploadForm, import_upload_page
from qihub.sharing.selectors import mirrored_standards_search
from qihub.vocab.selectors import ics_ancestors, ics_children, ics_paths

PER_PAGE = 20


def _search_params(request) -> dict:
    get = request.GET
    year = get.get("year", "").strip()
    return {
        "q": get.get("q", "").strip(),
        "level": get.get("level") or None,
        "status": get.get("status") or None,
        "ics": get.get("ics", "").strip() or None,
        "year": ascii_int(year, maximum=9999),
    }


def home(request):
    counts = selectors.standard_counts_by_level()
    return render(
        request,
        "catalog/home.html",
        {
            "level_counts": [
                (code, label, counts.get(code, 0))
                for code, label in Standard.Level.choices
            ],
            "recent": Standard.objects.order_by("-created_at")[:8],
        },
    )


def _filter_errors(params: dict) -> list[str]:
    """An unknown level or status is said, as the API refuses it, not
    passed through as if no filter had been asked for."""
    errors = []
    for name, choices in (
        ("level", Standard.Level.values),
        ("status", Standard.Status.values),
    ):
        value = params[name]
        if value and value not in choices:
            errors.append(
                _("Unknown %(field)s %(value)s; use one of %(choices)s.")
                % {"field": name, "value": repr(value), "choices": ", ".join(choices)}
            )
    return errors


def standard_list(request):
    params = _search_params(request)
    page = page_number(request.GET.get("page", 1))
    errors = _filter_errors(params)
    if errors:
        result = SearchPage(query=params["q"], total=0)
    else:
        result = selectors.search_standards(
            **params, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
        )
    pages = max(1, math.ceil(result.total / PER_PAGE))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "result": result,
        "params": params,
        "page": page,
        "pages": pages,
        "query_string": query.urlencode(),
        "levels": Standard.Level.choices,
        "statuses": Standard.Status.choices,
        # Standards other member institutes share (never replacing ours).
        "mirrored": mirrored_standards_search(params["q"]) if page == 1 else [],
        "filter_errors": errors,
    }
    template = (
        "catalog/_results.html"
        if request.htmx and not request.htmx.boosted
        else "catalog/standard_list.html"
    )
    return render(request, template, context)


def standard_detail(request, pk: int):
    try:
        standard = selectors.standard_detail(pk)
    except Standard.DoesNotExist as exc:
        raise Http404 from exc
    graph = selectors.relation_graph(standard)
    return render(
        request,
        "catalog/standard_detail.html",
        {
            "standard": standard,
            "graph_svg": relation_svg(standard, graph),
            "editions": selectors.standard_editions(standard),
            "history": selectors.standard_history(standard),
            "ics_paths": ics_paths([c.code for c in standard.ics.all()]),
        },
    )


@require_POST
def standard_withdraw(request, pk: int):
    standard = get_object_or_404(Standard, pk=pk)
    try:
        services.standard_withdraw(
            standard=standard, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(
            request, _("%(id)s is withdrawn.") % {"id": standard.identifier}
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(standard)


@require_POST
def standard_replace(request, pk: int):
    old = get_object_or_404(Standard, pk=pk)
    new = selectors.standard_get_by_identifier(request.POST.get("by", ""))
    try:
        if new is None:
            raise ApplicationError(
                _("No standard %(id)s in the catalogue.")
                % {"id": request.POST.get("by", "")}
            )
        services.standard_replace(
            old=old,
            new=new,
            actor=request.user,
            partial=bool(request.POST.get("partial")),
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request,
            _("%(new)s replaces %(old)s.")
            % {"new": new.identifier, "old": old.identifier},
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(old)


def ics_browse(request):
    parent = request.GET.get("parent") or None
    children = ics_children(parent=parent)
    template = (
        "catalog/_ics_children.html" if request.htmx else "catalog/ics_browse.html"
    )
    return render(
        request,
        template,
        {
            "children": children,
            "parent": parent,
            "path": ics_ancestors(parent) if parent else [],
        },
    )


class StandardsImportForm(ImportUploadForm):
    format = forms.ChoiceField(
        label=_lazy("Format"),
        required=False,
        choices=[("", _lazy("From the file"))] + [(f, f) for f in FORMATS],
    )


@login_required
@require_http_methods(["GET", "POST"])
def standards_import(request):
    """Staff upload a catalogue file to import it as a background job."""
    return import_upload_page(
        request,
        kind="standards",
        template="catalog/standards_import.html",
        form_class=StandardsImportForm,
    )

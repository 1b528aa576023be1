"""Pages of the expert pool and the held standard texts: anyone sees the
listed experts and the texts held; staff see every expert, add experts and
held texts, record a withdrawn consent and release a text."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.pool import selectors, services
from qihub.pool.forms import ExpertForm, HeldTextForm
from qihub.pool.models import Expert, HeldText


def _staff(request) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only institute staff may do this."))


def _page(request, *, status=200, error="", expert_form=None, text_form=None):
    staff = is_staff_member(request.user)
    context = {
        "staff": staff,
        "experts": selectors.experts(include_unlisted=staff),
        "held_texts": selectors.held_texts(include_released=staff),
        "error": error,
    }
    if staff:
        context["expert_form"] = expert_form or ExpertForm()
        context["text_form"] = text_form or HeldTextForm()
    return render(request, "pool/pool.html", context, status=status)


def pool(request):
    return _page(request)


def _form_error(form, exc: ApplicationError) -> None:
    fields = [name for name in exc.details if name in form.fields]
    form.add_error(fields[0] if len(fields) == 1 else None, exc.message)


@require_POST
def expert_add(request):
    _staff(request)
    form = ExpertForm(request.POST)
    if form.is_valid():
        try:
            expert = services.expert_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": expert.name})
            return redirect("pool:pool")
    return _page(request, status=400, expert_form=form)


@require_POST
def held_text_add(request):
    _staff(request)
    form = HeldTextForm(request.POST)
    if form.is_valid():
        try:
            text = services.held_text_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(text)s is listed.") % {"text": text})
            return redirect("pool:pool")
    return _page(request, status=400, text_form=form)


def _act(request, change, done: str):
    try:
        change()
    except ApplicationError as exc:
        return _page(request, status=exc.status, error=exc.message)
    messages.success(request, done)
    return redirect("pool:pool")


@require_POST
def expert_withdraw(request, pk: int):
    _staff(request)
    expert = get_object_or_404(Expert, pk=pk)
    return _act(
        request,
        lambda: services.expert_consent_withdraw(expert=expert, actor=request.user),
        _("%(name)s is no longer listed.") % {"name": expert.name},
    )


@require_POST
def held_text_release(request, pk: int):
    _staff(request)
    text = get_object_or_404(HeldText, pk=pk)
    return _act(
        request,
        lambda: services.held_text_release(text=text, actor=request.user),
        _("%(text)s is no longer held.") % {"text": text},
    )


def network_search(request, pk: int):
    """The expert pool and who holds which standard texts across a network's
    member instances (the network page's section; HTMX swaps the results)."""
    from qihub.organisations.models import Network

    network = get_object_or_404(Network, pk=pk)
    context = network_search_context(request, network)
    template = (
        "pool/_network_search.html" if request.htmx else "pool/network_search.html"
    )
    form = context["pool_form"]
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, template, {"network": network, **context}, status=status)


def network_search_context(request, network) -> dict:
    """The search form (from the query string) and its results."""
    from qihub.pool.forms import NetworkSearchForm

    form = NetworkSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    return {
        "pool_form": form if form.is_bound else NetworkSearchForm(),
        "pool_experts": selectors.network_experts(
            network, q=params.get("expert_q", ""), field=params.get("expert_field", "")
        ),
        "pool_holdings": selectors.network_holdings(
            network, q=params.get("text_q", "")
        ),
    }

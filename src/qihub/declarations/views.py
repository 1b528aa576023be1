"""Pages: public search, registration, an enterprise's declarations and inbox,
spot checks and forerunner lists. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role, has_role
from qihub.core.views import import_upload_page
from qihub.declarations import (
    forerunners,
    proposing,
    selectors,
    services,
    spotchecks,
)
from qihub.declarations.declaration_checks import issue_message
from qihub.declarations.forms import (
    DeclarationForm,
    EnterpriseForm,
    FindingForm,
    ForerunnerForm,
    IndicatorFormSet,
    InspectorForm,
    MemberForm,
    PlanForm,
    RegisterForm,
    WithdrawForm,
)
from qihub.declarations.models import (
    Declaration,
    Enterprise,
    ForerunnerEvaluation,
    SpotCheck,
    SpotCheckPlan,
)
from qihub.organisations.models import Membership
from qihub.organisations.selectors import organisation_users
from qihub.organisations.services import (
    may_manage,
    membership_add,
    membership_remove,
    membership_set_role,
)

SEARCH_FIELDS = ("q", "enterprise", "product", "standard", "region")


def _form_error(form, exc: ApplicationError) -> None:
    placed = False
    for field, message in (exc.details or {}).items():
        if field in form.fields and isinstance(message, str):
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def index(request):
    """Public search over published declarations (htmx swaps the results)."""
    params = {f: request.GET.get(f, "").strip() for f in SEARCH_FIELDS}
    searched = any(params.values())
    page = None
    if searched:
        qs = selectors.declaration_search(**params)
        results = selectors.SearchResults(qs, page=request.GET.get("page"))
        page = Paginator(results, 20).get_page(request.GET.get("page"))
    context = {"params": params, "page": page, "searched": searched}
    template = (
        "declarations/_results.html" if request.htmx else "declarations/index.html"
    )
    return render(request, template, context)


def register(request):
    """Public enterprise registration: the enterprise and its first user."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, enterprise = services.enterprise_register(**form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("%(name)s is registered. Declare your first product.")
                % {"name": enterprise.name},
            )
            return redirect("declarations:mine")
    return render(request, "declarations/register.html", {"form": form})


@login_required
def mine(request):
    """The user's enterprises, their declarations and the inbox."""
    return render(
        request,
        "declarations/mine.html",
        {
            "enterprises": selectors.enterprises_for_user(request.user),
            "declarations": selectors.declarations_for_user(request.user)[:200],
            "notices": selectors.notices_for_user(request.user)[:30],
        },
    )


def _content(form, formset) -> dict:
    return {
        "product_name": form.cleaned_data["product_name"],
        "category": form.cleaned_data["category"],
        "is_service": form.cleaned_data["is_service"],
        "standards": form.standard_list(),
        "effective_on": form.cleaned_data.get("effective_on"),
        "q_standard_file": form.cleaned_data.get("q_standard_file"),
        "indicators": [f.cleaned_data for f in formset.forms if f.cleaned_data],
    }


@login_required
def declaration_new(request):
    enterprise = selectors.enterprises_for_user(request.user).first()
    if enterprise is None:
        messages.error(request, _("Register your enterprise first."))
        return redirect("declarations:register")
    form = DeclarationForm(request.POST or None, request.FILES or None)
    formset = IndicatorFormSet(request.POST or None, prefix="ind")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            declaration = services.declaration_create(
                actor=request.user, enterprise=enterprise, **_content(form, formset)
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect(declaration)
    return render(
        request,
        "declarations/declaration_form.html",
        {"form": form, "formset": formset, "enterprise": enterprise},
    )


@login_required
def declaration_edit(request, pk: int):
    declaration = get_object_or_404(
        Declaration.objects.select_related("enterprise__organisation"), pk=pk
    )
    if not services.can_manage(request.user, declaration.enterprise):
        return HttpResponseForbidden(
            _("Only the enterprise's own users may change it.")
        )
    source = services.draft_version(declaration) or declaration.current_version
    if request.method == "POST":
        form = DeclarationForm(request.POST, request.FILES)
        formset = IndicatorFormSet(request.POST, prefix="ind")
    else:
        form = DeclarationForm(
            initial={
                "product_name": source.product_name,
                "category": source.category,
                "is_service": source.is_service,
                "effective_on": source.effective_on,
                "standards": "\n".join(s.identifier for s in source.standards.all()),
            }
        )
        formset = IndicatorFormSet(
            prefix="ind",
            initial=[
                {
                    "parameter": i.parameter,
                    "operator": i.operator,
                    "value": f"{i.value.normalize():f}",
                    "upper": f"{i.upper.normalize():f}" if i.upper is not None else "",
                    "unit": i.unit,
                    "test_method": i.test_method,
                }
                for i in source.indicators.all()
            ],
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.declaration_update(
                actor=request.user, declaration=declaration, **_content(form, formset)
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect(declaration)
    return render(
        request,
        "declarations/declaration_form.html",
        {
            "form": form,
            "formset": formset,
            "enterprise": declaration.enterprise,
            "declaration": declaration,
        },
    )


@login_required
@require_POST
def indicators_propose(request):
    """HTMX, from the declaration form: its indicator rows filled from the
    uploaded Q/ file (nothing is saved). A file that cannot be read leaves
    the rows as they were, with the reason."""
    upload = request.FILES.get("q_standard_file")
    notice, ok = "", False
    try:
        if upload is None:
            raise ApplicationError(_("Choose the enterprise standard file first."))
        rows = proposing.indicators_from_file(upload.name, upload.read())
    except ApplicationError as exc:
        notice = exc.message
        formset = IndicatorFormSet(request.POST, prefix="ind")
        formset.is_valid()  # the rows as typed, shown again
    else:
        ok = True
        formset = IndicatorFormSet(prefix="ind", initial=rows)
        notice = (
            _(
                "%(n)d indicator(s) read from %(file)s: check them against the "
                "file, then save."
            )
            % {"n": len(rows), "file": upload.name}
            if rows
            else _("No indicators with limits were found in %(file)s.")
            % {"file": upload.name}
        )
    return render(
        request,
        "declarations/_indicators.html",
        {"formset": formset, "notice": notice, "notice_ok": ok},
    )


def _with_messages(version):
    if version is not None:
        version.issues = [
            {"severity": i.get("severity"), "text": issue_message(i)}
            for i in version.check_results
        ]
    return version


def declaration_detail(request, pk: int):
    """A declaration: the version in effect, its checks, older versions and history."""
    try:
        declaration = selectors.declaration_detail(pk)
    except Declaration.DoesNotExist:
        raise Http404 from None
    manage = services.can_manage(request.user, declaration.enterprise)
    if declaration.status == Declaration.Status.DRAFT and not manage:
        raise Http404
    versions = list(declaration.versions.all())
    for v in versions:
        _with_messages(v)
    draft = next((v for v in versions if v.status == "draft"), None) if manage else None
    current = next(
        (v for v in versions if v.pk == declaration.current_version_id), None
    )
    return render(
        request,
        "declarations/declaration_detail.html",
        {
            "declaration": declaration,
            "current": current,
            "draft": draft,
            "versions": versions,
            "manage": manage,
            "withdraw_form": WithdrawForm(),
        },
    )


@require_POST
@login_required
def declaration_submit(request, pk: int):
    declaration = get_object_or_404(Declaration, pk=pk)
    try:
        version = services.declaration_submit(
            actor=request.user, declaration=declaration
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if version.status == "published":
            messages.success(
                request, _("Version %(n)d is published.") % {"n": version.number}
            )
        else:
            messages.error(
                request,
                _(
                    "The checks found problems: correct the declaration and submit again."
                ),
            )
    return redirect(declaration)


@require_POST
@login_required
def declaration_withdraw(request, pk: int):
    declaration = get_object_or_404(Declaration, pk=pk)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Give a reason for the withdrawal."))
        services.declaration_withdraw(
            actor=request.user,
            declaration=declaration,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The declaration is withdrawn; it stays visible as history.")
        )
    return redirect(declaration)


@require_POST
@login_required
def declaration_recheck(request, pk: int):
    declaration = get_object_or_404(Declaration, pk=pk)
    try:
        services.declaration_recheck(actor=request.user, declaration=declaration)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(declaration)


def enterprise_detail(request, pk: int):
    """An enterprise's public declarations; its organisation's administrators
    (and staff) also see and manage its users here."""
    enterprise = get_object_or_404(
        Enterprise.objects.select_related("organisation__region"), pk=pk
    )
    organisation = enterprise.organisation
    manage = request.user.is_authenticated and may_manage(request.user, organisation)
    form = MemberForm(request.POST or None) if manage else None
    if request.method == "POST":
        if not manage:
            return HttpResponseForbidden(
                _("Only the organisation's administrators may manage its users.")
            )
        try:
            if "remove" in request.POST:
                membership = get_object_or_404(
                    Membership, pk=request.POST["remove"], organisation=organisation
                )
                membership_remove(actor=request.user, membership=membership)
            elif "membership" in request.POST:
                membership = get_object_or_404(
                    Membership, pk=request.POST["membership"], organisation=organisation
                )
                membership_set_role(
                    actor=request.user,
                    membership=membership,
                    role=request.POST.get("role", ""),
                )
            elif form.is_valid():
                user = (
                    get_user_model()
                    .objects.filter(username=form.cleaned_data["username"])
                    .first()
                )
                if user is None:
                    raise ApplicationError(
                        _("No user is called %(u)s.")
                        % {"u": form.cleaned_data["username"]},
                        details={"username": _("Unknown username.")},
                    )
                membership_add(
                    actor=request.user,
                    organisation=organisation,
                    user=user,
                    role=form.cleaned_data["role"],
                )
            else:
                raise ApplicationError(_("Correct the form below."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(enterprise)
    declarations = enterprise.declarations.exclude(
        status=Declaration.Status.DRAFT
    ).order_by("-id")
    return render(
        request,
        "declarations/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "declarations": declarations[:500],
            "manage": manage,
            "members": organisation_users(organisation) if manage else (),
            "member_form": form,
            "roles": Membership.Role.choices,
        },
    )


@login_required
def enterprise_new(request):
    """Staff register an organisation of the registry as a declaring enterprise
    (picked by search, or registered inline with its credit code checked)."""
    if not has_role(request.user, Role.STAFF):
        return HttpResponseForbidden(_("Only institute staff may do this."))
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                industry=form.cleaned_data["industry"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect(enterprise)
    return render(request, "declarations/enterprise_form.html", {"form": form})


# --- spot checks ------------------------------------------------------------------


def spotcheck_list(request):
    staff = has_role(request.user, Role.STAFF)
    adding_inspector = request.method == "POST" and "inspector" in request.POST
    inspector_form = (
        InspectorForm(request.POST if adding_inspector else None) if staff else None
    )
    if adding_inspector and staff and inspector_form.is_valid():
        try:
            spotchecks.inspector_create(
                actor=request.user,
                name=inspector_form.cleaned_data["name"],
                organisation=inspector_form.cleaned_data["organisation"],
            )
        except ApplicationError as exc:
            _form_error(inspector_form, exc)
        else:
            return redirect("declarations:spotcheck_list")
    form = (
        PlanForm(None if adding_inspector else request.POST or None) if staff else None
    )
    if request.method == "POST" and staff and not adding_inspector and form.is_valid():
        data = form.cleaned_data
        try:
            plan = spotchecks.spotcheck_plan_create(
                actor=request.user,
                name=data["name"],
                share=data["share"],
                seed=data["seed"],
                regions=(data["regions"] or "").split(","),
                industries=(data["industries"] or "").split(","),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect(plan)
    plans = selectors.spotcheck_plans(published_only=not staff)
    return render(
        request,
        "declarations/spotcheck_list.html",
        {
            "plans": plans,
            "form": form,
            "staff": staff,
            "inspector_form": inspector_form,
            "inspectors": selectors.inspectors() if staff else (),
        },
    )


def spotcheck_detail(request, pk: int):
    plan = get_object_or_404(SpotCheckPlan, pk=pk)
    staff = has_role(request.user, Role.STAFF)
    if plan.status != SpotCheckPlan.Status.PUBLISHED and not staff:
        raise Http404
    checks = list(selectors.spotchecks_of(plan))
    verified = None
    if request.GET.get("verify") and plan.status != SpotCheckPlan.Status.DRAFT:
        redraw = spotchecks.draw(
            spotchecks.candidates_for(plan),
            spotchecks.examiners(),
            seed=plan.seed,
            share=plan.share,
        )
        verified = [(d.candidate.declaration_id, d.inspector_id) for d in redraw] == [
            (c.declaration_id, c.inspector_id) for c in checks
        ]
    return render(
        request,
        "declarations/spotcheck_detail.html",
        {
            "plan": plan,
            "checks": checks,
            "staff": staff,
            "finding_form": FindingForm(),
            "verified": verified,
        },
    )


@require_POST
@login_required
def spotcheck_action(request, pk: int, action: str):
    plan = get_object_or_404(SpotCheckPlan, pk=pk)
    try:
        if action == "draw":
            spotchecks.spotcheck_draw(actor=request.user, plan=plan)
        elif action == "publish":
            spotchecks.spotcheck_plan_publish(actor=request.user, plan=plan)
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(plan)


@require_POST
@login_required
def spotcheck_finding(request, pk: int):
    check = get_object_or_404(SpotCheck.objects.select_related("plan"), pk=pk)
    try:
        if request.POST.get("rectified"):
            spotchecks.spotcheck_rectify(actor=request.user, check=check)
        else:
            form = FindingForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose a finding and give a valid date."))
            spotchecks.spotcheck_record(
                actor=request.user,
                check=check,
                outcome=form.cleaned_data["outcome"],
                items=form.cleaned_data["items"].splitlines(),
                deadline=form.cleaned_data["deadline"],
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(check.plan)


# --- forerunners ------------------------------------------------------------------


def forerunner_list(request):
    staff = has_role(request.user, Role.STAFF)
    form = ForerunnerForm(request.POST or None) if staff else None
    if request.method == "POST" and staff and form.is_valid():
        try:
            evaluation = forerunners.forerunner_create(
                actor=request.user,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                leaders=form.cleaned_data["leaders"],
                indicators=form.indicator_list(),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect(evaluation)
    evaluations = selectors.forerunner_evaluations(published_only=not staff)
    return render(
        request,
        "declarations/forerunner_list.html",
        {"evaluations": evaluations, "form": form, "staff": staff},
    )


def forerunner_detail(request, pk: int):
    evaluation = get_object_or_404(ForerunnerEvaluation, pk=pk)
    staff = has_role(request.user, Role.STAFF)
    if evaluation.status != ForerunnerEvaluation.Status.PUBLISHED and not staff:
        raise Http404
    rows = []
    for row in evaluation.results:
        cells = [row["values"].get(i["parameter"]) for i in evaluation.indicators]
        rows.append({**row, "cells": cells})
    return render(
        request,
        "declarations/forerunner_detail.html",
        {"evaluation": evaluation, "rows": rows, "staff": staff},
    )


@require_POST
@login_required
def forerunner_action(request, pk: int, action: str):
    evaluation = get_object_or_404(ForerunnerEvaluation, pk=pk)
    try:
        if action == "compute":
            forerunners.forerunner_compute(actor=request.user, evaluation=evaluation)
        elif action == "publish":
            forerunners.forerunner_publish(actor=request.user, evaluation=evaluation)
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(evaluation)


@login_required
@require_http_methods(["GET", "POST"])
def declarations_import(request):
    """Staff upload a file of published declarations to import it as a
    background job."""
    return import_upload_page(
        request, kind="declarations", template="declarations/declarations_import.html"
    )

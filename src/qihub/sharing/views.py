"""Staff pages of the sharing between instances: each member instance's pull
status with its acceptance and removal, registering a member instance by its
base URL, this instance's key and what it publishes per kind, and the
conflicts (a shared standard whose identifier is a local record with other
data; the local record is never replaced)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.sharing import selectors, services
from qihub.sharing.forms import IdentityForm, MemberRegisterForm, PublishingForm
from qihub.sharing.models import MemberInstance


def _staff(request) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only institute staff may do this."))


def _page(
    request,
    *,
    status: int = 200,
    error: str = "",
    register_form=None,
    identity_form=None,
):
    """The sharing page; a refused form comes back with what was typed, a
    refused action with its message above the page."""
    keys = list(selectors.signing_keys())
    identity = selectors.identity()
    return render(
        request,
        "sharing/status.html",
        {
            "identity": identity,
            "identity_form": identity_form
            or IdentityForm(
                initial={
                    "base_url": identity.base_url if identity else "",
                    "organisation": identity.organisation if identity else None,
                }
            ),
            "current_key": next((k for k in keys if k.valid_until is None), None),
            "rotated_keys": [k for k in keys if k.valid_until is not None],
            "publishing": selectors.publishing_choices(),
            "members": selectors.members_status(),
            "conflicts": selectors.standard_conflicts(),
            "register_form": register_form or MemberRegisterForm(),
            "error": error,
        },
        status=status,
    )


def status(request):
    _staff(request)
    return _page(request)


def _form_error(form, exc: ApplicationError) -> None:
    fields = [name for name in exc.details if name in form.fields]
    form.add_error(fields[0] if len(fields) == 1 else None, exc.message)


@require_POST
def identity_set(request):
    """Set this instance's base URL and organisation (the first time also
    its signing key)."""
    _staff(request)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            services.identity_set(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("This instance's identity is saved."))
            return redirect("sharing:status")
    return _page(request, status=400, identity_form=form)


@require_POST
def member_register(request):
    """Register a member instance by its base URL (its keys fetched from it)."""
    _staff(request)
    form = MemberRegisterForm(request.POST)
    if form.is_valid():
        try:
            member = services.member_register_from_url(
                actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(member)s is registered; accept it to pull its feed.")
                % {"member": member.display_name},
            )
            return redirect("sharing:status")
    return _page(request, status=400, register_form=form)


def _act(request, change, done: str):
    """A button of the page: one service call, then back to the page with
    ``done``; a refusal is said on the page (nothing changed)."""
    _staff(request)
    try:
        change()
    except ApplicationError as exc:
        return _page(request, status=exc.status, error=exc.message)
    messages.success(request, done)
    return redirect("sharing:status")


def _member(pk: int) -> MemberInstance:
    return get_object_or_404(
        MemberInstance.objects.select_related("network", "organisation"), pk=pk
    )


@require_POST
def member_accept(request, pk: int):
    _staff(request)
    member = _member(pk)
    return _act(
        request,
        lambda: services.member_accept(member=member, actor=request.user),
        _("%(member)s is accepted: its feed is pulled.")
        % {"member": member.display_name},
    )


@require_POST
def member_remove(request, pk: int):
    _staff(request)
    member = _member(pk)
    return _act(
        request,
        lambda: services.member_remove(member=member, actor=request.user),
        _("%(member)s is removed: its records are kept, marked no longer shared.")
        % {"member": member.display_name},
    )


@require_POST
def key_rotate(request):
    return _act(
        request,
        lambda: services.key_rotate(actor=request.user),
        _("A new signing key replaces the old one; members learn it from the feed."),
    )


@require_POST
def publishing_set(request):
    _staff(request)
    form = PublishingForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        return _page(request, status=400, error=f"{label}: {' '.join(errors)}")
    data = form.cleaned_data
    label = dict(PublishingForm.base_fields["kind"].choices)[data["kind"]]
    return _act(
        request,
        lambda: services.publishing_set(
            kind=data["kind"], enabled=data["enabled"], actor=request.user
        ),
        (
            _("%(kind)s are published.")
            if data["enabled"]
            else _("%(kind)s are no longer published.")
        )
        % {"kind": label},
    )

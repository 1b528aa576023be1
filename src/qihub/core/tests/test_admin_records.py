"""Nothing published is deleted from any admin: records of what happened
(events, timelines, public declarations, comments, votes) stay."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

NEVER_DELETED = [
    "catalog.Standard",
    "declarations.Declaration",
    "declarations.DeclarationVersion",
    "declarations.DeclarationEvent",
    "declarations.DeclaredStandard",
    "lifecycle.Project",
    "lifecycle.Consultation",
    "lifecycle.Comment",
    "lifecycle.Ballot",
    "lifecycle.Feedback",
    "lifecycle.PatentDisclosure",
    "lifecycle.PeriodicReview",
    "conformity.TestReport",
    "conformity.Certificate",
    "metrology.CalibrationEvent",
    "requirements.RequirementEvent",
    "requirements.DocumentEvent",
    "core.AuditLog",
]


@pytest.mark.parametrize("label", NEVER_DELETED)
def test_not_even_a_superuser_deletes_it_in_the_admin(label, admin_user):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert admin_user.is_superuser
    assert not model_admin.has_delete_permission(request)


def _superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def _event_admins():
    """Every admin and inline the site shows a ``core.events.Event`` model in."""
    from qihub.core.events import Event

    for model, model_admin in admin.site._registry.items():
        if issubclass(model, Event):
            yield model_admin
        for inline in model_admin.inlines:
            if issubclass(inline.model, Event):
                yield inline(model, admin.site)


def test_every_event_model_is_shown_somewhere_in_the_admin():
    from qihub.core.events import Event

    shown = {a.model for a in _event_admins()}
    events = {m for m in apps.get_models() if issubclass(m, Event)}
    # Shown on their records' pages, not in the admin.
    assert events - shown == {
        apps.get_model("conformity.TestRequestEvent"),
        apps.get_model("conformity.ReportEvent"),
    }


def test_no_admin_adds_edits_or_deletes_an_event(admin_user):
    request = _superuser_request(admin_user)
    admins = list(_event_admins())
    assert len(admins) >= 12
    for model_admin in admins:
        label = f"{type(model_admin).__name__} ({model_admin.model._meta.label})"
        if isinstance(model_admin, admin.options.InlineModelAdmin):
            assert not model_admin.can_delete, label
            assert not model_admin.has_add_permission(request, None), label
        else:
            assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label

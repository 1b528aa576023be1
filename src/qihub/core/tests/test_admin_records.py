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

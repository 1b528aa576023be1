"""The role groups carry the admin permissions the README promises."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from qihub.core.demo import DEMO_PASSWORD
from qihub.core.role_permissions import DOMAIN_APPS, grant_role_permissions
from qihub.core.services import user_create

pytestmark = pytest.mark.django_db


def _domain_models():
    return [
        model for model in admin.site._registry if model._meta.app_label in DOMAIN_APPS
    ]


def test_staff_group_has_view_add_change_of_domain_models_but_not_delete():
    staff = Group.objects.get(name="staff")
    codenames = set(staff.permissions.values_list("codename", flat=True))
    assert "change_standard" in codenames
    assert "add_organisation" in codenames
    assert "view_declaration" in codenames
    assert not any(c.startswith("delete_") for c in codenames)


def test_staff_user_gets_200_on_every_domain_admin_changelist(client):
    user_create(username="s1", password=DEMO_PASSWORD, roles=["staff"])
    client.login(username="s1", password=DEMO_PASSWORD)
    models = _domain_models()
    assert len(models) > 20
    refused = []
    for model in models:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        if response.status_code != 200:
            refused.append((url, response.status_code))
    assert refused == []


def test_reviewer_reads_the_catalogue_in_the_admin(client):
    user_create(username="r1", password=DEMO_PASSWORD, roles=["reviewer"])
    user = get_user_model().objects.get(username="r1")
    user.is_staff = True  # admin access is granted separately; the group reads
    user.save()
    client.login(username="r1", password=DEMO_PASSWORD)
    assert client.get(reverse("admin:catalog_standard_changelist")).status_code == 200
    add = client.get(reverse("admin:catalog_standard_add"))
    assert add.status_code == 403


def test_grant_is_idempotent_and_keeps_hand_given_permissions():
    staff = Group.objects.get(name="staff")
    extra = Permission.objects.get(codename="delete_session")
    staff.permissions.add(extra)
    assert grant_role_permissions() == 0
    assert staff.permissions.filter(pk=extra.pk).exists()
    staff.permissions.remove(Permission.objects.get(codename="change_standard"))
    assert grant_role_permissions() == 1

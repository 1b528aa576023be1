"""Changes to a user's roles and staff/superuser flags are in the audit log."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from qihub.core.models import AuditLog
from qihub.core.services import user_create

pytestmark = pytest.mark.django_db

PASSWORD = "x-long-pass-9"


def _entries(username):
    return list(
        AuditLog.objects.filter(
            action=AuditLog.Action.ROLE_CHANGE, target=f"user {username}"
        ).order_by("id")
    )


def test_admin_change_of_groups_and_superuser_is_audited_with_actor(client):
    admin = user_create(username="boss", password=PASSWORD, roles=["administrator"])
    user = user_create(username="eve", password=PASSWORD, roles=["enterprise"])
    before = len(_entries("eve"))
    client.force_login(admin)
    staff = Group.objects.get(name="staff")
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "eve",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [staff.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entries = _entries("eve")[before:]
    assert all(entry.actor == admin for entry in entries)
    flags = next(e.details for e in entries if "is_staff" in e.details)
    assert flags["is_staff"] == {"before": False, "after": True}
    assert flags["is_superuser"] == {"before": False, "after": True}
    # the admin sets groups as a removal then an addition: first and last entry
    groups = [e.details["groups"] for e in entries if "groups" in e.details]
    assert groups[0]["before"] == ["enterprise"]
    assert groups[-1]["after"] == ["staff"]


def test_change_outside_the_admin_is_audited_too():
    user = user_create(username="sam", password=PASSWORD, roles=[])
    before = len(_entries("sam"))
    user.is_superuser = True
    user.save()
    user.groups.add(Group.objects.get(name="reviewer"))
    Group.objects.get(name="staff").user_set.add(user)
    entries = _entries("sam")[before:]
    assert [e.details for e in entries] == [
        {"is_superuser": {"before": False, "after": True}},
        {"groups": {"before": [], "after": ["reviewer"]}},
        {"groups": {"before": ["reviewer"], "after": ["reviewer", "staff"]}},
    ]
    assert all(e.actor is None for e in entries)


def test_unchanged_save_writes_nothing():
    user = user_create(username="tom", password=PASSWORD, roles=["staff"])
    before = len(_entries("tom"))
    get_user_model().objects.get(pk=user.pk).save()
    assert len(_entries("tom")) == before

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from qihub.core.actors import (
    SYSTEM,
    is_system,
    may_act_as_staff,
    recorded,
    require_staff,
)
from qihub.core.errors import PermissionDenied
from qihub.core.roles import Role


def test_system_acts_as_staff_and_is_recorded_as_no_user():
    assert is_system(SYSTEM)
    assert may_act_as_staff(SYSTEM)
    require_staff(SYSTEM)
    assert recorded(SYSTEM) is None


def test_anonymous_is_refused_and_not_recorded():
    anon = AnonymousUser()
    assert not is_system(anon)
    assert recorded(anon) is None
    with pytest.raises(PermissionDenied, match="custom"):
        require_staff(anon, "custom")


@pytest.mark.django_db
def test_staff_passes_and_plain_user_is_refused(django_user_model):
    plain = django_user_model.objects.create_user("plain", password="x")
    with pytest.raises(PermissionDenied):
        require_staff(plain)
    assert recorded(plain) == plain
    staff = django_user_model.objects.create_user("staff", password="x")
    staff.groups.add(Group.objects.get_or_create(name=Role.STAFF)[0])
    require_staff(staff)

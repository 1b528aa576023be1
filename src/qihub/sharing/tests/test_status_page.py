"""The staff page of the sharing: each member instance's pull status (last
successful pull, last error) and the conflicts with local records."""

import pytest

from qihub.catalog.models import Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.sharing import services
from qihub.sharing.models import MemberInstance

pytestmark = pytest.mark.django_db


def test_status_page_lists_members_and_conflicts(
    member, loopback, client, staff_user, django_assert_max_num_queries
):
    StandardFactory(
        identifier="T/CAS 123-2024", level=Standard.Level.GROUP, title_zh="甲"
    )
    services.member_pull(member=member, fetch=loopback)
    Standard.objects.filter(ident_key="T/CAS123-2024").update(title_zh="乙")
    MemberInstance.objects.filter(pk=member.pk).update(
        last_error="bad signature on entry 7"
    )
    client.force_login(staff_user)
    # a bounded few queries, whatever the number of members and conflicts
    with django_assert_max_num_queries(10):
        html = client.get("/sharing/").content.decode()
    assert f'data-member="{member.base_url}"' in html
    assert "bad signature on entry 7" in html
    conflict = html.split('data-identifier="T/CAS 123-2024"')[1].split("</tr>")[0]
    assert "title_zh" in conflict
    assert "乙" in conflict
    assert "甲" in conflict


def test_status_page_is_for_staff(client, enterprise_user):
    assert client.get("/sharing/").status_code in (302, 403)
    client.force_login(enterprise_user)
    assert client.get("/sharing/").status_code == 403

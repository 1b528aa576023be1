"""Two and three instances in one run: remote qihubs served by subprocesses
on loopback ports, each with its own SQLite data directory, and the test
database as the local instance pulling their feeds over HTTP. No address
outside 127.0.0.0/8 is used."""

import json
import urllib.request

import pytest
from django.test import Client

from qihub.sharing import services
from qihub.sharing.models import MemberInstance, MirroredStandard

pytestmark = pytest.mark.django_db(transaction=True)


def test_pull_from_a_remote_instance(remotes, network):
    remote = remotes("remote", number=1, title="西部团体标准")
    url = remote.url
    info = json.loads(urllib.request.urlopen(f"{url}/api/network/instance").read())  # noqa: S310
    [key] = info["keys"]
    member = services.member_register(
        network=network,
        base_url=url,
        public_key=key["public_key"],
        key_id=key["key_id"],
        name="Remote",
    )
    services.member_accept(member=member)
    assert services.member_pull(member=member) == 1
    mirrored = MirroredStandard.objects.get()
    assert mirrored.identifier == "T/WSC 1-2025"
    assert mirrored.title_zh == "西部团体标准"
    assert mirrored.url.startswith(url)

    remote.setup(number=1, title="西部团体标准 第二版")
    assert services.member_pull(member=member) == 1
    mirrored.refresh_from_db()
    assert mirrored.title_zh == "西部团体标准 第二版"
    assert MirroredStandard.objects.count() == 1
    member.refresh_from_db()
    assert member.last_error == ""

    services.member_remove(member=member)
    assert services.member_pull(member=member) == 0
    assert MirroredStandard.objects.get().no_longer_shared


def test_three_instances(remotes, network, staff_user):
    """C (this test instance) pulls from A and B, registered by base URL
    alone: A from the staff page, B through the staff API. Each one's group
    standard is mirrored on C with its source; removing B on C keeps B's
    mirror, marked no longer shared, and stops updating it."""
    from qihub.core.services import api_token_create

    a = remotes("a", number=1, title="甲所团体标准")
    b = remotes("b", number=2, title="乙所团体标准")

    page = Client(headers={"accept-language": "en"})
    page.force_login(staff_user)
    response = page.post(
        "/sharing/members/register",
        {"network": network.pk, "base_url": a.url, "name": "Institute A"},
    )
    assert response.status_code == 302, response.content.decode()
    member_a = MemberInstance.objects.get(base_url=a.url)
    assert page.post(f"/sharing/members/{member_a.pk}/accept").status_code == 302

    _token, token = api_token_create(user=staff_user)
    api = Client(headers={"authorization": f"Bearer {token}"})
    response = api.post(
        "/api/network/members",
        {"network": network.pk, "base_url": b.url, "name": "Institute B"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    member_b = MemberInstance.objects.get(pk=response.json()["id"])
    response = api.post(f"/api/network/members/{member_b.pk}/accept")
    assert response.json()["state"] == "accepted"

    assert services.network_pull() == {a.url: 1, b.url: 1}
    mirrored = {
        m.identifier: m for m in MirroredStandard.objects.select_related("member")
    }
    assert set(mirrored) == {"T/WSC 1-2025", "T/WSC 2-2025"}
    assert mirrored["T/WSC 1-2025"].member == member_a
    assert mirrored["T/WSC 1-2025"].title_zh == "甲所团体标准"
    assert mirrored["T/WSC 1-2025"].url.startswith(a.url + "/")
    assert mirrored["T/WSC 2-2025"].member == member_b
    assert mirrored["T/WSC 2-2025"].url.startswith(b.url + "/")
    search = page.get("/catalog/?q=T/WSC").content.decode()
    assert "Institute A" in search
    assert "Institute B" in search

    assert page.post(f"/sharing/members/{member_b.pk}/remove").status_code == 302
    b.setup(number=2, title="乙所团体标准 第二版")
    a.setup(number=1, title="甲所团体标准 第二版")
    assert services.network_pull() == {a.url: 1}
    from_b = MirroredStandard.objects.get(member=member_b)
    assert from_b.no_longer_shared
    assert from_b.title_zh == "乙所团体标准"  # no longer updated
    from_a = MirroredStandard.objects.get(member=member_a)
    assert (from_a.no_longer_shared, from_a.title_zh) == (False, "甲所团体标准 第二版")
    status = page.get("/sharing/").content.decode()
    row_b = status.split(f'data-member="{b.url}"')[1].split("</tr>")[0]
    assert "Removed" in row_b

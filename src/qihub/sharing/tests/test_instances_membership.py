"""The secretariat's acceptances carried to the members, across instances:
remote qihubs served by subprocesses on loopback ports (each its own SQLite
data directory) and the test database as a third instance, C. No address
outside 127.0.0.0/8 is used."""

import pytest
from django.test import Client

from qihub.sharing import services, signing
from qihub.sharing.models import MemberInstance, MirroredStandard, RefusedEntry

pytestmark = pytest.mark.django_db(transaction=True)

#: On the secretariat instance: its organisation holds the network's
#: secretariat; it registers and accepts the instance at MEMBER.
SECRETARIAT = """
import datetime
from qihub.organisations.models import Network, Organisation, SecretariatTerm
from qihub.organisations.names import name_key
from qihub.sharing import services
org = Organisation.objects.create(
    name_en="West Institute", name_key=name_key("West Institute"), kind="enterprise"
)
network = Network.objects.create(name_en="Western cooperation", kind="cooperation")
SecretariatTerm.objects.create(
    network=network, organisation=org, starts_on=datetime.date(2020, 1, 1)
)
services.identity_set(base_url="{url}", organisation=org)
member = services.member_register_from_url(network=network, base_url="{member}")
services.member_accept(member=member)
"""

REMOVE = """
from qihub.sharing import services
from qihub.sharing.models import MemberInstance
services.member_remove(member=MemberInstance.objects.get(base_url="{member}"))
"""

#: On a member that does not hold the secretariat: membership entries in its
#: own feed, signed with its own key (what a forger can do).
FORGE = """
from qihub.sharing import services, signing
network = {{"name_zh": "", "name_en": "Western cooperation"}}
services.entry_write(kind="membership", key="1:{removed}", op="upsert", data={{
    "network": network, "base_url": "{removed}", "state": "removed", "keys": []}})
services.entry_write(kind="membership", key="1:{accepted}", op="upsert", data={{
    "network": network, "base_url": "{accepted}", "state": "accepted",
    "keys": [{{"key_id": "forged", "public_key": signing.key_generate()[1]}}]}})
"""


def _secretariat_organisation(network):
    return network.secretariat_terms.get().organisation


def test_an_accepted_member_reaches_a_third_instance_and_so_does_its_removal(
    remotes, network
):
    """A is accepted on the secretariat S; C, which registered only S (with
    the secretariat's organisation), learns A from S's feed and pulls A's
    group standard in the same run. S removes A: on C, A's mirror stays,
    marked no longer shared, and stops updating."""
    a = remotes("a", number=2, title="甲所团体标准")
    s = remotes("s", number=1, title="秘书处团体标准")
    s.shell(SECRETARIAT.format(url=s.url, member=a.url))

    member_s = services.member_register_from_url(
        network=network,
        base_url=s.url,
        organisation=_secretariat_organisation(network),
    )
    services.member_accept(member=member_s)
    assert not MemberInstance.objects.filter(base_url=a.url).exists()
    assert services.network_pull() == {s.url: 2, a.url: 1}
    member_a = MemberInstance.objects.get(network=network, base_url=a.url)
    assert member_a.state == MemberInstance.State.ACCEPTED
    assert member_a.accepted_by == member_s.organisation
    from_a = MirroredStandard.objects.get(member=member_a)
    assert (from_a.identifier, from_a.title_zh) == ("T/WSC 2-2025", "甲所团体标准")
    assert from_a.url.startswith(a.url + "/")
    assert MirroredStandard.objects.get(member=member_s).identifier == "T/WSC 1-2025"

    s.shell(REMOVE.format(member=a.url))
    a.setup(number=2, title="甲所团体标准 第二版")
    assert services.network_pull() == {s.url: 1}
    member_a.refresh_from_db()
    assert member_a.state == MemberInstance.State.REMOVED
    from_a.refresh_from_db()
    assert from_a.no_longer_shared
    assert from_a.title_zh == "甲所团体标准"  # no longer updated
    assert not RefusedEntry.objects.exists()


def test_a_membership_entry_forged_by_a_member_is_refused(remotes, network, staff_user):
    """B does not hold the secretariat: its entries removing E and
    accepting D are refused on C and change nothing; B's group standard is
    still mirrored and the status page lists the refusals."""
    elsewhere = "http://127.0.0.1:9"  # E: a member C knows (never pulled here)
    forged = "http://127.0.0.1:7"  # D: unknown to C
    b = remotes("b", number=3, title="乙所团体标准")
    b.shell(FORGE.format(removed=elsewhere, accepted=forged))
    member_e = services.member_register(
        network=network, base_url=elsewhere, public_key=signing.key_generate()[1]
    )
    services.member_accept(member=member_e)
    member_b = services.member_register_from_url(
        network=network, base_url=b.url, name="Institute B"
    )
    services.member_accept(member=member_b)

    assert services.member_pull(member=member_b) == 3
    member_b.refresh_from_db()
    assert member_b.last_error == ""
    assert MirroredStandard.objects.get(member=member_b).identifier == "T/WSC 3-2025"
    member_e.refresh_from_db()
    assert member_e.state == MemberInstance.State.ACCEPTED
    assert not MemberInstance.objects.filter(base_url=forged).exists()
    refused = list(RefusedEntry.objects.filter(member=member_b))
    assert len(refused) == 2
    assert all("not the network's secretariat instance" in r.reason for r in refused)

    page = Client(headers={"accept-language": "en"})
    page.force_login(staff_user)
    html = page.get("/sharing/").content.decode()
    row = html.split(f'data-member="{b.url}"')[1].split("</tr>")[0]
    assert "2 entries refused" in row
    row = html.split(f'data-member="{elsewhere}"')[1].split("</tr>")[0]
    assert "refused" not in row

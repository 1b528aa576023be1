"""The secretariat's acceptances carried to the members, in one process.

This test instance is the secretariat instance (``http://a.test``, its
identity the secretariat organisation) of the network ``network``; the
members it accepts or removes there are announced in its feed. The same
database also plays a member's side: a second network record of the same
name (``there``), where the secretariat instance is registered and pulled
through the in-process loopback, as another instance would pull it.
"""

import datetime
import json

import pytest
from django.utils import timezone

from qihub.sharing import membership, services, signing
from qihub.sharing.models import (
    FeedEntry,
    MemberInstance,
    MemberKey,
    MirroredStandard,
    RefusedEntry,
    SigningKey,
)

pytestmark = pytest.mark.django_db

B = "http://b.test"


@pytest.fixture
def secretariat(network, publisher):
    """This instance represents the network's secretariat organisation."""
    services.identity_set(
        base_url="http://a.test",
        organisation=network.secretariat_terms.get().organisation,
    )
    return network


@pytest.fixture
def there(secretariat):
    """A member's view: the same network (by name, with the same
    secretariat) and the secretariat instance registered and accepted in
    it with the secretariat organisation."""
    from qihub.organisations.models import Network, SecretariatTerm

    term = secretariat.secretariat_terms.get()
    network = Network.objects.create(name_en=secretariat.name_en, kind="cooperation")
    SecretariatTerm.objects.create(
        network=network, organisation=term.organisation, starts_on=term.starts_on
    )
    key = SigningKey.objects.get(valid_until__isnull=True)
    source = services.member_register(
        network=network,
        base_url="http://a.test",
        public_key=key.public_key,
        key_id=key.key_id,
        organisation=term.organisation,
    )
    services.member_accept(member=source)
    return source


def _b_accepted(network, organisation=None) -> MemberInstance:
    b = services.member_register(
        network=network,
        base_url=B,
        public_key=signing.key_generate()[1],
        organisation=organisation,
    )
    return services.member_accept(member=b)


def test_the_secretariat_announces_acceptance_and_removal(secretariat):
    from qihub.organisations.models import Organisation

    org = Organisation.objects.create(
        name_zh="乙所", name_key="乙所", kind="enterprise"
    )
    b = _b_accepted(secretariat, org)
    [entry] = FeedEntry.objects.filter(kind=membership.KIND)
    body = json.loads(entry.body)
    assert body["data"]["base_url"] == B
    assert body["data"]["state"] == "accepted"
    assert body["data"]["organisation"]["name_zh"] == "乙所"
    assert body["data"]["network"]["name_en"] == "Western cooperation"
    assert [k["key_id"] for k in body["data"]["keys"]] == [b.keys.get().key_id]
    services.member_remove(member=b)
    last = FeedEntry.objects.filter(kind=membership.KIND).last()
    assert json.loads(last.body)["data"]["state"] == "removed"


def test_a_member_that_is_not_the_secretariat_announces_nothing(network, publisher):
    _b_accepted(network)  # this instance's identity has no organisation
    assert not FeedEntry.objects.filter(kind=membership.KIND).exists()


def test_a_member_learns_an_accepted_member_and_its_removal(
    secretariat, there, loopback
):
    from qihub.organisations.models import Organisation

    org = Organisation.objects.create(
        name_zh="乙所", name_key="乙所", kind="enterprise"
    )
    b = _b_accepted(secretariat, org)
    services.member_pull(member=there, fetch=loopback)
    learnt = MemberInstance.objects.get(network=there.network, base_url=B)
    assert learnt.state == MemberInstance.State.ACCEPTED
    assert learnt.organisation == org
    assert learnt.accepted_by == there.organisation
    assert [k.public_key for k in learnt.keys.all()] == [b.keys.get().public_key]

    MirroredStandard.objects.create(
        member=learnt, ident_key="T/B1-2025", identifier="T/B 1-2025", level="group"
    )
    services.member_remove(member=b)
    services.member_pull(member=there, fetch=loopback)
    learnt.refresh_from_db()
    assert learnt.state == MemberInstance.State.REMOVED
    assert MirroredStandard.objects.get(member=learnt).no_longer_shared
    assert not RefusedEntry.objects.exists()

    services.member_accept(member=b)  # accepted again: shared again
    services.member_pull(member=there, fetch=loopback)
    learnt.refresh_from_db()
    assert learnt.state == MemberInstance.State.ACCEPTED
    assert not MirroredStandard.objects.get(member=learnt).no_longer_shared


def test_network_pull_pulls_the_members_it_learns(secretariat, there, loopback):
    _b_accepted(secretariat)
    seen = []

    def fetch(url):
        seen.append(url.split("/api/")[0])
        if url.startswith(B):
            raise OSError("connection refused")
        return loopback(url)

    counts = services.network_pull(fetch=fetch)
    assert B in counts
    learnt = MemberInstance.objects.get(network=there.network, base_url=B)
    assert "Unreachable" in learnt.last_error  # it was pulled in the same run


def test_a_key_rotation_is_passed_on_by_the_secretariat(secretariat, there, loopback):
    """The secretariat learns a member's new key from that member's feed
    and announces it; the other members add it and end the old one."""
    b = _b_accepted(secretariat)
    services.member_pull(member=there, fetch=loopback)
    old = b.keys.get()
    now = timezone.now()
    MemberKey.objects.filter(pk=old.pk).update(valid_until=now)
    MemberKey.objects.create(
        member=b, key_id="new", public_key=signing.key_generate()[1], valid_from=now
    )
    membership.announce(member=b)  # what a pulled key entry of B leads to
    services.member_pull(member=there, fetch=loopback)
    learnt = MemberInstance.objects.get(network=there.network, base_url=B)
    keys = {k.key_id: k.valid_until for k in learnt.keys.all()}
    assert keys == {old.key_id: now, "new": None}


def test_a_pulled_key_entry_is_announced_by_the_secretariat(secretariat, loopback):
    """This secretariat instance pulls a member (itself, through the
    loopback) whose feed announces a new key: it announces the member's keys."""
    key = SigningKey.objects.get()
    member = services.member_register(
        network=secretariat,
        base_url="http://a.test",
        public_key=key.public_key,
        key_id=key.key_id,
    )
    services.member_accept(member=member)
    before = FeedEntry.objects.filter(kind=membership.KIND).count()
    new = services.key_rotate()
    services.member_pull(member=member, fetch=loopback)
    last = FeedEntry.objects.filter(kind=membership.KIND).last()
    assert FeedEntry.objects.filter(kind=membership.KIND).count() == before + 1
    keys = {
        k["key_id"]: k["valid_until"] for k in json.loads(last.body)["data"]["keys"]
    }
    assert keys[new.key_id] is None
    assert keys[key.key_id] is not None


def test_a_membership_entry_from_another_member_is_refused(
    network, publisher, loopback, client, staff_user
):
    """A member that does not hold the secretariat claims to accept one:
    refused, nothing changes, the pull goes on, the status page says so."""
    from qihub.catalog.models import Standard
    from qihub.catalog.tests.factories import StandardFactory

    key = SigningKey.objects.get()
    forger = services.member_register(
        network=network,
        base_url="http://a.test",
        public_key=key.public_key,
        key_id=key.key_id,
        name="Forger",
    )
    services.member_accept(member=forger)
    services.entry_write(
        kind=membership.KIND,
        key="1:http://c.test",
        op="upsert",
        data={
            "network": {"name_zh": "", "name_en": network.name_en},
            "base_url": "http://c.test",
            "state": "accepted",
            "keys": [{"key_id": "c", "public_key": signing.key_generate()[1]}],
        },
    )
    StandardFactory(identifier="T/CAS 7-2024", level=Standard.Level.GROUP)
    assert services.member_pull(member=forger, fetch=loopback) == 2
    assert not MemberInstance.objects.filter(base_url="http://c.test").exists()
    assert MirroredStandard.objects.get().identifier == "T/CAS 7-2024"
    [refused] = RefusedEntry.objects.all()
    assert "not the network's secretariat instance" in refused.reason
    forger.refresh_from_db()
    assert forger.last_error == ""
    forger.cursor = 0  # a replay refuses it once only
    services.member_pull(member=forger, fetch=loopback)
    assert RefusedEntry.objects.count() == 1

    client.force_login(staff_user)
    html = client.get("/sharing/", headers={"accept-language": "en"}).content.decode()
    row = html.split('data-member="http://a.test"')[1].split("</tr>")[0]
    assert "1 entry refused" in row
    assert "not the network&#x27;s secretariat instance" in row


def test_a_malformed_membership_entry_changes_nothing(there, loopback):
    for data in (
        {"network": {"name_en": "Western cooperation"}, "state": "accepted"},
        {
            "network": {"name_en": "Western cooperation"},
            "base_url": "ftp://x",
            "state": "accepted",
            "keys": [],
        },
        {
            "network": {"name_en": "Western cooperation"},
            "base_url": "http://c.test",
            "state": "accepted",
            "keys": [{"key_id": "c", "public_key": "nope"}],
        },
    ):
        services.entry_write(
            kind=membership.KIND, key=data.get("base_url", "x"), op="upsert", data=data
        )
    services.entry_write(  # another network: not ours, skipped
        kind=membership.KIND,
        key="other",
        op="upsert",
        data={
            "network": {"name_en": "Another network"},
            "base_url": "http://d.test",
            "state": "accepted",
            "keys": [{"key_id": "d", "public_key": signing.key_generate()[1]}],
        },
    )
    services.member_pull(member=there, fetch=loopback)
    assert RefusedEntry.objects.count() == 3
    assert "no membership change" in RefusedEntry.objects.first().reason
    assert set(MemberInstance.objects.values_list("base_url", flat=True)) == {
        "http://a.test"
    }
    there.refresh_from_db()
    assert there.last_error == ""


def test_an_ended_secretariat_term_stops_the_announcements(there, loopback):
    term = there.network.secretariat_terms.get()
    term.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    term.starts_on = term.ends_on - datetime.timedelta(days=30)
    term.save()
    assert not membership.is_secretariat_instance(there)


def test_the_refusal_is_said_in_chinese(network, publisher):
    from django.utils import translation

    forger = services.member_register(
        network=network, base_url="http://f.test", public_key=signing.key_generate()[1]
    )
    with translation.override("zh-hans"):
        membership.entry_apply(source=forger, body={"seq": 5, "key": "k", "data": {}})
    assert "不是网络秘书处所在实例" in RefusedEntry.objects.get().reason

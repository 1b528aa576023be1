import json

import pytest

from qihub.catalog.models import Standard
from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError
from qihub.sharing import selectors, services, signing
from qihub.sharing.models import FeedEntry, MemberInstance, MirroredStandard

pytestmark = pytest.mark.django_db


def group(identifier="T/CAS 123-2024", **kw):
    return StandardFactory(identifier=identifier, level=Standard.Level.GROUP, **kw)


def test_private_key_is_stored_encrypted(publisher):
    from qihub.sharing.models import SigningKey

    key = SigningKey.objects.get()
    private = signing.private_key_load(key.private_key_encrypted)
    body = signing.canonical({"b": 1, "a": "标准"})
    assert body == '{"a":"标准","b":1}'
    assert signing.verify(
        signing.public_key_load(key.public_key), body, signing.sign(private, body)
    )
    assert "PRIVATE" not in key.private_key_encrypted


def test_publish_writes_signed_entries_and_tombstones(publisher):
    s = group()
    StandardFactory(identifier="GB/T 1-2020")  # national: not published
    entries = list(FeedEntry.objects.all())
    assert [(e.kind, e.op) for e in entries] == [("group_standard", "upsert")]
    s.save()  # nothing changed: no new entry (idempotent)
    assert FeedEntry.objects.count() == 1
    s.delete()
    last = FeedEntry.objects.last()
    assert (last.op, last.key) == ("delete", "T/CAS123-2024")
    assert json.loads(last.body)["seq"] == last.seq


def test_pull_mirrors_updates_and_deletes(member, loopback):
    s = group(title_zh="团体标准甲")
    assert services.member_pull(member=member, fetch=loopback) == 1
    mirrored = MirroredStandard.objects.get()
    assert (mirrored.identifier, mirrored.member) == ("T/CAS 123-2024", member)
    assert mirrored.url.startswith("http://a.test/")
    s.title_zh = "团体标准乙"
    s.save()
    services.member_pull(member=member, fetch=loopback)
    mirrored.refresh_from_db()
    assert mirrored.title_zh == "团体标准乙"
    s.delete()
    services.member_pull(member=member, fetch=loopback)
    mirrored.refresh_from_db()
    assert mirrored.deleted
    assert MirroredStandard.objects.count() == 1
    member.refresh_from_db()
    assert member.last_error == ""
    assert member.last_success_at


def test_pull_pages_and_replays_do_not_duplicate(member, loopback):
    for n in range(7):
        group(f"T/CAS {200 + n}-2024")
    assert services.member_pull(member=member, fetch=loopback, limit=3) == 7
    member.cursor = 0  # a replayed feed from the start
    assert services.member_pull(member=member, fetch=loopback) == 7
    assert MirroredStandard.objects.count() == 7
    member.refresh_from_db()
    assert services.member_pull(member=member, fetch=loopback) == 0


def test_replayed_entries_in_a_page_are_skipped(member, loopback):
    group()
    services.member_pull(member=member, fetch=loopback)
    member.refresh_from_db()
    page = json.loads(loopback("http://a.test/api/network/feed?since=0"))

    def replay(url):
        return json.dumps(page).encode()

    assert services.member_pull(member=member, fetch=replay) == 0
    assert MirroredStandard.objects.count() == 1


def test_bad_signature_is_refused_and_stops_the_pull(member, loopback):
    group("T/CAS 1-2024")
    group("T/CAS 2-2024")

    def tampered(url):
        page = json.loads(loopback(url))
        page["entries"][1]["body"] = page["entries"][1]["body"].replace("T/CAS", "T/XX")
        return json.dumps(page).encode()

    assert services.member_pull(member=member, fetch=tampered) == 1
    member.refresh_from_db()
    assert "Bad signature" in member.last_error
    assert member.cursor == FeedEntry.objects.first().seq
    assert MirroredStandard.objects.count() == 1


def test_truncated_page_and_unreachable_member_store_nothing(member, loopback):
    group()

    def truncated(url):
        return loopback(url)[:-40]

    def down(url):
        raise OSError("connection refused")

    for fetch, reason in ((truncated, "Truncated"), (down, "Unreachable")):
        assert services.member_pull(member=member, fetch=fetch) == 0
        member.refresh_from_db()
        assert reason in member.last_error
        assert member.cursor == 0
    assert not MirroredStandard.objects.exists()
    assert services.member_pull(member=member, fetch=loopback) == 1


def test_rotated_key_is_learnt_through_the_feed(member, loopback):
    group("T/CAS 1-2024")
    services.key_rotate()
    group("T/CAS 2-2024")
    assert services.member_pull(member=member, fetch=loopback) == 3
    assert member.keys.count() == 2
    assert member.keys.filter(valid_until__isnull=True).count() == 1
    member.refresh_from_db()
    assert member.last_error == ""
    member.cursor = 0  # old entries still verify with the rotated key
    assert services.member_pull(member=member, fetch=loopback) == 3


def test_entry_signed_with_a_rotated_key_after_rotation_is_refused(member, loopback):
    """A rotated key (say, one that leaked) verifies only what it signed
    while it was valid: a later entry under it stops the pull, stores
    nothing, and is said on the status."""
    from qihub.sharing.models import SigningKey

    group("T/CAS 1-2024")
    old = SigningKey.objects.get()
    services.key_rotate()
    assert services.member_pull(member=member, fetch=loopback) == 2
    old.refresh_from_db()
    services.entry_write(
        kind="group_standard",
        key="T/CAS9-2024",
        op="upsert",
        data={"identifier": "T/CAS 9-2024", "level": "group", "title_zh": "forged"},
        signer=old,
    )
    assert services.member_pull(member=member, fetch=loopback) == 0
    member.refresh_from_db()
    assert "signed with the rotated key" in member.last_error
    assert not MirroredStandard.objects.filter(identifier="T/CAS 9-2024").exists()
    assert MirroredStandard.objects.count() == 1


def test_unknown_key_is_refused(network, publisher, loopback):
    other_public = signing.key_generate()[1]
    m = services.member_register(
        network=network, base_url="http://a.test", public_key=other_public
    )
    services.member_accept(member=m)
    group()
    assert services.member_pull(member=m, fetch=loopback) == 0
    m.refresh_from_db()
    assert "unknown key" in m.last_error


def test_removed_member_keeps_mirrors_marked_and_stops_updating(member, loopback):
    s = group()
    services.member_pull(member=member, fetch=loopback)
    services.member_remove(member=member)
    assert MirroredStandard.objects.get().no_longer_shared
    s.title_zh = "changed"
    s.save()
    assert services.member_pull(member=member, fetch=loopback) == 0
    assert MirroredStandard.objects.get().title_zh != "changed"


def test_conflict_with_a_local_record_is_listed(member, loopback):
    group(title_zh="甲")
    services.member_pull(member=member, fetch=loopback)
    assert selectors.standard_conflicts() == []
    Standard.objects.filter(ident_key="T/CAS123-2024").update(title_zh="乙")
    [conflict] = selectors.standard_conflicts()
    assert conflict["fields"] == ["title_zh"]
    assert Standard.objects.get().title_zh == "乙"  # never replaced


def test_bad_input_is_refused(network, publisher):
    with pytest.raises(ApplicationError, match="base64 Ed25519"):
        services.member_register(
            network=network, base_url="http://b.test", public_key="nope"
        )
    with pytest.raises(ApplicationError, match="http"):
        services.identity_set(base_url="ftp://x")
    with pytest.raises(ApplicationError, match="Unknown kind"):
        services.publishing_set(kind="experts", enabled=True)
    assert not MemberInstance.objects.exists()


def test_acceptance_needs_a_secretariat(publisher):
    from qihub.organisations.models import Network

    net = Network.objects.create(name_en="No secretariat", kind="cooperation")
    m = services.member_register(
        network=net, base_url="http://b.test", public_key=signing.key_generate()[1]
    )
    with pytest.raises(ApplicationError, match="secretariat"):
        services.member_accept(member=m)


def test_feed_api(publisher, client):
    group("T/CAS 1-2024")
    group("T/CAS 2-2024")
    page = client.get("/api/network/feed?since=0&limit=1").json()
    assert (page["count"], page["more"], page["instance"]) == (1, True, "http://a.test")
    page = client.get(f"/api/network/feed?since={page['next']}").json()
    assert (page["count"], page["more"]) == (1, False)
    assert client.get("/api/network/feed?limit=0").status_code == 422
    info = client.get("/api/network/instance").json()
    assert info["base_url"] == "http://a.test"
    assert len(info["keys"]) == 1


def test_catalogue_search_lists_mirrored_standards_with_source(
    member, loopback, client
):
    group(title_zh="团体标准甲", title_en="Western group standard")
    services.member_pull(member=member, fetch=loopback)
    page = client.get("/catalog/?q=western")
    assert b"Shared by other member institutes" in page.content
    assert b'<td class="source">A' in page.content


def test_network_page_shows_what_members_share(member, loopback, client):
    group()
    services.member_pull(member=member, fetch=loopback)
    page = client.get(f"/organisations/networks/{member.network_id}/")
    assert page.status_code == 200
    assert b"Shared between member instances" in page.content

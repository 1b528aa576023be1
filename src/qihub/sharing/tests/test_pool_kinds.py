"""The expert pool and the held standard texts in the network: published
per kind, mirrored on pull with tombstones, replays and member removal like
the other kinds, and searched across members on the network page and API."""

import datetime

import pytest

from qihub.pool import services as pool
from qihub.pool.models import HeldText
from qihub.sharing import services
from qihub.sharing.models import FeedEntry, MirroredRecord

pytestmark = pytest.mark.django_db

CONSENT = datetime.date(2025, 1, 2)


@pytest.fixture
def sharing_pool(publisher):
    services.publishing_set(kind="expert", enabled=True)
    services.publishing_set(kind="held_text", enabled=True)


def _expert(**values):
    defaults = {
        "name_zh": "王计量",
        "name_en": "Wang Jiliang",
        "fields": "计量; 温度测量",
        "listed": True,
        "consent_on": CONSENT,
    }
    return pool.expert_create(**{**defaults, **values})


def _text(**values):
    defaults = {
        "identifier": "ISO 9001:2015",
        "edition": "2015",
        "licence_scope": HeldText.Scope.NETWORK,
    }
    return pool.held_text_create(**{**defaults, **values})


def _mirrors(kind):
    return {r.key: r for r in MirroredRecord.objects.filter(kind=kind)}


def test_only_listed_experts_enter_the_feed(sharing_pool):
    listed = _expert()
    unlisted = _expert(name_zh="张未列", listed=False, consent_on=None)
    keys = set(FeedEntry.objects.filter(kind="expert").values_list("key", flat=True))
    assert keys == {str(listed.pk)}
    body = FeedEntry.objects.get(kind="expert").body
    assert "wang@" not in body  # no e-mail without consent to share it
    pool.expert_update(expert=unlisted, listed=True, consent_on=CONSENT)
    assert FeedEntry.objects.filter(kind="expert", key=str(unlisted.pk)).exists()


def test_nothing_is_published_until_the_kind_is(publisher):
    _expert()
    _text()
    assert not FeedEntry.objects.filter(kind__in=["expert", "held_text"]).exists()
    services.publishing_set(kind="held_text", enabled=True)
    assert FeedEntry.objects.filter(kind="held_text").count() == 1
    assert not FeedEntry.objects.filter(kind="expert").exists()


def test_pull_mirrors_experts_with_updates_and_tombstones(
    sharing_pool, member, loopback
):
    expert = _expert(email="wang@example.org", contact_shared=True)
    assert services.member_pull(member=member, fetch=loopback) == 1
    mirror = _mirrors("expert")[str(expert.pk)]
    assert mirror.data["fields"] == ["计量", "温度测量"]
    assert mirror.data["email"] == "wang@example.org"
    assert mirror.member == member

    pool.expert_update(expert=expert, fields="计量; 压力测量")
    assert services.member_pull(member=member, fetch=loopback) == 1
    mirror.refresh_from_db()
    assert mirror.data["fields"] == ["计量", "压力测量"]

    pool.expert_consent_withdraw(expert=expert)
    assert services.member_pull(member=member, fetch=loopback) == 1
    mirror.refresh_from_db()
    assert mirror.deleted
    assert MirroredRecord.objects.filter(kind="expert").count() == 1


def test_held_texts_mirror_release_replay_and_removal(sharing_pool, member, loopback):
    kept = _text()
    released = _text(identifier="GB/T 19001-2016", edition="2016")
    assert services.member_pull(member=member, fetch=loopback) == 2
    pool.held_text_release(text=released)
    assert services.member_pull(member=member, fetch=loopback) == 1
    mirrors = _mirrors("held_text")
    assert mirrors[str(released.pk)].deleted
    assert mirrors[str(kept.pk)].data["licence_scope"] == "network"
    assert "file" not in mirrors[str(kept.pk)].data

    member.cursor = 0  # a replayed feed from the start
    services.member_pull(member=member, fetch=loopback)
    assert MirroredRecord.objects.filter(kind="held_text").count() == 2
    assert MirroredRecord.objects.get(key=str(released.pk), kind="held_text").deleted

    services.member_remove(member=member)
    pool.held_text_update(text=kept, edition="2015 (2nd printing)")
    assert services.member_pull(member=member, fetch=loopback) == 0
    row = MirroredRecord.objects.get(key=str(kept.pk), kind="held_text")
    assert row.no_longer_shared
    assert row.data["edition"] == "2015"  # no longer updated


def test_stopping_publishing_tombstones_every_expert(sharing_pool, member, loopback):
    _expert()
    _expert(name_zh="李标准", fields="食品安全")
    services.member_pull(member=member, fetch=loopback)
    services.publishing_set(kind="expert", enabled=False)
    services.member_pull(member=member, fetch=loopback)
    assert all(r.deleted for r in MirroredRecord.objects.filter(kind="expert"))


def test_network_search_finds_mirrored_experts_and_holders(
    sharing_pool, member, loopback, client
):
    from qihub.pool import selectors

    _expert()
    _expert(name_zh="李标准", name_en="Li Biaozhun", fields="食品安全; 标准化")
    _text()
    services.member_pull(member=member, fetch=loopback)
    network = member.network

    found = selectors.network_experts(network, field="食品")
    assert {(e["name"], e["source"]) for e in found} == {
        ("Li Biaozhun", ""),
        ("Li Biaozhun", "A"),
    }
    assert [e["source"] for e in selectors.network_experts(network, q="wang")] == [
        "",
        "A",
    ]
    assert selectors.network_experts(network, field="化学") == []
    [holding] = selectors.network_holdings(network, q="9001")
    assert {h["source"] for h in holding["holders"]} == {"", "A"}

    page = client.get(
        f"/organisations/networks/{network.pk}/", {"expert_field": "食品"}
    ).content.decode()
    section = page.split('id="pool-search"')[1]
    assert "Li Biaozhun" in section
    assert "Wang Jiliang" not in section
    assert "ISO 9001:2015" in section

    partial = client.get(
        f"/pool/networks/{network.pk}/", {"expert_q": "wang"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.startswith('<section id="pool-search"')
    assert "Wang Jiliang" in body
    assert "Li Biaozhun" not in body


def test_network_search_api(sharing_pool, member, loopback, client):
    _expert()
    _text()
    services.member_pull(member=member, fetch=loopback)
    network = member.network
    r = client.get(f"/api/pool/networks/{network.pk}/experts?field=温度")
    assert r.status_code == 200
    assert {e["source"] for e in r.json()} == {"", "A"}
    assert r.json()[1]["source_url"] == "http://a.test"
    r = client.get(f"/api/pool/networks/{network.pk}/texts?q=ISO")
    [holding] = r.json()
    assert holding["identifier"] == "ISO 9001:2015"
    assert holding["holders"][1]["licence_scope"] == "network"
    assert client.get("/api/pool/networks/999999/experts").status_code == 404

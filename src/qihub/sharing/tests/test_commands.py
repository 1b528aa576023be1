"""``qihub demo --second-instance`` seeds an instance that shares the
first's catalogue; ``qihub network-join URL --accept --pull`` registers,
accepts and pulls a member instance by its base URL."""

import io

import pytest
from django.core.management import CommandError, call_command

from qihub.catalog.models import Standard
from qihub.pool.models import Expert, HeldText
from qihub.sharing import services
from qihub.sharing.models import MemberInstance, MirroredRecord, MirroredStandard

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(monkeypatch, describe):
    """This test instance seeded as the second demo instance, http://b.test,
    read by the commands in-process (only 127.0.0.1 is fetched for real)."""
    monkeypatch.setenv("QIHUB_BASE_URL", "http://b.test")
    call_command("demo", second_instance=True, stdout=io.StringIO())
    monkeypatch.setattr(services, "http_fetch", describe)


def _join(*args) -> str:
    out = io.StringIO()
    call_command("network_join", *args, stdout=out)
    return out.getvalue()


def test_second_instance_demo(second):
    assert services.identity_get().base_url == "http://b.test"
    assert Standard.objects.get().identifier == "T/WSCO 2-2026"
    assert Expert.objects.get().listed
    assert HeldText.objects.count() == 1
    assert {c["kind"] for c in services_enabled()} >= {"group_standard", "expert"}


def services_enabled():
    from qihub.sharing.selectors import publishing_choices

    return [c for c in publishing_choices() if c["enabled"]]


def test_network_join_registers_accepts_and_pulls(second):
    out = _join("http://b.test", "--accept", "--pull")
    assert "registered in 西部标准化合作组织" in out
    assert "3 entries pulled" in out
    member = MemberInstance.objects.get()
    assert member.state == MemberInstance.State.ACCEPTED
    assert MirroredStandard.objects.get().identifier == "T/WSCO 2-2026"
    assert MirroredRecord.objects.filter(kind="expert").count() == 1
    again = _join("http://b.test", "--accept", "--pull")
    assert "0 entries pulled" in again
    assert MemberInstance.objects.count() == 1


def test_network_join_refusals_store_nothing(second, closed_port):
    from qihub.organisations.models import Network

    with pytest.raises(CommandError, match="Could not reach"):
        _join(f"http://127.0.0.1:{closed_port}")
    with pytest.raises(CommandError, match="none matches"):
        _join("http://b.test", "--network", "No such network")
    assert not MemberInstance.objects.exists()
    network = Network.objects.get()
    assert "registered" in _join("http://b.test", "--network", str(network.pk))


def test_network_join_with_the_organisation_represented(second):
    from qihub.organisations.models import Organisation

    org = Organisation.objects.order_by("pk").first()
    _join("http://b.test", "--organisation", str(org.pk))
    assert MemberInstance.objects.get().organisation == org
    MemberInstance.objects.all().delete()
    with pytest.raises(CommandError, match="no organisation matches"):
        _join("http://b.test", "--organisation", "No such organisation")
    assert not MemberInstance.objects.exists()

import datetime

import pytest
from django.test import Client

from qihub.sharing import services
from qihub.sharing.tests.remote import migrated, remotes  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (requests still negotiate their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    services.enabled_kinds_forget()
    yield
    services.enabled_kinds_forget()


@pytest.fixture
def network(db):
    from qihub.organisations.models import Network, Organisation, SecretariatTerm

    secretariat = Organisation.objects.create(
        name_en="West Institute", kind="enterprise"
    )
    network = Network.objects.create(name_en="Western cooperation", kind="cooperation")
    SecretariatTerm.objects.create(
        network=network, organisation=secretariat, starts_on=datetime.date(2020, 1, 1)
    )
    return network


@pytest.fixture
def loopback():
    """Fetch a feed URL from this same test instance (in-process). It asks
    for English: a request leaves its language active in the thread, and
    the pull's messages are written in the active language."""
    client = Client(headers={"accept-language": "en"})

    def fetch(url: str) -> bytes:
        path = "/" + url.split("/", 3)[3]
        response = client.get(path)
        assert response.status_code == 200, response.content
        return response.content

    return fetch


@pytest.fixture
def publisher(db):
    """This instance publishes its group and local standards as http://a.test."""
    services.identity_set(base_url="http://a.test")
    services.publishing_set(kind="group_standard", enabled=True)
    services.publishing_set(kind="local_standard", enabled=True)


@pytest.fixture
def member(network, publisher):
    from qihub.sharing.models import SigningKey

    key = SigningKey.objects.get(valid_until__isnull=True)
    m = services.member_register(
        network=network,
        base_url="http://a.test",
        public_key=key.public_key,
        key_id=key.key_id,
        name="A",
    )
    return services.member_accept(member=m)


@pytest.fixture
def describe(monkeypatch, loopback):
    """Registering by base URL reads the description from this same test
    instance (in-process), as it would from the other instance; only an
    address on 127.0.0.1 is fetched for real (no name is ever resolved)."""
    real = services.http_describe

    def fetch(url: str) -> bytes:
        return real(url) if url.startswith("http://127.0.0.1:") else loopback(url)

    monkeypatch.setattr(services, "http_describe", fetch)
    return loopback


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connection refused at once)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

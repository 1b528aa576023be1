"""Two and three instances in one run: remote qihubs served by subprocesses
on loopback ports, each with its own SQLite data directory, and the test
database as the local instance pulling their feeds over HTTP. No address
outside 127.0.0.0/8 is used."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.test import Client

from qihub.sharing import services
from qihub.sharing.models import MemberInstance, MirroredStandard

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = """
from qihub.catalog.models import Standard
from qihub.sharing import services
services.identity_set(base_url="{url}")
services.publishing_set(kind="group_standard", enabled=True)
Standard.objects.update_or_create(
    ident_key="T/WSC{number}-2025",
    defaults=dict(identifier="T/WSC {number}-2025", base_key="T/WSC{number}",
        prefix="T/WSC", number="{number}", year=2025, level="group",
        status="in_force", title_zh="{title}"),
)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _qihub(env, *args, check=True):
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "qihub", *args],
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["QIHUB_DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """One migrated SQLite database that every remote instance starts from
    (a copy each: migrating is the slow part of starting one)."""
    data_dir = tmp_path_factory.mktemp("migrated")
    _qihub(_env(data_dir), "migrate", "-v0")
    return data_dir / "qihub.sqlite3"


class Remote:
    """A qihub served on its own loopback port from its own data directory."""

    def __init__(self, data_dir, migrated) -> None:
        data_dir.mkdir()
        shutil.copy(migrated, data_dir / "qihub.sqlite3")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = _env(data_dir)
        self.server = None

    def setup(self, *, number: int, title: str) -> None:
        """Publish its group standards, T/WSC NUMBER-2025 among them."""
        _qihub(
            self.env,
            "shell",
            "-c",
            SETUP.format(url=self.url, number=number, title=title),
        )

    def start(self) -> None:
        self.server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "qihub",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "1",
                "--no-migrate",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{self.url}/api/network/instance", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(10)


@pytest.fixture
def remotes(tmp_path, migrated):
    """Start remote instances: ``remotes(name, number=, title=)``."""
    started = []

    def start(name: str, *, number: int, title: str) -> Remote:
        remote = Remote(tmp_path / name, migrated)
        started.append(remote)
        remote.setup(number=number, title=title)
        remote.start()
        return remote

    try:
        yield start
    finally:
        for remote in started:
            remote.stop()


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

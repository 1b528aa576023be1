"""Two instances in one run: a remote qihub served by a subprocess on a
loopback port with its own SQLite data directory, and the test database as
the local instance pulling its feed over HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from qihub.sharing import services
from qihub.sharing.models import MirroredStandard

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = """
from qihub.catalog.models import Standard
from qihub.sharing import services
services.identity_set(base_url="{url}")
services.publishing_set(kind="group_standard", enabled=True)
Standard.objects.update_or_create(
    ident_key="T/WSC1-2025",
    defaults=dict(identifier="T/WSC 1-2025", base_key="T/WSC1", prefix="T/WSC",
        number="1", year=2025, level="group", status="in_force",
        title_zh="{title}"),
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


@pytest.fixture
def remote(tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["QIHUB_DATA_DIR"] = str(tmp_path / "remote")
    _qihub(env, "migrate", "-v0")
    _qihub(env, "shell", "-c", SETUP.format(url=url, title="西部团体标准"))
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "qihub",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-migrate",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/api/network/instance", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield url, env
    finally:
        server.terminate()
        server.wait(10)


def test_pull_from_a_remote_instance(remote, network):
    url, env = remote
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

    _qihub(env, "shell", "-c", SETUP.format(url=url, title="西部团体标准 第二版"))
    assert services.member_pull(member=member) == 1
    mirrored.refresh_from_db()
    assert mirrored.title_zh == "西部团体标准 第二版"
    assert MirroredStandard.objects.count() == 1
    member.refresh_from_db()
    assert member.last_error == ""

    services.member_remove(member=member)
    assert services.member_pull(member=member) == 0
    assert MirroredStandard.objects.get().no_longer_shared

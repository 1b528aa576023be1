"""Remote qihub instances for the tests: each served by a subprocess on its
own loopback port from its own SQLite data directory. No address outside
127.0.0.0/8 is used."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

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

    def shell(self, code: str) -> None:
        """Run Python code in the instance (``qihub shell -c``)."""
        _qihub(self.env, "shell", "-c", code)

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
            # SIGINT is gunicorn's quick shutdown (SIGTERM waits for its
            # workers' graceful timeout, longer than a loaded machine allows).
            self.server.send_signal(signal.SIGINT)
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                self.server.kill()
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

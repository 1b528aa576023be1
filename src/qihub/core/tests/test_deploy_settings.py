"""Production settings pass Django's deployment checks for HTTPS (HSTS,
redirect to HTTPS, secure cookies), and the environment can turn them down."""

import os
import subprocess
import sys

import pytest


def _check_deploy(**env) -> str:
    full = {
        **os.environ,
        "QIHUB_MODE": "production",
        "SECRET_KEY": "x" * 60 + "deploy-check-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "qi.example.org",
        **env,
    }
    full.pop("PYTEST_VERSION", None)
    full.pop("QIHUB_TESTING", None)
    result = subprocess.run(
        [sys.executable, "-m", "qihub", "check", "--deploy"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.stdout + result.stderr


@pytest.mark.parametrize("warning", ["security.W004", "security.W008"])
def test_production_has_hsts_and_https_redirect(warning, tmp_path):
    out = _check_deploy(QIHUB_DATA_DIR=str(tmp_path))
    assert warning not in out, out


def test_hsts_can_be_turned_off(tmp_path):
    out = _check_deploy(QIHUB_DATA_DIR=str(tmp_path), QIHUB_HSTS_SECONDS="0")
    assert "security.W004" in out

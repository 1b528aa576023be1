"""Test fixtures shared by every domain: users per role, API clients, a browser."""

import os

import pytest
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls from that thread are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("QIHUB_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def client():
    """A test client that asks for English pages (the default language is zh-hans)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def zh_client():
    return Client(headers={"accept-language": "zh-hans"})


def _make_user(username: str, roles: list[str]):
    from qihub.core.services import user_create

    return user_create(username=username, password="pw-" + username, roles=roles)


@pytest.fixture
def staff_user(db):
    return _make_user("staff1", ["staff"])


@pytest.fixture
def reviewer_user(db):
    return _make_user("reviewer1", ["reviewer"])


@pytest.fixture
def enterprise_user(db):
    return _make_user("enterprise1", ["enterprise"])


@pytest.fixture
def admin_user(db):
    return _make_user("admin1", ["administrator"])


@pytest.fixture
def plain_user(db):
    return _make_user("visitor1", [])


def _token_client(user) -> Client:
    from qihub.core.services import api_token_create

    _token, key = api_token_create(user=user)
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


@pytest.fixture
def staff_api(staff_user):
    """An API client authenticated as institute staff with a bearer token."""
    return _token_client(staff_user)


@pytest.fixture
def user_api(plain_user):
    """An API client authenticated as a user without any role."""
    return _token_client(plain_user)


@pytest.fixture
def token_client_for():
    """Build a bearer-token API client for any user."""
    return _token_client


@pytest.fixture
def classifications(db):
    """The real ICS and CCS lists, loaded."""
    from qihub.vocab.services import classifications_load

    return classifications_load()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh English browser page; ``page.base_url`` is the live server."""
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


@pytest.fixture
def login(page):
    """Log the browser page in: ``login(user)`` (password ``pw-<username>``)."""

    def _login(user, password: str | None = None):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password or f"pw-{user.username}")
        page.click("form:has(#id_password) button[type=submit]")
        page.wait_for_load_state()

    return _login

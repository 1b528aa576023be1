"""Real browser: the Content-Security-Policy the pages send is one they pass.
Every page of the demo a visitor, staff and the API docs open, an HTMX
search as you type and a chart, with no policy violation reported."""

import pytest
from django.core.management import call_command

#: Recorded in the page before anything of it runs.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')
                    + ' at ' + location.pathname);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_pass_their_content_security_policy(page, login):
    from django.contrib.auth import get_user_model

    from qihub.catalog.models import Standard
    from qihub.organisations.models import Network, Region
    from qihub.organisations.regions import regions_load
    from qihub.programmes.models import Programme

    if not Region.objects.exists():  # flushed by an earlier transactional test
        regions_load()
    call_command("demo", verbosity=0)
    page.context.add_init_script(RECORD_VIOLATIONS)
    seen: list[str] = []

    def visit(url: str) -> None:
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        seen.extend(page.evaluate("window.__csp"))

    standard = Standard.objects.order_by("pk").first()
    network = Network.objects.order_by("pk").first()
    programme = Programme.objects.order_by("pk").first()
    for url in [
        "/",
        "/catalog/?q=纺织",
        "/catalog/ics/",
        standard.get_absolute_url(),
        "/organisations/",
        network.get_absolute_url(),
        programme.get_absolute_url(),
        "/metrology/",
        "/declarations/",
        "/lifecycle/",
        "/conformity/",
        "/international/",
        "/api/docs",
        "/accounts/login/",
    ]:
        visit(url)
    # HTMX: search as you type swaps the results in
    visit("/catalog/")
    search = page.locator("input[name=q]").first
    search.fill("GB")
    page.wait_for_load_state("networkidle")
    seen.extend(page.evaluate("window.__csp"))
    # staff pages and the admin
    staff = get_user_model().objects.get(username="staff")
    staff.set_password("pw-staff")
    staff.save()
    login(staff)
    for url in ["/account/", "/admin/", "/alerts/"]:
        visit(url)
    assert seen == []
    # The recorder works: an injected inline script is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.injected") is None

import pytest

from qihub.declarations import services
from qihub.declarations.models import Declaration, Enterprise
from qihub.declarations.tests.conftest import GOOD_INDICATORS, make_code

pytestmark = pytest.mark.django_db


def _published(user, enterprise, product="婴儿连体衣"):
    d = services.declaration_create(
        actor=user,
        enterprise=enterprise,
        product_name=product,
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=GOOD_INDICATORS,
    )
    services.declaration_submit(actor=user, declaration=d)
    return d


def test_register_page_creates_enterprise_and_logs_in(client):
    code = make_code("91440300MA5FXYAW1")
    resp = client.post(
        "/declarations/register/",
        {
            "credit_code": code[:-1] + ("0" if code[-1] != "0" else "1"),
            "name": "X",
            "region": "深圳",
            "industry": "纺织",
            "username": "newent",
            "password": "long-password",
        },
    )
    assert resp.status_code == 200
    assert "check character" in resp.text
    resp = client.post(
        "/declarations/register/",
        {
            "credit_code": code.lower(),
            "name": "新公司",
            "region": "深圳",
            "industry": "纺织",
            "username": "newent",
            "password": "long-password",
        },
    )
    assert resp.status_code == 302
    ent = Enterprise.objects.get(organisation__credit_code=code)
    membership = ent.organisation.memberships.get()
    assert membership.user.username == "newent"
    assert membership.role == "administrator"
    assert ent.organisation.region_id == "440300"  # 深圳 read as 深圳市
    assert client.get("/declarations/mine/").status_code == 200


def test_public_search_and_detail(
    client, gb_toy, enterprise, enterprise_user, django_assert_max_num_queries
):
    d = _published(enterprise_user, enterprise)
    for params in (
        {"q": "婴儿"},
        {"q": "深圳市童衣"},
        {"standard": "GB 31701-2015"},
        {"enterprise": enterprise.credit_code},
        {"region": "深圳"},
        {"product": "婴儿连"},
    ):
        with django_assert_max_num_queries(6):
            resp = client.get("/declarations/", params)
        assert "婴儿连体衣" in resp.text, params
    assert "婴儿连体衣" not in client.get("/declarations/", {"q": "电视机"}).text
    with django_assert_max_num_queries(12):
        resp = client.get(d.get_absolute_url())
    assert resp.status_code == 200
    assert "GB 31701-2015" in resp.text
    api = client.get(
        "/api/declarations/declarations", {"standard": "GB 31701-2015"}
    ).json()
    assert api["count"] == 1
    assert api["items"][0]["enterprise"] == enterprise.name
    detail = client.get(f"/api/declarations/declarations/{d.pk}").json()
    assert detail["versions"][0]["check_status"] == "ok"


def test_drafts_and_other_enterprises_are_private(
    client, gb_toy, enterprise, enterprise_user
):
    from qihub.core.services import user_create

    d = services.declaration_create(
        actor=enterprise_user,
        enterprise=enterprise,
        product_name="草稿",
        category="c",
        standards=["GB 31701-2015"],
        indicators=[],
    )
    assert client.get(d.get_absolute_url()).status_code == 404
    other = user_create(username="other", password="pw-other", roles=["enterprise"])
    client.force_login(other)
    assert client.get(d.get_absolute_url()).status_code == 404
    assert client.get(f"/declarations/{d.pk}/edit/").status_code == 403
    client.post(f"/declarations/{d.pk}/submit/")
    d.refresh_from_db()
    assert d.status == Declaration.Status.DRAFT
    assert not d.versions.get().checked_at
    client.force_login(enterprise_user)
    assert client.get(d.get_absolute_url()).status_code == 200


def test_api_declare_and_withdraw(
    gb_toy, enterprise, enterprise_user, token_client_for, user_api
):
    api = token_client_for(enterprise_user)
    body = {
        "enterprise": enterprise.credit_code,
        "product_name": "API 连体衣",
        "category": "children's textiles",
        "standards": ["GB 31701-2015"],
        "indicators": [
            {
                "parameter": "formaldehyde",
                "operator": "<=",
                "value": "25",
                "unit": "mg/kg",
            }
        ],
    }
    resp = api.post(
        "/api/declarations/declarations", body, content_type="application/json"
    )
    assert resp.status_code == 201
    data = resp.json()
    assert data["status"] == "draft"
    assert {i["code"] for i in data["versions"][0]["issues"]} == {
        "indicator_weaker",
        "mandatory_missing",
    }
    resp = user_api.post(
        "/api/declarations/declarations", body, content_type="application/json"
    )
    assert resp.status_code == 403
    assert "Only the enterprise" in resp.json()["detail"]
    d = _published(enterprise_user, enterprise, "正品")
    resp = api.post(
        f"/api/declarations/declarations/{d.pk}/withdraw",
        {"reason": "停产"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == "withdrawn"
    bad = api.get("/api/declarations/credit-codes/91440300MA5FABCD10").json()
    assert not bad["valid"]
    assert "check character" in bad["detail"]


def test_pages_render_in_chinese(zh_client, gb_toy, enterprise, enterprise_user):
    d = _published(enterprise_user, enterprise)
    assert zh_client.get("/declarations/").status_code == 200
    assert zh_client.get(d.get_absolute_url()).status_code == 200
    assert zh_client.get("/declarations/spot-checks/").status_code == 200
    assert zh_client.get("/declarations/forerunners/").status_code == 200


def test_chinese_translation(zh_client):
    resp = zh_client.get("/declarations/")
    assert "企业标准自我声明" in resp.text
    assert "企业注册" in resp.text


def test_spotcheck_and_forerunner_pages(
    client, staff_user, gb_toy, enterprise, enterprise_user
):
    from qihub.declarations.models import ForerunnerEvaluation, SpotCheckPlan

    for n in range(3):
        _published(enterprise_user, enterprise, f"产品{n}")
    client.force_login(staff_user)
    resp = client.post(
        "/declarations/spot-checks/",
        {
            "name": "第一批",
            "share": "0.5",
            "seed": "99",
            "regions": "深圳",
            "industries": "",
        },
    )
    plan = SpotCheckPlan.objects.get()
    assert resp.status_code == 302
    assert plan.seed == 99
    assert plan.regions == ["深圳"]
    client.post(f"/declarations/spot-checks/{plan.pk}/draw/")
    assert plan.checks.count() == 2
    page = client.get(f"/declarations/spot-checks/{plan.pk}/", {"verify": "1"})
    assert "gives the same sample" in page.text
    for check in plan.checks.all():
        client.post(
            f"/declarations/spot-check-items/{check.pk}/", {"outcome": "conforming"}
        )
    client.post(f"/declarations/spot-checks/{plan.pk}/publish/")
    client.logout()
    assert "Conforming" in client.get(f"/declarations/spot-checks/{plan.pk}/").text
    assert client.get(f"/api/declarations/spot-checks/{plan.pk}").json()["seed"] == 99

    client.force_login(staff_user)
    client.post(
        "/declarations/forerunners/",
        {
            "category": "children's textiles",
            "title": "领跑者",
            "leaders": "1",
            "indicators": "formaldehyde lower",
        },
    )
    ev = ForerunnerEvaluation.objects.get()
    client.post(f"/declarations/forerunners/{ev.pk}/compute/")
    client.post(f"/declarations/forerunners/{ev.pk}/publish/")
    client.logout()
    page = client.get(f"/declarations/forerunners/{ev.pk}/")
    assert "Forerunner" in page.text
    assert "limit" in page.text
    assert client.get(f"/api/declarations/forerunners/{ev.pk}").json()["results"][0][
        "leader"
    ]


def test_staff_register_an_organisation_as_enterprise(client, staff_user):
    from qihub.organisations.services import organisation_create

    org = organisation_create(
        actor=staff_user,
        kind="enterprise",
        name_zh="绵阳市甲电子有限公司",
        credit_code=make_code("91510700MA5FQQQQ1"),
    )
    client.force_login(staff_user)
    page = client.get("/declarations/enterprises/new/")
    assert 'name="organisation__q"' in page.text  # the search-as-you-type picker
    resp = client.post(
        "/declarations/enterprises/new/",
        {"organisation": org.pk, "industry": "电子"},
    )
    assert resp.status_code == 302
    ent = Enterprise.objects.get(organisation=org)
    assert ent.region_code == "510700"  # from the credit code's division digits
    again = client.post(
        "/declarations/enterprises/new/",
        {"organisation": org.pk, "industry": "电子"},
    )
    assert "registered as an enterprise already" in again.text


def test_enterprise_administrator_manages_its_users(
    client, enterprise, enterprise_user, gb_toy
):
    from qihub.core.services import user_create
    from qihub.declarations import services
    from qihub.declarations.tests.conftest import GOOD_INDICATORS

    colleague = user_create(username="colleague", password="pw-colleague-1")
    client.force_login(enterprise_user)
    url = f"/declarations/enterprises/{enterprise.pk}/"
    resp = client.post(url, {"username": "colleague", "role": "member"})
    assert resp.status_code == 302
    membership = enterprise.organisation.memberships.get(user=colleague)
    assert membership.role == "member"
    # Any member manages the enterprise's declarations ...
    services.declaration_create(
        actor=colleague,
        enterprise=enterprise,
        product_name="婴儿睡袋",
        category="children's textiles",
        standards=["GB 31701-2015"],
        indicators=GOOD_INDICATORS,
    )
    # ... but only administrators its users.
    client.force_login(colleague)
    assert client.post(url, {"username": "x", "role": "member"}).status_code == 403
    # The last administrator cannot leave.
    client.force_login(enterprise_user)
    mine = enterprise.organisation.memberships.get(user=enterprise_user)
    resp = client.post(url, {"remove": mine.pk}, follow=True)
    assert "last administrator" in resp.text
    assert enterprise.organisation.memberships.count() == 2
    client.post(url, {"remove": membership.pk})
    assert not enterprise.organisation.memberships.filter(user=colleague).exists()


def test_staff_add_an_inspector_with_the_organisation_picker(client, staff_user):
    from qihub.organisations.services import organisation_create

    org = organisation_create(actor=staff_user, kind="testing_body", name_zh="市质检院")
    client.force_login(staff_user)
    page = client.get("/declarations/spot-checks/")
    assert 'name="organisation__q"' in page.text
    resp = client.post(
        "/declarations/spot-checks/",
        {"inspector": "1", "name": "王检", "organisation": org.pk},
    )
    assert resp.status_code == 302
    assert "王检 · " in client.get("/declarations/spot-checks/").text

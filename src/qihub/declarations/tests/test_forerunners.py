import pytest

from qihub.core.errors import PermissionDenied
from qihub.declarations import forerunners, services

pytestmark = pytest.mark.django_db


def test_rank_and_publish(staff_user, enterprise_user, enterprise, gb_toy, client):
    for name, hcho in (("A", "18"), ("B", "10"), ("C", "15")):
        d = services.declaration_create(
            actor=enterprise_user,
            enterprise=enterprise,
            product_name=f"连体衣{name}",
            category="children's textiles",
            standards=["GB 31701-2015"],
            indicators=[
                {
                    "parameter": "formaldehyde",
                    "operator": "<=",
                    "value": hcho,
                    "unit": "mg/kg",
                },
                {
                    "parameter": "pH",
                    "operator": "range",
                    "value": "4.5",
                    "upper": "7",
                    "unit": "",
                },
            ],
        )
        services.declaration_submit(actor=enterprise_user, declaration=d)
    with pytest.raises(PermissionDenied):
        forerunners.forerunner_create(
            actor=enterprise_user, category="x", title="x", indicators=[]
        )
    ev = forerunners.forerunner_create(
        actor=staff_user,
        category="children's textiles",
        title="2026 童装领跑者",
        indicators=[{"parameter": "formaldehyde", "direction": "lower", "weight": 1}],
        leaders=1,
    )
    ev = forerunners.forerunner_compute(actor=staff_user, evaluation=ev)
    assert [r["product"] for r in ev.results] == ["连体衣B", "连体衣C", "连体衣A"]
    top = ev.results[0]
    assert top["leader"]
    assert not ev.results[1]["leader"]
    cell = top["values"]["formaldehyde"]
    assert cell["limit"]["value"] == "20"
    assert cell["margin_percent"] == "50.0"
    assert client.get(ev.get_absolute_url()).status_code == 404  # not published yet
    forerunners.forerunner_publish(actor=staff_user, evaluation=ev)
    page = client.get(ev.get_absolute_url())
    assert "How the ranking works" in page.text
    assert "连体衣B" in page.text

import pytest

from qihub.conformity import demo
from qihub.conformity.models import Agreement, Application, Certificate


@pytest.mark.django_db
def test_demo_loads_and_is_rerunnable(classifications):
    from qihub.catalog import demo as catalog_demo

    catalog_demo.load()
    demo.load()
    demo.load()
    app = Application.objects.get()
    assert app.state == "granted"
    assert Certificate.objects.get(application=app).number == "CQC-SZS-2025-0003"
    assert Agreement.objects.count() == 2

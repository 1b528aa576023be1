import pytest

from qihub.declarations import demo
from qihub.declarations.models import Declaration, ForerunnerEvaluation


@pytest.mark.django_db
def test_demo_loads_and_is_rerunnable():
    demo.load()
    demo.load()
    assert Declaration.objects.filter(status="published").count() == 4
    assert ForerunnerEvaluation.objects.get().status == "published"

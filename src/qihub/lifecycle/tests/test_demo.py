import pytest

from qihub.lifecycle import demo
from qihub.lifecycle.models import Comment, Committee, Project


@pytest.mark.django_db
def test_demo_loads_once():
    demo.load()
    demo.load()
    assert Committee.objects.count() == 1
    assert Project.objects.count() == 3
    assert Project.objects.filter(state__slug="consultation", kind="revision").exists()
    assert Comment.objects.count() == 2

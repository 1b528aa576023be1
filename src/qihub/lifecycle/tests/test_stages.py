"""The workflow states' hooks (``lifecycle.services.stages``)."""

import pytest

from qihub.lifecycle.models import State
from qihub.lifecycle.services import stages

pytestmark = pytest.mark.django_db


def test_every_hook_is_on_a_state_of_the_workflow():
    # a state renamed in the workflow must not silently lose its behaviour
    slugs = set(State.objects.values_list("slug", flat=True))
    assert set(stages.ENTER) | set(stages.LEAVE) <= slugs
    assert stages.ENTER
    assert stages.LEAVE

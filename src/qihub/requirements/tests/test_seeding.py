"""Seeded data comes from migrations and post_migrate (which Django also emits
after a flush), never from a read: a GET answers what is there."""

import pytest
from django.apps import apps
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_parameter_list_reads_only(client):
    from django.db import connection

    from qihub.requirements.models import Parameter

    Parameter.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/requirements/parameters")
    assert response.status_code == 200
    assert response.json() == []
    assert Parameter.objects.count() == 0
    assert not [
        q
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("INSERT")
    ]


@pytest.mark.django_db
def test_post_migrate_seeds_the_vocabulary_and_the_workflow():
    from qihub.lifecycle.apps import _seed_workflow
    from qihub.lifecycle.models import State, Transition
    from qihub.requirements.apps import _seed_parameters
    from qihub.requirements.models import Parameter
    from qihub.requirements.parameters import BUILTIN

    assert Parameter.objects.count() >= len(BUILTIN)  # the data migration
    Parameter.objects.all().delete()
    Transition.objects.all().delete()
    State.objects.all().delete()
    _seed_parameters(sender=apps.get_app_config("requirements"))
    _seed_workflow(sender=apps.get_app_config("lifecycle"))
    assert Parameter.objects.count() == len(BUILTIN)
    assert State.objects.filter(slug="proposal").exists()
    assert Transition.objects.exists()


@pytest.mark.django_db
def test_listing_a_projects_moves_writes_no_workflow(staff_user):
    from qihub.lifecycle.models import Project, State, Transition
    from qihub.lifecycle.selectors import transitions_available

    Transition.objects.all().delete()
    State.objects.all().delete()
    project = Project(pk=1)
    project.state_id = None
    assert transitions_available(project=project, user=staff_user) == []
    assert not State.objects.exists()

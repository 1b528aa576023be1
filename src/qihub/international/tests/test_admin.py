"""The international admin adds through the services: a post without its
term and a project at an unknown stage are refused and nothing is saved."""

import pytest

from qihub.international import services
from qihub.international.models import InternationalProject, Post


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_admin_pages_open(admin_client):
    for model in (
        "technicalbody",
        "post",
        "internationalproject",
        "trainingcourse",
        "trainee",
        "tbtnotification",
        "tbtmatch",
        "internationalevent",
    ):
        assert admin_client.get(f"/admin/international/{model}/").status_code == 200


@pytest.mark.django_db
def test_admin_post_without_term_refused(admin_client, orgs):
    body = services.body_register(actor=None, reference="ISO/TC 34")
    r = admin_client.post(
        "/admin/international/post/add/",
        {
            "body": body.pk,
            "role": "convenor",
            "person_name": "林晓",
            "organisation": orgs["szis"].pk,
            "term_start": "2025-01-01",
            "term_end": "",
        },
    )
    assert r.status_code == 200  # the form again, the term is required
    assert Post.objects.count() == 0
    r = admin_client.post(
        "/admin/international/post/add/",
        {
            "body": body.pk,
            "role": "convenor",
            "person_name": "林晓",
            "organisation": orgs["szis"].pk,
            "term_start": "2025-01-01",
            "term_end": "2028-01-01",
        },
    )
    assert r.status_code == 302
    assert Post.objects.get().term_end.year == 2028


@pytest.mark.django_db
def test_admin_project_unknown_stage_refused(admin_client):
    r = admin_client.post(
        "/admin/international/internationalproject/add/",
        {"reference": "ISO/NP 5", "stage": "77.77"},
        follow=True,
    )
    assert "Unknown stage code 77.77" in r.text
    assert InternationalProject.objects.count() == 0

"""Staff map the new parameters extraction proposed, on a page, through the
API, or keep them in the vocabulary from the page or the admin."""

import pytest
from django.urls import reverse

from qihub.core.errors import ApplicationError
from qihub.requirements import fulltext, services
from qihub.requirements.models import Parameter, Requirement, RequirementEvent
from qihub.requirements.tests.test_real_sts import FOOTNOTES_IN_CELLS

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(staff_user):
    services.parameters_load()
    fulltext.document_import(
        data=FOOTNOTES_IN_CELLS, filename="iso17301.xml", actor=staff_user
    )
    return Parameter.objects.get(name_en="Paddy")


def _known():
    return Parameter.objects.filter(is_new=False).order_by("key").first()


def test_the_review_page_links_to_the_new_parameters(client, staff_user, imported):
    client.force_login(staff_user)
    page = client.get(reverse("requirements:review")).content.decode()
    assert "2 new parameters to map" in page
    assert reverse("requirements:parameters_new") in page


def test_the_page_lists_new_parameters_with_their_requirements(
    client, staff_user, imported, django_assert_max_num_queries
):
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("requirements:parameters_new"))
    page = response.content.decode()
    assert "Paddy" in page
    assert "new-paddy" in page
    assert "Chalky kernels" in page


def test_mapping_from_the_page_moves_the_requirements(client, staff_user, imported):
    target = _known()
    client.force_login(staff_user)
    response = client.post(
        reverse("requirements:parameter_resolve", args=[imported.pk, "map"]),
        {"target": target.key},
        follow=True,
    )
    assert "2 requirements moved" in response.content.decode()
    assert not Parameter.objects.filter(pk=imported.pk).exists()
    assert Requirement.objects.filter(parameter=target, subject="Husked rice").exists()


def test_mapping_onto_an_unknown_key_changes_nothing(client, staff_user, imported):
    client.force_login(staff_user)
    response = client.post(
        reverse("requirements:parameter_resolve", args=[imported.pk, "map"]),
        {"target": "no-such-parameter"},
        follow=True,
    )
    assert "Choose the known parameter" in response.content.decode()
    assert Parameter.objects.get(pk=imported.pk).is_new
    assert Requirement.objects.filter(parameter=imported).count() == 2


def test_keeping_a_parameter_clears_the_mark_and_records_it(
    client, staff_user, imported
):
    client.force_login(staff_user)
    client.post(
        reverse("requirements:parameter_resolve", args=[imported.pk, "keep"]),
        {"key": "paddy"},
    )
    kept = Parameter.objects.get(pk=imported.pk)
    assert (kept.key, kept.is_new) == ("paddy", False)
    assert (
        RequirementEvent.objects.filter(
            type="corrected", details__parameter=["new-paddy", "paddy"]
        ).count()
        == 2
    )
    assert services.parameter_resolve("Paddy") == kept


def test_keeping_refuses_a_taken_or_malformed_key(staff_user, imported):
    taken = _known().key
    with pytest.raises(ApplicationError, match="already a parameter"):
        services.parameter_keep(parameter=imported, actor=staff_user, key=taken)
    with pytest.raises(ApplicationError, match="lower-case"):
        services.parameter_keep(parameter=imported, actor=staff_user, key="Bad Key")
    assert Parameter.objects.get(pk=imported.pk).is_new


def test_only_staff_open_the_page(client, enterprise_user, imported):
    client.force_login(enterprise_user)
    assert client.get(reverse("requirements:parameters_new")).status_code == 403


def test_api_maps_and_keeps(staff_api, user_api, imported):
    target = _known()
    refused = user_api.post(
        "/api/requirements/parameters/new-paddy/map",
        {"target": target.key},
        content_type="application/json",
    )
    assert refused.status_code == 403
    listed = staff_api.get("/api/requirements/parameters").json()
    assert {"key": "new-paddy", "is_new": True}.items() <= next(
        p for p in listed if p["key"] == "new-paddy"
    ).items()
    mapped = staff_api.post(
        "/api/requirements/parameters/new-paddy/map",
        {"target": target.key},
        content_type="application/json",
    )
    assert mapped.status_code == 200
    assert mapped.json() == {"target": target.key, "moved": 2}
    other = Parameter.objects.filter(is_new=True).first()
    kept = staff_api.post(
        f"/api/requirements/parameters/{other.key}/keep",
        {"key": ""},
        content_type="application/json",
    )
    assert kept.status_code == 200
    assert kept.json()["is_new"] is False
    missing = staff_api.post(
        "/api/requirements/parameters/nope/keep", {}, content_type="application/json"
    )
    assert missing.status_code == 404


def test_admin_action_keeps_the_selected(client, admin_user, imported):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:requirements_parameter_changelist"),
        {
            "action": "keep_new_parameters",
            "_selected_action": [imported.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Parameter.objects.get(pk=imported.pk).is_new

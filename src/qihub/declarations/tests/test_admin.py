"""The declarations admin reads what the services wrote; a published
declaration is withdrawn through the service, never deleted or edited."""

import pytest
from django.urls import reverse

from qihub.declarations.models import Declaration, DeclarationEvent, DeclarationVersion
from qihub.declarations.tests.test_views import _published

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(gb_toy, enterprise, enterprise_user):
    declaration = _published(enterprise_user, enterprise)
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.PUBLISHED
    return declaration


def test_a_published_declaration_cannot_be_deleted_or_edited(
    client, admin_user, published
):
    client.force_login(admin_user)
    delete = reverse("admin:declarations_declaration_delete", args=[published.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:declarations_declaration_change", args=[published.pk])
    client.post(change, {"status": "draft", "product_name": "改名"})
    published.refresh_from_db()
    assert (published.status, published.product_name) == ("published", "婴儿连体衣")
    assert Declaration.objects.filter(pk=published.pk).exists()


def test_versions_and_events_are_read_only(client, admin_user, published):
    client.force_login(admin_user)
    version = DeclarationVersion.objects.filter(declaration=published).first()
    page = client.get(
        reverse("admin:declarations_declarationversion_change", args=[version.pk])
    )
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    event = DeclarationEvent.objects.filter(declaration=published).first()
    delete = reverse("admin:declarations_declarationevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_the_withdraw_action_goes_through_the_service(client, admin_user, published):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:declarations_declaration_changelist"),
        {"action": "withdraw", "_selected_action": [published.pk]},
        follow=True,
    )
    assert "1 declarations withdrawn" in response.content.decode()
    published.refresh_from_db()
    assert published.status == Declaration.Status.WITHDRAWN
    assert DeclarationEvent.objects.filter(
        declaration=published, type=DeclarationEvent.Type.WITHDRAWN
    ).exists()

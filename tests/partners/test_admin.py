"""Admin: a key is shown once when created, stored hashed, and revocable; deliveries are a read-only log."""
import re

import pytest
from django.urls import reverse

from partners.models import ApiKey, WebhookDelivery
from partners.selectors import api_key_hash
from tests.factories import UserFactory, api_client, api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_adding_a_key_shows_it_once_and_stores_only_its_hash(admin_client):
    response = admin_client.post(reverse("admin:partners_apikey_add"), {
        "name": "天猫服务市场", "can_read": "on", "can_ingest": "on", "expires_at_0": "", "expires_at_1": "",
        "note": "",
    })

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    raw = re.search(r'value="([0-9a-f]{12}\.[-_A-Za-z0-9]{43})"', response.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert (key.name, key.hashed_key, key.scopes, key.created_by.username) == (
        "天猫服务市场", api_key_hash(raw), {"read", "ingest"}, "root")
    assert api_client(raw).get(reverse("api:tiers")).status_code == 200
    change_page = admin_client.get(reverse("admin:partners_apikey_change", args=[key.pk])).content.decode()
    assert raw.partition(".")[2] not in change_page
    assert key.hashed_key not in change_page


def test_revoke_action_revokes_the_selected_keys(admin_client):
    key, raw = api_key()

    admin_client.post(reverse("admin:partners_apikey_changelist"),
                      {"action": "revoke_keys", "_selected_action": [key.pk]})

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_client(raw).get(reverse("api:tiers")).status_code == 401


def test_delivery_log_is_read_only_in_admin(admin_client):
    assert admin_client.get(reverse("admin:partners_webhookdelivery_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:partners_webhookdelivery_add")).status_code == 403
    assert WebhookDelivery.objects.count() == 0

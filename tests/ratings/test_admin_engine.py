"""ratings.admin.engine: the engine's output (snapshots, the audit trail, overrides) is read, not edited, here."""
import pytest
from django.urls import reverse

from ratings.models import RatingEvent, TierOverride
from tests.factories import ProviderFactory, RatingEventFactory

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_changed_or_deleted_even_by_a_superuser(admin_client):
    event = RatingEventFactory()

    assert admin_client.post(reverse("admin:ratings_ratingevent_change", args=[event.pk]), {"reason": "x"}
                             ).status_code == 403
    assert admin_client.post(reverse("admin:ratings_ratingevent_delete", args=[event.pk]), {"post": "yes"}
                             ).status_code == 403
    assert RatingEvent.objects.get().reason == "候选星级提升"


def test_audit_list_filters_by_kind_source_and_provider(grader_client, grader):
    provider, other = ProviderFactory(), ProviderFactory()
    engine = RatingEventFactory(provider=provider, kind="tier")
    manual = RatingEventFactory(provider=provider, kind="override", actor=grader, from_value="3", to_value="5")
    RatingEventFactory(provider=other, kind="override", actor=grader)
    url = reverse("admin:ratings_ratingevent_changelist")

    def listed(params):
        return {e.pk for e in grader_client.get(url, params).context["cl"].result_list}

    assert listed({"kind": "override", "source": "manual", "provider__id__exact": provider.pk}) == {manual.pk}
    assert listed({"source": "engine"}) == {engine.pk}


def test_tier_overrides_are_pinned_on_the_provider_page_not_added_here(admin_client, db):
    provider = ProviderFactory()

    response = admin_client.post(
        reverse("admin:ratings_tieroverride_add"),
        {"provider": provider.pk, "tier": "5", "reason": "官方认证", "starts_on": "2025-06-01"},
    )

    assert response.status_code == 403
    assert not TierOverride.objects.exists()

"""demo_accounts gives the profile pages and the graders' queues something to show, and a rerun replaces it."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from profiles.models import Case, PlatformCredential, ProfileChange
from tests.factories import EngagementFactory, ProviderFactory


@pytest.mark.django_db
def test_demo_accounts_makes_the_profile_demo_rows(client):
    provider = ProviderFactory(slug="top", score=Decimal("4.90"))
    EngagementFactory(provider=provider, start_date=timezone.localdate() - dt.timedelta(days=100))
    for _ in range(2):  # idempotent
        call_command("demo_accounts", password="demo-pass-1", stores=1, stdout=io.StringIO())

    assert list(ProfileChange.objects.values_list("status", flat=True)) == ["pending"]
    credentials = PlatformCredential.objects.order_by("-period_end")
    assert [(c.level, c.status, c.expired_on(timezone.localdate())) for c in credentials] == [
        ("五星", "verified", False), ("四星", "verified", True)]
    assert sorted(Case.objects.values_list("status", flat=True)) == ["pending", "published"]
    html = client.get(reverse("providers:detail", kwargs={"slug": "top"})).content.decode()
    assert "老店焕新：半年复购率提升" in html and "大促备战" not in html and "天猫四星" in html

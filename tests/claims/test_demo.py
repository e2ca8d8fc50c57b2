"""Demo claims (demo_accounts): verified store claims behind the merchant's stores, one pending claim of each kind."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from claims.demo import PENDING_STORE_ID, demo_credit_code
from claims.models import ProviderClaim, StoreClaim
from claims.uscc import uscc_validate
from tests.factories import EngagementFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_demo_codes_are_well_formed_and_distinct():
    codes = {demo_credit_code(n) for n in range(1, 200)}
    assert len(codes) == 199
    assert all(uscc_validate(code) == code for code in codes)


def test_demo_accounts_make_claims_of_each_kind_and_a_rerun_resets_them(evidence_count):
    today = timezone.localdate()
    top = ProviderFactory(slug="top", score=Decimal("4.90"))
    engagements = [EngagementFactory(provider=top, start_date=today - dt.timedelta(days=100)) for _ in range(2)]
    unowned = ProviderFactory(slug="unowned", name="无主电商")
    before = evidence_count()

    for _ in range(2):
        out = io.StringIO()
        call_command("demo_accounts", password="demo-pass-1", stores=2, stdout=out)

    users = get_user_model().objects
    merchant, staff = users.get(username="demo_merchant"), users.get(username="demo_provider")
    assert sorted(merchant.stores.values_list("pk", flat=True)) == sorted(e.store_id for e in engagements)
    claims = StoreClaim.objects.filter(user=merchant)
    assert sorted(claims.values_list("status", flat=True)) == ["pending", "verified", "verified"]
    assert claims.get(status="pending").external_id == PENDING_STORE_ID
    provider_claim = ProviderClaim.objects.get(user=staff)
    assert (provider_claim.provider, provider_claim.status) == (unowned, "pending")
    assert evidence_count() == before + 4  # the first run's files were deleted with its claims
    assert "provider  pending claim to 无主电商" in out.getvalue()

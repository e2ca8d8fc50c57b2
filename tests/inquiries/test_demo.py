"""The demo's requests for proposals: every state on the merchant's and the provider's pages, rerunnable."""
import pytest

from inquiries.demo import demo_inquiries
from inquiries.models import Bid, InquiryRequest
from providers.models import Engagement
from tests.factories import UserFactory, provider_staff
from tests.inquiries.test_flow import make

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_and_a_rerun_starts_over():
    best = make("best", tier=6, score="4.90")
    for slug, tier in (("a", 5), ("b", 5), ("c", 4), ("d", 3)):
        make(slug, tier=tier, score="4.00")
    merchant, staff = UserFactory(username="demo_merchant"), provider_staff(best, role="owner")

    made = demo_inquiries(merchant=merchant, provider=best, staff=staff)
    made_again = demo_inquiries(merchant=merchant, provider=best, staff=staff)

    assert set(made_again) == {"open", "hired", "withdrawn"}
    assert InquiryRequest.objects.count() == 3 and not InquiryRequest.objects.filter(pk__in=made.values()).exists()
    assert dict(InquiryRequest.objects.values_list("pk", "status")) == {
        made_again["open"]: "open", made_again["hired"]: "hired", made_again["withdrawn"]: "withdrawn"}
    assert sorted(Bid.objects.filter(request_id=made_again["open"]).values_list("provider__slug", "status")) == [
        ("a", "proposed"), ("b", "proposed"), ("best", "invited"), ("c", "declined"), ("d", "expired")]
    assert Engagement.objects.filter(source="directory").count() == 1  # the first run's hire went with it

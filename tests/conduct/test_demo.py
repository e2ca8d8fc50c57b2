"""The demo ledger: a provider under each sanction today, complaints and appeals in every state."""
import datetime as dt

import pytest

from conduct.demo import conduct_demo
from conduct.models import Appeal, Complaint, Violation
from tests.factories import EngagementFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_the_demo_puts_a_provider_under_each_sanction_and_every_state_on_show(today):
    for index in range(9):
        EngagementFactory(provider=ProviderFactory(slug=f"demo-{index}"))
    sanctions = conduct_demo(today=dt.date(2025, 6, 10))
    assert sanctions == {"demo-0": "warning", "demo-1": "hidden", "demo-2": "frozen", "demo-3": "delisted",
                         "demo-4": "cleared", "demo-5": "none", "demo-6": "none", "demo-7": "hidden"}
    assert set(Complaint.objects.values_list("status", flat=True)) == {"open", "answered", "unanswered", "upheld",
                                                                       "dismissed"}
    assert sorted(Appeal.objects.values_list("status", flat=True)) == ["granted", "pending", "refused"]
    assert set(Violation.objects.values_list("status", flat=True)) == {"upheld", "withdrawn"}

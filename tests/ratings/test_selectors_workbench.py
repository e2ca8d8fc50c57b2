"""ratings.selectors.workbench: the reads behind the admin's workbench pages."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings import selectors, services
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def test_alerts_of_many_providers_are_read_in_one_query():
    providers = [ProviderFactory() for _ in range(3)]
    for provider in providers[:2]:
        services.provider_alert_post(provider=provider, kind="fake_reviews", message="存在虚假评价。", reason="核实",
                                     actor=None)

    with CaptureQueriesContext(connection) as ctx:
        alerts = selectors.provider_alerts_active(provider_ids=[p.pk for p in providers])

    assert len(ctx.captured_queries) == 1
    assert sorted(alerts) == sorted(p.pk for p in providers[:2])

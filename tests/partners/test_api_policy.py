"""The partner API over the rating policy (partners.api.policy): the active policy and its tiers."""
import pytest
from django.urls import reverse

from tests.factories import api_client

pytestmark = pytest.mark.django_db


def test_tiers_lists_the_active_policy_gates_highest_first():
    response = api_client().get(reverse("api:tiers"))

    assert response.json() == [
        {"tier": 6, "min_score": "4.70", "min_active_stores": 50, "min_excellent_stores": 15,
         "required_services": ["warehousing", "distribution", "multilingual", "cross_border"]},
        {"tier": 5, "min_score": "4.50", "min_active_stores": 20, "min_excellent_stores": 5,
         "required_services": ["warehousing"]},
        {"tier": 4, "min_score": "4.00", "min_active_stores": 8, "min_excellent_stores": 2, "required_services": []},
        {"tier": 3, "min_score": "3.50", "min_active_stores": 3, "min_excellent_stores": 0, "required_services": []},
    ]


def test_policy_shows_weights_thresholds_and_gates():
    client = api_client()

    body = client.get(reverse("api:policy")).json()

    assert {key: value for key, value in body.items() if key != "gates"} == {
        "version": 1, "name": "默认规则 v1", "prior_mean": "3.50", "prior_weight": "5.00", "half_life_days": 180,
        "product_weight": "0.500", "logistics_weight": "0.200", "service_weight": "0.300",
        "performance_window_months": 3, "excellent_store_threshold": "4.50", "review_weight": "0.400",
        "performance_weight": "0.600", "probation_threshold": "3.50", "delist_after_months": 2,
        "demote_after_months": 2,
    }
    assert body["gates"] == client.get(reverse("api:tiers")).json()

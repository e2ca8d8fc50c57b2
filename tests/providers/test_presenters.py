"""providers.presenters: fees, snapshot explanations and gate checks as the pages show them."""
from decimal import Decimal

import pytest
from django.utils import translation

from providers.presenters import explanation_display, fee_range_display, gate_check_lines


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (Decimal("8000"), Decimal("30000"), "¥8,000–¥30,000/月"),
        (Decimal("1234567.50"), Decimal("1234567.50"), "¥1,234,568/月"),
        (Decimal("5000"), None, "¥5,000/月起"),
        (None, Decimal("20000"), "最高 ¥20,000/月"),
        (None, None, ""),
    ],
)
def test_fee_range_is_formatted_in_cny(low, high, expected):
    assert fee_range_display(low, high) == expected


def test_explanation_display_keeps_well_formed_parts_only():
    shown = explanation_display(
        {
            "gates": [{"tier": 9, "met": "yes", "checks": [{"name": "mystery", "value": {"a": 1}}, "junk"]}],
            "next_tier": {"tier": 4, "missing": [None, 3, {"text": 5}, "还需 1 家在营店铺"]},
        }
    )

    assert shown == {
        "gates": [{"tier": None, "met": False, "checks": [
            {"label": "mystery", "value": "", "threshold": "", "met": False},
        ]}],
        "next_tier": {"tier": 4, "missing": ["还需 1 家在营店铺"]},
    }


def test_explanation_display_exposes_the_decayed_weight_and_prior():
    shown = explanation_display({"review": {"score": "4.3310", "count": 23, "average": "4.80", "weight": "8.2961",
                                            "prior_mean": "3.50", "prior_weight": "5.00"}})

    assert shown == {"review": {"weight": "8.30", "prior_mean": "3.50", "prior_weight": "5"}}


@pytest.mark.parametrize("review", [None, "x", {}, {"weight": "abc", "prior_mean": "3.50", "prior_weight": "5"},
                                    {"weight": "NaN", "prior_mean": "3.50", "prior_weight": "5"}])
def test_explanation_display_drops_a_malformed_review_part(review):
    assert "review" not in explanation_display({"review": review})


def test_missing_services_item_names_the_services():
    explanation = {"next_tier": {"tier": 5, "missing": [
        {"name": "services", "missing": ["warehousing"], "text": "必备服务：warehousing",
         "text_en": "required services: warehousing"},
    ]}}

    with translation.override("zh-hans"):
        assert explanation_display(explanation, service_names={"warehousing": "仓储物流"})["next_tier"][
            "missing"] == ["必备服务：仓储物流"]
    with translation.override("en"):
        assert explanation_display(explanation, service_names={"warehousing": "Warehousing"})["next_tier"][
            "missing"] == ["Required services: Warehousing"]


def test_gate_check_lines_in_english_name_present_and_missing_services():
    gate = {"checks": [
        {"name": "active_stores", "value": 12, "threshold": 20, "met": False},
        {"name": "services", "value": ["warehousing"], "threshold": ["warehousing"], "met": True, "missing": []},
    ]}
    with translation.override("en"):
        lines = gate_check_lines(gate, service_names={"warehousing": "Warehousing"})
    assert lines == [
        {"text": "Active stores 12 / needs 20", "met": False},
        {"text": "Required services: all present (Warehousing)", "met": True},
    ]

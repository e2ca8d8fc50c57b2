"""The admin in the reader's language (issue #16 item 9): third-party model names, event codes, engine reasons."""
import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.utils import translation

from ratings.admin.engine import event_reason_display, event_value_display
from ratings.models import RatingEvent
from ratings.services.recompute import ENGINE_REASON, engine_reason_parts
from tests.factories import ProviderFactory, UserFactory


def test_engine_reason_is_stored_in_english_and_shown_in_the_readers_language():
    reason = ENGINE_REASON.format(period=dt.date(2025, 6, 1), as_of="2025-06-30")

    assert reason == "recompute 2025-06 as of 2025-06-30"
    assert engine_reason_parts(reason) == ("2025-06", "2025-06-30")
    with translation.override("zh-hans"):
        assert event_reason_display(reason) == "重算 2025-06（截至 2025-06-30）"
    with translation.override("en"):
        assert event_reason_display(reason) == "Recomputed 2025-06 as of 2025-06-30"
    assert event_reason_display("演示：整改完成") == "演示：整改完成"


@pytest.mark.parametrize(("kind", "value", "zh", "en"), [
    (RatingEvent.Kind.STATUS, "active", "正常", "Active"),
    (RatingEvent.Kind.STATUS, "probation", "考察期", "Probation"),
    (RatingEvent.Kind.TIER, "4", "4★", "4★"),
    (RatingEvent.Kind.TIER, "", "无", "None"),
    (RatingEvent.Kind.REVIEW, "published", "已发布", "Published"),
    (RatingEvent.Kind.BURST, "7", "7", "7"),
])
def test_event_codes_are_shown_as_labels(kind, value, zh, en):
    with translation.override("zh-hans"):
        assert event_value_display(kind, value) == zh
    with translation.override("en"):
        assert event_value_display(kind, value) == en


def test_event_list_shows_labels_and_the_translated_reason(client, db):
    provider = ProviderFactory(slug="xihu", name="西湖电商")
    RatingEvent.objects.create(provider=provider, kind=RatingEvent.Kind.STATUS, period=dt.date(2025, 6, 1),
                               from_value="active", to_value="probation", reason="recompute 2025-06 as of 2025-06-30")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get("/admin/ratings/ratingevent/").content.decode()

    assert '<td class="field-from_display">正常</td><td class="field-to_display">考察期</td>' in html
    assert "重算 2025-06（截至 2025-06-30）" in html
    assert "recompute 2025-06" not in html


def test_third_party_model_names_are_translated():
    names = {model._meta.label: model for model in site._registry}
    with translation.override("zh-hans"):
        assert [str(names[label]._meta.verbose_name_plural) for label in (
            "axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog", "mfa.Authenticator",
        )] == ["登录尝试", "登录失败", "登录日志", "认证器"]
    with translation.override("en"):
        assert str(names["mfa.Authenticator"]._meta.verbose_name_plural) == "Authenticators"


def test_graders_gate_table_names_the_required_services():
    from providers.presenters import gate_table

    explanation = {"gates": [{"tier": 6, "met": False, "checks": [
        {"name": "services", "value": ["warehousing"], "threshold": ["warehousing", "multilingual"], "met": False},
    ]}]}

    cells = gate_table(explanation, service_names={"warehousing": "仓储", "multilingual": "多语种"})[0]["cells"]
    assert [(c["label"], c["value"], c["threshold"]) for c in cells] == [("必备服务", "仓储", "仓储、多语种")]
    assert gate_table(explanation)[0]["cells"][0]["threshold"] == "warehousing、multilingual"  # unknown: the code


def test_graders_panel_shows_service_names_not_codes(client, db):
    from django.utils import timezone

    from ratings import services
    from tests.factories import rated_provider

    provider = rated_provider(stores=3, score="4.00")
    services.ratings_recompute(as_of=timezone.localdate(), provider_ids=[provider.pk])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    rows = client.get(f"/admin/providers/provider/{provider.pk}/change/").context["gate_rows"]

    assert [c["threshold"] for c in rows[0]["cells"] if c["name"] == "services"] == ["跨境电商、分销（现金买货）、多语种服务、仓储物流"]

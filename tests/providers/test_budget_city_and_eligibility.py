"""Product-review fixes: the directory's budget filter, "杭州市" as a city, review eligibility, English pages."""
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from providers.cities import city_stored_name
from ratings.selectors import merchant_open_engagements, merchant_reviewable_engagements
from ratings.models import Review
from ratings.services.reviews import review_submit
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    api_client,
    merchant_of,
    reset_anonymous_throttle,
    seeded_review,
)

LIST_URL = reverse("providers:list")


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    settings.DIRECTORY_CACHE_SECONDS = 0


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})


def listed_slugs(response):
    return [provider.slug for provider in response.context["page"].object_list]


# 1. Budget filter ---------------------------------------------------------------------------------------------------


@pytest.fixture
def fees(db):
    ProviderFactory(slug="mid", name="中价运营", fee_min=Decimal("18000"), fee_max=Decimal("30000"), score=Decimal("4.5"))
    ProviderFactory(slug="cheap", name="低价运营", fee_min=Decimal("3000"), fee_max=Decimal("8000"), score=Decimal("4.0"))
    ProviderFactory(slug="dear", name="高价运营", fee_min=Decimal("40000"), fee_max=Decimal("80000"), score=Decimal("3.5"))


def test_budget_fields_are_labelled_as_a_budget_with_the_overlap_rule_under_them(client, fees):
    response = client.get(LIST_URL)

    form = response.context["form"]
    assert str(form.fields["fee_from"].label) == "预算下限（元/月）"
    assert str(form.fields["fee_to"].label) == "预算上限（元/月）"
    html = response.content.decode()
    assert '<label for="id_fee_from">预算下限（元/月）</label>' in html
    assert '<label for="id_fee_to">预算上限（元/月）</label>' in html
    assert html.count('<p class="field__help">显示报价区间与预算有重叠的服务商。</p>') == 1
    # The sentence follows the budget pair, before the next field.
    assert html.index('id="id_fee_to"') < html.index("显示报价区间与预算有重叠的服务商") < html.index('id="id_min_score"')
    assert "月服务费不高于" not in html and "月服务费不低于" not in html


def test_budget_fields_in_english(client, fees):
    english(client)

    html = client.get(LIST_URL).content.decode()

    assert '<label for="id_fee_from">Budget from (CNY/month)</label>' in html
    assert '<label for="id_fee_to">Budget up to (CNY/month)</label>' in html
    assert '<p class="field__help">Shows providers whose quoted fee range overlaps the budget.</p>' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"fee_to": "20000"}, ["mid", "cheap"]),  # ¥18,000–¥30,000 starts within a ¥20,000 budget
        ({"fee_from": "20000", "fee_to": "25000"}, ["mid"]),
        ({"fee_from": "20000", "fee_to": "20000"}, ["mid"]),  # equal bounds are a valid budget
        ({"fee_from": "31000"}, ["dear"]),
        ({"fee_to": "2999"}, []),
    ],
)
def test_budget_keeps_providers_whose_fee_range_overlaps_it(client, fees, params, expected):
    response = client.get(LIST_URL, params)

    assert response.context["form"].errors == {}
    assert listed_slugs(response) == expected


def test_reversed_budget_is_a_form_error_naming_the_problem(client, fees):
    response = client.get(LIST_URL, {"fee_from": "30000", "fee_to": "10000"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"fee_to": ["预算下限不能高于预算上限。"]}
    assert listed_slugs(response) == []
    html = response.content.decode()
    assert "部分筛选条件无效，请修改后重试。" in html
    assert '<p class="field__error">预算下限不能高于预算上限。</p>' in html


def test_reversed_budget_error_in_english(client, fees):
    english(client)

    response = client.get(LIST_URL, {"fee_from": "30000", "fee_to": "10000"})

    assert response.context["form"].errors == {"fee_to": ["Budget from cannot be above budget up to."]}
    assert '<p class="field__error">Budget from cannot be above budget up to.</p>' in response.content.decode()


# 2. City with 市 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("杭州市", "杭州"), (" 杭州市 ", "杭州"), ("杭州", "杭州"), (" 杭州 ", "杭州"), ("乌鲁木齐市", "乌鲁木齐"),
        ("hangzhou", "杭州"), ("Xi'an", "西安"), ("市", "市"), ("未知市", "未知市"), ("杭州市市", "杭州市市"), ("", ""),
    ],
)
def test_city_stored_name_accepts_a_trailing_shi_for_known_cities(value, stored):
    assert city_stored_name(value) == stored


@pytest.fixture
def cities(db):
    ProviderFactory(slug="hz", city="杭州", score=Decimal("4.5"))
    ProviderFactory(slug="sh", city="上海", score=Decimal("4.0"))


def test_directory_city_filter_accepts_hangzhou_shi(client, cities):
    assert listed_slugs(client.get(LIST_URL, {"city": "杭州市"})) == ["hz"]
    assert listed_slugs(client.get(LIST_URL, {"city": "上海市"})) == ["sh"]


def test_api_city_filter_accepts_hangzhou_shi(cities):
    reset_anonymous_throttle()

    response = api_client().get(reverse("api:provider-list"), {"city": "杭州市"})

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["hz"]


# 3. Review eligibility ----------------------------------------------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def engagement(db, today):
    provider = ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai Commerce")
    store = StoreFactory(name="逸纪健康官方旗舰店")
    return EngagementFactory(provider=provider, store=store, start_date=today - dt.timedelta(days=90))


@pytest.fixture
def merchant(engagement):
    return merchant_of(engagement.store, username="merchant_yi")


def offered(merchant, provider, today):
    return (list(merchant_reviewable_engagements(user=merchant, provider=provider, on=today)),
            list(merchant_open_engagements(user=merchant, on=today)))


def test_a_seeded_review_within_the_engagement_makes_it_reviewed(engagement, merchant, today):
    seeded_review(engagement, today - dt.timedelta(days=30))

    assert offered(merchant, engagement.provider, today) == ([], [])
    with pytest.raises(ValidationError) as error:
        review_submit(engagement=engagement, author=merchant, rating=5, body="好")
    assert error.value.message_dict == {"engagement": ["这次合作已经评价过了。"]}
    assert Review.objects.count() == 1


def test_a_seeded_review_dated_today_makes_it_reviewed_with_the_same_message(engagement, merchant, today):
    seeded_review(engagement, today)

    assert offered(merchant, engagement.provider, today) == ([], [])
    with pytest.raises(ValidationError) as error:
        review_submit(engagement=engagement, author=merchant, rating=5, body="好")
    assert error.value.message_dict == {"engagement": ["这次合作已经评价过了。"]}


def test_a_review_dated_today_blocks_an_ended_engagement_too(engagement, merchant, today):
    engagement.end_date = today - dt.timedelta(days=10)
    engagement.save()
    seeded_review(engagement, today)

    assert offered(merchant, engagement.provider, today) == ([], [])


@pytest.mark.parametrize("days_after_end", [1, 20])
def test_a_review_after_an_ended_engagement_does_not_count_for_it(engagement, merchant, today, days_after_end):
    engagement.end_date = today - dt.timedelta(days=30)
    engagement.save()
    seeded_review(engagement, engagement.end_date + dt.timedelta(days=days_after_end))

    assert offered(merchant, engagement.provider, today) == ([engagement], [engagement])


def test_reviews_before_the_engagement_or_from_other_stores_or_of_other_providers_do_not_count(
    engagement, merchant, today
):
    seeded_review(engagement, engagement.start_date - dt.timedelta(days=1))
    ReviewFactory(provider=engagement.provider, store=StoreFactory(), created_at=today)
    ReviewFactory(provider=ProviderFactory(), store=engagement.store, created_at=today)

    assert offered(merchant, engagement.provider, today) == ([engagement], [engagement])
    review = review_submit(engagement=engagement, author=merchant, rating=4, body="第一次评价")
    assert review.engagement == engagement


def test_pages_do_not_offer_a_reviewed_engagement(client, engagement, merchant, today):
    seeded_review(engagement, today - dt.timedelta(days=5))
    client.force_login(merchant)
    create_url = reverse("ratings:create", kwargs={"slug": "xinghai"})

    provider_page = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()
    account_page = client.get(reverse("ratings:mine")).content.decode()
    form_page = client.get(create_url)

    assert create_url not in provider_page
    assert create_url not in account_page
    assert form_page.status_code == 403
    assert "每次合作限评价一次" in form_page.content.decode()


def test_pages_offer_an_unreviewed_engagement(client, engagement, merchant):
    client.force_login(merchant)
    create_url = reverse("ratings:create", kwargs={"slug": "xinghai"})

    assert create_url in client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()
    assert create_url in client.get(reverse("ratings:mine")).content.decode()
    assert client.get(create_url).status_code == 200


def test_form_refuses_a_reviewed_engagement_posted_by_hand(client, engagement, merchant, today):
    later = EngagementFactory(provider=engagement.provider, store=StoreFactory(name="第二家店"),
                              start_date=today - dt.timedelta(days=10))
    later.store.merchants.add(merchant)
    seeded_review(engagement, today - dt.timedelta(days=5))
    client.force_login(merchant)

    response = client.post(reverse("ratings:create", kwargs={"slug": "xinghai"}),
                           {"engagement": engagement.pk, "rating": "5", "body": "再评一次"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "engagement": ["这次合作已经评价过了，或不是您店铺的合作，请选择列表中的合作。"],
    }
    assert [e.pk for e in response.context["form"].fields["engagement"].queryset] == [later.pk]
    assert Review.objects.count() == 1


# 4. English pages ---------------------------------------------------------------------------------------------------


def test_review_form_names_the_platform_and_provider_in_english(client, engagement, merchant):
    client.force_login(merchant)
    english(client)

    response = client.get(reverse("ratings:create", kwargs={"slug": "xinghai"}))

    field = response.context["form"].fields["engagement"]
    assert [label for _pk, label in field.choices] == ["逸纪健康官方旗舰店 (Tmall)"]
    html = response.content.decode()
    assert "<h1>Write a review: Xinghai Commerce</h1>" in html
    assert "天猫" not in html


def test_review_form_in_chinese(client, engagement, merchant):
    client.force_login(merchant)

    response = client.get(reverse("ratings:create", kwargs={"slug": "xinghai"}))

    field = response.context["form"].fields["engagement"]
    assert [label for _pk, label in field.choices] == ["逸纪健康官方旗舰店（天猫）"]
    assert "<h1>写评价：星海电商</h1>" in response.content.decode()


def test_tiers_page_names_the_policy_version_only_in_english(client, db):
    english(client)

    html = client.get(reverse("ratings:tiers")).content.decode()

    assert "Rating policy v1 is in force. This page is generated from the rules the system uses" in html
    assert "默认规则" not in html


def test_tiers_page_keeps_the_policy_name_in_chinese(client, db):
    html = client.get(reverse("ratings:tiers")).content.decode()

    assert "现行规则 v1（默认规则 v1）。本页由系统正在使用的规则直接生成" in html


@pytest.mark.parametrize(
    ("msgid", "english"),
    [
        ("“%(value)s”不是整数", '"%(value)s" is not a whole number'),
        ("已创建草稿“%(name)s”。", 'Created draft "%(name)s".'),
        ("勾选服务商卡片上的“加入对比”，最多 %(max)s 家。", 'Tick "Add to compare" on provider cards, up to %(max)s.'),
    ],
)
def test_english_messages_use_ascii_quotes(msgid, english):
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext(msgid) == english


def test_fixed_english_msgstrs_have_no_full_width_punctuation():
    po = (Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgstrs = re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', po, flags=re.MULTILINE)
    fixed = ("lacks the", "CSV UTF-8", "is not a whole number", "is not a valid number", "is not one of the choices",
             "Created draft", "Copy as a new draft", "Add to compare", "at risk of demotion", "Write a review",
             "Edit review:", "Budget ")

    checked = [s for s in msgstrs if any(text in s for text in fixed)]

    assert len(checked) >= len(fixed)
    assert [s for s in checked if re.search("[：“”（），。；！？]", s)] == []

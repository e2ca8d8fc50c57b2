"""Details of the review flow: choosing the store on the review form, the store on "my reviews", the appeal and
reply pages' way back to the account page and their notes, and the API docs' bilingual title.
"""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ratings.models import Review
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    api_client,
    merchant_of,
    platform,
)

pytestmark = pytest.mark.django_db

MINE = reverse("ratings:mine")
CREATE = reverse("ratings:create", kwargs={"slug": "xinghai"})
VALID = {"rating": "4", "body": "沟通顺畅，效果不错"}


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": MINE})


@pytest.fixture
def provider():
    return ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai Commerce")


@pytest.fixture
def tmall_engagement(provider):
    store = StoreFactory(name="王记旗舰店", platform=platform("tmall"))
    return EngagementFactory(provider=provider, store=store, start_date=timezone.localdate() - dt.timedelta(days=90))


@pytest.fixture
def jd_engagement(provider):
    store = StoreFactory(name="李记专营店", platform=platform("jd"))
    return EngagementFactory(provider=provider, store=store, start_date=timezone.localdate() - dt.timedelta(days=30))


@pytest.fixture
def merchant(tmall_engagement):
    return merchant_of(tmall_engagement.store, username="merchant_wang")


@pytest.fixture
def two_store_merchant(merchant, jd_engagement):
    jd_engagement.store.merchants.add(merchant)
    return merchant


# 1. The review form's store choice ---------------------------------------------------------------------------------


def test_several_engagements_start_with_an_empty_store_choice(client, two_store_merchant, tmall_engagement,
                                                              jd_engagement):
    client.force_login(two_store_merchant)

    response = client.get(CREATE)

    field = response.context["form"].fields["engagement"]
    assert [(str(value), label) for value, label in field.choices] == [
        ("", "请选择店铺"),
        (str(jd_engagement.pk), "李记专营店（京东）"),
        (str(tmall_engagement.pk), "王记旗舰店（天猫）"),
    ]
    html = response.content.decode()
    assert '<option value="" selected>请选择店铺</option>' in html
    assert f'<option value="{tmall_engagement.pk}">王记旗舰店（天猫）</option>' in html
    assert f'<option value="{jd_engagement.pk}">李记专营店（京东）</option>' in html


def test_several_engagements_require_a_store_choice(client, two_store_merchant):
    client.force_login(two_store_merchant)

    response = client.post(CREATE, VALID)

    assert response.status_code == 200
    assert response.context["form"].errors == {"engagement": ["请选择合作的店铺。"]}
    html = response.content.decode()
    assert '<p class="field__error" role="alert">请选择合作的店铺。</p>' in html
    assert '<option value="" selected>请选择店铺</option>' in html
    assert Review.objects.count() == 0


def test_the_chosen_store_is_the_one_reviewed(client, two_store_merchant, tmall_engagement, jd_engagement):
    client.force_login(two_store_merchant)

    response = client.post(CREATE, {**VALID, "engagement": tmall_engagement.pk})

    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.engagement_id, review.store.name) == (tmall_engagement.pk, "王记旗舰店")


def test_store_choice_in_english(client, two_store_merchant, tmall_engagement, jd_engagement):
    client.force_login(two_store_merchant)
    english(client)

    field = client.get(CREATE).context["form"].fields["engagement"]
    response = client.post(CREATE, VALID)

    assert [label for _value, label in field.choices] == ["Choose a store", "李记专营店 (JD.com)", "王记旗舰店 (Tmall)"]
    assert response.context["form"].errors == {"engagement": ["Choose the store this review is about."]}


def test_a_single_engagement_stays_preselected(client, merchant, tmall_engagement):
    client.force_login(merchant)

    response = client.get(CREATE)

    field = response.context["form"].fields["engagement"]
    assert [(str(value), label) for value, label in field.choices] == [(str(tmall_engagement.pk), "王记旗舰店（天猫）")]
    html = response.content.decode()
    assert "请选择店铺" not in html
    assert f'<option value="{tmall_engagement.pk}" selected>王记旗舰店（天猫）</option>' in html


def test_two_engagements_of_one_store_are_told_apart_by_start_date(client, merchant, tmall_engagement, provider):
    later = EngagementFactory(provider=provider, store=tmall_engagement.store,
                              start_date=timezone.localdate() - dt.timedelta(days=10))
    client.force_login(merchant)

    field = client.get(CREATE).context["form"].fields["engagement"]

    assert [label for _value, label in field.choices] == [
        "请选择店铺",
        f"王记旗舰店（天猫，{later.start_date.isoformat()} 起）",
        f"王记旗舰店（天猫，{tmall_engagement.start_date.isoformat()} 起）",
    ]


# 2. "My reviews" names the store -----------------------------------------------------------------------------------


def test_my_reviews_name_the_store_and_its_platform(client, two_store_merchant, tmall_engagement, jd_engagement):
    for engagement in (tmall_engagement, jd_engagement):
        ReviewFactory(provider=engagement.provider, store=engagement.store, engagement=engagement,
                      author=two_store_merchant)
    client.force_login(two_store_merchant)

    html = client.get(MINE).content.decode()

    assert '<span class="review__store muted small">王记旗舰店（天猫）</span>' in html
    assert '<span class="review__store muted small">李记专营店（京东）</span>' in html


def test_my_reviews_name_the_platform_in_english(client, merchant, tmall_engagement):
    ReviewFactory(provider=tmall_engagement.provider, store=tmall_engagement.store, author=merchant)
    client.force_login(merchant)
    english(client)

    html = client.get(MINE).content.decode()

    assert '<span class="review__store muted small">王记旗舰店 (Tmall)</span>' in html


@pytest.mark.parametrize("reviews", [1, 6])
def test_my_reviews_query_count_does_not_grow_with_stores(client, two_store_merchant, tmall_engagement,
                                                          jd_engagement, django_assert_num_queries, reviews):
    for index in range(reviews):
        engagement = (tmall_engagement, jd_engagement)[index % 2]
        ReviewFactory(provider=engagement.provider, store=engagement.store, author=two_store_merchant,
                      created_at=dt.date(2025, 1, index + 1))
    client.force_login(two_store_merchant)

    # session, user, my reviews (with provider, store, platform), open engagements, member providers,
    # provider reviews
    with django_assert_num_queries(6):
        response = client.get(MINE)

    assert response.content.decode().count('class="review__store muted small"') == reviews


# 3. The appeal page shows its form plainly -------------------------------------------------------------------------


@pytest.fixture
def published(provider, tmall_engagement):
    return ReviewFactory(provider=provider, store=tmall_engagement.store, rating=1, title="很差", body="没有效果",
                         status=Review.Status.PUBLISHED)


def test_appeal_error_page_shows_the_form_plainly_with_a_cancel_link(client, staff, published):
    client.force_login(staff)

    response = client.post(reverse("ratings:appeal", kwargs={"pk": published.pk}), {"reason": "", "explanation": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<details" not in html and "<summary" not in html
    assert f'id="appeal-{published.pk}-reason"' in html
    assert f'<a class="button button--ghost" href="/me/reviews/#review-{published.pk}">取消</a>' in html
    assert '<button type="submit" class="button">提交申诉</button>' in html


def test_appeal_error_page_cancel_in_english(client, staff, published):
    client.force_login(staff)
    english(client)

    html = client.post(reverse("ratings:appeal", kwargs={"pk": published.pk}), {"reason": ""}).content.decode()

    assert f'<a class="button button--ghost" href="/me/reviews/#review-{published.pk}">Cancel</a>' in html


def test_account_page_keeps_the_collapsible_appeal_form(client, staff, published):
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert html.count('<details class="review__appeal-form">') == 1
    assert html.count('<summary class="button button--ghost button--small">') == 1
    assert f'id="review-{published.pk}"' in html


# 4. The reply page leads back to the account page, with one note ---------------------------------------------------

REPLY_NOTE = "回复会公开显示在评价下方。请勿填写个人信息：其中的手机号、微信号、邮箱和地址在公开展示时会被隐藏。"


def test_reply_page_leads_back_to_my_reviews(client, staff, published):
    client.force_login(staff)

    html = client.get(reverse("ratings:reply", kwargs={"pk": published.pk})).content.decode()

    assert f'<p class="breadcrumb"><a href="/me/reviews/#review-{published.pk}">← 我的评价</a></p>' in html
    assert f'<a class="button button--ghost" href="/me/reviews/#review-{published.pk}">取消</a>' in html
    assert published.provider.get_absolute_url() + "#" not in html
    assert f'id="review-{published.pk}"' in client.get(MINE).content.decode()


def test_reply_page_has_one_note_under_the_textarea(client, staff, published):
    client.force_login(staff)

    html = client.get(reverse("ratings:reply", kwargs={"pk": published.pk})).content.decode()

    assert html.count(REPLY_NOTE) == 1
    assert f'<p class="field__help" id="id_reply_helptext">{REPLY_NOTE}</p>' in html
    assert "回复将公开展示。" not in html
    assert "form__note" not in html


def test_reply_page_note_in_english(client, staff, published):
    client.force_login(staff)
    english(client)

    html = client.get(reverse("ratings:reply", kwargs={"pk": published.pk})).content.decode()

    assert ("Replies are shown publicly under the review. Do not include personal data: phone numbers, WeChat IDs, "
            "e-mail and addresses are hidden when shown.") in html
    assert f'<a href="/me/reviews/#review-{published.pk}">← My reviews</a>' in html


def test_reply_page_still_previews_the_masked_reply(client, staff, provider, tmall_engagement):
    review = ReviewFactory(provider=provider, store=tmall_engagement.store, status=Review.Status.PUBLISHED,
                           reply="请加微信 wang_88888 详谈")
    client.force_login(staff)

    html = client.get(reverse("ratings:reply", kwargs={"pk": review.pk})).content.decode()

    assert "公开展示时个人信息会被隐藏：" in html


# 5. The API schema's title is bilingual ----------------------------------------------------------------------------


def test_api_schema_title_is_bilingual(client):
    schema = api_client().get("/api/v1/schema/?format=json").json()

    assert schema["info"]["title"] == "代运营服务商目录 API · Agency-operation provider directory API"


def test_api_docs_page_title_is_bilingual_in_english_mode(client):
    english(client)

    html = client.get(reverse("api-docs")).content.decode()

    assert "<title>代运营服务商目录 API · Agency-operation provider directory API</title>" in html

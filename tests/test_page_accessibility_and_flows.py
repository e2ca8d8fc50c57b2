"""Product-review fixes on the merchant and provider pages: screen-reader names of repeated controls, the
"cannot review" page's heading and contact route, the reply form's masking notice, the account page's sections.

(The header layout and the review card's padding are CSS: checked by screenshots, not here.)
"""
import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    UserFactory,
    merchant_of,
    provider_staff,
)

pytestmark = pytest.mark.django_db

MINE = reverse("ratings:mine")


@pytest.fixture
def provider():
    return ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai E-commerce")


@pytest.fixture
def staff(provider):
    return provider_staff(provider, username="xinghai_staff")


def reply_url(review):
    return reverse("ratings:reply", kwargs={"pk": review.pk})


# 3. Repeated controls name what they act on -----------------------------------------------------------------------


def test_compare_remove_links_name_their_provider_for_screen_readers(client):
    ProviderFactory(slug="alpha", name="阿尔法电商")
    ProviderFactory(slug="beta", name="贝塔运营")

    html = client.get(reverse("providers:compare") + "?p=alpha,beta").content.decode()

    # A shared comparison (?p=…) is not the visitor's shortlist: its per-column link drops that provider.
    assert '不看这家<span class="visually-hidden">：阿尔法电商</span></a>' in html
    assert '不看这家<span class="visually-hidden">：贝塔运营</span></a>' in html
    assert '<th scope="col"><span class="visually-hidden">对比项</span></th>' in html
    assert "<td></td>" not in html


def test_compare_remove_links_are_named_in_english_too(client):
    ProviderFactory(slug="alpha", name="阿尔法电商", name_en="Alpha Commerce")
    ProviderFactory(slug="beta", name="贝塔运营", name_en="Beta Ops")

    html = client.get(reverse("providers:compare") + "?p=alpha,beta", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'Hide this one<span class="visually-hidden">: Alpha Commerce</span></a>' in html
    assert 'Hide this one<span class="visually-hidden">: Beta Ops</span></a>' in html


def test_reply_and_appeal_controls_name_their_review_by_date_rating_and_title(client, provider, staff):
    ReviewFactory(provider=provider, rating=2, title="沟通太慢", created_at=dt.date(2025, 6, 1))
    ReviewFactory(provider=provider, rating=4, title="", body="还行。", created_at=dt.date(2025, 5, 3), reply="谢谢")
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    named = '<span class="visually-hidden">：2025-06-01 的 2 分评价「沟通太慢」</span>'
    assert f"回复{named}</a>" in html
    assert f"申诉{named}</summary>" in html
    assert f"提交申诉{named}</button>" in html
    untitled = '<span class="visually-hidden">：2025-05-03 的 4 分评价</span>'
    assert f"修改回复{untitled}</a>" in html
    assert f"申诉{untitled}</summary>" in html


def test_review_names_hide_personal_data_in_titles(client, provider, staff):
    ReviewFactory(provider=provider, rating=1, title="电话 13812345678", created_at=dt.date(2025, 6, 1))
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert '<span class="visually-hidden">：2025-06-01 的 1 分评价「电话 138********」</span>' in html
    assert "13812345678" not in html


def test_review_names_read_in_english(client, provider, staff):
    ReviewFactory(provider=provider, rating=2, title="沟通太慢", created_at=dt.date(2025, 6, 1))
    client.force_login(staff)

    html = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'Reply<span class="visually-hidden">: 2/5 review of 2025-06-01, "沟通太慢"</span></a>' in html


# 4. The "cannot review" page ---------------------------------------------------------------------------------------


def test_cannot_review_page_has_a_heading_and_without_contact_email_a_next_step(client, provider, settings):
    settings.CONTACT_EMAIL = ""
    client.force_login(UserFactory())

    response = client.get(reverse("ratings:create", kwargs={"slug": provider.slug}))

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>无法评价</h1>" in html
    assert f'<a href="{provider.get_absolute_url()}">← 星海电商</a>' in html
    assert "请让服务商向平台提交这次合作的记录（店铺名称、平台和合作开始日期）" in html
    assert "mailto:" not in html
    assert "请联系平台核实合作记录" not in html  # the old dead end
    assert f'<a class="button button--ghost" href="{provider.get_absolute_url()}">返回服务商页面</a>' in html
    assert f'<a class="button button--ghost" href="{MINE}">我的评价</a>' in html


def test_cannot_review_page_offers_the_contact_address_when_one_is_set(client, provider, settings):
    settings.CONTACT_EMAIL = "reviews@directory.example.cn"
    client.force_login(UserFactory())

    html = client.get(reverse("ratings:create", kwargs={"slug": provider.slug})).content.decode()

    assert ('请发邮件至 <a href="mailto:reviews@directory.example.cn">reviews@directory.example.cn</a>，'
            "写明店铺名称、平台和合作开始日期") in html
    assert "请让服务商向平台提交" not in html


def test_cannot_review_page_in_english(client, provider, settings):
    settings.CONTACT_EMAIL = "reviews@directory.example.cn"
    client.force_login(UserFactory())

    html = client.get(reverse("ratings:create", kwargs={"slug": provider.slug}),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>Cannot review</h1>" in html
    assert "← Xinghai E-commerce</a>" in html
    assert 'e-mail <a href="mailto:reviews@directory.example.cn">reviews@directory.example.cn</a> with' in html


def test_expired_review_page_has_its_own_heading(client, provider):
    store = StoreFactory()
    merchant = merchant_of(store)
    review = ReviewFactory(provider=provider, store=store, author=merchant)
    type(review).objects.filter(pk=review.pk).update(submitted_at=review.submitted_at - dt.timedelta(days=60))
    client.force_login(merchant)

    response = client.get(reverse("ratings:edit", kwargs={"pk": review.pk}))

    assert response.status_code == 403
    assert "<h1>无法修改评价</h1>" in response.content.decode()


# 5. The reply form says replies are masked ------------------------------------------------------------------------


def test_reply_form_says_personal_data_is_hidden_when_shown(client, provider, staff):
    review = ReviewFactory(provider=provider)
    client.force_login(staff)

    html = client.get(reply_url(review)).content.decode()

    assert "回复会公开显示在评价下方。请勿填写个人信息：其中的手机号、微信号、邮箱和地址在公开展示时会被隐藏。" in html
    assert "公开展示时个人信息会被隐藏：" not in html  # nothing to preview yet


def test_reply_form_previews_the_masked_text_of_an_existing_reply(client, provider, staff):
    review = ReviewFactory(provider=provider, reply="请加微信 wang_88888 详谈")
    client.force_login(staff)

    html = client.get(reply_url(review)).content.decode()

    assert '<p class="muted small masked-preview">公开展示时个人信息会被隐藏：请加微信 ****** 详谈</p>' in html


def test_reply_form_previews_the_masked_text_of_a_rejected_post(client, provider, staff):
    review = ReviewFactory(provider=provider)
    client.force_login(staff)

    html = client.post(reply_url(review), {"reply": "电话 13812345678 " + "很" * 2000}).content.decode()

    assert "公开展示时个人信息会被隐藏：电话 138******** 很" in html


def test_publishing_a_reply_with_personal_data_says_it_was_hidden(client, provider, staff):
    review = ReviewFactory(provider=provider)
    client.force_login(staff)

    response = client.post(reply_url(review), {"reply": "请加微信 wang_88888 详谈"}, follow=True)

    assert "回复已发布。公开展示时个人信息已被隐藏。" in response.content.decode()


def test_publishing_a_clean_reply_says_only_published(client, provider, staff):
    review = ReviewFactory(provider=provider)
    client.force_login(staff)

    response = client.post(reply_url(review), {"reply": "感谢您的评价。"}, follow=True)

    html = response.content.decode()
    assert "回复已发布。" in html
    assert "个人信息已被隐藏" not in html


def test_merchant_review_list_still_previews_its_masked_body(client, provider):
    store = StoreFactory()
    merchant = merchant_of(store)
    ReviewFactory(provider=provider, store=store, author=merchant, body="电话 13812345678")
    client.force_login(merchant)

    html = client.get(MINE).content.decode()

    assert '<p class="muted small masked-preview">公开展示时个人信息会被隐藏：电话 138********</p>' in html


# 6. "Reviews I wrote" only for those who write reviews ------------------------------------------------------------


def test_provider_account_without_stores_sees_no_reviews_i_wrote_section(client, provider, staff):
    ReviewFactory(provider=provider)
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert "我写的评价" not in html
    assert "您还没有写过评价。" not in html
    assert "星海电商 收到的评价" in html


def test_merchant_without_reviews_still_sees_the_section(client):
    client.force_login(merchant_of(StoreFactory()))

    html = client.get(MINE).content.decode()

    assert '<h2 id="mine-heading">我写的评价</h2>' in html
    assert "您还没有写过评价。" in html


def test_provider_account_that_also_runs_a_store_sees_both_sections(client, provider, staff):
    store = StoreFactory()
    store.merchants.add(staff)
    EngagementFactory(provider=ProviderFactory(), store=store)
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert '<h2 id="mine-heading">我写的评价</h2>' in html
    assert "星海电商 收到的评价" in html


def test_author_whose_store_link_was_removed_still_sees_their_reviews(client, provider):
    author = UserFactory()
    ReviewFactory(provider=provider, author=author, title="旧评价")
    client.force_login(author)

    html = client.get(MINE).content.decode()

    assert '<h2 id="mine-heading">我写的评价</h2>' in html
    assert "旧评价" in html


def test_account_with_neither_stores_nor_providers_gets_a_next_step(client):
    client.force_login(UserFactory())

    html = client.get(MINE).content.decode()

    assert "我写的评价" not in html
    assert "这个账号还没有关联店铺或服务商。" in html
    assert f'<a class="button button--ghost" href="{reverse("providers:list")}">浏览服务商目录</a>' in html


def test_merchant_with_an_open_engagement_sees_it_and_the_section(client, provider):
    store = StoreFactory()
    EngagementFactory(provider=provider, store=store)
    client.force_login(merchant_of(store))

    html = client.get(MINE).content.decode()

    assert "可以评价的合作" in html and '<h2 id="mine-heading">我写的评价</h2>' in html

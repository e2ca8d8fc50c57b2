"""Providers' appeals from their account page: the form on each published review, who may file, what is stored."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from ratings.models import Review, ReviewAppeal
from ratings.services import review_appeal_file
from tests.factories import (
    LEAKY,
    ProviderFactory,
    ReviewAppealFactory,
    ReviewFactory,
    StoreFactory,
    UserFactory,
    merchant_of,
    provider_staff,
)

pytestmark = pytest.mark.django_db

VALID_POST = {"reason": "从未与该店铺合作", "explanation": "我们的合作记录里没有这家店铺，请核实。"}
MINE = reverse("ratings:mine")


@pytest.fixture
def provider():
    return ProviderFactory(slug="xinghai", name="星海电商")


@pytest.fixture
def review(provider):
    return ReviewFactory(provider=provider, store=StoreFactory(name="王记旗舰店"), rating=1, title="很差",
                         body=LEAKY, status=Review.Status.PUBLISHED)


def appeal_url(review):
    return reverse("ratings:appeal", kwargs={"pk": review.pk})


# The page ----------------------------------------------------------------------------------------------------------


def test_each_published_review_offers_an_appeal_form_on_the_account_page(client, staff, review):
    client.force_login(staff)

    response = client.get(MINE)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="review-{review.pk}"' in html
    assert f'action="{appeal_url(review)}"' in html
    assert "<summary" in html and '>申诉<span class="visually-hidden">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'id="appeal-{review.pk}-reason"' in html and f'id="appeal-{review.pk}-explanation"' in html
    assert "申诉处理中" not in html


def test_review_text_on_the_account_page_stays_masked(client, staff, review):
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert "138********" in html
    assert "浙江省杭州市西湖区****" in html
    for secret in ("13812345678", "wang_88888", "文三路123号", "王记旗舰店"):
        assert secret not in html


def test_a_review_with_an_open_appeal_shows_it_pending_instead_of_the_form(client, staff, review):
    ReviewAppealFactory(review=review, created_by=staff)
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert "申诉处理中" in html
    assert f'action="{appeal_url(review)}"' not in html


@pytest.mark.parametrize(("status", "label"), [
    (ReviewAppeal.Status.DISMISSED, "申诉驳回"),
    (ReviewAppeal.Status.UPHELD, "申诉成立"),
])
def test_a_decided_appeal_shows_its_outcome_and_allows_another(client, staff, review, status, label):
    ReviewAppealFactory(review=review, status=status, resolved_at=dt.datetime(2025, 7, 2, 10, tzinfo=dt.UTC),
                        resolution="内部备注：商家提供了合作合同")
    client.force_login(staff)

    html = client.get(MINE).content.decode()

    assert label in html
    assert "2025-07-02 处理" in html
    assert "申诉处理中" not in html
    assert '>再次申诉<span class="visually-hidden">' in html and f'action="{appeal_url(review)}"' in html
    assert "内部备注" not in html  # the moderator's note stays internal


def test_the_account_page_is_translated_to_english(client, staff, review):
    ReviewAppealFactory(review=ReviewFactory(provider=review.provider, created_at=dt.date(2025, 5, 1)))
    client.force_login(staff)

    html = client.get(MINE, headers={"accept-language": "en"}).content.decode()

    assert '>Appeal<span class="visually-hidden">' in html
    assert "Appeal pending" in html
    assert "Submit appeal" in html


@pytest.mark.parametrize(("count", "forms"), [(2, 1), (12, 11), (25, 20)])  # the oldest one's appeal is open
def test_account_page_query_count_is_fixed(client, staff, provider, count, forms, django_assert_max_num_queries):
    store = StoreFactory()
    reviews = [ReviewFactory(provider=provider, store=store, created_at=dt.date(2025, 1, day))
               for day in range(1, count + 1)]
    ReviewAppealFactory(review=reviews[0])
    ReviewAppealFactory(review=reviews[1], status=ReviewAppeal.Status.DISMISSED)
    client.force_login(staff)

    # session, user, my reviews, open engagements, member providers, provider reviews (+ their count when
    # paged), their latest appeals
    with django_assert_max_num_queries(8):
        response = client.get(MINE)

    assert response.status_code == 200
    assert response.content.decode().count('class="review__appeal-form"') == forms


def test_a_provider_answers_its_reviews_a_page_at_a_time(client, staff, provider):
    store = StoreFactory()
    for day in range(1, 26):
        ReviewFactory(provider=provider, store=store, title=f"一月评价{day:02d}", created_at=dt.date(2025, 1, day))
    client.force_login(staff)

    first = client.get(MINE).content.decode()
    second = client.get(MINE, {"page": "2"}).content.decode()

    assert first.count('class="review" id="review-') == 20 and second.count('class="review" id="review-') == 5
    assert "一月评价25" in first and "一月评价06" in first and "一月评价05" not in first
    assert "一月评价05" in second and "一月评价01" in second
    assert 'href="?page=2#provider-heading"' in first and "第 1 / 2 页" in first
    assert 'href="?page=1#provider-heading"' in second


# Filing an appeal --------------------------------------------------------------------------------------------------


def test_a_member_of_the_provider_files_an_appeal(client, staff, review):
    client.force_login(staff)

    response = client.post(appeal_url(review), VALID_POST, follow=True)

    assert response.redirect_chain == [(f"{MINE}#review-{review.pk}", 302)]
    appeal = ReviewAppeal.objects.get()
    assert (appeal.review_id, appeal.provider_id, appeal.status, appeal.created_by, appeal.explanation) == (
        review.pk, review.provider_id, ReviewAppeal.Status.OPEN, staff,
        "【从未与该店铺合作】我们的合作记录里没有这家店铺，请核实。",
    )
    assert (appeal.resolved_by, appeal.resolved_at, appeal.resolution) == (None, None, "")
    html = response.content.decode()
    assert "申诉已提交，平台审核人员处理后，结果会显示在这条评价下。" in html
    assert "申诉处理中" in html
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED  # the review stays up until a moderator decides


def test_reason_and_explanation_are_stripped(client, staff, review):
    client.force_login(staff)

    client.post(appeal_url(review), {"reason": "  恶意差评 ", "explanation": "\n 竞争对手所写 \n"})

    assert ReviewAppeal.objects.get().explanation == "【恶意差评】竞争对手所写"


def test_missing_reason_and_explanation_show_clear_form_errors(client, staff, review):
    client.force_login(staff)

    response = client.post(appeal_url(review), {"reason": "  ", "explanation": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["请填写申诉理由。"], "explanation": ["请填写申诉说明。"]}
    html = response.content.decode()
    assert "请修改下面标出的问题后再提交。" in html
    assert "<details" not in html and "<summary" not in html  # shown plainly on its own page
    assert "138********" in html and "13812345678" not in html  # the review shown above the form, masked
    assert ReviewAppeal.objects.count() == 0


def test_too_long_a_reason_or_explanation_is_refused(client, staff, review):
    client.force_login(staff)

    response = client.post(appeal_url(review), {"reason": "恶" * 101, "explanation": "长" * 1899})

    assert response.status_code == 200
    # The stored "【reason】explanation" must fit the model's 2000 characters: 100 + 2 + 1898.
    assert response.context["form"].errors == {
        "reason": ["确保该变量包含不超过 100 字符 (目前字符数 101)。"],
        "explanation": ["确保该变量包含不超过 1898 字符 (目前字符数 1899)。"],
    }
    assert ReviewAppeal.objects.count() == 0


def test_the_longest_allowed_appeal_is_stored_whole(client, staff, review):
    client.force_login(staff)

    assert client.post(appeal_url(review), {"reason": "恶" * 100, "explanation": "长" * 1898}).status_code == 302

    assert len(ReviewAppeal.objects.get().explanation) == 2000


def test_a_second_appeal_while_one_is_pending_is_refused(client, staff, review):
    ReviewAppealFactory(review=review, created_by=staff, explanation="第一次申诉")
    client.force_login(staff)

    response = client.post(appeal_url(review), VALID_POST)

    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": ["这条评价已有待处理的申诉。"]}
    assert "这条评价已有待处理的申诉。" in response.content.decode()
    assert list(ReviewAppeal.objects.values_list("explanation", "status")) == [("第一次申诉", "open")]


def test_a_new_appeal_after_a_dismissed_one_is_accepted(client, staff, review):
    ReviewAppealFactory(review=review, status=ReviewAppeal.Status.DISMISSED)
    client.force_login(staff)

    assert client.post(appeal_url(review), VALID_POST).status_code == 302

    assert sorted(ReviewAppeal.objects.values_list("status", flat=True)) == ["dismissed", "open"]


def test_appealing_requires_the_csrf_token(staff, review):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(appeal_url(review), VALID_POST)

    assert response.status_code == 403
    assert ReviewAppeal.objects.count() == 0


def test_the_appeal_address_takes_posts_only(client, staff, review):
    client.force_login(staff)

    assert client.get(appeal_url(review)).status_code == 405
    assert ReviewAppeal.objects.count() == 0


def test_appeal_posting_is_rate_limited(client, staff, review, settings):
    settings.APPEAL_POST_RATE = "2/h"
    client.force_login(staff)
    bad = {"reason": "", "explanation": ""}

    assert client.post(appeal_url(review), bad).status_code == 200
    assert client.post(appeal_url(review), bad).status_code == 200
    response = client.post(appeal_url(review), VALID_POST)

    assert response.status_code == 429
    assert response.context["form"].errors == {"__all__": ["提交过于频繁，请稍后再试。"]}
    assert "提交过于频繁，请稍后再试。" in response.content.decode()
    assert ReviewAppeal.objects.count() == 0


# Who may appeal ----------------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, review):
    response = client.post(appeal_url(review), VALID_POST)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={appeal_url(review)}"
    assert ReviewAppeal.objects.count() == 0


def test_merchants_and_members_of_other_providers_cannot_appeal(client, review):
    merchant = merchant_of(review.store, username="merchant_wang")
    rival = provider_staff(ProviderFactory(name="云帆运营"), username="rival")
    nobody = UserFactory(username="nobody")

    for user in (merchant, rival, nobody):
        client.force_login(user)
        response = client.post(appeal_url(review), VALID_POST)
        assert response.status_code == 403
        assert "您的账号不能执行这个操作。" in response.content.decode()
        html = client.get(MINE).content.decode()
        assert appeal_url(review) not in html
    assert ReviewAppeal.objects.count() == 0


def test_a_member_cannot_appeal_another_providers_review_by_its_id(client, staff, review):
    foreign = ReviewFactory(provider=ProviderFactory(name="云帆运营"), status=Review.Status.PUBLISHED)
    client.force_login(staff)

    response = client.post(appeal_url(foreign), VALID_POST)

    assert response.status_code == 403
    assert ReviewAppeal.objects.count() == 0
    assert appeal_url(foreign) not in client.get(MINE).content.decode()


@pytest.mark.parametrize("status", [Review.Status.PENDING, Review.Status.REJECTED, Review.Status.MALICIOUS])
def test_unpublished_reviews_cannot_be_appealed(client, staff, provider, status):
    hidden = ReviewFactory(provider=provider, status=status)
    client.force_login(staff)

    assert client.post(appeal_url(hidden), VALID_POST).status_code == 404
    assert ReviewAppeal.objects.count() == 0
    assert appeal_url(hidden) not in client.get(MINE).content.decode()


def test_an_unknown_review_is_not_found(client, staff):
    client.force_login(staff)

    assert client.post(reverse("ratings:appeal", kwargs={"pk": 999_999}), VALID_POST).status_code == 404
    assert ReviewAppeal.objects.count() == 0


# Service: review_appeal_file ---------------------------------------------------------------------------------------


def test_service_requires_a_reason_and_an_explanation(staff, review):
    with pytest.raises(ValidationError) as error:
        review_appeal_file(review=review, author=staff, reason=" ", explanation="说明")
    assert error.value.message_dict == {"reason": ["请填写申诉理由。"]}

    with pytest.raises(ValidationError) as error:
        review_appeal_file(review=review, author=staff, reason="恶意差评", explanation="  ")
    assert error.value.message_dict == {"explanation": ["请填写申诉说明。"]}
    assert ReviewAppeal.objects.count() == 0


def test_service_turns_a_lost_race_for_the_open_appeal_into_the_duplicate_message(staff, review, monkeypatch):
    def racing_submit(**kwargs):
        raise IntegrityError("ratings_reviewappeal_one_open_per_review")

    monkeypatch.setattr("ratings.services.moderation.review_appeal_submit", racing_submit)

    with pytest.raises(ValidationError) as error:
        review_appeal_file(review=review, author=staff, reason="恶意差评", explanation="竞争对手所写")

    assert error.value.messages == ["这条评价已有待处理的申诉。"]
    assert ReviewAppeal.objects.count() == 0

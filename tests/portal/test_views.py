"""The portal's pages from both sides: a team's own member sees them, anyone else is refused."""
import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Account
from providers.models import Engagement
from ratings.models import Review
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewAppealFactory,
    ReviewFactory,
    UserFactory,
    merchant_of,
    platform,
    provider_staff,
)

pytestmark = pytest.mark.django_db


def url(name, provider, **kwargs):
    return reverse(f"portal:{name}", kwargs={"slug": provider.slug, **kwargs})


# /portal/ ---------------------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, team):
    for target in (reverse("portal:index"), url("rating", team["a"]), url("reviews", team["a"]), url("team", team["a"])):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={target}"


def test_one_team_goes_straight_to_it(as_user, team):
    response = as_user(team["member"]).get(reverse("portal:index"))
    assert response.status_code == 302
    assert response["Location"] == "/portal/alpha/"


def test_several_teams_get_the_switcher(as_user, team):
    team["b"].members.add(team["member"], through_defaults={"role": "member"})
    response = as_user(team["member"]).get(reverse("portal:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/portal/alpha/"' in html and 'href="/portal/beta/"' in html


def test_provider_staff_without_a_team_are_told_how_to_get_one(as_user, db):
    user = UserFactory()
    Account.objects.create(user=user, kind=Account.Kind.PROVIDER_STAFF)
    response = as_user(user).get(reverse("portal:index"))
    assert response.status_code == 200
    assert "你的账号还不属于任何服务商团队。" in response.content.decode()


def test_a_merchant_is_refused_the_portal(as_user, db):
    user = UserFactory()
    Account.objects.create(user=user, kind=Account.Kind.MERCHANT)
    response = as_user(user).get(reverse("portal:index"))
    assert response.status_code == 403


# My rating ----------------------------------------------------------------------------------------------------------


def test_my_rating_shows_tier_gates_history_and_only_own_stores(as_user, team, django_assert_num_queries):
    client = as_user(team["member"])
    with django_assert_num_queries(8):
        # session, user, membership, switcher, snapshots (with policy), service names, engagements, performance
        response = client.get(url("rating", team["a"]))
    html = response.content.decode()
    snapshot = team["a"].snapshots.get()
    assert response.status_code == 200
    assert f'<strong>{snapshot.composite}</strong>' in html
    assert snapshot.tier is not None
    assert "星级门槛" in html and "近 12 个月" in html
    assert html.count('<tr class="is-met">') == sum(1 for gate in snapshot.explanation["gates"] if gate["met"])
    own = Engagement.objects.filter(provider=team["a"]).select_related("store")
    for engagement in own:
        assert engagement.store.name in html
    assert "贝塔独家店铺XYZ" not in html
    for engagement in Engagement.objects.filter(provider=team["b"]).select_related("store"):
        assert engagement.store.name not in html


def test_my_rating_query_count_does_not_grow_with_stores(as_user, team, django_assert_num_queries):
    for _ in range(5):
        EngagementFactory(provider=team["a"], start_date=dt.date(2024, 1, 1))
    client = as_user(team["member"])
    with django_assert_num_queries(8):
        response = client.get(url("rating", team["a"]))
    assert response.content.decode().count("窗口内没有表现数据") == 5


def test_my_rating_before_any_snapshot(as_user, db):
    provider = ProviderFactory(slug="new-one")
    user = provider_staff(provider, role="owner")
    response = as_user(user).get(url("rating", provider))
    assert response.status_code == 200
    assert "还没有评级" in response.content.decode()


@pytest.mark.parametrize("name", ["rating", "reviews", "team"])
def test_a_member_of_a_is_refused_404_on_b(as_user, team, name):
    assert as_user(team["owner"]).get(url(name, team["b"])).status_code == 404


@pytest.mark.parametrize("name", ["rating", "reviews", "team"])
def test_a_merchant_gets_404_on_a_portal_page(as_user, team, name):
    merchant = merchant_of(Engagement.objects.filter(provider=team["a"]).first().store)
    assert as_user(merchant).get(url(name, team["a"])).status_code == 404


# Reviews inbox ------------------------------------------------------------------------------------------------------


@pytest.fixture
def inbox(team):
    a = team["a"]
    own = Engagement.objects.filter(provider=a).select_related("store").order_by("pk")
    low = ReviewFactory(provider=a, store=own[0].store, rating=2, created_at=dt.date(2025, 6, 3), body="发货太慢")
    answered = ReviewFactory(provider=a, store=own[1].store, rating=5, created_at=dt.date(2025, 6, 2),
                             body="很满意", reply="谢谢支持")
    jd_store = EngagementFactory(provider=a, store__platform=platform("jd"), store__name="京东自营店甲").store
    jd = ReviewFactory(provider=a, store=jd_store, rating=3, created_at=dt.date(2025, 6, 1), body="一般般")
    ReviewFactory(provider=a, store=own[2].store, status=Review.Status.PENDING, body="待审核内容QQ")
    ReviewFactory(provider=team["b"], body="B 的评价内容ZZ")
    return {"low": low, "answered": answered, "jd": jd}


def _ids(html, reviews):
    return [name for name, review in reviews.items() if f'id="review-{review.pk}"' in html]


@pytest.mark.parametrize("query, expected", [
    ("", ["low", "answered", "jd"]),
    ("?unanswered=on", ["low", "jd"]),
    ("?low=on", ["low", "jd"]),
    ("?platform=jd", ["jd"]),
    ("?unanswered=on&low=on&platform=tmall", ["low"]),
])
def test_inbox_filters(as_user, team, inbox, query, expected):
    html = as_user(team["member"]).get(url("reviews", team["a"]) + query).content.decode()
    assert _ids(html, inbox) == expected
    assert "待审核内容QQ" not in html and "B 的评价内容ZZ" not in html


def test_inbox_shows_each_reviews_platform_and_own_store(as_user, team, inbox):
    html = as_user(team["member"]).get(url("reviews", team["a"]) + "?platform=jd").content.decode()
    assert '<span class="tag">京东</span> 京东自营店甲' in html


def test_inbox_unknown_platform_is_a_form_error(as_user, team, inbox):
    response = as_user(team["member"]).get(url("reviews", team["a"]) + "?platform=nope")
    html = response.content.decode()
    assert "平台：" in html and _ids(html, inbox) == []


def test_inbox_query_count_is_fixed_and_paginated(as_user, team, inbox, django_assert_num_queries):
    store = Engagement.objects.filter(provider=team["a"]).first().store
    for day in range(1, 26):
        ReviewFactory(provider=team["a"], store=store, created_at=dt.date(2025, 5, day))
    ReviewAppealFactory(review=inbox["low"])
    client = as_user(team["member"])
    with django_assert_num_queries(8):
        # session, user, membership, switcher, platforms, count, page, appeals
        response = client.get(url("reviews", team["a"]))
    assert response.content.decode().count('class="review" id="review-') == 20
    second = client.get(url("reviews", team["a"]) + "?page=2").content.decode()
    assert second.count('class="review" id="review-') == 8


def test_reply_from_the_inbox_returns_to_it(as_user, team, inbox):
    client = as_user(team["member"])
    back = url("reviews", team["a"]) + "?unanswered=on"
    page = client.get(url("reviews", team["a"]) + "?unanswered=on").content.decode()
    reply = reverse("ratings:reply", kwargs={"pk": inbox["low"].pk})
    assert f'href="{reply}?next=/portal/alpha/reviews/%3Funanswered%3Don"' in page
    response = client.post(reply, {"reply": "抱歉，已改进发货。", "next": back})
    assert response.status_code == 302
    assert response["Location"] == f"{back}#review-{inbox['low'].pk}"
    inbox["low"].refresh_from_db()
    assert inbox["low"].reply == "抱歉，已改进发货。"


def test_reply_ignores_an_offsite_next(as_user, team, inbox):
    reply = reverse("ratings:reply", kwargs={"pk": inbox["low"].pk})
    response = as_user(team["member"]).post(reply, {"reply": "好的", "next": "https://evil.example.com/"})
    assert response["Location"] == f"/providers/alpha/#review-{inbox['low'].pk}"


def test_appeal_from_the_inbox_returns_to_it(as_user, team, inbox):
    appeal = reverse("ratings:appeal", kwargs={"pk": inbox["low"].pk})
    back = url("reviews", team["a"])
    response = as_user(team["member"]).post(appeal, {
        "reason": "不是我们的客户", "explanation": "该店铺从未与我们合作。", "next": back})
    assert response["Location"] == f"{back}#review-{inbox['low'].pk}"


def test_b_cannot_reply_to_as_review_even_with_a_portal_next(as_user, team, inbox):
    reply = reverse("ratings:reply", kwargs={"pk": inbox["low"].pk})
    response = as_user(team["b_owner"]).post(reply, {"reply": "x", "next": url("reviews", team["b"])})
    assert response.status_code == 403


def test_me_reviews_still_works_for_merchants_and_links_staff_to_the_portal(as_user, team, inbox):
    merchant = merchant_of(Engagement.objects.filter(provider=team["a"]).first().store)
    assert as_user(merchant).get(reverse("ratings:mine")).status_code == 200
    html = as_user(team["member"]).get(reverse("ratings:mine")).content.decode()
    assert 'href="/portal/">前往服务商后台</a>' in html

"""The inquiry pages: both sides' permissions, what each side sees, fixed query counts."""
import datetime as dt

import pytest
from django.urls import reverse

from inquiries.models import Bid, InquiryRequest
from inquiries.services import bid_accept, bid_propose, message_post, request_create
from tests.factories import StoreFactory, UserFactory, category, merchant_of, platform, provider_staff, service
from tests.inquiries.test_flow import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal():
    five, six = make("five", tier=5, score="4.60"), make("six", tier=6, score="4.10")
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"), name="蓝鲸美妆旗舰店")
    merchant = merchant_of(store, username="merchant")
    five_member, six_member = provider_staff(five, role="owner"), provider_staff(six)
    request = request_create(
        merchant=merchant, platform=platform("tmall"), category=category("beauty"), store=store,
        services=[service("operation")], budget_min=20000, budget_max=40000, start_month=dt.date(2027, 1, 1),
        term_months=12, description="需要全店代运营。", provider_ids=[five.pk, six.pk])
    return {"five": five, "six": six, "store": store, "merchant": merchant, "request": request,
            "five_bid": request.bids.get(provider=five), "six_bid": request.bids.get(provider=six),
            "five_member": five_member, "six_member": six_member}


def test_a_merchant_creates_a_request_from_the_form(client, deal):
    merchant = deal["merchant"]
    client.force_login(merchant)
    page = client.get(reverse("inquiries:create"), {"provider": ["five"]})
    assert page.status_code == 200
    response = client.post(reverse("inquiries:create"), {
        "platform": "tmall", "category": "beauty", "store": deal["store"].pk, "services": ["operation"],
        "budget_min": "20000", "budget_max": "40000", "start_month": page.context["form"].fields[
            "start_month"].choices[1][0], "term_months": "6", "description": "第二家店", "providers": ["five"],
    })
    created = InquiryRequest.objects.exclude(pk=deal["request"].pk).get()
    assert response.status_code == 302 and response.url == reverse("inquiries:detail", args=[created.pk])
    assert list(created.bids.values_list("provider__slug", "suggested")) == [("five", False)]


def test_a_bad_budget_names_the_field_and_writes_nothing(client, deal):
    client.force_login(deal["merchant"])
    response = client.post(reverse("inquiries:create"), {
        "platform": "tmall", "category": "beauty", "store": deal["store"].pk, "budget_min": "50000",
        "budget_max": "100", "start_month": "1999-01-01", "term_months": "0", "description": "",
        "suggest": "on"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"budget_max", "start_month", "term_months", "description"}
    assert response.context["form"].errors["budget_max"] == ["预算下限不能高于预算上限。"]
    assert InquiryRequest.objects.count() == 1


def test_only_the_merchant_sees_their_request(client, deal):
    url = reverse("inquiries:detail", args=[deal["request"].pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(deal["five_member"])
    assert client.get(url).status_code == 404
    client.force_login(deal["merchant"])
    assert client.get(url).status_code == 200


def test_a_provider_sees_only_its_own_part_and_no_merchant_identity_before_acceptance(client, deal):
    five, six = deal["five"], deal["six"]
    five_url = reverse("inquiries:bid", args=[five.slug, deal["five_bid"].pk])
    client.force_login(deal["six_member"])
    assert client.get(five_url).status_code == 404
    # Its own slug with another provider's part: still nothing.
    assert client.get(reverse("inquiries:bid", args=[six.slug, deal["five_bid"].pk])).status_code == 404
    assert client.get(reverse("inquiries:inbox", args=[five.slug])).status_code == 404
    assert client.post(reverse("inquiries:confirm", args=[five.slug, deal["five_bid"].pk])).status_code == 404

    client.force_login(deal["five_member"])
    html = client.get(five_url).content.decode()
    assert "需要全店代运营。" in html
    assert "merchant@example.com" not in html and "蓝鲸美妆旗舰店" not in html
    bid_propose(bid=deal["five_bid"], author=deal["five_member"], monthly_fee=20000, term_months=12,
                commitments="全店运营")
    bid_accept(bid=Bid.objects.get(pk=deal["five_bid"].pk), merchant=deal["merchant"])
    html = client.get(five_url).content.decode()
    assert "merchant@example.com" in html and "蓝鲸美妆旗舰店" in html


def test_messages_are_masked_on_both_pages_until_acceptance(client, deal):
    message_post(bid=deal["five_bid"], author=deal["five_member"], body="加微信 wang_88888 详谈")
    message_post(bid=deal["five_bid"], author=deal["merchant"], body="我的电话 13812345678")
    client.force_login(deal["merchant"])
    html = client.get(reverse("inquiries:detail", args=[deal["request"].pk])).content.decode()
    assert "wang_88888" not in html and "13812345678" not in html
    client.force_login(deal["five_member"])
    html = client.get(reverse("inquiries:bid", args=["five", deal["five_bid"].pk])).content.decode()
    assert "wang_88888" not in html and "13812345678" not in html


def test_guarantee_language_is_flagged_to_the_merchant_and_reportable(client, deal):
    bid_propose(bid=deal["five_bid"], author=deal["five_member"], monthly_fee=20000, term_months=12,
                commitments="我们保证销量翻倍")
    client.force_login(deal["merchant"])
    html = client.get(reverse("inquiries:detail", args=[deal["request"].pk])).content.decode()
    assert "目录规则禁止服务商承诺销量、排名或回报" in html
    response = client.post(reverse("inquiries:report", args=[deal["request"].pk, deal["five_bid"].pk]))
    assert response.status_code == 302
    assert list(deal["five_bid"].reports.values_list("phrases", flat=True)) == [["保证销量"]]


def test_a_reported_proposal_or_message_says_so_instead_of_offering_the_report_again(client, deal):
    bid_propose(bid=deal["five_bid"], author=deal["five_member"], monthly_fee=20000, term_months=12,
                commitments="我们保证销量翻倍")
    message = message_post(bid=deal["five_bid"], author=deal["five_member"], body="包销量，放心")
    client.force_login(deal["merchant"])
    url = reverse("inquiries:detail", args=[deal["request"].pk])
    report = reverse("inquiries:report", args=[deal["request"].pk, deal["five_bid"].pk])
    html = client.get(url).content.decode()
    assert (html.count(f'action="{report}"'), html.count("已举报，审核员会处理。")) == (2, 0)

    client.post(report, follow=True)  # the proposal (following the redirect shows, and so clears, the thank-you)
    html = client.get(url).content.decode()
    assert (html.count(f'action="{report}"'), html.count("已举报，审核员会处理。")) == (1, 1)
    assert f'name="message" value="{message.pk}"' in html  # the message can still be reported

    client.post(report, {"message": message.pk}, follow=True)
    html = client.get(url).content.decode()
    assert (html.count(f'action="{report}"'), html.count("已举报，审核员会处理。")) == (0, 2)


def test_request_and_inbox_pages_run_a_fixed_number_of_queries(client, deal, django_assert_max_num_queries):
    for bid, member in ((deal["five_bid"], deal["five_member"]), (deal["six_bid"], deal["six_member"])):
        bid_propose(bid=bid, author=member, monthly_fee=20000, term_months=12, commitments="全店运营",
                    services=[service("operation")])
        message_post(bid=bid, author=member, body="你好")
    client.force_login(deal["merchant"])
    url = reverse("inquiries:detail", args=[deal["request"].pk])
    with django_assert_max_num_queries(12) as two:
        client.get(url)
    extra = make("seven", tier=5, score="4.00")
    Bid.objects.create(request=deal["request"], provider=extra)
    with django_assert_max_num_queries(len(two.captured_queries)):
        client.get(url)
    client.force_login(deal["five_member"])
    with django_assert_max_num_queries(10):
        client.get(reverse("inquiries:inbox", args=["five"]))


def test_the_compare_page_and_provider_page_lead_to_a_request_for_those_providers(client, deal):
    from django.utils.html import escape

    client.force_login(deal["merchant"])
    compare = client.get(reverse("providers:compare"), {"p": "five,six"}).content.decode()
    assert escape(f"{reverse('inquiries:create')}?provider=five&provider=six") in compare
    page = client.get(reverse("providers:detail", args=["five"])).content.decode()
    assert f"{reverse('inquiries:create')}?provider=five" in page
    form = client.get(reverse("inquiries:create"), {"provider": ["five", "six"]}).context["form"]
    assert [p.slug for p in form.fields["providers"].queryset.order_by("slug")] == ["five", "six"]
    assert form["providers"].value() == ["five", "six"]


def test_the_provider_page_shows_its_response_statistics_from_five_requests(client, deal):
    import datetime as dt

    from django.utils import timezone

    five = deal["five"]
    assert "小时内回复" not in client.get(reverse("providers:detail", args=["five"])).content.decode()
    invited = timezone.now() - dt.timedelta(days=10)
    for hours in (1, 2, 4, 30, None):
        other = InquiryRequest.objects.get(pk=deal["request"].pk)
        other.pk = None
        other.save()
        Bid.objects.create(request=other, provider=five)
        Bid.objects.filter(request=other).update(
            invited_at=invited, responded_at=hours and invited + dt.timedelta(hours=hours))
    # deal's own invitation is inside its deadline and unanswered: not counted yet. (Answers made through the
    # services start a new page-cache generation; these rows were written directly.)
    from providers.cache import directory_cache_bump

    directory_cache_bump()
    html = client.get(reverse("providers:detail", args=["five"])).content.decode()
    assert "通常 3.0 小时内回复 · 80% 的需求在 3 天内回复（近 90 天 5 个需求）" in html

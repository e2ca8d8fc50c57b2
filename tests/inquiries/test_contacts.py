"""Contact details never reach the other side before acceptance (issue 13): on the pages, in every e-mail the flow
sends, in the leads API and in the lead webhooks; after acceptance the two sides see each other's details as
written. One request, two invited providers, real eager Celery, the locmem outbox and a real webhook receiver."""
import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from inquiries.models import Bid
from inquiries.services import bid_accept, bid_confirm, bid_propose, message_post, request_create
from partners.after_response import runner
from partners.services import api_key_create, webhook_subscription_create
from tests.factories import StoreFactory, UserFactory, api_client, category, platform, provider_staff, service
from tests.inquiries.test_flow import make
from tests.partners.conftest import _after_response_jobs_run_by_the_test, receiver  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

DESCRIPTION = "需要全店代运营，老板电话 186 0000 1111，邮箱 lanjing.boss@example.com"
MERCHANT_MESSAGE = "加我微信 abc12345，电话 138 1234 5678"
PROVIDER_MESSAGE = "我的微信 wang_88888，电话 139-8765-4321"
COMMITMENTS = "全店运营，每月复盘，联系 QQ 123456789"
NOTE = "详情致电 021-6543 2109"

# What identifies the merchant or reaches them: the account (e-mail, user name, name), the store, what they typed.
MERCHANT_SECRETS = ("lanjing.boss@example.com", "lanjing_boss", "晓燕", "蓝鲸美妆", "0000 1111", "abc12345",
                    "1234 5678")
# The provider's team member who answers and what the provider typed.
PROVIDER_SECRETS = ("five.sales@example.com", "five_sales", "小明", "wang_88888", "8765-4321", "123456789",
                    "6543 2109")


def leaks(text: str, secrets) -> list[str]:
    return [secret for secret in secrets if secret in text]


def mail_text(message) -> str:
    """Subject, plain body and every alternative (an HTML part, say) of one e-mail."""
    parts = [message.subject, message.body]
    parts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    return "\n".join(parts)


@pytest.fixture
def talk(receiver, django_capture_on_commit_callbacks):  # noqa: F811 (the receiver fixture)
    """A request to five and six, both sides typing their contacts before any acceptance."""
    five, six = make("five", tier=5, score="4.60"), make("six", tier=6, score="4.10")
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"), name="蓝鲸美妆旗舰店")
    merchant = UserFactory(username="lanjing_boss", email="lanjing.boss@example.com", first_name="晓燕",
                           last_name="陈")
    store.merchants.add(merchant)
    member = UserFactory(username="five_sales", email="five.sales@example.com", first_name="小明", last_name="王")
    five.members.add(member, through_defaults={"role": "owner"})
    six_member = provider_staff(six)
    keys = {}
    for provider in (five, six):
        key, raw = api_key_create(name=f"{provider.slug} 系统", scopes=["leads", "webhooks"], provider=provider)
        webhook_subscription_create(api_key=key, url=receiver.url, events=["inquiry.created", "engagement.confirmed"])
        keys[provider.slug] = raw
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = request_create(
            merchant=merchant, platform=platform("tmall"), category=category("beauty"), store=store,
            services=[service("operation")], budget_min=20000, budget_max=40000, start_month=dt.date(2027, 1, 1),
            term_months=12, description=DESCRIPTION, provider_ids=[five.pk, six.pk])
    five_bid, six_bid = request.bids.get(provider=five), request.bids.get(provider=six)
    with django_capture_on_commit_callbacks(execute=True):
        message_post(bid=five_bid, author=merchant, body=MERCHANT_MESSAGE)
        message_post(bid=six_bid, author=merchant, body=MERCHANT_MESSAGE)
        message_post(bid=five_bid, author=member, body=PROVIDER_MESSAGE)
        bid_propose(bid=five_bid, author=member, monthly_fee=25000, term_months=12, commitments=COMMITMENTS,
                    message=NOTE, services=[service("operation")])
    runner.run_here()
    return {"request": request, "merchant": merchant, "member": member, "six_member": six_member,
            "five_bid": five_bid, "six_bid": six_bid, "keys": keys, "receiver": receiver}


def accept(talk, capture):
    with capture(execute=True):
        bid_accept(bid=Bid.objects.get(pk=talk["five_bid"].pk), merchant=talk["merchant"])
        engagement = bid_confirm(bid=Bid.objects.get(pk=talk["five_bid"].pk), author=talk["member"])
    runner.run_here()
    return engagement


def pages(client, talk) -> dict[str, str]:
    request, five_bid, six_bid = talk["request"], talk["five_bid"], talk["six_bid"]
    seen = {}
    client.force_login(talk["merchant"])
    seen["merchant request"] = client.get(reverse("inquiries:detail", args=[request.pk])).content.decode()
    seen["merchant notices"] = client.get(reverse("inquiries:notifications")).content.decode()
    for who, slug, bid in (("member", "five", five_bid), ("six_member", "six", six_bid)):
        client.force_login(talk[who])
        seen[f"{slug} part"] = client.get(reverse("inquiries:bid", args=[slug, bid.pk])).content.decode()
        seen[f"{slug} inbox"] = client.get(reverse("inquiries:inbox", args=[slug])).content.decode()
        seen[f"{slug} notices"] = client.get(reverse("inquiries:notifications")).content.decode()
    return seen


def test_no_page_shows_either_sides_contacts_before_acceptance(client, talk):
    seen = pages(client, talk)
    assert {page: leaks(html, PROVIDER_SECRETS) for page, html in seen.items() if page.startswith("merchant")} == {
        "merchant request": [], "merchant notices": []}
    assert {page: leaks(html, MERCHANT_SECRETS) for page, html in seen.items() if not page.startswith("merchant")} == {
        "five part": [], "five inbox": [], "five notices": [], "six part": [], "six inbox": [], "six notices": []}
    # Not vacuous: the texts are there, masked.
    assert "加我微信 ******，电话 138********" in seen["five part"]
    assert "需要全店代运营，老板电话 186********，邮箱 l***@example.com" in seen["five part"]
    assert "我的微信 ******，电话 139********" in seen["merchant request"]
    assert "全店运营，每月复盘，联系 QQ ******" in seen["merchant request"]
    assert "详情致电 021-********" in seen["merchant request"]


def test_no_email_of_the_flow_carries_contacts_before_acceptance(talk):
    pk = talk["request"].pk
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == sorted([
        ("five.sales@example.com", f"【代运营服务商目录】新需求单 #{pk}，请在 3 天内回复"),
        (talk["six_member"].email, f"【代运营服务商目录】新需求单 #{pk}，请在 3 天内回复"),
        ("five.sales@example.com", f"【代运营服务商目录】需求单 #{pk} 有新消息"),
        (talk["six_member"].email, f"【代运营服务商目录】需求单 #{pk} 有新消息"),
        ("lanjing.boss@example.com", f"【代运营服务商目录】需求单 #{pk} 有新消息"),
        ("lanjing.boss@example.com", f"【代运营服务商目录】需求单 #{pk} 收到一份新方案"),
    ])
    assert [(m.to[0], leaks(mail_text(m), MERCHANT_SECRETS + PROVIDER_SECRETS)) for m in mail.outbox] == [
        (m.to[0], []) for m in mail.outbox]


def test_the_choice_and_confirmation_emails_carry_no_contacts(talk, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    accept(talk, django_capture_on_commit_callbacks)
    pk = talk["request"].pk
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted([
        ("five.sales@example.com", f"【代运营服务商目录】需求单 #{pk}：商家选定了您的方案，请确认合作"),
        (talk["six_member"].email, f"【代运营服务商目录】需求单 #{pk}：商家选择了其他方案，感谢您的回复"),
        ("lanjing.boss@example.com", f"【代运营服务商目录】需求单 #{pk}：服务商已确认合作"),
    ])
    assert [leaks(mail_text(m), MERCHANT_SECRETS + PROVIDER_SECRETS) for m in mail.outbox] == [[], [], []]


def test_the_leads_api_and_webhooks_carry_no_contacts_before_acceptance(talk):
    hooks = talk["receiver"]
    assert sorted((hooks.json(i)["type"], hooks.json(i)["data"]["provider"])
                  for i in range(len(hooks.requests))) == [("inquiry.created", "five"), ("inquiry.created", "six")]
    for i in range(len(hooks.requests)):
        body = hooks.requests[i]["body"].decode()
        assert leaks(body, MERCHANT_SECRETS) == []
        assert hooks.json(i)["data"]["description"] == "需要全店代运营，老板电话 186********，邮箱 l***@example.com"
    for slug in ("five", "six"):
        response = api_client(talk["keys"][slug]).get("/api/v1/leads/")
        assert response.status_code == 200, response.content
        assert leaks(response.content.decode(), MERCHANT_SECRETS) == []
        assert [lead["description"] for lead in response.json()["results"]] == [
            "需要全店代运营，老板电话 186********，邮箱 l***@example.com"]


def test_after_acceptance_each_side_sees_the_others_contacts_as_written(
        client, talk, django_capture_on_commit_callbacks):
    engagement = accept(talk, django_capture_on_commit_callbacks)
    seen = pages(client, talk)
    # The chosen provider sees who the merchant is and everything they typed.
    for written in ("lanjing.boss@example.com", "蓝鲸美妆旗舰店", DESCRIPTION, MERCHANT_MESSAGE):
        assert written in seen["five part"], written
    # The merchant sees what the chosen provider typed, in the thread and in the proposal.
    for written in (PROVIDER_MESSAGE, COMMITMENTS, NOTE):
        assert written in seen["merchant request"], written
    # The provider not chosen still sees nothing of the merchant.
    assert leaks(seen["six part"], MERCHANT_SECRETS) == []
    assert "加我微信 ******，电话 138********" in seen["six part"]

    hooks = talk["receiver"]
    confirmed = [hooks.json(i) for i in range(len(hooks.requests))
                 if hooks.json(i)["type"] == "engagement.confirmed"]
    assert [(event["data"]["provider"], event["data"]["description"], event["data"]["engagement"]["id"])
            for event in confirmed] == [("five", DESCRIPTION, engagement.pk)]
    five_lead = api_client(talk["keys"]["five"]).get(f"/api/v1/leads/{talk['five_bid'].pk}/").json()
    assert (five_lead["status"], five_lead["description"]) == ("confirmed", DESCRIPTION)
    six_lead = api_client(talk["keys"]["six"]).get(f"/api/v1/leads/{talk['six_bid'].pk}/").json()
    assert (six_lead["status"], six_lead["description"]) == (
        "not_selected", "需要全店代运营，老板电话 186********，邮箱 l***@example.com")

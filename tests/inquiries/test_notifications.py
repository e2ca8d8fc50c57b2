"""Notifications of each step: on-site with the header's count, by e-mail with a working opt-out link;
review invitations 30 days in and at the end; ending an engagement hired here."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from inquiries.models import EmailOptOut, InquiryEvent, Notification, ReviewInvitation
from inquiries.services import (
    bid_accept, bid_confirm, bid_propose, engagement_end, message_post, review_invitations_send,
)
from tests.factories import UserFactory, provider_staff, service
from tests.inquiries.test_pages import deal  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def kinds(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def hire(deal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bid_propose(bid=deal["five_bid"], author=deal["five_member"], monthly_fee=20000, term_months=12,
                    commitments="全店运营", services=[service("operation")])
        bid_accept(bid=deal["five_bid"], merchant=deal["merchant"])
        return bid_confirm(bid=deal["five_bid"], author=deal["five_member"])


def test_each_step_tells_the_other_side_on_site_and_by_mail(deal, django_capture_on_commit_callbacks):
    assert kinds(deal["five_member"]) == ["new_request"] and kinds(deal["six_member"]) == ["new_request"]
    mail.outbox.clear()
    hire(deal, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        message_post(bid=deal["five_bid"], author=deal["merchant"], body="开工吧")
    assert kinds(deal["merchant"]) == ["proposal", "confirmed"]
    assert kinds(deal["five_member"]) == ["new_request", "accepted", "message"]
    assert kinds(deal["six_member"]) == ["new_request", "not_selected"]
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted([
        f"【代运营服务商目录】需求单 #{deal['request'].pk} 收到一份新方案",
        f"【代运营服务商目录】需求单 #{deal['request'].pk}：商家选择了其他方案，感谢您的回复",
        f"【代运营服务商目录】需求单 #{deal['request'].pk}：商家选定了您的方案，请确认合作",
        f"【代运营服务商目录】需求单 #{deal['request'].pk}：服务商已确认合作",
        f"【代运营服务商目录】需求单 #{deal['request'].pk} 有新消息",
    ])
    # No personal data in notices: nobody's name, e-mail or store in a title.
    assert not Notification.objects.filter(title__contains="@").exists()
    assert not Notification.objects.filter(title__contains="蓝鲸").exists()


def test_the_opt_out_link_turns_one_kind_of_mail_off(client, deal, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(bid=deal["five_bid"], author=deal["five_member"], body="您好")
    (sent,) = mail.outbox
    link = re.search(r"http://[^\s]+/notifications/email-off/[^\s]+/", sent.body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    assert client.get(path).status_code == 200
    assert not EmailOptOut.objects.exists()  # a GET (a mail scanner) changes nothing
    assert client.post(path).status_code == 200
    assert list(EmailOptOut.objects.values_list("user__username", "kind")) == [("merchant", "message")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(bid=deal["five_bid"], author=deal["five_member"], body="还在吗")
    assert mail.outbox == []
    assert kinds(deal["merchant"]) == ["message", "message"]  # on-site notices stay
    assert client.get(path.replace("email-off/", "email-off/x")).status_code == 404


def test_the_header_counts_unread_without_a_query_and_the_list_marks_them_read(
        client, deal, django_capture_on_commit_callbacks, django_assert_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        message_post(bid=deal["five_bid"], author=deal["five_member"], body="您好")
    client.force_login(deal["merchant"])
    with django_assert_num_queries(4) as queries:  # session, user, requests' count and page; no count of notices
        html = client.get(reverse("inquiries:list")).content.decode()
    assert not any("inquiries_notification" in q["sql"] for q in queries.captured_queries)
    assert re.search(r"通知 <span class=\"nav-count\">.*?1<span class=\"visually-hidden\"> 条未读", html)
    # The list: its count and page, then all marked read.
    with django_assert_num_queries(5):
        html = client.get(reverse("inquiries:notifications")).content.decode()
    assert f"需求单 #{deal['request'].pk} 有新消息" in html
    assert "条未读" not in client.get(reverse("inquiries:list")).content.decode()
    other = UserFactory()
    client.force_login(other)
    assert f"需求单 #{deal['request'].pk}" not in client.get(reverse("inquiries:notifications")).content.decode()


def test_merchants_are_invited_to_review_thirty_days_in_and_at_the_end_once_each(
        deal, django_capture_on_commit_callbacks):
    engagement = hire(deal, django_capture_on_commit_callbacks)
    start = engagement.start_date
    assert review_invitations_send(today=start + dt.timedelta(days=29)) == 0
    assert review_invitations_send(today=start + dt.timedelta(days=30)) == 1
    assert review_invitations_send(today=start + dt.timedelta(days=31)) == 0
    engagement_end(bid=deal["five_bid"], actor=deal["merchant"], end_date=start + dt.timedelta(days=90),
                   reason="品牌调整")
    assert review_invitations_send(today=start + dt.timedelta(days=90)) == 1
    assert list(ReviewInvitation.objects.values_list("moment", flat=True).order_by("pk")) == ["day_30", "ended"]
    assert kinds(deal["merchant"]).count("review_invitation") == 2


def test_either_side_ends_an_engagement_with_a_reason_and_outsiders_cannot(deal, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied, ValidationError

    engagement = hire(deal, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        engagement_end(bid=deal["five_bid"], actor=deal["six_member"], end_date=engagement.start_date, reason="x")
    with pytest.raises(ValidationError) as error:
        engagement_end(bid=deal["five_bid"], actor=deal["five_member"],
                       end_date=engagement.start_date - dt.timedelta(days=1), reason="x")
    assert error.value.message_dict == {"end_date": [f"结束日期不能早于开始日期（{engagement.start_date}）。"]}
    ended = engagement_end(bid=deal["five_bid"], actor=provider_staff(deal["five"]),
                           end_date=engagement.start_date + dt.timedelta(days=60), reason="合同到期")
    assert ended.end_date == engagement.start_date + dt.timedelta(days=60)
    assert InquiryEvent.objects.filter(action="engagement_ended").values_list("reason", flat=True).get() == (
        f"{ended.end_date}: 合同到期")
    with pytest.raises(ValidationError):
        engagement_end(bid=deal["five_bid"], actor=deal["merchant"], end_date=ended.end_date, reason="again")

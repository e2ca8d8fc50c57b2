"""The provider portal in a real browser: an owner opens My rating, invites a colleague, and the colleague signs up
from the e-mail's link, confirms the address, joins and sees the portal. Screenshots at 1280 and 375 px, zh and en."""
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ratings.services import ratings_recompute
from tests.browser.conftest import SCREENSHOTS
from tests.factories import provider_staff, rated_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "owner-pass-2025"
PHONE = {"width": 375, "height": 800}


def _link(message, pattern):
    return re.search(rf"https?://[^/\s]+({pattern}\S*)", message.body).group(1)


def _shots(page, screenshot, name):
    """zh at 1280 and 375 px, then en at both (through the header's language switch), and back to zh."""
    for language, label, button in (("zh-hans", None, None), ("en", "语言", "切换")):
        if label:
            page.get_by_label(label).select_option(language)
            page.get_by_role("button", name=button).click()
            expect(page.locator("html")).to_have_attribute("lang", language)
        for width, size in (("1280", {"width": 1280, "height": 900}), ("375", PHONE)):
            page.set_viewport_size(size)
            screenshot(f"portal-{name}-{language}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_owner_invites_a_colleague_who_signs_up_and_joins(page, browser, live_server, screenshot):
    provider = rated_provider(stores=3, score="4.70", slug="qingshan", name="青山电商", name_en="Qingshan Commerce")
    ratings_recompute(as_of=timezone.localdate(), provider_ids=[provider.pk])
    owner = provider_staff(provider, username="qs_owner", role="owner")
    owner.set_password(PASSWORD)
    owner.save()

    page.goto(f"{live_server.url}/portal/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/portal/$"))
    page.locator("input[name=login]").fill(owner.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # One team: straight to My rating, with the tier, the composite and every gate against its threshold.
    expect(page).to_have_url(f"{live_server.url}/portal/qingshan/")
    expect(page.get_by_role("heading", name="青山电商", level=1)).to_be_visible()
    snapshot = provider.snapshots.get()
    expect(page.locator("[data-figure=composite]")).to_have_text(str(snapshot.composite))
    expect(page.locator(".portal-gates tbody tr")).to_have_count(len(snapshot.explanation["gates"]))
    expect(page.locator(".portal-stores")).to_contain_text(provider.engagements.first().store.name)
    _shots(page, screenshot, "rating")

    page.get_by_role("link", name="评价", exact=True).click()
    expect(page.get_by_role("heading", name="收到的评价")).to_be_visible()

    page.get_by_role("link", name="团队", exact=True).click()
    page.get_by_label("同事的邮箱").fill("Colleague.Wang@Example.com")
    page.get_by_label("角色").select_option("manager")
    page.get_by_role("button", name="发送邀请").click()
    expect(page.locator(".messages")).to_contain_text("邀请已发送")
    expect(page.locator("#invitations-heading + ul")).to_contain_text("colleague.wang@example.com · 管理员")
    _shots(page, screenshot, "team")

    [invitation] = mail.outbox
    assert invitation.to == ["colleague.wang@example.com"]
    link = _link(invitation, "/portal/invitations/")

    # The colleague, in a browser of their own, follows the link, signs up from it and confirms the address.
    colleague = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    colleague.goto(f"{live_server.url}{link}")
    expect(colleague.locator(".invitation")).to_contain_text("青山电商")
    colleague.get_by_role("link", name="注册").last.click()
    colleague.get_by_label("电子邮件").fill("colleague.wang@example.com")
    colleague.locator('input[name="password1"]').fill("Colleague-pass-42")
    colleague.locator('input[name="password2"]').fill("Colleague-pass-42")
    colleague.get_by_label("服务商", exact=True).check()
    colleague.get_by_role("button", name="注册").click()
    expect(colleague).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    confirmation = mail.outbox[-1]
    colleague.goto(f"{live_server.url}{_link(confirmation, '/accounts/confirm-email/')}")
    colleague.get_by_role("button", name="确认").click()

    # Back on the invitation (the sign-up kept ?next=), now signed in with the invited address: join.
    expect(colleague).to_have_url(f"{live_server.url}{link}")
    colleague.get_by_role("button", name="加入团队").click()
    expect(colleague).to_have_url(f"{live_server.url}/portal/qingshan/")
    expect(colleague.locator(".messages")).to_contain_text("你已加入 青山电商 的团队。")
    expect(colleague.locator(".portal__head")).to_contain_text("你的角色：管理员")
    expect(colleague.get_by_role("link", name="团队", exact=True)).to_be_visible()
    colleague.screenshot(path=str(SCREENSHOTS / "portal-joined-zh-1280.png"), full_page=True)

    # The owner sees the new manager in the team.
    page.reload()
    expect(page.locator(".portal-team")).to_contain_text("colleague.wang@example.com")

"""The account pages in a real browser: sign-up looks like the site, and a new merchant signs up and confirms."""
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_merchant_signs_up_confirms_the_address_and_is_signed_in(page, live_server, screenshot):
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", name="注册账号", level=1)).to_be_visible()
    # The site's header and stylesheet, not allauth's bare page.
    expect(page.locator(".site-header .brand__name")).to_have_text("代运营服务商目录")
    assert page.locator("form.card.form").evaluate("el => getComputedStyle(el).borderRadius") != "0px"
    screenshot("accounts-signup")

    page.get_by_label("电子邮件").fill("browser.merchant@example.com")
    page.locator('input[name="password1"]').fill("Browser-pass-42")
    page.locator('input[name="password2"]').fill("Browser-pass-42")
    page.get_by_label("商家", exact=True).check()
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    page.goto(f"{live_server.url}{link}")
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".site-tools")).to_contain_text("browser.merchant@example.com")

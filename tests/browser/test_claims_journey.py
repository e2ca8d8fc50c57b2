"""A merchant claims a store in Chromium, a data steward verifies it in the admin, the store shows under /me/."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "claims-pass-2025"


def tiny_png() -> bytes:
    from claims.demo import demo_png

    return demo_png().read()


@pytest.fixture
def people(live_server):
    from accounts.models import Account
    from tests.factories import STEWARDS, UserFactory, staff_user

    merchant = UserFactory(username="claim_merchant", password=PASSWORD)
    Account.objects.create(user=merchant, kind=Account.Kind.MERCHANT)
    steward = staff_user(STEWARDS, username="steward_wu")
    steward.set_password(PASSWORD)
    steward.save()
    return {"merchant": merchant, "steward": steward, "url": live_server.url}


def test_merchant_claims_a_store_and_a_steward_verifies_it(page, browser, people, screenshot):
    base = people["url"]
    page.goto(f"{base}/accounts/login/?next=/me/")
    page.locator("input[name=login]").fill("claim_merchant@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的店铺", level=1)).to_be_visible()
    expect(page.get_by_text("还没有核验通过的店铺。")).to_be_visible()

    page.get_by_role("link", name="认领店铺").click()
    expect(page.get_by_role("heading", name="认领店铺", level=1)).to_be_visible()
    page.get_by_label("平台", exact=False).and_(page.locator("select")).select_option("tmall")
    page.get_by_role("textbox", name="平台店铺ID").fill("TM-20250601")
    page.get_by_role("textbox", name="店铺名称").fill("花间集美妆旗舰店")
    # A lying extension first: refused with the reason, nothing kept.
    page.get_by_label("卖家后台截图").set_input_files(
        files=[{"name": "后台.pdf", "mimeType": "application/pdf", "buffer": tiny_png()}])
    page.get_by_role("button", name="提交认领").click()
    expect(page.get_by_text("文件扩展名 “.pdf” 与内容（image/png）不符。")).to_be_visible()
    screenshot("claims-01-form-error")
    page.get_by_label("卖家后台截图").set_input_files(
        files=[{"name": "后台.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.get_by_role("button", name="提交认领").click()
    expect(page.get_by_text("认领已提交，核验通过后店铺会出现在“我的店铺”中。")).to_be_visible()
    expect(page.locator(".mark--status-pending")).to_have_text("待审核")
    screenshot("claims-02-pending")

    # The steward, in a browser of their own, verifies it from the pending list.
    steward_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin = steward_context.new_page()
    admin.goto(f"{base}/admin/login/?next=/admin/claims/storeclaim/")
    admin.locator("input[name=username]").fill("steward_wu")
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("input[type=submit]").click()
    expect(admin.locator("#result_list")).to_contain_text("花间集美妆旗舰店")
    # The evidence opens through the permission-checked view.
    admin.locator("#result_list a").filter(has_text=re.compile(r"^\d+$")).first.click()
    evidence_link = admin.get_by_role("link", name="打开")
    expect(evidence_link).to_be_visible()
    evidence = admin.request.get(f"{base}{evidence_link.get_attribute('href')}")
    assert evidence.status == 200 and evidence.headers["content-type"] == "image/png"
    screenshot("claims-03-admin-detail", target=admin)
    admin.go_back()
    admin.locator("#result_list input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("verify_selected")
    admin.locator("button[name=index], input[name=index]").first.click()
    expect(admin.locator(".messagelist")).to_contain_text("已核验 1 条认领。")
    screenshot("claims-04-admin-verified", target=admin)
    steward_context.close()

    # The merchant sees the store as theirs.
    page.goto(f"{base}/me/")
    stores = page.locator("section[aria-labelledby=stores-heading]")
    expect(stores).to_contain_text("花间集美妆旗舰店")
    expect(stores).to_contain_text("TM-20250601")
    expect(page.locator(".mark--verified")).to_have_text("已核验")
    screenshot("claims-05-my-stores")

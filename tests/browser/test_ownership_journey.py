"""Accounts and ownership end to end in Chromium (issue 12), as a newcomer would go:

a merchant signs up, confirms the address from the mail, claims a store, a data steward verifies it, the merchant
reviews the provider that ran the store, resets the password, and deletes the account, after which the review
stays as "已注销用户"; provider staff sign up, claim their listing with its 统一社会信用代码, a grader approves it in
the admin, and the new owner opens the portal. The team, profile-change and case steps have journeys of their own
(test_portal_journey, test_profile_journey)."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Journey-pass-42"
NEW_PASSWORD = "Journey-new-pass-43"


def link_in(message, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", message.body).group(1)


def sign_up(page, base, email: str, kind: str):
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("电子邮件").fill(email)
    page.locator('input[name="password1"]').fill(PASSWORD)
    page.locator('input[name="password2"]').fill(PASSWORD)
    page.get_by_label(kind, exact=True).check()
    page.get_by_role("button", name="注册").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    confirmation = [m for m in mail.outbox if email in m.to][-1]
    page.goto(f"{base}{link_in(confirmation, '/accounts/confirm-email/')}")
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".site-tools")).to_contain_text(email)


def png() -> list[dict]:
    from claims.demo import demo_png

    return [{"name": "截图.png", "mimeType": "image/png", "buffer": demo_png().read()}]


@pytest.fixture
def world(live_server):
    from claims.uscc import org_code_check_character, uscc_check_character
    from tests.factories import GRADERS, STEWARDS, EngagementFactory, ProviderFactory, StoreFactory, staff_user

    provider = ProviderFactory(slug="lanjing", name="蓝鲸电商", name_en="Lanjing Commerce", platforms=["tmall"])
    store = StoreFactory(external_id="TM-88001", name="花间集美妆旗舰店")
    EngagementFactory(provider=provider, store=store, start_date=timezone.localdate() - dt.timedelta(days=200))
    grader = staff_user(GRADERS, username="grader_li")
    grader.set_password(PASSWORD)
    grader.save()
    first17 = "91330106" + "MA2B3C4D" + org_code_check_character("MA2B3C4D")
    return {"base": live_server.url, "provider": provider, "store": store, "grader": grader,
            "steward": staff_user(STEWARDS, username="steward_wu"), "code": first17 + uscc_check_character(first17)}


def test_a_merchant_and_a_provider_take_ownership_of_their_side(page, browser, world, screenshot):
    from claims.models import StoreClaim
    from claims.services import store_claim_verify
    from ratings.models import Review

    base = world["base"]
    sign_up(page, base, "new.merchant@example.com", "商家")

    page.goto(f"{base}/me/claims/new/")
    page.locator("#id_platform").select_option("tmall")
    page.get_by_label("平台店铺ID").fill("TM-88001")
    page.get_by_label("店铺名称").fill("花间集美妆旗舰店")
    page.get_by_label("卖家后台截图").set_input_files(files=png())
    page.get_by_role("button", name="提交认领").click()
    expect(page.locator(".mark--status-pending")).to_have_text("待审核")
    screenshot("ownership-01-claim-pending")
    # A data steward verifies it (the admin's own steps are in test_claims_journey).
    store_claim_verify(claim=StoreClaim.objects.get(), actor=world["steward"])

    page.goto(f"{base}/providers/lanjing/")
    page.get_by_role("link", name="写评价").click()
    page.get_by_label("5 分 · 非常满意").check()
    page.get_by_label("标题").fill("交接清楚，运营稳定")
    page.get_by_label("评价内容").fill("合作半年，店铺评分稳步提升，沟通及时。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("评价已提交，审核通过后将公开展示。")).to_be_visible()
    review = Review.objects.get(author__email="new.merchant@example.com")
    assert (review.verified, review.store_id) == (True, world["store"].pk)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PUBLISHED)

    # Forgotten password: reset from the mail's link, then sign in with the new one.
    page.locator(".site-tools").get_by_role("button", name="退出").click()
    page.goto(f"{base}/accounts/password/reset/")
    page.get_by_label("电子邮件").fill("new.merchant@example.com")
    page.get_by_role("button", name=re.compile("重置")).click()
    reset = [m for m in mail.outbox if "new.merchant@example.com" in m.to][-1]
    page.goto(f"{base}{link_in(reset, '/accounts/password/reset/key/')}")
    page.locator('input[name="password1"]').fill(NEW_PASSWORD)
    page.locator('input[name="password2"]').fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("修改密码|设置密码|更改密码")).click()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill("new.merchant@example.com")
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".site-tools")).to_contain_text("new.merchant@example.com")

    # Deleting the account keeps the review, anonymised.
    page.goto(f"{base}/accounts/delete/")
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("注销")).click()
    page.goto(f"{base}/providers/lanjing/")
    published = page.locator(f"#review-{review.pk}")
    expect(published).to_contain_text("交接清楚，运营稳定")
    expect(published).to_contain_text("已注销用户")
    assert "new.merchant" not in page.content()
    screenshot("ownership-02-review-anonymised")

    # Provider staff, in a browser of their own: sign up, claim the listing, get approved, open the portal.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_up(staff, base, "owner@lanjing.example", "服务商")
    staff.goto(f"{base}/me/provider-claims/new/")
    staff.get_by_label("服务商标识").fill("lanjing")
    wrong = world["code"][:-1] + ("0" if world["code"][-1] != "0" else "1")
    staff.get_by_label("统一社会信用代码").fill(wrong)
    staff.get_by_label("营业执照").set_input_files(files=png())
    staff.get_by_role("button", name=re.compile("提交")).click()
    expect(staff.locator(".field__error").first).to_contain_text("第 18 位校验码应为")
    staff.get_by_label("统一社会信用代码").fill(world["code"])
    staff.get_by_label("营业执照").set_input_files(files=png())
    staff.get_by_role("button", name=re.compile("提交")).click()
    expect(staff.locator(".mark--status-pending")).to_have_text("待审核")
    staff.screenshot(path=str(SCREENSHOTS / "ownership-03-provider-claim.png"), full_page=True)

    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    admin.goto(f"{base}/admin/login/?next=/admin/claims/providerclaim/")
    admin.locator("input[name=username]").fill("grader_li")
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("input[type=submit]").click()
    expect(admin.locator("#result_list")).to_contain_text("蓝鲸电商")
    admin.locator("#result_list input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("verify_selected")
    admin.locator("button[name=index], input[name=index]").first.click()
    expect(admin.locator(".messagelist")).to_contain_text("1")

    staff.goto(f"{base}/portal/")
    expect(staff).to_have_url(f"{base}/portal/lanjing/")
    expect(staff.locator(".portal__head")).to_contain_text("所有者")
    world["provider"].refresh_from_db()
    assert list(world["provider"].memberships.values_list("user__email", "role")) == [
        ("owner@lanjing.example", "owner")]

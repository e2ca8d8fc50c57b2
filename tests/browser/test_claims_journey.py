"""A merchant claims a store in Chromium, a data steward verifies it in the admin, the store shows under /me/."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "claims-pass-2025"


def tiny_png() -> bytes:
    from claims.demo import demo_png

    return demo_png().read()


@pytest.fixture(autouse=True)
def _roles(live_server):
    """The roles' claims permissions: an earlier transactional test may have emptied the tables (permissions and
    content types included), so they are made again as claims' migration grants them."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if Group.objects.filter(name="Graders", permissions__codename="decide_providerclaim").exists():
        return
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    # The claims grants are all these journeys need of the two roles.
    for name, perms in import_module("claims.migrations.0002_roles").GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


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


def test_provider_staff_claim_a_provider_with_its_credit_code_and_a_grader_approves(page, browser, live_server,
                                                                                    screenshot):
    from accounts.models import Account
    from providers.models import Membership
    from tests.factories import GRADERS, ProviderFactory, UserFactory, staff_user

    provider = ProviderFactory(slug="xinghai", name="星海电商")
    staff = UserFactory(username="xinghai_boss", password=PASSWORD)
    Account.objects.create(user=staff, kind=Account.Kind.PROVIDER_STAFF)
    grader = staff_user(GRADERS, username="grader_he")
    grader.set_password(PASSWORD)
    grader.save()
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/me/provider-claims/new/%3Fprovider%3Dxinghai")
    page.locator("input[name=login]").fill("xinghai_boss@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="认领服务商", level=1)).to_be_visible()
    expect(page.get_by_role("textbox", name="服务商标识")).to_have_value("xinghai")
    page.get_by_role("textbox", name="统一社会信用代码").fill("91350100M000100Y44")  # last character mistyped
    page.get_by_label("营业执照").set_input_files(
        files=[{"name": "执照.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.get_by_role("button", name="提交认领").click()
    expect(page.get_by_text("第 18 位校验码应为“3”，而不是“4”：请核对代码是否抄错。")).to_be_visible()
    screenshot("claims-06-provider-code-error")
    page.get_by_role("textbox", name="统一社会信用代码").fill("91350100M000100Y43")
    page.get_by_label("营业执照").set_input_files(
        files=[{"name": "执照.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.get_by_role("button", name="提交认领").click()
    expect(page.get_by_text("认领已提交，评级人员审核通过后您将成为该服务商的所有者。")).to_be_visible()
    expect(page.locator(".mark--status-pending")).to_have_text("待审核")
    screenshot("claims-07-provider-claim-pending")

    grader_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin = grader_context.new_page()
    admin.goto(f"{base}/admin/login/?next=/admin/claims/providerclaim/")
    admin.locator("input[name=username]").fill("grader_he")
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("input[type=submit]").click()
    expect(admin.locator("#result_list")).to_contain_text("91350100M000100Y43")
    admin.locator("#result_list input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("verify_selected")
    admin.locator("button[name=index], input[name=index]").first.click()
    expect(admin.locator(".messagelist")).to_contain_text("已核验 1 条认领。")
    grader_context.close()

    page.reload()
    expect(page.locator(".mark--verified")).to_have_text("已核验")
    assert Membership.objects.get(provider=provider, user=staff).role == "owner"
    expect(page.get_by_role("link", name="进入服务商后台")).to_have_attribute("href", "/portal/")
    screenshot("claims-08-provider-claim-approved")

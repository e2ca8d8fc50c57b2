"""In Chromium: a merchant files a complaint, the provider's manager answers in the portal, a moderator upholds it
in the admin, and the provider's page shows the violation and its warning mark."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "conduct-pass-2025"


@pytest.fixture
def people(live_server):
    """The conduct policy and role grants as the migrations load them (an earlier transactional test may have
    emptied the tables), and the three people of the journey."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from accounts.models import Account
    from conduct.models import ConductPolicy
    from tests.factories import MODERATORS, EngagementFactory, ProviderFactory, StoreFactory, UserFactory, staff_user

    if not ConductPolicy.objects.exists():
        import_module("conduct.migrations.0002_policy_v1").load(apps, None)
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    import_module("conduct.migrations.0003_roles").grant(apps, None)
    provider = ProviderFactory(slug="xinghai", name="星海电商")
    store = StoreFactory(name="花间集美妆旗舰店")
    EngagementFactory(provider=provider, store=store)
    merchant = UserFactory(username="conduct_merchant", password=PASSWORD)
    Account.objects.create(user=merchant, kind=Account.Kind.MERCHANT)
    store.merchants.add(merchant)
    manager = UserFactory(username="xinghai_manager", password=PASSWORD)
    Account.objects.create(user=manager, kind=Account.Kind.PROVIDER_STAFF)
    provider.members.add(manager, through_defaults={"role": "manager"})
    moderator = staff_user(MODERATORS, username="moderator_li")
    moderator.set_password(PASSWORD)
    moderator.save()
    return {"url": live_server.url, "engagement": provider.engagements.get()}


def sign_in(page, base, email, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_complaint_answered_upheld_and_shown_on_the_provider_page(page, browser, people, screenshot):
    base = people["url"]
    sign_in(page, base, "conduct_merchant@example.com", f"/complaints/new/{people['engagement'].pk}/")
    expect(page.get_by_role("heading", name="提交投诉", level=1)).to_be_visible()
    page.get_by_label("投诉类型").select_option("over_promise")
    page.get_by_label("投诉内容").fill("签约时保证月销 50 万，三个月不到 5 万。")
    screenshot("conduct-01-complaint-form")
    page.get_by_role("button", name="提交投诉").click()
    expect(page.get_by_role("heading", name="我的投诉", level=1)).to_be_visible()
    expect(page.locator("table")).to_contain_text("待答复")

    provider_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    portal = provider_context.new_page()
    sign_in(portal, base, "xinghai_manager@example.com", "/portal/xinghai/complaints/")
    expect(portal.get_by_role("heading", name="商家投诉")).to_be_visible()
    expect(portal.locator("body")).not_to_contain_text("conduct_merchant")
    portal.get_by_label("答复").fill("已联系商家，合同未承诺销量。")
    portal.get_by_role("button", name="提交答复").click()
    expect(portal.locator("article.complaint h3")).to_contain_text("已答复")
    screenshot("conduct-02-portal-answered", target=portal)
    provider_context.close()

    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin = staff_context.new_page()
    admin.goto(f"{base}/admin/login/?next=/admin/conduct/complaint/")
    admin.locator("input[name=username]").fill("moderator_li")
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.locator("#result_list input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("uphold_selected")
    admin.locator("button[name=index], input[name=index]").first.click()
    admin.get_by_label("理由").fill("聊天记录中有“保证月销 50 万”的承诺。")
    admin.get_by_role("button", name="确认").click()
    expect(admin.locator(".messagelist")).to_contain_text("已处理 1 条。")
    screenshot("conduct-03-admin-upheld", target=admin)
    staff_context.close()

    page.goto(f"{base}/providers/xinghai/")
    box = page.locator("#conduct")
    expect(box).to_contain_text("服务警告")
    expect(box).to_contain_text("本年违规积分 12 分")
    expect(box).to_contain_text("过度承诺（保证销量、流量、排名或 ROI）")
    expect(page.locator(".mark--risk", has_text="服务警告")).to_be_visible()
    screenshot("conduct-04-provider-page", target=box)

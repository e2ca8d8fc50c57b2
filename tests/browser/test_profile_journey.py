"""Profile changes and cases in a real browser (issue #12, profiles): a provider's manager submits a new description
with "not accepting new clients" and a case study in the portal; the public page stays as it was until a grader
approves both in the admin, then shows the new description and the case. Screenshots in zh and en."""
import re

import pytest
from playwright.sync_api import expect

from tests.factories import GRADERS, ProviderFactory, provider_staff, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "profile-pass-2025"
OLD = "旧简介：专注天猫美妆店铺运营。"
NEW = "新简介：天猫与抖音美妆店铺全案运营，十人团队。"
CASE = "美妆店铺三个月翻倍"


@pytest.fixture(autouse=True)
def _roles(live_server):
    """The admin roles and the graders' profiles permissions, which an earlier transactional test may have emptied."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=GRADERS, permissions__codename="change_profilechange").exists():
        import_module("providers.migrations.0005_roles").create_roles(apps, None)
        import_module("profiles.migrations.0002_roles").grant(apps, None)


@pytest.fixture
def people(live_server):
    provider = ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai Commerce", description=OLD,
                               platforms=["tmall"], categories=["beauty"], services=["operation"])
    manager = provider_staff(provider, username="xh_manager", role="manager")
    grader = staff_user(GRADERS, username="grader_li")
    for user in (manager, grader):
        user.set_password(PASSWORD)
        user.save()
    return provider, manager


def _switch(page, language):
    label, button = ("语言", "切换") if language == "en" else ("Language", "Switch")
    page.get_by_label(label).select_option(language)
    page.get_by_role("button", name=button).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _shots_zh_en(page, screenshot, name):
    screenshot(f"profiles-{name}-zh-hans")
    _switch(page, "en")
    screenshot(f"profiles-{name}-en")
    _switch(page, "zh-hans")


def _decide(admin, base, model, pk, button):
    admin.goto(f"{base}/admin/profiles/{model}/{pk}/change/")
    admin.locator("#decide").get_by_role("button", name=button).click()
    expect(admin.locator(".messagelist")).to_be_visible()


def test_manager_submits_a_profile_change_and_a_case_that_show_once_a_grader_approves(
        page, browser, live_server, screenshot, people):
    from profiles.models import Case, ProfileChange

    provider, manager = people
    base = live_server.url
    public = f"{base}{provider.get_absolute_url()}"

    page.goto(f"{base}/accounts/login/?next=/portal/xinghai/profile/")
    page.locator("input[name=login]").fill(manager.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/portal/xinghai/profile/")
    nav = page.locator(".portal__nav")
    expect(nav.get_by_role("link", name="资料", exact=True)).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="平台资质", exact=True)).to_be_visible()

    # The profile change: a new description and no new clients for now.
    page.locator("textarea[name=description]").fill(NEW)
    page.locator("input[name=accepting_new_clients]").uncheck()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".messages")).to_contain_text("资料修改已提交，评级审核员通过后才会公开。")
    pending = page.locator("#pending-change")
    expect(pending).to_contain_text(NEW)
    expect(pending).to_contain_text(OLD)
    _shots_zh_en(page, screenshot, "portal-profile")

    # The case.
    nav.get_by_role("link", name="案例", exact=True).click()
    expect(page).to_have_url(f"{base}/portal/xinghai/cases/")
    form = page.locator("form.form")
    form.locator("input[name=title]").fill(CASE)
    form.locator("select[name=platform]").select_option(label="天猫")
    form.locator("select[name=category]").select_option(label="美妆个护")
    form.locator("input[name=period_start]").fill("2025-01")
    form.locator("input[name=period_end]").fill("2025-03")
    form.locator("textarea[name=work_done]").fill("重做详情页与直播排期")
    form.locator("textarea[name=result]").fill("成交额翻倍")
    form.get_by_role("button", name="提交审核").click()
    expect(page.locator(".messages")).to_contain_text("案例已提交，审核通过后展示在公开主页。")
    case = Case.objects.get()
    expect(page.locator(f"#case-status-{case.pk}")).to_contain_text(CASE)
    _shots_zh_en(page, screenshot, "portal-cases")

    # Nothing public yet.
    page.goto(public)
    expect(page.locator("main")).to_contain_text(OLD)
    expect(page.locator("main")).not_to_contain_text(NEW)
    expect(page.locator("main")).not_to_contain_text(CASE)

    # The grader approves both in the admin.
    change = ProfileChange.objects.get()
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    admin.goto(f"{base}/admin/login/?next=/admin/profiles/profilechange/")
    admin.locator("input[name=username]").fill("grader_li")
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.goto(f"{base}/admin/profiles/profilechange/{change.pk}/change/")
    expect(admin.locator("#profile-diff")).to_contain_text(NEW)
    screenshot("profiles-admin-change", target=admin)
    _decide(admin, base, "profilechange", change.pk, "通过并生效")
    _decide(admin, base, "case", case.pk, "通过并发布")
    change.refresh_from_db()
    case.refresh_from_db()
    assert (change.status, case.status) == ("approved", "published")

    # The public page now shows the new description, no new clients, and the case.
    page.goto(public)
    main = page.locator("main")
    expect(main).to_contain_text(NEW)
    expect(main).not_to_contain_text(OLD)
    expect(main).to_contain_text("暂不接受")
    expect(main).to_contain_text(CASE)
    expect(main).to_contain_text("成交额翻倍")
    screenshot("profiles-public-zh-hans")
    _switch(page, "en")
    expect(page.locator("main")).to_contain_text("Not at the moment")
    expect(page.locator("main")).to_contain_text(CASE)
    screenshot("profiles-public-en")
    _switch(page, "zh-hans")
    assert re.search(r"/providers/xinghai/$", page.url)

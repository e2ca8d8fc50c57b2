"""axe-core on every page issue 16 names (home, directory, provider, compare, tiers, review form) and every page of
the provider's portal, in both languages: no serious or critical violation.

The pages carry content, so the checks see what a team sees on a working day: a review to answer or appeal, an
open request (the proposal form) and one with a proposal and messages, a complaint to answer and a violation to
appeal, a pending profile change, credential and case, and an open team invitation.
"""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.browser.axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Axe-pass-2026"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def site(live_server):
    from conduct.complaints import complaint_file
    from conduct.services import violation_record
    from inquiries.services import bid_propose, message_post, request_create
    from portal.services import invitation_create
    from profiles.services import case_submit, credential_submit, profile_change_submit
    from ratings.services import ratings_recompute
    from tests.factories import (
        EngagementFactory,
        ReviewFactory,
        StoreFactory,
        UserFactory,
        category,
        platform,
        provider_staff,
        rated_provider,
    )

    today = timezone.localdate()
    provider = rated_provider(stores=3, score="4.60", slug="axe-one", name="无障碍电商", name_en="Axe Commerce",
                              platforms=["tmall"], categories=["apparel"])
    rated_provider(stores=2, score="4.20", slug="axe-two", name="第二电商", name_en="Second Commerce")
    ReviewFactory(provider=provider, store=provider.engagements.first().store, created_at=today - dt.timedelta(days=5),
                  title="沟通及时", body="运营很用心，有事可拨 13812345678 找店长。")
    ratings_recompute(as_of=today)
    owner = provider_staff(provider, username="axe_owner", role="owner")
    merchant = UserFactory(username="axe_merchant")
    store = StoreFactory()
    store.merchants.add(merchant)
    engagement = EngagementFactory(provider=provider, store=store, start_date=today - dt.timedelta(days=90))
    for user in (owner, merchant):
        user.set_password(PASSWORD)
        user.save()
    membership = provider.memberships.get(user=owner)
    tmall, apparel = platform("tmall"), category("apparel")

    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)

    def ask(description):
        return request_create(merchant=merchant, platform=tmall, category=apparel, services=[], budget_min=10000,
                              budget_max=30000, start_month=next_month, term_months=12, description=description,
                              store=store, provider_ids=[provider.pk]).bids.get()

    invited = ask("女装店铺想做会员复购，预算每月两万左右。")
    proposed = ask("新品季需要直播排期与投放。")
    bid_propose(bid=proposed, author=owner, monthly_fee=20000, term_months=12,
                commitments="每月复盘一次，微信 axe_shop01 随时沟通。", message="期待合作。")
    message_post(bid=proposed, author=merchant, body="请问 13812345678 可以直接联系吗？")

    complaint_file(merchant=merchant, engagement=engagement, violation_type="over_promise",
                   description="承诺保证销量，没有兑现。电话 13812345678。")
    violation_record(provider=provider, violation_type="complaint_ignored", occurred_on=today - dt.timedelta(days=20),
                     decided_on=today - dt.timedelta(days=10), reference="AXE-V1", source="admin")

    profile_change_submit(membership=membership, values={"description": "女装与童装店铺全案运营，十人团队。"})
    credential_submit(membership=membership, platform=tmall, kind="tmall_star", level="五星",
                      period_start=today.replace(month=1, day=1), period_end=today.replace(month=12, day=31),
                      evidence=SimpleUploadedFile("credential.png", PNG, content_type="image/png"))
    case_submit(membership=membership, title="女装店铺半年复购提升", platform=tmall, category=apparel,
                period_start=today - dt.timedelta(days=300), period_end=today - dt.timedelta(days=120),
                work_done="重做会员体系，客服电话 0571-88886666。", result="复购率由 18% 提升到 27%。", store=store)
    _invitation, token = invitation_create(actor=membership, email="axe_new@example.com", role="member",
                                           accept_url=f"{live_server.url}/portal/invitations/{{token}}/")
    return {"base": live_server.url, "invited": invited, "proposed": proposed, "token": token}


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=login]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_violation_on_the_merchant_and_portal_pages(page, site, language, screenshot):
    base = site["base"]
    portal = "/portal/axe-one"
    invited, proposed = f"{portal}/requests/{site['invited'].pk}/", f"{portal}/requests/{site['proposed'].pk}/"
    # What each page with the fixture's content must show, so an emptied page cannot pass unchecked.
    content = {
        f"/portal/invitations/{site['token']}/": (".card",),
        f"/requests/{site['proposed'].request_id}/": ("form[action$='/accept/']",),
        "/me/cases/": ("form[action*='/me/cases/']",),
        f"{portal}/reviews/": ("summary",),
        f"{portal}/team/": ("form[action*='/revoke/']",),
        f"{portal}/requests/": (f"a[href='{invited}']",),
        invited: ("form input[name=monthly_fee]",),
        proposed: ("form textarea[name=body]",),
        f"{portal}/complaints/": ("form textarea[name=answer]", "form textarea[name=reason]"),
        f"{portal}/profile/": ("form",),
        f"{portal}/credentials/": ("tr[id^=credential-]",),
        f"{portal}/cases/": (".case-status",),
    }
    problems = {}

    def check(*paths, shots=()):
        for path in paths:
            assert page.goto(f"{base}{path}").status == 200, path
            for selector in content.get(path, ()):
                assert page.locator(selector).count() >= 1, (path, selector)
            found = serious_violations(page)
            if found:
                problems[path] = found
            if path in shots:
                screenshot(f"axe-{path.strip('/').replace('/', '-')}-{language}")

    def as_visitor():
        page.context.clear_cookies()
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    as_visitor()
    check("/", "/providers/", "/providers/?q=电商&platform=tmall", "/providers/axe-one/",
          "/compare/?p=axe-one,axe-two", "/tiers/", f"/portal/invitations/{site['token']}/")
    sign_in(page, base, "axe_merchant@example.com")
    check("/providers/axe-one/reviews/new/", "/requests/new/?provider=axe-one", "/me/", "/requests/",
          f"/requests/{site['proposed'].request_id}/", "/complaints/", "/me/cases/")
    as_visitor()
    sign_in(page, base, "axe_owner@example.com")
    check(f"{portal}/", f"{portal}/reviews/", f"{portal}/team/", f"{portal}/requests/", invited, proposed,
          f"{portal}/complaints/", f"{portal}/profile/", f"{portal}/credentials/", f"{portal}/cases/",
          shots=(invited, f"{portal}/complaints/"))
    assert problems == {}

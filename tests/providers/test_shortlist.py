"""The compare shortlist (providers.shortlist, compare_change_view, the tray): in the session for every visitor, in
the database for signed-in users, merged on sign-in, never shown to anyone else."""
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from providers.models import ShortlistEntry
from tests.factories import ProviderFactory, UserFactory

LIST_URL = reverse("providers:list")
COMPARE_URL = reverse("providers:compare")
CHANGE_URL = reverse("providers:compare_change")


def add(client, slug, **extra):
    return client.post(CHANGE_URL, {"slug": slug, "action": "add", "next": LIST_URL, **extra})


def tray(client, url=LIST_URL, **params) -> str:
    return client.get(url, params).content.decode().split('id="compare-tray"', 1)[1].split("</section>", 1)[0]


def saved(user) -> list[str]:
    return list(ShortlistEntry.objects.filter(user=user).order_by("added_at", "pk")
                .values_list("provider__slug", flat=True))


@pytest.fixture
def many(db):
    """25 listed providers (two directory pages), names 服务商00–服务商24, best score first."""
    return [
        ProviderFactory(slug=f"p{i:02d}", name=f"服务商{i:02d}", tier=4, score=Decimal("4.50") - Decimal(i) / 100)
        for i in range(25)
    ]


# Anonymous visitors: the session --------------------------------------------------------------------------------


def test_shortlist_survives_paging_and_searching(client, many):
    add(client, "p01")
    add(client, "p22")  # a card of page 2

    page_two = tray(client, page="2")
    searched = tray(client, q="服务商0")

    for html in (page_two, searched):
        assert "服务商01" in html and "服务商22" in html
        assert '<span class="compare-tray__count">已选 2/4</span>' in html
        assert 'data-shortlist="p01 p22"' in html
    assert client.session["compare"] == ["p01", "p22"]
    assert client.get(COMPARE_URL)["Location"] == f"{COMPARE_URL}?p=p01%2Cp22"


def test_no_script_add_returns_to_the_card_and_says_what_happened(client, many):
    response = client.post(CHANGE_URL, {"slug": "p03", "next": "/providers/?page=1", "anchor": "card"}, follow=True)

    assert response.redirect_chain == [("/providers/?page=1#provider-p03", 302)]
    assert "已加入对比。" in response.content.decode()


def test_adding_twice_keeps_one_and_the_fifth_is_refused(client, many):
    for slug in ("p00", "p01", "p02", "p02", "p03"):
        add(client, slug)

    response = add(client, "p04")

    assert client.session["compare"] == ["p00", "p01", "p02", "p03"]
    assert [str(m) for m in response.wsgi_request._messages][-1] == "最多同时对比 4 家服务商，请先移除一家。"


def test_unknown_and_delisted_providers_are_not_added(client, demo):
    for slug in ("nobody", "beichen", "nanshan"):  # beichen is delisted, nanshan suspended
        response = add(client, slug, anchor="card")
        assert response["Location"] == f"{LIST_URL}#provider-{slug}"

    assert client.session.get("compare", []) == []


def test_bad_change_requests_get_a_clear_error(client, demo):
    wrong_action = client.post(CHANGE_URL, {"slug": "xinghai", "action": "toggle"})
    no_slug = client.post(CHANGE_URL, {"action": "add"})

    assert wrong_action.status_code == 400
    assert wrong_action.content.decode() == "action 只能是 add、remove、clear 或 replace。"
    assert no_slug.status_code == 400 and no_slug.content.decode() == "缺少 slug：要加入或移出对比的服务商。"


def test_an_offsite_next_and_a_bad_slug_anchor_are_dropped(client, demo):
    response = client.post(CHANGE_URL, {"slug": "xinghai", "next": "https://evil.example.com/", "anchor": "card"})
    odd = client.post(CHANGE_URL, {"slug": 'x"><script>', "next": LIST_URL, "anchor": "card"})

    assert response["Location"] == f"{COMPARE_URL}#provider-xinghai"
    assert odd["Location"] == LIST_URL


def test_script_gets_json_with_the_new_tray(client, demo):
    response = client.post(CHANGE_URL, {"slug": "yunfan", "next": "/providers/?tier=5"},
                           HTTP_ACCEPT="application/json")

    data = response.json()
    assert (data["change"], data["message"], data["shortlist"]) == ("added", "已加入对比。", ["yunfan"])
    assert 'data-shortlist="yunfan"' in data["tray"] and "云帆运营" in data["tray"]
    assert '<input type="hidden" name="next" value="/providers/?tier=5">' in data["tray"]
    assert not list(response.wsgi_request._messages)  # said in the JSON, not again on the next page


def test_shared_compare_link_leaves_the_shortlist_until_saved(client, demo):
    add(client, "qinghe")

    shared = client.get(COMPARE_URL, {"p": "xinghai,yunfan"}).content.decode()
    assert client.session["compare"] == ["qinghe"]
    assert "保存为我的对比清单" in shared and "不看这家" in shared and 'value="clear"' not in shared

    client.post(CHANGE_URL, {"action": "replace", "p": ["xinghai", "yunfan", "nobody"], "next": COMPARE_URL})
    own = client.get(f"{COMPARE_URL}?p=xinghai%2Cyunfan").content.decode()

    assert client.session["compare"] == ["xinghai", "yunfan"]
    assert "保存为我的对比清单" not in own and 'value="clear"' in own and 'value="remove"' in own
    client.post(CHANGE_URL, {"action": "clear"})
    assert client.session["compare"] == []


def test_header_shows_the_count_on_every_page(client, demo):
    assert '<span class="nav-count" data-shortlist-count hidden>' in client.get(reverse("home")).content.decode()
    add(client, "xinghai")
    add(client, "yunfan")

    for url in (reverse("home"), reverse("ratings:tiers"), LIST_URL):
        html = client.get(url).content.decode()
        assert ('<span class="nav-count" data-shortlist-count><span class="visually-hidden">（</span>'
                '<span class="nav-count__number">2</span>') in html, url


# Signed-in users: the database, merged on sign-in ----------------------------------------------------------------


def test_signed_in_changes_are_saved_and_follow_the_account_to_a_new_browser(demo):
    user = UserFactory()
    first = Client()
    first.force_login(user)
    add(first, "xinghai")
    add(first, "yunfan")
    first.post(CHANGE_URL, {"slug": "xinghai", "action": "remove"})
    add(first, "qinghe")

    assert saved(user) == ["yunfan", "qinghe"]
    later = Client()
    later.force_login(user)
    assert later.session["compare"] == ["yunfan", "qinghe"]
    assert "云帆运营" in tray(later) and "青禾品牌管理" in tray(later)


def test_sign_in_merges_the_list_picked_before_into_the_saved_one(demo, many):
    user = UserFactory()
    ShortlistEntry.objects.create(user=user, provider=demo["xinghai"])
    ShortlistEntry.objects.create(user=user, provider=demo["yunfan"])
    client = Client()
    for slug in ("yunfan", "p00", "p01", "p02"):  # yunfan is saved already; only two more fit
        add(client, slug)

    client.force_login(user)

    assert saved(user) == ["xinghai", "yunfan", "p00", "p01"]
    assert client.session["compare"] == ["xinghai", "yunfan", "p00", "p01"]


def test_signed_in_limit_holds_in_the_database(demo, many):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    for slug in ("p00", "p01", "p02", "p03", "p04"):
        add(client, slug)

    assert saved(user) == ["p00", "p01", "p02", "p03"]


def test_one_users_shortlist_is_never_shown_to_another(demo):
    alice, bob = UserFactory(), UserFactory()
    as_alice, as_bob, anonymous = Client(), Client(), Client()
    as_alice.force_login(alice)
    as_bob.force_login(bob)
    add(as_alice, "xinghai")

    # Bob (and a visitor) see an empty tray, an empty comparison and no count; Bob's remove leaves Alice's row.
    for other in (as_bob, anonymous):
        assert "星海电商" not in tray(other)
        assert 'data-shortlist=""' in tray(other)
        assert "还没有选择要对比的服务商" in other.get(COMPARE_URL).content.decode()
    as_bob.post(CHANGE_URL, {"slug": "xinghai", "action": "remove"})
    as_bob.post(CHANGE_URL, {"action": "clear"})
    assert saved(alice) == ["xinghai"] and saved(bob) == []
    # Alice herself still has it, after signing out and in again.
    as_alice.logout()
    assert "星海电商" not in tray(as_alice)
    as_alice.force_login(alice)
    assert "星海电商" in tray(as_alice)


def test_account_export_lists_the_shortlist(demo):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    add(client, "yunfan")

    assert client.get(reverse("account-export")).json()["shortlist"] == [{"slug": "yunfan", "name": "云帆运营"}]


# Query counts ----------------------------------------------------------------------------------------------------


def test_directory_with_a_tray_query_count_is_fixed(client, many, django_assert_num_queries):
    for slug in ("p00", "p10", "p20"):
        add(client, slug)
    client.get(reverse("ratings:tiers"))  # shows (and so clears) the "added" messages

    # the page with its match count, the city list, the cards' platform and service links (one query) and their
    # platform credentials, the filter form's 3 choice lists; the tray adds two: the session and the shortlisted
    # names (the header's count reads the same session)
    with django_assert_num_queries(9):
        assert client.get(LIST_URL, {"page": "2"}).status_code == 200


def test_home_with_a_shortlist_adds_only_the_session(client, demo, django_assert_num_queries):
    add(client, "xinghai")
    client.get(reverse("ratings:tiers"))  # shows (and so clears) the "added" message

    # policy, gates, gate services, top per tier, top per platform; the session for the header's count
    with django_assert_num_queries(6):
        assert client.get(reverse("home")).status_code == 200


def test_compare_of_the_shortlist_query_count_is_fixed(many, django_assert_max_num_queries):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    for slug in ("p00", "p01", "p02", "p03"):
        add(client, slug)

    # session, user, providers, 3 prefetches, snapshots, platform credentials, service names
    with django_assert_max_num_queries(9):
        assert client.get(f"{COMPARE_URL}?p=p00%2Cp01%2Cp02%2Cp03").status_code == 200


def test_signed_in_add_query_count_is_fixed(demo, django_assert_num_queries):
    user = UserFactory()
    client = Client()
    client.force_login(user)

    # session, provider, user; savepoint, the user's rows locked, insert, release; the saved list reloaded; the
    # session saved (savepoint, update, release)
    with django_assert_num_queries(11):
        add(client, "xinghai")

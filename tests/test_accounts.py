"""Sign-in: one lockout for the site and the admin, counted by normalised account name and trusted client address.

The site signs in by e-mail (django-allauth's `login` field), the admin by user name; an e-mail of a known account
counts as that account's name, so the two pages share one throttle and one lockout.

The per-minute throttle (django-ratelimit) and the lockout (django-axes) are separate layers; tests of the lockout
switch the throttle off (RATELIMIT_ENABLE=False), as if the attacker waited out every minute. Lockout state lives
in the database, so each test starts unlocked. Names and addresses are unique per test, since with Redis the
throttle's counters outlive a test.
"""
import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from config.accounts import client_ip, normalise_email, normalise_username
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-42"


def email_of(username):
    return f"{username.lower()}@example.com"


def staff(username):
    user = UserFactory(username=username, email=email_of(username), is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def member(username):
    user = UserFactory(username=username, email=email_of(username))
    user.set_password(PASSWORD)
    user.save()
    return user


def post(client, url, username, password, **extra):
    """A sign-in attempt: the admin's page takes the user name, the site's (allauth) the e-mail as `login`."""
    field = "login" if url == reverse("login") else "username"
    return client.post(url, {field: username, "password": password}, **extra)


def site(client, email, password, **extra):
    return post(client, reverse("login"), email, password, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def no_throttle(settings):
    settings.RATELIMIT_ENABLE = False


# --- Normalisation ---------------------------------------------------------------------------------------------------

def test_names_are_nfkc_normalised_and_trimmed_but_keep_their_case():
    assert normalise_username("  merB  ") == "merB"
    assert normalise_username("\u3000ｍｅｒＢ ") == "merB"  # ideographic space, full-width letters
    assert normalise_username("MerB") == "MerB"
    assert normalise_username(None) == ""


def test_emails_are_nfkc_normalised_trimmed_and_lower_cased():
    assert normalise_email("  Mer.B@Example.COM ") == "mer.b@example.com"
    assert normalise_email("ｍｅｒＢ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "merb@example.com"


def test_authenticate_finds_the_account_by_its_normalised_name():
    user = member("merB")
    request = RequestFactory().post("/accounts/login/")

    assert authenticate(request, username=" ｍｅｒＢ ", password=PASSWORD) == user
    assert authenticate(request, username="merb", password=PASSWORD) is None  # names stay case-sensitive


def test_a_full_width_padded_upper_case_email_signs_in_on_the_site_page(client):
    member("merB")

    response = site(client, " ｍｅｒＢ＠ＥＸＡＭＰＬＥ．ｃｏｍ ", PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_padded_and_full_width_emails_share_the_per_minute_throttle(client):
    member("throttleB")
    for n in range(5):
        assert site(client, "throttleb@example.com", "wrong", REMOTE_ADDR=f"10.1.0.{n}").status_code == 200

    assert site(client, "  ThrottleB@Example.com  ", "wrong", REMOTE_ADDR="10.1.0.10").status_code == 429
    assert site(client, "ｔｈｒｏｔｔｌｅＢ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wrong", REMOTE_ADDR="10.1.0.11").status_code == 429


def test_the_admin_sign_in_shares_the_site_throttle(client):
    staff("throttle-admin")
    for n in range(5):
        assert site(client, email_of("throttle-admin"), "wrong", REMOTE_ADDR=f"10.2.0.{n}").status_code == 200

    response = post(client, reverse("admin:login"), "throttle-admin", PASSWORD, REMOTE_ADDR="10.2.0.9")

    assert response.status_code == 429 and not signed_in(client)


def test_the_admin_user_form_stores_the_email_normalised(admin_client):
    user = UserFactory(username="mail-owner")
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"username": " mail-owner ", "email": " Mer.B@Example.COM ", "date_joined_0": "2025-01-01",
                 "date_joined_1": "00:00:00", "groups": [], "user_permissions": []})
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert (user.username, user.email) == ("mail-owner", "mer.b@example.com")


# --- Lockout -----------------------------------------------------------------------------------------------------------

def test_a_hundred_wrong_admin_passwords_lock_the_right_one_out(client, no_throttle):
    staff("admin-target")
    url = reverse("admin:login")
    statuses = [post(client, url, "admin-target", f"wrong-{n}").status_code for n in range(100)]

    response = post(client, url, "admin-target", PASSWORD)

    assert statuses[:9] == [200] * 9 and set(statuses[9:]) == {429}, statuses
    assert response.status_code == 429 and not signed_in(client)
    assert "登录已暂时锁定" in response.content.decode()
    # The site's sign-in (by the account's e-mail) is the same lockout.
    assert site(client, email_of("admin-target"), PASSWORD).status_code == 429
    assert not signed_in(client)


def test_padded_and_full_width_emails_count_against_the_same_account(client, no_throttle):
    member("merB")
    emails = ["merb@example.com", "  merB@example.com  ", "ｍｅｒＢ＠ｅｘａｍｐｌｅ．ｃｏｍ", "\u3000MERB@example.com",
              " ｍｅｒｂ＠Ｅｘａｍｐｌｅ．ｃｏｍ "]
    for n, email in enumerate(emails * 2):
        assert site(client, email, f"wrong-{n}").status_code == (429 if n == 9 else 200), email

    assert site(client, "merb@example.com", PASSWORD).status_code == 429
    # The admin's page, by user name, is the same account's lockout.
    assert post(client, reverse("admin:login"), "merB", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_another_account_from_the_same_address_still_signs_in(client, no_throttle):
    member("noisy")
    member("colleague")
    for n in range(12):
        site(client, email_of("noisy"), f"wrong-{n}", REMOTE_ADDR="10.3.0.1")

    response = site(client, email_of("colleague"), PASSWORD, REMOTE_ADDR="10.3.0.1")

    assert response.status_code == 302 and signed_in(client)


def test_the_locked_account_still_signs_in_from_another_address(client, no_throttle):
    member("roaming")
    for n in range(12):
        site(client, email_of("roaming"), f"wrong-{n}", REMOTE_ADDR="10.4.0.1")

    assert site(client, email_of("roaming"), PASSWORD, REMOTE_ADDR="10.4.0.2").status_code == 302


def test_forwarded_for_from_an_untrusted_peer_is_ignored(client, no_throttle, settings):
    settings.TRUSTED_PROXIES = []
    member("spoofer-target")
    for n in range(10):
        site(client, email_of("spoofer-target"), "wrong", REMOTE_ADDR="10.5.0.1",
             HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    # A fresh X-Forwarded-For buys nothing: the lockout counts the socket address.
    response = site(client, email_of("spoofer-target"), PASSWORD, REMOTE_ADDR="10.5.0.1",
                    HTTP_X_FORWARDED_FOR="203.0.113.77")

    assert response.status_code == 429 and not signed_in(client)


def test_forwarded_for_from_a_trusted_proxy_names_the_client(client, no_throttle, settings):
    settings.TRUSTED_PROXIES = ["10.6.0.1"]
    member("behind-proxy")
    for n in range(10):
        site(client, email_of("behind-proxy"), "wrong", REMOTE_ADDR="10.6.0.1",
             HTTP_X_FORWARDED_FOR="198.51.100.5")

    # Everyone comes through the proxy; only the client that failed is locked out.
    locked = site(client, email_of("behind-proxy"), PASSWORD, REMOTE_ADDR="10.6.0.1",
                  HTTP_X_FORWARDED_FOR="198.51.100.5")
    other = site(client, email_of("behind-proxy"), PASSWORD, REMOTE_ADDR="10.6.0.1",
                 HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert locked.status_code == 429
    assert other.status_code == 302 and signed_in(client)


def test_lockout_resets_after_a_successful_sign_in(client, no_throttle):
    member("typo-prone")
    for n in range(9):
        site(client, email_of("typo-prone"), f"wrong-{n}")
    assert site(client, email_of("typo-prone"), PASSWORD).status_code == 302
    client.post(reverse("logout"))

    for n in range(9):
        assert site(client, email_of("typo-prone"), f"again-{n}").status_code == 200


# --- Client address ----------------------------------------------------------------------------------------------------

def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.1", "203.0.113.5", "10.0.0.1"),  # no trusted proxies: the header means nothing
        (["10.0.0.1"], "192.0.2.9", "203.0.113.5", "192.0.2.9"),  # the peer is not our proxy
        (["10.0.0.1"], "10.0.0.1", "203.0.113.5", "203.0.113.5"),
        (["10.0.0.1"], "10.0.0.1", "1.1.1.1, 203.0.113.5", "203.0.113.5"),  # the client's own entry is ignored
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5"),  # two proxies in a row
        (["10.0.0.1"], "10.0.0.1", "not-an-ip", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        (["::1"], "::1", "2001:db8::0001", "2001:db8::1"),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted

    assert client_ip(request_from(remote, forwarded)) == expected


def test_the_address_throttle_counts_the_client_behind_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["10.7.0.1"]
    url = reverse("login")
    for n in range(20):
        post(client, url, f"someone-{n}@example.com", "wrong", REMOTE_ADDR="10.7.0.1", HTTP_X_FORWARDED_FOR="198.51.100.70")

    assert post(client, url, "someone-else@example.com", "wrong", REMOTE_ADDR="10.7.0.1",
                HTTP_X_FORWARDED_FOR="198.51.100.70").status_code == 429
    assert post(client, url, "someone-else@example.com", "wrong", REMOTE_ADDR="10.7.0.1",
                HTTP_X_FORWARDED_FOR="198.51.100.71").status_code == 200


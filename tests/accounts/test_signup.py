"""Sign-up, e-mail verification, sign-in by e-mail, reset and e-mail change: django-allauth on the site's pages."""
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Account
from tests.factories import UserFactory

from .conftest import PASSWORD, link_in

pytestmark = pytest.mark.django_db


def sign_up(client, email="new.merchant@example.com", kind="merchant", **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "kind": kind, **extra}
    return client.post(reverse("account_signup"), data)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_sign_up_page_is_the_sites_own_with_both_account_kinds(client):
    response = client.get("/accounts/signup/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert "注册账号" in html and 'class="card form"' in html
    assert 'name="kind" value="merchant"' in html and 'name="kind" value="provider_staff"' in html
    assert "商家" in html and "服务商" in html
    assert f'href="{reverse("login")}"' in html


def test_the_sign_up_page_speaks_english_too(client):
    client.cookies["django_language"] = "en"

    html = client.get("/accounts/signup/").content.decode()

    assert "Create an account" in html and "Merchant" in html and "Provider staff" in html


def test_sign_up_creates_the_user_its_account_and_an_unconfirmed_address_and_mails_the_link(client):
    response = sign_up(client, email="  New.Merchant@Example.COM ", kind="provider_staff")

    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="new.merchant@example.com")
    assert Account.objects.get(user=user).kind == "provider_staff"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("new.merchant@example.com", False, True)
    ]
    assert signed_in_user_id(client) is None  # mandatory verification: not signed in yet
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.merchant@example.com"]
    assert mail.outbox[0].subject.startswith("[代运营服务商目录] ")
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_following_the_confirmation_link_verifies_the_address_and_signs_in(client):
    sign_up(client)
    path = link_in(mail.outbox[0].body, "/accounts/confirm-email/")

    assert client.get(path).status_code == 200  # a page with a button: a GET never confirms
    response = client.post(path)

    user = get_user_model().objects.get(email="new.merchant@example.com")
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert signed_in_user_id(client) == str(user.pk)


def test_sign_up_without_a_kind_creates_nothing(client):
    response = sign_up(client, kind="")

    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="new.merchant@example.com").exists()
    assert Account.objects.count() == 0 and mail.outbox == []


def test_a_taken_address_creates_no_second_account(client):
    UserFactory(username="owner", email="taken@example.com")

    sign_up(client, email="Taken@Example.com")

    assert get_user_model().objects.filter(email__iexact="taken@example.com").count() == 1
    assert Account.objects.count() == 0


def test_an_unconfirmed_account_cannot_sign_in(client):
    sign_up(client)
    mail.outbox.clear()

    response = client.post(reverse("login"), {"login": "new.merchant@example.com", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert mail.outbox == []  # the link was just sent: allauth resends it only after a cooldown


def test_the_sign_in_page_links_sign_up_and_reset(client):
    html = client.get(reverse("login")).content.decode()

    assert reverse("login") == "/accounts/login/" == reverse("account_login")
    assert 'name="login"' in html and 'type="email"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_reset_password")}"' in html


def test_the_header_shows_the_signed_in_account_and_its_menu(client):
    user = UserFactory(username="menu-owner", email="menu.owner@example.com")
    client.force_login(user)

    html = client.get(reverse("home")).content.decode()

    assert "menu.owner@example.com" in html
    for name in ("ratings:mine", "account_email", "account_change_password", "mfa_index", "account-export",
                 "accounts:delete", "logout"):
        assert f'"{reverse(name)}"' in html, name


def test_the_header_offers_sign_in_and_sign_up_to_visitors(client):
    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("account_signup")}"' in html and f'{reverse("login")}?next=' in html


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = UserFactory(username="forgetful", email="forgetful@example.com")

    response = client.post("/accounts/password/reset/", {"email": "Forgetful@Example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["forgetful@example.com"]
    path = link_in(mail.outbox[0].body, "/accounts/password/reset/key/")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(set_path, {"password1": "Brand-new-pass-7", "password2": "Brand-new-pass-7"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-new-pass-7")
    client.logout()
    signed = client.post(reverse("login"), {"login": "forgetful@example.com", "password": "Brand-new-pass-7"})
    assert signed.status_code == 302 and signed_in_user_id(client) == str(user.pk)


def test_a_reset_for_an_unknown_address_sends_nothing_to_it_and_looks_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    assert all(message.to != ["nobody@example.com"] or "key" not in message.body for message in mail.outbox)


def test_changing_the_email_address_needs_the_new_one_confirmed(client):
    user = UserFactory(username="mover", email="old@example.com")
    client.force_login(user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "New@Example.com"})

    assert response.status_code == 302
    new = EmailAddress.objects.get(user=user, email="new@example.com")
    assert new.verified is False
    user.refresh_from_db()
    assert user.email == "old@example.com"  # the old address stays until the new one is confirmed
    assert mail.outbox[-1].to == ["new@example.com"]
    client.post(link_in(mail.outbox[-1].body, "/accounts/confirm-email/"))
    new.refresh_from_db()
    user.refresh_from_db()
    assert new.verified is True and new.primary is True and user.email == "new@example.com"
    assert not EmailAddress.objects.filter(user=user, email="old@example.com").exists()


def test_sign_out_ends_the_session(client):
    user = UserFactory(username="leaver", email="leaver@example.com")
    client.force_login(user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and signed_in_user_id(client) is None

"""Deleting one's own account (PIPL) and downloading one's own data."""
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Account, AccountEvent
from tests.factories import EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, UserFactory, merchant_of

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    store = StoreFactory(name="王家小店", external_id="WANG-1")
    user = merchant_of(store, username="wang")
    user.first_name, user.last_name = "小明", "王"
    user.set_password(PASSWORD)
    user.save()
    Account.objects.create(user=user, kind=Account.Kind.MERCHANT)
    provider = ProviderFactory(slug="xinghai", name="星海代运营")
    EngagementFactory(provider=provider, store=store)
    ReviewFactory(provider=provider, store=store, author=user, title="合作愉快", body="团队很专业。")
    return user


def delete(client, password=PASSWORD):
    return client.post(reverse("accounts:delete"), {"password": password})


def test_the_deletion_page_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:delete"))

    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next=/accounts/delete/"


def test_a_wrong_password_deletes_nothing(client, author):
    client.force_login(author)

    response = delete(client, password="not-it")

    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["密码不正确。"]}
    author.refresh_from_db()
    assert (author.username, author.email, author.is_active) == ("wang", "wang@example.com", True)
    assert AccountEvent.objects.count() == 0


def test_deleting_erases_personal_data_keeps_the_reviews_and_is_audited(client, author):
    TOTP.activate(author, generate_totp_secret())
    AccessAttempt.objects.create(username="wang", ip_address="10.0.0.1", user_agent="x", failures_since_start=1,
                                 get_data="", post_data="", http_accept="", path_info="/accounts/login/")
    client.force_login(author)

    response = delete(client)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session
    author.refresh_from_db()
    assert (author.username, author.email, author.first_name, author.last_name) == (
        f"deleted-{author.pk}", "", "", "")
    assert (author.is_active, author.is_staff, author.is_superuser, author.has_usable_password()) == (
        False, False, False, False)
    assert not EmailAddress.objects.filter(user=author).exists()
    assert not Authenticator.objects.filter(user=author).exists()
    assert not AccessAttempt.objects.filter(username="wang").exists()
    assert Account.objects.get(user=author).deleted_at is not None
    assert list(AccountEvent.objects.values_list("kind", "user_ref", "user")) == [
        ("deleted", author.pk, author.pk)
    ]
    assert author.review_set.get().title == "合作愉快"


def test_a_deleted_account_cannot_sign_in_again(client, author):
    client.force_login(author)
    delete(client)

    response = client.post(reverse("login"), {"login": "wang@example.com", "password": PASSWORD})

    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_review_of_a_deleted_account_shows_as_such_and_nothing_more(client, author):
    client.force_login(author)
    delete(client)

    html = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()

    assert "合作愉快" in html and '<span class="review__author muted">已注销用户</span>' in html
    assert f"deleted-{author.pk}" not in html and "wang" not in html


def test_a_review_of_a_live_account_names_no_author(client, author):
    html = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()

    assert "合作愉快" in html and "已注销用户" not in html and "wang" not in html


def test_the_review_of_a_deleted_account_shows_in_english_as_deleted_account(client, author):
    client.force_login(author)
    delete(client)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()

    assert '<span class="review__author muted">deleted account</span>' in html


def test_one_user_deletes_only_their_own_account(client, author):
    other = UserFactory(username="li", email="li@example.com")
    other.set_password("Other-pass-99")
    other.save()
    client.force_login(author)

    assert delete(client, password="Other-pass-99").status_code == 400  # another account's password is no good
    delete(client)

    other.refresh_from_db()
    assert (other.username, other.email, other.is_active) == ("li", "li@example.com", True)
    assert EmailAddress.objects.filter(user=other, verified=True).exists()


def test_deletion_is_csrf_protected(author):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})

    assert response.status_code == 403
    author.refresh_from_db()
    assert author.is_active is True


# --- Export ---------------------------------------------------------------------------------------------------------

def test_the_export_needs_a_signed_in_user(client):
    response = client.get(reverse("account-export"))

    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next=/accounts/export/"


def test_the_export_holds_the_accounts_own_data_and_no_one_elses(client, author):
    other_store = StoreFactory(name="李家店", external_id="LI-9")
    other = merchant_of(other_store, username="li")
    ReviewFactory(provider=author.review_set.get().provider, store=other_store, author=other, title="别人的评价")
    client.force_login(author)

    response = client.get(reverse("account-export"))

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-account.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"] | {"date_joined": None, "last_login": None} == {
        "id": author.pk, "username": "wang", "email": "wang@example.com", "first_name": "小明", "last_name": "王",
        "kind": "merchant", "date_joined": None, "last_login": None,
    }
    assert data["email_addresses"] == [{"email": "wang@example.com", "verified": True, "primary": True}]
    assert data["stores"] == [{"platform": author.stores.get().platform.code, "external_id": "WANG-1",
                               "name": "王家小店"}]
    assert [(r["provider"], r["title"], r["body"], r["rating"]) for r in data["reviews"]] == [
        ("xinghai", "合作愉快", "团队很专业。", 5)
    ]
    assert data["provider_memberships"] == []
    text = response.content.decode()
    assert "别人的评价" not in text and "li@example.com" not in text and "LI-9" not in text
    assert list(AccountEvent.objects.values_list("kind", "user_ref")) == [("exported", author.pk)]


def test_the_export_takes_no_parameter_naming_another_account(client, author):
    other = UserFactory(username="li", email="li@example.com")
    client.force_login(author)

    data = client.get(reverse("account-export"), {"user": other.pk, "id": other.pk}).json()

    assert data["profile"]["id"] == author.pk and data["profile"]["email"] == "wang@example.com"
    assert get_user_model().objects.get(pk=other.pk).email == "li@example.com"

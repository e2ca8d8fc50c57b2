"""EMAIL_URL picks Django's mail backend: with filemail:///dir the sign-up and reset mails land as files whose
links work; the demo accounts sign in by e-mail without any mail."""
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from config.settings.base import email_settings
from tests.factories import EngagementFactory, ProviderFactory, StoreFactory

from .conftest import PASSWORD, link_in

pytestmark = pytest.mark.django_db


def settings_under(env: dict, *names: str) -> list[str]:
    script = "from config.settings import local as s; " + "; ".join(f"print(s.{name})" for name in names)
    result = subprocess.run([sys.executable, "-c", script], env={**os.environ, **env}, capture_output=True,
                            text=True, check=True, cwd=django_settings.BASE_DIR)
    return result.stdout.strip().splitlines()[-len(names):]


def test_email_url_chooses_the_backend_and_default_from_email_the_sender(tmp_path):
    assert settings_under({"EMAIL_URL": f"filemail:///{tmp_path}", "DEFAULT_FROM_EMAIL": "目录 <no-reply@dir.example>"},
                          "EMAIL_BACKEND", "EMAIL_FILE_PATH", "DEFAULT_FROM_EMAIL") == [
        "django.core.mail.backends.filebased.EmailBackend", str(tmp_path), "目录 <no-reply@dir.example>"]
    # filemail:///some/dir: a directory under the project (as sqlite:/// is).
    assert settings_under({"EMAIL_URL": "filemail:///var/mail"}, "EMAIL_FILE_PATH") == [
        str(django_settings.BASE_DIR / "var" / "mail")]
    assert settings_under({"EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587"},
                          "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS") == [
        "django.core.mail.backends.smtp.EmailBackend", "smtp.example.com", "587", "True"]
    env = {key: value for key, value in os.environ.items() if key != "EMAIL_URL"}
    console = subprocess.run([sys.executable, "-c", "from config.settings import local as s; print(s.EMAIL_BACKEND)"],
                             env=env, capture_output=True, text=True, check=True, cwd=django_settings.BASE_DIR)
    assert console.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"


def mails_in(folder) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())]


def test_sign_up_and_reset_mails_land_as_files_with_working_links(client, tmp_path):
    mail_settings = email_settings(f"filemail:///{tmp_path}")
    assert mail_settings["EMAIL_FILE_PATH"] == str(tmp_path)
    with override_settings(**mail_settings, DEFAULT_FROM_EMAIL="目录 <no-reply@dir.example>"):
        client.post(reverse("account_signup"), {"email": "filed@example.com", "password1": PASSWORD,
                                                "password2": PASSWORD, "kind": "merchant"})
        [signup_mail] = mails_in(tmp_path)
        assert "To: filed@example.com" in signup_mail and "From: =?utf-8?b?" in signup_mail
        client.post(link_in(signup_mail, "/accounts/confirm-email/"))
        user = get_user_model().objects.get(email="filed@example.com")
        assert user.emailaddress_set.get().verified is True
        client.logout()
        for path in tmp_path.iterdir():
            path.unlink()

        client.post(reverse("account_reset_password"), {"email": "filed@example.com"})
        [reset_mail] = mails_in(tmp_path)
        key_page = client.get(link_in(reset_mail, "/accounts/password/reset/key/"), follow=True)
        client.post(key_page.redirect_chain[-1][0], {"password1": "Filed-new-pass-3", "password2": "Filed-new-pass-3"})

    user.refresh_from_db()
    assert user.check_password("Filed-new-pass-3")


def test_demo_accounts_sign_in_by_email_without_a_mail_server(client, db):
    provider = ProviderFactory(score="80.00")
    EngagementFactory(provider=provider, store=StoreFactory())
    out = io.StringIO()

    call_command("demo_accounts", password="demo-pass-1", stores=1, stdout=out)

    assert "demo_merchant@example.com / demo-pass-1" in out.getvalue()
    assert "demo_provider@example.com / demo-pass-1" in out.getvalue()
    for email, kind in (("demo_merchant@example.com", "merchant"), ("demo_provider@example.com", "provider_staff")):
        response = client.post(reverse("login"), {"login": email, "password": "demo-pass-1"})
        user = get_user_model().objects.get(email=email)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
        assert user.account.kind == kind
        client.logout()
    call_command("demo_accounts", password="demo-pass-2", stores=1, stdout=io.StringIO())  # a reset: no duplicates
    assert get_user_model().objects.get(username="demo_merchant").emailaddress_set.count() == 1

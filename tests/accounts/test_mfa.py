"""Staff open the admin only with TOTP set up and used in the session (allauth.mfa, ADMIN_REQUIRE_MFA)."""
import os
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings):
    settings.ADMIN_REQUIRE_MFA = True


def staff_user(username="staffer"):
    user = UserFactory(username=username, email=f"{username}@example.com", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]  # the middle one: now
    return format_hotp_value(hotp_value(secret, counter))


def test_the_requirement_is_on_by_default_and_off_only_for_make_run():
    from config.settings import base, test

    assert base.ADMIN_REQUIRE_MFA is True and test.ADMIN_REQUIRE_MFA is True
    env = {key: value for key, value in os.environ.items() if key != "ADMIN_REQUIRE_MFA"}
    script = "from config.settings import local; print(local.ADMIN_REQUIRE_MFA)"
    local = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                           cwd=django_settings.BASE_DIR)
    forced = subprocess.run([sys.executable, "-c", script], env={**env, "ADMIN_REQUIRE_MFA": "true"},
                            capture_output=True, text=True, check=True, cwd=django_settings.BASE_DIR)
    assert local.stdout.strip().splitlines()[-1] == "False"
    assert forced.stdout.strip().splitlines()[-1] == "True"


def test_staff_without_totp_are_sent_to_set_it_up(client, mfa_required):
    client.force_login(staff_user())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next=%2Fadmin%2F"


def test_staff_signed_in_with_password_only_are_asked_for_a_code(client, mfa_required):
    user = staff_user()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    response = client.get("/admin/providers/provider/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fadmin%2Fproviders%2Fprovider%2F"


def test_staff_who_sign_in_with_password_and_totp_reach_the_admin(client, mfa_required):
    user = staff_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    first = client.post(reverse("login"), {"login": "staffer@example.com", "password": PASSWORD, "next": "/admin/"})
    assert first.status_code == 302 and first["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone signs nobody in
    second = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert second.status_code == 302 and second["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_sign_in(client, mfa_required):
    user = staff_user()
    TOTP.activate(user, generate_totp_secret())
    client.post(reverse("login"), {"login": "staffer@example.com", "password": PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_code_re_entered_later_in_the_session_opens_the_admin(client, mfa_required):
    user = staff_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client.force_login(user)

    response = client.post(f"{reverse('mfa_reauthenticate')}?next=/admin/", {"code": current_code(secret)})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_recovery_codes_are_offered_with_totp(client, mfa_required):
    user = staff_user()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    assert client.get(reverse("mfa_index")).status_code == 200
    assert "recovery_codes" in django_settings.MFA_SUPPORTED_TYPES


def test_with_the_setting_off_staff_reach_the_admin_without_totp(client, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(staff_user())

    assert client.get("/admin/").status_code == 200
    assert not Authenticator.objects.exists()


def test_signing_out_of_the_admin_is_never_held_up(client, mfa_required):
    client.force_login(staff_user())

    response = client.post(reverse("admin:logout"))

    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_non_staff_pages_do_not_ask_for_a_second_factor(client, mfa_required):
    client.force_login(staff_user())

    assert client.get(reverse("home")).status_code == 200

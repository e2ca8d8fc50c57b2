"""The team: invitations by e-mail, joining by the link, roles and removal; all audited, the last owner kept."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from portal.models import Invitation, TeamEvent
from portal.services import token_hash
from providers.models import Membership
from tests.factories import UserFactory, provider_staff

pytestmark = pytest.mark.django_db


def team_url(name, provider, **kwargs):
    return reverse(f"portal:{name}", kwargs={"slug": provider.slug, **kwargs})


def invite(client, provider, email="  New.Colleague@Example.COM ", role="manager"):
    # The mail leaves after commit: run the hooks as the request's transaction would commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(team_url("invite", provider), {"email": email, "role": role})


def link_token() -> str:
    [message] = mail.outbox
    return re.search(r"/portal/invitations/([\w-]+)/", message.body).group(1)


def events(provider):
    return list(TeamEvent.objects.filter(provider=provider).order_by("pk").values_list(
        "action", "actor__username", "subject_user_id", "from_role", "role"))


# Seeing the team -----------------------------------------------------------------------------------------------------


def test_team_page_for_owner_has_the_forms_and_fixed_queries(as_user, team, django_assert_num_queries):
    client = as_user(team["owner"])
    invite(client, team["a"])
    with django_assert_num_queries(6):
        # session, user, membership, switcher, members with their accounts, open invitations
        response = client.get(team_url("team", team["a"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "new.colleague@example.com · 管理员" in html
    assert "邀请同事" in html and "修改角色" in html
    for who in ("owner", "manager", "member"):
        assert team[who].email in html
    assert team["b_owner"].email not in html


def test_manager_sees_the_team_without_forms(as_user, team):
    html = as_user(team["manager"]).get(team_url("team", team["a"])).content.decode()
    assert team["member"].email in html
    assert "邀请同事" not in html and "修改角色" not in html


def test_member_is_refused_the_team_page(as_user, team):
    assert as_user(team["member"]).get(team_url("team", team["a"])).status_code == 403


@pytest.mark.parametrize("who", ["manager", "member"])
def test_only_owners_change_the_team(as_user, team, who):
    client = as_user(team[who])
    target = Membership.objects.get(provider=team["a"], user=team["member"])
    assert invite(client, team["a"]).status_code == 403
    assert client.post(team_url("role", team["a"], pk=target.pk), {"role": "owner"}).status_code == 403
    assert client.post(team_url("remove", team["a"], pk=target.pk)).status_code == 403
    assert not Invitation.objects.exists() and events(team["a"]) == []
    target.refresh_from_db()
    assert target.role == "member"


def test_an_owner_of_b_cannot_touch_as_team(as_user, team):
    client = as_user(team["b_owner"])
    target = Membership.objects.get(provider=team["a"], user=team["member"])
    assert invite(client, team["a"]).status_code == 404
    assert client.post(team_url("role", team["a"], pk=target.pk), {"role": "owner"}).status_code == 404
    # Through B's own URL, A's membership id is not found either.
    assert client.post(team_url("role", team["b"], pk=target.pk), {"role": "owner"}).status_code == 404
    assert client.post(team_url("remove", team["b"], pk=target.pk)).status_code == 404
    assert Membership.objects.filter(provider=team["a"], user=team["member"], role="member").exists()


# Inviting ------------------------------------------------------------------------------------------------------------


def test_invitation_is_stored_hashed_mailed_in_both_languages_and_audited(as_user, team):
    response = invite(as_user(team["owner"]), team["a"])
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.colleague@example.com", "manager", team["owner"])
    token = link_token()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    [message] = mail.outbox
    assert message.to == ["new.colleague@example.com"]
    assert "阿尔法电商" in message.subject
    assert "以“管理员”的角色加入 阿尔法电商" in message.body
    assert "as Manager" in message.body
    assert message.body.count(f"http://testserver/portal/invitations/{token}/") == 2
    assert abs(invitation.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert events(team["a"]) == [("invited", "a-owner", None, "", "manager")]


def test_inviting_again_replaces_the_open_invitation(as_user, team):
    client = as_user(team["owner"])
    invite(client, team["a"])
    first = link_token()
    mail.outbox.clear()
    invite(client, team["a"], role="member")
    assert Invitation.objects.filter(revoked_at=None).get().role == "member"
    assert [e[0] for e in events(team["a"])] == ["invited", "revoked", "invited"]
    response = as_user(UserFactory(email="new.colleague@example.com")).get(
        reverse("portal:invitation", kwargs={"token": first}))
    assert response.status_code == 410
    assert "这个邀请已被撤销" in response.content.decode()


@pytest.mark.parametrize("email, role, message", [
    ("not-an-address", "member", "“not-an-address”不是有效的邮箱地址。"),
    ("x@example.com", "boss", "选择一个有效的选项"),
])
def test_bad_invitations_are_refused_with_a_clear_error(as_user, team, email, role, message):
    response = invite(as_user(team["owner"]), team["a"], email=email, role=role)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_inviting_someone_already_in_the_team_is_refused(as_user, team):
    response = invite(as_user(team["owner"]), team["a"], email=team["member"].email.upper())
    assert response.status_code == 400
    assert "这个邮箱的账号已经在团队中。" in response.content.decode()


def test_owner_revokes_an_invitation(as_user, team):
    client = as_user(team["owner"])
    invite(client, team["a"])
    invitation = Invitation.objects.get()
    assert client.post(team_url("revoke", team["a"], pk=invitation.pk)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert events(team["a"])[-1] == ("revoked", "a-owner", None, "", "manager")
    # B's owner cannot revoke A's invitation through B's URL.
    invite(client, team["a"], email="other@example.com")
    other = Invitation.objects.get(email="other@example.com")
    assert as_user(team["b_owner"]).post(team_url("revoke", team["b"], pk=other.pk)).status_code == 404


# Following the link ----------------------------------------------------------------------------------------------------


@pytest.fixture
def token(as_user, team, client):
    invite(as_user(team["owner"]), team["a"])
    client.logout()
    return link_token()


def test_anonymous_follower_is_offered_sign_in_and_sign_up_that_come_back(client, token):
    target = reverse("portal:invitation", kwargs={"token": token})
    html = client.get(target).content.decode()
    assert f'href="/accounts/login/?next={target}"' in html
    assert f'href="/accounts/signup/?next={target}"' in html
    assert "new.colleague@example.com" in html
    response = client.post(target)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_invited_address_joins_with_the_role(as_user, team, token):
    invitee = UserFactory(username="invitee", email="new.colleague@example.com")
    client = as_user(invitee)
    target = reverse("portal:invitation", kwargs={"token": token})
    assert "加入团队" in client.get(target).content.decode()
    assert not Membership.objects.filter(user=invitee).exists()  # GET changes nothing
    response = client.post(target)
    assert response.status_code == 302 and response["Location"] == "/portal/alpha/"
    assert Membership.objects.get(user=invitee).role == "manager"
    assert events(team["a"])[-1] == ("joined", "invitee", invitee.pk, "", "manager")
    again = client.post(target)
    assert again.status_code == 302  # already a member: sent to the portal with a message
    used = as_user(UserFactory(email="someone@example.com")).get(target)
    assert used.status_code == 410 and "这个邀请已经被使用过了。" in used.content.decode()


def test_a_wrong_account_is_told_and_does_not_join(as_user, team, token):
    client = as_user(team["b_owner"])
    target = reverse("portal:invitation", kwargs={"token": token})
    for response in (client.get(target), client.post(target)):
        assert response.status_code == 403
        assert "这个邀请发给了另一个邮箱地址" in response.content.decode()
    assert not Membership.objects.filter(provider=team["a"], user=team["b_owner"]).exists()


def test_an_unverified_address_does_not_join(as_user, team, token):
    invitee = UserFactory(email="new.colleague@example.com", email_verified=False)
    response = as_user(invitee).post(reverse("portal:invitation", kwargs={"token": token}))
    assert response.status_code == 403
    assert not Membership.objects.filter(user=invitee).exists()


def test_an_expired_invitation_says_so(as_user, team, token):
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    invitee = UserFactory(email="new.colleague@example.com")
    response = as_user(invitee).post(reverse("portal:invitation", kwargs={"token": token}))
    assert response.status_code == 410
    assert "这个邀请已过期" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_an_unknown_token_says_so(client, db):
    response = client.get(reverse("portal:invitation", kwargs={"token": "no-such-token"}))
    assert response.status_code == 404
    assert "邀请链接无效" in response.content.decode()


def test_a_token_for_a_joins_a_not_b(as_user, team, token):
    invitee = UserFactory(email="new.colleague@example.com")
    as_user(invitee).post(reverse("portal:invitation", kwargs={"token": token}))
    assert list(Membership.objects.filter(user=invitee).values_list("provider__slug", flat=True)) == ["alpha"]
    assert as_user(invitee).get(team_url("rating", team["b"])).status_code == 404


# Roles and removal ------------------------------------------------------------------------------------------------------


def test_owner_changes_a_role_and_removes_a_member(as_user, team):
    client = as_user(team["owner"])
    member = Membership.objects.get(provider=team["a"], user=team["member"])
    assert client.post(team_url("role", team["a"], pk=member.pk), {"role": "manager"}).status_code == 302
    member.refresh_from_db()
    assert member.role == "manager"
    assert client.post(team_url("remove", team["a"], pk=member.pk)).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert events(team["a"]) == [
        ("role_changed", "a-owner", team["member"].pk, "member", "manager"),
        ("removed", "a-owner", team["member"].pk, "manager", ""),
    ]


def test_the_last_owner_is_never_demoted_or_removed(as_user, team):
    client = as_user(team["owner"])
    own = Membership.objects.get(provider=team["a"], user=team["owner"])
    response = client.post(team_url("role", team["a"], pk=own.pk), {"role": "member"}, follow=True)
    assert "团队至少要有一位所有者" in response.content.decode()
    response = client.post(team_url("remove", team["a"], pk=own.pk), follow=True)
    assert "不能移除团队唯一的所有者" in response.content.decode()
    own.refresh_from_db()
    assert own.role == "owner" and events(team["a"]) == []


def test_with_two_owners_one_may_step_down(as_user, team):
    second = provider_staff(team["a"], username="a-owner2", role="owner")
    own = Membership.objects.get(provider=team["a"], user=team["owner"])
    as_user(team["owner"]).post(team_url("role", team["a"], pk=own.pk), {"role": "manager"})
    own.refresh_from_db()
    assert own.role == "manager"
    # Now a-owner2 is the only owner and cannot be removed.
    last = Membership.objects.get(user=second)
    as_user(second).post(team_url("remove", team["a"], pk=last.pk))
    assert Membership.objects.filter(pk=last.pk, role="owner").exists()


def test_audit_holds_no_e_mail_addresses(as_user, team, token):
    invitee = UserFactory(email="new.colleague@example.com")
    as_user(invitee).post(reverse("portal:invitation", kwargs={"token": token}))
    fields = [f.name for f in TeamEvent._meta.get_fields()]
    assert "email" not in fields
    for row in TeamEvent.objects.values():
        assert not any("@" in str(value) for value in row.values())

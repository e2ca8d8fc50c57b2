import pytest
from django.test import TestCase

from portal.demo import portal_demo_team
from portal.models import Invitation
from providers.models import Membership
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_team_has_an_owner_a_manager_a_member_and_an_open_invitation():
    provider = ProviderFactory()
    owner = UserFactory(username="demo_provider")
    provider.members.add(owner)
    for _ in range(2):  # a rerun resets, it does not pile up
        with TestCase.captureOnCommitCallbacks(execute=True):
            lines = portal_demo_team(provider=provider, owner=owner, password="demo-pass-1")
    roles = dict(Membership.objects.filter(provider=provider).values_list("user__username", "role"))
    assert roles == {"demo_provider": "owner", "demo_manager": "manager", "demo_member": "member"}
    [open_one] = Invitation.objects.filter(provider=provider, revoked_at=None, accepted_at=None)
    assert (open_one.email, open_one.role) == ("demo_invitee@example.com", "member")
    assert lines[-1].startswith("invited   demo_invitee@example.com (open)  http://")

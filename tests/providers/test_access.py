"""The portal's one access rule: outsiders get 404, members with too low a role 403, from both sides."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from providers.access import provider_membership, user_memberships
from tests.factories import ProviderFactory, UserFactory, provider_staff

pytestmark = pytest.mark.django_db


def test_members_reach_their_provider_by_role_and_never_another():
    a = ProviderFactory(slug="a", name="甲")
    ProviderFactory(slug="b", name="乙")
    owner, manager, member = (provider_staff(a, role=role) for role in ("owner", "manager", "member"))

    assert provider_membership(user=owner, slug="a", at_least="owner").provider == a
    assert provider_membership(user=manager, slug="a", at_least="manager").role == "manager"
    assert provider_membership(user=member, slug="a").role == "member"
    with pytest.raises(PermissionDenied) as refused:
        provider_membership(user=member, slug="a", at_least="manager")
    assert str(refused.value) == "此操作需要“管理员”或更高的团队角色。"
    with pytest.raises(PermissionDenied):
        provider_membership(user=manager, slug="a", at_least="owner")
    for user in (owner, manager, member):
        with pytest.raises(Http404):
            provider_membership(user=user, slug="b")
    with pytest.raises(Http404):
        provider_membership(user=UserFactory(), slug="a")
    with pytest.raises(Http404):
        provider_membership(user=AnonymousUser(), slug="a")
    with pytest.raises(Http404):
        provider_membership(user=owner, slug="missing")


def test_an_inactive_member_is_refused_and_the_switcher_lists_own_teams_by_name(django_assert_num_queries):
    a, b, c = ProviderFactory(name="Beta"), ProviderFactory(name="Alpha"), ProviderFactory(name="Gamma")
    user = provider_staff(a)
    b.members.add(user, through_defaults={"role": "owner"})
    with django_assert_num_queries(1):
        teams = user_memberships(user=user)
    assert [(m.provider.name, m.role) for m in teams] == [("Alpha", "owner"), ("Beta", "member")]
    assert c not in [m.provider for m in teams]
    user.is_active = False
    with pytest.raises(Http404):
        provider_membership(user=user, slug=a.slug)

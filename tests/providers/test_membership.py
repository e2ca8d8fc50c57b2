"""Provider teams: every member has a role, kept on the table the plain many-to-many had."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from providers.models import Membership
from providers.selectors import membership_role
from tests.factories import ProviderFactory, UserFactory, provider_staff

pytestmark = pytest.mark.django_db


def test_added_members_default_to_member_and_roles_are_read_per_provider():
    provider, other = ProviderFactory(), ProviderFactory()
    owner = provider_staff(provider, role="owner")
    member = UserFactory()
    provider.members.add(member)
    assert membership_role(user=owner, provider=provider) == "owner"
    assert membership_role(user=member, provider=provider) == "member"
    assert membership_role(user=owner, provider=other) is None
    assert list(provider.members.order_by("pk")) == [owner, member]


def test_an_unknown_role_and_a_second_membership_are_refused():
    provider = ProviderFactory()
    user = provider_staff(provider)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(provider=provider, user=UserFactory(), role="boss")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(provider=provider, user=user, role="owner")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_members_from_before_roles_existed_become_plain_members():
    executor = MigrationExecutor(connection)
    executor.migrate([("providers", "0006_search_trigram_caseless")])
    old_apps = executor.loader.project_state(("providers", "0006_search_trigram_caseless")).apps
    OldProvider = old_apps.get_model("providers", "Provider")
    OldUser = old_apps.get_model("auth", "User")
    provider = OldProvider.objects.create(slug="old", name="老服务商", city="杭州")
    user = OldUser.objects.create(username="old-staff")
    provider.members.add(user)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(Membership.objects.values_list("provider__slug", "user__username", "role")) == [
        ("old", "old-staff", "member")
    ]

"""Staff accounts the ratings tests act as: a grader and a moderator in their admin roles, a provider's staff."""
import pytest

from tests.factories import GRADERS, MODERATORS, provider_staff, staff_user


@pytest.fixture
def grader():
    return staff_user(GRADERS, username="grader")


@pytest.fixture
def grader_client(client, grader):
    client.force_login(grader)
    return client


@pytest.fixture
def moderator():
    return staff_user(MODERATORS, username="moderator")


@pytest.fixture
def staff(provider):
    """The account of the test module's `provider` that answers its reviews."""
    return provider_staff(provider, username="xinghai_staff")

"""A provider with a manager and a member, a grader, and evidence files for the profiles tests."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ProviderFactory, provider_staff, staff_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
TODAY = dt.date(2026, 3, 15)


def png(name="资质截图.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def stored_evidence() -> int:
    """How many evidence files the private storage holds for profile changes and credentials.

    Read through the fields' own storage: a FileField calls its storage callable once, when the model is made, so
    after a test that changes STORAGES, private_storage() is a fresh instance the fields do not write to.
    """
    from profiles.models import PlatformCredential, ProfileChange

    count = 0
    for model, folder in ((ProfileChange, "evidence/profilechange"), (PlatformCredential, "evidence/platformcredential")):
        storage = model._meta.get_field("evidence").storage
        try:
            count += len(storage.listdir(folder)[1])
        except FileNotFoundError:
            pass
    return count


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Pages rendered fresh (the cache test switches it back on)."""
    settings.DIRECTORY_CACHE_SECONDS = 0


@pytest.fixture
def provider(db):
    return ProviderFactory(slug="xinghai", name="星海电商", description="旧简介", city="杭州",
                           platforms=["tmall"], categories=["beauty"], services=["operation"])


@pytest.fixture
def other(db):
    return ProviderFactory(slug="other", name="别家电商")


@pytest.fixture
def manager(provider):
    return provider_staff(provider, role="manager")


@pytest.fixture
def member(provider):
    return provider_staff(provider, role="member")


@pytest.fixture
def grader(db):
    return staff_user("Graders")


def membership_of(user, provider):
    return provider.memberships.select_related("provider", "user").get(user=user)

"""Accounts, uploads and storage counts for the claims tests."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account
from common.uploads import private_storage
from tests.factories import UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
# Real-format codes with both check characters right (see test_uscc.py for how they are computed).
CODE = "91350100M000100Y43"
OTHER_CODE = "911100001000080343"


def png(name="后台截图.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def account(kind=Account.Kind.MERCHANT, **kwargs):
    user = UserFactory(**kwargs)
    Account.objects.create(user=user, kind=kind)
    return user


def merchant(**kwargs):
    return account(Account.Kind.MERCHANT, **kwargs)


def staff_account(**kwargs):
    return account(Account.Kind.PROVIDER_STAFF, **kwargs)


def stored_evidence() -> int:
    """How many evidence files the private storage holds (both claim kinds)."""
    storage = private_storage()
    count = 0
    for folder in ("evidence/storeclaim", "evidence/providerclaim"):
        try:
            count += len(storage.listdir(folder)[1])
        except FileNotFoundError:
            pass
    return count


@pytest.fixture
def evidence_count():
    return stored_evidence

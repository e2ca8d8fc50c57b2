"""Demo claims for `manage.py demo_accounts`: the merchant's stores arrive through verified claims, and one claim
of each kind waits, so the /me/ pages and the stewards' and graders' admin lists have something to show."""
from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import Membership, Platform, Provider

from .models import ProviderClaim, StoreClaim
from .services import provider_claim_submit, store_claim_submit, store_claim_verify
from .uscc import org_code_check_character, uscc_check_character

DEMO_ACTOR = "demo"
PENDING_STORE_ID = "DEMO-CLAIM-001"


def demo_png() -> SimpleUploadedFile:
    """A real 8×8 grey PNG standing in for a back-office screenshot or a licence."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    content = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return SimpleUploadedFile("demo.png", content, content_type="image/png")


def demo_credit_code(number: int) -> str:
    """A well-formed 统一社会信用代码 (both check characters right) for a made-up company in 杭州 (330100)."""
    body = f"MA{number % 1_000_000:06d}"
    first17 = f"91330100{body}{org_code_check_character(body)}"
    return first17 + uscc_check_character(first17)


def _forget_claims(model, user) -> None:
    for claim in model.objects.filter(user=user):
        claim.evidence.delete(save=False)
        claim.delete()


def claims_demo(*, merchant, staff, stores) -> list[str]:
    """Link the merchant to `stores` through verified claims, file a pending store claim for the merchant and a
    pending provider claim for the staff account (to a provider with no owner); returns lines to print."""
    _forget_claims(StoreClaim, merchant)
    _forget_claims(ProviderClaim, staff)
    merchant.stores.clear()  # a reset: the verified claims below link them again
    for store in stores:
        claim = store_claim_submit(user=merchant, platform=store.platform, external_id=store.external_id,
                                   store_name=store.name, evidence=demo_png())
        store_claim_verify(claim=claim, actor_label=DEMO_ACTOR)
    platform = Platform.objects.order_by("position").first()
    store_claim_submit(user=merchant, platform=platform, external_id=PENDING_STORE_ID, store_name="演示美妆旗舰店",
                       evidence=demo_png())
    lines = [f"merchant  {len(stores)} verified store claims, 1 pending ({platform.code}:{PENDING_STORE_ID})"]
    owned = Membership.objects.filter(role=Membership.Role.OWNER).values("provider_id")
    provider = (Provider.objects.exclude(status=Provider.Status.DELISTED).exclude(pk__in=owned)
                .exclude(members=staff).filter(verified_credit_code__isnull=True).order_by("name").first())
    if provider is not None:
        provider_claim_submit(user=staff, provider=provider, credit_code=demo_credit_code(provider.pk),
                              evidence=demo_png())
        lines.append(f"provider  pending claim to {provider.name} (graders decide it in the admin)")
    return lines

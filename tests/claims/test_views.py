"""The /me/ claim pages and the evidence views, from both sides: the claimant, other accounts, staff by role."""
import pytest
from django.urls import reverse

from claims.models import ClaimEvent, ProviderClaim, StoreClaim
from claims.services import (
    provider_claim_submit,
    store_claim_submit,
    store_claim_verify,
)
from tests.factories import (
    GRADERS,
    MODERATORS,
    STEWARDS,
    ProviderFactory,
    UserFactory,
    platform,
    staff_user,
)

from .conftest import CODE, PDF, merchant, png, staff_account

pytestmark = pytest.mark.django_db


def claim_for(user, external_id="TM-1", name="花间集旗舰店", evidence=None):
    return store_claim_submit(user=user, platform=platform("tmall"), external_id=external_id, store_name=name,
                              evidence=evidence or png())


def signed_in(client, user):
    client.force_login(user)
    return client


# /me/

def test_my_stores_needs_sign_in(client):
    response = client.get(reverse("claims:mine"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_stores_shows_own_verified_stores_and_claims_with_reasons_only(client):
    from claims.services import store_claim_reject

    user, other = merchant(), merchant()
    store_claim_verify(claim=claim_for(user, "TM-OK", "已核验的店"))
    store_claim_reject(claim=claim_for(user, "TM-NO", "被驳回的店"), reason="截图里看不到店铺ID", actor=None)
    claim_for(user, "TM-WAIT", "待审核的店")
    claim_for(other, "TM-SECRET", "别人的店")

    body = signed_in(client, user).get(reverse("claims:mine")).content.decode()

    for text in ("已核验的店", "被驳回的店", "截图里看不到店铺ID", "待审核的店", "TM-WAIT"):
        assert text in body
    assert "别人的店" not in body and "TM-SECRET" not in body
    assert body.count("撤回</button>") == 1  # only the pending claim can be withdrawn


def test_my_stores_has_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = merchant()
    for index in range(3):
        store_claim_verify(claim=claim_for(user, f"TM-{index}"))
    claim_for(user, "TM-PENDING")
    signed_in(client, user)
    client.get(reverse("claims:mine"))  # warm the session
    # session, user, stores, claims (platforms joined)
    with django_assert_num_queries(4):
        client.get(reverse("claims:mine"))
    for index in range(3, 8):
        claim_for(user, f"TM-{index}")
    with django_assert_num_queries(4):
        assert client.get(reverse("claims:mine")).status_code == 200


# New claim

def test_a_merchant_files_a_claim_through_the_form(client):
    user = merchant()
    signed_in(client, user)
    assert client.get(reverse("claims:store-claim-new")).status_code == 200

    response = client.post(reverse("claims:store-claim-new"), {
        "platform": "tmall", "external_id": "TM-88", "store_name": "花间集旗舰店", "evidence": png(),
    })

    assert response.status_code == 302 and response["Location"] == reverse("claims:mine")
    claim = StoreClaim.objects.get()
    assert (claim.user, claim.external_id, claim.status) == (user, "TM-88", "pending")


@pytest.mark.parametrize(("upload", "message"), [
    (png("shot.png", b"GIF89a not a png"), "只接受 PNG、JPEG 或 PDF 文件（按文件内容判断）。"),
    (png("shot.pdf"), "文件扩展名 “.pdf” 与内容（image/png）不符。"),
    (png("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024)), "文件过大：5.0 MB，上限 5 MB。"),
])
def test_bad_evidence_on_the_form_is_named_and_nothing_is_stored(client, upload, message, evidence_count):
    signed_in(client, merchant())
    before = evidence_count()
    response = client.post(reverse("claims:store-claim-new"), {
        "platform": "tmall", "external_id": "TM-88", "store_name": "店", "evidence": upload,
    })
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (StoreClaim.objects.count(), ClaimEvent.objects.count(), evidence_count()) == (0, 0, before)


def test_the_form_says_why_a_provider_staff_account_cannot_claim_a_store(client):
    signed_in(client, staff_account())
    response = client.post(reverse("claims:store-claim-new"), {
        "platform": "tmall", "external_id": "TM-88", "store_name": "店", "evidence": png(),
    })
    assert response.status_code == 400
    assert "只有商家账号可以认领店铺。" in response.content.decode()


def test_an_unverified_account_is_told_to_confirm_its_address(client):
    signed_in(client, UserFactory(email_verified=False))
    response = client.get(reverse("claims:store-claim-new"))
    assert response.status_code == 403
    assert StoreClaim.objects.count() == 0


# Withdraw

def test_the_claimant_withdraws_and_others_get_404(client):
    user, other = merchant(), merchant()
    claim = claim_for(user)
    url = reverse("claims:store-claim-withdraw", kwargs={"pk": claim.pk})

    assert signed_in(client, other).post(url).status_code == 404
    assert signed_in(client, user).get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    again = client.post(url, follow=True)
    assert "此认领已是“已撤回”状态，不能再改为“已撤回”。" in again.content.decode()


# Evidence

@pytest.fixture
def evidence_claims():
    owner = merchant()
    return {"store": claim_for(owner), "store_pdf": claim_for(owner, "TM-PDF", evidence=png("licence.pdf", PDF)),
            "owner": owner}


def evidence_url(claim):
    return reverse("claims:store-claim-evidence", kwargs={"pk": claim.pk})


def test_the_claimant_sees_their_evidence_inline_with_its_checked_type(client, evidence_claims):
    response = signed_in(client, evidence_claims["owner"]).get(evidence_url(evidence_claims["store"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'inline; filename="store-claim-{evidence_claims["store"].pk}.png"'
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_pdf_is_sent_as_a_download(client, evidence_claims):
    response = signed_in(client, evidence_claims["owner"]).get(evidence_url(evidence_claims["store_pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("who", ["anonymous", "other merchant", "staff without a role", "moderator", "grader"])
def test_nobody_else_sees_store_evidence(client, evidence_claims, who):
    users = {"other merchant": merchant, "staff without a role": lambda: staff_user(None),
             "moderator": lambda: staff_user(MODERATORS), "grader": lambda: staff_user(GRADERS)}
    if who != "anonymous":
        signed_in(client, users[who]())
    assert client.get(evidence_url(evidence_claims["store"])).status_code == 404


def test_a_data_steward_sees_store_evidence(client, evidence_claims):
    response = signed_in(client, staff_user(STEWARDS)).get(evidence_url(evidence_claims["store"]))
    assert response.status_code == 200


def test_a_non_staff_user_holding_the_permission_still_gets_404(client, evidence_claims):
    from django.contrib.auth.models import Group

    user = merchant()
    user.groups.add(Group.objects.get(name=STEWARDS))  # the permission without is_staff: not a steward
    assert signed_in(client, user).get(evidence_url(evidence_claims["store"])).status_code == 404


def test_unknown_claim_evidence_is_404(client):
    assert signed_in(client, staff_user(STEWARDS)).get(
        reverse("claims:store-claim-evidence", kwargs={"pk": 999999})).status_code == 404


# Provider claims

def provider_claim_for(user, provider=None):
    return provider_claim_submit(user=user, provider=provider or ProviderFactory(), credit_code=CODE,
                                 evidence=png("执照.png"))


def test_provider_staff_claim_through_the_form_and_see_their_claims(client):
    user, provider = staff_account(), ProviderFactory(slug="xinghai", name="星海电商")
    signed_in(client, user)
    assert 'value="xinghai"' in client.get(reverse("claims:provider-claim-new") + "?provider=xinghai").content.decode()

    response = client.post(reverse("claims:provider-claim-new"), {
        "provider": "xinghai", "credit_code": "91350100m000100y43", "evidence": png("执照.png"),
    })

    assert response.status_code == 302
    claim = ProviderClaim.objects.get()
    assert (claim.user, claim.provider, claim.credit_code) == (user, provider, CODE)
    body = client.get(reverse("claims:provider-claims")).content.decode()
    assert "星海电商" in body and CODE in body and "待审核" in body


@pytest.mark.parametrize(("fields", "message"), [
    ({"credit_code": "91350100M000100Y44"}, "第 18 位校验码应为“3”，而不是“4”：请核对代码是否抄错。"),
    ({"credit_code": "9135"}, "统一社会信用代码应为 18 位，您输入了 4 位。"),
    ({"provider": "no-such-provider"}, "目录中没有这个服务商标识。"),
])
def test_provider_claim_form_errors_are_named(client, fields, message, evidence_count):
    ProviderFactory(slug="xinghai")
    signed_in(client, staff_account())
    before = evidence_count()
    response = client.post(reverse("claims:provider-claim-new"), {
        "provider": "xinghai", "credit_code": CODE, "evidence": png("执照.png"), **fields,
    })
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (ProviderClaim.objects.count(), evidence_count()) == (0, before)


def test_provider_claims_page_has_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = staff_account()
    for _ in range(3):
        provider_claim_for(user)
    signed_in(client, user)
    client.get(reverse("claims:provider-claims"))
    with django_assert_num_queries(3):  # session, user, claims with providers
        assert client.get(reverse("claims:provider-claims")).status_code == 200


def test_provider_claim_evidence_from_both_sides(client):
    owner = staff_account()
    claim = provider_claim_for(owner)
    url = reverse("claims:provider-claim-evidence", kwargs={"pk": claim.pk})
    assert signed_in(client, owner).get(url).status_code == 200
    assert signed_in(client, staff_user(GRADERS)).get(url).status_code == 200
    for outsider in (staff_account(), staff_user(STEWARDS), staff_user(MODERATORS)):
        assert signed_in(client, outsider).get(url).status_code == 404


def test_provider_claim_withdraw_from_both_sides(client):
    owner = staff_account()
    claim = provider_claim_for(owner)
    url = reverse("claims:provider-claim-withdraw", kwargs={"pk": claim.pk})
    assert signed_in(client, staff_account()).post(url).status_code == 404
    assert signed_in(client, owner).post(url).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "withdrawn"


def test_the_pages_speak_english_too(client):
    from django.utils import translation

    signed_in(client, merchant())
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        mine = client.get(reverse("claims:mine")).content.decode()
        form = client.post(reverse("claims:store-claim-new"), {
            "platform": "tmall", "external_id": "TM-1", "store_name": "店", "evidence": png("x.pdf"),
        }).content.decode()
    assert "My stores" in mine and "Verified stores" in mine and "Claim a store" in mine
    assert "File claim" in form
    assert "The file extension &quot;.pdf&quot; does not match its content (image/png)." in form


@pytest.mark.parametrize(("name", "make_user", "queries"), [
    # session, user, e-mail verified; the store form lists the platforms
    ("claims:store-claim-new", merchant, 4),
    ("claims:provider-claim-new", staff_account, 3),
])
def test_claim_forms_have_a_fixed_number_of_queries(client, django_assert_num_queries, name, make_user, queries):
    signed_in(client, make_user())
    client.get(reverse(name))
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


def test_the_provider_page_leads_its_staff_to_the_claim_form_with_the_provider_filled_in(client):
    from tests.factories import provider_staff

    provider = ProviderFactory(slug="xinghai")
    link = f'<a href="{reverse("claims:provider-claim-new")}?provider=xinghai">认领此服务商</a>'
    assert link in client.get(provider.get_absolute_url()).content.decode()

    staff = staff_account()
    signed_in(client, staff)
    form = client.get(f'{reverse("claims:provider-claim-new")}?provider=xinghai')
    assert form.context["form"].initial["provider"] == "xinghai"

    member = provider_staff(provider, role="owner")
    signed_in(client, member)
    assert "认领此服务商" not in client.get(provider.get_absolute_url()).content.decode()  # already one of its team

"""A cleared (清退) provider's 统一社会信用代码 can never claim a provider again; other sanctions do not block claims."""
import pytest
from django.core.exceptions import ValidationError

from claims.models import ProviderCreditCode
from claims.services import provider_claim_approve, provider_claim_submit
from providers.models import Provider
from tests.claims.conftest import CODE, png, staff_account
from tests.factories import GRADERS, ProviderFactory, staff_user

pytestmark = pytest.mark.django_db


def claimed(provider):
    claim = provider_claim_submit(user=staff_account(), provider=provider, credit_code=CODE, evidence=png())
    provider_claim_approve(claim=claim, actor=staff_user(GRADERS))
    return claim


@pytest.mark.parametrize(("sanction", "refused"), [("cleared", True), ("delisted", False), ("warning", False)])
def test_the_code_of_a_cleared_provider_claims_nothing(sanction, refused):
    provider = ProviderFactory()
    claimed(provider)
    Provider.objects.filter(pk=provider.pk).update(sanction=sanction)
    # Its owner leaves; a new account tries the provider itself with the same code.
    provider.memberships.all().delete()
    if refused:
        with pytest.raises(ValidationError) as error:
            provider_claim_submit(user=staff_account(), provider=provider, credit_code=CODE, evidence=png())
        assert error.value.messages == ["该统一社会信用代码所属的服务商已被清退，不能再认领任何服务商。"]
        with pytest.raises(ValidationError):
            provider_claim_submit(user=staff_account(), provider=ProviderFactory(), credit_code=CODE, evidence=png())
    else:
        assert provider_claim_submit(user=staff_account(), provider=provider, credit_code=CODE,
                                     evidence=png()).status == "pending"
    assert ProviderCreditCode.objects.count() == 1

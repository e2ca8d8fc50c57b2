"""A delisted provider keeps its page, but offers neither "add to compare" nor "write a review", and the review form
refuses it with the reason."""
import datetime as dt

import pytest
from django.urls import reverse

from providers.models import Provider
from tests.factories import EngagementFactory, ProviderFactory, StoreFactory, merchant_of


@pytest.fixture
def delisted(db):
    return ProviderFactory(slug="beichen", name="北辰科技", status=Provider.Status.DELISTED)


def test_a_delisted_providers_page_offers_no_compare_and_no_review(client, delisted):
    store = StoreFactory()
    EngagementFactory(provider=delisted, store=store, start_date=dt.date(2024, 1, 1))
    html = client.get(reverse("providers:detail", kwargs={"slug": "beichen"})).content.decode()
    assert "该服务商已被清退" in html
    assert "加入对比" not in html and "合作过的商家请登录后评价" not in html

    client.force_login(merchant_of(store))
    html = client.get(reverse("providers:detail", kwargs={"slug": "beichen"})).content.decode()
    assert "加入对比" not in html and "写评价" not in html


def test_the_review_form_refuses_a_delisted_provider_with_the_reason(client, delisted):
    store = StoreFactory()
    EngagementFactory(provider=delisted, store=store, start_date=dt.date(2024, 1, 1))
    client.force_login(merchant_of(store))

    for response in (client.get(reverse("ratings:create", kwargs={"slug": "beichen"})),
                     client.post(reverse("ratings:create", kwargs={"slug": "beichen"}), {"rating": "5"})):
        assert response.status_code == 403
        assert "该服务商已被清退，不再接受新的评价；已发布的评价仍在其页面上。" in response.content.decode()


def test_a_listed_provider_still_offers_both(client, db):
    store = StoreFactory()
    provider = ProviderFactory(slug="xinghai")
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    client.force_login(merchant_of(store))

    html = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()

    assert "加入对比" in html and "写评价" in html

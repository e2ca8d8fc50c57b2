"""factory_boy factories for every model; reference data comes from the data migration."""
import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from providers.models import Category, Engagement, Platform, Provider, Service, Store
from ratings.models import RatingPolicy, Review, StorePerformance, TierOverride


def platform(code="tmall"):
    return Platform.objects.get(code=code)


def category(code="apparel"):
    return Category.objects.get(code=code)


def service(code):
    return Service.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-for-tests-only")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"provider-{n}")
    name = factory.Sequence(lambda n: f"测试电商{n}号")
    name_en = factory.Sequence(lambda n: f"Test Commerce {n}")
    city = "杭州"
    founded_year = 2015
    fee_min = Decimal("10000.00")
    fee_max = Decimal("30000.00")

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(Service.objects.filter(code__in=extracted))

    @factory.post_generation
    def platforms(self, create, extracted, **kwargs):
        if create and extracted:
            self.platforms.set(Platform.objects.filter(code__in=extracted))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(Category.objects.filter(code__in=extracted))


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    platform = factory.LazyFunction(lambda: platform("tmall"))
    external_id = factory.Sequence(lambda n: f"S{n:06d}")
    name = factory.Sequence(lambda n: f"测试旗舰店{n}")
    category = factory.LazyFunction(lambda: category("apparel"))


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    provider = factory.SubFactory(ProviderFactory)
    store = factory.SubFactory(StoreFactory)
    start_date = dt.date(2024, 1, 1)
    end_date = None


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    provider = factory.SubFactory(ProviderFactory)
    store = factory.SubFactory(StoreFactory)
    rating = 5
    title = "服务很好"
    body = "运营团队专业，沟通及时。"
    created_at = dt.date(2025, 6, 1)
    status = Review.Status.PUBLISHED
    verified = False


class StorePerformanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorePerformance

    store = factory.SubFactory(StoreFactory)
    period = dt.date(2025, 6, 1)
    product_score = Decimal("4.50")
    logistics_score = Decimal("4.50")
    service_score = Decimal("4.50")
    gmv = Decimal("100000.00")
    orders = 1000
    complaint_rate = Decimal("0.0100")
    refund_rate = Decimal("0.0500")
    on_time_ship_rate = Decimal("0.9800")
    after_sales_response_hours = Decimal("6.00")


class TierOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierOverride

    provider = factory.SubFactory(ProviderFactory)
    tier = 5
    reason = "平台官方认证"
    starts_on = dt.date(2025, 1, 1)


def active_policy():
    return RatingPolicy.objects.get(is_active=True)

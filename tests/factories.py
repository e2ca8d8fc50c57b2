"""factory_boy factories for every model; reference data comes from the data migration."""
import datetime as dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from providers.models import Category, Engagement, Platform, Provider, Service, Store
from providers.search.services import providers_search_refresh
from ratings.models import RatingPolicy, Review, StorePerformance, TierOverride

# Review text full of personal data: what masking must hide on every public page.
LEAKY = "服务很好，有问题找运营小王 13812345678，微信 wang_88888，地址：浙江省杭州市西湖区文三路123号4栋501室"


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
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        """A confirmed primary address (allauth's EmailAddress) unless email_verified=False: posting needs one."""
        if create and extracted is not False and self.email:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email.lower(), defaults={"verified": True, "primary": True}
            )


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

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        """The provider's search row, as the admin and the importers write it (after its relations, declared above)."""
        if create and extracted is not False:
            providers_search_refresh(provider_ids=[self.pk])


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


class ScoreSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ratings.ScoreSnapshot"

    provider = factory.SubFactory(ProviderFactory)
    period = dt.date(2025, 6, 1)
    as_of = dt.date(2025, 6, 30)
    policy = factory.LazyFunction(active_policy)
    review_score = Decimal("4.5000")
    review_count = 10
    review_average = Decimal("4.60")
    performance_score = Decimal("4.4000")
    performance_rows = 30
    composite = Decimal("4.44")
    active_stores = 10
    excellent_stores = 3
    candidate_tier = 4
    computed_tier = 4
    tier = 4
    status = Provider.Status.ACTIVE
    explanation = factory.LazyFunction(dict)


class RatingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ratings.RatingEvent"

    provider = factory.SubFactory(ProviderFactory)
    kind = "tier"
    period = dt.date(2025, 6, 1)
    from_value = "3"
    to_value = "4"
    reason = "候选星级提升"


# CSV rows for the importers' tests: every cell as text, one keyword per column to override.

def provider_row(**cells) -> dict[str, str]:
    return {
        "slug": "acme", "name": "爱克美电商", "name_en": "Acme Commerce", "city": "杭州", "founded_year": "2015",
        "platforms": "tmall|jd", "categories": "apparel", "services": "operation|warehousing", "fee_min": "10000",
        "fee_max": "30000.50", "international_brands": "3", "warehouse_area_m2": "1200",
        "website": "https://acme.example.cn", **cells,
    }


def engagement_row(**cells) -> dict[str, str]:
    return {
        "provider_slug": "acme", "platform": "tmall", "store_external_id": "TM001", "store_name": "爱克美旗舰店",
        "category": "apparel", "start_date": "2024-01-01", "end_date": "", **cells,
    }


def review_row(**cells) -> dict[str, str]:
    return {
        "provider_slug": "acme", "platform": "tmall", "store_external_id": "TM001", "rating": "5",
        "created_at": "2025-03-01", "status": "published", "title": "服务很好", "body": "运营团队专业，沟通及时。",
        "effect": "5", "communication": "4", "professionalism": "", "responsiveness": "", **cells,
    }


def performance_row(**cells) -> dict[str, str]:
    return {
        "platform": "tmall", "store_external_id": "TM001", "period": "2025-05", "product_score": "4.80",
        "logistics_score": "4.6", "service_score": "4.75", "gmv": "1250000.50", "orders": "8200",
        "complaint_rate": "0.0012", "refund_rate": "0.035", "on_time_ship_rate": "0.9950",
        "after_sales_response_hours": "3.5", **cells,
    }


def write_csv(path, rows, *, columns=None, encoding="utf-8"):
    """Write dict rows (header = `columns` or the first row's keys) as a CSV file; returns the path."""
    import csv
    import io

    columns = list(columns or rows[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def table_counts() -> dict[str, int]:
    """Row counts of every table an importer writes, to assert that a failed import left them untouched."""
    from ratings.models import PendingRecompute

    models = [Provider, Provider.platforms.through, Provider.categories.through, Provider.services.through, Store,
              Engagement, Review, StorePerformance, PendingRecompute]
    return {model._meta.label: model.objects.count() for model in models}


# Partner API (issue 6): keys, clients and throttle state.

def api_key(*, scopes=("read",), name="测试合作方", **kwargs):
    """A saved ApiKey with the given scopes and the whole key string (only known at creation)."""
    from partners.services import api_key_create

    return api_key_create(name=name, scopes=scopes, **kwargs)


def api_client(raw_key=None):
    """A DRF APIClient, sending `Authorization: Api-Key <raw_key>` when a key is given."""
    from rest_framework.test import APIClient

    client = APIClient()
    if raw_key:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def reset_anonymous_throttle(ident="127.0.0.1"):
    """Clear the anonymous counter of the current window (Redis keeps counters across tests)."""
    from partners.authentication import throttle_reset

    throttle_reset(scope="anon", ident=ident)


# Accounts for the merchant pages: a merchant owns stores, a provider's staff answer its reviews.

def merchant_of(*stores, username=None):
    """A user account linked to the given stores as their merchant."""
    user = UserFactory(**({"username": username} if username else {}))
    for store in stores:
        store.merchants.add(user)
    return user


def provider_staff(provider, username=None, role="member"):
    """A user account in the provider's team (answers reviews; role: owner, manager or member)."""
    user = UserFactory(**({"username": username} if username else {}))
    provider.members.add(user, through_defaults={"role": role})
    return user


def seeded_review(engagement, day):
    """A review as the demo seeding or a CSV import writes it: no author, no engagement link."""
    return ReviewFactory(provider=engagement.provider, store=engagement.store, created_at=day,
                         status=Review.Status.PENDING)


# Admin roles (issue 5): staff users in the groups made by providers/migrations/*_roles.

GRADERS, MODERATORS, STEWARDS = "Graders", "Moderators", "Data stewards"


def staff_user(role: str | None, username: str | None = None):
    """A staff account in one admin role (None: staff in no role)."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **({"username": username} if username else {}))
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def rated_provider(*, stores: int = 3, score: str = "4.00", today: dt.date | None = None, **provider_fields):
    """A provider running `stores` stores since two years ago, each with performance rows at `score` for the
    three months up to `today`'s month (the policy's window), so a recompute as of today rates it."""
    from django.utils import timezone

    today = today or timezone.localdate()
    provider = ProviderFactory(**provider_fields)
    month = today.replace(day=1)
    months = [month]
    for _ in range(2):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    for _ in range(stores):
        engagement = EngagementFactory(provider=provider, start_date=today - dt.timedelta(days=730))
        for period in months:
            StorePerformanceFactory(store=engagement.store, period=period, product_score=Decimal(score),
                                    logistics_score=Decimal(score), service_score=Decimal(score))
    return provider


class ReviewAppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ratings.ReviewAppeal"

    review = factory.SubFactory(ReviewFactory)
    provider = factory.LazyAttribute(lambda o: o.review.provider)
    explanation = "该店铺从未与我们合作，评价内容与事实不符。"

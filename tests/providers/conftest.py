"""The directory's page tests: pages rendered fresh unless a test switches the cache on, and a small directory."""
from decimal import Decimal

import pytest

from providers.models import Provider
from tests.factories import ProviderFactory


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    """Factories write rows without bumping the ratings generation, so pages are rendered fresh here.

    The cache itself is tested with it switched back on (`cache_on`).
    """
    settings.DIRECTORY_CACHE_SECONDS = 0


@pytest.fixture
def demo(db):
    """A small directory: three listed providers (one on probation), one delisted, one suspended."""
    return {
        "xinghai": ProviderFactory(
            slug="xinghai", name="星海电商", name_en="Xinghai Commerce", city="杭州", tier=6, score=Decimal("4.85"),
            review_average=Decimal("4.63"), review_count=120, fee_min=Decimal("8000"), fee_max=Decimal("30000"),
            verified=True, platforms=["tmall", "jd"], services=["warehousing", "cross_border"],
            categories=["apparel"],
        ),
        "yunfan": ProviderFactory(
            slug="yunfan", name="云帆运营", name_en="Yunfan Operations", city="上海", tier=5, score=Decimal("4.55"),
            review_average=Decimal("4.40"), review_count=35, at_risk=True, platforms=["douyin"],
            services=["operation", "live_streaming"], categories=["food"],
        ),
        "qinghe": ProviderFactory(
            slug="qinghe", name="青禾品牌管理", name_en="Qinghe Brand Management", city="广州", tier=3,
            score=Decimal("3.40"), status=Provider.Status.PROBATION, platforms=["taobao"], services=["design"],
            categories=["beauty"],
        ),
        "beichen": ProviderFactory(
            slug="beichen", name="北辰科技", name_en="Beichen Tech", status=Provider.Status.DELISTED,
            platforms=["tmall"],
        ),
        "nanshan": ProviderFactory(
            slug="nanshan", name="南山网络", name_en="Nanshan Network", status=Provider.Status.SUSPENDED,
        ),
    }


@pytest.fixture
def cache_on(settings):
    """The page cache switched on, starting a new ratings generation (Redis keeps pages from earlier tests)."""
    from providers.cache import directory_cache_bump

    settings.DIRECTORY_CACHE_SECONDS = 600
    directory_cache_bump()

"""Deterministic, bilingual demo data at any scale: providers, stores, engagements, reviews and monthly performance.

Plain functions behind `manage.py seed_demo` and `benchmarks/recompute.py`. All randomness comes from
`random.Random` streams derived from the seed (one per phase, so a change in one phase leaves the others
alone): the same seed and the same `today` give identical rows. Ids never feed a random choice.

Shape (per provider, on average): ~3 stores with one engagement each, 50 reviews, 12 performance rows per
store. Each provider has a latent quality that drives its review ratings and platform scores, so the ratings
engine finds a realistic spread of tiers, probation and delisting; a few providers decline in recent months.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import NOT_PROVIDED, Model
from django.utils import timezone
from django.utils.text import slugify

from providers.cities import CITY_NAMES_EN
from providers.models import Category, Engagement, Platform, Provider, Service, Store
from ratings.models import Review, StorePerformance
from ratings.services import reviews_refresh_verification

REVIEWS_PER_PROVIDER = 50
PERFORMANCE_MONTHS = 12
REVIEW_DAYS = 730  # reviews are dated over the last two years, ending today
BATCH_SIZE = 5000

# Store-count design: a few providers run 50–70 stores, some 10–30, most 1–10; ~3 per provider overall.
MEGA_SHARE, LARGE_SHARE = 0.005, 0.03
SMALL_STORE_WEIGHTS = [46, 24, 12, 7, 4, 2.5, 1.5, 1.2, 1, 0.8]  # 1..10 stores, mean ≈ 2.3
ENDED_SHARE = 0.10
TOP_SHARE = 0.03  # these providers get all four services a 6★ gate asks for
DECLINING_SHARE = 0.03
UNVERIFIED_SHARE = 0.08
DIMENSION_SHARE = 0.70
REPLY_SHARE = 0.20

CITIES = [  # (中文, English, weight): where e-commerce agencies cluster; names from providers.cities
    (zh, CITY_NAMES_EN[zh], weight) for zh, weight in [
        ("杭州", 14), ("上海", 12), ("广州", 10), ("深圳", 10), ("北京", 7), ("宁波", 4), ("苏州", 4), ("成都", 4),
        ("义乌", 4), ("武汉", 3), ("厦门", 3), ("泉州", 3), ("南京", 3), ("东莞", 3), ("金华", 2), ("温州", 2),
        ("佛山", 2), ("长沙", 2), ("郑州", 2), ("西安", 2), ("重庆", 2), ("青岛", 2), ("天津", 1), ("合肥", 1),
        ("福州", 1), ("济南", 1), ("嘉兴", 1), ("绍兴", 1), ("湖州", 1), ("无锡", 1), ("常州", 1), ("汕头", 1),
    ]
]
NAME_SYLLABLES = [
    ("云启", "Yunqi"), ("鼎盛", "Dingsheng"), ("拓维", "Tuowei"), ("星河", "Xinghe"), ("宏图", "Hongtu"),
    ("优品", "Youpin"), ("锐思", "Ruisi"), ("凯越", "Kaiyue"), ("博远", "Boyuan"), ("嘉禾", "Jiahe"),
    ("汇通", "Huitong"), ("聚力", "Juli"), ("创联", "Chuanglian"), ("青柠", "Qingning"), ("蓝海", "Lanhai"),
    ("美拓", "Meituo"), ("易达", "Yida"), ("天择", "Tianze"), ("恒信", "Hengxin"), ("东升", "Dongsheng"),
    ("远景", "Yuanjing"), ("启航", "Qihang"), ("炫动", "Xuandong"), ("麦田", "Maitian"), ("新禾", "Xinhe"),
    ("智赢", "Zhiying"), ("峰尚", "Fengshang"), ("卓越", "Zhuoyue"), ("华锐", "Huarui"), ("乐享", "Lexiang"),
    ("木森", "Musen"), ("橙果", "Chengguo"), ("百川", "Baichuan"), ("九州", "Jiuzhou"), ("千帆", "Qianfan"),
    ("万象", "Wanxiang"), ("一帆", "Yifan"), ("领航", "Linghang"), ("悦购", "Yuegou"), ("尚品", "Shangpin"),
    ("云帆", "Yunfan"), ("奇点", "Qidian"), ("光合", "Guanghe"), ("睿博", "Ruibo"), ("立信", "Lixin"),
    ("众诚", "Zhongcheng"), ("金桥", "Jinqiao"), ("银河", "Yinhe"), ("瑞丰", "Ruifeng"), ("盛世", "Shengshi"),
    ("优谷", "Yougu"), ("米多", "Miduo"), ("微澜", "Weilan"), ("天工", "Tiangong"), ("匠心", "Jiangxin"),
    ("晨曦", "Chenxi"), ("飞鸟", "Feiniao"), ("火炬", "Huoju"), ("新锐", "Xinrui"), ("鲸选", "Jingxuan"),
    ("蜂巢", "Fengchao"), ("极光", "Jiguang"), ("北辰", "Beichen"), ("南风", "Nanfeng"), ("西岭", "Xiling"),
    ("东篱", "Dongli"), ("知行", "Zhixing"), ("致远", "Zhiyuan"), ("明德", "Mingde"), ("若水", "Ruoshui"),
    ("青云", "Qingyun"), ("朗月", "Langyue"), ("弘毅", "Hongyi"), ("澜图", "Lantu"), ("墨客", "Moke"),
    ("拾光", "Shiguang"), ("繁星", "Fanxing"), ("映像", "Yingxiang"), ("跃迁", "Yueqian"), ("数动", "Shudong"),
    ("云端", "Yunduan"), ("海纳", "Haina"), ("同创", "Tongchuang"), ("齐力", "Qili"), ("合众", "Hezhong"),
    ("优创", "Youchuang"), ("金鼎", "Jinding"), ("长风", "Changfeng"), ("飞扬", "Feiyang"), ("腾跃", "Tengyue"),
    ("云汐", "Yunxi"), ("星辰", "Xingchen"), ("鸿运", "Hongyun"), ("宏达", "Hongda"), ("华茂", "Huamao"),
    ("嘉誉", "Jiayu"), ("锦程", "Jincheng"), ("骏驰", "Junchi"), ("凌云", "Lingyun"), ("茂源", "Maoyuan"),
    ("铭扬", "Mingyang"), ("沐光", "Muguang"), ("诺亚", "Nuoya"), ("品睿", "Pinrui"), ("谦和", "Qianhe"),
    ("赛博", "Saibo"), ("尚云", "Shangyun"), ("顺达", "Shunda"), ("泰和", "Taihe"), ("拓海", "Tuohai"),
    ("万合", "Wanhe"), ("维度", "Weidu"), ("鑫诚", "Xincheng"), ("兴邦", "Xingbang"), ("雅集", "Yaji"),
    ("亿联", "Yilian"), ("永利", "Yongli"), ("优途", "Youtu"), ("远航", "Yuanhang"), ("悦然", "Yueran"),
    ("云栖", "Yunqi"), ("泽润", "Zerun"), ("正道", "Zhengdao"), ("志成", "Zhicheng"), ("众联", "Zhonglian"),
]
NAME_SUFFIXES = [
    ("电商", "E-commerce"), ("电子商务", "E-commerce"), ("网络科技", "Network Technology"),
    ("品牌管理", "Brand Management"), ("数字营销", "Digital Marketing"), ("信息科技", "Information Technology"),
    ("供应链管理", "Supply Chain Management"), ("商贸", "Trading"), ("文化传媒", "Media"),
    ("电商服务", "E-commerce Services"), ("互联网科技", "Internet Technology"), ("营销策划", "Marketing"),
]
PLATFORM_WEIGHTS = {"tmall": 30, "taobao": 25, "jd": 18, "douyin": 15, "pdd": 6, "kuaishou": 3, "xiaohongshu": 3}
STORE_SUFFIXES = {
    "tmall": ["官方旗舰店", "旗舰店", "专营店", "专卖店"],
    "taobao": ["企业店", "小店", "优选店"],
    "jd": ["官方旗舰店", "京东自营旗舰店", "旗舰店", "专营店"],
    "douyin": ["官方旗舰店", "抖音小店", "旗舰店"],
    "pdd": ["旗舰店", "专营店", "官方旗舰店"],
    "kuaishou": ["官方旗舰店", "快手小店"],
    "xiaohongshu": ["官方店", "旗舰店"],
}
BRAND_HEADS = "沐悦森禾朵植萃蔻澜初屿柚栀岚溪卡米洛蓓诺贝可优纯良臻简逸雅瑾"
BRAND_TAILS = "禾颜语家雪铺宝乐物集选季舍木研美纪然臻屋"
CATEGORY_WORD = {
    "apparel": "服饰", "beauty": "美妆", "food": "食品", "electronics": "数码", "home": "家居",
    "maternity": "母婴", "sports": "户外", "health": "健康", "appliances": "电器", "pets": "宠物",
}
AVERAGE_ORDER_VALUE = {  # CNY per order, by category
    "apparel": 180, "beauty": 160, "food": 90, "electronics": 900, "home": 400, "maternity": 200,
    "sports": 300, "health": 120, "appliances": 1200, "pets": 110,
}
REFUND_BASE = {
    "apparel": 0.18, "beauty": 0.06, "food": 0.03, "electronics": 0.05, "home": 0.07, "maternity": 0.06,
    "sports": 0.10, "health": 0.03, "appliances": 0.04, "pets": 0.04,
}
SEASON = {1: 0.95, 2: 0.75, 3: 0.95, 4: 0.95, 5: 1.05, 6: 1.35, 7: 0.9, 8: 0.9, 9: 1.0, 10: 1.1, 11: 1.7, 12: 1.25}
FEE_STEPS = [8000, 10000, 12000, 15000, 18000, 20000, 25000, 30000, 35000, 40000, 50000, 60000, 70000, 80000]
FEE_START = {"micro": (0, 2), "small": (1, 4), "medium": (3, 6), "large": (5, 9), "xlarge": (7, 10)}
SIZE_EN = {"micro": "fewer than 20", "small": "20–99", "medium": "100–499", "large": "500–1,999", "xlarge": "2,000+"}
OPTIONAL_SERVICES = [  # (code, share) besides operation, which everyone offers
    ("design", 0.45), ("customer_service", 0.40), ("warehousing", 0.35), ("distribution", 0.25),
    ("cross_border", 0.15), ("live_streaming", 0.30), ("advertising", 0.45),
]
SIX_STAR_SERVICES = ("warehousing", "distribution", "cross_border", "multilingual")

TITLES = {
    "pos": ["运营专业，效果超预期", "合作愉快，强烈推荐", "销售额明显提升", "团队靠谱，响应及时", "大促表现很出色",
            "值得长期合作", "专业度很高", "店铺数据稳步增长", "服务细致到位", "投产比提升明显"],
    "mid": ["中规中矩", "效果一般，还需观察", "沟通还行，效果待提升", "有亮点也有不足", "基本达到预期", "价格偏高，效果尚可"],
    "neg": ["效果不理想", "沟通不及时", "承诺与实际不符", "团队频繁换人", "投入产出不成正比", "不太推荐"],
    "mal": ["骗子公司，千万别找", "差评！！！", "避雷", "坑人"],
}
BODIES = {
    "pos": ["接手{p}店铺后，三个月内成交额增长明显。", "运营团队对{c}类目很熟悉，选品和定价建议都很到位。",
            "双11期间的活动策划和执行都很专业。", "日常沟通顺畅，周报月报按时提交。", "推广投放的投产比比之前提升不少。",
            "客服外包质量稳定，店铺评分持续提升。", "视觉设计风格统一，详情页转化率提高。", "遇到问题响应很快，晚上也能找到人。"],
    "mid": ["整体还可以，但部分活动执行不够细。", "前两个月效果明显，后面增长放缓。", "报价略高，希望能多一些数据复盘。",
            "沟通没问题，就是方案创新不足。", "{p}平台的规则变化跟进得稍慢。", "{c}类目的竞品分析做得比较浅。"],
    "neg": ["合作半年销售额不升反降。", "对接人经常换，很多事情要重复沟通。", "推广费花了不少，转化很差。",
            "承诺的活动资源一个都没拿到。", "售后问题处理拖沓，{p}店铺评分被拉低。", "数据报表经常延迟，看不到真实情况。"],
    "mal": ["大家千万不要相信他们！", "收钱不办事！", "避雷！避雷！避雷！"],
}
REPLIES = {
    "pos": ["感谢您的认可，我们会继续努力！", "感谢支持，期待下一个大促继续合作！", "谢谢好评，团队会保持服务质量。"],
    "mid": ["感谢反馈，已安排运营负责人与您联系复盘。", "谢谢您的建议，我们会优化方案和数据复盘。"],
    "neg": ["非常抱歉给您带来不好的体验，我们已在内部整改。", "您反馈的问题我们非常重视，客户经理会尽快与您沟通。"],
    "mal": ["该评价与事实不符，我们已提交平台核实。"],
}
DIMENSION_DELTAS = (-1, 0, 0, 0, 1)

# Decimal values precomputed once: building a Decimal per column per row is the slow part otherwise.
SCORE_VALUES = [Decimal(i).scaleb(-2) for i in range(501)]  # 0.00 … 5.00
RATE_VALUES = [Decimal(i).scaleb(-4) for i in range(10001)]  # 0.0000 … 1.0000
HOUR_VALUES = [Decimal(i).scaleb(-2) for i in range(9601)]  # 0.00 … 96.00


@dataclass
class ProviderPlan:
    """Everything decided about one provider before any row is written."""

    index: int
    kind: str  # mega, large, regular
    stores: int
    quality: float
    city: tuple[str, str]
    name: str = ""
    name_en: str = ""
    slug: str = ""
    platforms: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    # Decline: from `decline_start` months ago quality falls `decline_step` per month, capped at `decline_cap`.
    decline_start: int = -1
    decline_step: float = 0.0
    decline_cap: float = 0.0

    def drop(self, months_ago: int) -> float:
        if months_ago > self.decline_start:
            return 0.0
        return min(self.decline_cap, self.decline_step * (self.decline_start - months_ago + 1))


@dataclass
class StorePlan:
    provider: int  # index into the provider plans
    platform: str
    category: str
    name: str
    external_id: str
    start: dt.date
    end: dt.date | None
    level: float  # the store's own offset on top of its provider's quality
    gmv: float  # typical monthly GMV
    order_value: float


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float


@dataclass
class SeedResult:
    """What a seed wrote: row counts per table and the time each phase took."""

    counts: dict[str, int] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)


def demo_seed(
    *, providers: int, seed: int, today: dt.date | None = None, months: int = PERFORMANCE_MONTHS,
    verify: bool = True, log: Callable[[str], None] = lambda line: None,
) -> SeedResult:
    """Write the demo data set for `providers` providers in one transaction (the database must hold none yet).

    `months` of performance rows per store (at least 12). Reviews are written with `verified` as the rule gives
    it; `reviews_refresh_verification()` then runs in the same transaction (unless `verify` is False) so the
    flag is the engine's own, and reports 0 changes when generator and rule agree.
    """
    if providers < 1:
        raise ValueError("providers must be at least 1")
    today = today or timezone.localdate()
    months = max(months, PERFORMANCE_MONTHS)
    result = SeedResult()

    def phase(name: str, started: float, rows: int) -> None:
        seconds = time.perf_counter() - started
        result.phases.append(Phase(name, rows, seconds))
        result.counts[name] = result.counts.get(name, 0) + rows
        log(f"  {name}: {rows:,} rows in {seconds:.1f}s")

    with transaction.atomic(), _sqlite_cache(megabytes=512):
        reference = reference_data()

        started = time.perf_counter()
        plans = plan_providers(count=providers, seed=seed)
        provider_ids = _create_providers(plans, seed=seed, reference=reference)
        phase("providers", started, len(plans))

        started = time.perf_counter()
        phase("provider links", started, _create_provider_links(plans, provider_ids, reference))

        started = time.perf_counter()
        stores = plan_stores(plans, seed=seed, today=today)
        store_ids = _create_stores(stores, reference)
        phase("stores", started, len(stores))

        started = time.perf_counter()
        Engagement.objects.bulk_create(
            [Engagement(provider_id=provider_ids[s.provider], store_id=store_ids[i], start_date=s.start, end_date=s.end)
             for i, s in enumerate(stores)],
            batch_size=BATCH_SIZE,
        )
        phase("engagements", started, len(stores))

        started = time.perf_counter()
        written = 0
        for chunk in review_rows(plans, stores, provider_ids, store_ids, seed=seed, today=today, reference=reference):
            written += _insert_rows(Review, REVIEW_FIELDS, chunk)
            log(f"    reviews: {written:,} / {REVIEWS_PER_PROVIDER * len(plans):,}")
        phase("reviews", started, written)

        started = time.perf_counter()
        written = 0
        for chunk in performance_rows(plans, stores, store_ids, seed=seed, today=today, months=months):
            written += _insert_rows(StorePerformance, PERFORMANCE_FIELDS, chunk)
            log(f"    performance: {written:,} / {len(stores) * months:,}")
        phase("performance", started, written)

        if verify:
            started = time.perf_counter()
            changed = reviews_refresh_verification()
            log(f"  verification: {changed:,} review flags changed in {time.perf_counter() - started:.1f}s")
    return result


# ---------------------------------------------------------------------------------------------------- providers


def reference_data() -> dict[str, dict[str, tuple[int, str, str]]]:
    """{"platform" | "category" | "service": {code: (id, 中文名, English name)}}, one query per table."""
    return {
        key: {code: (pk, name, name_en) for code, pk, name, name_en in
              model.objects.values_list("code", "pk", "name", "name_en")}
        for key, model in (("platform", Platform), ("category", Category), ("service", Service))
    }


def plan_providers(*, count: int, seed: int) -> list[ProviderPlan]:
    """Decide every provider's scale, quality, name, platforms, categories, services and decline."""
    rng = random.Random(f"{seed}:providers")
    mega = max(1, round(count * MEGA_SHARE))
    large = round(count * LARGE_SHARE)
    kinds = ["mega"] * mega + ["large"] * min(large, count - mega)
    kinds += ["regular"] * (count - len(kinds))
    rng.shuffle(kinds)

    plans, first_mega = [], True
    cities, city_weights = CITIES, [c[2] for c in CITIES]
    for index, kind in enumerate(kinds):
        if kind == "mega":
            stores = rng.randint(52, 70)
            # The first one is strong enough for 6★, so the top tier shows up at any scale.
            quality = rng.uniform(0.93, 0.97) if first_mega else rng.uniform(0.8, 0.97)
            first_mega = False
        elif kind == "large":
            stores, quality = rng.randint(10, 30), rng.betavariate(6, 2)
        else:
            stores = rng.choices(range(1, 11), weights=SMALL_STORE_WEIGHTS)[0]
            quality = rng.betavariate(5, 2)
        city = rng.choices(cities, weights=city_weights)[0]
        plans.append(ProviderPlan(index=index, kind=kind, stores=stores, quality=quality, city=city[:2]))

    _name_providers(plans, rng)
    platform_codes, platform_weights = list(PLATFORM_WEIGHTS), list(PLATFORM_WEIGHTS.values())
    category_codes = list(CATEGORY_WORD)
    for plan in plans:
        plan.platforms = _sample(rng, platform_codes, platform_weights, 3 if plan.kind == "mega" else
                                 rng.choices((1, 2, 3), weights=(45, 35, 20))[0])
        plan.categories = _sample(rng, category_codes, None, rng.choices((1, 2, 3), weights=(50, 35, 15))[0])
        services = ["operation"] + [code for code, share in OPTIONAL_SERVICES if rng.random() < share]
        # Multilingual teams mostly come with cross-border work: 12% overall.
        if rng.random() < (0.5 if "cross_border" in services else 0.053):
            services.append("multilingual")
        plan.services = services

    ranked = sorted(plans, key=lambda p: ({"mega": 2, "large": 1}.get(p.kind, 0), p.stores, p.quality), reverse=True)
    for plan in ranked[: max(1, round(count * TOP_SHARE))]:
        plan.services += [code for code in SIX_STAR_SERVICES if code not in plan.services]

    # Decline among providers that hold a tier (≥3 stores), plus one big one when there are several.
    candidates = [p for p in plans if p.kind != "mega" and p.stores >= 3]
    declining = rng.sample(candidates, min(len(candidates), round(count * DECLINING_SHARE)))
    megas = [p for p in plans if p.kind == "mega"]
    if len(megas) >= 3:
        declining.append(megas[-1])
    for plan in declining:
        plan.decline_start = rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4, 5))
        plan.decline_step = rng.uniform(0.25, 0.45)
        plan.decline_cap = min(plan.quality - 0.05, rng.uniform(0.35, 0.65))
    return plans


def _name_providers(plans: list[ProviderPlan], rng: random.Random) -> None:
    """杭州云启电商 / Hangzhou Yunqi E-commerce: unique names (a four-character brand when a city's two-character
    ones run out), and unique slugs from the English name, numbered when two English names coincide."""
    taken_names, taken_slugs = set(), set()
    for plan in plans:
        for attempt in range(60):
            zh, en = rng.choice(NAME_SYLLABLES)
            if attempt >= 20:
                second = rng.choice(NAME_SYLLABLES)
                zh, en = zh + second[0], f"{en} {second[1]}"
            suffix = rng.choice(NAME_SUFFIXES)
            name = f"{plan.city[0]}{zh}{suffix[0]}"
            if name not in taken_names:
                break
        taken_names.add(name)
        plan.name, plan.name_en = name, f"{plan.city[1]} {en} {suffix[1]}"
        base = slugify(plan.name_en)[:72]
        slug, n = base, 1
        while slug in taken_slugs:
            n += 1
            slug = f"{base}-{n}"
        taken_slugs.add(slug)
        plan.slug = slug


def _sample(rng: random.Random, population: Sequence[str], weights: Sequence[float] | None, k: int) -> list[str]:
    """k distinct items drawn by weight, returned in the population's order."""
    pool, w, picked = list(population), list(weights) if weights else [1] * len(population), set()
    while len(picked) < k:
        choice = rng.choices(pool, weights=w)[0]
        at = pool.index(choice)
        pool.pop(at), w.pop(at)
        picked.add(choice)
    return [item for item in population if item in picked]


def _provider_row(plan: ProviderPlan, rng: random.Random, reference: dict) -> Provider:
    if plan.kind == "mega":
        size = rng.choice(("large", "xlarge", "xlarge"))
        founded = rng.randint(2005, 2014)
    elif plan.kind == "large":
        size = rng.choice(("medium", "medium", "large"))
        founded = rng.randint(2006, 2018)
    else:
        size = rng.choice(("micro", "micro", "small") if plan.stores <= 2 else ("micro", "small", "small", "medium")
                          if plan.stores <= 5 else ("small", "medium", "medium"))
        founded = rng.randint(2005, 2022)
    fee_min = fee_max = None
    if rng.random() >= 0.04:  # the rest quote "面议"
        low, high = FEE_START[size]
        step = rng.randint(low, high)
        fee_min = Decimal(FEE_STEPS[step])
        fee_max = Decimal(FEE_STEPS[min(len(FEE_STEPS) - 1, step + rng.randint(1, 3))])
    if "cross_border" in plan.services:
        low, high = {"micro": (2, 10), "small": (3, 20), "medium": (5, 35), "large": (10, 60)}.get(size, (20, 80))
        brands = rng.randint(low, high)
    elif plan.kind == "mega":
        brands = rng.randint(10, 80)
    else:
        brands = 0 if rng.random() < 0.6 else rng.randint(1, 12)
    area = 0
    if "warehousing" in plan.services:
        low, high = {"mega": (15000, 50000), "large": (5000, 30000)}.get(plan.kind, (1000, 12000))
        area = rng.randrange(low, high + 1, 500)
    verified = plan.kind == "mega" or rng.random() < 0.25 + 0.45 * plan.quality
    website = f"https://www.{plan.slug}.example.com" if rng.random() < 0.8 else ""
    description, description_en = _describe(plan, rng, founded, size, brands, area, reference)
    return Provider(
        slug=plan.slug, name=plan.name, name_en=plan.name_en, description=description, description_en=description_en,
        city=plan.city[0], founded_year=founded, size_band=size, fee_min=fee_min, fee_max=fee_max,
        international_brands=brands, warehouse_area_m2=area, website=website, verified=verified,
    )


def _describe(plan, rng, founded, size, brands, area, reference) -> tuple[str, str]:
    """A short profile in Chinese and English (two sentence shapes, so the directory does not read as one)."""
    def names(kind: str, codes: list[str]) -> tuple[str, str]:
        rows = [reference[kind][code] for code in codes]
        return "、".join(r[1] for r in rows), ", ".join(r[2] if kind == "platform" else r[2].lower() for r in rows)

    platforms_zh, platforms_en = names("platform", plan.platforms)
    categories_zh, categories_en = names("category", plan.categories)
    services_zh, services_en = names("service", plan.services)
    if rng.random() < 0.5:
        zh = f"{plan.name}成立于{founded}年，总部位于{plan.city[0]}，专注{platforms_zh}平台的{categories_zh}类目代运营，提供{services_zh}等服务。"
        en = (f"{plan.name_en} was founded in {founded} and is based in {plan.city[1]}. It runs {categories_en} "
              f"stores on {platforms_en}, offering {services_en}.")
    else:
        zh = f"总部位于{plan.city[0]}的{categories_zh}类目代运营服务商，{founded}年起深耕{platforms_zh}，提供{services_zh}。"
        en = (f"A {plan.city[1]}-based agency for {categories_en} brands, on {platforms_en} since {founded}; "
              f"services: {services_en}.")
    zh += f"团队规模{Provider.SizeBand(size).label}，"
    en += f" Team size: {SIZE_EN[size]} people."
    zh += f"目前服务{plan.stores}家店铺。" if plan.stores > 1 else "目前专注服务单个店铺。"
    if brands:
        zh += f"已服务{brands}个国际品牌。"
        en += f" Has served {brands} international brands."
    if area:
        zh += f"自有仓储面积约{area:,}平方米。"
        en += f" Runs about {area:,} m² of warehouse space."
    return zh, en


def _create_providers(plans: list[ProviderPlan], *, seed: int, reference: dict) -> list[int]:
    rng = random.Random(f"{seed}:provider-details")
    rows = [_provider_row(plan, rng, reference) for plan in plans]
    created = Provider.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if created and created[0].pk is None:  # SQLite < 3.35 returns no ids: read them back in one query
        by_slug = dict(Provider.objects.filter(slug__in=[p.slug for p in plans]).values_list("slug", "pk"))
        return [by_slug[p.slug] for p in plans]
    return [p.pk for p in created]


def _create_provider_links(plans: list[ProviderPlan], provider_ids: list[int], reference: dict) -> int:
    """Platforms, categories and services through the M2M through models' bulk_create."""
    written = 0
    for relation, kind, attr in (
        (Provider.platforms, "platform", "platforms"),
        (Provider.categories, "category", "categories"),
        (Provider.services, "service", "services"),
    ):
        through = relation.through
        target = relation.field.m2m_reverse_field_name() + "_id"
        ids = reference[kind]
        rows = [
            through(provider_id=provider_ids[plan.index], **{target: ids[code][0]})
            for plan in plans
            for code in getattr(plan, attr)
        ]
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        written += len(rows)
    return written


# ---------------------------------------------------------------------------------------------------- stores


def plan_stores(plans: list[ProviderPlan], *, seed: int, today: dt.date) -> list[StorePlan]:
    """Each provider's stores, one engagement each: started 1–4 years ago, ~10% ended since."""
    rng = random.Random(f"{seed}:stores")
    next_id = {code: 100_000_000 + i * 37_000_000 for i, code in enumerate(PLATFORM_WEIGHTS)}
    stores = []
    for plan in plans:
        platform_weights = [PLATFORM_WEIGHTS[c] for c in plan.platforms]
        for _ in range(plan.stores):
            platform = rng.choices(plan.platforms, weights=platform_weights)[0]
            category = rng.choice(plan.categories)
            next_id[platform] += rng.randint(1, 997)
            brand = rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
            name = f"{brand}{CATEGORY_WORD[category]}{rng.choice(STORE_SUFFIXES[platform])}"
            start = today - dt.timedelta(days=rng.randint(365, 4 * 365))
            end = None
            if rng.random() < ENDED_SHARE:
                end = today - dt.timedelta(days=rng.randint(15, 300))
            stores.append(StorePlan(
                provider=plan.index, platform=platform, category=category, name=name,
                external_id=str(next_id[platform]), start=start, end=end, level=rng.gauss(0, 0.22),
                gmv=rng.lognormvariate(math.log(250_000), 1.0),
                order_value=AVERAGE_ORDER_VALUE[category] * rng.lognormvariate(0, 0.25),
            ))
    return stores


def _create_stores(stores: list[StorePlan], reference: dict) -> list[int]:
    platforms, categories = reference["platform"], reference["category"]
    rows = [Store(platform_id=platforms[s.platform][0], external_id=s.external_id, name=s.name,
                  category_id=categories[s.category][0]) for s in stores]
    created = Store.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if created and created[0].pk is None:  # SQLite < 3.35 returns no ids: read them back in one query
        by_key = {(p, e): pk for p, e, pk in Store.objects.values_list("platform_id", "external_id", "pk")}
        return [by_key[(platforms[s.platform][0], s.external_id)] for s in stores]
    return [s.pk for s in created]


# ---------------------------------------------------------------------------------------------------- evidence

REVIEW_FIELDS = [
    "provider", "store", "rating", "effect", "communication", "professionalism", "responsiveness", "title", "body",
    "created_at", "status", "verified", "reply", "replied_at", "submitted_at", "updated_at", "author",
]
PERFORMANCE_FIELDS = [
    "store", "period", "product_score", "logistics_score", "service_score", "gmv", "orders", "complaint_rate",
    "refund_rate", "on_time_ship_rate", "after_sales_response_hours",
]


def _rating_tables() -> list[list[float]]:
    """Cumulative P(rating ≤ k) for a mean quality mu = 0.5, 0.55, … 5.5 (a clipped bell around mu)."""
    tables = []
    for step in range(101):
        mu = 0.5 + step * 0.05
        weights = [math.exp(-((k - mu) ** 2) / (2 * 0.7 ** 2)) for k in range(1, 6)]
        total, running, cumulative = sum(weights), 0.0, []
        for w in weights:
            running += w / total
            cumulative.append(running)
        cumulative[-1] = 1.0
        tables.append(cumulative)
    return tables


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` by weight into whole numbers that add up exactly (largest remainder)."""
    scale = total / sum(weights)
    quotas = [w * scale for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def review_rows(
    plans, stores, provider_ids, store_ids, *, seed: int, today: dt.date, reference: dict | None = None,
    chunk_providers: int = 1000,
):
    """Yield lists of review tuples (REVIEW_FIELDS order), a chunk of providers at a time.

    Exactly REVIEWS_PER_PROVIDER × providers rows, skewed by store count and chance; unique per
    (provider, store, day) by construction.
    """
    rng = random.Random(f"{seed}:reviews")
    rnd = rng.random
    weights = [(p.stores ** 0.7) * rng.lognormvariate(0, 0.6) * (0.6 + 0.8 * p.quality) for p in plans]
    counts = _allocate(REVIEWS_PER_PROVIDER * len(plans), weights)
    tables = _rating_tables()
    dimension_values = {r: [min(5, max(1, r + d)) for d in DIMENSION_DELTAS] for r in range(1, 6)}
    by_provider = [[] for _ in plans]
    for i, s in enumerate(stores):
        by_provider[s.provider].append(i)
    today_ord, first_ord = today.toordinal(), today.toordinal() - REVIEW_DAYS + 1
    days = [dt.date.fromordinal(first_ord + d) for d in range(REVIEW_DAYS)]
    this_month = today.year * 12 + today.month
    months_ago = [this_month - (d.year * 12 + d.month) for d in days]
    day_values = [connection.ops.adapt_datefield_value(d) for d in days]
    adapt_moment = connection.ops.adapt_datetimefield_value
    tz = timezone.get_current_timezone()
    now = timezone.now()
    submitted = [adapt_moment(dt.datetime.combine(d, dt.time(20, 0), tzinfo=tz)) for d in days]
    bodies = _review_bodies(reference or reference_data())
    n_stores = len(stores)

    def store_range(s: StorePlan) -> tuple[int, int]:
        low = max(s.start.toordinal(), first_ord)
        high = today_ord if s.end is None else min(today_ord, s.end.toordinal() + 45)
        return low, high

    chunk = []
    for plan in plans:
        own = by_provider[plan.index]
        ranges = [store_range(stores[i]) for i in own]
        used = set()
        pid = provider_ids[plan.index]
        for _ in range(counts[plan.index]):
            u = rnd()  # 85% published, 7% pending, 5% rejected, 3% malicious
            status = "published" if u < 0.85 else "pending" if u < 0.92 else "rejected" if u < 0.97 else "malicious"
            store = day = None
            pick = int(rnd() * len(own))
            if rnd() < UNVERIFIED_SHARE:
                start = stores[own[pick]].start.toordinal()
                if start > first_ord and rnd() < 0.5:  # dated before the engagement began
                    store = own[pick]
                    day = _free_day(rng, used, store, first_ord, start - 1)
            else:
                store = own[pick]
                low, high = ranges[pick]
                if status == "pending":  # the moderation queue holds recent reviews
                    low = max(low, high - 30)
                day = _free_day(rng, used, store, low, high)
                if day is None:  # the store's days are taken: try the provider's other stores
                    for other, (low, high) in zip(own, ranges):
                        day = _free_day(rng, used, other, low, high)
                        if day is not None:
                            store = other
                            break
            if day is None:  # a store the provider never ran
                if n_stores == len(own):
                    raise ValueError("not enough store-days for the planned reviews")
                while day is None:
                    store = int(rnd() * n_stores)
                    if stores[store].provider != plan.index:
                        day = _free_day(rng, used, store, first_ord, today_ord)
            used.add((store, day))
            s = stores[store]
            # The verification rule, applied as we go: the provider ran this store from on or before that day.
            verified = s.provider == plan.index and day >= s.start.toordinal()
            at = day - first_ord
            if status == "malicious":
                rating = 1 if rnd() < 0.8 else 2
                sentiment = "mal"
            else:
                if rnd() < 0.05:  # every provider gets the odd review out of pattern
                    rating = 1 + int(rnd() * 5)
                else:
                    quality = plan.quality - plan.drop(months_ago[at])
                    table = tables[min(100, max(0, round((0.7 + 4.3 * quality) * 20)))]
                    r = rnd()
                    rating = (1 if r < table[0] else 2 if r < table[1] else 3 if r < table[2]
                              else 4 if r < table[3] else 5)
                sentiment = "pos" if rating >= 4 else "mid" if rating == 3 else "neg"
            if rnd() < DIMENSION_SHARE:
                values = dimension_values[rating]
                effect, communication = values[int(rnd() * 5)], values[int(rnd() * 5)]
                professionalism, responsiveness = values[int(rnd() * 5)], values[int(rnd() * 5)]
            else:
                effect = communication = professionalism = responsiveness = None
            choices = bodies[(sentiment, s.platform, s.category)][int(rnd() * 3)]
            body = choices[int(rnd() * len(choices))]
            titles = TITLES[sentiment]
            title = titles[int(rnd() * len(titles))]
            reply, replied_at, updated = "", None, submitted[at]
            if rnd() < REPLY_SHARE:
                replies = REPLIES[sentiment]
                reply = replies[int(rnd() * len(replies))]
                moment = dt.datetime.combine(days[at], dt.time(9, 0), tzinfo=tz) + dt.timedelta(
                    days=int(rnd() * 7), minutes=int(rnd() * 600)
                )
                replied_at = updated = adapt_moment(min(moment, now))
            chunk.append((
                pid, store_ids[store], rating, effect, communication, professionalism, responsiveness, title, body,
                day_values[at], status, verified, reply, replied_at, submitted[at], updated, None,
            ))
        if (plan.index + 1) % chunk_providers == 0:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _review_bodies(reference: dict) -> dict[tuple[str, str, str], list[list[str]]]:
    """(sentiment, platform, category) → bodies of 1, 2 and 3 distinct fragments, names filled in."""
    bodies = {}
    for sentiment, fragments in BODIES.items():
        for platform, (_, p, _) in reference["platform"].items():
            for category, (_, c, _) in reference["category"].items():
                filled = [f.format(p=p, c=c) for f in fragments]
                bodies[(sentiment, platform, category)] = [
                    ["".join(combo) for combo in itertools.permutations(filled, k)] for k in (1, 2, 3)
                ]
    return bodies


def _free_day(rng: random.Random, used: set, store: int, low: int, high: int) -> int | None:
    """A day in [low, high] (recent days likelier) not yet reviewed for this store, or None if all are taken."""
    if high < low:
        return None
    span = high - low + 1
    rnd = rng.random
    for _ in range(6):
        day = high - int(span * rnd() ** 1.3)
        if (store, day) not in used:
            return day
    for day in range(high, low - 1, -1):
        if (store, day) not in used:
            return day
    return None


def performance_rows(plans, stores, store_ids, *, seed: int, today: dt.date, months: int, chunk_stores: int = 5000):
    """Yield lists of monthly performance tuples (PERFORMANCE_FIELDS order): every store, `months` months to today.

    Sub-scores follow the provider's quality (and its decline), plus the store's own level and monthly noise.
    """
    rng = random.Random(f"{seed}:performance")
    rnd, exp = rng.random, math.exp
    current = today.replace(day=1)
    periods = []
    for back in range(months - 1, -1, -1):
        index = current.year * 12 + current.month - 1 - back
        period = dt.date(index // 12, index % 12 + 1, 1)
        periods.append((back, connection.ops.adapt_datefield_value(period), SEASON[period.month]))
    # The current month is reported so far: its GMV and orders cover the days elapsed.
    elapsed = today.day / calendar.monthrange(today.year, today.month)[1]
    scores, rates, hours = SCORE_VALUES, RATE_VALUES, HOUR_VALUES
    drops = {}
    chunk = []
    for i, s in enumerate(stores):
        plan = plans[s.provider]
        if plan.index not in drops:
            drops[plan.index] = [plan.drop(back) for back in range(months)]
        drop = drops[plan.index]
        store_id = store_ids[i]
        refund_base = REFUND_BASE[s.category]
        for back, period, season in periods:
            quality = plan.quality - drop[back]
            # (r+r+r-1.5)·2 is a unit-variance bell on [-3, 3]: close enough to a normal, ten times cheaper.
            level = 2.9 + 2.1 * quality + s.level + 0.16 * (rnd() + rnd() + rnd() - 1.5)
            product = scores[min(500, max(0, round((level + 0.24 * (rnd() + rnd() + rnd() - 1.5)) * 100)))]
            logistics = scores[min(500, max(0, round((level + 0.36 * (rnd() + rnd() + rnd() - 1.5)) * 100)))]
            service = scores[min(500, max(0, round((level + 0.24 * (rnd() + rnd() + rnd() - 1.5)) * 100)))]
            gmv = s.gmv * season * (0.85 + 0.3 * quality) * exp(0.3 * (rnd() + rnd() + rnd() - 1.5))
            if back == 0:
                gmv *= elapsed
            failing = 1 - quality
            complaint = min(0.2, 0.002 + 0.03 * failing * failing * exp(0.6 * (rnd() + rnd() - 1)))
            refund = min(0.8, refund_base * (1.3 - 0.5 * quality) * exp(0.4 * (rnd() + rnd() - 1)))
            on_time = min(1.0, 0.88 + 0.115 * quality + 0.03 * (rnd() + rnd() - 1))
            response = min(96.0, 1.0 + 30 * failing ** 1.5 * exp(0.6 * (rnd() + rnd() - 1)))
            chunk.append((
                store_id, period, product, logistics, service, Decimal(int(gmv * 100)).scaleb(-2),
                int(gmv / s.order_value), rates[round(complaint * 10000)], rates[round(refund * 10000)],
                rates[round(on_time * 10000)], hours[round(response * 100)],
            ))
        if (i + 1) % chunk_stores == 0:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------------------- writing


@contextmanager
def _sqlite_cache(*, megabytes: int):
    """Let SQLite keep the indexes being filled in memory (its default page cache is 2 MB) for the duration."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _insert_rows(model: type[Model], fields: list[str], rows: Iterable[tuple], *, batch_size: int = 20_000) -> int:
    """Write database-ready tuples in batches (executemany; COPY on PostgreSQL); returns rows written.

    Used instead of bulk_create for the two big evidence tables: bulk_create prepares every value of every row
    through its field (~150 µs a review on a small machine) and SQLite caps it at 999 parameters a statement,
    which turns 870,000 rows into minutes. The database still checks every constraint. Columns not listed get
    their field's default, so a column added later with a default does not break the seed.
    """
    opts = model._meta
    listed = [opts.get_field(name) for name in fields]
    extra, extra_values = [], []
    for f in opts.concrete_fields:
        if f.primary_key or f in listed:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        elif f.default is not NOT_PROVIDED:
            value = f.get_default()
        elif f.null:
            value = None
        else:
            raise ValueError(f"{opts.label}.{f.name} needs a value in the demo rows")
        extra.append(f)
        extra_values.append(f.get_db_prep_save(value, connection))
    columns = [connection.ops.quote_name(f.column) for f in listed + extra]
    table = connection.ops.quote_name(opts.db_table)
    tail = tuple(extra_values)
    rows = list(rows) if not tail else [row + tail for row in rows]
    copy = connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"
    # In CSV, an unquoted empty field is NULL: text columns that can't be NULL read it as "" instead.
    not_null_text = [
        column for f, column in zip(listed + extra, columns)
        if not f.null and f.get_internal_type() in ("CharField", "TextField", "SlugField", "URLField", "EmailField")
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            if copy:
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(batch)
                buffer.seek(0)
                options = f", FORCE_NOT_NULL ({', '.join(not_null_text)})" if not_null_text else ""
                cursor.cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{options})", buffer
                )
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch)
    return len(rows)

"""Demo providers: each one's scale, quality, name, platforms, categories, services and decline, planned and written."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from providers.models import Category, Platform, Provider, Service

from .names import CATEGORY_WORD, CITIES, NAME_SUFFIXES, NAME_SYLLABLES
from .writing import BATCH_SIZE

# The market the demo draws (issue #16 item 10): each provider is planned towards a tier, with the stores, quality
# and services that tier's default gates ask for (docs/rating-policy.md §5: 3 / 8 / 20 / 50 active stores, composite
# 3.50 / 4.00 / 4.50 / 4.70, warehousing for 5★, four services for 6★). The seed never writes a tier: the engine
# rates the evidence, so noise, ended engagements and declines leave some providers a tier below their plan.
# (target tier, share): many 3★ and 4★, fewer 5★, a handful of 6★, a minority untiered.
TIER_MIX = ((6, 0.017), (5, 0.09), (4, 0.28), (3, 0.40), (None, 0.213))
# target tier → (kind, stores range, quality range); ranges leave room for ~10% ended engagements and store noise.
TIER_PLANS = {
    6: ("mega", (58, 72), (0.95, 0.99)),
    5: ("large", (23, 34), (0.89, 0.95)),
    4: ("regular", (10, 16), (0.78, 0.89)),
    3: ("regular", (4, 7), (0.60, 0.90)),
}
# Untiered: most are small (1–2 stores, any quality); the rest have the stores but fail the composite (考察期, 清退).
UNTIERED_SMALL_SHARE = 0.6
STRUGGLING_QUALITY = (0.10, 0.40)
DECLINING_SHARE = 0.03
PLATFORM_WEIGHTS = {"tmall": 30, "taobao": 25, "jd": 18, "douyin": 15, "pdd": 6, "kuaishou": 3, "xiaohongshu": 3}
FEE_STEPS = [8000, 10000, 12000, 15000, 18000, 20000, 25000, 30000, 35000, 40000, 50000, 60000, 70000, 80000]
FEE_START = {"micro": (0, 2), "small": (1, 4), "medium": (3, 6), "large": (5, 9), "xlarge": (7, 10)}
SIZE_EN = {"micro": "fewer than 20", "small": "20–99", "medium": "100–499", "large": "500–1,999", "xlarge": "2,000+"}
OPTIONAL_SERVICES = [  # (code, share) besides operation, which everyone offers
    ("design", 0.45), ("customer_service", 0.40), ("warehousing", 0.35), ("distribution", 0.25),
    ("cross_border", 0.15), ("live_streaming", 0.30), ("advertising", 0.45),
]
SIX_STAR_SERVICES = ("warehousing", "distribution", "cross_border", "multilingual")
TIER_SERVICES = {6: SIX_STAR_SERVICES, 5: ("warehousing",)}


@dataclass
class ProviderPlan:
    """Everything decided about one provider before any row is written."""

    index: int
    kind: str  # mega, large, regular
    stores: int
    quality: float
    city: tuple[str, str]
    target: int | None = None  # the tier the plan aims at; the ratings engine decides the real one
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


def reference_data() -> dict[str, dict[str, tuple[int, str, str]]]:
    """{"platform" | "category" | "service": {code: (id, 中文名, English name)}}, one query per table."""
    return {
        key: {code: (pk, name, name_en) for code, pk, name, name_en in
              model.objects.values_list("code", "pk", "name", "name_en")}
        for key, model in (("platform", Platform), ("category", Category), ("service", Service))
    }


def plan_providers(*, count: int, seed: int) -> list[ProviderPlan]:
    """Decide every provider's target tier, scale, quality, name, platforms, categories, services and decline."""
    rng = random.Random(f"{seed}:providers")
    tiers, shares = [t for t, _ in TIER_MIX], [share for _, share in TIER_MIX]
    per_tier = allocate(count, shares)
    if count > 1 and not per_tier[0]:  # the top tier shows up at any scale, taken from the largest group
        per_tier[per_tier.index(max(per_tier))] -= 1
        per_tier[0] = 1
    targets = [tier for tier, n in zip(tiers, per_tier) for _ in range(n)]
    rng.shuffle(targets)

    plans = []
    cities, city_weights = CITIES, [c[2] for c in CITIES]
    for index, target in enumerate(targets):
        if target is not None:
            kind, (low, high), (q_low, q_high) = TIER_PLANS[target]
            stores, quality = rng.randint(low, high), rng.uniform(q_low, q_high)
        elif rng.random() < UNTIERED_SMALL_SHARE:
            kind, stores, quality = "regular", rng.randint(1, 2), rng.betavariate(5, 2)
        else:
            kind, stores, quality = "regular", rng.randint(3, 8), rng.uniform(*STRUGGLING_QUALITY)
        city = rng.choices(cities, weights=city_weights)[0]
        plans.append(ProviderPlan(index=index, kind=kind, stores=stores, quality=quality, city=city[:2], target=target))

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
        services += [code for code in TIER_SERVICES.get(plan.target, ()) if code not in services]
        plan.services = services

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


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` by weight into whole numbers that add up exactly (largest remainder)."""
    scale = total / sum(weights)
    quotas = [w * scale for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


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
    # No store count: the page shows the live figures beside the text (active stores change monthly; a count
    # written once would contradict them).
    zh += f"团队规模{Provider.SizeBand(size).label}。"
    en += f" Team size: {SIZE_EN[size]} people."
    if brands:
        zh += f"已服务{brands}个国际品牌。"
        en += f" Has served {brands} international brands."
    if area:
        zh += f"自有仓储面积约{area:,}平方米。"
        en += f" Runs about {area:,} m² of warehouse space."
    return zh, en


def create_providers(plans: list[ProviderPlan], *, seed: int, reference: dict) -> list[int]:
    rng = random.Random(f"{seed}:provider-details")
    rows = [_provider_row(plan, rng, reference) for plan in plans]
    created = Provider.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if created and created[0].pk is None:  # SQLite < 3.35 returns no ids: read them back in one query
        by_slug = dict(Provider.objects.filter(slug__in=[p.slug for p in plans]).values_list("slug", "pk"))
        return [by_slug[p.slug] for p in plans]
    return [p.pk for p in created]


def create_provider_links(plans: list[ProviderPlan], provider_ids: list[int], reference: dict) -> int:
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

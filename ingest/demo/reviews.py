"""Demo reviews: ratings that follow each provider's quality, dated on free store-days, as database-ready rows."""
from __future__ import annotations

import datetime as dt
import itertools
import math
import random

from django.db import connection
from django.utils import timezone

from .providers import allocate, reference_data
from .stores import StorePlan

REVIEWS_PER_PROVIDER = 50
REVIEW_DAYS = 730  # reviews are dated over the last two years, ending today
UNVERIFIED_SHARE = 0.08
DIMENSION_SHARE = 0.70
REPLY_SHARE = 0.20

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

REVIEW_FIELDS = [
    "provider", "store", "rating", "effect", "communication", "professionalism", "responsiveness", "title", "body",
    "created_at", "status", "verified", "reply", "replied_at", "submitted_at", "updated_at", "author",
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
    counts = allocate(REVIEWS_PER_PROVIDER * len(plans), weights)
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

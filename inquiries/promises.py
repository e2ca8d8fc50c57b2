"""Guarantee language (保证销量, 保底 GMV, guaranteed ROI …) that the directory's rules forbid in proposals.

One list for both languages. Text is NFKC-folded and its spaces and punctuation removed before matching, so
"保 证 销 量" or "ｇｕａｒａｎｔｅｅｄ sales" are found too; each phrase is reported as listed here.
"""
from __future__ import annotations

import re
import unicodedata

# (phrase shown to the moderator, pattern over the folded text)
GUARANTEE_PHRASES: list[tuple[str, str]] = [
    ("保证销量", r"保证(?:销量|销售额|业绩)"),
    ("包销量", r"包(?:销量|销售|业绩|效果)"),
    ("保底GMV", r"保底(?:gmv|销量|销售额|业绩)?"),
    ("保证ROI", r"保证(?:roi|投产比?|回报)"),
    ("保证排名", r"保证(?:排名|名次|第一|top\d*)"),
    ("保证流量", r"保证(?:流量|曝光|访客)"),
    ("刷单", r"刷(?:单|量|销量|好评)"),
    ("稳赚不赔", r"稳赚|包赚|只赚不赔|不赚(?:钱)?退款"),
    ("guaranteed sales", r"guarantee(?:d|s)?(?:sales|revenue|gmv|results)"),
    ("guaranteed ROI", r"guarantee(?:d|s)?(?:roi|returns?)"),
    ("guaranteed ranking", r"guarantee(?:d|s)?(?:ranking|rank|top\d*|traffic)"),
    ("fake orders", r"(?:fake|brush(?:ed)?)(?:orders?|reviews?)"),
]

_COMPILED = [(phrase, re.compile(pattern)) for phrase, pattern in GUARANTEE_PHRASES]
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def guarantee_phrases(*texts: str) -> list[str]:
    """The listed guarantee phrases found in the texts, each once, in the list's order."""
    folded = _fold(" ".join(t for t in texts if t))
    return [phrase for phrase, pattern in _COMPILED if pattern.search(folded)]

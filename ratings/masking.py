"""Masking of personal data in text shown publicly (reviews, replies): phones, WeChat/QQ IDs, e-mail, ID cards, addresses.

Stored text stays as written (moderators need it); only what is shown is masked. Each pattern keeps just enough
to tell the reader what was removed ("138********", "0571-********", "微信：******") and nothing that identifies
a person. The patterns err on the side of masking: a masked order number is a small loss, a published buyer's
phone number is not.
"""
from __future__ import annotations

import re

STARS = "********"
DIGIT_SEPARATORS = r"[\s\-－—.]?"

# Chinese mainland ID card: 17 digits and a check digit (or X). Before phones, which it would otherwise contain.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")

# Mobile: 1[3-9]x xxxx xxxx, optionally +86 / 0086 / 86 first, digits grouped by spaces, dashes or dots.
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|00)?86" + DIGIT_SEPARATORS + r")?"
    r"(1[3-9]\d)((?:" + DIGIT_SEPARATORS + r"\d){8})(?!\d)"
)

# Landline: area code 0xx/0xxx (optionally in brackets, optionally +86 first), 7–8 digits, optional extension.
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|00)?86" + DIGIT_SEPARATORS + r")?"
    r"([(（]?0\d{2,3}[)）]?)" + DIGIT_SEPARATORS + r"\d{3,4}" + DIGIT_SEPARATORS + r"\d{4}"
    r"(?:\s*(?:-|转|ext\.?|x)\s*\d{1,6})?(?!\d)",
    re.IGNORECASE,
)

# WeChat / QQ IDs after a marker: 微信, 微信号, 威信, V信, VX, WX, weixin, WeChat, 加V, QQ …
_WECHAT_MARKER = r"(?:微信号?|威信|薇信|[vV]信|[vV][xX]|[wW][xX]|weixin|wei\s?xin|wechat|we\s?chat|加[vVwW]|\+[vV])"
_WECHAT = re.compile(
    r"((?<![A-Za-z])" + _WECHAT_MARKER + r"\s*(?:号|id|ID)?\s*(?:是|为)?\s*[:：]?\s*)([A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,12})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)
_QQ = re.compile(r"((?<![A-Za-z])(?:qq|扣扣)\s*(?:号)?\s*[:：]?\s*)([1-9]\d{4,11})(?!\d)", re.IGNORECASE)

_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")

# Street addresses. The administrative part (省/市/区/县…) may stay: it locates a city, not a person.
_REGION = r"(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|自治州|地区|盟|区|县|旗|镇|乡|街道))*"
_PLACE = r"[\u4e00-\u9fffA-Za-z0-9]{1,12}?"
_NUMBER = r"[0-9０-９一二三四五六七八九十百零〇]{1,6}"
_UNIT = r"(?:" + _NUMBER + r"|[A-Za-z])\s*(?:号楼|栋|幢|座|号院|单元|层|楼|室|号|户)"
_BUILDING = r"[\u4e00-\u9fffA-Za-z]{0,8}?"
_CN_STREET = re.compile(
    r"(" + _REGION + r")"
    # after the street number: buildings and units, each optionally behind a building or park name (海创园5号楼)
    r"(" + _PLACE + r"(?:大道|大街|路|街|巷|弄|胡同|里)\s*" + _NUMBER + r"\s*号(?:\s*" + _BUILDING + _UNIT + r")*"
    r"|" + _PLACE + r"(?:小区|花园|公寓|大厦|新村|家园|苑|村|广场|中心)\s*(?:" + _UNIT + r")+)"
)
_EN_STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z]*\.?\s+){1,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Alley|Lu|Jie)\b\.?"
    r"(?:,?\s*(?:Apt|Suite|Unit|Room|Rm|Flat)\.?\s*#?\s*\w+)?"
)


def _mask_mobile(match: re.Match) -> str:
    return match.group(1) + STARS


def _mask_landline(match: re.Match) -> str:
    area = match.group(1).strip("()（）")
    return f"{area}-{STARS}"


def mask_personal_data(text: str) -> str:
    """The text with phone numbers, WeChat/QQ IDs, e-mail addresses, ID card numbers and street addresses masked."""
    if not text:
        return text
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _ID_CARD.sub(lambda m: m.group(0)[:2] + "*" * 16, text)
    text = _WECHAT.sub(lambda m: m.group(1) + "******", text)
    text = _QQ.sub(lambda m: m.group(1) + "******", text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(_mask_landline, text)
    text = _CN_STREET.sub(lambda m: m.group(1) + "****", text)
    text = _EN_STREET.sub("****", text)
    return text

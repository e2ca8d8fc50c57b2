"""Masking of personal data in text shown publicly (reviews, replies): phones, WeChat/QQ IDs, e-mail, links, ID and
bank cards, passports, addresses, buyers' names.

Stored text stays as written (moderators need it); only what is shown is masked. Each pattern keeps just enough
to tell the reader what was removed ("138********", "0571-********", "微信：******") and nothing that identifies
a person. The patterns err on the side of masking: a masked order number is a small loss, a published buyer's
phone number is not.

People who want to leak a number write it so a plain regex misses it: full-width (１３８…), in Chinese numerals
(幺三八零…, 壹叁捌…), split by any separator (138 1234 5678, 1-3-8…, 138·1234·5678). So the patterns never look at
the text itself but at two same-length shadows of it: `wide` folds each character to its NFKC form (full-width
letters, digits and punctuation to ASCII, ideographic space to a space), `digits` also turns Chinese numerals into
digits. Matches on a shadow give positions in the text; only those spans are replaced, the rest is shown as
written. A number is a run of digits joined by at most a few separator characters, cut into chunks where a
separator or a change of script (１３８ | 一二三四) falls; a phone, ID or card number must start and end on a chunk
boundary, which keeps "1399/1299/899元" or "2024.05.01-2024.12.31" from reading as one number.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

STARS = "********"
_ID_MASK = "******"  # WeChat and QQ IDs: a fixed width, so the mask says nothing about the ID's length
_LINK_MASK = "****"

_CN_DIGITS = {
    "零": "0", "〇": "0", "○": "0", "◯": "0",
    "一": "1", "幺": "1", "壹": "1", "弌": "1",
    "二": "2", "贰": "2", "貳": "2", "弍": "2",
    "三": "3", "叁": "3", "參": "3", "弎": "3",
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6", "陸": "6",
    "七": "7", "柒": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9",
}


_FOLD_CACHE_SIZE = 20_000


class _Fold(dict):
    """A str.translate table folding each character to one character: its NFKC form when that is one character
    (so shadows keep the text's length and positions), decimal digits of any script to ASCII digits."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) != 1:
            folded = char
        digit = unicodedata.decimal(folded, None)
        if digit is not None:
            folded = str(digit)
        if len(self) < _FOLD_CACHE_SIZE:  # filled lazily, one entry per character seen, up to a bound
            self[codepoint] = folded
        return folded


_WIDE = _Fold()
_DIGITS = _Fold({ord(numeral): digit for numeral, digit in _CN_DIGITS.items()})
_BLANK = "\x00"  # written into both shadows over what is already masked: no pattern matches it or across it

# What may stand between two digits of one number (after NFKC): spaces, dashes, dots, commas, slashes, brackets,
# stars, 号 (138号1234号5678), zero-width characters, keycap marks, emoji. Not ¥ $ % (prices) or colons (times).
_SEP_CHARS = (
    r"\s\-‐‑‒–—―−﹣.·•・‧∙⋅。,、/\\|_~〜*+=^'\"`()\[\]{}<>【】「」『』〔〕号"
    r"\u200b-\u200d\u2060\ufe0f\u20e3\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff"
)
_SEP = f"[{_SEP_CHARS}]{{1,4}}"
_NUMBER_RUN = re.compile(rf"[0-9](?:(?:{_SEP})?[0-9])*(?:(?:{_SEP})?[Xx](?![A-Za-z]))?")
_DIGIT_RUN = re.compile(r"[0-9]+|[Xx]")
_ANY_DIGIT = re.compile(r"[0-9]")
_KEYCAP = "\ufe0f\u20e3"

# Shapes of whole numbers (digits only, separators removed).
_ID_CARD = re.compile(r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
# The first-generation card (until 2013, some still in use): area code, YYMMDD birth date, three digits.
_ID_CARD_15 = re.compile(r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
# Its structure is loose (any year), so on its own it counts only written whole or as area, birth date, rest.
_ID_CARD_15_GROUPINGS = ((15,), (6, 6, 3), (6, 9))
_MOBILE = re.compile(r"(?:0086|86|0)?(1[3-9]\d)\d{8}")
_LANDLINE = re.compile(r"0(10|2\d|[3-9]\d{2})[2-9]\d{6,7}")
_LANDLINE_INTL = re.compile(r"(?:00)?860?(10|2\d|[3-9]\d{2})[2-9]\d{6,7}")
_HOTLINE = re.compile(r"([48]00)\d{7}")
_LANDLINE_EXTENSION = re.compile(r"\s*(?:[-~]|转|分机|ext\.?|x)\s*[0-9]{1,6}(?![0-9])", re.IGNORECASE)
# "1399/1299/899元", "¥400/800/1200": a list of amounts, not one phone or card number. Only lists: a number
# written whole or grouped by spaces is masked even before a unit ("13812345678元" would be a way round).
_LIST_SEPARATORS = re.compile(r"[/~|,、]")
# "ROI 1.3, 1.5, 2.1, 3.4, 1.8, 2.0": a list of ratios, even without a unit.
_DECIMAL_LIST = re.compile(r"[0-9]+\.[0-9]+(?:[,、]\s*[0-9]+\.[0-9]+)+")
_AMOUNT_BEFORE = re.compile(r"[¥$€£]\s{0,2}$")
_AMOUNT_AFTER = re.compile(r"\s*(?:[元圆块角万亿千百%‰件个家单笔次天月年周岁人位台箱瓶盒套份倍]|分(?!机))")
_CARD_CONTEXT = re.compile(r"卡号|银行卡|储蓄卡|信用卡|借记卡|银联|账号|帐号|账户|帐户|收款|转账|打款|汇款|card", re.IGNORECASE)
# After these, any 15 digits are an ID number, whatever their structure.
_ID_CONTEXT = re.compile(r"身份证|身份号|证件|(?<![A-Za-z])id(?![A-Za-z])", re.IGNORECASE)
_ORDER_CONTEXT = re.compile(r"订单|单号|运单|快递|物流|流水|交易号|编号|工单|order|sku", re.IGNORECASE)
_CONTEXT_WINDOW = 12

# IDs after a marker. The filler between marker and ID: 号, ID, 是, colons, 搜索 …
_FILLER = r"[\s:=\-—~>]*(?:(?:号码|号|id(?![a-z])|账号|帐号|搜索|搜|是|为|群)[\s:=\-—~>]*){0,3}"
# 微 信, 微·信, 微\u200b信: what people put inside the word so a filter misses it.
_MARKER_GAP = r"[\s\u200b-\u200d\u2060\ufeff·.*_\-]{0,3}"
# v❤, v💚, 微❤: a heart or other symbol in place of 信.
_MARKER_SYMBOL = r"[\u2600-\u27bf\U0001f300-\U0001faff]\ufe0f?信?"
_WECHAT_MARKER = (
    rf"(?<![A-Za-z])(?:(?:微|威|薇|徽|维){_MARKER_GAP}信号?|wei\s?信|v\s?信|微x|vx|wx|wei\s?xin|we\s?chat"
    rf"|(?:v|w|微|薇){_MARKER_GAP}{_MARKER_SYMBOL}"
    r"|(?:加|\+|➕)\s?(?:vx|wx|v|w|微|薇|威)|v(?=\s*:)"
    # weak markers, ordinary words too (卫星 "satellite" sounds like 微信): see _WEAK_WECHAT_MARKERS
    r"|加我|卫星)"
)
_WEAK_WECHAT_MARKERS = frozenset({"加我", "卫星"})
# A WeChat ID is 6–20 characters, letter first; 5 are accepted too, since people drop a character to dodge a filter.
_WECHAT = re.compile(
    rf"({_WECHAT_MARKER})({_FILLER})(?:([A-Za-z][-_A-Za-z0-9]{{4,19}})(?![-_A-Za-z0-9])|(?=[0-9]))", re.IGNORECASE
)
_QQ_NUMBER = re.compile(r"(?<![A-Za-z])(?:qq|扣扣|抠抠|企鹅号?|q(?=\s*[:号]))" + _FILLER + r"(?=[0-9])", re.IGNORECASE)
_PHONE_NUMBER = re.compile(
    r"(?<![A-Za-z])(?:联系电话|电话|手机号?|座机|固话|热线|tel|phone|mobile|cell|拨打|致电)" + _FILLER + r"(?=[0-9])",
    re.IGNORECASE,
)

# E-mail, also as "wang at qq dot com", "wang(at)qq[dot]com", "wang#qq.com", "wang艾特qq点com", "ｗａｎｇ＠ｑｑ．ｃｏｍ".
_TLD = (
    r"(?:com|cn|net|org|cc|top|vip|xyz|io|co|info|biz|shop|store|site|online|tech|club|ltd|link|tv|hk|tw|mo|jp"
    r"|us|uk|de|app|ai|im|ly|me)"
)
_OPEN, _CLOSE = r"[(\[{<【「]", r"[)\]}>】」]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_WORD_DOT = rf"\s*(?:{_OPEN}\s*(?:dot|点|\.)\s*{_CLOSE}|点)\s*|\s+dot\s+"
_DOT = rf"(?:\.|。|{_WORD_DOT})"
_LOOSE_DOT = rf"(?:\s*[.。]\s*|{_WORD_DOT})"
_AT = rf"(?:\s*(?:@|{_OPEN}\s*(?:at|@)\s*{_CLOSE}|艾特|圈a)\s*|#|\s+at\s+)"
_LOCAL = r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9_])[A-Za-z0-9._%+\-]*"
_EMAIL_LOOSE = re.compile(
    rf"{_LOCAL}{_AT}({_LABEL}(?:{_LOOSE_DOT}{_LABEL})*{_LOOSE_DOT}{_TLD})(?![A-Za-z0-9-])", re.IGNORECASE
)
# Written with a real @, the domain may be Chinese (张三@公司.com, wang@例子.中国).
_IDN_LABEL = r"[A-Za-z0-9\u4e00-\u9fff](?:[A-Za-z0-9\u4e00-\u9fff-]{0,61}[A-Za-z0-9\u4e00-\u9fff])?"
_IDN_DOMAIN = rf"{_IDN_LABEL}(?:\.{_IDN_LABEL})*\.(?:[A-Za-z]{{2,}}|中国|公司|网络|在线|商城|集团)"
_EMAIL = re.compile(rf"{_LOCAL}\s*@\s*({_IDN_DOMAIN})(?![A-Za-z0-9-])")
# A Chinese local part (张三@公司.com): nothing marks where it starts, so take up to six characters before the @
# and give back the words that lead into an address (邮箱, 发到, 我的 …); all of the rest is masked.
_EMAIL_CJK = re.compile(rf"([\u4e00-\u9fff]{{1,6}})\s*@\s*({_IDN_DOMAIN})(?![A-Za-z0-9-])")
_EMAIL_LEAD_IN = re.compile(r"(?:我的|邮箱|邮件|电邮|地址|发送到|发到|发至|发给|寄到|联系|是|为|到|或|和|的)+")
_DOMAIN_DOT = re.compile(_LOOSE_DOT, re.IGNORECASE)
_EMAIL_HINT = re.compile(r"[@#]|艾特|圈a|at", re.IGNORECASE)

# Links: with a scheme, www.…, or a bare domain with a known top-level domain (shop123.cn, t.cn/A6x, 3.cn/abc).
_PATH = r"(?:/[A-Za-z0-9\-._~%!$&*+=:@/?#]*)?"
# Bare platform domains name a marketplace, not a person or a store: "在 tmall.com 开店" stays.
_PLATFORM_DOMAINS = frozenset({
    "taobao.com", "tmall.com", "tmall.hk", "jd.com", "pinduoduo.com", "yangkeduo.com", "douyin.com", "kuaishou.com",
    "xiaohongshu.com", "1688.com", "alibaba.com", "aliexpress.com", "amazon.com", "amazon.cn", "vip.com",
    "suning.com", "dangdang.com", "tiktok.com", "shopee.cn", "lazada.com", "weibo.com", "baidu.com", "qq.com",
})
_URL = re.compile(
    rf"(?:https?|ftp)\s*:\s*//[A-Za-z0-9\-._~%!$&*+=:@/?#]+"
    rf"|(?<![A-Za-z0-9.@_\-])www\d{{0,3}}{_DOT}{_LABEL}(?:{_DOT}{_LABEL})+{_PATH}"
    rf"|(?<![A-Za-z0-9.@_\-])(?:{_LABEL}{_DOT})+{_TLD}(?![A-Za-z0-9\-]){_PATH}",
    re.IGNORECASE,
)

# What every link contains: a dot (or 点, "dot") before a known top-level domain, "://" or "www".
_LINK_HINT = re.compile(rf"[.。点]{_CLOSE}?\s*{_TLD}|dot|://|www", re.IGNORECASE)

# Passports: after a marker, one or two letters and 6–9 digits; on its own, the Chinese forms E12345678, G12345678
# and EA1234567 (capitals only: a lower-case letter and eight digits is more often a product code).
_PASSPORT_AFTER_MARKER = re.compile(
    r"(?<![A-Za-z])(?:护照|passport|证件)(?:号码|号|\s*no\.?|\s*number)?[\s:=#\-]*([A-Za-z]{1,2})[0-9]{6,9}(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])([EG])(?:[0-9]{8}|(?<=E)[A-Z][0-9]{7})(?![0-9A-Za-z])")

# Street addresses. The administrative part (省/市/区/县…) may stay: it locates a city, not a person.
_REGION = r"(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|自治州|地区|盟|区|县|旗|镇|乡|街道))*"
_PLACE = r"[\u4e00-\u9fffA-Za-z0-9]{1,12}?"
_NUMERAL = r"[0-9一二三四五六七八九十百零〇]{1,6}"
_UNIT_WORD = r"(?:号楼|栋|幢|座|号院|单元|层|楼|室|号|户|弄)"
_UNIT = r"(?:" + _NUMERAL + r"|[A-Za-z])\s*" + _UNIT_WORD
_BUILDING = r"[\u4e00-\u9fffA-Za-z]{0,8}?"
# "2单元301", "5幢-1202": the room number after a unit often comes without 室.
_ROOM = r"(?:\s*-?\s*[0-9]{2,5}(?![0-9.%]))"
_UNITS = r"(?:(?:\s*" + _BUILDING + _UNIT + r")+" + _ROOM + r"?)?"
# A house number written without 号 ("文三路90") counts when nothing after it makes it a count, a time or an
# amount ("走了一路 3 个小时", "逛街2次") and it is no year ("成长之路2024").
_BARE_HOUSE_NUMBER = (
    r"(?!(?:19|20)[0-9]{2}(?![0-9]))[0-9]{1,4}(?![0-9.,%:/]|-[0-9])"
    r"(?!\s*(?:个|年|月|天|日|周|小时|分|秒|次|条|家|元|块|万|千|百|件|单(?!元)|笔|人|位|台|箱|瓶|盒|套|份|倍|岁|站"
    r"|公里|km|米|期|款|种|名|项|级|星|遍|趟|集|章|页|张|路))"
)
_CN_STREET = re.compile(
    r"(" + _REGION + r")"
    # after the street number: buildings and units, each optionally behind a building or park name (海创园5号楼)
    r"(" + _PLACE + r"(?:大道|大街|路|街|道|巷|弄|胡同|里)\s*" + _NUMERAL + r"\s*(?:号|弄)" + _UNITS
    # bare 道 is too common a word ("渠道 2", "味道 10") to take a number without 号
    + r"|" + _PLACE + r"(?:大道|大街|路|街|巷|弄|胡同)\s*" + _BARE_HOUSE_NUMBER + _UNITS
    + r"|" + _PLACE + r"(?:小区|花园|公寓|大厦|新村|家园|苑|村|广场|中心)\s*(?:" + _UNIT + r")+" + _ROOM + r"?)"
)
# Building, unit and room without a street ("5幢2单元301", "2栋301室"): two units or a unit and a room number, one
# of them a building or room word; a single "3楼" or "5号", or "1楼2楼", is ordinary text.
_UNIT_CHAIN = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:" + _NUMERAL + r"|[A-Za-z])\s*" + _UNIT_WORD + r"\s*){2,}" + _ROOM + r"?"
    r"|(?<![0-9A-Za-z])(?:" + _NUMERAL + r"|[A-Za-z])\s*" + _UNIT_WORD + _ROOM
)
_STRONG_UNIT = re.compile(r"栋|幢|座|单元|室|号楼|弄")
# What every _CN_STREET or _UNIT_CHAIN match contains: a cheap search that spares the full patterns on most reviews.
_CN_STREET_HINT = re.compile(
    r"(?:大道|大街|路|街|道|巷|弄|胡同|里)\s*[0-9一二三四五六七八九十百零〇]"
    r"|(?:小区|花园|公寓|大厦|新村|家园|苑|村|广场|中心)\s*(?:[0-9一二三四五六七八九十百零〇]|[A-Za-z]\s*[号栋幢座单层楼室户])"
    r"|[0-9一二三四五六七八九十百零〇A-Za-z]\s*(?:栋|幢|座|单元|室|号楼|弄)"
)
_EN_STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z]*\.?\s+){1,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Alley|Lu|Jie)\b\.?"
    r"(?:,?\s*(?:Apt|Suite|Unit|Room|Rm|Flat)\.?\s*#?\s*\w+)?"
)

# Buyers' names. A surname before 先生/女士/小姐 ("张先生" → "*先生": the honorific stays, so the reader knows a
# person was named), and a name after a marker ("收件人：李小明" → "收件人：***"). Surnames: the common single
# ones, minus those that are everyday words before 先生 (和, 向, 常, 祝, 安…), and the compound ones.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤施洪康盛童乔"
    "殷庞柳岳葛伍颜倪翟邢季蓝柯焦鲁苗包纪申霍俞麦卓詹阎吉"
)
_COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "端木", "轩辕", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "钟离", "闻人", "赫连", "申屠",
})
# Words that end in a surname character and may stand before 先生/女士 ("谢谢先生", "对方女士", "照顾先生").
_NOT_SURNAME_WORDS = frozenset({
    "感谢", "谢谢", "多谢", "致谢", "答谢", "道谢", "如何", "任何", "为何", "几何", "对方", "双方", "买方", "卖方",
    "甲方", "乙方", "照顾", "祝贺", "也许", "或许", "允许", "马上",
})
# Place names that start like a name after 买家/客户 ("客户江苏的店").
_NOT_NAMES = ("江苏", "江西", "金华", "武汉", "武昌", "黄山", "石家")
# Characters that are no part of a given name: function words, verbs and words of a review, titles, places.
_NOT_GIVEN_NAME = (
    "的很说是了也都和在对把被给让向跟及与还就又再要会能可不没已太真非挺超好评满意们个位家店买卖收发货单号码话机"
    "信址总经理老师先女姐哥弟妹叔姨爷奶州市省区县镇村路街反馈服务讲觉得这那你我他她它谁啥么呢吗吧啊呀哦嗯度"
)
_HONORIFIC = re.compile(r"先生(?!们)|女士(?!们)|小姐(?![姐们])")
_NAME_MARKER = re.compile(
    r"(?:收件人|收货人|寄件人|发件人|签收人|联系人|姓名|买家|客户|顾客)(?:姓名)?[\s:]*"
    # the surname, then one or two given-name characters that are not the start of an honorific
    r"((?:" + "|".join(sorted(_COMPOUND_SURNAMES)) + r"|[" + "".join(sorted(_SURNAMES)) + r"])"
    r"(?:(?!先生|女士|小姐)[^\W\d_A-Za-z" + _NOT_GIVEN_NAME + r"]){1,2})"
)


class _Masking:
    """The text, its two shadows, and the spans masked so far (start, end, replacement)."""

    __slots__ = ("_pending", "digits", "spans", "text", "wide")

    def __init__(self, text: str):
        self.text = text
        self.wide = text.translate(_WIDE)
        self.digits = text.translate(_DIGITS)
        self.spans: list[tuple[int, int, str]] = []
        self._pending: list[tuple[int, int]] = []

    def mask(self, start: int, end: int, replacement: str) -> None:
        self.spans.append((start, end, replacement))
        self._pending.append((start, end))

    def commit(self) -> None:
        """Blank what the last pass masked, so later passes neither match it nor join numbers across it."""
        if not self._pending:
            return
        wide, digits = list(self.wide), list(self.digits)
        for start, end in self._pending:
            wide[start:end] = digits[start:end] = _BLANK * (end - start)
        self.wide, self.digits = "".join(wide), "".join(digits)
        self._pending.clear()

    def result(self) -> str:
        out, at = [], 0
        for start, end, replacement in sorted(self.spans):
            out += [self.text[at:start], replacement]
            at = end
        out.append(self.text[at:])
        return "".join(out)


def _script(char: str) -> int:
    """ASCII, Chinese numeral, full-width or other: a number written in two scripts may be two numbers."""
    return 0 if char.isascii() else 1 if char in _CN_DIGITS else 2 if "０" <= char <= "９" else 3


def _chunks(masking: _Masking, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the digit chunks of the number at start:end: split at separators and where the script changes."""
    chunks = []
    text = masking.text
    for run in _DIGIT_RUN.finditer(masking.digits, start, end):
        chunk_start = run.start()
        for i in range(run.start() + 1, run.end()):
            if _script(text[i]) != _script(text[i - 1]):
                chunks.append((chunk_start, i))
                chunk_start = i
        chunks.append((chunk_start, run.end()))
    return chunks


def _luhn(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _grouping(digits: str, chunks: list[tuple[int, int]]) -> tuple[int, ...] | None:
    """The chunk lengths when the number is written unbroken or in groups split by one space or one hyphen each
    ("6222 0212 3456 7890 123" → (4, 4, 4, 4, 3)); None for any other writing (dates, lists, mixed separators)."""
    if len(chunks) > 1:
        separators = {digits[end:start] for (_, end), (start, _) in pairwise(chunks)}
        if separators != {" "} and separators != {"-"}:
            return None
    return tuple(end - start for start, end in chunks)


def _card_grouping(grouping: tuple[int, ...] | None) -> bool:
    """Unbroken, or in fours with a shorter last group: how card numbers are written."""
    return grouping is not None and (len(grouping) == 1 or set(grouping[:-1]) == {4} and grouping[-1] <= 4)


def _classify(
    number: str, *, first_chunk: int, grouping: tuple[int, ...] | None, card_context: bool, id_context: bool,
    order_context: bool,
) -> tuple[str, str] | None:
    """(kind, replacement) when the digits are a whole ID card, bank card or phone number."""
    if len(number) == 18 and _ID_CARD.fullmatch(number):
        return "id", number[:2] + "*" * 16
    if not number.isdigit():
        return None
    # An order number is shown as written: the reader may need it, and it names no one.
    # 15 digits: the first-generation ID card, after an ID word, or on its own written as such a card is.
    if len(number) == 15 and not order_context and (
        id_context or grouping in _ID_CARD_15_GROUPINGS and _ID_CARD_15.fullmatch(number)
    ):
        return "id", number[:2] + "*" * 13
    # 16–19 digits: a bank card unless an order word comes before them; written as a card is (unbroken or in
    # fours) or Luhn-valid in any writing.
    if 16 <= len(number) <= 19 and (
        card_context or (not order_context and (_card_grouping(grouping) or number[0] in "4569" and _luhn(number)))
    ):
        return "card", STARS + number[-4:]
    if match := _MOBILE.fullmatch(number):
        return "mobile", match.group(1) + STARS
    if first_chunk >= 3 and (match := _LANDLINE.fullmatch(number)):
        return "landline", f"0{match.group(1)}-{STARS}"
    if match := _LANDLINE_INTL.fullmatch(number):
        return "landline", f"0{match.group(1)}-{STARS}"
    if match := _HOTLINE.fullmatch(number):
        return "hotline", f"{match.group(1)}-{STARS}"
    return None


def _is_amounts(digits: str, run: re.Match) -> bool:
    """A list of amounts or ratios ("1399/1299/899元", "1.3, 1.5, 2.1"), not one number."""
    if _DECIMAL_LIST.fullmatch(run.group()):
        return True
    start = run.start()
    amount = _AMOUNT_AFTER.match(digits, run.end()) or _AMOUNT_BEFORE.search(digits, max(0, start - 3), start)
    return bool(amount and _LIST_SEPARATORS.search(run.group()))


def _longest_number(digits: str, chunks: list[tuple[int, int]], i: int, **context: bool) -> tuple[int, str, str] | None:
    """(last chunk, replacement) of the longest number starting at chunk i that is an ID, card or phone number."""
    numbers = []
    for start, end in chunks[i:]:
        numbers.append(digits[start:end])
        if sum(map(len, numbers)) >= 19:
            break
    for last in range(len(numbers), 0, -1):
        number = "".join(numbers[:last])
        grouping = _grouping(digits, chunks[i:i + last]) if 15 <= len(number) <= 19 else None
        if found := _classify(number, first_chunk=len(numbers[0]), grouping=grouping, **context):
            kind, replacement = found
            return i + last - 1, kind, replacement
    return None


def _mask_numbers(masking: _Masking) -> None:
    """ID cards, bank cards and phones: in each number, the longest runs of whole chunks that have one's shape."""
    digits = masking.digits
    for run in _NUMBER_RUN.finditer(digits):
        if run.end() - run.start() < 10 or _is_amounts(digits, run):
            continue
        chunks = _chunks(masking, run.start(), run.end())
        before = masking.wide[max(0, run.start() - _CONTEXT_WINDOW):run.start()]
        context = {"card_context": bool(_CARD_CONTEXT.search(before)),
                   "id_context": bool(_ID_CONTEXT.search(before)),
                   "order_context": bool(_ORDER_CONTEXT.search(before))}
        i = 0
        while i < len(chunks):
            if not (found := _longest_number(digits, chunks, i, **context)):
                i += 1
                continue
            last, kind, replacement = found
            start, end = chunks[i][0], chunks[last][1]
            while start and digits[start - 1] in "+(" and chunks[i][0] - start < 2:  # +86, (021), (+86)
                start -= 1
            if kind in ("landline", "hotline") and (extension := _LANDLINE_EXTENSION.match(digits, end)):
                end = extension.end()
            while end < len(digits) and digits[end] in _KEYCAP:  # 1️⃣3️⃣8️⃣…: the marks after the last digit
                end += 1
            masking.mask(start, end, replacement)
            i = last + 1
            while i < len(chunks) and chunks[i][0] < end:  # chunks the extension took
                i += 1
    masking.commit()


def _number_after(masking: _Masking, start: int, min_digits: int) -> re.Match | None:
    """The whole number at start (right after a marker), separators and all, if it has min_digits and is no amount."""
    run = _NUMBER_RUN.match(masking.digits, start)
    if not run or _AMOUNT_AFTER.match(masking.digits, run.end()):
        return None
    return run if len(_ANY_DIGIT.findall(run.group())) >= min_digits else None


def _mask_numbers_after(masking: _Masking, marker: re.Pattern, min_digits: int, replacement: str) -> None:
    """QQ：…, 电话 …: the number after the marker."""
    for found in marker.finditer(masking.digits):
        if run := _number_after(masking, found.end(), min_digits):
            masking.mask(run.start(), run.end(), replacement)
    masking.commit()


def _mask_wechat_ids(masking: _Masking) -> None:
    """The ID after a WeChat marker: a WeChat ID (letter first) or a number (often the phone's)."""
    for found in _WECHAT.finditer(masking.digits):
        marker, filler, wechat_id = found.groups()
        weak = marker.isascii() or marker in _WEAK_WECHAT_MARKERS
        if wechat_id is None:
            # a number after 加我 or 卫星 is left to the phone and QQ patterns, which know its shape
            if marker not in _WEAK_WECHAT_MARKERS and (run := _number_after(masking, found.end(), 5)):
                masking.mask(run.start(), run.end(), _ID_MASK)
        # "WeChat support was fast", "卫星 Starlink": after a weak marker, a plain word is an ID only behind
        # 号/ID/a colon; a five-letter word is a word after any marker ("微信 video").
        elif not (weak and not filler.strip() and wechat_id.isalpha()) and not (
            len(wechat_id) == 5 and wechat_id.isalpha()
        ):
            masking.mask(found.start(3), found.end(3), _ID_MASK)
    masking.commit()


def _mask_emails(masking: _Masking) -> None:
    if not _EMAIL_HINT.search(masking.wide):
        return
    for pattern in (_EMAIL_LOOSE, _EMAIL):
        for found in pattern.finditer(masking.wide):
            domain = ".".join(label for label in _DOMAIN_DOT.split(found.group(2)) if label)
            masking.mask(found.start(), found.end(), f"{found.group(1)}***@{domain}")
        masking.commit()
    for found in _EMAIL_CJK.finditer(masking.wide):
        lead_in = _EMAIL_LEAD_IN.match(found.group(1))
        start = lead_in.end() + found.start() if lead_in else found.start()
        if start < found.end(1):  # a Chinese local part is a name: none of it is kept
            masking.mask(start, found.end(), f"***@{found.group(2)}")
    masking.commit()


def _mask_passports(masking: _Masking) -> None:
    """The number after a passport marker, and a Chinese passport number on its own: only its first letter stays."""
    for pattern in (_PASSPORT_AFTER_MARKER, _PASSPORT):
        for found in pattern.finditer(masking.digits):
            masking.mask(found.start(1), found.end(), found.group(1)[0] + STARS)
        masking.commit()


def _mask_links(masking: _Masking) -> None:
    if not _LINK_HINT.search(masking.wide):
        return
    for found in _URL.finditer(masking.wide):
        end = found.end()
        while end > found.start() + 1 and masking.wide[end - 1] in ".:!?#/":  # a sentence's punctuation, not the link's
            end -= 1
        if masking.wide[found.start():end].lower().removeprefix("www.") in _PLATFORM_DOMAINS:
            continue
        masking.mask(found.start(), end, _LINK_MASK)
    masking.commit()


def _mask_addresses(masking: _Masking) -> None:
    if _CN_STREET_HINT.search(masking.wide):
        for found in _CN_STREET.finditer(masking.wide):
            masking.mask(found.end(1), found.end(), "****")
        masking.commit()
        for found in _UNIT_CHAIN.finditer(masking.wide):
            if _STRONG_UNIT.search(found.group()):
                masking.mask(found.start(), found.end(), "****")
        masking.commit()
    for found in _EN_STREET.finditer(masking.wide):
        masking.mask(found.start(), found.end(), "****")
    masking.commit()


def _surname_before(text: str, end: int) -> int | None:
    """Where the name ending at end starts: a surname right before it, or a surname and one or two given-name
    characters; the nearest surname wins ("买家李先生", "周末王先生"), a compound surname over a single one."""
    for start in range(end - 2, end - 5, -1):  # 欧阳先生, 欧阳娜先生, 欧阳娜娜先生
        if start >= 0 and text[start:start + 2] in _COMPOUND_SURNAMES and _given_name(text[start + 2:end]):
            return start
    for start in range(end - 1, end - 4, -1):
        if start < 0:
            break
        if text[start] in _SURNAMES and _given_name(text[start + 1:end]) and not any(
            word in text[max(0, start - 1):end] for word in _NOT_SURNAME_WORDS  # 感谢先生, 谢谢先生, 马上先生
        ):
            return start
    return None


def _given_name(chars: str) -> bool:
    """Whether the characters between a surname and an honorific can be a given name (none, or Chinese ones that
    are no function word: "我和先生", "张总和先生" name no one)."""
    return all("\u4e00" <= char <= "\u9fff" and char not in _NOT_GIVEN_NAME for char in chars)


def _mask_names(masking: _Masking) -> None:
    """A name after 收件人/联系人/买家…, then the surname before 先生/女士/小姐: each character becomes a star."""
    wide = masking.wide
    for found in _NAME_MARKER.finditer(wide):
        if not found.group(1).startswith(_NOT_NAMES):
            masking.mask(found.start(1), found.end(1), "*" * len(found.group(1)))
    masking.commit()
    wide = masking.wide
    for found in _HONORIFIC.finditer(wide):
        if (start := _surname_before(wide, found.start())) is not None:
            masking.mask(start, found.start(), "*" * (found.start() - start))
    masking.commit()


def mask_personal_data(text: str) -> str:
    """The text with phone numbers, WeChat/QQ IDs, e-mail addresses, links, ID, bank card and passport numbers,
    street addresses and buyers' names masked."""
    if not text:
        return text
    masking = _Masking(text)
    _mask_emails(masking)
    _mask_links(masking)
    _mask_wechat_ids(masking)
    _mask_passports(masking)
    if len(_ANY_DIGIT.findall(masking.digits)) >= 5:  # nothing below masks fewer digits
        _mask_numbers_after(masking, _QQ_NUMBER, 5, _ID_MASK)
        _mask_numbers(masking)
        _mask_numbers_after(masking, _PHONE_NUMBER, 7, STARS)
    _mask_addresses(masking)
    _mask_names(masking)
    return masking.result()

"""Chinese city names and their usual English names: one list for the pages, the directory filter and the demo data.

`Provider.city` stores the Chinese name; English is derived from this mapping at display time, so it lives in
process memory and costs no query. English names are the ones English text uses: pinyin without tone marks
(Hangzhou, Xi'an), or the established name where one exists (Hong Kong, Harbin, Urumqi).
"""
from __future__ import annotations

import re

CITY_NAMES_EN = {
    # Yangtze River Delta
    "上海": "Shanghai", "杭州": "Hangzhou", "宁波": "Ningbo", "温州": "Wenzhou", "金华": "Jinhua", "义乌": "Yiwu",
    "嘉兴": "Jiaxing", "绍兴": "Shaoxing", "湖州": "Huzhou", "台州": "Taizhou", "丽水": "Lishui", "衢州": "Quzhou",
    "舟山": "Zhoushan", "桐乡": "Tongxiang", "南京": "Nanjing", "苏州": "Suzhou", "无锡": "Wuxi",
    "常州": "Changzhou", "南通": "Nantong", "徐州": "Xuzhou", "扬州": "Yangzhou", "昆山": "Kunshan",
    "常熟": "Changshu", "合肥": "Hefei",
    # Pearl River Delta and the south
    "广州": "Guangzhou", "深圳": "Shenzhen", "东莞": "Dongguan", "佛山": "Foshan", "珠海": "Zhuhai",
    "中山": "Zhongshan", "惠州": "Huizhou", "江门": "Jiangmen", "汕头": "Shantou", "揭阳": "Jieyang",
    "潮州": "Chaozhou", "香港": "Hong Kong", "澳门": "Macao", "南宁": "Nanning", "海口": "Haikou", "三亚": "Sanya",
    # Fujian
    "厦门": "Xiamen", "福州": "Fuzhou", "泉州": "Quanzhou", "晋江": "Jinjiang", "石狮": "Shishi", "莆田": "Putian",
    "漳州": "Zhangzhou",
    # North
    "北京": "Beijing", "天津": "Tianjin", "石家庄": "Shijiazhuang", "保定": "Baoding", "廊坊": "Langfang",
    "太原": "Taiyuan", "呼和浩特": "Hohhot", "济南": "Jinan", "青岛": "Qingdao", "烟台": "Yantai", "潍坊": "Weifang",
    "临沂": "Linyi", "郑州": "Zhengzhou", "洛阳": "Luoyang",
    # Northeast
    "沈阳": "Shenyang", "大连": "Dalian", "长春": "Changchun", "哈尔滨": "Harbin",
    # Centre, west and southwest
    "武汉": "Wuhan", "长沙": "Changsha", "南昌": "Nanchang", "成都": "Chengdu", "重庆": "Chongqing",
    "西安": "Xi'an", "昆明": "Kunming", "贵阳": "Guiyang", "兰州": "Lanzhou", "西宁": "Xining",
    "银川": "Yinchuan", "乌鲁木齐": "Urumqi", "拉萨": "Lhasa",
    # Taiwan
    "台北": "Taipei",
}

# Spaces, apostrophes and hyphens are left out when matching English input: "xian", "Xi'an" and "Xi’an" are one city.
_IGNORED = re.compile(r"[\s'’\-]+")


def _english_key(name: str) -> str:
    return _IGNORED.sub("", name).casefold()


_CITY_BY_ENGLISH_KEY = {_english_key(en): zh for zh, en in CITY_NAMES_EN.items()}


def city_name_en(city: str) -> str:
    """The English name of a stored (Chinese) city name; empty when the city is not in the list."""
    return CITY_NAMES_EN.get(city.strip(), "") if city else ""


def city_stored_name(value: str) -> str:
    """The stored city a filter value stands for: 杭州 for "hangzhou", " Hangzhou " or "杭州市"; anything else unchanged."""
    if not value:
        return value
    stripped = value.strip()
    # People write the administrative suffix (杭州市); the list stores the bare name.
    if stripped in CITY_NAMES_EN:
        return stripped
    if stripped.endswith("市") and stripped[:-1] in CITY_NAMES_EN:
        return stripped[:-1]
    return _CITY_BY_ENGLISH_KEY.get(_english_key(value), value)

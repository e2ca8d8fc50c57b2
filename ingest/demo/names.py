"""Words the demo names are made of: cities, provider name parts, store brands and suffixes, category words."""
from providers.cities import CITY_NAMES_EN

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

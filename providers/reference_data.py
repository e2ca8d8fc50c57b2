"""The reference data every installation starts with: stable codes, Chinese and English names.

Used by the data migration; codes are part of the CSV formats and the API, so never rename one.
"""

PLATFORMS = [
    ("tmall", "天猫", "Tmall"),
    ("taobao", "淘宝", "Taobao"),
    ("jd", "京东", "JD.com"),
    ("douyin", "抖音", "Douyin"),
    ("pdd", "拼多多", "Pinduoduo"),
    ("kuaishou", "快手", "Kuaishou"),
    ("xiaohongshu", "小红书", "Xiaohongshu"),
]

CATEGORIES = [
    ("apparel", "服饰鞋包", "Apparel & shoes"),
    ("beauty", "美妆个护", "Beauty & personal care"),
    ("food", "食品生鲜", "Food & fresh"),
    ("electronics", "3C数码", "Electronics"),
    ("home", "家居家装", "Home & furnishing"),
    ("maternity", "母婴", "Maternity & baby"),
    ("sports", "运动户外", "Sports & outdoors"),
    ("health", "医药健康", "Health"),
    ("appliances", "家用电器", "Home appliances"),
    ("pets", "宠物", "Pets"),
]

SERVICES = [
    ("operation", "店铺运营", "Store operation"),
    ("design", "视觉设计", "Design"),
    ("customer_service", "客服外包", "Customer service"),
    ("warehousing", "仓储物流", "Warehousing"),
    ("distribution", "分销（现金买货）", "Distribution (cash purchase)"),
    ("multilingual", "多语种服务", "Multilingual"),
    ("cross_border", "跨境电商", "Cross-border"),
    ("live_streaming", "直播代播", "Live streaming"),
    ("advertising", "广告投放", "Advertising"),
]

import pytest

from ratings.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", "电话138********"),
        ("手机：+86 138 1234 5678", "手机：138********"),
        ("+86-138-1234-5678", "138********"),
        ("0086 13912345678 找我", "139******** 找我"),
        ("138-1234-5678谢谢", "138********谢谢"),
        ("call +8613812345678 now", "call 138******** now"),
    ],
)
def test_mobile_numbers_keep_only_the_carrier_prefix(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("固话0571-88881234转123", "固话0571-********"),
        ("(021)62345678", "021-********"),
        ("（010）8888 1234", "010-********"),
        ("座机 0755 2345 6789", "座机 0755-********"),
    ],
)
def test_landlines_keep_only_the_area_code(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加微信：abc_12345 聊", "加微信：****** 聊"),
        ("微信号 shop-owner88", "微信号 ******"),
        ("vx: Shop-Owner88", "vx: ******"),
        ("VX：wang_xiao_er", "VX：******"),
        ("WeChat ID: wang_xiao_er.", "WeChat ID: ******."),
        ("wx123456", "wx******"),
        ("加V：xyz123456", "加V：******"),
        ("QQ：123456789", "QQ：******"),
    ],
)
def test_wechat_and_qq_ids_after_a_marker_are_hidden(text, expected):
    assert mask_personal_data(text) == expected


def test_email_keeps_first_letter_and_domain():
    assert mask_personal_data("邮箱 wang.xiaoer@shop.example.com 联系") == "邮箱 w***@shop.example.com 联系"


def test_id_card_number_is_hidden():
    assert mask_personal_data("身份证330102199001011234") == "身份证33****************"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("收货地址：浙江省杭州市西湖区文三路123号4栋501室，谢谢", "收货地址：浙江省杭州市西湖区****，谢谢"),
        ("寄到杭州市西湖区文一西路998号海创园5号楼，谢谢", "寄到杭州市西湖区****，谢谢"),
        ("文三路123号附近的咖啡馆见", "****附近的咖啡馆见"),
        ("上海市浦东新区张江路88号", "上海市浦东新区****"),
        ("北京市朝阳区望京花园3栋2单元401室", "北京市朝阳区****"),
        ("Ship to 88 Nanjing West Road, Apt 5B please", "Ship to **** please"),
    ],
)
def test_street_addresses_keep_only_the_city_and_district(text, expected):
    assert mask_personal_data(text) == expected


def test_a_reply_leaking_a_buyers_phone_and_address_is_fully_masked():
    reply = "买家王先生 13812345678，地址：广东省深圳市南山区科技园路18号2栋301室，微信 wang_88888"

    assert mask_personal_data(reply) == "买家王先生 138********，地址：广东省深圳市南山区****，微信 ******"


@pytest.mark.parametrize(
    "text",
    [
        "双十一GMV翻倍，ROI 3.5，3号链接卖爆",
        "2025年6月12日 成交额1234567元",
        "订单号 202506121234567890",
        "店铺排名第3，客服响应 30 秒",
        "Tmall apparel specialists since 2012.",
        "",
    ],
)
def test_ordinary_review_text_is_left_alone(text):
    assert mask_personal_data(text) == text

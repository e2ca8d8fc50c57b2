"""GB 32100-2015 统一社会信用代码: each kind of error named, real codes accepted."""
import pytest
from django.core.exceptions import ValidationError

from claims.uscc import (
    CHARSET,
    WEIGHTS,
    org_code_check_character,
    uscc_check_character,
    uscc_normalise,
    uscc_validate,
)


def test_the_weights_are_three_to_the_power_of_the_position_mod_31():
    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY" and len(CHARSET) == 31


def test_check_characters_computed_by_hand():
    # Σ value × weight = 1 640, 1 640 mod 31 = 28, 31 − 28 = 3: the published code ends in 3.
    assert sum(CHARSET.index(c) * w for c, w in zip("91350100M000100Y4", WEIGHTS, strict=True)) == 1640
    first17 = "91350100M000100Y4"
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    assert uscc_check_character(first17) == CHARSET[(31 - total % 31) % 31] == "3"
    # Organisation code M000100Y: weights 3 7 9 10 5 8 4 2, M = 22 → check 4.
    assert org_code_check_character("M000100Y") == "4"
    # A check of 10 is written X (Tencent's 71526726X), 11 is written 0.
    assert org_code_check_character("71526726") == "X"


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # the GB 32100 example licence
    "911100001000080343",  # 北京百度网讯科技有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司 (organisation check X)
    "91440300708461136T",  # 华为技术有限公司
])
def test_real_codes_are_accepted(code):
    assert uscc_validate(code) == code


def test_codes_are_normalised_spaces_removed_and_upper_case():
    assert uscc_normalise(" 9144 0300 71526726xg ") == "9144030071526726XG"
    assert uscc_validate("9144030071526726xg") == "9144030071526726XG"


@pytest.mark.parametrize(("code", "error", "message"), [
    ("91350100M000100Y4", "length", "统一社会信用代码应为 18 位，您输入了 17 位。"),
    ("91350100M000100Y431", "length", "统一社会信用代码应为 18 位，您输入了 19 位。"),
    ("", "length", "统一社会信用代码应为 18 位，您输入了 0 位。"),
    ("91350100M00O100Y43", "character", "第 12 位的“O”不是统一社会信用代码可用的字符（不含 I、O、S、V、Z）。"),
    ("9135010-M000100Y43", "character", "第 8 位的“-”不是统一社会信用代码可用的字符（不含 I、O、S、V、Z）。"),
    ("913501A0M000100Y43", "division", "第 3–8 位（登记管理机关行政区划码）应为 6 位数字。"),
    ("91350100M000100Y53", "org_check", "第 9–17 位（组织机构代码）的校验位应为“4”，而不是“5”。"),
    ("91350100M000100Y44", "check", "第 18 位校验码应为“3”，而不是“4”：请核对代码是否抄错。"),
])
def test_each_kind_of_error_is_named(code, error, message):
    with pytest.raises(ValidationError) as raised:
        uscc_validate(code)
    assert raised.value.code == error
    assert raised.value.messages == [message]


def test_a_single_typo_anywhere_is_caught_by_a_check_character():
    code = "91440300708461136T"
    for position in range(8, 18):  # the two checks cover the identifier and the whole code
        for replacement in "0123456789":
            if replacement == code[position]:
                continue
            typo = code[:position] + replacement + code[position + 1:]
            with pytest.raises(ValidationError):
                uscc_validate(typo)

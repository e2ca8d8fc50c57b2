"""统一社会信用代码 (unified social credit code): the 18-character check of GB 32100-2015, and inside it the
organisation code's own check (GB 11714-1997, positions 9–17). Pure functions on strings, no ORM.

Layout: 1 登记管理部门代码, 2 机构类别代码, 3–8 登记管理机关行政区划码 (digits), 9–17 主体标识码 (the
organisation code, its 9th character a check of the 8 before), 18 校验码 (mod 31 over the 17 before).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015 Table 1: the 31 characters a code may use (no I, O, S, V, Z), each worth its index.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(CHARSET)}
# Weight of position i (1-based) is 3^(i-1) mod 31.
WEIGHTS = [pow(3, i, 31) for i in range(17)]

# GB 11714: the organisation code's body is digits and capital letters (a letter is worth 10 + its place, A=10),
# weights for its 8 characters, and a check of 0–9 or X (10).
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check_character(first17: str) -> str:
    """The 18th character for 17 valid characters: 31 − (Σ value × weight mod 31), 31 being written 0."""
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """The 9th character of an organisation code for its first 8: 11 − (Σ value × weight mod 11), 10 → X, 11 → 0."""
    total = sum(_org_value(char) * weight for char, weight in zip(body8, ORG_WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def uscc_normalise(raw: str) -> str:
    """The code as written on a licence: spaces removed, capital letters (people type it in lower case)."""
    return "".join((raw or "").split()).upper()


def uscc_validate(raw: str) -> str:
    """The normalised code if it is well formed; ValidationError naming what is wrong (length, a character and
    its position, the division code, either check character with the expected one)."""
    code = uscc_normalise(raw)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，您输入了 %(count)d 位。") % {"count": len(code)}, code="length",
        )
    for position, char in enumerate(code, start=1):
        if char not in VALUES:
            raise ValidationError(
                _("第 %(position)d 位的“%(char)s”不是统一社会信用代码可用的字符（不含 I、O、S、V、Z）。")
                % {"position": position, "char": char}, code="character",
            )
    if not code[2:8].isdigit():
        raise ValidationError(_("第 3–8 位（登记管理机关行政区划码）应为 6 位数字。"), code="division")
    expected_org = org_code_check_character(code[8:16])
    if code[16] != expected_org:
        raise ValidationError(
            _("第 9–17 位（组织机构代码）的校验位应为“%(expected)s”，而不是“%(actual)s”。")
            % {"expected": expected_org, "actual": code[16]}, code="org_check",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("第 18 位校验码应为“%(expected)s”，而不是“%(actual)s”：请核对代码是否抄错。")
            % {"expected": expected, "actual": code[17]}, code="check",
        )
    return code

"""The conduct policy as people read it: the rows of the published tables, and docs/conduct-policy.md's text.

The page (/conduct/) and the document are both made from the live ConductPolicy row, so they cannot drift: a test
compares the committed document with `policy_markdown(policy_active())`.
"""
from __future__ import annotations

from .models import ConductPolicy, ViolationType


def policy_type_rows(policy: ConductPolicy) -> list[tuple[str, str, int]]:
    """(code, Chinese name, points) per violation type, in the published order."""
    return [(choice.value, str(choice.label), policy.points_for(choice.value)) for choice in ViolationType]


def policy_ladder_rows(policy: ConductPolicy) -> list[tuple[str, str, str]]:
    """(sanction code, Chinese name, when it applies) from the most severe."""
    return [
        ("cleared", "清退", f"某一年的积分达到 {policy.cleared_at} 分：永久清退，永不恢复，其统一社会信用代码不能再认领服务商。"),
        ("delisted", "服务下架",
         (f"某一年的积分达到 {policy.delisted_at} 分：不在目录、接口列表和推荐中；"
          "须评级人员填写理由恢复，最早在达到当年的次年 1 月 1 日。")),
        ("frozen", "新签冻结", f"本年积分达到 {policy.frozen_at} 分：同“服务隐藏”，且不能接收新的需求，至 12 月 31 日。"),
        ("hidden", "服务隐藏",
         (f"本年积分在第 X 天达到 {policy.hidden_at} 分：X 至 X+{policy.hidden_days - 1} 天（不跨过 12 月 31 日）"
          "不在目录列表、搜索、首页、接口列表和推荐中；主页仍可通过链接访问并说明原因。")),
        ("warning", "服务警告", f"当日积分 ≥ {policy.warning_at} 分：卡片和主页显示警告。"),
        ("none", "无", "其他情况。"),
    ]


def policy_markdown(policy: ConductPolicy) -> str:
    """docs/conduct-policy.md for this policy row."""
    lines = [
        f"# 违规积分规则 v{policy.version}（Conduct policy v{policy.version}）",
        "",
        ("<!-- Generated from the live ConductPolicy row by conduct.presenters.policy_markdown; "
         "tests/conduct/test_policy_doc.py checks it. -->"),
        "",
        ("积分按认定日期（Asia/Shanghai）计入当年，每年 1 月 1 日清零；显示时封顶 "
         f"{policy.cleared_at} 分。已撤销的违规不计入任何积分，记录保留并留痕。"),
        "",
        "| code | 中文 | points |",
        "|---|---|---|",
        *(f"| `{code}` | {name} | {points} |" for code, name, points in policy_type_rows(policy)),
        "",
        "## 处罚（取当日适用的最重一项）",
        "",
        "| sanction | 中文 | 条件 |",
        "|---|---|---|",
        *(f"| `{code}` | {name} | {rule} |" for code, name, rule in policy_ladder_rows(policy)),
        "",
        "## 投诉与申诉",
        "",
        f"- 服务商须在投诉提交后 {policy.answer_days} 日内答复；逾期标记为“逾期未答复”，可认定 `complaint_ignored`。",
        f"- 服务商可在违规认定后 {policy.appeal_days} 日内申诉；申诉成立则撤销该违规，处罚即时随之变化。",
        "- `fraud` 与 `fake_reviews` 只由工作人员记录，商家投诉不可选。",
        "",
        ("复现：`python manage.py export_conduct --as-of YYYY-MM-DD [--format csv|json]` 输出每家服务商的 "
         "`slug,as_of,points,sanction`。"),
        "",
    ]
    return "\n".join(lines)

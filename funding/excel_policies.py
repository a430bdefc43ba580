"""The policy list as a spreadsheet (经费标准), with the list page's filters.

Fixed Chinese vocabulary, like every export (partybuild/xlsx.py). Rates are
numbers ("#,##0.00") with the unit in its own column (元/年, 元/月, % …). The last row counts
the policies: rates of different units do not add up, so there is no sum.
"""

from orgs.excel import LEVEL_NAMES
from partybuild.xlsx import Column, dated_filename, xlsx_response

from .display import APPLIES_NAMES, BASIS_NAMES, KIND_NAMES, UNIT_NAMES

YUAN = "#,##0.00"
COLUMNS = [
    Column("代码", 22), Column("名称", 26), Column("经费类型", 14), Column("计算方式", 14),
    Column("标准下限", 14, YUAN), Column("标准上限", 14, YUAN), Column("单位", 12),
    Column("适用类别", 20), Column("适用层级", 16), Column("适用情形", 16),
    Column("起始年度", 9, "0"), Column("截止年度", 9, "0"), Column("依据文件", 30),
    Column("原文", 50), Column("状态", 6),
]
TOTAL_LABEL = "合计"


def _row(policy):
    categories = "、".join(c.name for c in policy.categories.all()) or "全部"
    levels = "、".join(LEVEL_NAMES.get(lv, lv) for lv in policy.levels or []) or "全部"
    applies = APPLIES_NAMES.get(policy.applies_when, policy.applies_when)
    if policy.top_of_category_only:
        applies += "；每村（社区）一个"
    return [
        policy.code, policy.name, KIND_NAMES.get(policy.kind, policy.kind),
        BASIS_NAMES.get(policy.basis, policy.basis), policy.rate_min,
        policy.rate_max, UNIT_NAMES.get(policy.basis, ""), categories, levels,
        applies, policy.valid_from, policy.valid_to, policy.source_document, policy.source_text,
        "启用" if policy.is_active else "停用",
    ]


def policy_export(*, policies, scope: str):
    """`policies`: the list's queryset (categories prefetched): two queries in all."""
    rows = [_row(policy) for policy in policies]
    total = [TOTAL_LABEL, f"共 {len(rows)} 项"] + [None] * (len(COLUMNS) - 2)
    return xlsx_response(
        filename=dated_filename("经费标准"), title="经费标准", scope=scope, columns=COLUMNS,
        rows=[*rows, total], freeze_columns=2,
    )

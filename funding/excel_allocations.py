"""One organization's allocations for a year as a spreadsheet, ending with a 合计 row.

Like every export (partybuild/xlsx.py) the file's words are fixed Chinese whatever
language the exporting user picked. The rows are those of the page (the same
selector and filters); the 合计 row is summed here from the same Decimals, so it
equals the sum of the rows to the fen.
"""

from partybuild.xlsx import Column, dated_filename, xlsx_response

from .display import KIND_NAMES
from .models import ZERO, Basis

MONEY_FORMAT = "#,##0.00"
TOTAL_LABEL = "合计"

# What the basis quantity counts (display.UNIT_NAMES is the unit of a policy's rate).
QUANTITY_UNIT_NAMES = {
    Basis.PER_YEAR: "年",
    Basis.PER_MONTH: "个月",
    Basis.PER_MEMBER: "名党员",
    Basis.PER_HEAD: "人",
    Basis.PAYROLL_SHARE: "元工资总额",
    Basis.ONE_OFF: "次",
}

COLUMNS = [
    Column("年度", 7), Column("经费标准", 28), Column("经费类型", 14), Column("计算基数", 18),
    Column("标准下限", 14, MONEY_FORMAT), Column("标准上限", 14, MONEY_FORMAT),
    Column("计划金额", 14, MONEY_FORMAT), Column("已拨付", 14, MONEY_FORMAT),
    Column("缺口", 14, MONEY_FORMAT), Column("备注", 30),
]
# The columns the 合计 row adds up (标准上限 is not: a policy without a ceiling has none).
SUMMED = ("promised_min", "planned", "paid", "pay_gap")


def quantity_text(allocation) -> str:
    """12 个月, 35 名党员, 1,200,000 元工资总额; empty while staff have not entered it."""
    quantity = allocation.quantity
    if quantity is None:
        return ""
    number = f"{quantity.normalize():,f}" if quantity == quantity.to_integral() else f"{quantity:,}"
    return f"{number} {QUANTITY_UNIT_NAMES.get(allocation.policy.basis, '')}".strip()


def allocation_rows(allocations):
    """The data rows, then the 合计 row."""
    totals = dict.fromkeys(SUMMED, ZERO)
    for a in allocations:
        for name in SUMMED:
            totals[name] += getattr(a, name) or ZERO
        yield [
            a.year, a.policy.name, KIND_NAMES.get(a.policy.kind, a.policy.kind), quantity_text(a),
            a.promised_min, a.promised_max, a.planned, a.paid, a.pay_gap, a.note,
        ]
    yield [TOTAL_LABEL, None, None, None, totals["promised_min"], None, totals["planned"],
           totals["paid"], totals["pay_gap"], None]


def org_funding_export(*, org, year: int, allocations):
    return xlsx_response(
        filename=dated_filename(f"{org.name}{year}年度经费"),
        title=f"{org.name} {year}年度经费安排",
        scope=f"{org.name}（{org.code}）；年度 {year}",
        columns=COLUMNS,
        rows=allocation_rows(allocations),
        sheet_title="经费安排",
    )

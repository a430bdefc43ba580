"""How a policy's rate reads: "200,000.00–300,000.00 元/年", "0.5–2 %", "10,000.00 元（一次性）".

`rate_text(policy)` is the one place the pages write a rate with its unit (the
`policy_rates` template filter calls it); `UNIT_NAMES`, `KIND_NAMES` and
`BASIS_NAMES` are the fixed Chinese vocabulary of the spreadsheets, which do not
change with the exporting user's language (partybuild/xlsx.py).
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from .models import AppliesWhen, Basis, FundingKind

KIND_NAMES = {
    FundingKind.OPERATING: "运转经费",
    FundingKind.SECRETARY_PAY: "书记报酬",
    FundingKind.ALLOWANCE: "工作津贴",
    FundingKind.STARTUP: "启动资金",
    FundingKind.VENUE: "场所建设补贴",
    FundingKind.PARTY_WORK: "党建工作经费",
    FundingKind.SERVICE: "服务群众专项经费",
    FundingKind.ACTIVITY: "党组织活动经费",
}
BASIS_NAMES = {
    Basis.PER_YEAR: "按年",
    Basis.PER_MONTH: "按月",
    Basis.PER_MEMBER: "按党员人数",
    Basis.PER_HEAD: "按人数",
    Basis.PAYROLL_SHARE: "按工资总额比例",
    Basis.ONE_OFF: "一次性",
}
UNIT_NAMES = {
    Basis.PER_YEAR: "元/年",
    Basis.PER_MONTH: "元/月",
    Basis.PER_MEMBER: "元/人·年",
    Basis.PER_HEAD: "元/人·年",
    Basis.PAYROLL_SHARE: "%",
    Basis.ONE_OFF: "元（一次性）",
}
APPLIES_NAMES = {
    AppliesWhen.EVERY_YEAR: "每年",
    AppliesWhen.FOUNDED_IN_YEAR: "成立当年",
    AppliesWhen.ON_APPLICATION: "按申请（手工添加）",
}


def unit_label(basis: str) -> str:
    """The unit a rate of this basis is in, in the user's language."""
    return {
        Basis.PER_YEAR: _("yuan/year"),
        Basis.PER_MONTH: _("yuan/month"),
        Basis.PER_MEMBER: _("yuan/person·year"),
        Basis.PER_HEAD: _("yuan/person·year"),
        Basis.PAYROLL_SHARE: "%",
        Basis.ONE_OFF: _("yuan (one-off)"),
    }.get(basis, "")


def yuan_text(value: Decimal) -> str:
    """1234.5 -> "1,234.50"."""
    return f"{value:,.2f}"


def percent_text(value: Decimal) -> str:
    """0.50 -> "0.5", 2.00 -> "2": a payroll share as the document writes it."""
    text = format(value.normalize(), "f")
    return text


def range_text(basis: str, low: Decimal | None, high: Decimal | None) -> str:
    """"low–high" (or "low" alone) without the unit; "—" when nothing is known."""
    if low is None:
        return "—"
    number = percent_text if basis == Basis.PAYROLL_SHARE else yuan_text
    if high is None or high == low:
        return number(low)
    return f"{number(low)}–{number(high)}"


def rate_text(policy) -> str:
    """The policy's rate with its unit, as every page shows it."""
    text = range_text(policy.basis, policy.rate_min, policy.rate_max)
    if text == "—":
        return text
    unit = unit_label(policy.basis)
    return f"{text} {unit}" if unit else text

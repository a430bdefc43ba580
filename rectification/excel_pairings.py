"""The 3+1 pairings as a spreadsheet: one row per pairing, then the conversion rate
(转化率) per committee in a block below the rows.

The file's vocabulary is fixed Chinese like every export (partybuild/xlsx.py). The rates
block sits on the same sheet because the project's one spreadsheet writer makes one
sheet per file, and a clerk prints the two together anyway.
"""

from assessments.excel import GRADE_NAMES
from partybuild.xlsx import Column, dated_filename, xlsx_response

from .models import PairingStatus

TITLE = "3+1帮扶结对情况"
STATUS_NAMES = {
    PairingStatus.ACTIVE: "帮扶中",
    PairingStatus.UPGRADED: "已晋位升级",
    PairingStatus.ENDED: "已结束",
}
FILTER_NAMES = {"committee": "党(工)委", "status": "状态", "helper": "帮扶人"}
COLUMNS = [
    Column("代码", 14), Column("党组织", 28), Column("所属党(工)委", 18), Column("县级领导", 12),
    Column("党(工)委书记", 12), Column("组工干部", 12), Column("起始等级", 8),
    Column("目标等级", 8), Column("目标日期", 11), Column("推进节点完成", 10, "0"),
    Column("推进节点总数", 10, "0"), Column("逾期节点", 8, "0"), Column("本月走访", 8, "0"),
    Column("最近走访", 11), Column("状态", 10), Column("结对时间", 17),
]
RATE_HEADERS = ("党(工)委", "帮扶数", "已晋位升级", "转化率")


def scope_text(*, names, filters) -> str:
    text = "、".join(names) if names else "全部"
    parts = [f"{FILTER_NAMES[k]} {v}" for k, v in filters.items() if v]
    if parts:
        text += "；筛选：" + "，".join(parts)
    return text


def filter_labels(form) -> dict:
    """The list's valid filters in the file's words (no query)."""
    f = form.filters()
    labels = {}
    if f.get("committee") in form.committees:
        labels["committee"] = form.committees[f["committee"]]
    if f.get("status"):
        labels["status"] = STATUS_NAMES.get(f["status"], f["status"])
    if f.get("helper") is not None and str(f["helper"]) in form.helpers:
        labels["helper"] = form.helpers[str(f["helper"])]
    return labels


def _person(user):
    return user.full_name or user.username


def _rate_text(row):
    return "—" if row.rate is None else f"{row.rate}%"


def _padded(*values):
    return (*values, *([None] * (len(COLUMNS) - len(values))))


def export_response(*, pairings, rates, totals, scope):
    """`pairings` from selectors_pairings.export_rows (annotated, with committee_name)."""

    def cells():
        for p in pairings:
            yield (
                p.organization.code, p.organization.name, p.committee_name,
                _person(p.county_leader), _person(p.committee_secretary), _person(p.cadre),
                GRADE_NAMES.get(p.baseline_grade, ""), GRADE_NAMES.get(p.target_grade, ""),
                p.target_date, p.milestones_done, p.milestones_total, p.milestones_overdue,
                p.visits_month, p.last_visit, STATUS_NAMES.get(p.shown_status, p.shown_status),
                p.created_at,
            )
        yield _padded()
        yield _padded("转化率（按党(工)委）")
        yield _padded(*RATE_HEADERS)
        for row in rates:
            yield _padded(row.name, row.total, row.upgraded, _rate_text(row))
        yield _padded("合计", totals.total, totals.upgraded, _rate_text(totals))

    return xlsx_response(
        filename=dated_filename(TITLE), title=TITLE, scope=scope, columns=COLUMNS, rows=cells(),
        sheet_title="帮扶结对",
    )

"""A campaign's results as a spreadsheet: one row per organization in the user's scope.

The file's vocabulary is fixed Chinese (headers, statuses, grades, 是/否), like every
export (partybuild/xlsx.py): it must read the same whatever language the exporting
user picked. Rows are read with a database iterator and written by openpyxl's
write-only mode, so 20,000 organizations cost five queries and a flat amount of memory;
over settings.EXPORT_SYNC_MAX_ROWS rows the file is written in the background (exports app).
"""

from decimal import Decimal

from orgs.models import Organization
from partybuild.xlsx import NO, YES, Column, Table, dated_filename

from .models import AssessmentStatus, Grade
from .selectors_campaigns import NO_CATEGORY, STEP, committee_depth

STATUS_NAMES = {
    AssessmentStatus.NOT_STARTED: "未开始",
    AssessmentStatus.DRAFT: "填报中",
    AssessmentStatus.SUBMITTED: "已提交",
    AssessmentStatus.RETURNED: "已退回",
    AssessmentStatus.REVIEWED: "已审核",
    AssessmentStatus.ACCEPTED: "已验收",
}
GRADE_NAMES = {Grade.ADVANCED: "先进", Grade.GENERAL: "一般", Grade.LAGGING: "后进"}
FILTER_NAMES = {
    "q": "关键词", "status": "状态", "grade": "等级", "committee": "所属", "category": "类别",
    "overdue": "逾期",
}
# How many rows the database hands over at a time (a server-side cursor on PostgreSQL).
CHUNK = 2000

COLUMNS = [
    Column("代码", 14), Column("名称", 30), Column("上级组织", 20), Column("类别", 10),
    Column("状态", 8), Column("自评分", 8, "0.00"), Column("最终得分", 9, "0.00"),
    Column("等级", 6), Column("星级", 6, "0"), Column("一票否决", 8),
]
TAIL = [Column("提交时间", 17), Column("验收时间", 17)]


def title_of(campaign) -> str:
    return f"{campaign.year}年{campaign.name}结果"


def scope_text(*, campaign, scope_names, filters) -> str:
    """'青禾县委（全部）；筛选：状态 已提交' — whose rows and which filters, in the file's words."""
    text = f"{campaign.organization.name}（{'、'.join(scope_names) if scope_names else '全部'}）"
    parts = []
    for key, label in FILTER_NAMES.items():
        value = filters.get(key)
        if value:
            parts.append(f"{label} {value}" if value is not True else label)
    if parts:
        text += "；筛选：" + "，".join(parts)
    return text


def filter_labels(form) -> dict:
    """The assessments filter form's valid filters in the file's words (no query)."""
    f = form.filters()
    labels = {}
    if f.get("q"):
        labels["q"] = f"“{f['q']}”"
    if f.get("status"):
        labels["status"] = STATUS_NAMES.get(f["status"], f["status"])
    if f.get("grade"):
        labels["grade"] = GRADE_NAMES.get(f["grade"], "未定级")
    if f.get("committee") in form.committees:
        labels["committee"] = form.committees[f["committee"]].name
    if f.get("category"):
        names = dict(form.fields["category"].choices)
        labels["category"] = "无类别" if f["category"] == NO_CATEGORY else str(names[f["category"]])
    if f.get("overdue"):
        labels["overdue"] = True
    return labels


def _percent(scores, name):
    entry = (scores or {}).get(name) or {}
    value = entry.get("percent")
    return None if value in (None, "") else Decimal(value)


def export_table(*, campaign, assessments, dimension_names, scope: str) -> Table:
    """The table for a queryset of the campaign's assessments the caller has scoped and
    filtered. Queries: the committee names (one), the count (one), the rows (one, iterated)."""
    depth = committee_depth(campaign)
    prefix_len = depth * STEP
    committee_names = dict(
        Organization.objects.filter(
            path__startswith=campaign.organization.path, depth__lte=depth
        )
        .order_by()
        .values_list("path", "name")
    )
    columns = COLUMNS + [Column(name, 10, "0.00") for name in dimension_names] + TAIL
    rows = (
        assessments.order_by("organization__path")
        .values_list(
            "organization__path", "organization__code", "organization__name",
            "organization__category__name", "status", "self_score", "final_score", "grade",
            "stars", "veto_failed", "dimension_scores", "submitted_at", "accepted_at",
        )
        .iterator(chunk_size=CHUNK)
    )

    def cells():
        for (path, code, name, category, status, self_score, final_score, grade, stars, veto,
             scores, submitted_at, accepted_at) in rows:
            prefix = path[:prefix_len]
            yield (
                code, name, committee_names.get(prefix, "") if prefix != path else "",
                category or "", STATUS_NAMES.get(status, status), self_score, final_score,
                GRADE_NAMES.get(grade, ""), stars,
                (YES if veto else NO) if final_score is not None else "",
                *(_percent(scores, dim) for dim in dimension_names),
                submitted_at, accepted_at,
            )

    title = title_of(campaign)
    return Table(
        filename=dated_filename(title), title=title, scope=scope, columns=columns, rows=cells(),
        sheet_title="评定结果", count=assessments.order_by().count(),
    )

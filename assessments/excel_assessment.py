"""One assessment as a spreadsheet: one row per item, then the totals.

Written through partybuild/xlsx.py, like every export. The headers and values
are the file's fixed Chinese vocabulary (是/否, 合计), not UI text, so a file
reads the same whichever language the exporting user picked.
"""

from django.db.models import Count

from partybuild.xlsx import NO, YES, Column, dated_filename, xlsx_response
from standards.models import ItemKind

COLUMNS = [
    Column("方面", 18),
    Column("编号", 9),
    Column("标准内容", 48),
    Column("分值", 7, "0.00"),
    Column("自评值", 16),
    Column("自评得分", 9, "0.00"),
    Column("审核值", 12),
    Column("最终得分", 9, "0.00"),
    Column("说明", 30),
    Column("审核意见", 30),
    Column("佐证数量", 9, "0"),
]
TOTAL_LABEL = "合计"
STATUS_LABELS = {
    "not_started": "未开始", "draft": "填报中", "submitted": "已提交", "returned": "已退回",
    "reviewed": "已审核", "accepted": "已验收",
}
GRADE_LABELS = {"advanced": "先进", "general": "一般", "lagging": "后进"}


def _value_text(item, raw, text=""):
    if item.kind == ItemKind.TEXT:
        return text or raw
    if raw == "":
        return ""
    if item.kind == ItemKind.CHECK:
        return YES if raw == "true" else NO
    if item.kind == ItemKind.NUMBER:
        return f"{raw} {item.unit}".strip()
    return raw


def _number(raw):
    """A text item's hand score as a number cell; anything else stays text."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return raw


def export_rows(assessment):
    """The item rows and the totals row: one query for the responses with their
    items, dimensions and evidence counts."""
    responses = (
        assessment.responses.select_related("item__dimension")
        .annotate(evidence_count=Count("evidence"))
        .order_by("item__dimension__ordering", "item__ordering", "item__pk")
    )
    total_max = 0
    for r in responses.iterator():
        item = r.item
        total_max += item.max_score
        reviewer = r.reviewer_value
        yield [
            item.dimension.name,
            item.code,
            item.requirement,
            item.max_score,
            _value_text(item, r.self_value, r.self_text),
            r.self_score,
            _number(reviewer) if item.kind == ItemKind.TEXT else _value_text(item, reviewer),
            r.final_score,
            r.self_note,
            r.reviewer_note,
            r.evidence_count,
        ]
    yield [
        TOTAL_LABEL, "", "", total_max, "", assessment.self_score, "", assessment.final_score,
        _summary(assessment), "", None,
    ]


def _summary(assessment):
    parts = [STATUS_LABELS.get(assessment.status, assessment.status)]
    if assessment.grade:
        parts.append(GRADE_LABELS.get(assessment.grade, assessment.grade))
    if assessment.stars is not None:
        parts.append(f"{assessment.stars}星")
    if assessment.veto_failed:
        parts.append("一票否决")
    return "，".join(parts)


def assessment_export_response(assessment):
    title = f"{assessment.organization.name} · {assessment.campaign}"
    return xlsx_response(
        filename=dated_filename(f"自查审核_{assessment.organization.name}"),
        title=title,
        scope=f"{assessment.organization.name}（{assessment.campaign}）",
        columns=COLUMNS,
        rows=export_rows(assessment),
        sheet_title="自查审核",
    )

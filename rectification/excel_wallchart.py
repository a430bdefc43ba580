"""The wall chart (挂图作战) as a spreadsheet: one row per task, one column per week.

A task's weeks, from its start to its deadline, are filled in its status colour (red
when overdue), the same colours as the page; today's week has a marked header and a
tinted column. The file's words are fixed Chinese, like every export (partybuild/xlsx.py).
Rows are read with a database iterator and written in openpyxl's write-only mode: a
fixed number of queries and flat memory for any number of tasks.
"""

from partybuild.xlsx import Column, Filled, dated_filename, xlsx_response

from . import wallchart as chart
from .models import TaskStatus

TITLE = "整改任务挂图作战"
STATUS_NAMES = {
    TaskStatus.OPEN: "待整改",
    TaskStatus.IN_PROGRESS: "进行中",
    TaskStatus.AWAITING_CHECK: "待核验",
    TaskStatus.CLOSED: "已销号",
}
OVERDUE_NAME = "已逾期"
TODAY_COLOR = "6F42C1"  # purple: not one of the status colours
TODAY_TINT = "E2D9F3"
CHUNK = 2000

COLUMNS = [
    Column("党(工)委", 16), Column("党组织", 22), Column("整改措施", 36), Column("责任人", 10),
    Column("责任领导", 10), Column("开始日期", 11), Column("截止日期", 11), Column("状态", 14),
]
FROZEN = 3  # committee, organization and measure stay in view beside the weeks


def status_text(status: str, tone: str) -> str:
    name = STATUS_NAMES.get(status, status)
    return f"{name}（{OVERDUE_NAME}）" if tone == "overdue" else name


def scope_text(*, scope_names, form, line) -> str:
    """'东坝镇党委；筛选：状态 待核验；周次 2026-11-16 至 2027-03-01' in the file's words."""
    text = "、".join(scope_names) if scope_names else "全部"
    f = form.filters()
    parts = []
    if f.committee is not None:
        parts.append(f"党(工)委 {f.committee.name}")
    if f.category == chart.NO_CATEGORY:
        parts.append("类别 无类别")
    elif f.category:
        parts.append(f"类别 {form.category_names.get(f.category, f.category)}")
    if f.status == chart.ALL_STATUSES:
        parts.append("状态 全部（含已销号）")
    elif f.status:
        parts.append(f"状态 {STATUS_NAMES.get(f.status, f.status)}")
    if f.overdue:
        parts.append("仅逾期")
    if f.deadline_from or f.deadline_to:
        start = f.deadline_from.isoformat() if f.deadline_from else "…"
        end = f.deadline_to.isoformat() if f.deadline_to else "…"
        parts.append(f"截止日期 {start} 至 {end}")
    if f.q:
        parts.append(f"关键词 “{f.q}”")
    if parts:
        text += "；筛选：" + "，".join(parts)
    text += f"；周次 {line.first.isoformat()} 至 {line.last.isoformat()}"
    if line.capped:
        wanted = (line.wanted_last - line.wanted_first).days // 7 + 1
        text += f"（任务跨 {wanted} 周，仅列出 {line.count} 周）"
    return text


def week_columns(line) -> list[Column]:
    today = line.today_column
    return [
        Column(week.label, 6, header_fill=TODAY_COLOR if week.index == today else None)
        for week in line.weeks
    ]


def export_response(*, tasks, line, today, scope: str):
    """The download for the scoped, filtered tasks. Queries: the committee names (one),
    the rows (one, iterated in chunks)."""
    names = chart.committee_names(tasks)
    prefix_len = chart.COMMITTEE_DEPTH * chart.STEP
    today_column = line.today_column
    rows = (
        tasks.order_by("organization__path", "deadline", "pk")
        .values_list(
            "organization__path", "organization__name", "measure", "responsible_name",
            "leader_name", "starts_on", "deadline", "status",
        )
        .iterator(chunk_size=CHUNK)
    )

    def cells():
        for path, org_name, measure, responsible, leader, starts_on, deadline, status in rows:
            task_tone = chart.tone(status, deadline, today)
            task_bar = chart.bar(line, starts_on, deadline)
            color = chart.TONE_COLORS[task_tone]
            weeks = []
            for column in range(line.count):
                if task_bar.covers(column):
                    weeks.append(Filled(None, color))
                elif column == today_column:
                    weeks.append(Filled(None, TODAY_TINT))
                else:
                    weeks.append(None)
            prefix = path[:prefix_len]
            yield (
                names.get(prefix, "") if prefix != path else org_name, org_name, measure,
                responsible, leader, starts_on, deadline, status_text(status, task_tone), *weeks,
            )

    return xlsx_response(
        filename=dated_filename("挂图作战"), title=TITLE, scope=scope,
        columns=COLUMNS + week_columns(line), rows=cells(), sheet_title="挂图作战",
        freeze_columns=FROZEN,
    )

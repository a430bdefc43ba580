"""The four lists as spreadsheets: 问题清单, 任务清单, 责任清单 and 整改清单.

Like every export (partybuild/xlsx.py) the file's vocabulary is fixed Chinese —
headers, statuses, severities, 是/否 — whatever language the exporting user picked.
Each export reads through the same selector and filters as its page, so the file
holds exactly the rows the page lists. The task and problem rows are read with a
database iterator and written by openpyxl's write-only mode: 5,000 tasks or 50,000
cost the same few queries and a flat amount of memory (over settings.EXPORT_SYNC_MAX_ROWS
rows in the background: the exports app).
"""

from partybuild.xlsx import NO, YES, Column, Table, dated_filename

from . import selectors as sel
from .models import ProblemSource, Severity, TaskStatus

STATUS_NAMES = {
    TaskStatus.OPEN: "待整改",
    TaskStatus.IN_PROGRESS: "进行中",
    TaskStatus.AWAITING_CHECK: "待核验",
    TaskStatus.CLOSED: "已销号",
}
OVERDUE_NAME = "已逾期"
TOTAL_LABEL = "合计"
SEVERITY_NAMES = {Severity.HIGH: "严重", Severity.MEDIUM: "一般", Severity.LOW: "轻微"}
SOURCE_NAMES = {
    ProblemSource.ASSESSMENT: "评定",
    ProblemSource.SPOT_CHECK: "随机抽查",
    ProblemSource.INSPECTION: "督查",
    ProblemSource.MANUAL: "手工录入",
}
STATE_NAMES = {
    sel.ProblemState.NO_TASK: "未立任务",
    sel.ProblemState.RECTIFYING: "整改中",
    sel.ProblemState.DONE: "已全部销号",
}
FILTER_NAMES = {
    "q": "关键词", "committee": "所属", "category": "类别", "status": "状态", "severity": "严重程度",
    "source": "来源", "deadline_from": "截止日期自", "deadline_to": "截止日期至", "overdue": "逾期",
    "person": "责任人",
}
# How many rows the database hands over at a time (a server-side cursor on PostgreSQL).
CHUNK = 2000

COUNT_HEADERS = ["任务数", "待整改", "进行中", "待核验", "已销号", "已逾期"]
COUNT_KEYS = ["total", *(f"n_{group}" for group in sel.GROUPS)]

PROBLEM_COLUMNS = [
    Column("代码", 12), Column("党组织", 28), Column("所属党(工)委", 18), Column("类别", 10),
    Column("来源", 9), Column("条目编号", 10), Column("问题描述", 50), Column("严重程度", 9),
    Column("发现人", 14), Column("发现日期", 11), Column("任务数", 7, "0"), Column("已销号", 7, "0"),
]
TASK_COLUMNS = [
    Column("代码", 12), Column("党组织", 28), Column("所属党(工)委", 18), Column("类别", 10),
    Column("问题", 36), Column("整改措施", 40), Column("责任人", 10), Column("责任领导", 10),
    Column("开始日期", 11), Column("截止日期", 11), Column("状态", 8), Column("逾期", 6),
    Column("进度(%)", 8, "0"), Column("销号时间", 17),
]
PERSON_COLUMNS = [Column("责任人", 14), Column("系统账号", 14)] + [
    Column(header, 8, "0") for header in COUNT_HEADERS
]
STATUS_COLUMNS = [Column("党(工)委", 24)] + [Column(header, 8, "0") for header in COUNT_HEADERS]


def filter_labels(form) -> dict:
    """The filter form's valid filters in the file's words (no query)."""
    f = form.filters()
    labels = {}
    if f.q:
        labels["q"] = f"“{f.q}”"
    if f.committee is not None:
        labels["committee"] = f.committee.name
    if f.category:
        names = dict(form.fields["category"].choices)
        labels["category"] = "无类别" if f.category == sel.NO_CATEGORY else str(names[f.category])
    if f.status:
        labels["status"] = STATUS_NAMES.get(f.status) or STATE_NAMES.get(f.status, f.status)
    if f.severity:
        labels["severity"] = SEVERITY_NAMES[f.severity]
    if f.source:
        labels["source"] = SOURCE_NAMES[f.source]
    if f.deadline_from:
        labels["deadline_from"] = f.deadline_from.isoformat()
    if f.deadline_to:
        labels["deadline_to"] = f.deadline_to.isoformat()
    if f.overdue:
        labels["overdue"] = True
    if f.person is not None:
        labels["person"] = f.person.name
    return labels


def scope_text(*, scope_names, filters: dict) -> str:
    """'东坝镇党委；筛选：状态 进行中，逾期' — whose rows and which filters, in the file's words."""
    text = "、".join(scope_names) if scope_names else "全部"
    parts = [
        label if filters[key] is True else f"{label} {filters[key]}"
        for key, label in FILTER_NAMES.items()
        if filters.get(key)
    ]
    if parts:
        text += "；筛选：" + "，".join(parts)
    return text


def _table(title, scope, columns, rows, count):
    return Table(
        filename=dated_filename(title), title=title, scope=scope, columns=columns, rows=rows,
        sheet_title=title, count=count,
    )


def problem_export(*, user, filters, sort, scope):
    """问题清单. Queries: the committee names (one), the count (one), the rows (one grouped
    query, iterated)."""
    names = sel.committee_names()
    queryset = sel.problem_rows(user=user, filters=filters, sort=sort)
    rows = queryset.iterator(chunk_size=CHUNK)

    def cells():
        for (path, code, org, category, source, item_code, description, severity, finder,
             finder_login, found_on, n_tasks, n_closed) in rows:
            yield (
                code, org, sel.committee_of(path, names), category or "",
                SOURCE_NAMES.get(source, source), item_code or "", description,
                SEVERITY_NAMES.get(severity, severity), finder or finder_login or "", found_on,
                n_tasks, n_closed,
            )

    return _table("问题清单", scope, PROBLEM_COLUMNS, cells(), queryset.count())


def task_export(*, user, filters, sort, scope, today):
    """任务清单. Queries: the committee names (one), the count (one), the rows (one, iterated)."""
    names = sel.committee_names()
    queryset = sel.task_rows(user=user, filters=filters, sort=sort)
    rows = queryset.iterator(chunk_size=CHUNK)

    def cells():
        for (path, code, org, category, problem, measure, responsible, leader, starts_on,
             deadline, status, progress, closed_at) in rows:
            overdue = status != TaskStatus.CLOSED and deadline < today
            yield (
                code, org, sel.committee_of(path, names), category or "", problem, measure,
                responsible, leader, starts_on, deadline, STATUS_NAMES.get(status, status),
                YES if overdue else NO, progress, closed_at,
            )

    return _table("任务清单", scope, TASK_COLUMNS, cells(), queryset.order_by().count())


def person_export(*, user, filters, sort, scope):
    """责任清单: one row per responsible person, then a 合计 row (a task has one
    responsible person, so the counts add up). Queries: the count (one), the grouped
    rows (one, iterated)."""
    queryset = sel.tasks_by_person(user=user, filters=filters, sort=sort)
    values = queryset.iterator(chunk_size=CHUNK)

    def cells():
        totals = dict.fromkeys(COUNT_KEYS, 0)
        for v in values:
            for key in COUNT_KEYS:
                totals[key] += v[key]
            yield (
                v["responsible_name"], v["responsible__username"] or "",
                *(v[key] for key in COUNT_KEYS),
            )
        yield (TOTAL_LABEL, "", *(totals[key] for key in COUNT_KEYS))

    # + 1: the 合计 row
    return _table("责任清单", scope, PERSON_COLUMNS, cells(), queryset.count() + 1)


def status_export(*, rows, totals, scope):
    """整改清单: the committees × statuses matrix the page shows, and its total."""
    cells = [(row.name, *(row.counts[key] for key in COUNT_KEYS)) for row in rows]
    cells.append((TOTAL_LABEL, *(totals[key] for key in COUNT_KEYS)))
    return _table("整改清单", scope, STATUS_COLUMNS, cells, len(cells))

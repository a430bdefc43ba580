"""督查通报 as a spreadsheet: one row per finding, grouped by committee, and a count.

Like every export (partybuild/xlsx.py) the vocabulary is fixed Chinese whatever
language the exporting user picked; the rows are the bulletin page's, read through
the same selectors (a fixed number of queries however many findings).
"""

from partybuild.xlsx import Column, dated_filename, xlsx_response
from rectification.excel import SEVERITY_NAMES, STATE_NAMES

from . import selectors_inspections as sel
from .models import SampleReason

REASON_NAMES = {
    SampleReason.LAGGING: "后进",
    SampleReason.OVERDUE: "整改逾期",
    SampleReason.RANDOM: "随机",
}
OVERDUE_NOTE = "（有逾期）"
TOTAL_LABEL = "合计"

COLUMNS = [
    Column("党(工)委", 18), Column("组织代码", 12), Column("组织名称", 28), Column("抽取原因", 10),
    Column("督查日期", 11), Column("发现问题", 50), Column("严重程度", 9), Column("整改任务", 9),
    Column("整改状态", 14),
]


def title(period) -> str:
    return f"督查通报（{period.year}年第{sel.quarter_number(period)}季度）"


def _tasks_text(n_tasks: int) -> str:
    return f"{n_tasks}项" if n_tasks else "无"


def _state_text(finding) -> str:
    text = STATE_NAMES[finding.state]
    if finding.has_overdue:
        text += OVERDUE_NOTE
    return text


def bulletin_export(*, groups, period):
    """`groups` from selectors_inspections.bulletin; 范围 names the committees it covers."""
    scope = "、".join(g.committee.name for g in groups) or "无"

    def rows():
        count = 0
        for group in groups:
            for finding in group.findings:
                sample, problem = finding.sample, finding.problem
                count += 1
                yield (
                    group.committee.name, sample.organization.code, sample.organization.name,
                    REASON_NAMES.get(sample.reason, sample.reason), sample.inspected_on,
                    problem.description, SEVERITY_NAMES.get(problem.severity, problem.severity),
                    _tasks_text(finding.n_tasks), _state_text(finding),
                )
        yield (TOTAL_LABEL, None, None, None, None, f"共{count}个问题", None, None, None)

    name = title(period)
    return xlsx_response(
        filename=dated_filename(name), title=name, scope=scope, columns=COLUMNS, rows=rows(),
        sheet_title="督查通报",
    )

"""月调度 as spreadsheets: the month's board (one row per committee) and one committee's
pack, in the layout a county sends upward.

Like every export (partybuild/xlsx.py) the file's words are fixed Chinese: the names
of the sections and lines below mirror `dispatch.SECTIONS` (a test keeps them in step),
so a file does not change with the language the exporting user picked. Money comes
out of the JSON figures as Decimal and is written with "#,##0.00"; the board's 合计
row is the Decimal sum of its rows, so it equals them to the fen.
"""

from decimal import Decimal

from partybuild.xlsx import NO, YES, Column, xlsx_response

from .dispatch import MONEY_LINES, REGISTERED_NAMES
from .models import DispatchStatus
from .selectors_dispatches import ALL_LINES, figure, totals

# section key -> (板块, {line key -> (指标, 说明)})
SECTION_NAMES = {
    "self_checks": ("自查评定", {
        "due": ("本月到期应自查", "自查截止日期在本月的评定"),
        "done": ("已提交自查", "其中已提交（含已审核、已验收）"),
    }),
    "reviews": ("审核", {"pending": ("待审核", "编制时已提交、尚未审核的自查")}),
    "problems": ("问题清单", {"found": ("本月发现问题", "发现日期在本月的问题")}),
    "tasks": ("整改任务", {
        "opened": ("本月新建", "本月新建的整改任务"),
        "closed": ("本月销号", "本月对账销号的整改任务"),
        "overdue": ("月末逾期", "截至月末已过截止日期、尚未销号"),
    }),
    "pairings": ("3+1帮扶", {
        "active": ("帮扶中", "编制时进行中的帮扶"),
        "visited": ("本月走访对象", "本月有走访记录的帮扶对象"),
        "visits": ("本月走访次数", "本月走访记录条数"),
    }),
    "stars": ("星级评定", {
        "awarded": ("本月授星", "本月评定授星次数"),
        "revoked": ("本月摘牌降星", "本月摘牌降星次数"),
    }),
    "funding": ("经费保障（元）", {
        "planned": ("年度计划", "本年度经费安排合计"),
        "paid_month": ("本月拨付", "本月实际拨付"),
        "paid_year": ("年内累计拨付", "本年1月1日至月末累计拨付"),
    }),
}
# Sections other apps add (meetings' 组织生活) bring their fixed names along.
SECTION_NAMES.update(REGISTERED_NAMES)
STATUS_NAMES = {DispatchStatus.DRAFT: "草稿（未报送）", DispatchStatus.SUBMITTED: "已提交"}
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
TOTAL_LABEL = "合计"


def line_header(key, line) -> str:
    section, lines = SECTION_NAMES[key]
    return f"{section}·{lines[line][0]}"


def _month_text(period) -> str:
    return f"{period.year}年{period.month}月"


def _percent(part: Decimal, whole: Decimal) -> str:
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'))}%"


# ---------------------------------------------------------------- the month's board

BOARD_COLUMNS = [
    Column("党(工)委", 22), Column("状态", 14), Column("报送截止", 11), Column("提交时间", 17),
    Column("逾期", 6),
] + [
    Column(line_header(k, line), 14 if (k, line) in MONEY_LINES else 10,
           MONEY_FORMAT if (k, line) in MONEY_LINES else COUNT_FORMAT)
    for k, line in ALL_LINES
]


def board_rows(dispatches, *, late):
    """The board's rows then its 合计 row; `late(dispatch)` says whether one is late."""
    n_submitted = n_late = 0
    for d in dispatches:
        is_late = late(d)
        n_submitted += d.status == DispatchStatus.SUBMITTED
        n_late += is_late
        yield [
            d.committee.name, STATUS_NAMES.get(d.status, d.status), d.due_on, d.submitted_at,
            YES if is_late else NO, *(figure(d, k, line) for k, line in ALL_LINES),
        ]
    sums = totals(dispatches)
    yield [
        TOTAL_LABEL, f"已提交 {n_submitted}/{len(dispatches)}", None, None, f"{n_late}个",
        *(sums[pair] for pair in ALL_LINES),
    ]


def board_export(*, dispatches, period, scope: str, late):
    month = _month_text(period) if period else ""
    title = f"月调度汇总表（{month}）" if month else "月调度汇总表"
    return xlsx_response(
        filename=f"月调度汇总表_{period:%Y%m}.xlsx" if period else "月调度汇总表.xlsx",
        title=title, scope=scope, columns=BOARD_COLUMNS,
        rows=board_rows(dispatches, late=late), sheet_title="月调度汇总", freeze_columns=1,
    )


# ---------------------------------------------------------------- one committee's pack

PACK_COLUMNS = [
    Column("板块", 16), Column("指标", 22), Column("数量", 10, COUNT_FORMAT),
    Column("金额（元）", 16, MONEY_FORMAT), Column("说明", 40),
]


def _note(dispatch, key, line, explanation) -> str:
    """The line's explanation, with a rate where one reads better than two numbers."""
    if (key, line) == ("self_checks", "done"):
        due = figure(dispatch, "self_checks", "due")
        if due:
            return f"{explanation}；完成率 {_percent(figure(dispatch, key, line), due)}"
    if (key, line) == ("funding", "paid_year"):
        planned = figure(dispatch, "funding", "planned")
        if planned:
            return f"{explanation}；占年度计划 {_percent(figure(dispatch, key, line), planned)}"
    return explanation


def pack_rows(dispatch, *, late: bool):
    for key, (section, lines) in SECTION_NAMES.items():
        for i, (line, (name, explanation)) in enumerate(lines.items()):
            value = figure(dispatch, key, line)
            money = (key, line) in MONEY_LINES
            yield [section if i == 0 else None, name, None if money else value,
                   value if money else None, _note(dispatch, key, line, explanation)]
    blank = [None] * len(PACK_COLUMNS)
    yield blank
    notes = [text.strip() for text in (dispatch.notes or "").splitlines() if text.strip()]
    for i, text in enumerate(notes or ["（未填写）"]):
        yield ["党委说明" if i == 0 else None, text, None, None, None]
    yield blank
    submitter = dispatch.submitted_by.display_name if dispatch.submitted_by_id else ""
    yield ["状态", STATUS_NAMES.get(dispatch.status, dispatch.status), None, None, None]
    yield ["报送截止", dispatch.due_on, None, None, None]
    yield ["报送人", submitter, None, None, None]
    yield ["报送时间", dispatch.submitted_at, None, None, None]
    yield ["是否逾期", YES if late else NO, None, None, None]
    yield ["数据编制时间", dispatch.compiled_at, None, None, None]


def pack_export(*, dispatch, late: bool):
    committee, month = dispatch.committee, _month_text(dispatch.period)
    title = f"{committee.name}月调度表（{month}）"
    return xlsx_response(
        filename=f"{committee.name}月调度表_{dispatch.period:%Y%m}.xlsx",
        title=title, scope=f"{committee.name}　调度月份：{month}", columns=PACK_COLUMNS,
        rows=pack_rows(dispatch, late=late), sheet_title="月调度表",
    )

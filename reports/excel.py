"""The dashboard's tables as spreadsheets: `?table=<key>` with the page's own ?org=,
?campaign= and ?year=.

One builder for every table, so an export holds what the panel shows: it resolves
the scope and the campaign as the page does (selectors.dashboard_frame), runs only
the requested panel's selector and lays it out. The page lists the top ten of its
ranking tables (weakest items, largest gaps, oldest overdue, 摘牌降星); the file
holds them all. Like every export (partybuild/xlsx.py) the file speaks fixed
Chinese whatever the user's language; the 合计 rows are summed in Python from the
very values written above them, so they equal the sum of the rows and cost no query.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from assessments.models import AssessmentStatus, Grade
from exports.registry import BadExport, exporter, request_for
from funding.excel import MONEY_FORMAT, RATE_FORMAT, TOTAL_LABEL
from partybuild.xlsx import Column, Table, dated_filename
from rectification.models import TaskStatus

from . import selectors

COUNT_FORMAT = "0"
CENT = Decimal("0.01")
SCORE_FORMAT = "0.00"
ALL_ORGANIZATIONS = "全部党组织"
OTHER_ORGANIZATIONS = "其他党组织"
OWN_LEVEL = "（本级）"
NO_CATEGORY = "未分类"
NO_CAMPAIGN = "无评定活动"
STATUS_NAMES = {
    AssessmentStatus.NOT_STARTED: "未开始", AssessmentStatus.DRAFT: "草稿",
    AssessmentStatus.SUBMITTED: "已提交", AssessmentStatus.RETURNED: "已退回",
    AssessmentStatus.REVIEWED: "已审核", AssessmentStatus.ACCEPTED: "已验收",
}
GRADE_NAMES = {Grade.ADVANCED: "先进", Grade.GENERAL: "一般", Grade.LAGGING: "后进"}
TASK_NAMES = {
    TaskStatus.OPEN: "待整改", TaskStatus.IN_PROGRESS: "进行中",
    TaskStatus.AWAITING_CHECK: "待核验", TaskStatus.CLOSED: "已销号",
}
STAR_NAMES = ["无星", "一星", "二星", "三星", "四星", "五星"]


def _count(header, width=9):
    return Column(header, width, COUNT_FORMAT)


def _rate(header="比率", width=9):
    return Column(header, width, RATE_FORMAT)


def cents(value):
    """A score or sum to the cent: SQLite adds decimals as floats (932.650000000001)."""
    return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def share(part, whole):
    """part / whole for a percent cell (None where there is no whole)."""
    return None if not whole else Decimal(part) / Decimal(whole)


@dataclass
class Frame:
    """What every table reads: the scope, the campaign choice and today."""

    scope: object
    choice: object
    today: object

    @property
    def campaign(self):
        return self.choice.campaign

    @property
    def place(self) -> str:
        return self.scope.label or ALL_ORGANIZATIONS

    def campaign_text(self) -> str:
        c = self.campaign
        return f"{self.place}　{c.year}年 {c.name}" if c else f"{self.place}　{self.choice.year}年 {NO_CAMPAIGN}"

    def year_text(self) -> str:
        return f"{self.place}　{self.choice.year}年"

    def today_text(self) -> str:
        return f"{self.place}　截至{self.today:%Y-%m-%d}"


def _group_name(row) -> str:
    if row.get("own"):
        return f"{row['name']}{OWN_LEVEL}"
    return row["name"] or OTHER_ORGANIZATIONS


def _grouped_rows(rows, cells, keys):
    """Each group's cells, then the 合计 of `keys` (summed from the rows written)."""
    out = [[_group_name(row), *cells(row)] for row in rows]
    totals = {key: sum((row[key] or 0 for row in rows), 0) for key in keys}
    out.append([TOTAL_LABEL, *cells(totals)])
    return out


# ---------------------------------------------------------------- the tables
# Each returns (title, scope text, columns, rows, count): rows a list, or a generator
# with its count where the table lists organizations or tasks one by one.


def _progress_cells(row):
    statuses = [row[s] for s in selectors.STATUSES]
    return [row["total"], *statuses, share(row[AssessmentStatus.ACCEPTED], row["total"])]


def _progress_columns(first):
    return [Column(first, 28), _count("应评数"),
            *[_count(STATUS_NAMES[s]) for s in selectors.STATUSES], _rate("验收率")]


def progress(frame):
    data = selectors.progress(frame.scope, frame.campaign)
    rows = _grouped_rows(data["rows"], _progress_cells, ["total", *selectors.STATUSES])
    return "评定进度（按党组织）", frame.campaign_text(), _progress_columns("党组织"), rows


def progress_category(frame):
    data = selectors.progress(frame.scope, frame.campaign)
    rows = [{**row, "name": row["organization__category__name"] or NO_CATEGORY}
            for row in data["by_category"]]
    return ("评定进度（按组织类别）", frame.campaign_text(), _progress_columns("组织类别"),
            _grouped_rows(rows, _progress_cells, ["total", *selectors.STATUSES]))


def _grade_cells(row):
    return [row["graded"], *[row[g] for g in selectors.GRADES],
            share(row[Grade.ADVANCED], row["graded"])]


def _grade_columns(first):
    return [Column(first, 28), _count("已定级"),
            *[_count(GRADE_NAMES[g]) for g in selectors.GRADES], _rate("先进率")]


def grades(frame):
    data = selectors.grades(frame.scope, frame.campaign, frame.choice.previous)
    columns = _grade_columns("党组织")
    keys = ["graded", *selectors.GRADES]
    cells = _grade_cells
    scope = frame.campaign_text()
    previous = frame.choice.previous if data["previous_totals"] is not None else None
    if previous is not None:
        columns += [_count("上次已定级", 11),
                    *[_count(f"上次{GRADE_NAMES[g]}") for g in selectors.GRADES]]
        for row in data["rows"]:
            row.update({f"previous_{key}": row["previous"][key] for key in keys})
        keys += [f"previous_{key}" for key in keys]

        def cells(row):
            return [*_grade_cells(row), row["previous_graded"],
                    *[row[f"previous_{g}"] for g in selectors.GRADES]]

        change = data["change"]
        scope += (f"　对比：{previous.year}年 {previous.name}（两次均定级的党组织中，"
                  f"等级上升{change['rose']}个、持平{change['kept']}个、下降{change['fell']}个）")
    return "分类定级（按党组织）", scope, columns, _grouped_rows(data["rows"], cells, keys)


def grades_category(frame):
    data = selectors.grades(frame.scope, frame.campaign)
    rows = [{**row, "name": row["organization__category__name"] or NO_CATEGORY}
            for row in data["by_category"]]
    return ("分类定级（按组织类别）", frame.campaign_text(), _grade_columns("组织类别"),
            _grouped_rows(rows, _grade_cells, ["graded", *selectors.GRADES]))


def stars(frame):
    data = selectors.stars(frame.scope, frame.choice.year, limit=0)
    rows = [[STAR_NAMES[row["stars"]], row["count"], share(row["count"], data["rated"])]
            for row in data["distribution"]]
    rows.append([TOTAL_LABEL, sum(row[1] for row in rows), share(data["rated"], data["rated"])])
    scope = (f"{frame.place}　现有星级；{frame.choice.year}年评星{data['awarded']}个、"
             f"晋星{data['promoted']}个、摘牌降星{data['revoked']}个")
    return "星级分布", scope, [Column("星级", 12), _count("党组织数", 10), _rate("占比")], rows


def revocations(frame):
    qs = selectors.revocations(frame.scope, frame.choice.year)

    def rows():
        for rating in qs.iterator(chunk_size=2000):
            yield [rating.organization.name, rating.organization.code, rating.stars, rating.at,
                   rating.reason]

    columns = [Column("党组织", 28), Column("代码", 12), _count("降至星级", 9),
               Column("时间", 17), Column("原因", 50)]
    return "摘牌降星", frame.year_text(), columns, rows(), qs.count()


def weakest_items(frame):
    data = selectors.weakest(frame.scope, frame.campaign, limit=None)
    rows = [[r["item__code"], r["item__requirement"], r["item__dimension__name"], r["answered"],
             r["failed"], share(r["failed"], r["answered"]), cents(r["lost"])]
            for r in data["items"]]
    columns = [Column("条目编号", 12), Column("标准条目", 50), Column("方面", 16),
               _count("作答数"), _count("未达标数"), _rate("未达标率"),
               Column("失分", 10, SCORE_FORMAT)]
    return "薄弱标准条目（按未达标次数）", frame.campaign_text(), columns, rows


def dimensions(frame):
    data = selectors.weakest(frame.scope, frame.campaign, limit=0)
    rows = [{**r, "name": r["item__dimension__name"], "possible": cents(r["possible"]),
             "won": cents(r["won"])} for r in data["dimensions"]]

    def cells(row):
        return [row["possible"], row["won"], share(row["won"], row["possible"]), row["failed"]]

    columns = [Column("方面", 20), Column("应得分", 12, SCORE_FORMAT),
               Column("实得分", 12, SCORE_FORMAT), _rate("得分率"), _count("未达标次数", 11)]
    return ("各方面得分率", frame.campaign_text(), columns,
            _grouped_rows(rows, cells, ["possible", "won", "failed"]))


def gap(frame):
    data = selectors.score_gap(frame.scope, frame.campaign, limit=0)

    def cells(row):
        return [row["n"], row["sum_gap"], cents(row["sum_gap"] / row["n"]) if row["n"] else None,
                row["inflated"], share(row["inflated"], row["n"])]

    columns = [Column("党组织", 28), _count("已评分数"), Column("差值合计", 11, SCORE_FORMAT),
               Column("平均差值（自评−终评）", 20, SCORE_FORMAT), _count("自评偏高数", 11),
               _rate("自评偏高占比", 13)]
    return ("自评虚高指数（按党组织）", frame.campaign_text(), columns,
            _grouped_rows(data["rows"], cells, ["n", "sum_gap", "inflated"]))


def gap_top(frame):
    qs = selectors.inflated(frame.scope, frame.campaign) if frame.campaign else None

    def rows():
        for a in qs.iterator(chunk_size=2000) if qs is not None else ():
            yield [a.organization.name, a.organization.code, a.self_score, a.final_score,
                   cents(a.gap),
                   GRADE_NAMES.get(a.grade, "")]

    columns = [Column("党组织", 28), Column("代码", 12), Column("自评分", 10, SCORE_FORMAT),
               Column("终评分", 10, SCORE_FORMAT), Column("差值", 10, SCORE_FORMAT),
               Column("等级", 8)]
    return ("自评虚高的党组织（按差值）", frame.campaign_text(), columns, rows(),
            qs.count() if qs is not None else 0)


def rectification(frame):
    data = selectors.rectification(frame.scope, frame.today, limit=0)
    statuses = list(TaskStatus.values)

    def cells(row):
        return [row["total"], *[row[s] for s in statuses], row["overdue"],
                share(row[TaskStatus.CLOSED], row["total"])]

    columns = [Column("党组织", 28), _count("任务数"), *[_count(TASK_NAMES[s]) for s in statuses],
               _count("逾期"), _rate("销号率")]
    return ("整改任务（按党组织）", frame.today_text(), columns,
            _grouped_rows(data["rows"], cells, selectors.TASK_KEYS))


def oldest_overdue(frame):
    qs = selectors.overdue_tasks(frame.scope, frame.today)
    today = frame.today

    def rows():
        for task in qs.iterator(chunk_size=2000):
            yield [task.organization.name, task.organization.code, task.problem.description,
                   task.measure, task.responsible_name, task.leader_name, task.deadline,
                   (today - task.deadline).days, TASK_NAMES[task.status], task.progress]

    columns = [Column("党组织", 28), Column("代码", 12), Column("问题", 36),
               Column("整改措施", 40), Column("责任人", 10), Column("责任领导", 10),
               Column("截止日期", 11), _count("逾期天数"), Column("状态", 8),
               _count("进度(%)", 8)]
    return "逾期整改任务（按截止日期）", frame.today_text(), columns, rows(), qs.count()


def pairings(frame):
    data = selectors.pairings(frame.scope, frame.today)

    def cells(row):
        return [row["total"], row["active"], row["upgraded"], row["visits"],
                share(row["upgraded"], row["total"])]

    columns = [Column("党组织", 28), _count("帮扶数"), _count("帮扶中"), _count("晋位升级", 10),
               _count("本月走访", 10), _rate("转化率")]
    scope = f"{frame.place}　{frame.today:%Y年%m月}（走访为本月）"
    return ("3+1帮扶（按党组织）", scope, columns,
            _grouped_rows(data["rows"], cells, ["total", "active", "upgraded", "visits"]))


def funding(frame):
    data = selectors.funding(frame.scope, frame.choice.year)
    money = ["promised_min", "planned", "paid", "pay_gap"]

    def cells(row):
        return [row["n"], row["n_short"], *[Decimal(row[k] or 0) for k in money],
                share(row["paid"], row["planned"])]

    columns = [Column("党组织", 28), _count("经费安排数", 11), _count("低于标准数", 11),
               *[Column(h, 16, MONEY_FORMAT) for h in ("标准下限合计", "计划金额", "已拨付",
                                                       "拨付缺口")],
               _rate("拨付率")]
    return ("经费保障（按党组织）", frame.year_text(), columns,
            _grouped_rows(data["rows"], cells, ["n", "n_short", *money]))


TABLES = {
    "progress": progress,
    "progress_category": progress_category,
    "grades": grades,
    "grades_category": grades_category,
    "stars": stars,
    "revocations": revocations,
    "weakest_items": weakest_items,
    "dimensions": dimensions,
    "gap": gap,
    "gap_top": gap_top,
    "rectification": rectification,
    "oldest_overdue": oldest_overdue,
    "pairings": pairings,
    "funding": funding,
}


@exporter
def dashboard_table(user, params):
    """The table `?table=` of the dashboard the same parameters open (403/404 as the page)."""
    scope, choice, today = selectors.dashboard_frame(request_for(user, params))
    key = params.get("table", "")
    build = TABLES.get(key)
    if build is None:
        raise BadExport(
            _("Choose which table of the dashboard to export.") if not key
            else _("The dashboard has no table “%(table)s”.") % {"table": key[:40]}
        )
    title, scope_text, columns, rows, *count = build(Frame(scope, choice, today))
    return Table(
        filename=dated_filename(title), title=title, scope=scope_text, columns=columns,
        rows=rows, sheet_title=title, freeze_columns=1,
        count=count[0] if count else len(rows),
    )

"""经费台账 and 达标情况 as spreadsheets.

Like every export (partybuild/xlsx.py) the file speaks fixed Chinese whatever the
user's language, and reads the same selector and filters as its page. Rows are
streamed from a database iterator into openpyxl's write-only mode, and the 合计
row is summed in Python from the very Decimals written above it, so it equals the
sum of the rows to the fen and costs no query.
"""

from decimal import Decimal

from orgs.selectors.committees import committee_names, committee_of
from partybuild.xlsx import Column, Table, dated_filename, table_response

from .display import KIND_NAMES
from .models import ZERO

MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.0%"
TOTAL_LABEL = "合计"
CHUNK = 2000

NO_CATEGORY_NAME = "无类别"
BASIS_MISSING_NOTE = "计算基数未录入"


def _money(header, width=14):
    return Column(header, width, MONEY_FORMAT)


def _table(title, scope, columns, rows, count=None):
    return Table(
        filename=dated_filename(title), title=title, scope=scope, columns=columns, rows=rows,
        freeze_columns=1, count=count,
    )


def _respond(title, scope, columns, rows):
    return table_response(_table(title, scope, columns, rows))


def rate(paid, minimum):
    """Paid as a share of the policy minimum (None where nothing is promised)."""
    if not minimum:
        return None
    return (Decimal(paid) / Decimal(minimum)).quantize(Decimal("0.0001"))


# ---------------------------------------------------------------- 经费台账

LEDGER_COLUMNS = [
    Column("党(工)委", 18), Column("组织代码", 12), Column("组织名称", 28), Column("类别", 10),
    Column("经费标准", 26), Column("经费类型", 14), Column("计算基数", 12, "#,##0.##"),
    _money("标准下限"), _money("标准上限"), _money("计划金额"), _money("已拨付"), _money("缺口"),
    Column("备注", 30),
]
LEDGER_FIELDS = (
    "organization__path", "organization__code", "organization__name",
    "organization__category__name", "policy__name", "policy__kind", "quantity",
    "promised_min", "promised_max", "planned", "paid", "pay_gap", "note",
)


def ledger_export(*, queryset, year: int, scope: str) -> Table:
    """Every allocation of the filtered ledger and a 合计 row. Queries: the committee
    names (one), the count (one), the rows (one, iterated in chunks: a server-side
    cursor on PostgreSQL)."""
    names = committee_names()
    rows = queryset.values_list(*LEDGER_FIELDS).iterator(chunk_size=CHUNK)

    def cells():
        totals = dict.fromkeys(("min", "max", "planned", "paid", "gap"), ZERO)
        for (path, code, name, category, policy, kind, quantity, low, high, planned, paid,
             gap, note) in rows:
            totals["min"] += low or ZERO
            totals["max"] += high or ZERO
            totals["planned"] += planned
            totals["paid"] += paid
            totals["gap"] += gap
            if low is None:
                note = f"{BASIS_MISSING_NOTE}；{note}" if note else BASIS_MISSING_NOTE
            yield (
                committee_of(path, names), code, name, category or "", policy,
                KIND_NAMES.get(kind, kind), quantity, low, high, planned, paid, gap, note,
            )
        yield (TOTAL_LABEL, None, None, None, None, None, None, totals["min"], totals["max"],
               totals["planned"], totals["paid"], totals["gap"], None)

    # + 1: the 合计 row
    count = queryset.order_by().count() + 1
    return _table(f"{year}年经费台账", scope, LEDGER_COLUMNS, cells(), count)


# ---------------------------------------------------------------- 达标情况

ROLLUP_FIGURES = [
    Column("组织数", 8, "0"), Column("经费安排数", 10, "0"), _money("标准下限合计", 16),
    _money("计划金额", 16), _money("已拨付", 16), _money("缺口", 16), Column("未达标数", 9, "0"),
    Column("拨付率", 9, RATE_FORMAT),
]
COUNTED = ("n_orgs", "n", "n_short")
SUMMED = ("promised_min", "planned", "paid", "pay_gap")


def rollup_totals(rows) -> dict:
    """The 合计 of roll-up rows: their sum (an organization is in one committee and one
    category, so distinct organizations add up too)."""
    totals = {key: sum(row[key] for row in rows) for key in COUNTED}
    totals.update({key: sum((row[key] for row in rows), ZERO) for key in SUMMED})
    totals["rate"] = rate(totals["paid"], totals["promised_min"])
    return totals


def _rollup_cells(label, row):
    return (label, row["n_orgs"], row["n"], row["promised_min"], row["planned"], row["paid"],
            row["pay_gap"], row["n_short"], rate(row["paid"], row["promised_min"]))


def _rollup_export(*, title, first, rows, labels, scope):
    def cells():
        for row, label in zip(rows, labels, strict=True):
            yield _rollup_cells(label, row)
        yield _rollup_cells(TOTAL_LABEL, rollup_totals(rows))

    return _respond(title, scope, [Column(first, 22), *ROLLUP_FIGURES], cells())


def committee_rollup_export(*, rows, year: int, scope: str):
    """Rows of selectors.rollup_by_committee; no further query."""
    return _rollup_export(
        title=f"{year}年经费达标情况（按党(工)委）", first="党(工)委", rows=rows,
        labels=[row["name"] or row["committee_path"] for row in rows], scope=scope,
    )


def category_rollup_export(*, rows, year: int, scope: str):
    """Rows of selectors.rollup_by_category; no further query."""
    return _rollup_export(
        title=f"{year}年经费达标情况（按类别）", first="类别", rows=rows,
        labels=[row["organization__category__name"] or NO_CATEGORY_NAME for row in rows],
        scope=scope,
    )


SHORT_COLUMNS = [
    Column("党(工)委", 18), Column("组织代码", 12), Column("组织名称", 28), Column("类别", 10),
    Column("经费标准", 26), Column("经费类型", 14), _money("标准下限"), _money("计划金额"),
    _money("已拨付"), _money("缺口"),
]
SHORT_FIELDS = (
    "organization__path", "organization__code", "organization__name",
    "organization__category__name", "policy__name", "policy__kind", "promised_min", "planned",
    "paid",
)


def short_export(*, queryset, gap_field: str, year: int, scope: str):
    """Every allocation below its minimum (`gap_field` pay_gap: in what was paid;
    plan_gap: in the plan). Queries: committee names, the rows (iterated)."""
    names = committee_names()
    rows = queryset.values_list(*SHORT_FIELDS, gap_field).iterator(chunk_size=CHUNK)
    title = f"{year}年经费未达标清单" + ("（计划）" if gap_field == "plan_gap" else "")

    def cells():
        totals = dict.fromkeys(("min", "planned", "paid", "gap"), ZERO)
        for path, code, name, category, policy, kind, low, planned, paid, gap in rows:
            totals["min"] += low
            totals["planned"] += planned
            totals["paid"] += paid
            totals["gap"] += gap
            yield (committee_of(path, names), code, name, category or "", policy,
                   KIND_NAMES.get(kind, kind), low, planned, paid, gap)
        yield (TOTAL_LABEL, None, None, None, None, None, totals["min"], totals["planned"],
               totals["paid"], totals["gap"])

    return _respond(title, scope, SHORT_COLUMNS, cells())

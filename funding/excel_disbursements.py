"""经费拨付 as spreadsheets: the payment export and the empty import template.

The export's columns carry the importer's headers (funding/importing.py HEADERS)
for the columns the importer reads, so a clerk can correct an exported file and
import it back; its 合计 row, summed in Python from the Decimals written above
it, is skipped on import. Like every export (partybuild/xlsx.py) the file speaks
fixed Chinese whatever the user's language.
"""

from partybuild.xlsx import Column, Table, dated_filename, xlsx_response

from .importing import HEADERS, REQUIRED, TOTAL_LABEL
from .models import ZERO

MONEY_FORMAT = "#,##0.00"
CHUNK = 2000
EXPORT_TITLE = "经费拨付明细"
TEMPLATE_TITLE = "经费拨付导入模板"
SHEET_TITLE = "经费拨付"

EXPORT_COLUMNS = [
    Column(HEADERS["paid_on"], 12),
    Column(HEADERS["org_code"], 12),
    Column("组织名称", 28),
    Column(HEADERS["policy_code"], 24),
    Column("经费标准", 28),
    Column(HEADERS["amount"], 14, MONEY_FORMAT),
    Column(HEADERS["voucher_no"], 18),
    Column(HEADERS["note"], 24),
    Column("录入人", 14),
]
EXPORT_FIELDS = (
    "paid_on", "allocation__organization__code", "allocation__organization__name",
    "allocation__policy__code", "allocation__policy__name", "amount", "voucher_no", "note",
    "recorded_by__full_name", "recorded_by__username",
)
TEMPLATE_WIDTHS = {"org_code": 12, "policy_code": 24, "paid_on": 12, "amount": 14,
                   "voucher_no": 18, "note": 24}


def disbursement_export(*, queryset, scope: str) -> Table:
    """Every payment of the filtered list, and a 合计 row. Queries: the count (one), the
    rows (one, iterated in chunks: a server-side cursor on PostgreSQL)."""
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK)

    def cells():
        n, total = 0, ZERO
        for paid_on, code, org, policy_code, policy, amount, voucher, note, name, login in rows:
            n += 1
            total += amount
            yield (paid_on, code, org, policy_code, policy, amount, voucher, note,
                   name or login or "")
        yield (TOTAL_LABEL, "", f"共 {n} 笔", "", "", total, "", "", "")

    return Table(
        filename=dated_filename(EXPORT_TITLE), title=EXPORT_TITLE, scope=scope,
        columns=EXPORT_COLUMNS, rows=cells(), sheet_title=SHEET_TITLE,
        count=queryset.order_by().count() + 1,  # + 1: the 合计 row
    )


def template_instructions(*, year: int, org_code: str, policy_code: str) -> str:
    return (
        f"{year}年；每行一笔拨付，带*的列必填；金额以元计、大于零、最多两位小数；"
        f"拨付日期须在{year}年内；凭证号不得重复；须先生成该年度经费安排。"
        f"示例：{org_code}，{policy_code}，{year}-03-15，50000.00，PZ-{year}-0001，一季度运转经费"
    )


def import_template(*, year: int, org_code: str, policy_code: str):
    """The importer's headers (required ones marked *) under a title and an instruction
    row with an example; no data row, so the file imports nothing as it is."""
    columns = [
        Column(f"{header}*" if field in REQUIRED else header, TEMPLATE_WIDTHS[field])
        for field, header in HEADERS.items()
    ]
    return xlsx_response(
        filename=f"{TEMPLATE_TITLE}_{year}.xlsx", title=TEMPLATE_TITLE,
        scope=template_instructions(year=year, org_code=org_code, policy_code=policy_code),
        columns=columns, rows=[], sheet_title=SHEET_TITLE,
    )

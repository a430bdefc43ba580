"""The audit log as a spreadsheet (headers in fixed Chinese: partybuild/xlsx.py says why)."""

from partybuild.xlsx import Column, Table, dated_filename, local_naive

from .selectors import in_chunks

ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}
COLUMNS = [
    Column("时间", 17),
    Column("操作人", 14),
    Column("对象", 12),
    Column("编号", 8),
    Column("党组织代码", 12),
    Column("党组织", 24),
    Column("操作", 6),
    Column("字段", 16),
    Column("修改前", 30),
    Column("修改后", 30),
]


def _rows(queryset):
    for entry in in_chunks(queryset):
        head = [local_naive(entry.at), entry.who, entry.model_name, entry.object_id,
                entry.org_code, entry.org_name, ACTIONS[entry.action]]
        if not entry.changes:
            yield [*head, "", "", ""]
        for change in entry.changes:
            yield [*head, change.field, change.before, change.after]


def audit_table(*, queryset, scope):
    return Table(
        filename=dated_filename("操作日志"), title="操作日志", scope=scope, columns=COLUMNS,
        rows=_rows(queryset), sheet_title="操作日志", count=queryset.count(), freeze_columns=1,
    )

"""The meeting log as a spreadsheet: every meeting of the filtered list, one row each.

The columns the importer reads (meetings/importing.py: 组织代码, 会议类型, 日期, 主题, 地点,
主持人, 应到, 实到, 缺席及原因) carry exactly its headers, so a clerk can correct an
exported file and import it back; the others (党(工)委, 组织名称, 记录人, 附件数) are
for reading and the importer ignores them. Like every export (partybuild/xlsx.py) the file
speaks fixed Chinese whatever the user's language.
"""

from django.db.models import Count

from orgs.selectors.committees import committee_names, committee_of
from partybuild.xlsx import Column, Table, dated_filename

TITLE = "组织生活记录"
SHEET_TITLE = "会议记录"
CHUNK = 2000

COLUMNS = [
    Column("党(工)委", 18),
    Column("组织代码", 12),
    Column("组织名称", 24),
    Column("会议类型", 14),
    Column("日期", 12),
    Column("主题", 36),
    Column("地点", 18),
    Column("主持人", 10),
    Column("应到", 8),
    Column("实到", 8),
    Column("缺席及原因", 30),
    Column("记录人", 14),
    Column("附件数", 8),
]
HEADERS = [c.header for c in COLUMNS]
FIELDS = (
    "organization__path", "organization__code", "organization__name", "meeting_type__name",
    "held_on", "topic", "place", "host", "due", "present", "absences",
    "recorded_by__full_name", "recorded_by__username", "n_files",
)


def meeting_export(*, queryset, scope: str) -> Table:
    """Every row of `queryset` (the list's, unpaginated). Queries: the committee names
    (one), the count (one), the rows (one, iterated in chunks: a server-side cursor on
    PostgreSQL)."""
    names = committee_names()
    rows = (
        queryset.annotate(n_files=Count("attachments"))
        .values_list(*FIELDS)
        .iterator(chunk_size=CHUNK)
    )

    def cells():
        for (path, code, org, kind, held_on, topic, place, host, due, present, absences,
             full_name, login, n_files) in rows:
            yield (committee_of(path, names), code, org, kind, held_on, topic, place, host, due,
                   present, absences, full_name or login or "", n_files)

    return Table(
        filename=dated_filename(TITLE), title=TITLE, scope=scope, columns=COLUMNS, rows=cells(),
        sheet_title=SHEET_TITLE, count=queryset.order_by().count(),
    )

"""组织生活 as spreadsheets: the compliance table's export and the empty import template.

Like every export (partybuild/xlsx.py) the files speak fixed Chinese whatever the
user's language; the template's headers are the importer's (meetings/importing.py).
The rows of the export come from the view as a generator, computed a chunk of
organizations at a time, so a county of thousands of branches keeps memory flat.
"""

from partybuild.xlsx import Column, dated_filename, xlsx_response

from .importing import HEADERS, REQUIRED

EXPORT_TITLE = "组织生活达标情况"
EXPORT_SHEET = "达标情况"
TEMPLATE_TITLE = "组织生活记录导入模板"
TEMPLATE_SHEET = "组织生活记录"
MISSING_HEADER = "缺少的会议"
TOTAL_LABEL = "合计"
NOT_APPLICABLE = "—"
TEMPLATE_WIDTHS = {"org_code": 12, "meeting_type": 14, "held_on": 12, "topic": 30, "place": 16,
                   "host": 10, "due": 8, "present": 8, "absences": 24, "minutes": 40}


def ratio(met: int, due: int) -> str:
    """Held against due, as the table shows it: 9/10."""
    return f"{met}/{due}"


def missing_text(pairs) -> str:
    """[(type name, [period labels])] -> 支部委员会：2026年7月、2026年9月；党课：2026年第三季度"""
    return "；".join(f"{name}：{'、'.join(labels)}" for name, labels in pairs if labels)


def compliance_export(*, year: int, scope: str, headers: list[str], rows):
    """`headers`: one per rule column; `rows`: (committee, code, name, [met, due or None per
    column], [(type name, [labels])]) per organization, a generator. A last row counts the
    organizations and those missing something."""

    columns = [Column("党(工)委", 18), Column("组织代码", 12), Column("组织名称", 28)]
    columns += [Column(f"{header}（实/应）", max(10, len(header) * 2 + 6)) for header in headers]
    columns.append(Column(MISSING_HEADER, 60))

    def cells():
        n = short = 0
        for committee, code, name, statuses, missing in rows:
            n += 1
            text = missing_text(missing)
            short += bool(text)
            yield (committee, code, name,
                   *[NOT_APPLICABLE if s is None else ratio(*s) for s in statuses], text)
        yield (TOTAL_LABEL, "", f"共 {n} 个组织", *[""] * len(headers),
               f"缺少会议的组织 {short} 个")

    return xlsx_response(
        filename=dated_filename(f"{EXPORT_TITLE}_{year}"), title=f"{year}年{EXPORT_TITLE}",
        scope=scope, columns=columns, rows=cells(), sheet_title=EXPORT_SHEET, freeze_columns=3,
    )


def template_instructions(*, org_code: str, type_names: list[str], today) -> str:
    types = "、".join(type_names) or "主题党日"
    return (
        f"每行一次会议，带*的列必填；会议类型填写：{types}（或其代码）；日期不晚于今天、"
        "不早于组织成立日期；应到、实到为人数，实到不超过应到；同一组织、类型、日期、主题的会议"
        f"不得重复。示例：{org_code}，主题党日，{today:%Y}-03-15，学习党章，党员活动室，"
        "张三，12，11，李四（外出务工）"
    )


def import_template(*, org_code: str, type_names: list[str], today):
    """The importer's headers (required ones marked *) under a title and an instruction
    row with an example; no data row, so the file imports nothing as it is."""
    columns = [
        Column(f"{header}*" if name in REQUIRED else header, TEMPLATE_WIDTHS[name])
        for name, header in HEADERS.items()
    ]
    return xlsx_response(
        filename=f"{TEMPLATE_TITLE}.xlsx", title=TEMPLATE_TITLE,
        scope=template_instructions(org_code=org_code, type_names=type_names, today=today),
        columns=columns, rows=[], sheet_title=TEMPLATE_SHEET,
    )

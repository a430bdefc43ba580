"""The organization tree as a spreadsheet: one row per organization.

The file's vocabulary is fixed Chinese (headers, level names, 是/否), not UI
text: a file exported in any UI language must import back unchanged. On
import, a level may also be given by its key or its English name.

Writing and reading go through partybuild/xlsx.py; the checks that need the
database (parents, cycles, permissions) are in orgs/importing.py.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils import translation
from django.utils.translation import gettext as _

from partybuild.xlsx import (
    NO,
    YES,
    BadValue,
    CellError,
    Column,
    Table,
    cell_text,
    dated_filename,
    formula_message,
    is_formula,
    parse_date,
    read_sheet,
)
from partybuild.xlsx import non_negative as _non_negative
from partybuild.xlsx import required_text as _required_text
from partybuild.xlsx import yes_no as _yes_no

from .models import Level, Organization

TITLE = "党组织架构"
MAX_ROWS = 20_000  # a city's tree; a county has at most a few thousand
CHUNK = 2000  # rows the database hands over at a time (a server-side cursor on PostgreSQL)

# field -> (header, width, number format). The order is the file's column order.
COLUMNS = {
    "code": ("代码", 14, None),
    "name": ("名称", 32, None),
    "parent_code": ("上级代码", 14, None),
    "level": ("层级", 12, None),
    "category": ("类别", 12, None),
    "secretary_name": ("书记", 10, None),
    "secretary_phone": ("联系电话", 15, None),
    "member_count": ("党员人数", 10, "0"),
    "founded_on": ("成立日期", 12, None),
    "venue_area": ("阵地面积", 11, "0.00"),
    "is_demonstration": ("示范点", 8, None),
}
HEADERS = {name: spec[0] for name, spec in COLUMNS.items()}
REQUIRED = ("code", "name", "parent_code", "level")

LEVEL_NAMES = {
    Level.COUNTY: "县委",
    Level.COMMITTEE: "党委",
    Level.WORK_COMMITTEE: "党工委",
    Level.GENERAL_BRANCH: "党总支",
    Level.BRANCH: "党支部",
    Level.JOINT_BRANCH: "联合党支部",
    Level.TEMPORARY_BRANCH: "临时党支部",
}
MAX_MEMBERS = 2_147_483_647
MAX_AREA = Decimal("9999999.99")  # venue_area: max_digits=9, decimal_places=2


# ---------------------------------------------------------------- export


def scope_text(*, names, filters: dict) -> str:
    """'东坝镇党委；筛选：层级 党支部，在用' — what the file covers, in the file's words.

    `names` are the organizations whose subtrees are exported (None: everything);
    `filters` are the list page's valid filters.
    """
    text = "全部党组织" if names is None else "、".join(names) or "无"
    parts = []
    if filters.get("q"):
        parts.append(f"关键词“{filters['q']}”")
    if filters.get("category"):
        parts.append(f"类别 {filters['category'].name}")
    if filters.get("level"):
        parts.append(f"层级 {LEVEL_NAMES.get(filters['level'], filters['level'])}")
    if filters.get("committee"):
        parts.append(f"所属 {filters['committee'].name}")
    if filters.get("demonstration"):
        parts.append("示范点" if filters["demonstration"] == "1" else "非示范点")
    if filters.get("active") in ("1", "0"):
        parts.append("在用" if filters["active"] == "1" else "已撤销")
    if parts:
        text += "；筛选：" + "，".join(parts)
    return text


def export_table(*, orgs, scope: str) -> Table:
    """The table for a queryset the caller has scoped and filtered.

    Two queries: the count, and the rows (category name joined, and each row's
    parent code by its path, so a row whose parent is outside the export — the top
    of a subtree, or one a filter left out — still names it), read in chunks.
    """
    step = Organization.steplen
    parent_code = Subquery(
        Organization.objects.order_by()
        .filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - step))
        .values("code")[:1]
    )
    rows = (
        orgs.order_by("path")
        .annotate(parent_code=parent_code)
        .values_list(
            "code", "name", "parent_code", "level", "category__name", "secretary_name",
            "secretary_phone", "member_count", "founded_on", "venue_area", "is_demonstration",
        )
        .iterator(chunk_size=CHUNK)
    )
    columns = [Column(header, width, fmt) for header, width, fmt in COLUMNS.values()]

    def cells():
        for code, name, parent, level, category, sec, phone, members, founded, area, demo in rows:
            yield (
                code, name, parent or "", LEVEL_NAMES.get(level, level), category or "", sec,
                phone, members, founded, area, YES if demo else NO,
            )

    return Table(
        filename=dated_filename(TITLE), title=TITLE, scope=scope, columns=columns, rows=cells(),
        count=orgs.order_by().count(),
    )


# ---------------------------------------------------------------- import: reading


@dataclass
class OrgRow:
    """One data row of an uploaded sheet, its values parsed.

    `values` holds model field values for the columns present and readable;
    `category` is the category's text (resolved against the table later).
    """

    row: int
    code: str
    parent_code: str
    category: str | None
    values: dict
    letters: dict
    bad_fields: set = field(default_factory=set)

    def error(self, name, message, code):
        return CellError(self.row, HEADERS[name], message, code, self.letters.get(name, ""))


@lru_cache(maxsize=1)
def _level_lookup():
    """Chinese name, key, English label or the catalog's Chinese label -> key."""
    lookup = {}
    for level in Level:
        lookup[level.value.lower()] = level.value
        lookup[LEVEL_NAMES[level]] = level.value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                lookup[str(level.label).strip().lower()] = level.value
    return lookup


def _level(value):
    text = _required_text(value)
    key = _level_lookup().get(text.lower())
    if key is None:
        raise BadValue(
            _("Unknown level “%(value)s”; use one of: %(levels)s.")
            % {"value": text, "levels": "、".join(LEVEL_NAMES.values())},
            "unknown_level",
        )
    return key


def _member_count(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    bad = BadValue(_("Enter a whole number of 0 or more."), "not_a_number")
    number = _non_negative(value, bad)
    if number != number.to_integral_value():
        raise bad
    if number > MAX_MEMBERS:
        raise bad
    return int(number)


def _area(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    bad = BadValue(_("Enter a number of 0 or more."), "not_a_number")
    number = _non_negative(value, bad).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number > MAX_AREA:
        raise BadValue(_("The area is too large."), "not_a_number")
    return number


def _date(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise BadValue(
            _("Not a date; enter it as 2024-05-01 (or 2024/05/01, 2024.05.01)."), "not_a_date"
        ) from None


PARSERS = {
    "code": _required_text,
    "name": _required_text,
    "parent_code": cell_text,
    "level": _level,
    "category": cell_text,
    "secretary_name": cell_text,
    "secretary_phone": cell_text,
    "member_count": _member_count,
    "founded_on": _date,
    "venue_area": _area,
    "is_demonstration": _yes_no,
}
# Not model fields, or checked against the database in importing.py.
NON_MODEL = {"parent_code", "category"}
MODEL_CHECK_EXCLUDE = ["path", "depth", "numchild", "category", "is_active"]


def _parse(sheet_row, letters) -> tuple[OrgRow, list]:
    errors, parsed = [], {}
    row = OrgRow(sheet_row.number, "", "", None, {}, letters)
    for name, cell in sheet_row.cells.items():
        if is_formula(cell):
            errors.append(row.error(name, formula_message(), "formula"))
            row.bad_fields.add(name)
            continue
        try:
            parsed[name] = PARSERS[name](cell.value)
        except BadValue as exc:
            errors.append(row.error(name, exc.message, exc.code))
            row.bad_fields.add(name)
    row.code = parsed.get("code", "")
    row.parent_code = parsed.get("parent_code", "")
    row.category = parsed.get("category")
    row.values = {k: v for k, v in parsed.items() if k not in NON_MODEL}
    # The model's own validators (code characters, lengths, phone format) on a
    # throw-away instance: no query, and the rules stay in one place.
    candidate = Organization(**row.values)
    unread = [f.name for f in Organization._meta.fields if f.name not in row.values]
    try:
        candidate.clean_fields(exclude=MODEL_CHECK_EXCLUDE + unread)
    except ValidationError as exc:
        for name, problems in exc.error_dict.items():
            for problem in problems:
                code = "invalid_code" if name == "code" else (problem.code or "invalid")
                errors.append(row.error(name, " ".join(problem.messages), code))
            row.bad_fields.add(name)
            row.values.pop(name, None)
    if "code" in row.bad_fields:
        row.code = ""
    return row, errors


def read_org_rows(workbook) -> tuple[list[OrgRow], list[CellError]]:
    """Rows and per-cell problems; raises XlsxRejected for a file it cannot read as a table."""
    sheet = read_sheet(workbook, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS)
    rows, errors = [], []
    for sheet_row in sheet.rows:
        row, row_errors = _parse(sheet_row, sheet.letters)
        rows.append(row)
        errors.extend(row_errors)
    return rows, errors

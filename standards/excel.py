"""A standard set as a spreadsheet: one row per item.

The file's vocabulary is fixed Chinese (headers, 是否/数值/等级/文字, ≥ ≤, 是/否),
not UI text: a file exported in any UI language must import back unchanged. On
import, a kind may also be given by its key (check, number, graded, text) and a
comparison as >= or <=.

The export always writes the two optional columns at the end (部分得分, 出处),
so export → import → export gives the same cells. What a file does not carry:
the set's own fields (name, code, year …, given on the import page), dimension
weights and the grade levels (a new set gets the default 好/较好/一般/差).

Writing and reading go through partybuild/xlsx.py; the checks that need the
database (categories) and the write are in standards/importing.py.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partybuild.xlsx import (
    NO,
    YES,
    BadValue,
    CellError,
    Column,
    cell_text,
    decimal_value,
    formula_message,
    is_formula,
    non_negative,
    read_sheet,
    required_text,
    xlsx_response,
    yes_no,
)

from .conditions import format_conditions, parse_conditions
from .models import Dimension, ItemKind, StandardItem

MAX_ROWS = 5_000  # Shaoshan's library is 258 items
SHEET_TITLE = "标准条目"

# field -> (header, width). The order is the file's column order.
COLUMNS = {
    "dimension": ("方面", 18),
    "code": ("编号", 9),
    "requirement": ("标准内容", 48),
    "guidance": ("评分说明", 30),
    "kind": ("类型", 7),
    "comparator": ("比较", 6),
    "threshold": ("阈值", 10),
    "unit": ("单位", 8),
    "max_score": ("分值", 7),
    "is_veto": ("一票否决", 9),
    "evidence_required": ("需佐证", 8),
    "categories": ("适用类别", 20),
    "conditions": ("条件", 22),
    # Optional on import (a clerk's file may stop at 条件); the export writes them.
    "proportional": ("部分得分", 9),
    "source": ("出处", 24),
}
HEADERS = {name: spec[0] for name, spec in COLUMNS.items()}
OPTIONAL = ("proportional", "source")
# Every other header must be there: a misspelt 适用类别 must not quietly make
# every item apply to every category.
REQUIRED_HEADERS = tuple(name for name in COLUMNS if name not in OPTIONAL)
REQUIRED_VALUES = ("dimension", "code", "requirement", "kind", "max_score")

KIND_NAMES = {
    ItemKind.CHECK: "是否",
    ItemKind.NUMBER: "数值",
    ItemKind.GRADED: "等级",
    ItemKind.TEXT: "文字",
}
KIND_BY_TEXT = {
    **{name: kind.value for kind, name in KIND_NAMES.items()},
    **{kind.value: kind.value for kind in ItemKind},
}
COMPARATOR_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
COMPARATOR_BY_TEXT = {
    **{symbol: key for key, symbol in COMPARATOR_SYMBOLS.items()},
    ">=": ">=", "<=": "<=", "≧": ">=", "≦": "<=", "=>": ">=", "=<": "<=",
    "＞": ">", "＜": "<", "＝": "=", "＞＝": ">=", "＜＝": "<=", "==": "=",
}
CATEGORY_SEPARATORS = re.compile(r"[、,，]")


# ---------------------------------------------------------------- export


def _number(value):
    """A Decimal as the number Excel shows: 70, not 70.00; 0.5 as 0.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _yes(flag: bool) -> str:
    return YES if flag else NO


def export_filename(standard_set) -> str:
    # A name may hold characters no file system accepts in a file name.
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", standard_set.name)
    return f"{stem}_v{standard_set.version}.xlsx"


def export_title(standard_set) -> str:
    return f"{standard_set.name}（第{standard_set.version}版）"


def export_response(*, standard_set):
    """The download of a whole set, in two queries whatever its size.

    1. the items with their dimension (joined), in the set's order: by
       dimension (its ordering, then creation, so a dimension's items stay
       together) and then by item ordering;
    2. their categories (prefetched).
    Dimensions therefore appear in their order, and an import rebuilds it.
    """
    items = (
        StandardItem.objects.filter(standard_set=standard_set)
        .select_related("dimension")
        .prefetch_related("categories")
        .order_by("dimension__ordering", "dimension_id", "ordering", "pk")
    )
    columns = [Column(header, width) for header, width in COLUMNS.values()]

    def cells():
        for item in items:
            number = item.kind == ItemKind.NUMBER
            yield (
                item.dimension.name,
                item.code,
                item.requirement,
                item.guidance,
                KIND_NAMES.get(item.kind, item.kind),
                COMPARATOR_SYMBOLS.get(item.comparator, item.comparator) if number else "",
                _number(item.threshold) if number else None,
                item.unit,
                _number(item.max_score),
                _yes(item.is_veto),
                _yes(item.evidence_required),
                "、".join(c.name for c in item.categories.all()),
                format_conditions(item.conditions),
                _yes(item.proportional and number),
                item.source,
            )

    return xlsx_response(
        filename=export_filename(standard_set),
        title=export_title(standard_set),
        scope=standard_set.organization.name,
        columns=columns,
        rows=cells(),
        sheet_title=SHEET_TITLE,
    )


# ---------------------------------------------------------------- import: reading


@dataclass
class ItemRow:
    """One data row of an uploaded sheet, its values parsed.

    `values` holds ItemSpec fields for the cells present and readable;
    `category_names` the names in 适用类别 (resolved against the table later).
    """

    row: int
    letters: dict
    values: dict = field(default_factory=dict)
    category_names: list = field(default_factory=list)
    bad_fields: set = field(default_factory=set)

    @property
    def code(self):
        return self.values.get("code", "")

    def error(self, name, message, code):
        return CellError(self.row, HEADERS[name], message, code, self.letters.get(name, ""))


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _kind(value):
    text = required_text(value)
    kind = KIND_BY_TEXT.get(text.lower())
    if kind is None:
        raise BadValue(
            _("Unknown kind “%(value)s”; use one of: %(kinds)s.")
            % {"value": text, "kinds": "、".join(KIND_NAMES.values())},
            "unknown_kind",
        )
    return kind


def _comparator(value):
    text = "".join(cell_text(value).split())
    if not text:
        return ""
    key = COMPARATOR_BY_TEXT.get(text)
    if key is None:
        raise BadValue(
            _("Unknown comparison “%(value)s”; use one of: %(symbols)s.")
            % {"value": text, "symbols": " ".join(COMPARATOR_SYMBOLS.values())},
            "bad_comparator",
        )
    return key


def _threshold(value):
    if _blank(value):
        return None
    return decimal_value(value, BadValue(_("Enter a number."), "not_a_number"))


def _score(value):
    if _blank(value):
        raise BadValue(_("This column is required."), "required")
    number = decimal_value(value, BadValue(_("Enter a number of 0 or more."), "not_a_number"))
    return non_negative(number, BadValue(_("The score cannot be negative."), "negative"))


def _categories(value):
    return [name for name in (p.strip() for p in CATEGORY_SEPARATORS.split(cell_text(value))) if name]


def _conditions(value):
    try:
        return parse_conditions(cell_text(value))
    except ValidationError as exc:
        raise BadValue(" ".join(exc.messages), "bad_condition") from None


PARSERS = {
    "dimension": required_text,
    "code": required_text,
    "requirement": required_text,
    "guidance": cell_text,
    "kind": _kind,
    "comparator": _comparator,
    "threshold": _threshold,
    "unit": cell_text,
    "max_score": _score,
    "is_veto": yes_no,
    "evidence_required": yes_no,
    "categories": _categories,
    "conditions": _conditions,
    "proportional": yes_no,
    "source": cell_text,
}
# Lengths and digits as the models define them, checked per cell with the
# fields' own validators (no query), so a long code is a row message here and
# not a database error later.
MODEL_FIELDS = {
    "dimension": Dimension._meta.get_field("name"),
    **{
        name: StandardItem._meta.get_field(name)
        for name in ("code", "requirement", "guidance", "unit", "threshold", "max_score", "source")
    },
}


def _parse(sheet_row, letters) -> tuple[ItemRow, list]:
    row = ItemRow(sheet_row.number, letters)
    errors = []

    def bad(name, message, code):
        errors.append(row.error(name, message, code))
        row.bad_fields.add(name)

    for name in COLUMNS:
        cell = sheet_row.cells.get(name)
        if cell is not None and is_formula(cell):
            bad(name, formula_message(), "formula")
            continue
        value = cell.value if cell is not None else None
        if name in OPTIONAL and cell is None:
            continue
        try:
            parsed = PARSERS[name](value)
        except BadValue as exc:
            bad(name, exc.message, exc.code)
            continue
        model_field = MODEL_FIELDS.get(name)
        if model_field is not None and parsed not in (None, ""):
            try:
                model_field.clean(parsed, None)
            except ValidationError as exc:
                bad(name, " ".join(exc.messages), "invalid")
                continue
        if name == "categories":
            row.category_names = parsed
        else:
            row.values[name] = parsed

    if row.values.get("kind") == ItemKind.NUMBER:
        if not row.values.get("comparator") and "comparator" not in row.bad_fields:
            bad("comparator", _("A number item needs a comparison."), "comparator_missing")
        if row.values.get("threshold") is None and "threshold" not in row.bad_fields:
            bad("threshold", _("A number item needs a threshold."), "threshold_missing")
    return row, errors


def read_item_rows(workbook) -> tuple[list[ItemRow], list[CellError]]:
    """Rows and per-cell problems; raises XlsxRejected for a file it cannot read as a table."""
    sheet = read_sheet(workbook, headers=HEADERS, required=REQUIRED_HEADERS, max_rows=MAX_ROWS)
    rows, errors = [], []
    for sheet_row in sheet.rows:
        row, row_errors = _parse(sheet_row, sheet.letters)
        rows.append(row)
        errors.extend(row_errors)
    return rows, errors

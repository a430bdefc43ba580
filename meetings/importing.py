"""Importing past meetings from Excel: check every row, then write all or nothing.

A county moving its paper 三会一课 registers into the log uploads one sheet, one row
per meeting. Every row is checked before anything is written, and every problem is
reported with its row and column (the rules of `services.meeting_record`, in the
same words). Only when the whole file passes are the meetings created, in one
transaction, with their history rows, recorded by the uploading user.

A row names its organization by code and its type by the name the county gives it
(主题党日) or its code (theme_day). An organization the user may not log meetings
for reads as an unknown code: the message must not tell whether it exists
elsewhere. A row repeating another row of the file or a meeting already logged
(same organization, type, day and topic) is refused, so an exported log imported
back writes nothing twice.

A fixed number of queries whatever the number of rows: the organizations, their
meeting types and the meetings already logged are each looked up in one query.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from orgs.models import Organization
from orgs.scoping import scope_q
from partybuild.xlsx import (
    BadValue,
    CellError,
    XlsxRejected,
    cell_text,
    formula_message,
    is_formula,
    open_xlsx_upload,
    parse_date,
    read_sheet,
)

from .access import WRITERS
from .models import Meeting, MeetingType

# field -> header. The order is the import template's column order; the log's export
# uses the same headers for these columns, so an exported file reads back.
HEADERS = {
    "org_code": "组织代码",
    "meeting_type": "会议类型",
    "held_on": "日期",
    "topic": "主题",
    "place": "地点",
    "host": "主持人",
    "due": "应到",
    "present": "实到",
    "absences": "缺席及原因",
    "minutes": "会议记录",
}
REQUIRED = ("org_code", "meeting_type", "held_on", "topic")
MAX_ROWS = 5_000
MAX_PEOPLE = 100_000  # 应到/实到: a branch, not a census
TEXT_MAX = {name: Meeting._meta.get_field(name).max_length for name in ("topic", "place", "host")}
LONG_TEXT_MAX = 20_000  # 缺席及原因 and 会议记录: a page of minutes, not a book


@dataclass
class ImportResult:
    """What an import did: `errors` (nothing written) or `created` meetings."""

    errors: list = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    org_code: str = ""
    meeting_type: str = ""
    held_on: object = None
    topic: str = ""
    place: str = ""
    host: str = ""
    due: int | None = 0
    present: int | None = 0
    absences: str = ""
    minutes: str = ""


def _count(value) -> int:
    """应到/实到: empty is 0; a whole number of people otherwise (12, 12.0 or "12")."""
    bad = BadValue(_("Enter a whole number of people, 0 or more."), "not_a_count")
    if value is None or cell_text(value) == "":
        return 0
    if isinstance(value, bool):
        raise bad
    if isinstance(value, float):
        if not value.is_integer():
            raise bad
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise bad
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise bad
    if value > MAX_PEOPLE:
        raise BadValue(_("The number is too large."), "too_large")
    return value


class _Check:
    """The checks of one file: rows read from cells, then the lookups done in bulk."""

    def __init__(self, sheet, *, user, today):
        self.sheet, self.user, self.today = sheet, user, today
        self.errors: list[CellError] = []
        self.rows: list[_Row] = []

    def error(self, row: int, name: str, message: str, code: str):
        self.errors.append(
            CellError(row, HEADERS[name], message, code, self.sheet.letters.get(name, ""))
        )

    # ---------------------------------------------------------- cells

    def read(self):
        for sheet_row in self.sheet.rows:
            row = _Row(sheet_row.number)
            for name in HEADERS:
                cell = sheet_row.cells.get(name)
                if cell is not None and is_formula(cell):
                    self.error(row.number, name, formula_message(), "formula")
                    setattr(row, name, None)
                    continue
                value = cell.value if cell is not None else None
                try:
                    setattr(row, name, self.parse(name, value))
                except BadValue as exc:
                    self.error(row.number, name, exc.message, exc.code)
                    setattr(row, name, None)
            self.rows.append(row)

    def parse(self, name, value):
        if name in REQUIRED and (value is None or cell_text(value) == ""):
            raise BadValue(_("This column is required."), "required")
        if name == "held_on":
            try:
                day = parse_date(value)
            except ValueError:
                raise BadValue(
                    _("Enter a date such as %(example)s.") % {"example": f"{self.today.year}-03-15"},
                    "not_a_date",
                ) from None
            if day > self.today:
                raise BadValue(_("A meeting is logged once it has been held: the date cannot be "
                                 "in the future."), "future")
            return day
        if name in ("due", "present"):
            return _count(value)
        text = cell_text(value)
        limit = TEXT_MAX.get(name, LONG_TEXT_MAX)
        if len(text) > limit:
            raise BadValue(_("At most %(n)s characters.") % {"n": limit}, "too_long")
        return text

    # ---------------------------------------------------------- lookups

    def look_up(self) -> list[Meeting]:
        """Check each row against the database; the meetings to write, if all is well."""
        codes = {r.org_code for r in self.rows if r.org_code}
        orgs = {
            org.code: org for org in
            Organization.objects.filter(scope_q(self.user, roles=WRITERS))
            .filter(code__in=codes, is_active=True).only("pk", "code", "path", "founded_on")
        }
        types = self._types(orgs.values())
        existing = set(
            Meeting.objects.filter(
                organization_id__in=[o.pk for o in orgs.values()],
                held_on__in={r.held_on for r in self.rows if r.held_on},
            ).order_by().values_list("organization_id", "meeting_type_id", "held_on", "topic")
        )
        rows_by_key = defaultdict(list)
        keyed = []
        for r in self.rows:
            org = orgs.get(r.org_code) if r.org_code else None
            if r.org_code and org is None:
                self.error(r.number, "org_code",
                           _("Unknown organization code %(code)s.") % {"code": r.org_code},
                           "unknown_org")
            meeting_type = self._type(r, org, types)
            if org is not None and r.held_on and org.founded_on and r.held_on < org.founded_on:
                self.error(r.number, "held_on", _("The organization was founded on %(date)s.")
                           % {"date": org.founded_on.isoformat()}, "before_founding")
            if r.due is not None and r.present is not None and r.present > r.due:
                self.error(r.number, "present", _("More members present than due."), "present_gt_due")
            if org is None or meeting_type is None or not r.held_on or not r.topic:
                continue
            key = (org.pk, meeting_type.pk, r.held_on, r.topic)
            rows_by_key[key].append(r.number)
            keyed.append((r, key))
        meetings = []
        for r, key in keyed:
            if len(rows_by_key[key]) > 1:
                self.error(
                    r.number, "topic",
                    _("The same meeting (organization, type, date and topic) is in rows %(rows)s.")
                    % {"rows": "、".join(str(n) for n in rows_by_key[key])},
                    "duplicate_in_file",
                )
            if key in existing:
                self.error(r.number, "topic",
                           _("This meeting (organization, type, date and topic) is already logged."),
                           "duplicate")
            org_id, type_id, held_on, topic = key
            meetings.append(Meeting(
                organization_id=org_id, meeting_type_id=type_id, held_on=held_on, topic=topic,
                place=r.place or "", host=r.host or "", due=r.due or 0, present=r.present or 0,
                absences=r.absences or "", minutes=r.minutes or "", recorded_by=self.user,
            ))
        return meetings

    def _types(self, orgs) -> dict:
        """{owner path: {name or code: type}}: the active types issued at or above the
        organizations (one query), as `services.types_for` offers them one by one."""
        paths = {p for org in orgs for p in [*org.ancestor_paths(), org.path]}
        out = defaultdict(dict)
        found = MeetingType.objects.filter(owner__path__in=paths, is_active=True) \
            .select_related("owner").only("pk", "code", "name", "owner__path") \
            .order_by("-ordering", "-pk")  # the first of a repeated name wins
        for t in found:
            out[t.owner.path][t.code] = t
            out[t.owner.path][t.name] = t
        return out

    def _type(self, r: _Row, org, types):
        if not r.meeting_type or org is None:
            return None  # already reported, or no organization to read the types of
        # The nearest issuer first: a committee's own type before the county's.
        for path in reversed([*org.ancestor_paths(), org.path]):
            found = types.get(path, {}).get(r.meeting_type)
            if found is not None:
                return found
        self.error(r.number, "meeting_type",
                   _("Unknown meeting type %(name)s: use one of the county's types, such as "
                     "主题党日.") % {"name": r.meeting_type}, "unknown_type")
        return None

    def sorted_errors(self):
        order = list(HEADERS.values())
        return sorted(
            self.errors,
            key=lambda e: (e.row or 0, order.index(e.column) if e.column in order else -1),
        )


def import_meetings(*, workbook_file, user) -> ImportResult:
    """Check an uploaded .xlsx of past meetings and record them all, or none.

    `user` must be one who logs meetings (the view checks); rows naming an
    organization they may not log for are refused as unknown codes.
    """
    result = ImportResult()
    try:
        workbook = open_xlsx_upload(workbook_file)
        try:
            sheet = read_sheet(workbook, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS)
        finally:
            workbook.close()
    except XlsxRejected as exc:
        result.errors = [CellError(None, "", exc.message, "file")]
        return result

    check = _Check(sheet, user=user, today=timezone.localdate())
    check.read()
    meetings = check.look_up()
    if check.errors:
        result.errors = check.sorted_errors()
        return result
    with transaction.atomic():
        created = bulk_create_with_history(meetings, Meeting, batch_size=500, default_user=user)
    result.created = len(created)
    return result

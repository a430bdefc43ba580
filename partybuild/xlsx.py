"""The project's one spreadsheet module: every Excel export and import goes through here.

Writing: `xlsx_response(...)` streams a table with openpyxl's write-only mode to
a temporary file and returns it as a download. Every export looks the same: a
title row, a row naming the scope and the export time, the header row, frozen
below the header. The title, the scope labels and the headers are the file's
fixed Chinese vocabulary, not UI text: an import reads the headers back, so a
file must not change with the language the exporting user picked.

Reading: `open_xlsx_upload(f)` checks an uploaded file before openpyxl sees it
(extension, upload size, that it is a zip holding a workbook, and the unpacked
size, so a zip bomb is refused without inflating it) and opens it read-only
with formulas kept, so an importer can refuse formula cells instead of trusting
values Excel cached. `cell_text(cell)` and friends turn cells into Python values.
"""

import functools
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SCOPE_LABEL = "范围"
EXPORTED_AT_LABEL = "导出时间"
HEADER_ROWS = 3  # title, scope/time, header: data starts on row 4

_TITLE_FONT = Font(bold=True, size=14)
_MUTED_FONT = Font(color="666666")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and width (in characters)."""

    header: str
    width: int = 12
    number_format: str | None = None  # e.g. "0.00"; dates get yyyy-mm-dd by themselves
    header_fill: str | None = None  # an RGB hex such as "DC3545" to mark this column's header


@dataclass(frozen=True)
class Filled:
    """A cell value with a solid background (RGB hex, e.g. "198754"), such as a wall
    chart's bar; `value` may be None for a coloured empty cell."""

    value: object
    color: str


class XlsxRejected(Exception):
    """An upload that is not a readable, reasonably sized .xlsx; `message` is for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- writing


def local_naive(value: datetime) -> datetime:
    """Excel has no time zones: write what a clock in the county showed."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, timezone.get_default_timezone())
    return value.replace(tzinfo=None)


FORMULA_STARTS = ("=", "+", "-", "@", "\t")


def safe_text(value: str) -> str:
    """Drop characters XML cannot hold (NUL and other control characters but tab/newline)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell(ws, value, column: Column | None = None):
    if isinstance(value, Filled):
        cell = _cell(ws, value.value, column)
        cell.fill = _fill(value.color)
        return cell
    if isinstance(value, bool):
        raise TypeError("write booleans as text (是/否), Excel shows TRUE/FALSE")
    if value == "":
        value = None  # an empty inline string is a cell Excel offers to "repair"
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=local_naive(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        text = safe_text(value)
        cell = WriteOnlyCell(ws, value=text)
        # Every text is a string cell: openpyxl would make "=..." a formula and
        # "#N/A" an error, and Excel never evaluates a string cell, so a name
        # starting with =, +, -, @ or a tab (formula or DDE injection) stays text.
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            # Excel's hidden apostrophe: the text stays text even after someone
            # edits the cell and presses Enter.
            cell.quotePrefix = True
        return cell
    cell = WriteOnlyCell(ws, value=value)
    if column is not None and column.number_format and value is not None:
        cell.number_format = column.number_format
    return cell


@functools.cache
def _fill(color: str) -> PatternFill:
    # One fill object per colour: the workbook's style table stays small however many cells.
    return PatternFill("solid", fgColor=color)


class _RowCells:
    """Turns one sheet's data rows into what its `append` takes, at the cost of the
    values themselves wherever it can (an export writes a million cells).

    A value openpyxl writes as the export needs goes in as it is: text that has no
    control character and cannot be read as a formula or an error code, numbers in
    a column without a format, dates (openpyxl's own format is DATE_FORMAT). The
    others need a cell with a style (a number format, the quote prefix): one per
    column and kind, reused row after row — a write-only sheet writes each row
    before `append` returns, and starts a fresh cell after any styled one.
    """

    def __init__(self, ws, columns):
        self.ws = ws
        self.formats = [column.number_format for column in columns]
        self.columns = columns
        self.styled = {}  # (column index, kind) -> its reused cell

    def _styled(self, index, kind):
        cell = self.styled.get((index, kind))
        if cell is None:
            cell = self.styled[index, kind] = WriteOnlyCell(self.ws)
            if kind == "quoted":
                cell.quotePrefix = True
            elif kind == "datetime":
                cell.number_format = DATETIME_FORMAT
            else:
                cell.number_format = kind
        return cell

    def row(self, values):
        if len(values) != len(self.formats):
            raise ValueError(f"a row of {len(values)} values for {len(self.formats)} columns")
        out = []
        for index, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if not value.isprintable():
                    value = safe_text(value)
                if not value:
                    value = None
                elif value.startswith(FORMULA_STARTS):
                    cell = self._styled(index, "quoted")
                    cell.value = value
                    cell.data_type = "s"  # see _cell
                    value = cell
                elif value in ERROR_CODES:
                    value = _cell(self.ws, value)
            elif kind is int or kind is float or kind is Decimal:
                number_format = self.formats[index]
                if number_format:
                    cell = self._styled(index, number_format)
                    cell.value = value
                    value = cell
            elif kind is datetime:
                cell = self._styled(index, "datetime")
                cell.value = local_naive(value)
                value = cell
            elif value is not None and kind is not date:
                value = _cell(self.ws, value, self.columns[index])  # Filled, bool, the rare
            out.append(value)
        return out


# Excel's limit per sheet; settings.XLSX_MAX_SHEET_ROWS lowers it (tests).
EXCEL_MAX_ROWS = 1_048_576


@dataclass
class Table:
    """An export before it is written: what `write_table` needs, and how many rows.

    `count` (the number of data rows, when known without reading them) lets the
    exports app choose between an immediate download and a background job.
    """

    filename: str
    title: str
    scope: str
    columns: list
    rows: object  # any iterable of row sequences; a generator keeps memory flat
    sheet_title: str = ""
    freeze_columns: int = 0
    count: int | None = None


SHEET_TITLE_MAX = 31  # Excel's limit
_NOT_IN_SHEET_TITLES = str.maketrans({ch: "_" for ch in "\\/*?:[]"})


def sheet_name(text: str, number: int = 1) -> str:
    """A sheet title Excel accepts: no \\ / * ? : [ ], at most 31 characters, the
    sheet's number (2, 3, …) kept whole however long the name."""
    suffix = f"({number})" if number > 1 else ""
    base = safe_text(text).translate(_NOT_IN_SHEET_TITLES).strip("'") or "Sheet"
    return base[: SHEET_TITLE_MAX - len(suffix)] + suffix


def _start_sheet(wb, *, title, sheet_title, scope_text, columns, freeze_columns):
    ws = wb.create_sheet(title=sheet_title)
    # Write-only sheets take layout before the first row.
    for idx, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = column.width
    ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{HEADER_ROWS + 1}"
    title_cell = _cell(ws, title)
    title_cell.font = _TITLE_FONT
    ws.append([title_cell])
    scope_cell = _cell(ws, scope_text)
    scope_cell.font = _MUTED_FONT
    ws.append([scope_cell])
    headers = []
    for column in columns:
        cell = _cell(ws, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _fill(column.header_fill) if column.header_fill else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        headers.append(cell)
    ws.append(headers)
    return ws


def write_table(*, title: str, scope: str, columns: list[Column], rows, sheet_title: str = "",
                freeze_columns: int = 0, on_progress=None, progress_every: int = 1000):
    """Write one table to a temporary file and return the file, positioned at its start.

    `rows` may be any iterable (a generator keeps memory flat): each row is a
    sequence of str / int / float / Decimal / date / datetime / None (or `Filled`),
    one per column. `freeze_columns` keeps that many columns on the left in view too.
    A table longer than a sheet holds goes on in further sheets (名称(2), 名称(3), …),
    each with the same title, scope and header rows. `on_progress(rows_written)`
    is called every `progress_every` rows and once at the end.
    """
    wb = Workbook(write_only=True)
    base = sheet_title or title
    exported_at = local_naive(timezone.now()).strftime("%Y-%m-%d %H:%M")
    scope_text = f"{SCOPE_LABEL}：{scope}　{EXPORTED_AT_LABEL}：{exported_at}"
    # The limit counts every row of a sheet, so the three header rows come off it.
    per_sheet = getattr(settings, "XLSX_MAX_SHEET_ROWS", EXCEL_MAX_ROWS) - HEADER_ROWS
    if per_sheet < 1:
        raise ValueError("XLSX_MAX_SHEET_ROWS leaves no room below the header rows")
    layout = {"title": title, "scope_text": scope_text, "columns": columns,
              "freeze_columns": freeze_columns}
    try:
        ws = _start_sheet(wb, sheet_title=sheet_name(base), **layout)
        cells = _RowCells(ws, columns)
        sheets, on_sheet, written = 1, 0, 0
        for row in rows:
            if on_sheet == per_sheet:
                sheets += 1
                ws = _start_sheet(wb, sheet_title=sheet_name(base, sheets), **layout)
                cells = _RowCells(ws, columns)
                on_sheet = 0
            ws.append(cells.row(row))
            on_sheet += 1
            written += 1
            if on_progress is not None and written % progress_every == 0:
                on_progress(written)
        if on_progress is not None:
            on_progress(written)
    except BaseException:
        _discard(wb)
        raise

    # Deleted when closed: FileResponse closes it once the download is sent.
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out


def _discard(wb):
    """A write abandoned half-way (a row failed): close each sheet's stream and remove
    its temporary file, which openpyxl would otherwise keep until the process exits —
    a worker lives for weeks."""
    for ws in wb._sheets:
        writer, rows = getattr(ws, "_writer", None), getattr(ws, "_rows", None)
        try:
            if rows is not None:
                rows.close()
            if writer is not None:
                writer.close()
                writer.cleanup()
        except Exception:  # noqa: BLE001 - tidying up after the error being raised
            pass


def table_response(table: Table):
    """A download of a table, written now; `filename` may be Chinese (sent RFC 5987 encoded)."""
    out = write_table(
        title=table.title, scope=table.scope, columns=table.columns, rows=table.rows,
        sheet_title=table.sheet_title, freeze_columns=table.freeze_columns,
    )
    return FileResponse(
        out, as_attachment=True, filename=table.filename, content_type=XLSX_CONTENT_TYPE
    )


def xlsx_response(*, filename: str, title: str, scope: str, columns, rows, sheet_title="",
                  freeze_columns: int = 0):
    """A download of one table, for exports that stay small (see the exports app for large ones)."""
    return table_response(Table(
        filename=filename, title=title, scope=scope, columns=columns, rows=rows,
        sheet_title=sheet_title, freeze_columns=freeze_columns,
    ))


def dated_filename(stem: str) -> str:
    """党组织架构 -> 党组织架构_20240501.xlsx (local date)."""
    return f"{stem}_{local_naive(timezone.now()):%Y%m%d}.xlsx"


# ---------------------------------------------------------------- reading


class UploadLimitHandler(FileUploadHandler):
    """Drops an uploaded file once it passes `limit` bytes, instead of spooling it to disk.

    Django stores file parts of any size; this handler, first in the chain,
    skips the file (the rest of the body is read and discarded) and remembers
    that it did, so the view can say why no file arrived.
    """

    def __init__(self, request=None, limit=0):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def limit_uploads(request, limit=None) -> UploadLimitHandler:
    """Call before anything reads request.POST/FILES (the view must be csrf_exempt
    and check the token itself afterwards, e.g. with an inner csrf_protect view)."""
    handler = UploadLimitHandler(request, limit or settings.IMPORT_MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, handler)
    return handler


def too_large_error(limit=None) -> XlsxRejected:
    limit = limit or settings.IMPORT_MAX_UPLOAD_BYTES
    return XlsxRejected(
        _("The file is too large (limit %(size)s MB).") % {"size": _megabytes(limit)}
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g}"


def _not_xlsx() -> XlsxRejected:
    return XlsxRejected(
        _("The file is not a valid .xlsx workbook. Save it from Excel as .xlsx and try again.")
    )


def damaged_file_error() -> XlsxRejected:
    """Also for failures while reading rows: read-only sheets are parsed lazily."""
    return XlsxRejected(
        _("The workbook could not be read; it may be damaged. Save it again from Excel.")
    )


def _check_zip(uploaded_file, max_unpacked: int):
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx() from None
    if not any(info.filename == "xl/workbook.xml" for info in infos):
        raise _not_xlsx()
    # The sizes in the directory are what zipfile will inflate at most: it
    # stops at the declared size and fails the CRC check if the data says more.
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked or len(infos) > 10_000:
        raise XlsxRejected(
            _("The workbook is too large once unpacked (over %(size)s MB).")
            % {"size": _megabytes(max_unpacked)}
        )


def open_xlsx_upload(uploaded_file, *, max_upload=None, max_unpacked=None):
    """Open an uploaded .xlsx read-only, formulas kept (cells of data_type 'f').

    Raises XlsxRejected for a wrong extension, a file over the upload limit, a
    file that is not a zip holding xl/workbook.xml, or one whose parts unpack
    past the limit. The caller must `close()` the returned workbook.
    """
    if uploaded_file is None:
        raise XlsxRejected(_("Choose an .xlsx file to import."))
    max_upload = max_upload or settings.IMPORT_MAX_UPLOAD_BYTES
    max_unpacked = max_unpacked or settings.IMPORT_MAX_UNPACKED_BYTES
    name = (getattr(uploaded_file, "name", "") or "").lower()
    if name.endswith(".xls") or name.endswith(".et"):
        raise XlsxRejected(
            _("Old .xls files cannot be read. Open it in Excel and save it as .xlsx.")
        )
    if not name.endswith(".xlsx"):
        raise XlsxRejected(_("Only .xlsx files can be imported."))
    if uploaded_file.size is not None and uploaded_file.size > max_upload:
        raise too_large_error(max_upload)
    _check_zip(uploaded_file, max_unpacked)
    try:
        uploaded_file.seek(0)
        return load_workbook(uploaded_file, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same
        raise damaged_file_error() from None


def is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f"


def cell_text(value) -> str:
    """A cell's value as text: numbers typed for codes or phones lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else str(value)
    return str(value).strip()


def is_blank_row(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# ---------------------------------------------------------------- reading values
# Shared by the importers (orgs/excel.py, standards/excel.py): a parser returns
# the value or raises BadValue, which the importer turns into a CellError.

YES, NO = "是", "否"
TRUE_TEXT = {YES, "y", "yes", "true", "1", "√"}
FALSE_TEXT = {NO, "n", "no", "false", "0", "×", ""}


class BadValue(Exception):
    """A cell that cannot be read; `message` is for the user, `code` for code and tests."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code


def formula_message() -> str:
    return _("Formulas are not accepted; enter the value itself.")


def required_text(value) -> str:
    text = cell_text(value)
    if not text:
        raise BadValue(_("This column is required."), "required")
    return text


def decimal_value(value, bad) -> Decimal:
    """A cell as a finite Decimal; `bad` is raised otherwise (TRUE is not 1)."""
    if isinstance(value, bool):
        raise bad
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise bad from None
    if not number.is_finite():
        raise bad
    return number


def non_negative(value, bad) -> Decimal:
    """A cell as a finite Decimal of 0 or more; `bad` is raised otherwise."""
    number = decimal_value(value, bad)
    if number < 0:
        raise bad
    return number


def yes_no(value) -> bool:
    """是/否 (or yes/no, 1/0, √/×); an empty cell is 否."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_TEXT:
        return True
    if text in FALSE_TEXT:
        return False
    raise BadValue(_("Enter 是 or 否."), "not_yes_no")


DATE_TEXT_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")


def parse_date(value):
    """A real date cell, or text yyyy-mm-dd / yyyy/mm/dd / yyyy.mm.dd; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_TEXT_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ValueError(value)


# ---------------------------------------------------------------- reading a table


@dataclass(frozen=True)
class CellError:
    """One problem in an uploaded sheet: Excel row number, column header, message.

    `row` is None for a problem with the whole file; `code` names the kind of
    problem for code and tests (the message is translated).
    """

    row: int | None
    column: str
    message: str
    code: str = ""
    letter: str = ""


@dataclass
class SheetRow:
    number: int  # the row number Excel shows
    cells: dict  # field -> openpyxl cell (read-only cells carry data_type: 'f' = formula)


@dataclass
class Sheet:
    header_row: int
    letters: dict  # field -> column letter, for messages
    rows: list


HEADER_SEARCH_ROWS = 5
MAX_COLUMNS = 40


def _header_key(value) -> str:
    """'代码 *' and ' 代 码' are both 代码: clerks decorate headers."""
    if not isinstance(value, str):
        return ""
    return "".join(value.split()).replace("*", "").replace("＊", "")


def _find_header(rows, fields_by_header):
    """(row number, {field: column index}) of the first row naming at least two known columns."""
    for number, cells in rows:
        found = {}
        for idx, cell in enumerate(cells):
            field = fields_by_header.get(_header_key(cell.value))
            if field is None:
                continue
            if field in found:
                header = _header_key(cell.value)
                raise XlsxRejected(
                    _("The column %(column)s appears twice in the header row %(row)s.")
                    % {"column": header, "row": number}
                )
            found[field] = idx
        if len(found) >= 2:
            return number, found
    return None, None


def read_sheet(workbook, *, headers: dict, required, max_rows: int) -> Sheet:
    """The first sheet as rows of cells keyed by field, found by their Chinese headers.

    `headers` maps field -> header text. The header row is looked for among the
    first rows (an export's title and scope rows come before it). Raises
    XlsxRejected for an empty sheet, a missing header or required column, or
    more than `max_rows` data rows. Blank rows are skipped.
    """
    if not workbook.worksheets:
        raise XlsxRejected(_("The workbook has no sheet."))
    ws = workbook.worksheets[0]
    # The declared dimension can claim a million rows; read what is there.
    ws.reset_dimensions()
    fields_by_header = {_header_key(text): field for field, text in headers.items()}
    try:
        rows = ws.iter_rows(min_row=1, max_col=MAX_COLUMNS)
        first = []
        for number, cells in enumerate(rows, start=1):
            first.append((number, cells))
            if number >= HEADER_SEARCH_ROWS:
                break
        if not any(not is_blank_row(c.value for c in cells) for _, cells in first):
            raise XlsxRejected(_("The sheet is empty."))
        header_row, columns = _find_header(first, fields_by_header)
        if header_row is None:
            raise XlsxRejected(
                _("No header row found in the first %(n)s rows. Expected columns: %(columns)s.")
                % {"n": HEADER_SEARCH_ROWS, "columns": "、".join(headers.values())}
            )
        missing = [headers[f] for f in required if f not in columns]
        if missing:
            raise XlsxRejected(
                _("Row %(row)s: required columns are missing: %(columns)s.")
                % {"row": header_row, "columns": "、".join(missing)}
            )
        data = []
        pending = [(n, c) for n, c in first if n > header_row]
        for number, cells in _chain(pending, rows, start=len(first) + 1):
            if number - header_row > max_rows:
                raise XlsxRejected(
                    _("The sheet has more than %(n)s rows; split it into several files.")
                    % {"n": max_rows}
                )
            picked = {f: cells[i] if i < len(cells) else None for f, i in columns.items()}
            if is_blank_row(c.value for c in picked.values() if c is not None):
                continue
            data.append(SheetRow(number, {f: c for f, c in picked.items() if c is not None}))
    except XlsxRejected:
        raise
    except Exception:  # a read-only sheet is parsed while we iterate
        raise damaged_file_error() from None
    if not data:
        raise XlsxRejected(_("The sheet has no rows below its header row."))
    letters = {f: get_column_letter(i + 1) for f, i in columns.items()}
    return Sheet(header_row=header_row, letters=letters, rows=data)


def _chain(pending, rows, start):
    yield from pending
    for number, cells in enumerate(rows, start=start):
        yield number, cells

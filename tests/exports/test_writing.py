"""partybuild.xlsx.write_table: sheets split at the row limit, formula-looking text kept as
text, progress reported, and memory that does not grow with the number of rows."""

import io
import tracemalloc
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet import _writer

from partybuild.xlsx import HEADER_ROWS, Column, sheet_name, write_table

from .helpers import read_book

COLUMNS = [Column("序号", 8, "0"), Column("名称", 20), Column("日期", 12)]


def rows(n):
    for i in range(1, n + 1):
        yield (i, f"第{i}行", date(2026, 1, 1))


def write(rows_, **kwargs):
    kwargs.setdefault("title", "测试导出")
    with write_table(scope="测试范围", columns=kwargs.pop("columns", COLUMNS), rows=rows_,
                     **kwargs) as out:
        return out.read()


# ---------------------------------------------------------------- sheets


@pytest.mark.parametrize("limit, sheets", [(13, 3), (10, 4)])
def test_a_long_table_goes_on_in_further_sheets(settings, limit, sheets):
    # The limit counts a sheet's every row, as Excel's 1,048,576 does: three are headers.
    settings.XLSX_MAX_SHEET_ROWS = limit
    content = write(rows(25))
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["测试导出"] + [f"测试导出({i})" for i in range(2, sheets + 1)]
    numbers = []
    for ws in wb.worksheets:
        values = list(ws.iter_rows(values_only=True))
        assert ws.max_row <= limit
        assert values[0][0] == "测试导出"
        assert values[1][0].startswith("范围：测试范围")
        assert list(values[2]) == ["序号", "名称", "日期"]
        assert ws.freeze_panes == f"A{HEADER_ROWS + 1}"
        assert ws.column_dimensions["B"].width == 20
        numbers += [r[0] for r in values[HEADER_ROWS:]]
    assert numbers == list(range(1, 26))


def test_exactly_a_sheet_full_needs_no_second_sheet(settings):
    settings.XLSX_MAX_SHEET_ROWS = 13
    assert read_book(write(rows(10))).titles == ["测试导出"]
    assert len(read_book(write(rows(11))).titles) == 2


def test_an_empty_table_still_has_its_headers():
    book = read_book(write(iter(())))
    assert (book.titles, book.header, book.rows) == (["测试导出"], ["序号", "名称", "日期"], [])


def test_sheet_names_are_ones_excel_accepts(settings):
    long = "东坝镇党委/西湖乡党委: 2026年[第一季度]经费拨付明细*?汇总表格"
    assert len(sheet_name(long)) == 31
    assert not set(sheet_name(long)) & set("\\/*?:[]")
    assert len(sheet_name(long, 12)) == 31 and sheet_name(long, 12).endswith("(12)")
    settings.XLSX_MAX_SHEET_ROWS = 4
    wb = load_workbook(io.BytesIO(write(rows(3), title=long)))
    assert len(wb.sheetnames) == 3 and len(set(wb.sheetnames)) == 3


def test_progress_is_reported_every_n_rows_and_at_the_end():
    seen = []
    write(rows(2500), on_progress=seen.append, progress_every=1000)
    assert seen == [1000, 2000, 2500]


# ---------------------------------------------------------------- text that looks like a formula

RISKY = [
    "=1+1", "=HYPERLINK(\"http://example.com\",\"点我\")", "+86 138 0000 0000", "-5",
    "@SUM(A1:A2)", "\t=1+1", "=cmd|' /C calc'!A0", "#N/A",
]


def test_formula_looking_text_is_read_back_as_the_same_text():
    content = write([(1, text, None) for text in RISKY] + [(2, "a\x00b", None),
                                                           (3, "\x00=1+1", None)])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [row[1] for row in ws.iter_rows(min_row=HEADER_ROWS + 1)]
    for cell, text in zip(cells, RISKY + ["ab", "=1+1"], strict=True):
        assert cell.data_type == "s", text
        assert cell.value == text  # unchanged, the NUL dropped
    # Excel's hidden apostrophe on the dangerous ones: editing the cell keeps it text.
    assert all(c.quotePrefix for c, text in zip(cells, RISKY, strict=False) if text[0] in "=+-@\t")
    assert not cells[-2].quotePrefix  # "ab" is plain text


# ---------------------------------------------------------------- memory


def test_rows_are_read_lazily_never_gathered_first():
    """Each row is asked for only once the one before it has been written."""
    produced = 0

    def counting(n):
        nonlocal produced
        for row in rows(n):
            produced += 1
            yield row

    def written(n):
        assert produced == n  # not one row read ahead

    write(counting(3000), on_progress=written, progress_every=1)
    assert produced == 3000


def peak_bytes(n):
    tracemalloc.start()
    try:
        with write_table(title="测试导出", scope="测试", columns=COLUMNS, rows=rows(n)):
            return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_rows():
    peak_bytes(100)  # imports and caches, once
    small, large = peak_bytes(3_000), peak_bytes(30_000)
    # Ten times the rows, the same peak (a list of 30,000 rows alone would be megabytes).
    assert large < small + 256 * 1024, (small, large)


def test_a_failed_write_leaves_no_temporary_file():
    def broken():
        yield from rows(5)
        raise RuntimeError("the database went away")

    before = list(_writer.ALL_TEMP_FILES)
    with pytest.raises(RuntimeError):
        write(broken())
    assert _writer.ALL_TEMP_FILES == before

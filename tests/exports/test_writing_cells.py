"""partybuild.xlsx's cheap path for data rows (issue 10): plain values go in as they are,
styled cells are reused column by column — and every cell reads back as before: text as
text, formula-looking text quoted, numbers and dates in their formats, no style carried
from one cell or one row to the next."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from partybuild.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    HEADER_ROWS,
    Column,
    Filled,
    write_table,
)

COLUMNS = [Column("文本", 20), Column("金额", 12, "0.00"), Column("数", 8), Column("日期", 12),
           Column("时间", 16)]
WHEN = timezone.make_aware(datetime(2026, 3, 1, 9, 30))


def cells(rows, columns=COLUMNS):
    with write_table(title="测试", scope="测试", columns=columns, rows=iter(rows)) as out:
        ws = load_workbook(io.BytesIO(out.read())).worksheets[0]
    return [list(row) for row in ws.iter_rows(min_row=HEADER_ROWS + 1)]


def test_each_kind_of_value_reads_back_with_its_format():
    [row] = cells([("东坝村党支部", Decimal("12.50"), 7, date(2026, 1, 5), WHEN)])
    text, money, number, day, moment = row
    assert (text.value, text.data_type, text.quotePrefix) == ("东坝村党支部", "s", False)
    assert (money.value, money.number_format) == (12.5, "0.00")
    assert (number.value, number.number_format) == (7, "General")
    assert (day.value.date(), day.number_format) == (date(2026, 1, 5), DATE_FORMAT)
    assert (moment.value, moment.number_format) == (datetime(2026, 3, 1, 9, 30), DATETIME_FORMAT)


def test_no_style_carries_to_the_next_cell_or_the_next_row():
    rows = cells([
        ("=1+1", Decimal("1.00"), 1, None, WHEN),
        ("普通", None, 2.5, date(2026, 1, 1), None),
        ("-5", Decimal("3"), None, None, WHEN),
        ("#N/A", Decimal("4.25"), 3, None, None),
        ("书记", 5, 4, None, None),
    ])
    texts = [row[0] for row in rows]
    assert [c.value for c in texts] == ["=1+1", "普通", "-5", "#N/A", "书记"]
    assert [c.data_type for c in texts] == ["s"] * 5
    assert [bool(c.quotePrefix) for c in texts] == [True, False, True, False, False]
    assert [row[1].value for row in rows] == [1, None, 3, 4.25, 5]
    assert all(row[1].number_format == "0.00" for row in rows if row[1].value is not None)
    assert [row[2].number_format for row in rows if row[2].value is not None] == ["General"] * 4
    assert rows[2][4].value == datetime(2026, 3, 1, 9, 30)  # the reused cell, a new value
    assert rows[1][4].value is None and rows[1][4].number_format == "General"


def test_control_characters_are_dropped_and_other_text_kept_whole():
    texts = ["a\x00b", "\x00=1+1", "第一行\n第二行", "全角\u3000空格", "\t=1", "\x07", ""]
    got = [row[0] for row in cells([(t, None, 1, None, None) for t in texts])]  # 1: a row
    assert [c.value for c in got] == ["ab", "=1+1", "第一行\n第二行", "全角\u3000空格", "\t=1",
                                      None, None]
    assert [bool(c.quotePrefix) for c in got[:5]] == [False, True, False, False, True]


def test_filled_cells_keep_their_colour_and_lend_it_to_no_one():
    columns = [Column("甲"), Column("乙"), Column("丙")]
    [row] = cells([(Filled(None, "198754"), Filled("完成", "DC3545"), 1)], columns)
    assert row[0].fill.fgColor.rgb.endswith("198754")
    assert row[1].value == "完成" and row[1].fill.fgColor.rgb.endswith("DC3545")
    assert row[2].value == 1 and row[2].fill.fill_type is None


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        cells([("只有一个",)])

"""The dashboard's tables as Excel files (reports/excel.py), read back with openpyxl: titles,
headers, rows, totals, formula-looking names kept as text, scopes and refusals."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from orgs.models import Organization
from reports.excel import TABLES

from .dashboard_data import SIZES, grow

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard_export")
TOTAL = "合计"

# key: (title, headers, data rows for alice incl. 合计, whether the last row is 合计)
EXPECTED = {
    "progress": ("评定进度（按党组织）",
                 ["党组织", "应评数", "未开始", "草稿", "已提交", "已退回", "已审核", "已验收", "验收率"],
                 3, True),
    "progress_category": ("评定进度（按组织类别）",
                          ["组织类别", "应评数", "未开始", "草稿", "已提交", "已退回", "已审核",
                           "已验收", "验收率"], 3, True),
    "grades": ("分类定级（按党组织）",
               ["党组织", "已定级", "先进", "一般", "后进", "先进率", "上次已定级", "上次先进",
                "上次一般", "上次后进"], 3, True),
    "grades_category": ("分类定级（按组织类别）",
                        ["组织类别", "已定级", "先进", "一般", "后进", "先进率"], 3, True),
    "stars": ("星级分布", ["星级", "党组织数", "占比"], 7, True),
    "revocations": ("摘牌降星", ["党组织", "代码", "降至星级", "时间", "原因"], 1, False),
    "weakest_items": ("薄弱标准条目（按未达标次数）",
                      ["条目编号", "标准条目", "方面", "作答数", "未达标数", "未达标率", "失分"],
                      3, False),
    "dimensions": ("各方面得分率", ["方面", "应得分", "实得分", "得分率", "未达标次数"], 4, True),
    "gap": ("自评虚高指数（按党组织）",
            ["党组织", "已评分数", "差值合计", "平均差值（自评−终评）", "自评偏高数", "自评偏高占比"],
            2, True),
    "gap_top": ("自评虚高的党组织（按差值）", ["党组织", "代码", "自评分", "终评分", "差值", "等级"],
                None, False),
    "rectification": ("整改任务（按党组织）",
                      ["党组织", "任务数", "待整改", "进行中", "待核验", "已销号", "逾期", "销号率"],
                      3, True),
    "oldest_overdue": ("逾期整改任务（按截止日期）",
                       ["党组织", "代码", "问题", "整改措施", "责任人", "责任领导", "截止日期",
                        "逾期天数", "状态", "进度(%)"], 1, False),
    "pairings": ("3+1帮扶（按党组织）",
                 ["党组织", "帮扶数", "帮扶中", "晋位升级", "本月走访", "转化率"], 3, True),
    "funding": ("经费保障（按党组织）",
                ["党组织", "经费安排数", "低于标准数", "标准下限合计", "计划金额", "已拨付",
                 "拨付缺口", "拨付率"], 3, True),
}
# Columns that are shares or averages: their 合计 is not the sum of the rows.
NOT_SUMMED = {"验收率", "先进率", "占比", "得分率", "平均差值（自评−终评）", "自评偏高占比", "销号率",
              "转化率", "拨付率"}


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet(response):
    """(title, scope line, header, data rows as cells) of the only sheet; also the filename."""
    wb = workbook(response)
    assert len(wb.worksheets) == 1
    rows = list(wb.active.iter_rows())
    return (rows[0][0].value, rows[1][0].value, [c.value for c in rows[2]], rows[3:],
            wb.active.freeze_panes)


def export(client, table, **params):
    return client.get(URL, {"table": table, **params})


def test_every_table_in_the_pages_list_exists():
    assert set(TABLES) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_table_reads_back(key, world, paid, client_for, people):
    title, headers, n_rows, totalled = EXPECTED[key]
    response = export(client_for(people.alice), key)
    assert "_2" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    got_title, scope, got_headers, rows, freeze = sheet(response)
    assert got_title == title and got_headers == headers and freeze == "B4"
    assert scope.startswith("范围：青禾县委") and "导出时间：" in scope
    if key in ("progress", "grades", "weakest_items", "gap", "gap_top", "dimensions"):
        assert "2026年 基层组织建设年" in scope
    if key == "grades":
        assert "对比：2025年 上年分类定级" in scope and "上升1个、持平0个、下降1个" in scope
    if n_rows is not None:
        assert len(rows) == n_rows
    if totalled:
        *body, total = rows
        assert total[0].value == TOTAL
        for i, header in enumerate(headers[1:], start=1):
            if header in NOT_SUMMED:
                continue
            assert total[i].value == pytest.approx(
                sum(float(row[i].value or 0) for row in body)), header


def test_figures_are_the_panels(world, paid, client_for, people):
    client = client_for(people.alice)
    _, _, _, rows, _ = sheet(export(client, "progress"))
    values = {r[0].value: [c.value for c in r[1:]] for r in rows}
    assert values["东坝镇党委"] == [2, 0, 0, 0, 0, 1, 1, 0.5]
    assert values["西湖乡党委"] == [1, 0, 0, 1, 0, 0, 0, 0]
    assert values[TOTAL][:-1] == [3, 0, 0, 1, 0, 1, 1]
    assert values[TOTAL][-1] == pytest.approx(1 / 3)
    _, _, _, rows, _ = sheet(export(client, "grades"))
    assert [c.value for c in rows[0]] == ["东坝镇党委", 2, 0, 1, 1, 0, 2, 0, 1, 1]
    assert rows[0][5].number_format == "0.0%"
    _, _, _, rows, _ = sheet(export(client, "funding"))
    paid_column = {r[0].value: r[5].value for r in rows}
    assert paid_column == {"东坝镇党委": 350000, "西湖乡党委": 270000, TOTAL: 620000}
    assert rows[0][5].number_format == "#,##0.00"
    _, _, _, rows, _ = sheet(export(client, "oldest_overdue"))
    assert [r[0].value for r in rows] == ["西湖社区党支部"]  # A1's open task is not due yet
    assert rows[0][6].is_date and rows[0][7].value == 10 and rows[0][8].value == "进行中"
    _, _, _, rows, _ = sheet(export(client, "gap_top"))
    assert rows[0][1].value == "A2" and rows[0][4].value == 8


def test_the_year_and_campaign_parameters_choose_the_campaign(world, client_for, people):
    client = client_for(people.alice)
    _, scope, headers, rows, _ = sheet(export(client, "grades", year="2025"))
    assert "2025年 上年分类定级" in scope and "上次已定级" not in headers  # nothing before 2025
    assert [c.value for c in rows[-1]][:5] == [TOTAL, 3, 1, 1, 1]
    _, scope, _, rows, _ = sheet(export(client, "progress", year="2019"))
    assert "2019年 无评定活动" in scope and [c.value for c in rows[-1]][:2] == [TOTAL, 0]


FORMULA_NAMES = {"branch_a1": "=1+1", "branch_a2": "@SUM(A1)", "town_b": "-2", "town_a": "+1",
                 "branch_b1": "\tx"}


def test_formula_looking_names_stay_text(world, client_for, people, county):
    for attr, name in FORMULA_NAMES.items():
        Organization.objects.filter(pk=getattr(county, attr).pk).update(name=name)
    cells = []
    for user, table, org in ((people.alice, "progress", ""), (people.alice, "rectification", ""),
                             (people.bob, "progress", ""), (people.alice, "revocations", ""),
                             (people.alice, "oldest_overdue", ""), (people.alice, "gap_top", ""),
                             (people.alice, "pairings", county.town_a.pk)):
        params = {"org": org} if org else {}
        _, _, _, rows, _ = sheet(export(client_for(user), table, **params))
        cells += [row[0] for row in rows]
    names = {cell.value for cell in cells}
    assert set(FORMULA_NAMES.values()) <= names
    for cell in cells:
        if cell.value in FORMULA_NAMES.values():
            assert cell.data_type == "s", cell.value


def test_a_committee_exports_only_its_subtree(world, paid, client_for, people, county):
    client = client_for(people.bob)
    _, scope, _, rows, _ = sheet(export(client, "progress"))
    assert scope.startswith("范围：东坝镇党委")
    assert [r[0].value for r in rows] == ["东坝村党支部", "柳树村党支部", TOTAL]
    assert [c.value for c in rows[-1]][:2] == [TOTAL, 2]
    for table in ("revocations", "oldest_overdue"):
        assert sheet(export(client, table))[3] == [], table  # B1's are charlie's
    _, _, _, rows, _ = sheet(export(client, "funding"))
    assert rows[-1][5].value == 350000
    _, _, _, rows, _ = sheet(export(client, "progress_category"))
    assert [c.value for c in rows[-1]][:2] == [TOTAL, 2]
    # Drilling down inside his scope is fine; above or beside it is not.
    _, scope, _, rows, _ = sheet(export(client, "progress", org=str(county.branch_a1.pk)))
    assert scope.startswith("范围：东坝村党支部")
    assert export(client, "progress", org=str(county.county.pk)).status_code == 404


def test_outsiders_are_refused(world, client, client_for, people, county):
    response = client.get(URL, {"table": "progress"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert export(client_for(people.dave), "progress").status_code == 403
    assert export(client_for(people.nobody), "progress").status_code == 403
    assert export(client_for(people.bob), "progress", org=str(county.town_b.pk)).status_code == 404
    assert export(client_for(people.bob), "progress", org="x").status_code == 404


@pytest.mark.parametrize("table", ["", "nope", "__init__", "TABLES"])
def test_an_unknown_table_is_a_400(table, client_for, people, county):
    response = client_for(people.alice).get(URL, {"table": table} if table else {})
    assert response.status_code == 400
    with translation.override(response["Content-Language"]):
        expected = (gettext("Choose which table of the dashboard to export.") if not table
                    else gettext("The dashboard has no table “%(table)s”.") % {"table": table})
    assert response.content.decode() == expected


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}orgs")
def big(request, campaign, county, people):
    return grow(county, people, request.param)


@pytest.mark.parametrize("table", ["progress", "grades", "stars", "gap", "weakest_items"])
def test_export_queries_do_not_grow(table, big, client_for, people, django_assert_max_num_queries):
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4-5 the root, its trail and children; 6 campaigns;
    # then the panel's own: one (gap) to four (grades: groups, categories, the previous
    # campaign's groups, the change). A table with the page's top ten leaves that out.
    with django_assert_max_num_queries(10):
        response = export(client, table)
    _, _, _, rows, _ = sheet(response)
    assert table == "weakest_items" or rows[-1][0].value == TOTAL  # the bulk has no answers
    if table == "progress":
        assert rows[-1][1].value >= big - 10


def test_gap_top_at_size_is_one_count_and_one_read(big, client_for, people, settings,
                                                   django_assert_max_num_queries):
    settings.EXPORT_SYNC_MAX_ROWS = 10**6  # written now, to read it back here
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4-5 the root, its trail and children; 6 campaigns;
    # 7 the count; 8 the rows, read once (an iterator).
    with django_assert_max_num_queries(8):
        response = export(client, "gap_top")
    _, _, _, rows, _ = sheet(response)
    assert len(rows) > big // 4
    assert all(Decimal(str(r[4].value)) > 0 for r in rows)

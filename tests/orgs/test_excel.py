"""Excel export and import of the organization tree (orgs/views/excel.py)."""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orgs.models import Level, Organization, Role
from partybuild.xlsx import Column, write_table
from tests.factories import AssignmentFactory, OrganizationFactory, add_many_branches, category

from .xlsx_files import (
    HEADER,
    damaged_workbook_bytes,
    read_cells,
    row,
    upload,
    workbook_bytes,
    zip_bomb_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

EXPORT = reverse("orgs:export")
IMPORT = reverse("orgs:import")
HistoricalOrganization = Organization.history.model


def snapshot():
    """Every organization row and the number of history records: what 'unchanged' means."""
    rows = list(Organization.objects.order_by("pk").values())
    for r in rows:
        r.pop("updated_at")
    return rows, HistoricalOrganization.objects.count()


def export(client, **params):
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def data_rows(content):
    _, rows = read_cells(content)
    return rows[3:]


def post_file(client, content, name="组织.xlsx"):
    return client.post(IMPORT, {"file": upload(content, name)})


def summary_numbers(response):
    (message,) = [str(m) for m in response.wsgi_request._messages]
    return [int(n) for n in re.findall(r"\d+", message)]


def problems(response):
    """(row, column, code) of each problem the page lists."""
    return {(e.row, e.column, e.code) for e in response.context["errors"]}


# ---------------------------------------------------------------- export


def test_export_layout_and_values(client_for, people, county):
    county.branch_a1.founded_on = date(2019, 7, 1)
    county.branch_a1.venue_area = Decimal("120.50")
    county.branch_a1.is_demonstration = True
    county.branch_a1.save()
    content, response = export(client_for(people.alice))

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().strftime("%Y%m%d")  # Asia/Shanghai
    assert f"filename*=utf-8''{quote(f'党组织架构_{today}.xlsx')}" in response["Content-Disposition"]

    ws, rows = read_cells(content)
    assert rows[0][0] == "党组织架构"
    assert re.fullmatch(r"范围：青禾县委　导出时间：\d{4}-\d\d-\d\d \d\d:\d\d", rows[1][0])
    assert rows[2] == HEADER
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["B"].width >= 20  # names are long
    by_code = {r[0]: r for r in rows[3:]}
    # Parents first: rows are in tree order.
    assert [r[0] for r in rows[3:]] == ["C", "A", "A1", "A2", "B", "B1"]
    assert by_code["C"][2] is None  # a root has no parent code
    assert by_code["A"][2:5] == ["C", "党委", None]
    a1 = by_code["A1"]
    assert a1[:5] == ["A1", "东坝村党支部", "A", "党支部", "村"]
    assert a1[7] == 12 and isinstance(a1[7], int)
    assert a1[8] == datetime(2019, 7, 1)
    assert ws.cell(row=6, column=9).number_format == "yyyy-mm-dd"
    assert a1[9] == pytest.approx(120.5)
    assert a1[10] == "是"
    assert by_code["B1"][4] == "社区" and by_code["B1"][10] == "否"


def test_export_writes_formula_like_text_as_text(client_for, people, county):
    Organization.objects.filter(pk=county.branch_a1.pk).update(
        name='=HYPERLINK("http://evil","点我")', secretary_name="@SUM(1)",
        secretary_phone="+86 1380000",
    )
    Organization.objects.filter(pk=county.branch_a2.pk).update(
        name="-2+3", secretary_name="\tcmd", secretary_phone="\x01=1+1"
    )
    content, _ = export(client_for(people.alice))
    wb = load_workbook(io.BytesIO(content), data_only=False)
    ws = wb.worksheets[0]
    cells = {r[0].value: r for r in ws.iter_rows(min_row=4)}
    for code in ("A1", "A2"):
        for cell in cells[code][1], cells[code][5], cells[code][6]:
            assert cell.data_type == "s", cell.value
    assert cells["A1"][1].value == '=HYPERLINK("http://evil","点我")'
    assert cells["A2"][6].value == "=1+1"  # the control character XML cannot hold is dropped


def test_spreadsheet_module_writes_any_dangerous_text_as_text():
    """partybuild/xlsx.py on its own: NUL (which PostgreSQL cannot store) too."""
    texts = ["=1+1", "+1", "-1", "@A1", "\tx", "\x00=cmd|' /C calc'!A0", "#N/A", "plain"]
    columns = [Column("文本", 20), Column("日期", 12), Column("数", 8, "0.00")]
    out = write_table(
        title="测试", scope="全部", columns=columns,
        rows=[(text, date(2024, 5, 1), Decimal("1.50")) for text in texts],
    )
    ws = load_workbook(out, data_only=False).worksheets[0]
    got = list(ws.iter_rows(min_row=4))
    assert [r[0].value for r in got] == [t.replace("\x00", "") for t in texts]
    assert {r[0].data_type for r in got} == {"s"}
    assert got[0][1].value == datetime(2024, 5, 1) and got[0][1].number_format == "yyyy-mm-dd"
    assert got[0][2].value == 1.5 and got[0][2].data_type == "n"


def test_export_by_a_superuser_covers_everything(client_for, people, county):
    content, _ = export(client_for(people.root))
    assert read_cells(content)[1][1][0].startswith("范围：全部党组织")
    assert len(data_rows(content)) == 6


def test_export_is_scoped_to_the_user(client_for, people, county):
    content, _ = export(client_for(people.bob))
    codes = [r[0] for r in data_rows(content)]
    assert codes == ["A", "A1", "A2"]
    assert data_rows(content)[0][2] == "C"  # A still names its parent

    content, _ = export(client_for(people.dave))
    assert [r[0] for r in data_rows(content)] == ["A1"]


def test_export_subtree_by_root(client_for, people, county):
    content, _ = export(client_for(people.alice), root=county.town_b.pk)
    rows = data_rows(content)
    assert [r[0] for r in rows] == ["B", "B1"]
    assert rows[0][2] == "C"
    assert read_cells(content)[1][1][0].startswith("范围：西湖乡党委")


@pytest.mark.parametrize(
    "persona, root",
    [("bob", "town_b"), ("charlie", "branch_a1"), ("dave", "branch_a2"), ("erin", "branch_a1")],
)
def test_export_root_outside_scope_is_404(client_for, people, county, persona, root):
    client = client_for(getattr(people, persona))
    response = client.get(EXPORT, {"root": getattr(county, root).pk})
    assert response.status_code == 404


def test_export_bad_root_is_404(client_for, people):
    assert client_for(people.alice).get(EXPORT, {"root": "x"}).status_code == 404


def test_export_filters(client_for, people, county):
    Organization.objects.filter(pk=county.branch_a2.pk).update(is_active=False)
    client = client_for(people.alice)
    codes = lambda **p: [r[0] for r in data_rows(export(client, **p)[0])]  # noqa: E731
    assert codes(level="branch") == ["A1", "A2", "B1"]
    assert codes(category=category("community").pk) == ["B1"]
    assert codes(q="柳树") == ["A2"]
    assert codes(active="0") == ["A2"]
    assert "A2" not in codes(active="1")
    assert codes(level="nonsense") == ["C", "A", "A1", "A2", "B", "B1"]  # a bad filter is dropped
    content, _ = export(client, level="branch", active="1")
    assert "筛选：层级 党支部，在用" in read_cells(content)[1][1][0]


def test_anonymous_is_sent_to_login(client):
    for url in (EXPORT, IMPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(IMPORT, {"file": upload(b"x")})
    assert response.status_code == 302


@pytest.mark.parametrize("size", [100, 3000])
def test_export_query_count_does_not_grow(
    client_for, people, county, django_assert_max_num_queries, size
):
    add_many_branches(county.town_a, size)
    client = client_for(people.alice)
    # 1 session, 2 user, 3 the user's assignments (grants), 4 names of the scope's
    # roots, 5 the rows with their category names, 6 codes of parents outside the rows.
    with django_assert_max_num_queries(6):
        content, _ = export(client)
    assert len(data_rows(content)) == size + 6

    # With ?root= and a category filter: + the root, + the category, - the scope's roots.
    village = category("village").pk
    with django_assert_max_num_queries(7):
        content, _ = export(client, root=county.town_a.pk, category=village)
    assert len(data_rows(content)) == size + 2


# ---------------------------------------------------------------- import: access


def test_import_page_for_managers(client_for, people):
    for persona in ("alice", "bob", "charlie", "root"):
        response = client_for(getattr(people, persona)).get(IMPORT)
        assert response.status_code == 200
        assert 'type="file"' in response.content.decode()


@pytest.mark.parametrize("persona", ["dave", "erin", "harry", "victor", "nobody"])
def test_import_forbidden_to_everyone_else(client_for, people, county, persona):
    before = snapshot()
    client = client_for(getattr(people, persona))
    assert client.get(IMPORT).status_code == 403
    content = workbook_bytes([row("A1", "改名", "A"), row("A2x", "新支部", "A")])
    assert post_file(client, content).status_code == 403
    assert snapshot() == before


def test_bob_cannot_add_under_or_change_town_b(client_for, people, county):
    before = snapshot()
    client = client_for(people.bob)
    content = workbook_bytes(
        [row("A9", "东坝新支部", "A"), row("B9", "西湖新支部", "B"), row("B1", "改名", "B")]
    )
    response = post_file(client, content)
    assert snapshot() == before
    found = problems(response)
    assert (5, "上级代码", "unknown_parent") in found  # town B is not even visible to bob
    assert (6, "代码", "permission") in found
    assert not any(p[0] == 4 for p in found)  # the row under town A was fine

    # Seeing town B (a viewer role) is not managing it.
    AssignmentFactory(user=people.bob, organization=county.town_b, role=Role.VIEWER)
    response = post_file(client_for(people.bob), workbook_bytes([row("B9", "西湖新支部", "B")]))
    assert (4, "上级代码", "permission") in problems(response)
    assert snapshot() == before


def test_only_a_superuser_creates_a_root(client_for, people, county):
    content = workbook_bytes([row("X", "新县委", None, level="县委", category=None),
                              row("X1", "新县委第一党委", "X", level="党委", category=None)])
    response = post_file(client_for(people.alice), content)
    assert (4, "上级代码", "root") in problems(response)
    assert not Organization.objects.filter(code__in=["X", "X1"]).exists()

    response = post_file(client_for(people.root), content)
    assert response.status_code == 302
    x1 = Organization.objects.get(code="X1")
    assert Organization.objects.get_parent(x1).code == "X"


def test_existing_root_with_empty_parent_is_unchanged(client_for, people, county):
    content = workbook_bytes([row("C", "青禾县委", None, level="县委", category=None, members=12)])
    response = post_file(client_for(people.alice), content)
    assert response.status_code == 302


# ---------------------------------------------------------------- import: writes


def test_round_trip_changes_nothing(client_for, people, county):
    county.branch_a1.founded_on = date(2019, 7, 1)
    county.branch_a1.venue_area = Decimal("120.50")
    county.branch_a1.is_demonstration = True
    county.branch_a1.save()
    Organization.objects.filter(pk=county.branch_a2.pk).update(name="=1+1 柳树村", is_active=False)
    client = client_for(people.alice)
    first, _ = export(client)
    before = snapshot()

    response = post_file(client, first)
    assert response.status_code == 302
    assert snapshot() == before
    assert summary_numbers(response) == [0, 0, 0, 6]  # created, updated, moved, unchanged

    again, _ = export(client)
    assert data_rows(again) == data_rows(first)


def test_round_trip_for_a_committee(client_for, people, county):
    client = client_for(people.bob)
    content, _ = export(client)
    before = snapshot()
    assert post_file(client, content).status_code == 302
    assert snapshot() == before


def test_import_creates_updates_and_moves(client_for, people, county):
    client = client_for(people.alice)
    content = workbook_bytes(
        [
            row("A1", "东坝村党支部（新名）", "A", members=30, founded="2020/03/05", area=88.5,
                demo="是", phone="0731-5550000"),
            row("A2", "柳树村党支部", "B"),  # moved to town B
            row("A3", "新村党支部", "A3G", category="社区"),  # its parent is further down
            row("A3G", "东坝镇第三党总支", "A", level="党总支", category=None),
            row("B1", "西湖社区党支部", "B", category="社区"),  # unchanged
        ]
    )
    history_before = HistoricalOrganization.objects.count()
    response = post_file(client, content)
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:tree")
    assert summary_numbers(response) == [2, 1, 1, 1]

    a1 = Organization.objects.get(code="A1")
    assert (a1.name, a1.member_count, a1.founded_on, a1.venue_area, a1.is_demonstration) == (
        "东坝村党支部（新名）", 30, date(2020, 3, 5), Decimal("88.50"), True
    )
    assert a1.secretary_phone == "0731-5550000"
    a2 = Organization.objects.get(code="A2")
    assert Organization.objects.get_parent(a2).code == "B"
    a3 = Organization.objects.get(code="A3")
    assert Organization.objects.get_parent(a3).code == "A3G"
    assert a3.category.code == "community"
    assert Organization.objects.get_parent(Organization.objects.get(code="A3G")).code == "A"
    # Tree bookkeeping is right after bulk inserts and moves.
    town_a, town_b = Organization.objects.get(code="A"), Organization.objects.get(code="B")
    assert town_a.numchild == 2 and town_b.numchild == 2
    assert Organization.objects.find_problems() == ([], [], [], [], [])

    new = HistoricalOrganization.objects.order_by("history_id")[history_before:]
    by_code = {}
    for record in new:
        by_code.setdefault(record.code, []).append(record)
    assert set(by_code) == {"A1", "A2", "A3", "A3G"}
    assert all(r.history_user_id == people.alice.pk for r in new)
    assert [r.history_type for r in by_code["A3"]] == ["+"]
    assert "Excel" in by_code["A1"][0].history_change_reason
    assert "Excel" in by_code["A3"][0].history_change_reason
    assert [r.history_type for r in by_code["A2"]] == ["~"]  # the move


def test_level_and_parent_changed_together(client_for, people, county):
    """A1 becomes a general branch and A2 moves under it: only the new level holds A2,
    so field changes are written before moves."""
    client = client_for(people.alice)
    content = workbook_bytes(
        [row("A2", "柳树村党支部", "A1"), row("A1", "东坝村党总支", "A", level="党总支")]
    )
    response = post_file(client, content)
    assert response.status_code == 302
    assert summary_numbers(response) == [0, 1, 1, 0]
    a1, a2 = Organization.objects.get(code="A1"), Organization.objects.get(code="A2")
    assert a1.level == Level.GENERAL_BRANCH
    assert Organization.objects.get_parent(a2).code == "A1"


def test_optional_columns_may_be_left_out(client_for, people, county):
    """Only 代码, 名称, 上级代码 and 层级 are required; absent columns are left as they are."""
    content = workbook_bytes(
        [["A1", "东坝村党支部（改）", "A", "党支部"], ["A7", "新支部", "A", "党支部"]],
        header=["代码", "名称", "上级代码", "层级"],
    )
    assert post_file(client_for(people.alice), content).status_code == 302
    a1 = Organization.objects.get(code="A1")
    assert (a1.name, a1.member_count, a1.category.code) == ("东坝村党支部（改）", 12, "village")
    a7 = Organization.objects.get(code="A7")
    assert (a7.member_count, a7.category, a7.is_demonstration) == (0, None, False)


def test_moves_follow_the_resulting_tree(client_for, people, county):
    """Town A goes under AK, today its own child: AK must move out first (parents first),
    whatever the order of the rows."""
    OrganizationFactory(parent=county.town_a, code="AK", name="东坝镇机关党委",
                        level=Level.COMMITTEE, category=None)
    content = workbook_bytes(
        [
            row("A", "东坝镇党委", "AK", level="党委", category=None),
            row("AK", "东坝镇机关党委", "C", level="党委", category=None),
        ]
    )
    response = post_file(client_for(people.alice), content)
    assert response.status_code == 302
    assert summary_numbers(response) == [0, 0, 2, 0]
    ak, town_a = Organization.objects.get(code="AK"), Organization.objects.get(code="A")
    assert Organization.objects.get_parent(ak).code == "C"
    assert Organization.objects.get_parent(town_a).code == "AK"
    assert Organization.objects.get(code="A1").path.startswith(town_a.path)
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize("towns", [1, 20])
def test_import_new_rows_in_bounded_queries(
    client_for, people, county, django_assert_max_num_queries, towns
):
    """150 and 3,000 new organizations (towns of 149 branches) under the test county."""
    rows = []
    for t in range(towns):
        rows.append(row(f"T{t:02d}", f"第{t}镇党委", "C", level="党委", category=None))
        for b in range(149):
            rows.append(row(f"T{t:02d}B{b:03d}", f"第{t}镇第{b}村党支部", f"T{t:02d}",
                            members=b % 40, founded=date(2000 + b % 20, 1, 1)))
    content = workbook_bytes(rows)
    client = client_for(people.alice)
    # session, user, grants; savepoint; existing orgs by code (one per 2,000 codes);
    # parents named but not in the file; their ancestors (none here); categories;
    # bulk_add: last child of each existing parent, the inserts and the history
    # inserts in batches of 500 (PostgreSQL: 6 + 6 at 3,000 rows, 23 queries in all;
    # SQLite takes fewer parameters per statement, so more batches: ~124), the
    # county's numchild; release. Per-row queries would be over 3,000.
    with django_assert_max_num_queries(200):
        response = post_file(client, content)
    assert response.status_code == 302, response.context and response.context["errors"][:5]
    assert Organization.objects.count() == 6 + 150 * towns
    parents = dict(
        Organization.objects.filter(code__startswith="T").values_list("code", "path")
    )
    c_path = county.county.path
    for t in range(towns):
        town_path = parents[f"T{t:02d}"]
        assert town_path[:-4] == c_path
        for b in (0, 148):
            assert parents[f"T{t:02d}B{b:03d}"][:-4] == town_path
    assert HistoricalOrganization.objects.filter(
        code__startswith="T", history_user=people.alice
    ).count() == 150 * towns
    assert Organization.objects.find_problems() == ([], [], [], [], [])


# ---------------------------------------------------------------- import: bad files


def _assert_rejected(client, content, expected, name="组织.xlsx"):
    before = snapshot()
    response = post_file(client, content, name)
    assert response.status_code == 200
    assert snapshot() == before
    found = problems(response)
    html = response.content.decode()
    for row_no, column, code in expected:
        assert (row_no, column, code) in found, found
        if row_no is not None:
            assert f'data-row="{row_no}" data-column="{column}"' in html
    assert "import-form" in html  # the form is shown again
    return response


BAD_ROWS = {
    "unknown parent": ([row("A9", "新支部", "NOPE")], [(4, "上级代码", "unknown_parent")]),
    "duplicate code": (
        [row("A9", "新支部", "A"), row("A9", "又一个", "A")], [(5, "代码", "duplicate")]
    ),
    "own parent": ([row("A9", "新支部", "A9")], [(4, "上级代码", "cycle")]),
    "cycle of new rows": (
        [row("X1", "甲", "X2", level="党总支"), row("X2", "乙", "X1", level="党总支")],
        [(4, "上级代码", "cycle"), (5, "上级代码", "cycle")],
    ),
    "moved under its own child": (
        [row("A", "东坝镇党委", "A1", level="党委", category=None)], [(4, "上级代码", "cycle")]
    ),
    "committee under a branch": (
        [row("X1", "新党委", "A1", level="党委")], [(4, "层级", "level")]
    ),
    "new level cannot hold its children": (
        [row("A", "东坝镇党支部", "C", level="党支部", category=None)], [(4, "层级", "level")]
    ),
    "unknown category": ([row("A9", "新支部", "A", category="外星")], [(4, "类别", "unknown_category")]),
    "unknown level": ([row("A9", "新支部", "A", level="小组")], [(4, "层级", "unknown_level")]),
    "member count not a number": (
        [row("A9", "新支部", "A", members="十二"), row("A8", "新支部", "A", members=-1),
         row("A7", "新支部", "A", members=1.5)],
        [(4, "党员人数", "not_a_number"), (5, "党员人数", "not_a_number"),
         (6, "党员人数", "not_a_number")],
    ),
    "area not a number": (
        [row("A9", "新支部", "A", area="大约五十"), row("A8", "新支部", "A", area=-3)],
        [(4, "阵地面积", "not_a_number"), (5, "阵地面积", "not_a_number")],
    ),
    "date not a date": (
        [row("A9", "新支部", "A", founded="2024-13-45"), row("A8", "新支部", "A", founded=45000)],
        [(4, "成立日期", "not_a_date"), (5, "成立日期", "not_a_date")],
    ),
    "formula": (
        [row("A9", "新支部", "A", members="=SUM(1,2)")], [(4, "党员人数", "formula")]
    ),
    "missing required": (
        [row(None, "新支部", "A"), row("A8", None, "A"), row("A7", "新支部", "A", level=None)],
        [(4, "代码", "required"), (5, "名称", "required"), (6, "层级", "required")],
    ),
    "invalid code characters": (
        [row("A 9", "新支部", "A"), row("甲一", "新支部", "A")],
        [(4, "代码", "invalid_code"), (5, "代码", "invalid_code")],
    ),
    "invalid phone": ([row("A9", "新支部", "A", phone="call me")], [(4, "联系电话", "invalid")]),
    "not yes or no": ([row("A9", "新支部", "A", demo="也许")], [(4, "示范点", "not_yes_no")]),
    "deactivated parent": ([row("A9", "新支部", "A2G", level="党支部")], None),
    "existing org made top-level": (
        [row("A1", "东坝村党支部", None)], [(4, "上级代码", "root")]
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_rows_write_nothing(client_for, people, county, case):
    rows, expected = BAD_ROWS[case]
    if case == "deactivated parent":
        OrganizationFactory(parent=county.town_a, code="A2G", name="旧总支",
                            level=Level.GENERAL_BRANCH, is_active=False)
        expected = [(4, "上级代码", "inactive_parent")]
    good = row("A5", "另一个好的新支部", "A")  # a good row is not written either
    _assert_rejected(client_for(people.alice), workbook_bytes([*rows, good]), expected)


def test_every_problem_is_reported_at_once(client_for, people, county):
    content = workbook_bytes(
        [row("A9", "新支部", "NOPE", members="x", founded="昨天", category="外星")]
    )
    response = _assert_rejected(
        client_for(people.alice), content,
        [(4, "上级代码", "unknown_parent"), (4, "党员人数", "not_a_number"),
         (4, "成立日期", "not_a_date"), (4, "类别", "unknown_category")],
    )
    columns = [e.column for e in response.context["errors"]]
    assert columns == ["上级代码", "类别", "党员人数", "成立日期"]  # in the file's column order


def test_accepted_date_and_level_spellings(client_for, people, county):
    content = workbook_bytes(
        [row("A7", "甲", "A", founded="2020.01.02", level="branch"),
         row("A8", "乙", "A", founded=date(2021, 2, 3), level="Party branch"),
         row("A9", "丙", "A", founded="2022/3/4", level=" 党支部 ")]
    )
    assert post_file(client_for(people.alice), content).status_code == 302
    got = dict(
        Organization.objects.filter(code__in=["A7", "A8", "A9"]).values_list("code", "founded_on")
    )
    assert got == {"A7": date(2020, 1, 2), "A8": date(2021, 2, 3), "A9": date(2022, 3, 4)}


def file_level_cases():
    return {
        "empty sheet": (workbook_bytes([], header=None, title_rows=False), "组织.xlsx"),
        "header only": (workbook_bytes([]), "组织.xlsx"),
        "no header": (workbook_bytes([["a", "b"], ["c", "d"]], header=None), "组织.xlsx"),
        "missing columns": (
            workbook_bytes([["A9", "新支部"]], header=["代码", "名称"]), "组织.xlsx"
        ),
        "wrong extension": (workbook_bytes([row("A9", "新支部", "A")]), "组织.csv"),
        "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "组织.xls"),
        "not a zip": ("代码,名称\nA9,新支部\n".encode("gbk") + b"\xff\xfe\x00", "组织.xlsx"),
        "zip without a workbook": (zip_bytes({"word/document.xml": "<w/>"}), "组织.xlsx"),
        "damaged workbook": (damaged_workbook_bytes(), "组织.xlsx"),
        "garbage bytes": (b"\x00\x01\x02\xff\xfe" * 100, "组织.xlsx"),
    }


@pytest.mark.parametrize("case", list(file_level_cases()))
def test_bad_files_write_nothing(client_for, people, county, case):
    content, name = file_level_cases()[case]
    response = _assert_rejected(client_for(people.alice), content, [], name=name)
    errors = response.context["errors"]
    assert len(errors) == 1 and errors[0].row is None
    assert errors[0].message in response.content.decode()
    if case == "missing columns":
        assert "上级代码" in errors[0].message and "层级" in errors[0].message


def test_zip_bomb_is_refused_before_unpacking(client_for, people, county, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    content = zip_bomb_bytes(300)
    assert len(content) < 1024 * 1024
    response = _assert_rejected(client_for(people.alice), content, [])
    assert response.context["errors"][0].message.count("100") == 1  # names the limit


def test_huge_upload_is_refused(client_for, people, county, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 50_000
    content = workbook_bytes([row(f"A{i}", "新支部" * 20, "A") for i in range(2000)])
    assert len(content) > 50_000
    response = _assert_rejected(client_for(people.alice), content, [])
    assert "MB" in response.context["errors"][0].message


def test_missing_file_field(client_for, people, county):
    before = snapshot()
    response = client_for(people.alice).post(IMPORT, {"other": "x"})
    assert response.status_code == 200
    assert len(response.context["errors"]) == 1
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"\xff\xfe garbage \x00\x01", "multipart/form-data; boundary="),
        # A file name that is not UTF-8: Django drops the part.
        (b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a\xff\xfe.xlsx"'
         b"\r\n\r\n\xff\xfe\x00garbage\r\n--xx--\r\n", "multipart/form-data; boundary=xx"),
    ],
)
def test_garbage_request_body(client_for, people, county, body, content_type):
    before = snapshot()
    response = client_for(people.alice).generic("POST", IMPORT, body, content_type=content_type)
    assert response.status_code == 200
    assert len(response.context["errors"]) == 1
    assert snapshot() == before


def test_import_checks_csrf(client, people, county):
    client.handler.enforce_csrf_checks = True
    client.force_login(people.alice)
    response = client.post(IMPORT, {"file": upload(workbook_bytes([row("A9", "新", "A")]))})
    assert response.status_code == 403
    assert not Organization.objects.filter(code="A9").exists()


def test_header_may_be_the_first_row_and_marked(client_for, people, county):
    header = ["代码*", "名称 *", "上级代码＊", "层 级", *HEADER[4:]]
    content = workbook_bytes([row("A9", "新支部", "A")], header=header, title_rows=False)
    assert post_file(client_for(people.alice), content).status_code == 302
    assert Organization.objects.filter(code="A9").exists()

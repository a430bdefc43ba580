"""Excel export and import of a whole standard set (standards/views/excel.py)."""

import io
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from orgs.models import Level, Organization, Role
from standards.conditions import parse_conditions
from standards.models import Dimension, SetStatus, StandardItem, StandardSet
from standards.services import set_publish
from tests.factories import AssignmentFactory, OrganizationFactory, UserFactory, category

from .xlsx_files import (
    HEADER,
    damaged_workbook_bytes,
    dimension_names,
    item_row,
    make_set,
    read_cells,
    sample_specs,
    upload,
    workbook_bytes,
    zip_bomb_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

IMPORT = reverse("standards:set_import")
Through = StandardItem.categories.through


def export_url(standard_set):
    return reverse("standards:set_export", args=[standard_set.pk])


def detail_url(standard_set):
    return reverse("standards:set_detail", args=[standard_set.pk])


def into_url(standard_set):
    return f"{IMPORT}?into={standard_set.pk}"


@pytest.fixture
def other(db):
    """A second county with its own staff: our sets are none of its business."""
    root = OrganizationFactory(code="R", name="红岭县委", level=Level.COUNTY, category=None)
    olga = UserFactory(username="olga", full_name="红岭县 组织部")
    AssignmentFactory(user=olga, organization=root, role=Role.COUNTY_STAFF)
    return SimpleNamespace(county=root, olga=olga)


@pytest.fixture
def cats(db):
    return category("village"), category("community")


@pytest.fixture
def wuhua(people, county, cats):
    return make_set(county.county, people.alice, specs=sample_specs(cats))


def snapshot():
    """What 'the database is unchanged' means for the library."""
    return (
        list(StandardSet.objects.order_by("pk").values_list("pk", "code", "version", "status")),
        list(Dimension.objects.order_by("pk").values_list("pk", "standard_set_id", "name")),
        list(StandardItem.objects.order_by("pk").values_list("pk", "code", "requirement")),
        Through.objects.count(),
        StandardSet.history.count(),
        StandardItem.history.count(),
    )


def item_dump(standard_set):
    """Every field of every item, in the set's order; categories by name."""
    items = (
        StandardItem.objects.filter(standard_set=standard_set)
        .select_related("dimension").prefetch_related("categories")
        .order_by("dimension__ordering", "dimension_id", "ordering", "pk")
    )
    return [
        (i.dimension.name, i.code, i.requirement, i.guidance, i.kind, i.comparator, i.threshold,
         i.unit, i.proportional, i.max_score, i.is_veto, i.evidence_required,
         sorted(c.name for c in i.categories.all()), i.conditions, i.source)
        for i in items
    ]


def export(client, standard_set):
    response = client.get(export_url(standard_set))
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def data_rows(content):
    return read_cells(content)[1][3:]


def post_file(client, content, *, url=IMPORT, filename="标准.xlsx", org=None, **fields):
    data = {"file": upload(content, filename)}
    if "?into=" not in url:
        data.update(name="五化标准（导入）", code="wuhua-import", year=2024,
                    source_document="韶山市五化建设实施方案")
        # What the browser sends for the select: its first option, our county.
        data["organization"] = (org or Organization.objects.get(code="C")).pk
    data.update(fields)
    return client.post(url, data)


def problems(response):
    """(row, column, code) of each problem the page lists."""
    return {(e.row, e.column, e.code) for e in response.context["errors"]}


def _assert_rejected(client, content, expected, *, url=IMPORT, filename="标准.xlsx"):
    before = snapshot()
    response = post_file(client, content, url=url, filename=filename)
    assert response.status_code == 400
    assert snapshot() == before
    if expected is not None:
        assert problems(response) >= set(expected), problems(response)
    page = response.content.decode()
    for error in response.context["errors"]:
        assert escape(error.message) in page
        if error.row:
            assert f'data-row="{error.row}" data-column="{error.column}"' in page
    return response


# ---------------------------------------------------------------- export


def test_export_layout_and_values(client_for, people, county, wuhua):
    content, response = export(client_for(people.alice), wuhua)

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f"filename*=utf-8''{quote('五化标准_v1.xlsx')}" in response["Content-Disposition"]
    ws, rows = read_cells(content)
    assert rows[0][0] == "五化标准（第1版）"
    assert re.fullmatch(r"范围：青禾县委　导出时间：\d{4}-\d\d-\d\d \d\d:\d\d", rows[1][0])
    assert rows[2] == HEADER
    assert HEADER[-2:] == ["部分得分", "出处"]
    assert ws.freeze_panes == "A4"
    assert ws.title == "标准条目"
    by_code = {r[1]: r for r in rows[3:]}
    # Dimensions in their order, items in theirs: first appearance rebuilds the order.
    assert [r[1] for r in rows[3:]] == ["1.1", "1.2", "5.1", "5.2", "2.1", "2.2"]
    assert by_code["1.1"] == [
        "支部建设标准化", "1.1", "按期换届，班子健全", "未按期换届不得分", "是否", None, None,
        None, 5, "是", "是", None, None, "否", "韶山 五化 第一部分",
    ]
    area = by_code["1.2"]
    assert area[4:9] == ["数值", "≥", 70, "㎡", 0.5]
    assert isinstance(area[6], int) and isinstance(area[8], float)
    assert area[11:14] == ["村", "党员人数>=10", "是"]
    funds = by_code["5.1"]
    assert funds[4:9] == ["数值", "≥", 50000, "元/年", 3]
    assert funds[11] == "村、社区"  # the categories' own order
    assert funds[12] == "示范点=是；阵地面积>12.5"
    assert by_code["5.2"][5:7] == ["≤", 0.75]
    assert by_code["2.1"][4:9] == ["等级", None, None, None, 10]
    assert by_code["2.2"][4:9] == ["文字", None, None, "篇", 2.25]
    assert by_code["2.2"][12] == "层级!=联合党支部"


def test_export_writes_formula_like_text_as_text(client_for, people, county):
    from standards.services import ItemSpec

    spec = ItemSpec(dimension="=1+1", code="1", requirement='=HYPERLINK("http://x","点我")',
                    kind="check", max_score=Decimal(1), guidance="@SUM(1)")
    standard_set = make_set(county.county, people.alice, name="a/b:c*?", specs=[spec])
    content, response = export(client_for(people.alice), standard_set)
    assert 'filename="a_b_c___v1.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(content), data_only=False).worksheets[0]
    row = next(ws.iter_rows(min_row=4))
    assert [c.data_type for c in row[:4]] == ["s", "s", "s", "s"]
    assert row[2].value == '=HYPERLINK("http://x","点我")'


def test_export_keeps_dimension_order_not_creation_order(client_for, people, county, wuhua):
    # The pages may reorder dimensions: the export follows `ordering`.
    Dimension.objects.filter(standard_set=wuhua, name="组织生活正常化").update(ordering=0)
    content, _ = export(client_for(people.alice), wuhua)
    assert [r[1] for r in data_rows(content)] == ["2.1", "2.2", "1.1", "1.2", "5.1", "5.2"]


@pytest.mark.parametrize("size", [30, 300])
def test_export_query_count_does_not_grow(
    client_for, people, county, django_assert_max_num_queries, size
):
    standard_set = make_set(county.county, people.alice, items=size)
    client = client_for(people.alice)
    # session, user, the user's grants, the set (with its issuer), the items
    # (with their dimension), their categories
    with django_assert_max_num_queries(6):
        content, _ = export(client, standard_set)
    assert len(data_rows(content)) == size


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "victor", "root"])
def test_export_for_everyone_who_browses_sets(client_for, people, county, wuhua, persona):
    content, _ = export(client_for(getattr(people, persona)), wuhua)
    assert len(data_rows(content)) == 6


@pytest.mark.parametrize("persona", ["dave", "erin", "harry"])
def test_export_forbidden_to_secretaries_and_helpers(client_for, people, county, wuhua, persona):
    """They print their own category's checklist; the whole set is not theirs to take."""
    response = client_for(getattr(people, persona)).get(export_url(wuhua))
    assert response.status_code == 403


def test_export_outside_the_county_is_404(client_for, people, county, wuhua, other):
    assert client_for(other.olga).get(export_url(wuhua)).status_code == 404
    assert client_for(people.nobody).get(export_url(wuhua)).status_code == 404
    missing = reverse("standards:set_export", args=[999999])
    assert client_for(people.alice).get(missing).status_code == 404


def test_export_is_get_only(client_for, people, county, wuhua):
    assert client_for(people.alice).post(export_url(wuhua)).status_code == 405


def test_anonymous_is_sent_to_login(client, county, wuhua):
    for url in (export_url(wuhua), IMPORT, into_url(wuhua)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    before = snapshot()
    response = client.post(IMPORT, {"file": upload(workbook_bytes([item_row()]))})
    assert response.status_code == 302
    assert snapshot() == before


# ---------------------------------------------------------------- round trip


def test_round_trip_as_a_new_set(client_for, people, county, wuhua):
    client = client_for(people.alice)
    first, _ = export(client, wuhua)
    response = post_file(client, first, code="wuhua-copy", name="五化标准副本")
    assert response.status_code == 302, response.context and response.context["errors"]
    copy = StandardSet.objects.get(code="wuhua-copy")
    assert response["Location"] == detail_url(copy)
    assert (copy.name, copy.year, copy.source_document, copy.version) == (
        "五化标准副本", 2024, "韶山市五化建设实施方案", 1
    )
    assert copy.status == SetStatus.DRAFT and copy.organization == county.county
    assert copy.grade_levels == wuhua.grade_levels  # the default levels
    assert item_dump(copy) == item_dump(wuhua)
    assert dimension_names(copy) == dimension_names(wuhua)
    assert StandardItem.history.filter(standard_set_id=copy.pk).count() == 6

    second, _ = export(client, copy)
    assert read_cells(second)[1][2:] == read_cells(first)[1][2:]  # header and every cell


def test_round_trip_into_a_fresh_draft(client_for, people, county, wuhua):
    client = client_for(people.alice)
    first, _ = export(client, wuhua)
    draft = make_set(county.county, people.alice, code="wuhua2", name="五化标准二")
    page = client.get(into_url(draft))
    assert page.status_code == 200 and page.context["form"] is None
    assert 'data-testid="import-into"' in page.content.decode()
    response = post_file(client, first, url=into_url(draft))
    assert response.status_code == 302
    assert response["Location"] == detail_url(draft)
    assert item_dump(draft) == item_dump(wuhua)
    second, _ = export(client, draft)
    assert data_rows(second) == data_rows(first)
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert {"6", "3"} <= set(re.findall(r"\d+", message))  # items and dimensions


def test_import_into_a_draft_replaces_its_items_and_keeps_its_fields(
    client_for, people, county, cats
):
    draft = make_set(county.county, people.alice, items=12)
    content = workbook_bytes([item_row("9.1", "新条目", dimension="新方面")])
    response = post_file(client_for(people.alice), content, url=into_url(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.code, draft.name, draft.version) == ("wuhua", "五化标准", 1)
    assert [row[1] for row in item_dump(draft)] == ["9.1"]
    assert dimension_names(draft) == ["新方面"]


# ---------------------------------------------------------------- the import page


def test_import_page_for_county_staff(client_for, people, county, other):
    AssignmentFactory(user=people.alice, organization=other.county, role=Role.COUNTY_STAFF)
    draft = make_set(county.county, people.alice, items=3)
    response = client_for(people.alice).get(IMPORT)
    assert response.status_code == 200
    form = response.context["form"]
    choices = list(form.fields["organization"].queryset)
    assert choices == [county.county, other.county]  # by path: the first county first
    page = response.content.decode()
    assert 'data-testid="import-form"' in page
    assert f"?into={draft.pk}" in page  # or replace a draft's items


def test_new_set_goes_to_the_chosen_county(client_for, people, county, other):
    AssignmentFactory(user=people.alice, organization=other.county, role=Role.COUNTY_STAFF)
    content = workbook_bytes([item_row()])
    response = post_file(client_for(people.alice), content, org=other.county)
    assert response.status_code == 302
    assert StandardSet.objects.get(code="wuhua-import").organization == other.county


def test_issuing_county_must_be_the_users(client_for, people, county, other):
    before = snapshot()
    response = post_file(client_for(people.alice), workbook_bytes([item_row()]), org=other.county)
    assert response.status_code == 400
    assert "organization" in response.context["form"].errors
    assert snapshot() == before


def test_superuser_picks_any_county(client_for, people, county, other):
    response = client_for(people.root).get(IMPORT)
    assert list(response.context["form"].fields["organization"].queryset) == [
        county.county, other.county,
    ]


@pytest.mark.parametrize("persona", ["bob", "charlie", "victor", "dave", "erin", "harry", "nobody"])
def test_import_forbidden_to_everyone_else(client_for, people, county, wuhua, persona):
    client = client_for(getattr(people, persona))
    assert client.get(IMPORT).status_code == 403
    assert client.get(into_url(wuhua)).status_code == 403
    before = snapshot()
    assert post_file(client, workbook_bytes([item_row()])).status_code == 403
    assert post_file(client, workbook_bytes([item_row()]), url=into_url(wuhua)).status_code == 403
    assert snapshot() == before


def test_into_a_set_of_another_county_is_404(client_for, people, county, wuhua, other):
    client = client_for(other.olga)
    assert client.get(IMPORT).status_code == 200  # they may import their own sets
    assert client.get(into_url(wuhua)).status_code == 404
    before = snapshot()
    assert post_file(client, workbook_bytes([item_row()]), url=into_url(wuhua)).status_code == 404
    assert snapshot() == before
    for bad in ("abc", "999999", ""):
        assert client_for(people.alice).get(f"{IMPORT}?into={bad}").status_code == 404


@pytest.mark.parametrize("status", [SetStatus.PUBLISHED, SetStatus.RETIRED])
def test_a_set_that_is_not_a_draft_is_refused(client_for, people, county, wuhua, status):
    if status == SetStatus.PUBLISHED:
        set_publish(standard_set=wuhua, by=people.alice)
    else:
        StandardSet.objects.filter(pk=wuhua.pk).update(status=status)
    client = client_for(people.alice)
    response = client.get(into_url(wuhua))
    assert response.status_code == 200
    assert 'data-testid="import-frozen"' in response.content.decode()
    assert 'data-testid="import-form"' not in response.content.decode()

    before = snapshot()
    response = post_file(client, workbook_bytes([item_row("9.9")]), url=into_url(wuhua))
    assert response.status_code == 400
    (error,) = response.context["errors"]
    assert error.code == "frozen" and escape(error.message) in response.content.decode()
    assert snapshot() == before


def test_a_draft_published_while_importing_is_not_changed(client_for, people, county, wuhua):
    """The service reads the set again, locked: the page's copy may be stale."""
    from standards.importing import ImportRejected, set_import
    from standards.services import ItemSpec

    set_publish(standard_set=wuhua, by=people.alice)
    stale = StandardSet(pk=wuhua.pk, status=SetStatus.DRAFT)
    before = snapshot()
    spec = ItemSpec(dimension="甲", code="1", requirement="乙", kind="check", max_score=Decimal(1))
    with pytest.raises(ImportRejected) as exc:
        set_import(items=[spec], by=people.alice, into=stale)
    assert exc.value.errors[0].code == "frozen"
    assert snapshot() == before


def test_code_already_used_by_the_county(client_for, people, county, wuhua):
    before = snapshot()
    response = post_file(client_for(people.alice), workbook_bytes([item_row()]), code="wuhua")
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert snapshot() == before


def test_form_and_file_problems_are_shown_together(client_for, people, county):
    before = snapshot()
    response = post_file(
        client_for(people.alice), workbook_bytes([item_row(score=-1)]), code="not a slug", year=""
    )
    assert response.status_code == 400
    assert {"code", "year"} <= set(response.context["form"].errors)
    assert problems(response) == {(4, "分值", "negative")}
    assert snapshot() == before


def test_import_checks_csrf(client, people, county):
    client.handler.enforce_csrf_checks = True
    client.force_login(people.alice)
    before = snapshot()
    assert post_file(client, workbook_bytes([item_row()])).status_code == 403
    assert snapshot() == before


def test_import_is_get_or_post(client_for, people, county):
    assert client_for(people.alice).put(IMPORT).status_code == 405


# ---------------------------------------------------------------- reading a clerk's file


def test_accepted_spellings(client_for, people, county, cats):
    header = ["方面", "编号*", "标准 内容", *HEADER[3:13]]  # no 部分得分, 出处 columns
    rows = [
        item_row("1", "甲", kind="check", score="2", veto="是", evidence="", categories="村，社区"
                 )[:13],
        item_row(2, "乙", kind="Number", comparator=">=", threshold="70", unit="㎡", score=1.5,
                 categories="社区, 村、community", conditions="党员人数≥10 ；示范点=否")[:13],
        item_row("3", "丙", kind="数值", comparator=" ≤ ", threshold=0.5, score=0,
                 veto="yes", evidence=1)[:13],
        item_row("4", "丁", kind="GRADED", score=3, veto=None)[:13],
        item_row("5", "戊", kind="文字", score=3, comparator="≥", threshold=9)[:13],
    ]
    content = workbook_bytes(rows, header=header, title_rows=False)
    response = post_file(client_for(people.alice), content)
    assert response.status_code == 302, response.context and response.context["errors"]
    standard_set = StandardSet.objects.get(code="wuhua-import")
    got = {row[1]: row for row in item_dump(standard_set)}
    assert got["1"][4] == "check" and got["1"][10:13] == (True, False, ["村", "社区"])
    assert got["2"][4:10] == ("number", ">=", Decimal(70), "㎡", False, Decimal("1.5"))
    assert got["2"][12] == ["村", "社区"]
    assert got["2"][13] == [
        {"field": "member_count", "op": ">=", "value": "10"},
        {"field": "is_demonstration", "op": "=", "value": False},
    ]
    assert got["3"][5:7] == ("<=", Decimal("0.5")) and got["3"][10:12] == (True, True)
    assert got["4"][4] == "graded"
    # A text item keeps no comparison (set_fill drops it), and sources are empty.
    assert got["5"][4:7] == ("text", "", None) and got["5"][14] == ""


BAD_ROWS = {
    "unknown category": (
        [item_row(categories="村、外星")], [(4, "适用类别", "unknown_category")]
    ),
    "number item without threshold and comparison": (
        [item_row(kind="数值")],
        [(4, "比较", "comparator_missing"), (4, "阈值", "threshold_missing")],
    ),
    "negative score": ([item_row(score=-1)], [(4, "分值", "negative")]),
    "score not a number": (
        [item_row("1", score="五分"), item_row("2", score=True), item_row("3", score="NaN")],
        [(4, "分值", "not_a_number"), (5, "分值", "not_a_number"), (6, "分值", "not_a_number")],
    ),
    "score with too many digits": (
        [item_row("1", score=0.555), item_row("2", score=123456)],
        [(4, "分值", "invalid"), (5, "分值", "invalid")],
    ),
    "threshold not a number": (
        [item_row(kind="数值", comparator="≥", threshold="七十")], [(4, "阈值", "not_a_number")]
    ),
    "duplicate number": (
        [item_row("1.1"), item_row("1.2"), item_row("1.1")], [(6, "编号", "duplicate")]
    ),
    "unknown kind": ([item_row(kind="打分")], [(4, "类型", "unknown_kind")]),
    "bad comparison": (
        [item_row(kind="数值", comparator="约等于", threshold=5)], [(4, "比较", "bad_comparator")]
    ),
    "bad condition": (
        [item_row("1", conditions="人数>=10"), item_row("2", conditions="党员人数>=很多"),
         item_row("3", conditions="示范点>是")],
        [(4, "条件", "bad_condition"), (5, "条件", "bad_condition"), (6, "条件", "bad_condition")],
    ),
    "missing required values": (
        [item_row("1", dimension=None), item_row(None), item_row("3", requirement="  "),
         item_row("4", kind=None), item_row("5", score=None)],
        [(4, "方面", "required"), (5, "编号", "required"), (6, "标准内容", "required"),
         (7, "类型", "required"), (8, "分值", "required")],
    ),
    "formula in a cell": (
        [item_row("1", score="=2+3"), item_row("2", requirement="=A1")],
        [(4, "分值", "formula"), (5, "标准内容", "formula")],
    ),
    "not yes or no": (
        [item_row("1", veto="也许"), item_row("2", proportional="大概")],
        [(4, "一票否决", "not_yes_no"), (5, "部分得分", "not_yes_no")],
    ),
    "too long": (
        [item_row("X" * 31), item_row("2", unit="单" * 21), item_row("3", dimension="方" * 101)],
        [(4, "编号", "invalid"), (5, "单位", "invalid"), (6, "方面", "invalid")],
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_rows_write_nothing(client_for, people, county, cats, case):
    rows, expected = BAD_ROWS[case]
    good = item_row("9.9", "另一个正确的条目")  # a good row is not written either
    _assert_rejected(client_for(people.alice), workbook_bytes([*rows, good]), expected)


def test_bad_condition_says_what_parse_conditions_says(client_for, people, county):
    response = _assert_rejected(
        client_for(people.alice), workbook_bytes([item_row(conditions="人数>=10")]), None
    )
    with pytest.raises(Exception) as exc:
        parse_conditions("人数>=10")
    (error,) = response.context["errors"]
    assert error.message == " ".join(exc.value.messages)


def test_bad_rows_into_a_draft_leave_its_items(client_for, people, county):
    draft = make_set(county.county, people.alice, items=5)
    _assert_rejected(
        client_for(people.alice), workbook_bytes([item_row(kind="?")]),
        [(4, "类型", "unknown_kind")], url=into_url(draft),
    )
    assert len(item_dump(draft)) == 5


def test_every_problem_is_reported_at_once_in_file_order(client_for, people, county, cats):
    content = workbook_bytes([
        item_row("1", kind="数值", score="x", categories="外星", conditions="人数>1"),
        item_row("1", veto="?"),
    ])
    response = _assert_rejected(client_for(people.alice), content, None)
    assert [(e.row, e.column) for e in response.context["errors"]] == [
        (4, "比较"), (4, "阈值"), (4, "分值"), (4, "适用类别"), (4, "条件"),
        (5, "编号"), (5, "一票否决"),
    ]
    assert response.context["errors"][0].letter == "F"


def file_level_cases():
    without_categories = [h for h in HEADER if h not in ("适用类别", "类型")]
    return {
        "empty sheet": (workbook_bytes([], header=None, title_rows=False), "标准.xlsx"),
        "header only": (workbook_bytes([]), "标准.xlsx"),
        "no header": (workbook_bytes([["a", "b"], ["c", "d"]], header=None), "标准.xlsx"),
        "missing header columns": (
            workbook_bytes([[None] * len(without_categories)], header=without_categories),
            "标准.xlsx",
        ),
        "wrong extension": (workbook_bytes([item_row()]), "标准.csv"),
        "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "标准.xls"),
        "not a zip": ("方面,编号\n甲,1\n".encode("gbk") + b"\xff\xfe\x00", "标准.xlsx"),
        "zip without a workbook": (zip_bytes({"word/document.xml": "<w/>"}), "标准.xlsx"),
        "damaged workbook": (damaged_workbook_bytes(), "标准.xlsx"),
        "garbage bytes": (b"\x00\x01\x02\xff\xfe" * 100, "标准.xlsx"),
    }


@pytest.mark.parametrize("case", list(file_level_cases()))
def test_bad_files_write_nothing(client_for, people, county, case):
    content, name = file_level_cases()[case]
    response = _assert_rejected(client_for(people.alice), content, [], filename=name)
    errors = response.context["errors"]
    assert len(errors) == 1 and errors[0].row is None
    if case == "missing header columns":
        assert "适用类别" in errors[0].message and "类型" in errors[0].message


def test_zip_bomb_is_refused_before_unpacking(client_for, people, county, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    content = zip_bomb_bytes(300)
    assert len(content) < 1024 * 1024
    response = _assert_rejected(client_for(people.alice), content, [])
    assert "100" in response.context["errors"][0].message  # names the limit


def test_huge_upload_is_refused(client_for, people, county, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 50_000
    content = workbook_bytes([item_row(f"{i}", "标准内容" * 20) for i in range(2000)])
    assert len(content) > 50_000
    response = _assert_rejected(client_for(people.alice), content, [])
    assert "MB" in response.context["errors"][0].message


def test_missing_file(client_for, people, county):
    before = snapshot()
    response = client_for(people.alice).post(
        IMPORT, {"name": "甲", "code": "jia", "year": 2024, "organization": county.county.pk}
    )
    assert response.status_code == 400
    assert len(response.context["errors"]) == 1
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"\xff\xfe garbage \x00\x01", "multipart/form-data; boundary="),
        (b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a\xff\xfe.xlsx"'
         b"\r\n\r\n\xff\xfe\x00garbage\r\n--xx--\r\n", "multipart/form-data; boundary=xx"),
    ],
)
def test_garbage_request_body(client_for, people, county, body, content_type):
    before = snapshot()
    response = client_for(people.alice).generic("POST", IMPORT, body, content_type=content_type)
    assert response.status_code == 400
    assert len(response.context["errors"]) == 1
    assert snapshot() == before


# ---------------------------------------------------------------- size


@pytest.mark.parametrize("size", [30, 300])
def test_a_whole_library_imports_in_one_request(
    client_for, people, county, cats, django_assert_max_num_queries, size
):
    rows = [
        item_row(f"{i // 60}.{i}", f"标准条目{i}", dimension=f"方面{i // 60}",
                 kind=["是否", "数值", "等级", "文字"][i % 4], comparator="≥", threshold=70,
                 unit="㎡", score=0.5, categories="村、社区" if i % 3 else None,
                 conditions="党员人数>=10" if i % 5 == 0 else None)
        for i in range(size)
    ]
    client = client_for(people.alice)
    content = workbook_bytes(rows)
    # Not one per row: session, user, grants; the categories; the form's issuing
    # county and code check; savepoints; set_create (max version, the issuer
    # and unique checks of full_clean, insert, history); set_fill (frozen
    # guard and collect-then-delete of old items and of old dimensions, the
    # dimensions, the items, their history, their categories). PostgreSQL
    # writes each bulk insert at once (batches of 500: 25 queries); SQLite
    # splits them by its 999-variable limit (300 items: 36 queries).
    with django_assert_max_num_queries(30 if connection.vendor == "postgresql" else 40):
        response = post_file(client, content, org=county.county)
    assert response.status_code == 302, response.context and response.context["errors"]
    standard_set = StandardSet.objects.get(code="wuhua-import")
    assert standard_set.items.count() == size
    assert Through.objects.filter(standarditem__standard_set=standard_set).count() == sum(
        2 for i in range(size) if i % 3
    )
    with django_assert_max_num_queries(6):
        content, _ = export(client, standard_set)
    assert len(data_rows(content)) == size

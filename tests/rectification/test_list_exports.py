"""The four lists' exports (rectification/excel.py): the rows of the filtered page, in the
file's fixed Chinese vocabulary, scoped, and a fixed number of queries at 100 and 5,000."""

import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectification.models import Problem, RectificationTask

from .lists_data import board_fixture, bulk_board, elsewhere_fixture  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

PROBLEM_HEADER = ["代码", "党组织", "所属党(工)委", "类别", "来源", "条目编号", "问题描述", "严重程度",
                  "发现人", "发现日期", "任务数", "已销号"]
TASK_HEADER = ["代码", "党组织", "所属党(工)委", "类别", "问题", "整改措施", "责任人", "责任领导",
               "开始日期", "截止日期", "状态", "逾期", "进度(%)", "销号时间"]
COUNTS = ["任务数", "待整改", "进行中", "待核验", "已销号", "已逾期"]


def url(name):
    return reverse(f"rectification:{name}")


def read(response):
    """(title, scope line, header, data rows) of the first sheet."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A4"
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:]


def page_measures(client, params):
    return [t.measure for t in client.get(reverse("rectification:task_list"), params).context["tasks"]]


# ---------------------------------------------------------------- 问题清单


def test_problem_export_rows(client_for, people, board):
    title, scope, header, rows = read(client_for(people.alice).get(url("problem_export")))
    assert title == "问题清单"
    assert scope.startswith("范围：青禾县委") and "导出时间" in scope
    assert header == PROBLEM_HEADER
    # The list's order: newest found first.
    assert [r[6] for r in rows] == ["主题党日未按月开展", "三会一课记录缺失", "活动场所面积不足",
                                    "党员档案不全", "村党支部书记长期空缺"]
    venue = rows[2]
    assert venue[:6] == ["A2", "柳树村党支部", "东坝镇党委", "村", "随机抽查", None]
    assert venue[7:9] == ["一般", people.bob.full_name]
    assert venue[9] == datetime.combine(board.p_venue.found_on, datetime.min.time())
    assert venue[10:] == [2, 1]
    assert rows[0][4] == "督查" and rows[0][7] == "严重" and rows[0][2] == "西湖乡党委"


def test_problem_export_follows_the_filters(client_for, people, county, board):
    client = client_for(people.alice)
    params = {"severity": "high", "sort": "org"}
    _t, scope, _h, rows = read(client.get(url("problem_export"), params))
    listed = [p.description for p in
              client.get(reverse("rectification:problem_list"), params).context["problems"]]
    assert [r[6] for r in rows] == listed == ["村党支部书记长期空缺", "主题党日未按月开展"]
    assert "筛选：严重程度 严重" in scope
    _t, scope, _h, rows = read(client.get(url("problem_export"),
                                          {"status": "no_task", "committee": county.town_a.pk}))
    assert [r[6] for r in rows] == ["三会一课记录缺失"]
    assert "状态 未立任务" in scope and "所属 东坝镇党委" in scope


def test_problem_export_is_scoped(client_for, people, county, board, elsewhere):
    _t, scope, _h, rows = read(client_for(people.bob).get(url("problem_export")))
    assert {r[0] for r in rows} == {"A1", "A2"} and scope.startswith("范围：东坝镇党委")
    # A committee bob may not pick is ignored, not widened.
    _t, _s, _h, rows = read(client_for(people.bob).get(url("problem_export"),
                                                       {"committee": county.town_b.pk}))
    assert {r[0] for r in rows} == {"A1", "A2"}
    _t, _s, _h, rows = read(client_for(people.harry).get(url("problem_export")))
    assert {r[0] for r in rows} == {"A2"}
    _t, _s, _h, rows = read(client_for(elsewhere.zoe).get(url("problem_export")))
    assert [r[0] for r in rows] == ["OC1"]


# ---------------------------------------------------------------- 任务清单


def test_task_export_rows(client_for, people, board):
    client = client_for(people.alice)
    title, _scope, header, rows = read(client.get(url("task_export")))
    assert title == "任务清单" and header == TASK_HEADER
    assert [r[5] for r in rows] == page_measures(client, {})
    elect = next(r for r in rows if r[5] == "补选支部书记")
    assert elect[:8] == ["A1", "东坝村党支部", "东坝镇党委", "村", "村党支部书记长期空缺",
                         "补选支部书记", "陈书记", "李强"]
    assert elect[9] == datetime.combine(board.t_elect.deadline, datetime.min.time())
    assert elect[10:13] == ["待整改", "是", 0] and elect[13] is None
    files = next(r for r in rows if r[5] == "补齐党员档案")
    assert files[10:13] == ["已销号", "否", 100]
    closed_at = timezone.localtime(board.t_files.closed_at).replace(tzinfo=None)
    assert abs((files[13] - closed_at).total_seconds()) < 1
    venue = next(r for r in rows if r[5] == "扩建活动场所")
    assert venue[10] == "待核验" and venue[7] == "李强"


@pytest.mark.parametrize("params", [
    {"status": "closed"},
    {"overdue": "1", "sort": "-deadline"},
    {"q": "柳树"},
    {"deadline_from": date.today().isoformat()},
    {"person": ":刘书记"},
])
def test_task_export_follows_the_filters(client_for, people, board, params):
    client = client_for(people.alice)
    _t, _s, _h, rows = read(client.get(url("task_export"), {"view": "tasks", **params}))
    assert [r[5] for r in rows] == page_measures(client, params)
    assert rows


def test_task_export_scope_line_names_the_filters(client_for, people, board):
    _t, scope, _h, _rows = read(client_for(people.alice).get(
        url("task_export"), {"status": "in_progress", "overdue": "1", "q": "台账",
                             "person": f"{people.dave.pk}:陈书记"}))
    assert "筛选：关键词 “台账”，状态 进行中，逾期，责任人 陈书记" in scope


def test_task_export_is_scoped(client_for, people, board, elsewhere):
    for who, codes in [("bob", {"A1", "A2"}), ("charlie", {"B1"}), ("dave", {"A1"}),
                       ("erin", {"A2"}), ("harry", {"A2"}), ("victor", {"A1", "A2"})]:
        _t, scope, _h, rows = read(client_for(getattr(people, who)).get(url("task_export")))
        assert {r[0] for r in rows} == codes, who
    _t, scope, _h, rows = read(client_for(people.dave).get(url("task_export")))
    assert scope.startswith("范围：东坝村党支部")
    _t, _s, _h, rows = read(client_for(elsewhere.zoe).get(url("task_export")))
    assert [r[5] for r in rows] == ["邻县的措施"]


def test_task_export_is_the_same_in_english(client_for, people, board):
    client = client_for(people.alice)
    client.cookies["django_language"] = "en"
    _t, _s, header, rows = read(client.get(url("task_export")))
    assert header == TASK_HEADER and {r[10] for r in rows} == {"待整改", "进行中", "待核验", "已销号"}


def test_task_export_refuses_an_unknown_view(client_for, people, board):
    response = client_for(people.alice).get(url("task_export"), {"view": "everything"})
    assert response.status_code == 400 and "导出视图" in response.content.decode()


# ---------------------------------------------------------------- 责任清单 and 整改清单


def test_person_export(client_for, people, board):
    client = client_for(people.alice)
    title, _scope, header, rows = read(client.get(url("task_export"), {"view": "person"}))
    assert title == "责任清单" and header == ["责任人", "系统账号", *COUNTS]
    assert {r[0]: r[1:] for r in rows} == {
        "刘书记": [None, 2, 0, 0, 1, 1, 0],
        "王书记": [None, 1, 1, 0, 0, 0, 1],
        "陈书记": ["dave", 3, 1, 1, 0, 1, 1],
        "合计": [None, 6, 2, 1, 1, 2, 2],  # the people's counts added up
    }
    assert rows[-1][0] == "合计"
    # The page's filters and sort.
    _t, _s, _h, rows = read(client.get(url("task_export"), {"view": "person", "sort": "-total",
                                                            "q": "书记"}))
    assert [r[0] for r in rows][0] == "陈书记"
    page = client.get(reverse("rectification:responsibility_list"), {"sort": "-total", "q": "书记"})
    assert [r[0] for r in rows] == [row.name for row in page.context["rows"]] + ["合计"]
    _t, _s, _h, rows = read(client_for(people.harry).get(url("task_export"), {"view": "person"}))
    assert [r[0] for r in rows] == ["刘书记", "合计"]


def test_status_export(client_for, people, county, board):
    client = client_for(people.alice)
    title, _scope, header, rows = read(client.get(url("task_export"), {"view": "status"}))
    assert title == "整改清单" and header == ["党(工)委", *COUNTS]
    assert rows == [
        ["东坝镇党委", 5, 1, 1, 1, 2, 1],
        ["西湖乡党委", 1, 1, 0, 0, 0, 1],
        ["合计", 6, 2, 1, 1, 2, 2],
    ]
    _t, scope, _h, rows = read(client.get(url("task_export"),
                                          {"view": "status", "committee": county.town_b.pk}))
    assert rows == [["西湖乡党委", 1, 1, 0, 0, 0, 1], ["合计", 1, 1, 0, 0, 0, 1]]
    assert "所属 西湖乡党委" in scope
    _t, _s, _h, rows = read(client_for(people.dave).get(url("task_export"), {"view": "status"}))
    assert rows == [["东坝镇党委", 3, 1, 1, 0, 1, 1], ["合计", 3, 1, 1, 0, 1, 1]]


# ---------------------------------------------------------------- size and queries

SIZES = [100, 5000]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}tasks")
def big(request, county, people):
    bulk_board(county, people, request.param)
    return request.param


@pytest.mark.parametrize("who", ["alice", "bob", "root"])
def test_task_export_queries(client_for, people, big, who, django_assert_max_num_queries):
    user = getattr(people, who)
    client = client_for(user)
    # 1-3 session, user, grants; 4 the committees (filter choices); 5 categories; 6 the
    # names of the user's scope roots; 7 the committee names; 8 the count (download now
    # or in the background: the exports app); 9 the rows (one iterated query: a
    # server-side cursor on PostgreSQL, one fetch on SQLite).
    with django_assert_max_num_queries(9):
        response = client.get(url("task_export"), {"view": "tasks", "sort": "org"})
        _t, _s, _h, rows = read(response)
    assert len(rows) == RectificationTask.objects.visible_to(user).count()
    if who != "bob":
        assert len(rows) == big


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_problem_export_queries(client_for, people, big, who, django_assert_max_num_queries):
    user = getattr(people, who)
    client = client_for(user)
    # 1-3 session, user, grants; 4 committees; 5 categories; 6 scope names; 7 committee
    # names; 8 the count (the exports app); 9 the rows with their task counts (one
    # grouped query, iterated).
    with django_assert_max_num_queries(9):
        _t, _s, _h, rows = read(client.get(url("problem_export"), {"overdue": "1"}))
    assert len(rows) == Problem.objects.visible_to(user).filter(
        pk__in=RectificationTask.objects.filter(
            status__in=["open", "in_progress", "awaiting_check"], deadline__lt=date.today()
        ).values("problem_id")
    ).count()
    assert rows


@pytest.mark.parametrize("view", ["person", "status"])
def test_summary_export_queries(client_for, people, big, view, django_assert_max_num_queries):
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4 committees; 5 categories; 6 scope names; 7 the count
    # of people (the exports app; none for the matrix); 8 the grouped rows (people, or
    # the committee matrix).
    with django_assert_max_num_queries(8):
        _t, _s, _h, rows = read(client.get(url("task_export"), {"view": view}))
    if view == "status":
        assert rows[-1][0] == "合计" and rows[-1][1] == big
    else:
        assert sum(r[2] for r in rows[:-1]) == big and rows[-1][:3] == ["合计", None, big]

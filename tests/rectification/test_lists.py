"""The four lists (问题清单, 任务清单, 责任清单, 整改清单): scoping, filters, search, sorting,
figures that link to the task list, and a fixed number of queries at 100 and 5,000 tasks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rectification.models import Problem, RectificationTask, TaskStatus

from ..factories import category
from .lists_data import board_fixture, bulk_board, elsewhere_fixture  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

LISTS = ["problem_list", "task_list", "responsibility_list", "status_list"]
EXPORTS = ["problem_export", "task_export"]


def url(name, *args):
    return reverse(f"rectification:{name}", args=args)


def problems(response):
    assert response.status_code == 200, response.content[:500]
    return [p.description for p in response.context["problems"]]


def tasks(response):
    assert response.status_code == 200, response.content[:500]
    return [t.measure for t in response.context["tasks"]]


def persons(response):
    assert response.status_code == 200, response.content[:500]
    return {row.name: row.counts for row in response.context["rows"]}


def matrix(response):
    assert response.status_code == 200, response.content[:500]
    return {row.name: row.counts for row in response.context["rows"]}


ALL_PROBLEMS = {"村党支部书记长期空缺", "党员档案不全", "活动场所面积不足", "三会一课记录缺失",
                "主题党日未按月开展"}
TOWN_A_PROBLEMS = ALL_PROBLEMS - {"主题党日未按月开展"}
ALL_TASKS = {"补选支部书记", "建立三会一课台账", "补齐党员档案", "扩建活动场所", "补充党建阵地设施",
             "制定主题党日计划"}
A1_TASKS = {"补选支部书记", "建立三会一课台账", "补齐党员档案"}
A2_TASKS = {"扩建活动场所", "补充党建阵地设施"}


# ---------------------------------------------------------------- who may read


@pytest.mark.parametrize("name", LISTS + EXPORTS)
def test_anonymous_goes_to_login(client, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", LISTS + EXPORTS)
def test_get_only(client_for, people, name):
    assert client_for(people.alice).post(url(name)).status_code == 405


@pytest.mark.parametrize("name", LISTS + EXPORTS)
def test_a_user_without_a_role_is_refused(client_for, people, name):
    assert client_for(people.nobody).get(url(name)).status_code == 403


def test_nav_shows_rectification_to_any_role(client_for, people, board):
    link = f'href="{url("task_list")}"'
    for who in ("alice", "dave", "harry", "victor"):
        assert link in client_for(getattr(people, who)).get(url("problem_list")).content.decode()
    assert link not in client_for(people.nobody).get(reverse("home")).content.decode()


# ---------------------------------------------------------------- scoping


@pytest.mark.parametrize("who, expected", [
    ("alice", ALL_TASKS),
    ("root", ALL_TASKS),
    ("bob", A1_TASKS | A2_TASKS),
    ("victor", A1_TASKS | A2_TASKS),
    ("charlie", {"制定主题党日计划"}),
    ("dave", A1_TASKS),
    ("erin", A2_TASKS),
    ("harry", A2_TASKS),
])
def test_task_list_is_scoped(client_for, people, board, elsewhere, who, expected):
    seen = set(tasks(client_for(getattr(people, who)).get(url("task_list"))))
    if who == "root":
        expected = expected | {"邻县的措施"}
    assert seen == expected


@pytest.mark.parametrize("who, expected", [
    ("alice", ALL_PROBLEMS),
    ("bob", TOWN_A_PROBLEMS),
    ("charlie", {"主题党日未按月开展"}),
    ("dave", {"村党支部书记长期空缺", "党员档案不全"}),
    ("harry", {"活动场所面积不足", "三会一课记录缺失"}),
])
def test_problem_list_is_scoped(client_for, people, board, elsewhere, who, expected):
    assert set(problems(client_for(getattr(people, who)).get(url("problem_list")))) == expected


def test_another_county_sees_only_its_own(client_for, people, board, elsewhere):
    client = client_for(elsewhere.zoe)
    assert problems(client.get(url("problem_list"))) == ["邻县的问题"]
    assert tasks(client.get(url("task_list"))) == ["邻县的措施"]
    assert set(persons(client.get(url("responsibility_list")))) == {"邻县书记"}
    assert set(matrix(client.get(url("status_list")))) == {"邻县某镇党委"}
    # And alice's county has nothing of theirs.
    alice = client_for(people.alice)
    assert "邻县书记" not in persons(alice.get(url("responsibility_list")))
    assert "邻县某镇党委" not in matrix(alice.get(url("status_list")))


def test_grouped_lists_are_scoped(client_for, people, board):
    assert set(persons(client_for(people.alice).get(url("responsibility_list")))) == {
        "陈书记", "刘书记", "王书记"}
    assert set(persons(client_for(people.bob).get(url("responsibility_list")))) == {
        "陈书记", "刘书记"}
    assert set(persons(client_for(people.charlie).get(url("responsibility_list")))) == {"王书记"}
    assert set(persons(client_for(people.harry).get(url("responsibility_list")))) == {"刘书记"}
    assert set(matrix(client_for(people.charlie).get(url("status_list")))) == {"西湖乡党委"}


def test_a_committee_outside_the_scope_is_ignored_not_widened(client_for, people, county, board):
    response = client_for(people.bob).get(url("task_list"), {"committee": county.town_b.pk})
    assert set(tasks(response)) == A1_TASKS | A2_TASKS
    assert 'data-testid="filter-errors"' in response.content.decode()
    response = client_for(people.bob).get(url("problem_list"), {"committee": county.town_b.pk})
    assert set(problems(response)) == TOWN_A_PROBLEMS


def test_create_button_only_for_managers(client_for, people, board):
    create = url("problem_create")
    assert create in client_for(people.bob).get(url("problem_list")).content.decode()
    assert create in client_for(people.alice).get(url("problem_list")).content.decode()
    for who in ("victor", "dave", "harry"):
        page = client_for(getattr(people, who)).get(url("problem_list")).content.decode()
        assert create not in page, who


# ---------------------------------------------------------------- 问题清单


def test_problem_rows_count_their_tasks(client_for, people, board):
    response = client_for(people.alice).get(url("problem_list"))
    rows = {p.description: (p.n_tasks, p.n_closed) for p in response.context["problems"]}
    assert rows == {
        "村党支部书记长期空缺": (2, 0), "党员档案不全": (1, 1), "活动场所面积不足": (2, 1),
        "三会一课记录缺失": (0, 0), "主题党日未按月开展": (1, 0),
    }
    page = response.content.decode()
    assert url("problem_detail", board.p_vacant.pk) in page
    assert "1 / 2" in page  # 活动场所面积不足: one of two closed
    summary = {c["key"]: c["n"] for c in response.context["summary"]}
    assert summary == {"total": 5, "no_task": 1, "rectifying": 3, "done": 1, "high": 2}


@pytest.mark.parametrize("params, expected", [
    ({"status": "no_task"}, {"三会一课记录缺失"}),
    ({"status": "rectifying"}, {"村党支部书记长期空缺", "活动场所面积不足", "主题党日未按月开展"}),
    ({"status": "done"}, {"党员档案不全"}),
    ({"severity": "high"}, {"村党支部书记长期空缺", "主题党日未按月开展"}),
    ({"source": "spot_check"}, {"活动场所面积不足"}),
    ({"source": "inspection"}, {"主题党日未按月开展"}),
    ({"overdue": "1"}, {"村党支部书记长期空缺", "主题党日未按月开展"}),
    ({"category": "community"}, {"主题党日未按月开展"}),
    ({"q": "柳树"}, {"活动场所面积不足", "三会一课记录缺失"}),  # organization name
    ({"q": "B1"}, {"主题党日未按月开展"}),  # organization code
    ({"q": "档案"}, {"党员档案不全"}),  # description
    ({"q": "王书记"}, {"主题党日未按月开展"}),  # a task's responsible person
    ({"q": "阵地设施"}, {"活动场所面积不足"}),  # a task's measure
    ({"q": "李强"}, {"村党支部书记长期空缺", "活动场所面积不足"}),  # a task's leader
    ({"severity": "low", "status": "no_task"}, {"三会一课记录缺失"}),
])
def test_problem_filters(client_for, people, county, board, params, expected):
    if params.get("category") == "community":
        params = {"category": category("community").pk}
    assert set(problems(client_for(people.alice).get(url("problem_list"), params))) == expected


def test_problem_filters_by_committee_and_deadline(client_for, people, county, board):
    client = client_for(people.alice)
    assert set(problems(client.get(url("problem_list"), {"committee": county.town_b.pk}))) == {
        "主题党日未按月开展"}
    today = timezone.localdate()
    # A problem is in the range when one of its tasks is due in it (t_venue in 40 days).
    window = {"deadline_from": (today + timedelta(days=35)).isoformat(),
              "deadline_to": (today + timedelta(days=45)).isoformat()}
    assert problems(client.get(url("problem_list"), window)) == ["活动场所面积不足"]


def test_problem_sorts(client_for, people, board):
    client = client_for(people.alice)
    assert problems(client.get(url("problem_list")))[0] == "主题党日未按月开展"  # newest found
    assert problems(client.get(url("problem_list"), {"sort": "found_on"}))[0] == "村党支部书记长期空缺"
    by_severity = problems(client.get(url("problem_list"), {"sort": "severity"}))
    assert set(by_severity[:2]) == {"村党支部书记长期空缺", "主题党日未按月开展"}
    assert set(by_severity[3:]) == {"党员档案不全", "三会一课记录缺失"}
    assert problems(client.get(url("problem_list"), {"sort": "org"}))[-1] == "主题党日未按月开展"


# ---------------------------------------------------------------- 任务清单


@pytest.mark.parametrize("params, expected", [
    ({"status": "open"}, {"补选支部书记", "制定主题党日计划"}),
    ({"status": "closed"}, {"补齐党员档案", "补充党建阵地设施"}),
    ({"status": "awaiting_check"}, {"扩建活动场所"}),
    ({"overdue": "1"}, {"补选支部书记", "制定主题党日计划"}),
    ({"q": "柳树"}, A2_TASKS),  # organization name
    ({"q": "a1"}, A1_TASKS),  # organization code, any case
    ({"q": "台账"}, {"建立三会一课台账"}),  # measure
    ({"q": "面积"}, A2_TASKS),  # the problem's description
    ({"q": "刘书记"}, A2_TASKS),  # responsible person
    ({"q": "赵刚"}, {"制定主题党日计划"}),  # responsible leader
    ({"status": "open", "overdue": "1", "q": "东坝"}, {"补选支部书记"}),
])
def test_task_filters(client_for, people, board, params, expected):
    assert set(tasks(client_for(people.alice).get(url("task_list"), params))) == expected


def test_task_filters_by_committee_category_and_deadline(client_for, people, county, board):
    client = client_for(people.alice)
    assert set(tasks(client.get(url("task_list"), {"committee": county.town_a.pk}))) == (
        A1_TASKS | A2_TASKS)
    assert tasks(client.get(url("task_list"), {"category": category("community").pk})) == [
        "制定主题党日计划"]
    assert tasks(client.get(url("task_list"), {"category": "none"})) == []
    today = timezone.localdate()
    response = client.get(url("task_list"), {
        "deadline_from": (today - timedelta(days=4)).isoformat(),
        "deadline_to": (today + timedelta(days=10)).isoformat(),
    })
    assert tasks(response) == ["补齐党员档案", "制定主题党日计划", "补充党建阵地设施"]


def test_task_list_shows_overdue_badges_and_progress(client_for, people, board):
    response = client_for(people.alice).get(url("task_list"))
    page = response.content.decode()
    assert page.count('data-testid="overdue"') == 2
    assert url("task_detail", board.t_elect.pk) in page
    assert 'aria-valuenow="40"' in page
    assert [c["n"] for c in response.context["summary"]] == [6, 2, 1, 1, 2, 2]


def test_task_sorts(client_for, people, board):
    client = client_for(people.alice)
    by_deadline = tasks(client.get(url("task_list")))
    assert by_deadline[0] == "补选支部书记" and by_deadline[-1] == "扩建活动场所"
    assert tasks(client.get(url("task_list"), {"sort": "-deadline"})) == by_deadline[::-1]
    assert tasks(client.get(url("task_list"), {"sort": "-progress"}))[-1] in {
        "补选支部书记", "制定主题党日计划"}
    assert tasks(client.get(url("task_list"), {"sort": "org"}))[-1] == "制定主题党日计划"


@pytest.mark.parametrize("params", [
    {"status": "bogus"},
    {"deadline_from": "2026-13-45"},
    {"deadline_from": "2026-05-01", "deadline_to": "2026-04-01"},
    {"person": "no-colon"},
    {"person": "x:陈书记"},
    {"sort": "measure; drop table"},
    {"category": "999999"},
    {"page": "abc"},
])
def test_bad_filters_are_ignored_and_shown(client_for, people, board, params):
    response = client_for(people.alice).get(url("task_list"), params)
    assert set(tasks(response)) == ALL_TASKS
    if "page" not in params:
        assert 'data-testid="filter-errors"' in response.content.decode()


def test_person_filter(client_for, people, board):
    client = client_for(people.alice)
    dave_key = f"{people.dave.pk}:陈书记"
    response = client.get(url("task_list"), {"person": dave_key})
    assert set(tasks(response)) == A1_TASKS
    assert 'data-testid="person-filter"' in response.content.decode()
    assert set(tasks(client.get(url("task_list"), {"person": ":刘书记"}))) == A2_TASKS
    # The same name without the user is another person.
    assert tasks(client.get(url("task_list"), {"person": ":陈书记"})) == []
    assert tasks(client.get(url("task_list"), {"person": dave_key, "status": "closed"})) == [
        "补齐党员档案"]
    # Scoped like everything: charlie does not see 陈书记's tasks through the filter.
    assert tasks(client_for(people.charlie).get(url("task_list"), {"person": dave_key})) == []


def test_task_table_fragment_for_htmx(client_for, people, board):
    response = client_for(people.alice).get(
        url("task_list"), {"person": ":刘书记"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert set(tasks(response)) == A2_TASKS
    assert 'data-testid="task-table"' in page


# ---------------------------------------------------------------- 责任清单


def test_responsibility_counts(client_for, people, board):
    response = client_for(people.alice).get(url("responsibility_list"))
    rows = persons(response)
    assert rows["陈书记"] == {"total": 3, "n_open": 1, "n_in_progress": 1, "n_awaiting_check": 0,
                             "n_closed": 1, "n_overdue": 1}
    assert rows["刘书记"] == {"total": 2, "n_open": 0, "n_in_progress": 0, "n_awaiting_check": 1,
                             "n_closed": 1, "n_overdue": 0}
    assert rows["王书记"]["n_overdue"] == 1
    dave_row = next(r for r in response.context["rows"] if r.name == "陈书记")
    assert dave_row.user_name == people.dave.full_name
    assert dave_row.key == f"{people.dave.pk}:陈书记"


def test_responsibility_links_reach_the_persons_tasks(client_for, people, board):
    client = client_for(people.alice)
    response = client.get(url("responsibility_list"), {"q": "补选"})
    row = next(r for r in response.context["rows"] if r.name == "陈书记")
    # The person's link keeps the page's filters.
    assert set(tasks(client.get(row.url))) == {"补选支部书记"}
    hrefs = {cell["key"]: cell["href"] for cell in row.cells}
    assert tasks(client.get(hrefs["n_overdue"])) == ["补选支部书记"]
    counts = {cell["key"]: cell["n"] for cell in row.cells}
    assert counts["n_closed"] == 0  # _figure.html shows a zero, not a link
    page = client.get(url("responsibility_list")).content.decode()
    assert 'hx-get="' in page and 'data-testid="expand"' in page


def test_responsibility_sorts_and_filters(client_for, people, county, board):
    client = client_for(people.alice)
    assert list(persons(client.get(url("responsibility_list"), {"sort": "-total"})))[0] == "陈书记"
    most_overdue = list(persons(client.get(url("responsibility_list"), {"sort": "-overdue"})))
    assert most_overdue[-1] == "刘书记"
    assert set(persons(client.get(url("responsibility_list"),
                                  {"committee": county.town_b.pk}))) == {"王书记"}
    assert set(persons(client.get(url("responsibility_list"), {"q": "扩建"}))) == {"刘书记"}


# ---------------------------------------------------------------- 整改清单


def test_status_matrix(client_for, people, county, board):
    client = client_for(people.alice)
    response = client.get(url("status_list"))
    rows = matrix(response)
    assert rows["东坝镇党委"] == {"total": 5, "n_open": 1, "n_in_progress": 1,
                                "n_awaiting_check": 1, "n_closed": 2, "n_overdue": 1}
    assert rows["西湖乡党委"] == {"total": 1, "n_open": 1, "n_in_progress": 0,
                                "n_awaiting_check": 0, "n_closed": 0, "n_overdue": 1}
    totals = {c["key"]: c["n"] for c in response.context["totals"]}
    assert totals == {"total": 6, "n_open": 2, "n_in_progress": 1, "n_awaiting_check": 1,
                      "n_closed": 2, "n_overdue": 2}
    # Every figure lists exactly what it counts.
    for row in response.context["rows"]:
        for cell in row.cells:
            if cell["href"]:
                assert len(tasks(client.get(cell["href"]))) == cell["n"], (row.name, cell)
    town_a = next(r for r in response.context["rows"] if r.name == "东坝镇党委")
    assert f"committee={county.town_a.pk}" in town_a.cells[1]["href"]
    groups = {g["key"]: g for g in response.context["groups"]}
    assert [t.measure for t in groups["n_overdue"]["tasks"]] == ["补选支部书记", "制定主题党日计划"]
    assert groups["n_closed"]["tasks"] is None and groups["n_closed"]["n"] == 2
    assert [t.measure for t in groups["n_awaiting_check"]["tasks"]] == ["扩建活动场所"]


def test_status_matrix_follows_the_filters(client_for, people, board):
    client = client_for(people.alice)
    response = client.get(url("status_list"), {"q": "柳树"})
    # Every committee of the scope stays a row, with what the filters leave of it.
    assert matrix(response) == {
        "东坝镇党委": {"total": 2, "n_open": 0, "n_in_progress": 0, "n_awaiting_check": 1,
                    "n_closed": 1, "n_overdue": 0},
        "西湖乡党委": {"total": 0, "n_open": 0, "n_in_progress": 0, "n_awaiting_check": 0,
                    "n_closed": 0, "n_overdue": 0},
    }
    # The figures carry the search to the task list.
    row = response.context["rows"][0]
    assert "q=" in row.cells[0]["href"]
    assert set(tasks(client.get(row.cells[0]["href"]))) == A2_TASKS


def test_status_matrix_below_the_committee_level(client_for, people, board):
    """dave's scope is his branch: his row is named after its committee but not a
    committee filter he could use."""
    response = client_for(people.dave).get(url("status_list"))
    assert matrix(response) == {"东坝镇党委": {"total": 3, "n_open": 1, "n_in_progress": 1,
                                              "n_awaiting_check": 0, "n_closed": 1,
                                              "n_overdue": 1}}
    row = response.context["rows"][0]
    assert not row.linked and all(cell["href"] == "" for cell in row.cells)
    # The group figures still link to his (scoped) task list.
    groups = {g["key"]: g for g in response.context["groups"]}
    assert set(tasks(client_for(people.dave).get(groups["n_open"]["href"]))) == {"补选支部书记"}


def test_harry_sees_only_a2_everywhere(client_for, people, board):
    client = client_for(people.harry)
    assert set(tasks(client.get(url("task_list")))) == A2_TASKS
    assert matrix(client.get(url("status_list")))["东坝镇党委"]["total"] == 2
    assert set(persons(client.get(url("responsibility_list")))) == {"刘书记"}


# ---------------------------------------------------------------- query counts

SIZES = [100, 5000]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}tasks")
def big(request, county, people):
    bulk_board(county, people, request.param)
    return request.param


@pytest.fixture(params=["alice", "bob", "dave", "root"])
def reader(request, people):
    return getattr(people, request.param)


def test_problem_list_queries(client_for, reader, big, county, django_assert_max_num_queries):
    client = client_for(reader)
    expected = Problem.objects.visible_to(reader).count()
    # 1-3 session, user, grants; 4 the committees (filter choices); 5 categories;
    # 6 count; 7 the page of problems with organization, item, finder and task counts
    # (one grouped join); 8 the summary figures (one aggregate).
    with django_assert_max_num_queries(8):
        response = client.get(url("problem_list"), {"q": "问题", "sort": "severity"})
    assert response.status_code == 200
    assert len(response.context["problems"]) == min(50, expected)
    assert response.context["page_obj"].paginator.count == expected


def test_task_list_queries(client_for, reader, big, county, django_assert_max_num_queries):
    client = client_for(reader)
    expected = RectificationTask.objects.visible_to(reader).count()
    # 1-3 session, user, grants; 4 the committees; 5 categories; 6 count; 7 the page of
    # tasks with organization, problem and responsible user; 8 the summary figures.
    with django_assert_max_num_queries(8):
        response = client.get(url("task_list"), {"sort": "org", "deadline_to": "2100-01-01"})
    assert response.status_code == 200
    assert len(response.context["tasks"]) == min(50, expected)
    assert response.context["summary"][0]["n"] == expected


def test_responsibility_list_queries(client_for, reader, big, django_assert_max_num_queries):
    client = client_for(reader)
    # 1-3 session, user, grants; 4 the committees; 5 categories; 6 count of the people;
    # 7 the page of people with their figures (one grouped query); 8 the summary figures.
    with django_assert_max_num_queries(8):
        response = client.get(url("responsibility_list"), {"sort": "-overdue"})
    assert response.status_code == 200
    expected = (RectificationTask.objects.visible_to(reader)
                .values("responsible_name", "responsible_id").distinct().count())
    assert len(response.context["rows"]) == expected
    assert (reader.username == "dave") == (expected == 0)


def test_status_list_queries(client_for, reader, big, django_assert_max_num_queries):
    client = client_for(reader)
    # 1-3 session, user, grants; 4 the committees (filter choices and matrix rows);
    # 5 categories; 6 the matrix (one grouped query); 7 the names of rows that are
    # not the user's committees (dave's only); 8 the previews of the unclosed statuses
    # (one window query); 9 the overdue preview.
    with django_assert_max_num_queries(9):
        response = client.get(url("status_list"))
    assert response.status_code == 200
    totals = {c["key"]: c["n"] for c in response.context["totals"]}
    if reader.username in ("alice", "root"):
        assert totals["total"] == big
    for group in response.context["groups"]:
        if group["tasks"] is not None:
            assert len(group["tasks"]) <= 10


def test_task_fragment_queries(client_for, people, big, django_assert_max_num_queries):
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4 the committees; 5 categories; 6 count; 7 the page.
    with django_assert_max_num_queries(7):
        response = client.get(url("task_list"), {"person": ":责任人1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_statuses_are_the_models(board):
    """The lists' groups follow TaskStatus: a new status needs a column here."""
    assert TaskStatus.values == ["open", "in_progress", "awaiting_check", "closed"]

"""挂图作战: the layout arithmetic, the page's scope and filters, its cost, and the export."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orgs.models import Level, Role
from rectification import excel_wallchart as excel
from rectification import wallchart as chart
from rectification.models import Problem, ProblemSource, RectificationTask, TaskStatus
from rectification.wallchart import Timeline, bar, monday, timeline, tone, week_label

from ..factories import (
    AssignmentFactory,
    OrganizationFactory,
    UserFactory,
    add_many_branches,
    category,
)

WEEK = timedelta(days=7)
URL = reverse("rectification:wall_chart")
EXPORT_URL = reverse("rectification:wall_chart_export")


# ---------------------------------------------------------------- layout (no database)

THU = date(2026, 11, 19)  # a Thursday; its week starts on Monday 11/16


def test_weeks_start_on_monday_and_read_month_day():
    assert monday(THU) == date(2026, 11, 16)
    assert monday(date(2026, 11, 16)) == date(2026, 11, 16)
    assert monday(date(2026, 11, 22)) == date(2026, 11, 16)  # Sunday ends the ISO week
    assert week_label(date(2026, 11, 16)) == "11/16"
    assert week_label(date(2027, 1, 4)) == "1/4"


def test_without_tasks_four_weeks_back_and_eight_ahead():
    line = timeline(earliest_start=None, latest_deadline=None, today=THU)
    assert line.first == date(2026, 10, 19)
    assert line.count == 13
    assert line.last == date(2027, 1, 11)
    assert line.today_column == 4
    assert not line.capped
    weeks = line.weeks
    assert [w.label for w in weeks[:3]] == ["10/19", "10/26", "11/2"]
    assert [w.index for w in weeks if w.is_current] == [4]
    assert weeks[2].new_month and not weeks[1].new_month


def test_range_runs_from_the_earliest_start_to_the_latest_deadline():
    line = timeline(earliest_start=date(2026, 10, 1), latest_deadline=date(2026, 12, 31), today=THU)
    assert line.first == date(2026, 9, 28)
    assert line.last == date(2026, 12, 28)
    assert line.count == 14
    assert line.today_column == 7


def test_today_is_always_on_the_chart():
    later = timeline(earliest_start=date(2027, 3, 1), latest_deadline=date(2027, 4, 1), today=THU)
    assert later.first == date(2026, 11, 16) and later.today_column == 0
    earlier = timeline(earliest_start=date(2026, 1, 5), latest_deadline=date(2026, 2, 1), today=THU)
    assert earlier.last == date(2026, 11, 16) and earlier.today_column == earlier.count - 1


def test_more_than_52_weeks_is_capped_around_today():
    line = timeline(earliest_start=date(2024, 1, 3), latest_deadline=date(2029, 6, 1), today=THU)
    assert line.capped and line.count == 52
    assert line.first == date(2026, 10, 19)  # four weeks before today's week
    assert line.today_column == 4
    assert line.wanted_first == date(2024, 1, 1) and line.wanted_last == date(2029, 5, 28)


def test_a_capped_window_ends_at_the_last_deadline():
    line = timeline(earliest_start=date(2024, 1, 3), latest_deadline=THU + 10 * WEEK, today=THU)
    assert line.capped and line.count == 52
    assert line.last == date(2027, 1, 25)
    assert line.first == line.last - 51 * WEEK
    assert line.today_column == 41


def test_exactly_52_weeks_is_not_capped():
    line = timeline(earliest_start=date(2026, 1, 5), latest_deadline=date(2026, 12, 28), today=THU)
    assert line.count == 52 and not line.capped


def test_bar_columns_from_start_week_to_deadline_week():
    line = Timeline(first=date(2026, 11, 2), count=10, today=THU)
    b = bar(line, date(2026, 11, 18), date(2026, 12, 4))  # weeks of 11/16 .. 11/30
    assert (b.start, b.end, b.visible, b.cut_before, b.cut_after) == (2, 4, True, False, False)
    assert b.grid_column == "4 / 7"  # line 1 is before the label column
    assert b.covers(2) and b.covers(4) and not b.covers(5)
    one_week = bar(line, date(2026, 11, 2), date(2026, 11, 8))
    assert (one_week.start, one_week.end) == (0, 0)


def test_bar_cut_at_the_edges_or_outside():
    line = Timeline(first=date(2026, 11, 2), count=10, today=THU)
    cut = bar(line, date(2026, 9, 1), date(2027, 3, 1))
    assert (cut.start, cut.end, cut.cut_before, cut.cut_after) == (0, 9, True, True)
    before = bar(line, date(2026, 9, 1), date(2026, 10, 1))
    assert not before.visible and before.cut_before and not before.covers(0)
    after = bar(line, date(2027, 3, 1), date(2027, 4, 1))
    assert not after.visible and after.cut_after


def test_start_after_deadline_draws_on_the_deadline():
    line = Timeline(first=date(2026, 11, 2), count=10, today=THU)
    b = bar(line, date(2026, 12, 20), date(2026, 11, 20))
    assert (b.start, b.end) == (2, 2)


def test_tone_is_status_or_red_when_overdue():
    assert tone(TaskStatus.OPEN, THU + WEEK, THU) == "open"
    assert tone(TaskStatus.IN_PROGRESS, THU, THU) == "in_progress"  # due today: not yet late
    assert tone(TaskStatus.AWAITING_CHECK, THU - timedelta(days=1), THU) == "overdue"
    assert tone(TaskStatus.OPEN, THU - timedelta(days=1), THU) == "overdue"
    assert tone(TaskStatus.CLOSED, THU - WEEK, THU) == "closed"
    assert chart.TONE_COLORS["overdue"] == "DC3545"


def test_today_line_sits_in_todays_day():
    line = Timeline(first=date(2026, 11, 2), count=10, today=THU)
    assert line.today_column == 2
    assert line.today_percent == 50  # Thursday: the middle of the week
    assert Timeline(first=date(2026, 11, 2), count=10, today=date(2026, 11, 16)).today_percent == 7


def test_print_stylesheet_is_a3_landscape():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "wallchart.css").read_text()
    assert "size: A3 landscape" in css and "margin: 10mm" in css
    assert "print-color-adjust: exact" in css
    assert "break-inside: avoid" in css
    for key, color in chart.TONE_COLORS.items():
        assert f".wc-tone-{key} {{ background-color: #{color.lower()};" in css


# ---------------------------------------------------------------- data


def today():
    return timezone.localdate()


def add_tasks(org, by, specs):
    """Tasks straight into the tables (bulk, not through the services): `specs` are
    dicts of field overrides. One problem per organization."""
    problem = Problem.objects.create(
        organization=org, source=ProblemSource.MANUAL, description=f"{org.name}的问题"
    )
    tasks = [
        RectificationTask(
            problem=problem, organization=org, created_by=by,
            **{"measure": f"{org.name}整改措施{i}", "responsible_name": f"责任人{i}",
               "starts_on": today() - WEEK, "deadline": today() + 2 * WEEK, **spec},
        )
        for i, spec in enumerate(specs)
    ]
    return RectificationTask.objects.bulk_create(tasks)


@pytest.fixture
def other_county(db):
    root = OrganizationFactory(code="D", name="红岭县委", level=Level.COUNTY, category=None)
    town = OrganizationFactory(parent=root, code="D_T", name="红岭镇党委", level=Level.COMMITTEE,
                               category=None)
    branch = OrganizationFactory(parent=town, code="D_1", name="红岭村党支部")
    user = UserFactory(username="dan", full_name="红岭县 组织部")
    AssignmentFactory(user=user, organization=root, role=Role.COUNTY_STAFF)
    return branch, user


@pytest.fixture
def board(county, people, other_county):
    """One open task on each organization (A1 also a closed one and an overdue one)."""
    alice = people.alice
    add_tasks(county.branch_a1, alice, [
        {"measure": "补选支部书记", "responsible_name": "陈书记", "status": TaskStatus.IN_PROGRESS},
        {"measure": "规范三会一课记录", "status": TaskStatus.CLOSED,
         "deadline": today() - WEEK, "starts_on": today() - 3 * WEEK},
        {"measure": "整修活动室", "status": TaskStatus.OPEN, "deadline": today() - timedelta(days=1),
         "starts_on": today() - 2 * WEEK},
    ])
    add_tasks(county.branch_a2, alice, [{"measure": "建立党员积分台账",
                                         "status": TaskStatus.AWAITING_CHECK}])
    add_tasks(county.town_a, alice, [{"measure": "镇党委督导整改"}])
    add_tasks(county.branch_b1, alice, [{"measure": "社区阵地提升", "deadline": today() + 6 * WEEK}])
    branch, dan = other_county
    add_tasks(branch, dan, [{"measure": "红岭村整改"}])


def measures(response):
    return {t.measure for g in response.context["groups"] for o in g.orgs for t in o.tasks}


def org_codes(response):
    return [o.code for g in response.context["groups"] for o in g.orgs]


OPEN_A = {"补选支部书记", "整修活动室", "建立党员积分台账", "镇党委督导整改"}


# ---------------------------------------------------------------- scope


def test_anonymous_is_sent_to_login(client, board):
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_get_only(client_for, people, board):
    client = client_for(people.bob)
    assert client.post(URL).status_code == 405
    assert client.post(EXPORT_URL).status_code == 405


def test_committee_sees_its_town_only(client_for, people, board):
    response = client_for(people.bob).get(URL)
    assert response.status_code == 200
    assert measures(response) == OPEN_A
    assert org_codes(response) == ["A", "A1", "A2"]  # by path: the committee, then its branches
    assert [g.name for g in response.context["groups"]] == ["东坝镇党委"]
    assert response.context["summary"].tasks == 4


def test_next_door_committee_sees_none_of_town_a(client_for, people, county, board):
    client = client_for(people.charlie)
    assert measures(client.get(URL)) == {"社区阵地提升"}
    # Town A is not among charlie's committees: the filter is refused, not obeyed.
    response = client.get(URL, {"committee": county.town_a.pk})
    assert response.status_code == 200
    assert response.context["form"].errors.get("committee")
    assert measures(response) == {"社区阵地提升"}


def test_secretaries_helpers_and_viewers(client_for, people, board):
    assert measures(client_for(people.dave).get(URL)) == {"补选支部书记", "整修活动室"}
    assert measures(client_for(people.erin).get(URL)) == {"建立党员积分台账"}
    assert measures(client_for(people.harry).get(URL)) == {"建立党员积分台账"}
    assert measures(client_for(people.victor).get(URL)) == OPEN_A


def test_county_sees_its_county_and_not_the_next(client_for, people, other_county, board):
    everything = OPEN_A | {"社区阵地提升"}
    assert measures(client_for(people.alice).get(URL)) == everything
    _branch, dan = other_county
    assert measures(client_for(dan).get(URL)) == {"红岭村整改"}
    assert measures(client_for(people.root).get(URL)) == everything | {"红岭村整改"}


def test_no_role_sees_an_empty_chart(client_for, people, board):
    response = client_for(people.nobody).get(URL)
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert b'data-testid="wc-empty"' in response.content


# ---------------------------------------------------------------- filters


def test_closed_tasks_when_asked(client_for, people, board):
    client = client_for(people.dave)
    assert "规范三会一课记录" not in measures(client.get(URL))
    assert measures(client.get(URL, {"status": "all"})) == {"补选支部书记", "整修活动室", "规范三会一课记录"}
    assert measures(client.get(URL, {"status": "closed"})) == {"规范三会一课记录"}
    assert measures(client.get(URL, {"status": "in_progress"})) == {"补选支部书记"}


def test_overdue_only(client_for, people, board):
    response = client_for(people.alice).get(URL, {"overdue": "1", "status": "all"})
    assert measures(response) == {"整修活动室"}
    assert response.context["summary"].overdue == 1


def test_committee_category_deadline_and_search(client_for, people, county, board):
    client = client_for(people.alice)
    assert measures(client.get(URL, {"committee": county.town_b.pk})) == {"社区阵地提升"}
    community = category("community")
    assert measures(client.get(URL, {"category": community.pk})) == {"社区阵地提升"}
    assert measures(client.get(URL, {"category": "none"})) == {"镇党委督导整改"}
    upto = (today() + 3 * WEEK).isoformat()
    assert "社区阵地提升" not in measures(client.get(URL, {"deadline_to": upto}))
    since = (today() + 3 * WEEK).isoformat()
    assert measures(client.get(URL, {"deadline_from": since})) == {"社区阵地提升"}
    assert measures(client.get(URL, {"q": "陈书记"})) == {"补选支部书记"}
    assert measures(client.get(URL, {"q": "柳树村"})) == {"建立党员积分台账"}


def test_bad_filters_are_shown_and_ignored(client_for, people, board):
    response = client_for(people.bob).get(
        URL, {"deadline_from": "2026-13-45", "status": "nonsense", "page": "x"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"deadline_from", "status"}
    assert b'data-testid="filter-errors"' in response.content
    assert measures(response) == OPEN_A
    reversed_range = client_for(people.bob).get(
        URL, {"deadline_from": "2027-01-01", "deadline_to": "2026-01-01"}
    )
    assert reversed_range.status_code == 200
    assert "deadline_to" in reversed_range.context["form"].errors


# ---------------------------------------------------------------- the drawing


def test_bars_coloured_by_status_with_today_line_and_legend(client_for, people, board):
    response = client_for(people.dave).get(URL, {"status": "all"})
    line = response.context["line"]
    rows = {t.measure: t for g in response.context["groups"] for o in g.orgs for t in o.tasks}
    assert rows["补选支部书记"].tone == "in_progress"
    assert rows["整修活动室"].tone == "overdue"
    assert rows["规范三会一课记录"].tone == "closed"
    # The earliest start (3 weeks back) sets the first week; the task starting a week
    # ago ends two weeks ahead.
    assert line.first == monday(today() - 3 * WEEK)
    t = rows["补选支部书记"]
    start = (monday(today() - WEEK) - line.first).days // 7
    assert (t.bar.start, t.bar.end) == (start, start + 3)
    html = response.content.decode()
    assert f'style="grid-column: {start + 2} / {start + 6}"' in html
    assert 'class="wc-bar wc-tone-overdue' in html
    assert 'class="wc-bar wc-tone-closed' in html
    assert 'data-testid="wc-today"' in html
    assert html.count('class="wc-today"') == 1 + 1 + 3  # header, one organization, three tasks
    assert 'data-testid="wc-legend"' in html
    assert html.count('data-testid="wc-week"') == line.count
    assert "css/wallchart.css" in html


def test_capped_range_is_noted(client_for, people, county, board):
    add_tasks(county.branch_a1, people.alice, [
        {"measure": "三年规划", "starts_on": today() - 100 * WEEK, "deadline": today() + 60 * WEEK},
    ])
    response = client_for(people.dave).get(URL)
    assert response.context["line"].count == 52
    assert b'data-testid="wc-capped"' in response.content
    row = next(t for g in response.context["groups"] for o in g.orgs for t in o.tasks
               if t.measure == "三年规划")
    assert row.bar.cut_before and row.bar.cut_after
    ws = read_export(client_for(people.dave).get(EXPORT_URL))
    assert len(ws[3]) == 8 + 52
    assert "仅列出 52 周" in ws["A2"].value


def test_pages_of_organizations_with_the_total(client_for, people, county):
    branches = add_many_branches(county.town_a, 45, prefix="P")
    for org in branches:
        add_tasks(org, people.alice, [{}, {}])
    client = client_for(people.bob)
    first = client.get(URL)
    assert len(org_codes(first)) == chart.ORGS_PER_PAGE
    assert first.context["summary"].tasks == 90
    assert first.context["summary"].organizations == 45
    assert first.context["page_obj"].paginator.count == 45
    second = client.get(URL, {"page": 2})
    assert len(org_codes(second)) == 5
    assert not set(org_codes(first)) & set(org_codes(second))


def test_an_organization_with_very_many_tasks_shows_the_first(client_for, people, county):
    add_tasks(county.branch_a1, people.alice, [
        {"deadline": today() + timedelta(days=i)} for i in range(chart.MAX_TASKS_PER_ORG + 5)
    ])
    response = client_for(people.dave).get(URL)
    (org,) = [o for g in response.context["groups"] for o in g.orgs]
    assert len(org.tasks) == chart.MAX_TASKS_PER_ORG and org.more == 5
    assert org.tasks[0].deadline == today()  # the soonest deadlines first
    assert b'data-testid="wc-more"' in response.content


# ---------------------------------------------------------------- cost at two sizes


@pytest.fixture(params=[100, 5000], ids=lambda n: f"{n}tasks")
def many(request, county, people):
    """`n` tasks over 50 branches of each town, bulk-created."""
    n = request.param
    orgs = add_many_branches(county.town_a, 50, prefix="QA") + add_many_branches(
        county.town_b, 50, prefix="QB"
    )
    problems = Problem.objects.bulk_create([
        Problem(organization=org, source=ProblemSource.MANUAL, description="问题") for org in orgs
    ])
    statuses = TaskStatus.values
    RectificationTask.objects.bulk_create(
        [
            RectificationTask(
                problem=problems[i % len(orgs)], organization=orgs[i % len(orgs)],
                created_by=people.alice, measure=f"措施{i}", responsible_name=f"责任人{i % 7}",
                starts_on=today() - timedelta(days=i % 60),
                deadline=today() + timedelta(days=(i % 120) - 30),
                status=statuses[i % len(statuses)],
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    return n


@pytest.mark.parametrize("who", ["alice", "bob", "root"])
def test_page_queries(client_for, people, many, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 the committees and 5 the categories (filter choices);
    # 6 the totals and the week range (one aggregate); 7 the count of organizations;
    # 8 the page of organizations (grouped from the tasks); 9 the page's tasks (ranked,
    # at most MAX_TASKS_PER_ORG each); 10 the page's committee names; 11 the names of
    # the user's scope roots (root: none, 10; its grants come from the menu instead).
    with django_assert_max_num_queries(11):
        response = client.get(URL, {"status": "all"})
    assert response.status_code == 200
    assert response.context["summary"].tasks == (many if who != "bob" else many // 2)
    assert len(org_codes(response)) == chart.ORGS_PER_PAGE


@pytest.mark.parametrize("who", ["alice", "bob", "root"])
def test_export_queries(client_for, people, many, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 the committees and 5 the categories (filter choices);
    # 6 the week range (one aggregate); 7 the names of the user's scope roots; 8 the
    # committee names; 9 the rows (one query, iterated). (root: no grants, no scope names, 7.)
    with django_assert_max_num_queries(9):
        response = client.get(EXPORT_URL, {"status": "all"})
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    ws.reset_dimensions()
    rows = sum(1 for _ in ws.iter_rows(min_row=4, max_col=1))
    assert rows == (many if who != "bob" else many // 2)


# ---------------------------------------------------------------- the export


def read_export(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]


def fill_of(cell):
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    return str(fill.fgColor.rgb)[-6:]


def test_export_rows_and_filled_weeks(client_for, people, board):
    response = client_for(people.bob).get(EXPORT_URL, {"status": "all"})
    ws = read_export(response)
    assert ws["A1"].value == "整改任务挂图作战"
    scope = ws["A2"].value
    assert "东坝镇党委" in scope and "状态 全部（含已销号）" in scope
    assert ws.freeze_panes == "D4"
    headers = [c.value for c in ws[3]]
    assert headers[:8] == ["党(工)委", "党组织", "整改措施", "责任人", "责任领导", "开始日期",
                           "截止日期", "状态"]
    first_week = monday(today() - 3 * WEEK)
    assert headers[8] == week_label(first_week)
    n_weeks = len(headers) - 8
    today_col = 8 + (monday(today()) - first_week).days // 7  # 0-based index in the row
    assert fill_of(ws.cell(row=3, column=today_col + 1)) == excel.TODAY_COLOR

    data = {row[2].value: row for row in ws.iter_rows(min_row=4)}
    assert set(data) == OPEN_A | {"规范三会一课记录"}
    assert [r[1].value for r in ws.iter_rows(min_row=4)] == ["东坝镇党委", "东坝村党支部",
                                                              "东坝村党支部", "东坝村党支部",
                                                              "柳树村党支部"]
    row = data["补选支部书记"]
    assert row[0].value == "东坝镇党委" and row[3].value == "陈书记"
    assert row[5].value.date() == today() - WEEK and row[6].value.date() == today() + 2 * WEEK
    assert row[7].value == "进行中"
    start = 8 + (monday(today() - WEEK) - first_week).days // 7
    filled = [i for i in range(8, 8 + n_weeks) if fill_of(row[i]) == chart.TONE_COLORS["in_progress"]]
    assert filled == list(range(start, start + 4))
    # Outside the bar: empty, but today's column is tinted.
    for i in range(8, 8 + n_weeks):
        if i not in filled:
            assert fill_of(row[i]) == (excel.TODAY_TINT if i == today_col else None)

    overdue = data["整修活动室"]
    assert overdue[7].value == "待整改（已逾期）"
    assert {fill_of(c) for c in overdue[8:] if fill_of(c) not in (None, excel.TODAY_TINT)} == {
        chart.TONE_COLORS["overdue"]
    }
    assert data["规范三会一课记录"][7].value == "已销号"
    assert fill_of(data["规范三会一课记录"][8]) == chart.TONE_COLORS["closed"]
    assert fill_of(data["建立党员积分台账"][8 + (monday(today()) - first_week).days // 7]) == (
        chart.TONE_COLORS["awaiting_check"]
    )


def test_export_follows_scope_and_filters(client_for, people, board):
    ws = read_export(client_for(people.charlie).get(EXPORT_URL))
    assert [r[2].value for r in ws.iter_rows(min_row=4)] == ["社区阵地提升"]
    ws = read_export(client_for(people.alice).get(EXPORT_URL, {"overdue": "1", "q": "活动室"}))
    assert [r[2].value for r in ws.iter_rows(min_row=4)] == ["整修活动室"]
    assert "仅逾期" in ws["A2"].value and "关键词 “活动室”" in ws["A2"].value
    ws = read_export(client_for(people.nobody).get(EXPORT_URL))
    assert ws.max_row == 3  # title, scope, header: nothing in no scope


def test_export_link_carries_the_filters(client_for, people, board):
    response = client_for(people.bob).get(URL, {"overdue": "on", "status": "all", "page": "2"})
    assert response.context["export_query"] == "status=all&overdue=1"

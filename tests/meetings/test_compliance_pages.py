"""The compliance table, its export and who met (meetings/views/compliance.py): the missing
meetings named, the running period in progress, scoped, and a fixed number of queries."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from meetings.compliance import periods_of
from meetings.models import Rhythm
from tests.factories import OrganizationFactory, add_many_branches

from .conftest import TODAY, log

pytestmark = pytest.mark.django_db

TABLE = reverse("meetings:compliance")
EXPORT = reverse("meetings:compliance_export")
WHO_MET = reverse("meetings:who_met")
URLS = [TABLE, EXPORT, WHO_MET]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The pages read the day from timezone.localdate(): pin it to the tests' TODAY."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def fill(org, library, by, *, skip=(), until=TODAY):
    """Every monthly and quarterly meeting of `org` due by `until`, less `skip`
    ((type code, period label) pairs)."""
    for code, t in library.items():
        rule = t.rules.get()
        if rule.rhythm == Rhythm.YEAR:
            continue
        for period in periods_of(rule.rhythm, until.year):
            if period.end >= until or (code, period.label) in skip:
                continue
            if org.founded_on and period.start < org.founded_on:
                continue
            log(org, t, period.start.replace(day=5), by, topic=f"{t.name}{period.label}")


@pytest.fixture
def scenario(library, county, people):
    """A1 misses July's 支委会 and the third quarter's 党员大会, nothing else; A2 holds
    everything; B1 nothing; A9, founded on 20 May, nothing."""
    fill(county.branch_a1, library, people.dave,
         skip={("branch_committee", "2026年7月"), ("branch_assembly", "2026年第三季度")})
    fill(county.branch_a2, library, people.erin)
    a9 = OrganizationFactory(parent=county.town_a, code="A9", name="新建村党支部",
                             founded_on=date(2026, 5, 20))
    return a9


def rows_of(response):
    assert response.status_code == 200
    return {row.org.code: row for row in response.context["rows"]}


def read(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:]


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("url", URLS)
def test_someone_without_a_role_gets_403(client_for, people, url):
    assert client_for(people.nobody).get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_pages_are_get_only(client_for, people, url):
    assert client_for(people.alice).post(url).status_code == 405


@pytest.mark.parametrize("url", URLS)
def test_garbage_parameters_are_ignored(client_for, people, library, url):
    params = {"year": "garbage", "committee": "99999", "type": "x", "page": "-3", "q": "x" * 500,
              "only_missing": "maybe", "period": "week", "date": "2026-13-45", "not_yet": "?"}
    response = client_for(people.alice).get(url, params)
    assert response.status_code == 200


@pytest.mark.parametrize("persona, codes", [
    ("alice", {"A1", "A2", "A9", "B1"}), ("root", {"A1", "A2", "A9", "B1"}),
    ("bob", {"A1", "A2", "A9"}), ("victor", {"A1", "A2", "A9"}), ("charlie", {"B1"}),
    ("dave", {"A1"}), ("harry", {"A2"}),
])
def test_each_sees_the_branches_of_their_scope(client_for, people, scenario, persona, codes):
    client = client_for(getattr(people, persona))
    assert set(rows_of(client.get(TABLE))) == codes
    _, _, _, rows = read(client.get(EXPORT))
    assert {r[1] for r in rows[:-1]} == codes
    response = client.get(WHO_MET)
    assert {r["org"].code for r in response.context["rows"]} == codes


def test_a_committee_outside_the_scope_is_not_a_filter(client_for, people, county, scenario):
    rows = rows_of(client_for(people.charlie).get(TABLE, {"committee": county.town_a.pk}))
    assert set(rows) == {"B1"}


# ---------------------------------------------------------------- the table


def test_the_table_names_exactly_the_missing_meetings(client_for, people, scenario):
    response = client_for(people.alice).get(TABLE)
    rows = rows_of(response)
    headers = [c.header for c in response.context["columns"]]
    assert headers == ["支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会",
                       "民主评议党员"]
    a1 = rows["A1"]
    assert a1.missing == [("支部党员大会", ["2026年第三季度"]), ("支部委员会", ["2026年7月"])]
    assembly, committee = a1.cells[0], a1.cells[1]
    assert (assembly.met, assembly.due) == (2, 3)
    assert (committee.met, committee.due) == (9, 10)
    # The running periods are in progress, not missing; the year's meetings too.
    assert committee.open_label == "2026年11月" and assembly.open_label == "2026年第四季度"
    assert rows["A1"].cells[5].due == 0 and rows["A1"].cells[5].open_label == "2026年"
    assert not rows["A2"].has_missing
    # Founded on 20 May: owes from June (monthly) and the third quarter.
    a9 = dict(rows["A9"].missing)
    assert a9["支部委员会"] == [f"2026年{m}月" for m in range(6, 11)]
    assert a9["支部党员大会"] == ["2026年第三季度"]
    page = response.content.decode()
    assert 'data-ratio="9/10"' in page and "2026年7月" in page
    assert reverse("meetings:org_log", args=[scenario.pk]) in page


def test_only_missing_leaves_out_the_branches_that_met_every_rule(client_for, people, library,
                                                                   scenario):
    client = client_for(people.alice)
    assert set(rows_of(client.get(TABLE, {"only_missing": "1"}))) == {"A1", "A9", "B1"}
    # Filtered to one type, A1's missing 支委会 is all that counts.
    rows = rows_of(client.get(TABLE, {"only_missing": "1", "type": library["branch_committee"].pk}))
    assert set(rows) == {"A1", "A9", "B1"}
    assert rows["A1"].missing == [("支部委员会", ["2026年7月"])]
    assert [c.header for c in client.get(TABLE, {"type": library["theme_day"].pk}).context["columns"]] \
        == ["主题党日"]
    params = {"only_missing": "1", "type": library["branch_assembly"].pk, "q": "A"}
    rows = rows_of(client.get(TABLE, params))
    assert set(rows) == {"A1", "A9"}


def test_a_past_year_is_closed_and_search_filters(client_for, people, scenario):
    rows = rows_of(client_for(people.bob).get(TABLE, {"year": "2025", "q": "东坝村"}))
    assert set(rows) == {"A1"}
    committee = rows["A1"].cells[1]
    assert (committee.met, committee.due, committee.open_label) == (0, 12, "")
    assert len(committee.missing) == 12


def test_the_table_pages_fifty_at_a_time(client_for, people, library, county):
    add_many_branches(county.town_b, 60, prefix="P")
    response = client_for(people.charlie).get(TABLE, {"page": "2"})
    assert len(response.context["rows"]) == 11  # B1 and 60 more, 50 a page
    response = client_for(people.charlie).get(TABLE, {"page": "2", "only_missing": "1"})
    assert len(response.context["rows"]) == 11


# ---------------------------------------------------------------- the export


def test_the_export_names_the_missing_meetings(client_for, people, scenario):
    title, scope, header, rows = read(client_for(people.alice).get(EXPORT))
    assert title == "2026年组织生活达标情况"
    assert scope.startswith("范围：青禾县委；筛选：年度 2026年")
    assert header == ["党(工)委", "组织代码", "组织名称", "支部党员大会（实/应）", "支部委员会（实/应）",
                      "党小组会（实/应）", "党课（实/应）", "主题党日（实/应）", "组织生活会（实/应）",
                      "民主评议党员（实/应）", "缺少的会议"]
    by_code = {r[1]: r for r in rows[:-1]}
    assert [r[1] for r in rows[:-1]] == ["A1", "A2", "A9", "B1"]  # tree order
    assert by_code["A1"][:5] == ["东坝镇党委", "A1", "东坝村党支部", "2/3", "9/10"]
    assert by_code["A1"][-1] == "支部党员大会：2026年第三季度；支部委员会：2026年7月"
    assert by_code["A2"][3:10] == ["3/3", "10/10", "10/10", "3/3", "10/10", "0/0", "0/0"]
    assert by_code["A2"][-1] is None
    assert by_code["A9"][-1].startswith("支部党员大会：2026年第三季度；支部委员会：2026年6月、2026年7月")
    assert rows[-1][0] == "合计" and rows[-1][2] == "共 4 个组织"
    assert rows[-1][-1] == "缺少会议的组织 3 个"


def test_the_export_keeps_the_filters(client_for, people, scenario):
    _, scope, _, rows = read(client_for(people.alice).get(EXPORT, {"only_missing": "1", "q": "A"}))
    assert [r[1] for r in rows[:-1]] == ["A1", "A9"]
    assert "仅缺少会议的组织" in scope and "“A”" in scope
    assert rows[-1][-1] == "缺少会议的组织 2 个"


def test_the_export_walks_every_organization_in_chunks(client_for, people, library, county,
                                                        monkeypatch):
    monkeypatch.setattr("meetings.views.compliance.CHUNK", 7)
    add_many_branches(county.town_b, 30, prefix="K")
    _, _, _, rows = read(client_for(people.charlie).get(EXPORT))
    assert len(rows) == 32  # B1, 30 more, 合计
    assert len({r[1] for r in rows[:-1]}) == 31
    assert rows[-1][-1] == "缺少会议的组织 31 个"


# ---------------------------------------------------------------- who met


def test_who_met_this_month(client_for, people, library, county):
    theme = library["theme_day"]
    log(county.branch_a1, theme, date(2026, 11, 3), people.dave)
    log(county.branch_b1, theme, date(2026, 11, 20), people.charlie)
    log(county.branch_b1, theme, date(2026, 10, 20), people.charlie)  # last month: not counted
    OrganizationFactory(parent=county.town_a, code="A8", founded_on=date(2026, 11, 10))
    response = client_for(people.alice).get(WHO_MET)
    assert response.context["period"].label == "2026年11月" and response.context["is_open"]
    assert [t.code for t in response.context["types"]] == ["branch_committee", "group_meeting",
                                                           "theme_day"]
    groups = {g.name: g for g in response.context["groups"]}
    theme_of = {name: (g.columns[2].held, g.columns[2].owing) for name, g in groups.items()}
    assert theme_of == {"东坝镇党委": (1, 2), "西湖乡党委": (1, 1)}  # A8 founded mid-month owes nothing
    total = response.context["total"].columns[2]
    assert (total.held, total.owing) == (2, 3)
    marks = {r["org"].code: r["marks"] for r in response.context["rows"]}
    assert marks["A1"][2].held == 1 and marks["A1"][2].met
    assert not marks["A2"][2].met and marks["A8"][2] is None
    page = response.content.decode()
    assert 'data-state="not-yet"' in page
    assert reverse("meetings:org_log", args=[county.branch_a1.pk]) in page
    # Only the branches that have not met yet.
    response = client_for(people.alice).get(WHO_MET, {"not_yet": "on"})
    assert {r["org"].code for r in response.context["rows"]} == {"A1", "A2", "B1"}  # 支委会 not yet


def test_who_met_a_past_quarter(client_for, people, library, county):
    log(county.branch_a1, library["party_lecture"], date(2026, 8, 1), people.dave)
    log(county.branch_a1, library["branch_assembly"], date(2026, 9, 30), people.dave)
    response = client_for(people.bob).get(WHO_MET, {"period": "quarter", "date": "2026-07-15"})
    assert response.context["period"].label == "2026年第三季度" and not response.context["is_open"]
    assert [t.code for t in response.context["types"]] == ["branch_assembly", "party_lecture"]
    marks = {r["org"].code: r["marks"] for r in response.context["rows"]}
    assert [m.met for m in marks["A1"]] == [True, True]
    assert [m.met for m in marks["A2"]] == [False, False]
    assert 'data-state="missed"' in response.content.decode()
    group = response.context["groups"][0]
    assert [(c.held, c.owing) for c in group.columns] == [(1, 2), (1, 2)]
    assert response.context["nav"]["next"].endswith("date=2026-10-01")


def test_who_met_for_one_committee(client_for, people, library, county):
    response = client_for(people.alice).get(WHO_MET, {"committee": county.town_b.pk})
    assert {r["org"].code for r in response.context["rows"]} == {"B1"}
    assert [g.name for g in response.context["groups"]] == ["西湖乡党委"]


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("n", [5, 120])
def test_table_export_and_who_met_cost_fixed_queries(client_for, people, library, county,
                                                      django_assert_max_num_queries, n):
    orgs = add_many_branches(county.town_b, n, prefix=f"Q{n}-")
    for org in orgs[:5]:
        log(org, library["theme_day"], date(2026, 3, 1), people.charlie)
        log(org, library["theme_day"], date(2026, 11, 2), people.charlie)
    client = client_for(people.alice)
    client.get(TABLE)  # warm the session
    # session, user, grants; the types and the committees (filter form); the rules; the
    # committee names; the page's count and rows; the rules and meetings of the page
    # (compliance()). The tabs read the cached grants.
    with django_assert_max_num_queries(11):
        assert client.get(TABLE).status_code == 200
    # only_missing: the organizations a chunk at a time (one chunk here), their rules and
    # meetings; then the page's organizations, rules and meetings.
    with django_assert_max_num_queries(13):
        assert client.get(TABLE, {"only_missing": "1"}).status_code == 200
    # session, user, grants; the form's two; the rules; the committee and scope names;
    # then per chunk of 500: the organizations, the rules, the meetings (and the empty
    # chunk that ends the walk is not read: a short chunk is the last).
    with django_assert_max_num_queries(11):
        response = client.get(EXPORT)
    assert len(read(response)[3]) == n + 4  # A1, A2, B1, the n, 合计
    # session, user, grants; committees (form); the rules; the branches; the counts;
    # the committee names.
    with django_assert_max_num_queries(8):
        assert client.get(WHO_MET).status_code == 200

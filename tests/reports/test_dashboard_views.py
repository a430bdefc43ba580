"""The dashboard page and its print view (reports/views.py, templates/reports/): who may
read them, the scope on every panel, drilling down, the links behind the figures, empty
states, no inline script, and the page's queries at two sizes.

The world (tests/reports/dashboard_data.py): A1 and A2 under town A, B1 under town B;
B1 alone has the revoked star, the overdue task 腾退活动室 and a submitted self-check.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from .dashboard_data import SIZES, grow

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("reports:dashboard")
PRINT = reverse("reports:dashboard_print")
PANELS = ["progress", "grades", "stars", "weakest", "gap", "rectification", "pairings", "funding"]
GROUPED = ["progress", "grades", "gap", "rectification", "pairings", "funding"]


def get(client, url=DASHBOARD, **params):
    return client.get(url, params)


def names(response, panel):
    return [row["name"] for row in response.context[panel]["rows"]]


def charts(response):
    match = re.search(
        r'<script id="dashboard-charts" type="application/json">(.*?)</script>',
        response.content.decode(), re.S,
    )
    assert match, "the charts' data is missing"
    return json.loads(match.group(1))


# ---------------------------------------------------------------- who may read it


@pytest.mark.parametrize("url", [DASHBOARD, PRINT])
def test_anonymous_goes_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [DASHBOARD, PRINT])
@pytest.mark.parametrize("who", ["dave", "harry", "nobody"])
def test_secretary_helper_and_nobody_are_refused(client_for, people, url, who):
    assert get(client_for(getattr(people, who)), url).status_code == 403


def test_the_menu_and_home_offer_it_to_readers_only(client_for, people):
    for who, shown in [("alice", True), ("bob", True), ("victor", True), ("dave", False)]:
        page = client_for(getattr(people, who)).get(reverse("home")).content.decode()
        assert ('data-testid="nav-dashboard"' in page) is shown, who
        assert ('data-testid="home-dashboard"' in page) is shown, who


# ---------------------------------------------------------------- the committee's scope


@pytest.mark.parametrize("url", [DASHBOARD, PRINT])
def test_committee_staff_see_only_their_town_on_every_panel(world, paid, client_for, people, county,
                                                             url):
    response = get(client_for(people.bob), url)
    assert response.status_code == 200
    assert response.context["scope"].root == county.town_a
    for panel in GROUPED:
        assert set(names(response, panel)) <= {"东坝村党支部", "柳树村党支部"}, panel
    ctx = response.context
    assert ctx["progress"]["totals"]["total"] == 2
    assert ctx["grades"]["totals"]["graded"] == 2
    assert ctx["stars"]["revoked"] == 0 and ctx["stars"]["revocations"] == []
    assert all(r["item__code"] for r in ctx["weakest"]["items"])
    assert ctx["gap"]["totals"]["n"] == 2  # A1 and A2 (B1 has no final score anyway)
    assert ctx["rectification"]["totals"]["total"] == 2 and ctx["rectification"]["totals"]["overdue"] == 0
    assert ctx["pairings"]["totals"]["total"] == 1
    assert all(a.organization.name != "西湖社区党支部" for a in ctx["gap"]["top"])
    page = response.content.decode()
    for outside in ("西湖社区党支部", "西湖乡党委", "腾退活动室", "PZ-B1"):
        assert outside not in page, outside


def test_committee_staff_charts_name_only_their_branches(world, paid, client_for, people):
    data = charts(get(client_for(people.bob)))
    for key in ("chart-progress", "chart-grades", "chart-rectification", "chart-funding"):
        assert set(data[key]["categories"]) <= {"东坝村党支部", "柳树村党支部"}, key


@pytest.mark.parametrize("url", [DASHBOARD, PRINT])
def test_committee_staff_cannot_open_the_town_next_door(world, client_for, people, county, url):
    client = client_for(people.bob)
    assert get(client, url, org=county.town_b.pk).status_code == 404
    assert get(client, url, org=county.branch_b1.pk).status_code == 404
    assert get(client, url, org=county.county.pk).status_code == 404  # above their scope
    assert get(client, url, org="garbage").status_code == 404
    assert get(client, url, org="-1").status_code == 404


def test_committee_staff_drill_into_a_branch(world, client_for, people, county):
    response = get(client_for(people.bob), org=county.branch_a1.pk)
    assert response.status_code == 200
    assert response.context["progress"]["totals"]["total"] == 1
    assert [o.name for o in response.context["scope"].trail] == ["东坝镇党委", "东坝村党支部"]


def test_a_bad_campaign_is_ignored(world, client_for, people, campaign):
    client = client_for(people.alice)
    for bad in ("abc", "", "1e3", "99999999999999"):
        response = get(client, campaign=bad)
        assert response.status_code == 200, bad
        assert response.context["campaign"] == campaign, bad
    assert get(client, year="abc").context["campaign"] == campaign


def test_viewer_reads_town_a_only(world, client_for, people, county):
    client = client_for(people.victor)
    response = get(client)
    assert response.status_code == 200 and response.context["scope"].root == county.town_a
    assert set(names(response, "progress")) == {"东坝村党支部", "柳树村党支部"}
    assert get(client, org=county.town_b.pk).status_code == 404
    assert get(client, PRINT, org=county.town_b.pk).status_code == 404
    assert get(client, PRINT).status_code == 200


# ---------------------------------------------------------------- county staff drill down


def test_county_staff_drill_into_a_town_changes_every_panel(world, paid, client_for, people, county):
    client = client_for(people.alice)
    whole, town = get(client), get(client, org=county.town_a.pk)
    assert whole.context["scope"].root == county.county and town.context["scope"].root == county.town_a
    for panel in GROUPED:
        assert names(whole, panel) != names(town, panel), panel
    assert set(names(whole, "progress")) == {"东坝镇党委", "西湖乡党委"}
    w, t = whole.context, town.context
    assert (w["progress"]["totals"]["total"], t["progress"]["totals"]["total"]) == (3, 2)
    assert (w["stars"]["revoked"], t["stars"]["revoked"]) == (1, 0)
    assert w["stars"]["distribution"] != t["stars"]["distribution"]
    assert (w["rectification"]["totals"]["overdue"], t["rectification"]["totals"]["overdue"]) == (1, 0)
    assert w["funding"]["totals"]["paid"] > t["funding"]["totals"]["paid"]
    assert w["weakest"]["dimensions"] and t["weakest"]["dimensions"]
    assert [r["answered"] for r in w["weakest"]["items"]] >= [r["answered"] for r in t["weakest"]["items"]]
    assert charts(whole)["chart-progress"]["categories"] != charts(town)["chart-progress"]["categories"]


def test_every_group_links_down_and_every_figure_to_its_list(world, paid, client_for, people, county,
                                                             campaign):
    response = get(client_for(people.alice))
    page = response.content.decode()
    # The group's name opens the dashboard on it, keeping the campaign.
    assert f'href="?org={county.town_a.pk}&amp;campaign={campaign.pk}"' in page
    # Figures: the campaign's list filtered to the committee and status; the task list;
    # the ledger and the compliance report for the year.
    assessments = reverse("assessments:campaign_assessments", args=[campaign.pk])
    assert f'href="{assessments}?committee={county.town_a.pk}&amp;status=accepted"' in page
    assert f'href="{reverse("rectification:task_list")}?committee={county.town_b.pk}&amp;overdue=1"' in page
    assert f'href="{reverse("funding:compliance")}?committee={county.town_a.pk}&amp;year=2026&amp;short=paid"' in page
    assert f'href="{reverse("rectification:pairing_list")}?committee={county.town_a.pk}"' in page
    # An Excel link per table, carrying the table and the scope.
    exports = re.findall(r'href="/reports/export\.xlsx\?([^"]+)"', page)
    tables = {parse_qs(q.replace("&amp;", "&"))["table"][0] for q in exports}
    assert tables == {"progress", "progress_category", "grades", "grades_category", "stars",
                      "revocations", "weakest_items", "dimensions", "gap", "gap_top",
                      "rectification", "oldest_overdue", "pairings", "funding"}
    assert all(f"campaign={campaign.pk}" in q for q in exports)


def test_links_below_the_committee_search_the_groups_code(world, client_for, people, county):
    response = get(client_for(people.bob))
    page = response.content.decode()
    tasks = reverse("rectification:task_list")
    assert f'href="{tasks}?committee={county.town_a.pk}&amp;q=A1&amp;status=open"' in page
    links = [urlsplit(a.replace("&amp;", "&")) for a in re.findall(r'href="([^"]+)"', page)]
    exports = [parse_qs(u.query) for u in links if u.path == reverse("reports:dashboard_export")]
    assert exports and all(q["org"] == [str(county.town_a.pk)] for q in exports)


def test_previous_campaign_side_by_side(world, client_for, people):
    response = get(client_for(people.alice))
    page = response.content.decode()
    assert 'data-testid="grades-change"' in page and "上年分类定级" in page
    series = charts(response)["chart-grades"]["series"]
    assert len(series) == 6 and {s["stack"] for s in series} == {"now", "before"}


# ---------------------------------------------------------------- empty states


def test_no_campaign_and_no_data_say_so_without_a_chart(county, people, client_for):
    response = get(client_for(people.alice))
    assert response.status_code == 200 and response.context["campaign"] is None
    page = response.content.decode()
    for panel in PANELS:
        section = page.split(f'data-testid="panel-{panel}"')[1].split("</section>")[0]
        assert 'data-testid="empty"' in section, panel
        assert 'class="dash-chart' not in section, panel
    assert charts(response) == {}
    assert get(client_for(people.alice), PRINT).status_code == 200


def test_a_year_without_a_campaign_keeps_stars_and_funding(world, paid, client_for, people):
    response = get(client_for(people.alice), year=2019)
    assert response.status_code == 200 and response.context["campaign"] is None
    page = response.content.decode()
    progress = page.split('data-testid="panel-progress"')[1].split("</section>")[0]
    assert 'data-testid="empty"' in progress and 'class="dash-chart' not in progress
    assert response.context["choice"].year == 2019
    assert response.context["funding"]["totals"]["n"] == 0  # nothing planned for 2019


def test_only_last_years_campaign_has_no_comparison(world, client_for, people):
    response = get(client_for(people.alice), year=2025)
    assert response.context["choice"].previous is None
    assert 'data-testid="no-previous"' in response.content.decode()


# ---------------------------------------------------------------- the page itself


@pytest.mark.parametrize("url", [DASHBOARD, PRINT])
def test_no_inline_script_or_handler(world, paid, client_for, people, url):
    page = get(client_for(people.alice), url).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", page)


def test_print_view_has_no_navigation_and_no_charts(world, paid, client_for, people, county):
    response = get(client_for(people.alice), PRINT, org=county.town_a.pk)
    page = response.content.decode()
    assert "<nav" not in page and 'class="dash-chart' not in page and "echarts" not in page
    assert 'data-testid="table-progress"' in page and 'data-testid="table-funding"' in page
    assert "东坝镇党委" in page.split('data-testid="print-scope"')[1].split("</dd>")[0]
    assert "基层组织建设年" in page.split('data-testid="print-campaign"')[1].split("</dd>")[0]


def test_tables_are_in_scroll_boxes(world, paid, client_for, people):
    page = get(client_for(people.alice)).content.decode()
    tables = re.findall(r"<table\b", page)
    boxed = re.findall(r'<div class="table-responsive"><table\b', page)
    assert tables and len(tables) == len(boxed)


# ---------------------------------------------------------------- queries at two sizes


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}orgs")
def big(request, world, paid, county, people):
    return grow(county, people, request.param)


@pytest.mark.parametrize("url", [DASHBOARD, PRINT])
def test_the_page_costs_the_same_queries_at_any_size(big, client_for, people, url,
                                                     django_assert_max_num_queries):
    client = client_for(people.alice)
    # Session and user (2), the user's assignments (1), the scope's root and its trail
    # with its children (2), the campaigns (1), progress (2), grades with the previous
    # campaign and the change (4), stars (3), weakest items and dimensions (2), gap (2),
    # rectification (2), pairings and visits (2), funding (2). The header's reminder
    # badge comes later through htmx; the template itself queries nothing.
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["progress"]["totals"]["total"] >= big // 2 > 0

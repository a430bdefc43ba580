"""The dashboard's panels (reports/selectors.py) on the small world of dashboard_data.py:
each panel's figures, a committee's scope on every panel, year over year, and the whole
dashboard's queries at two sizes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory

from assessments.models import Grade
from reports import selectors
from reports.views import dashboard_data

from .dashboard_data import SIZES, TODAY, grow, previous_campaign, scope_for

pytestmark = pytest.mark.django_db


def by_name(rows):
    return {row["name"]: row for row in rows}


def choice(scope, **kwargs):
    return selectors.choose_campaign(scope, today=TODAY, **kwargs)


def test_choose_campaign_newest_by_year_or_id_and_the_one_before(world, people, campaign):
    scope = scope_for(people.alice)
    newest = choice(scope)
    assert newest.campaign == campaign and newest.previous.year == 2025
    assert [c.year for c in newest.campaigns] == [2026, 2025]
    last_year = choice(scope, year=2025)
    assert last_year.campaign.year == 2025 and last_year.previous is None
    assert choice(scope, campaign_id=newest.previous.pk).campaign == newest.previous
    # An unknown id chooses nothing (not silently the newest); a year without one is empty.
    assert choice(scope, campaign_id=999999).campaign is None
    empty = choice(scope, year=2019)
    assert empty.campaign is None and empty.year == 2019


def test_progress_per_committee_and_category(world, people, campaign):
    data = selectors.progress(scope_for(people.alice), campaign)
    rows = by_name(data["rows"])
    assert list(rows) == ["东坝镇党委", "西湖乡党委"]
    a, b = rows["东坝镇党委"], rows["西湖乡党委"]
    assert (a["total"], a["accepted"], a["reviewed"], a["submitted"]) == (2, 1, 1, 0)
    assert (b["total"], b["submitted"], b["not_started"]) == (1, 1, 0)
    assert data["totals"] == {"total": 3, "not_started": 0, "draft": 0, "submitted": 1,
                              "returned": 0, "reviewed": 1, "accepted": 1}
    categories = {row["organization__category__name"]: row for row in data["by_category"]}
    assert categories["社区"]["total"] == 1 and categories["社区"]["submitted"] == 1
    assert sum(row["total"] for row in data["by_category"]) == 3


def test_grades_with_the_previous_campaign_and_the_change(world, people, campaign):
    scope = scope_for(people.alice)
    c = choice(scope)
    data = selectors.grades(scope, c.campaign, c.previous)
    a = by_name(data["rows"])["东坝镇党委"]
    assert (a["graded"], a["lagging"], a["general"], a["advanced"]) == (2, 1, 1, 0)
    assert a["previous"] == {"graded": 2, "advanced": 0, "general": 1, "lagging": 1}
    assert by_name(data["rows"])["西湖乡党委"]["previous"]["advanced"] == 1
    assert data["totals"] == {"graded": 2, "advanced": 0, "general": 1, "lagging": 1}
    assert data["previous_totals"] == {"graded": 3, "advanced": 1, "general": 1, "lagging": 1}
    # A1 一般 → 后进 fell, A2 后进 → 一般 rose; B1 is not graded this year.
    assert data["change"] == {"rose": 1, "kept": 0, "fell": 1}
    # Without a previous campaign there is nothing to compare.
    alone = selectors.grades(scope, c.campaign)
    assert alone["previous_totals"] is None and alone["change"] is None


def test_a_kept_grade_counts_as_kept(accepted_a1, campaign, county, people):
    previous_campaign(campaign, people, {county.branch_a1: Grade.LAGGING})
    scope = scope_for(people.alice)
    c = choice(scope)
    assert selectors.grades(scope, c.campaign, c.previous)["change"] == {
        "rose": 0, "kept": 1, "fell": 0}


def test_stars_distribution_and_the_years_changes(world, people):
    data = selectors.stars(scope_for(people.alice), 2026)
    counts = {row["stars"]: row["count"] for row in data["distribution"]}
    # A1 0 (veto), A2 3 (latest award), B1 3 (revoked from 4).
    assert counts == {0: 1, 1: 0, 2: 0, 3: 2, 4: 0, 5: 0} and data["rated"] == 3
    # 2026: three awards, of which A2's 3 after last year's 4 is no promotion; one revoked.
    assert (data["awarded"], data["promoted"], data["revoked"]) == (3, 2, 1)
    assert [r.organization.code for r in data["revocations"]] == ["B1"]
    last_year = selectors.stars(scope_for(people.alice), 2025)
    assert (last_year["awarded"], last_year["promoted"], last_year["revoked"]) == (1, 1, 0)


def test_weakest_items_and_dimensions(world, people, campaign):
    data = selectors.weakest(scope_for(people.alice), campaign)
    # A1's shortfalls: the veto check, 6 of 12 meetings, the written answer scored 5 of 10.
    assert {r["item__code"]: (r["failed"], r["answered"]) for r in data["items"]} == {
        "ZB-01": (1, 1), "ZS-01": (1, 1), "ZD-02": (1, 1)}
    assert data["items"][0]["item__code"] == "ZB-01"  # the most points lost first
    assert [r["lost"] for r in data["items"]] == sorted((r["lost"] for r in data["items"]),
                                                        reverse=True)
    dims = {r["item__dimension__name"]: r for r in data["dimensions"]}
    assert dims["支部建设标准化"]["possible"] == 20 and dims["支部建设标准化"]["won"] == 10
    assert dims["支部建设标准化"]["rate"] == 50 and dims["支部建设标准化"]["failed"] == 1
    assert dims["组织生活正常化"]["won"] == 20 and dims["组织生活正常化"]["rate"] == 67
    assert selectors.weakest(scope_for(people.alice), campaign, limit=1)["items"][0][
        "item__code"] == "ZB-01"


def test_score_gap_per_committee_and_the_largest(world, people, campaign, accepted_a1):
    data = selectors.score_gap(scope_for(people.alice), campaign)
    a1_gap = accepted_a1.self_score - accepted_a1.final_score
    a = by_name(data["rows"])["东坝镇党委"]
    assert a["n"] == 2 and a["sum_gap"] == a1_gap + Decimal("8.00")
    assert a["avg_gap"] == ((a1_gap + 8) / 2).quantize(Decimal("0.01"))
    assert "西湖乡党委" not in by_name(data["rows"])  # B1 has no final score yet
    assert data["totals"]["n"] == 2 and data["totals"]["avg_gap"] == a["avg_gap"]
    assert data["top"][0].organization.code == "A2" and data["top"][0].gap == Decimal("8.00")


def test_rectification_open_overdue_closed(world, people):
    data = selectors.rectification(scope_for(people.alice), TODAY)
    a, b = by_name(data["rows"])["东坝镇党委"], by_name(data["rows"])["西湖乡党委"]
    assert (a["total"], a["open"], a["closed"], a["overdue"], a["rate"]) == (2, 1, 1, 0, 50)
    assert (b["total"], b["in_progress"], b["overdue"], b["rate"]) == (1, 1, 1, 0)
    assert data["totals"]["total"] == 3 and data["totals"]["overdue"] == 1
    assert data["totals"]["rate"] == 33
    assert data["oldest"] == [world["late_b1"]]
    later = selectors.rectification(scope_for(people.alice), TODAY + timedelta(days=31))
    assert [t.pk for t in later["oldest"]] == [world["late_b1"].pk, world["open_a1"].pk]


def test_pairings_count_visits_this_month(world, people):
    data = selectors.pairings(scope_for(people.alice), TODAY)
    a = by_name(data["rows"])["东坝镇党委"]
    assert (a["total"], a["active"], a["upgraded"], a["visits"], a["rate"]) == (1, 1, 0, 1, 0)
    assert data["totals"]["visits"] == 1 and data["totals"]["total"] == 1


def test_funding_planned_against_paid(world, paid, people):
    data = selectors.funding(scope_for(people.alice), 2026)
    a, b = by_name(data["rows"])["东坝镇党委"], by_name(data["rows"])["西湖乡党委"]
    assert a["paid"] == Decimal("350000.00") and b["paid"] == Decimal("270000.00")
    assert data["totals"]["paid"] == Decimal("620000.00")
    assert a["n_short"] >= 1  # A1 got 150,000 of 200,000
    for key in ("n", "n_short", "planned", "paid"):
        assert data["totals"][key] == sum(row[key] for row in data["rows"]), key


def test_a_committee_sees_only_its_subtree_on_every_panel(world, paid, people, campaign, county):
    scope = scope_for(people.bob)
    assert scope.root == county.town_a
    c = choice(scope)
    # Bob's groups are town A's branches: rows keyed under A's path only.
    panels = {
        "progress": selectors.progress(scope, c.campaign),
        "grades": selectors.grades(scope, c.campaign, c.previous),
        "gap": selectors.score_gap(scope, c.campaign),
        "rectification": selectors.rectification(scope, TODAY),
        "pairings": selectors.pairings(scope, TODAY),
        "funding": selectors.funding(scope, 2026),
    }
    for name, data in panels.items():
        assert data["rows"], name
        assert all(row["key"].startswith(county.town_a.path) for row in data["rows"]), name
    assert {r["name"] for r in panels["progress"]["rows"]} == {"东坝村党支部", "柳树村党支部"}
    assert panels["progress"]["totals"]["total"] == 2
    assert panels["grades"]["previous_totals"]["advanced"] == 0  # B1's 先进 is not his
    assert panels["rectification"]["totals"]["overdue"] == 0 and not panels["rectification"]["oldest"]
    assert panels["funding"]["totals"]["paid"] == Decimal("350000.00")
    stars = selectors.stars(scope, 2026)
    assert stars["rated"] == 2 and stars["revoked"] == 0 and not stars["revocations"]
    weakest = selectors.weakest(scope, c.campaign)
    assert len(weakest["items"]) == 3  # A1's; B1 answered nothing
    # Charlie (town B) sees none of A's figures.
    other = scope_for(people.charlie)
    assert selectors.progress(other, c.campaign)["totals"]["total"] == 1
    assert selectors.score_gap(other, c.campaign)["totals"]["n"] == 0
    assert selectors.weakest(other, c.campaign)["items"] == []


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}orgs")
def big(request, campaign, county, people):
    return grow(county, people, request.param)


def test_dashboard_queries_do_not_grow(big, people, django_assert_max_num_queries):
    request = RequestFactory().get("/reports/")
    request.user = people.alice
    # 1 the user's grants; 2 the root; 3 its trail and children; 4 campaigns; 5-6 progress
    # (groups, categories); 7-10 grades (groups, categories, the previous campaign's
    # groups, the change); 11-13 stars (distribution, the year's counts, revocations);
    # 14-15 weakest (items, dimensions); 16-17 gap (groups, top); 18-19 rectification
    # (groups, oldest overdue); 20-21 pairings (groups, visits); 22-23 funding (groups, totals).
    with django_assert_max_num_queries(23):
        data = dashboard_data(request)
    assert data["progress"]["totals"]["total"] >= big - 10
    assert data["grades"]["change"]["rose"] + data["grades"]["change"]["fell"] > 0

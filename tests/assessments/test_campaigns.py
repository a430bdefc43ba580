"""Campaign pages: the list, create and edit, the detail's progress, the assessments list.

Scoping: another county's campaign is a 404; a campaign over town A is a 404 for
charlie (town B); bob sees the county's campaign with town A's rows only; victor
(viewer) reads but gets 403 on writes; dave (secretary) is sent to his tasks.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.forms_campaigns import parse_star_thresholds
from assessments.models import Assessment, AssessmentStatus, Campaign, CampaignStatus, Grade
from standards import services as std

from .campaign_builders import (
    edit_data,
    form_data,
    grow,
    other_county,
    phase_data,
    spread_statuses,
    town_campaign,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


# ---------------------------------------------------------------- who may reach what


@pytest.mark.parametrize("name,post", [
    ("campaign_list", False), ("campaign_create", False), ("campaign_detail", True),
    ("campaign_edit", True), ("campaign_assessments", True), ("campaign_export", True),
    ("launch_progress", True),
])
def test_anonymous_goes_to_login(client, campaign, name, post):
    args = [campaign.pk] if post else []
    response = client.get(url(name, *args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", [
    "campaign_detail", "campaign_edit", "campaign_assessments", "campaign_export",
    "launch_progress",
])
def test_another_countys_campaign_is_404(client_for, people, campaign, name):
    other = other_county()
    assert client_for(people.alice).get(url(name, other.campaign.pk)).status_code == 404
    assert client_for(other.zoe).get(url(name, campaign.pk)).status_code == 404
    assert client_for(people.alice).get(url(name, 999999)).status_code == 404


@pytest.mark.parametrize("name", [
    "campaign_detail", "campaign_edit", "campaign_assessments", "campaign_export",
    "launch_progress",
])
def test_a_campaign_over_town_a_is_404_for_charlie(client_for, people, small_set, county, name):
    campaign = town_campaign(small_set, county, people.alice)
    assert client_for(people.charlie).get(url(name, campaign.pk)).status_code == 404


def test_secretaries_are_sent_to_their_tasks(client_for, people, campaign):
    response = client_for(people.dave).get(url("campaign_list"))
    assert response.status_code == 302 and response["Location"] == url("my_tasks")
    # The county's campaign touches dave's branch, but its pages are for supervisors.
    for name in ("campaign_detail", "campaign_assessments", "campaign_export", "launch_progress"):
        assert client_for(people.dave).get(url(name, campaign.pk)).status_code == 403
    assert client_for(people.harry).get(url("campaign_list")).status_code == 403
    assert client_for(people.nobody).get(url("campaign_list")).status_code == 403


def test_viewer_reads_but_does_not_write(client_for, people, campaign, small_set, county):
    client = client_for(people.victor)
    assert client.get(url("campaign_list")).status_code == 200
    assert client.get(url("campaign_detail", campaign.pk)).status_code == 200
    assert client.get(url("campaign_create")).status_code == 403
    assert client.post(url("campaign_create"), form_data(small_set, county.town_a)).status_code == 403
    assert client.get(url("campaign_edit", campaign.pk)).status_code == 403
    assert client.post(url("campaign_edit", campaign.pk), edit_data(campaign)).status_code == 403
    assert client.post(url("campaign_launch", campaign.pk)).status_code == 403
    # Committee staff read too, and may not manage a county campaign either.
    assert client_for(people.bob).get(url("campaign_edit", campaign.pk)).status_code == 403
    assert Campaign.objects.count() == 1


def test_detail_page_shows_no_write_buttons_to_readers(client_for, people, campaign):
    page = client_for(people.victor).get(url("campaign_detail", campaign.pk)).content.decode()
    assert 'data-testid="edit"' not in page and 'data-testid="launch"' not in page
    page = client_for(people.alice).get(url("campaign_detail", campaign.pk)).content.decode()
    assert 'data-testid="edit"' in page and 'data-testid="launch"' in page


def test_nav_entries(client_for, people, campaign):
    def links(user):
        page = client_for(user).get(reverse("home")).content.decode()
        return {name for name in ("campaign_list", "my_tasks", "review_queue")
                if f'href="{url(name)}"' in page}

    assert links(people.alice) == {"campaign_list", "review_queue"}
    assert links(people.bob) == {"campaign_list", "review_queue"}
    assert links(people.victor) == {"campaign_list"}
    assert links(people.dave) == {"my_tasks"}
    assert links(people.harry) == set()


# ---------------------------------------------------------------- list


def test_list_is_scoped_and_counts_the_users_assessments(client_for, people, campaign, small_set,
                                                        county):
    town = town_campaign(small_set, county, people.alice)
    other = other_county()
    response = client_for(people.alice).get(url("campaign_list"))
    rows = {c.pk: c for c in response.context["campaigns"]}
    assert set(rows) == {campaign.pk, town.pk}
    assert rows[campaign.pk].total == 3 and rows[campaign.pk].n_not_started == 3
    # bob sees the county's campaign, counted over town A only.
    response = client_for(people.bob).get(url("campaign_list"))
    rows = {c.pk: c for c in response.context["campaigns"]}
    assert set(rows) == {campaign.pk, town.pk}
    assert rows[campaign.pk].total == 2
    # charlie: the county's campaign (town B's one branch), not town A's.
    response = client_for(people.charlie).get(url("campaign_list"))
    rows = {c.pk: c for c in response.context["campaigns"]}
    assert set(rows) == {campaign.pk} and rows[campaign.pk].total == 1
    assert other.campaign.pk not in rows


def test_list_filters(client_for, people, campaign, small_set, county):
    town = town_campaign(small_set, county, people.alice)
    Campaign.objects.filter(pk=town.pk).update(year=2025, status=CampaignStatus.CLOSED)
    client = client_for(people.alice)
    pks = lambda response: {c.pk for c in response.context["campaigns"]}  # noqa: E731
    assert pks(client.get(url("campaign_list"), {"year": "2025"})) == {town.pk}
    assert pks(client.get(url("campaign_list"), {"status": "active"})) == {campaign.pk}
    assert pks(client.get(url("campaign_list"), {"q": "专项"})) == {town.pk}
    assert pks(client.get(url("campaign_list"), {"q": "东坝镇党委"})) == {town.pk}
    # A bad filter is dropped and shown, never an error.
    response = client.get(url("campaign_list"), {"year": "abc", "status": "zzz"})
    assert response.status_code == 200 and pks(response) == {campaign.pk, town.pk}
    assert 'data-testid="filter-errors"' in response.content.decode()


# ---------------------------------------------------------------- create


def test_create_with_defaults(client_for, people, small_set, county):
    client = client_for(people.alice)
    assert client.get(url("campaign_create")).status_code == 200
    data = form_data(small_set, county.county, self_check_deadline="", review_deadline="",
                     categories=[county.branch_a1.category_id])
    response = client.post(url("campaign_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert response["Location"] == url("campaign_detail", campaign.pk)
    assert campaign.status == CampaignStatus.DRAFT and campaign.created_by == people.alice
    assert campaign.self_check_deadline == date(2027, 4, 20)  # the default for its year
    assert campaign.star_thresholds == ["60", "70", "80", "90", "95"]
    assert list(campaign.categories.all()) == [county.branch_a1.category]
    assert [p.name for p in campaign.phases.all()][0] == "回忆学习、发动部署"
    assert campaign.phases.count() == 5
    assert campaign.history.first().history_user == people.alice


def test_create_for_a_committee_scope(client_for, people, small_set, county):
    response = client_for(people.alice).post(
        url("campaign_create"), form_data(small_set, county.town_b, include_committees="on")
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.organization == county.town_b and campaign.include_committees


def _refused(client, data, field):
    before = Campaign.objects.count()
    response = client.post(url("campaign_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert Campaign.objects.count() == before
    return errors[field]


def test_create_validation(client_for, people, small_set, county):
    client = client_for(people.alice)
    draft = std.set_create(organization=county.county, code="draft", name="草稿", year=2026,
                           by=people.alice)
    _refused(client, form_data(small_set, county.county, standard_set=draft.pk), "standard_set")
    _refused(client, form_data(small_set, county.county, star_thresholds="60, 80, 70, 90, 95"),
             "star_thresholds")
    _refused(client, form_data(small_set, county.county, star_thresholds="60, 70, 80"),
             "star_thresholds")
    _refused(client, form_data(small_set, county.county, star_thresholds="60, 70, 80, 90, 200"),
             "star_thresholds")
    _refused(client, form_data(small_set, county.county, star_thresholds="60, 70, x, 90, 95"),
             "star_thresholds")
    _refused(client, form_data(small_set, county.county, general_min="95"), "general_min")
    _refused(client, form_data(small_set, county.county, advanced_min="101"), "advanced_min")
    _refused(client, form_data(small_set, county.county, review_deadline="2027-04-01"),
             "review_deadline")
    _refused(client, form_data(small_set, county.county, year="1800"), "year")
    _refused(client, form_data(small_set, county.county, name=""), "name")
    # A branch is no campaign scope, nor is another county.
    _refused(client, form_data(small_set, county.branch_a1), "organization")
    other = other_county()
    _refused(client, form_data(small_set, other.root), "organization")
    _refused(client, form_data(other.set, county.county), "standard_set")


def test_a_committees_library_does_not_cover_the_county(client_for, people, county):
    town_set = std.set_create(organization=county.town_a, code="town", name="东坝标准",
                              year=2026, by=people.alice)
    std.set_fill(standard_set=town_set, by=people.alice, items=[
        std.ItemSpec(dimension="支部建设标准化", code="T-01", requirement="要求", kind="check",
                     max_score=Decimal("10")),
    ])
    std.set_publish(standard_set=town_set, by=people.alice)
    town_set.refresh_from_db()
    client = client_for(people.alice)
    _refused(client, form_data(town_set, county.county), "standard_set")
    assert client.post(url("campaign_create"), form_data(town_set, county.town_a)).status_code == 302


def test_committee_staff_and_viewers_cannot_create(client_for, people, small_set, county):
    for user in (people.bob, people.victor, people.dave):
        response = client_for(user).post(url("campaign_create"), form_data(small_set, county.town_a))
        assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_star_thresholds_parsing():
    assert parse_star_thresholds("60，70、80 90;95") == ["60", "70", "80", "90", "95"]
    assert parse_star_thresholds("60.50, 70, 80, 90, 99.9") == ["60.5", "70", "80", "90", "99.9"]
    assert parse_star_thresholds("") == []


# ---------------------------------------------------------------- edit


@pytest.fixture
def draft(small_set, county, people):
    return services.campaign_create(name="草稿活动", year=2026, standard_set=small_set,
                                    organization=county.county, by=people.alice)


def test_edit_a_draft_rule_and_phases(client_for, people, draft):
    client = client_for(people.alice)
    assert client.get(url("campaign_edit", draft.pk)).status_code == 200
    data = edit_data(draft, advanced_min="85", general_min="60", star_thresholds="",
                     veto_forces_lagging=None)
    data.update(phase_data(
        draft,
        changes={0: {"name": "动员部署"}, 4: {"DELETE": "on"}},
        new={"name": "回头看", "starts_on": "2026-02-01", "ends_on": "2026-02-20"},
    ))
    response = client.post(url("campaign_edit", draft.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.advanced_min == 85 and draft.general_min == 60
    assert draft.star_thresholds == [] and not draft.veto_forces_lagging
    phases = list(draft.phases.all())
    # Renumbered by start date: the new February phase comes first.
    assert [p.name for p in phases][:2] == ["回头看", "动员部署"]
    assert len(phases) == 5 and [p.ordering for p in phases] == [1, 2, 3, 4, 5]
    assert draft.history.first().history_user == people.alice


def test_edit_refuses_bad_phases_and_rules(client_for, people, draft):
    client = client_for(people.alice)
    data = edit_data(draft, general_min="95")
    data.update(phase_data(draft))
    assert client.post(url("campaign_edit", draft.pk), data).status_code == 400
    data = edit_data(draft)
    data.update(phase_data(draft, changes={1: {"ends_on": "2026-01-01"}}))
    response = client.post(url("campaign_edit", draft.pk), data)
    assert response.status_code == 400
    assert response.context["phases"].errors[1]["ends_on"]
    draft.refresh_from_db()
    assert draft.general_min == 70
    assert draft.phases.order_by("ordering")[1].ends_on == date(2026, 4, 30)


def test_edit_an_active_campaign_keeps_its_rule(client_for, people, campaign, county):
    client = client_for(people.alice)
    page = client.get(url("campaign_edit", campaign.pk)).content.decode()
    assert 'data-testid="rule-fixed"' in page
    data = edit_data(campaign, name="改名后的活动", advanced_min="50", general_min="10",
                     organization=county.town_a.pk, star_thresholds="1, 2, 3, 4, 5",
                     review_deadline="2026-05-15")
    data.update(phase_data(campaign))
    response = client.post(url("campaign_edit", campaign.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.name == "改名后的活动" and campaign.review_deadline == date(2026, 5, 15)
    # Disabled fields: the posted values are ignored.
    assert campaign.advanced_min == 90 and campaign.general_min == 70
    assert campaign.organization == county.county
    assert campaign.star_thresholds == ["60", "70", "80", "90", "95"]


def test_a_closed_campaign_cannot_be_edited(client_for, people, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    client = client_for(people.alice)
    data = edit_data(campaign, name="不该改")
    data.update(phase_data(campaign))
    response = client.post(url("campaign_edit", campaign.pk), data)
    assert response.status_code == 302 and response["Location"] == url("campaign_detail", campaign.pk)
    campaign.refresh_from_db()
    assert campaign.name == "基层组织建设年"


# ---------------------------------------------------------------- detail


def _rows(response, key):
    return {row.name: row.counts for row in response.context[key]}


def test_detail_progress_by_committee_and_category(client_for, people, campaign, county):
    spread_statuses(campaign)
    response = client_for(people.alice).get(url("campaign_detail", campaign.pk))
    assert response.status_code == 200
    by_committee = _rows(response, "by_committee")
    assert set(by_committee) == {"东坝镇党委", "西湖乡党委"}
    assert by_committee["东坝镇党委"]["total"] == 2 and by_committee["西湖乡党委"]["total"] == 1
    # A1 draft, A2 submitted, B1 returned (spread_statuses goes by path).
    assert by_committee["东坝镇党委"]["n_draft"] == 1
    assert by_committee["东坝镇党委"]["n_submitted"] == 1
    assert by_committee["西湖乡党委"]["n_returned"] == 1
    assert response.context["committee_totals"].counts["total"] == 3
    by_category = _rows(response, "by_category")
    assert by_category["村"]["total"] == 2 and by_category["社区"]["total"] == 1
    page = response.content.decode()
    town_a = f"{url('campaign_assessments', campaign.pk)}?committee={county.town_a.pk}&amp;status=draft"
    assert town_a in page


def test_detail_for_bob_shows_town_a_only(client_for, people, campaign):
    response = client_for(people.bob).get(url("campaign_detail", campaign.pk))
    assert set(_rows(response, "by_committee")) == {"东坝镇党委"}
    assert sum(c["total"] for c in _rows(response, "by_category").values()) == 2
    assert "西湖乡党委" not in response.content.decode()


def test_detail_counts_overdue_and_grades(client_for, people, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(
        self_check_deadline=timezone.localdate() - timedelta(days=1)
    )
    Assessment.objects.filter(organization__code="A2").update(
        status=AssessmentStatus.ACCEPTED, grade=Grade.ADVANCED, final_score=95
    )
    response = client_for(people.alice).get(url("campaign_detail", campaign.pk))
    rows = _rows(response, "by_committee")
    assert rows["东坝镇党委"]["overdue"] == 1 and rows["西湖乡党委"]["overdue"] == 1
    assert rows["东坝镇党委"]["g_advanced"] == 1
    Campaign.objects.filter(pk=campaign.pk).update(
        self_check_deadline=timezone.localdate() + timedelta(days=1)
    )
    response = client_for(people.alice).get(url("campaign_detail", campaign.pk))
    assert response.context["committee_totals"].counts["overdue"] == 0


def test_detail_highlights_the_current_phase(client_for, people, campaign):
    today = timezone.localdate()
    phase = campaign.phases.first()
    phase.starts_on, phase.ends_on = today - timedelta(days=1), today + timedelta(days=1)
    phase.save()
    campaign.phases.exclude(pk=phase.pk).update(starts_on=today + timedelta(days=10),
                                                ends_on=today + timedelta(days=20))
    response = client_for(people.alice).get(url("campaign_detail", campaign.pk))
    current = [p for p in response.context["phases"] if p.is_current]
    assert [p.pk for p in current] == [phase.pk]
    assert 'data-testid="current-phase"' in response.content.decode()


def test_detail_of_a_campaign_over_one_committee(client_for, people, small_set, county):
    campaign = town_campaign(small_set, county, people.alice)
    response = client_for(people.bob).get(url("campaign_detail", campaign.pk))
    assert _rows(response, "by_committee") == {
        "东坝镇党委": response.context["by_committee"][0].counts
    }
    assert response.context["by_committee"][0].counts["total"] == 2


def test_detail_of_a_draft(client_for, people, draft):
    response = client_for(people.alice).get(url("campaign_detail", draft.pk))
    assert response.status_code == 200
    # The committees are listed with zeros before the launch.
    assert {r.name: r.counts["total"] for r in response.context["by_committee"]} == {
        "东坝镇党委": 0, "西湖乡党委": 0}


# ---------------------------------------------------------------- assessments list


def _codes(response):
    return [a.organization.code for a in response.context["rows"]]


def test_assessments_list_filters(client_for, people, campaign, county):
    spread_statuses(campaign)  # A1 draft, A2 submitted, B1 returned
    Assessment.objects.filter(organization__code="A2").update(
        status=AssessmentStatus.ACCEPTED, grade=Grade.ADVANCED, final_score=Decimal("95"),
        self_score=Decimal("96"),
    )
    Assessment.objects.filter(organization__code="A1").update(final_score=Decimal("60"))
    client = client_for(people.alice)
    base = url("campaign_assessments", campaign.pk)
    assert _codes(client.get(base)) == ["A1", "A2", "B1"]
    assert _codes(client.get(base, {"status": "returned"})) == ["B1"]
    assert _codes(client.get(base, {"grade": "advanced"})) == ["A2"]
    assert _codes(client.get(base, {"grade": "none"})) == ["A1", "B1"]
    assert _codes(client.get(base, {"committee": county.town_a.pk})) == ["A1", "A2"]
    community = county.branch_b1.category_id
    assert _codes(client.get(base, {"category": community})) == ["B1"]
    assert _codes(client.get(base, {"category": "none"})) == []
    assert _codes(client.get(base, {"q": "柳树"})) == ["A2"]
    assert _codes(client.get(base, {"sort": "-score"})) == ["A2", "A1", "B1"]
    assert _codes(client.get(base, {"sort": "score"})) == ["A1", "A2", "B1"]
    # Overdue: not submitted after the self-check deadline (services.overdue_q).
    Campaign.objects.filter(pk=campaign.pk).update(
        self_check_deadline=timezone.localdate() - timedelta(days=1))
    response = client.get(base, {"overdue": "1"})
    assert _codes(response) == ["A1", "B1"]
    assert 'data-testid="overdue"' in response.content.decode()
    page = response.content.decode()
    assert url("assessment_detail", response.context["rows"][0].pk) in page
    # Bad values are dropped and shown.
    response = client.get(base, {"status": "zzz", "committee": "99999", "sort": "evil"})
    assert response.status_code == 200 and _codes(response) == ["A1", "A2", "B1"]


def test_assessments_list_is_scoped(client_for, people, campaign, county):
    client = client_for(people.bob)
    base = url("campaign_assessments", campaign.pk)
    assert _codes(client.get(base)) == ["A1", "A2"]
    # Town B is not a committee bob may pick: the filter is ignored, not widened.
    assert _codes(client.get(base, {"committee": county.town_b.pk})) == ["A1", "A2"]
    assert _codes(client_for(people.victor).get(base)) == ["A1", "A2"]
    assert _codes(client_for(people.charlie).get(base)) == ["B1"]
    rows = client_for(people.bob).get(base).context["rows"]
    assert {a.committee_name for a in rows} == {"东坝镇党委"}


# ---------------------------------------------------------------- query counts

SIZES = [20, 300]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}orgs")
def big(request, campaign, county, django_capture_on_commit_callbacks):
    """The campaign over the county with `n` more branches (launched again; above
    LAUNCH_INLINE_MAX the launch is queued and runs eagerly on commit)."""
    grow(county, request.param)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(campaign=campaign, by=campaign.created_by)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    spread_statuses(campaign)
    return campaign


@pytest.fixture(params=["alice", "bob", "root"])
def reader(request, people):
    return getattr(people, request.param)


def test_list_queries(client_for, reader, big, small_set, county, people,
                      django_assert_max_num_queries):
    town_campaign(small_set, county, people.alice)
    client = client_for(reader)
    # 1-3 session, user, grants; 4 the years of the filter; 5 count; 6 the page of
    # campaigns with scope, set and the per-status counts (one grouped join).
    with django_assert_max_num_queries(6):
        response = client.get(url("campaign_list"), {"status": "active"})
    assert response.status_code == 200
    assert len(response.context["campaigns"]) == 2


def test_detail_queries(client_for, reader, big, django_assert_max_num_queries):
    client = client_for(reader)
    # 1-3 session, user, grants; 4 the campaign with scope and set; 5 the committees
    # under the scope; 6 progress by committee (one grouped query); 7 progress by
    # category (one grouped query); 8 phases; 9 the campaign's categories; 10 the spot
    # checks with their sample counts.
    with django_assert_max_num_queries(10):
        response = client.get(url("campaign_detail", big.pk))
    assert response.status_code == 200
    totals = response.context["committee_totals"].counts
    expected = big.assessments.count() if reader.username != "bob" else None
    if expected:
        assert totals["total"] == expected


def test_assessments_list_queries(client_for, reader, big, county,
                                  django_assert_max_num_queries):
    client = client_for(reader)
    # 1-3 session, user, grants; 4 the campaign; 5 the committees (rows' committee
    # names and the filter's choices); 6 categories; 7 count; 8 the page of
    # assessments with organization and category.
    with django_assert_max_num_queries(8):
        response = client.get(url("campaign_assessments", big.pk),
                              {"committee": county.town_a.pk, "sort": "-score"})
    assert response.status_code == 200
    assert response.context["rows"]

"""3+1 pairing pages: who sees what, creating one (and what it refuses), the outcome and
the conversion rate computed at once, the small writes, the export, and query counts.

A1 is accepted as 后进 (tests/rectification/conftest.py, `accepted_a1`); three fresh users
(no role anywhere) are paired with it, so what they see comes from the helper role alone.
"""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services as cycle
from assessments.models import Grade
from orgs.models import Assignment, Level, Role
from rectification import services
from rectification.forms_pairings import compose_measures, split_measures
from rectification.models import Milestone, Pairing, PairingStatus, Visit

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches
from .conftest import accept

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LATER = TODAY + timedelta(days=200)


def url(name, *args):
    return reverse(f"rectification:{name}", args=args)


@pytest.fixture
def helpers(db):
    """Three people with no role at all: the pairing gives them their only one."""
    return [UserFactory(username=u, full_name=n) for u, n in
            (("leader", "县委副书记 张建华"), ("townsec", "东坝镇党委书记 刘振"), ("cadre", "组工干部 何丽"))]


@pytest.fixture
def pairing(accepted_a1, county, people, helpers):
    return services.pairing_create(
        organization=county.branch_a1, county_leader=helpers[0], committee_secretary=helpers[1],
        cadre=helpers[2], target_date=LATER, measures="【定目标】转化为一般\n【定措施】补选书记",
        by=people.alice, baseline=accepted_a1,
        milestones=[("配齐班子", TODAY + timedelta(days=30)), ("规范三会一课", TODAY - timedelta(days=3))],
    )


@pytest.fixture
def pairing_a2(county, people):
    """Another pairing, on A2, with other helpers (erin's branch; not lagging, built directly)."""
    others = [UserFactory(username=f"other{i}") for i in range(3)]
    return services.pairing_create(
        organization=county.branch_a2, county_leader=others[0], committee_secretary=others[1],
        cadre=others[2], target_date=LATER, measures="帮扶", by=people.alice,
    )


def second_campaign_accepts_a1(small_set, county, people, **values):
    """2027's campaign on the same set; A1 accepted with the values given (default: all met)."""
    campaign = cycle.campaign_create(
        name="基层组织建设年", year=2027, standard_set=small_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2027, 4, 20), review_deadline=date(2027, 4, 30),
    )
    cycle.campaign_launch(campaign=campaign, by=people.alice)
    a1 = campaign.assessments.get(organization=county.branch_a1)
    values = values or dict(ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
                            ZD_02={"text": "做法具体"})
    return accept(a1, people, **values)


# ---------------------------------------------------------------- measures text


def test_measures_round_trip():
    parts = {"goal": "转化为一般", "people": "", "steps": "补选书记\n规范台账", "conversion": "年底验收"}
    text = compose_measures(parts)
    assert text.startswith("【定目标】转化为一般\n【定措施】补选书记")
    assert split_measures(text) == parts
    assert split_measures("随便写的")["steps"] == "随便写的"


# ---------------------------------------------------------------- a helper's view


def test_a_helper_sees_their_pairing_and_nothing_else(client_for, pairing, pairing_a2, county,
                                                      helpers):
    client = client_for(helpers[0])
    response = client.get(url("pairing_list"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["pairings"]] == [pairing.pk]
    assert client.get(url("pairing_detail", pairing.pk)).status_code == 200
    assert client.get(url("pairing_detail", pairing_a2.pk)).status_code == 404

    # A1 on the organization tree and list; not A2, not town A's children.
    tree = client.get(reverse("orgs:tree")).content.decode()
    assert county.branch_a1.name in tree
    assert county.branch_a2.name not in tree and county.town_a.name not in tree
    assert client.get(reverse("orgs:tree_children", args=[county.town_a.pk])).status_code == 404
    listed = client.get(reverse("orgs:list")).context["rows"]
    assert [o.code for o in listed] == ["A1"]
    assert client.get(reverse("orgs:detail", args=[county.branch_a2.pk])).status_code == 404

    # The helper filter lists the helpers of what they see only.
    helpers_listed = response.context["form"].helpers
    assert str(helpers[1].pk) in helpers_listed
    assert str(pairing_a2.county_leader_id) not in helpers_listed


def test_a_helper_logs_visits_and_ticks_milestones_but_does_not_manage(client_for, pairing,
                                                                      helpers):
    client = client_for(helpers[2])
    response = client.post(url("visit_create", pairing.pk), {
        "visited_on": TODAY.isoformat(), "found": "党员活动室堆放杂物", "solved": "当场清理",
    })
    assert response.status_code == 302
    visit = Visit.objects.get(pairing=pairing)
    assert visit.by == helpers[2] and visit.solved == "当场清理"

    milestone = pairing.milestones.get(title="配齐班子")
    assert client.post(url("milestone_done", milestone.pk)).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY
    # A second click changes nothing.
    Milestone.objects.filter(pk=milestone.pk).update(done_on=TODAY - timedelta(days=1))
    client.post(url("milestone_done", milestone.pk))
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY - timedelta(days=1)

    assert client.get(url("pairing_edit", pairing.pk)).status_code == 403
    assert client.post(url("milestone_create", pairing.pk),
                       {"title": "x", "due_on": TODAY.isoformat()}).status_code == 403
    assert client.get(url("pairing_create")).status_code == 403


def test_the_detail_page_shows_the_pairing(client_for, pairing, people, task):
    response = client_for(people.alice).get(url("pairing_detail", pairing.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "县委副书记 张建华" in body and "组工干部 何丽" in body
    assert "补选书记" in body  # the measures
    milestones = response.context["milestones"]
    assert [m.is_overdue for m in milestones] == [True, False]  # by due date
    assert response.context["open_count"] == 1 and response.context["tasks"] == [task]
    assert response.context["outcome"] is None
    assert response.context["shown_status"] == PairingStatus.ACTIVE
    assert response.context["can_manage"] and response.context["can_work"]
    assert 'data-testid="tasks-link"' in body


# ---------------------------------------------------------------- the outcome and the rate


def test_the_conversion_rate_changes_when_a_better_assessment_is_accepted(
    client_for, pairing, people, county, small_set
):
    client = client_for(people.alice)
    response = client.get(url("pairing_list"))
    [row] = response.context["rates"]
    assert row.name == county.town_a.name and (row.total, row.upgraded, row.rate) == (1, 0, 0)
    assert response.context["pairings"][0].shown_status == PairingStatus.ACTIVE

    # 2027: A1 accepted with every item met.
    later = second_campaign_accepts_a1(small_set, county, people)
    assert later.grade in (Grade.GENERAL, Grade.ADVANCED)

    response = client.get(url("pairing_list"))
    [row] = response.context["rates"]
    assert (row.total, row.upgraded, row.rate) == (1, 1, 100)
    assert response.context["pairings"][0].shown_status == PairingStatus.UPGRADED
    assert [p.pk for p in client.get(url("pairing_list"), {"status": "upgraded"})
            .context["pairings"]] == [pairing.pk]
    assert not client.get(url("pairing_list"), {"status": "active"}).context["pairings"]

    detail = client.get(url("pairing_detail", pairing.pk))
    assert detail.context["outcome"] == later
    assert detail.context["shown_status"] == PairingStatus.UPGRADED
    # No write on a GET: the hourly job stores it.
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE and pairing.outcome is None
    assert services.pairings_sync() == 1
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.UPGRADED and pairing.outcome == later
    [row] = client.get(url("pairing_list")).context["rates"]
    assert row.rate == 100


def test_a_new_lagging_grade_does_not_upgrade(client_for, pairing, people, county, small_set):
    second_campaign_accepts_a1(small_set, county, people, ZB_01="false", ZB_02="好", ZS_01="6",
                               ZS_02="true", ZD_01="80", ZD_02={"text": "做法"})
    [row] = client_for(people.alice).get(url("pairing_list")).context["rates"]
    assert row.rate == 0


def test_rates_per_committee(client_for, pairing, people, county):
    OrganizationFactory(parent=county.town_b, code="B2")
    others = [UserFactory(username=f"b{i}") for i in range(3)]
    services.pairing_create(organization=county.branch_b1, county_leader=others[0],
                            committee_secretary=others[1], cadre=others[2], target_date=LATER,
                            measures="帮扶", by=people.alice)
    response = client_for(people.alice).get(url("pairing_list"))
    assert [(r.name, r.total) for r in response.context["rates"]] == [
        (county.town_a.name, 1), (county.town_b.name, 1)]
    assert response.context["totals"].total == 2
    # The committee filter picks rows; the rates stay the county's.
    filtered = client_for(people.alice).get(url("pairing_list"), {"committee": county.town_b.pk})
    assert [p.organization.code for p in filtered.context["pairings"]] == ["B1"]
    assert len(filtered.context["rates"]) == 2
    # bob (town A) sees town A's only.
    bob = client_for(people.bob).get(url("pairing_list"))
    assert [r.name for r in bob.context["rates"]] == [county.town_a.name]
    # A bad filter value is dropped, not an error.
    assert client_for(people.alice).get(url("pairing_list"), {"helper": "x", "status": "zz"}) \
        .status_code == 200


def test_helper_filter(client_for, pairing, pairing_a2, people, helpers):
    response = client_for(people.alice).get(url("pairing_list"), {"helper": helpers[1].pk})
    assert [p.pk for p in response.context["pairings"]] == [pairing.pk]


# ---------------------------------------------------------------- creating a pairing


def form_data(org, leader, secretary, cadre, **extra):
    data = {
        "organization": org.pk, "county_leader": leader.pk, "committee_secretary": secretary.pk,
        "cadre": cadre.pk, "target_grade": "general", "target_date": LATER.isoformat(),
        "goal": "年底前转化为一般", "people": "县级领导统筹", "steps": "补选支部书记\n规范三会一课",
        "conversion": "",
        "milestones-TOTAL_FORMS": "4", "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "12",
        "milestones-0-title": "配齐班子", "milestones-0-due_on": (TODAY + timedelta(days=20)).isoformat(),
    }
    data.update(extra)
    return data


def test_county_staff_create_a_pairing(client_for, accepted_a1, people, county):
    client = client_for(people.alice)
    page = client.get(url("pairing_create"))
    assert page.status_code == 200
    assert [o.code for o in page.context["form"].fields["organization"].queryset] == ["A1"]
    choices = {u.username for u in page.context["form"].fields["cadre"].queryset}
    # People with a role in the county; not the superuser or someone without a role.
    assert {"alice", "bob", "charlie", "victor", "harry"} <= choices
    assert not {"root", "nobody"} & choices

    with_org = client.get(url("pairing_create"), {"org": county.branch_a1.pk})
    assert with_org.status_code == 200

    response = client.post(url("pairing_create"),
                           form_data(county.branch_a1, people.victor, people.bob, people.harry))
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert response["Location"] == url("pairing_detail", pairing.pk)
    assert pairing.baseline == accepted_a1 and pairing.baseline_grade == Grade.LAGGING
    assert pairing.measures.startswith("【定目标】年底前转化为一般\n【定人员】县级领导统筹\n【定措施】")
    assert [(m.title, m.due_on) for m in pairing.milestones.all()] == [
        ("配齐班子", TODAY + timedelta(days=20))]
    assert Assignment.objects.filter(organization=county.branch_a1, role=Role.HELPER,
                                     user__in=[people.victor, people.bob, people.harry]).count() == 3


@pytest.mark.parametrize("change, message", [
    ({"cadre": "leader"}, "三个不同的人"),
    ({"target_grade": "lagging"}, ""),
    ({"target_date": (TODAY - timedelta(days=1)).isoformat()}, ""),
    ({"cadre": "nobody"}, ""),
    ({"milestones-1-title": "迟到的节点",
      "milestones-1-due_on": (LATER + timedelta(days=1)).isoformat()}, ""),
    ({"milestones-2-title": "只有名称，没有日期"}, ""),
    ({"goal": ""}, ""),
])
def test_create_refuses_bad_input(client_for, accepted_a1, people, county, change, message):
    data = form_data(county.branch_a1, people.victor, people.bob, people.harry)
    for key, value in change.items():
        if value == "leader":
            value = people.victor.pk
        elif value == "nobody":
            value = people.nobody.pk
        data[key] = value
    response = client_for(people.alice).post(url("pairing_create"), data)
    assert response.status_code == 400
    if message:
        assert message in response.content.decode()
    assert not Pairing.objects.exists()
    assert not Assignment.objects.filter(role=Role.HELPER, organization=county.branch_a1).exists()


def test_one_active_pairing_per_organization(client_for, pairing, people, county):
    response = client_for(people.alice).post(
        url("pairing_create"), form_data(county.branch_a1, people.victor, people.bob, people.harry))
    assert response.status_code == 400
    assert "已有正在进行的帮扶结对" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_the_service_refuses_what_the_form_refuses(accepted_a1, people, county, helpers):
    kwargs = dict(organization=county.branch_a1, target_date=LATER, measures="x", by=people.alice,
                  baseline=accepted_a1)
    with pytest.raises(ValidationError):
        services.pairing_create(county_leader=helpers[0], committee_secretary=helpers[0],
                                cadre=helpers[2], **kwargs)
    with pytest.raises(ValidationError):
        services.pairing_create(county_leader=helpers[0], committee_secretary=helpers[1],
                                cadre=helpers[2], target_grade=Grade.LAGGING, **kwargs)


def test_create_for_an_organization_that_is_not_lagging(client_for, accepted_a1, people, county):
    response = client_for(people.alice).get(url("pairing_create"), {"org": county.branch_a2.pk})
    assert response.status_code == 400
    assert 'data-testid="not-lagging"' in response.content.decode()
    # Junk or another county's organization: 404.
    other = OrganizationFactory(code="X", name="邻县县委", level=Level.COUNTY, category=None)
    assert client_for(people.alice).get(url("pairing_create"), {"org": other.pk}).status_code == 404
    assert client_for(people.alice).get(url("pairing_create"), {"org": "zz"}).status_code == 404


def test_helpers_must_hold_a_role_in_the_county(client_for, accepted_a1, people, county):
    other = OrganizationFactory(code="X", name="邻县县委", level=Level.COUNTY, category=None)
    stranger = UserFactory(username="stranger")
    AssignmentFactory(user=stranger, organization=other, role=Role.VIEWER)
    response = client_for(people.alice).post(
        url("pairing_create"), form_data(county.branch_a1, people.victor, people.bob, stranger))
    assert response.status_code == 400
    assert not Pairing.objects.exists()


# ---------------------------------------------------------------- edit and the small writes


def test_managers_edit_and_end_a_pairing(client_for, pairing, people, helpers):
    client = client_for(people.alice)
    page = client.get(url("pairing_edit", pairing.pk))
    assert page.status_code == 200
    assert page.context["form"].initial["goal"] == "转化为一般"
    new_date = LATER + timedelta(days=30)
    response = client.post(url("pairing_edit", pairing.pk), {
        "target_date": new_date.isoformat(), "status": "ended", "goal": "转化为一般",
        "people": "", "steps": "补选书记；建台账", "conversion": "",
    })
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED and pairing.target_date == new_date
    assert "补选书记；建台账" in pairing.measures
    assert pairing.history.first().history_user == people.alice

    # An ended pairing takes no visits.
    response = client_for(helpers[0]).post(url("visit_create", pairing.pk), {
        "visited_on": TODAY.isoformat(), "found": "x"})
    assert response.status_code == 400 and not Visit.objects.exists()
    milestone = pairing.milestones.filter(done_on=None).first()
    assert client_for(helpers[0]).post(url("milestone_done", milestone.pk)).status_code == 400
    milestone.refresh_from_db()
    assert milestone.done_on is None

    # Reopening it is refused while another pairing is active.
    Pairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.ENDED)
    services.pairing_create(organization=pairing.organization, county_leader=people.victor,
                            committee_secretary=people.bob, cadre=people.harry,
                            target_date=LATER, measures="新一轮", by=people.alice)
    response = client_for(people.alice).post(url("pairing_edit", pairing.pk), {
        "target_date": new_date.isoformat(), "status": "active", "goal": "a", "steps": "b"})
    assert response.status_code == 400
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED


def test_edit_refuses_a_target_date_before_the_start(client_for, pairing, people):
    response = client_for(people.alice).post(url("pairing_edit", pairing.pk), {
        "target_date": (TODAY - timedelta(days=5)).isoformat(), "status": "active",
        "goal": "a", "steps": "b"})
    assert response.status_code == 400
    pairing.refresh_from_db()
    assert pairing.target_date == LATER


def test_visit_input_is_checked(client_for, pairing, helpers):
    client = client_for(helpers[1])
    for data in (
        {"visited_on": TODAY.isoformat(), "found": "  "},
        {"visited_on": (TODAY + timedelta(days=1)).isoformat(), "found": "x"},
        {"visited_on": (TODAY - timedelta(days=400)).isoformat(), "found": "x"},
        {"visited_on": "not a date", "found": "x"},
    ):
        assert client.post(url("visit_create", pairing.pk), data).status_code == 400
    assert not Visit.objects.exists()
    assert client.get(url("visit_create", pairing.pk)).status_code == 200


def test_managers_add_milestones(client_for, pairing, people):
    client = client_for(people.alice)
    assert client.get(url("milestone_create", pairing.pk)).status_code == 200
    response = client.post(url("milestone_create", pairing.pk),
                           {"title": "迎接验收", "due_on": LATER.isoformat()})
    assert response.status_code == 302
    assert pairing.milestones.filter(title="迎接验收").exists()
    response = client.post(url("milestone_create", pairing.pk),
                           {"title": "太晚", "due_on": (LATER + timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert not pairing.milestones.filter(title="太晚").exists()


# ---------------------------------------------------------------- scoping per URL


def pairing_urls(pairing):
    milestone = pairing.milestones.first()
    return {
        "pairing_detail": url("pairing_detail", pairing.pk),
        "pairing_edit": url("pairing_edit", pairing.pk),
        "visit_create": url("visit_create", pairing.pk),
        "milestone_create": url("milestone_create", pairing.pk),
        "milestone_done": url("milestone_done", milestone.pk),
    }


def test_anonymous_users_are_sent_to_log_in(client, pairing):
    for address in [url("pairing_list"), url("pairing_export"), url("pairing_create"),
                    *pairing_urls(pairing).values()]:
        response = client.post(address) if "done" in address else client.get(address)
        assert response.status_code == 302 and "/login/" in response["Location"], address


@pytest.mark.parametrize("who", ["charlie", "erin", "neighbour"])
def test_outsiders_get_404(client_for, pairing, people, who):
    if who == "neighbour":
        other = OrganizationFactory(code="X", name="邻县县委", level=Level.COUNTY, category=None)
        user = UserFactory(username="neighbour")
        AssignmentFactory(user=user, organization=other, role=Role.COUNTY_STAFF)
    else:
        user = getattr(people, who)
    client = client_for(user)
    for name, address in pairing_urls(pairing).items():
        response = client.post(address) if name == "milestone_done" else client.get(address)
        assert response.status_code == 404, name
    assert not client.get(url("pairing_list")).context["pairings"]
    assert client.get(url("pairing_detail", 999999)).status_code == 404


@pytest.mark.parametrize("who", ["victor", "dave", "bob"])
def test_readers_get_403_on_writes(client_for, pairing, people, who):
    client = client_for(getattr(people, who))
    addresses = pairing_urls(pairing)
    assert client.get(addresses["pairing_detail"]).status_code == 200
    for name in ("pairing_edit", "visit_create", "milestone_create"):
        assert client.get(addresses[name]).status_code == 403, name
        assert client.post(addresses[name], {}).status_code == 403, name
    assert client.post(addresses["milestone_done"]).status_code == 403
    assert client.get(url("pairing_create")).status_code == 403
    assert not Visit.objects.exists()
    assert not pairing.milestones.exclude(done_on=None).exists()


def test_post_only_and_methods(client_for, pairing, people):
    client = client_for(people.alice)
    assert client.get(pairing_urls(pairing)["milestone_done"]).status_code == 405
    assert client.post(url("pairing_list")).status_code == 405
    assert client.post(url("pairing_detail", pairing.pk)).status_code == 405
    assert client.post(url("pairing_export")).status_code == 405


# ---------------------------------------------------------------- the export


def test_export(client_for, pairing, people, county, small_set):
    second_campaign_accepts_a1(small_set, county, people)
    response = client_for(people.alice).get(url("pairing_export"), {"status": "upgraded"})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(values_only=True) if r]
    assert rows[0][0] == "3+1帮扶结对情况"
    assert "状态 已晋位升级" in rows[1][0]
    header, first = rows[2], rows[3]
    assert header[:3] == ["代码", "党组织", "所属党(工)委"]
    assert first[0] == "A1" and first[2] == county.town_a.name
    assert first[3] == "县委副书记 张建华" and first[14] == "已晋位升级"
    block = [r for r in rows if r[0] == county.town_a.name]
    assert block and block[0][1:4] == [1, 1, "100%"]
    assert any(r[0] == "合计" for r in rows)


def test_a_helpers_export_holds_their_pairing_only(client_for, pairing, pairing_a2, helpers):
    response = client_for(helpers[0]).get(url("pairing_export"))
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    codes = [r[0] for r in wb.active.iter_rows(min_row=4, values_only=True) if r]
    assert "A1" in codes and "A2" not in codes


# ---------------------------------------------------------------- query counts


def many_pairings(county, people, count):
    """`count` pairings on new branches of town A, each with two milestones and a visit,
    made in bulk (not through the services: only the reads are measured)."""
    branches = add_many_branches(county.town_a, count, prefix="P")
    users = [UserFactory(username=f"h{i}") for i in range(3)]
    pairings = Pairing.objects.bulk_create([
        Pairing(organization=org, county_leader=users[0], committee_secretary=users[1],
                cadre=users[2], target_date=LATER, measures="帮扶", created_by=people.alice)
        for org in branches
    ])
    Milestone.objects.bulk_create([
        Milestone(pairing=p, title=t, due_on=TODAY + timedelta(days=d))
        for p in pairings for t, d in (("一", -5), ("二", 20))
    ])
    Visit.objects.bulk_create([
        Visit(pairing=p, by=users[0], visited_on=TODAY, found="走访") for p in pairings
    ])
    Assignment.objects.bulk_create([
        Assignment(user=u, organization=org, role=Role.HELPER) for org in branches for u in users
    ])
    return pairings, users


@pytest.mark.parametrize("size", [3, 120])
def test_list_and_export_queries(client_for, county, people, size, django_assert_max_num_queries):
    pairings, users = many_pairings(county, people, size)
    for user in (people.alice, users[0]):
        client = client_for(user)
        # 1-3 session, user, grants; 4 the per-committee counts (one grouped query, the
        # upgraded count an EXISTS); 5 the committees' names; 6 the helpers of the filter;
        # 7 the committee of the filter; 8 count; 9 the page of pairings with their
        # organization, helpers and progress (every figure a subquery).
        with django_assert_max_num_queries(9):
            response = client.get(url("pairing_list"), {"committee": county.town_a.pk})
        assert response.status_code == 200
        assert len(response.context["pairings"]) == min(size, 50)
        assert response.context["pairings"][0].milestones_total == 2
        # 1-3 session, user, grants; 4-7 as the list (rates, names, helpers, committee);
        # 8 the rows; 9 the rows' committees' names; 10 the names of the scope.
        with django_assert_max_num_queries(10):
            response = client.get(url("pairing_export"), {"committee": county.town_a.pk})
            content = b"".join(response.streaming_content)
        assert response.status_code == 200
        rows = list(load_workbook(BytesIO(content), read_only=True).active.iter_rows(
            min_row=4, values_only=True))
        assert sum(1 for r in rows if r and str(r[0]).startswith("P")) == size


@pytest.mark.parametrize("size", [2, 40])
def test_detail_queries(client_for, pairing, people, county, small_set, size,
                        django_assert_max_num_queries):
    Milestone.objects.bulk_create([Milestone(pairing=pairing, title=f"节点{i}", due_on=LATER)
                                   for i in range(size)])
    Visit.objects.bulk_create([Visit(pairing=pairing, by=people.alice, visited_on=TODAY,
                                     found=f"走访{i}") for i in range(size)])
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4 the pairing with organization and helpers; 5 the
    # better assessment, if any; 6 milestones; 7 the open tasks; 8 their count; 9 the
    # baseline with its campaign; 10 visits with their authors.
    with django_assert_max_num_queries(10):
        response = client.get(url("pairing_detail", pairing.pk))
    assert response.status_code == 200
    assert len(response.context["visits"]) == size
    # Upgraded (found now, not stored yet): 11 the campaign of the assessment that did it.
    second_campaign_accepts_a1(small_set, county, people)
    with django_assert_max_num_queries(11):
        response = client.get(url("pairing_detail", pairing.pk))
    assert response.context["shown_status"] == PairingStatus.UPGRADED


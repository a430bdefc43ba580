"""The rectification admin: scoped like the pages; problems and tasks written by staff over
the organization, pairings by county staff, always through the services; status,
progress, checks and outcomes read-only for everyone."""

from datetime import date

import pytest
from django.urls import reverse

from orgs.models import Assignment, Role
from rectification import services
from rectification.models import Pairing, Problem, ProblemSource, RectificationTask, TaskStatus

from ..assessments.campaign_builders import other_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob, people.charlie, people.victor, people.dave):
        user.is_staff = True
        user.save()
    return people


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:rectification_{model}_{action}", args=args)


def shown(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_lists_are_scoped(client_for, staff, task):
    for model, expected in (("problem", 3), ("rectificationtask", 1)):
        assert len(shown(client_for(staff.bob).get(admin_url(model)))) == expected
        assert len(shown(client_for(staff.dave).get(admin_url(model)))) == expected
        assert shown(client_for(staff.charlie).get(admin_url(model))) == []
        assert len(shown(client_for(staff.root).get(admin_url(model)))) == expected
    zoe = other_county().zoe
    assert shown(client_for(zoe).get(admin_url("rectificationtask"))) == []


def test_search_and_filters(client_for, staff, task):
    client = client_for(staff.bob)
    assert shown(client.get(admin_url("rectificationtask"), {"q": "补选"})) == [task]
    assert shown(client.get(admin_url("rectificationtask"), {"q": "东坝村"})) == [task]
    assert shown(client.get(admin_url("rectificationtask"), {"overdue": "yes"})) == []
    assert shown(client.get(admin_url("rectificationtask"), {"overdue": "no"})) == [task]
    RectificationTask.objects.filter(pk=task.pk).update(deadline=date(2026, 1, 1))
    assert shown(client.get(admin_url("rectificationtask"), {"overdue": "yes"})) == [task]
    assert len(shown(client.get(admin_url("problem"), {"severity__exact": "high"}))) == 1
    assert len(shown(client.get(admin_url("problem"), {"q": "ZS-01"}))) == 1


def test_outsiders_reach_no_row_and_no_history(client_for, staff, task):
    client = client_for(staff.charlie)
    # The admin's answer to a row outside the queryset: back to the index.
    assert client.get(admin_url("rectificationtask", "change", task.pk)).status_code == 302
    assert client.get(admin_url("rectificationtask", "history", task.pk)).status_code == 404
    assert client.get(admin_url("problem", "history", task.problem_id)).status_code == 404
    assert client_for(staff.bob).get(
        admin_url("rectificationtask", "history", task.pk)).status_code == 200


def test_non_staff_and_roleless_staff_see_nothing(client_for, people, task):
    assert client_for(people.bob).get(admin_url("problem")).status_code == 302  # not is_staff
    people.nobody.is_staff = True
    people.nobody.save()
    assert client_for(people.nobody).get(admin_url("problem")).status_code == 403


def test_readers_cannot_write(client_for, staff, task):
    for user in (staff.victor, staff.dave):
        client = client_for(user)
        assert client.get(admin_url("problem", "add")).status_code == 403
        assert client.get(admin_url("rectificationtask", "add")).status_code == 403
        page = client.get(admin_url("rectificationtask", "change", task.pk))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        response = client.post(admin_url("rectificationtask", "change", task.pk),
                               {"measure": "改掉", "responsible_name": "某人"})
        assert response.status_code == 403
    task.refresh_from_db()
    assert task.measure == "补选支部书记"


def test_add_a_problem_through_the_service(client_for, staff, county):
    client = client_for(staff.bob)
    form = client.get(admin_url("problem", "add")).context["adminform"].form
    codes = {org.code for org in form.fields["organization"].queryset}
    assert codes == {"A", "A1", "A2"}
    response = client.post(admin_url("problem", "add"), {
        "organization": county.branch_a2.pk, "description": "党员花名册未更新",
        "severity": "low", "found_on": "2026-11-01",
    })
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert problem.source == ProblemSource.MANUAL and problem.found_by == staff.bob
    assert problem.history.first().history_user == staff.bob
    # B1 is not bob's to write.
    response = client.post(admin_url("problem", "add"), {
        "organization": county.branch_b1.pk, "description": "x", "severity": "low",
        "found_on": "2026-11-01",
    })
    assert response.status_code == 200 and Problem.objects.count() == 1


def test_add_a_task_with_the_backwards_deadline(client_for, staff, problems):
    client = client_for(staff.bob)
    form = client.get(admin_url("rectificationtask", "add")).context["adminform"].form
    assert set(form.fields["responsible"].queryset.values_list("username", flat=True)) >= {
        "bob", "dave", "erin"}
    assert "charlie" not in set(form.fields["responsible"].queryset.values_list(
        "username", flat=True))
    response = client.post(admin_url("rectificationtask", "add"), {
        "problem": problems[1].pk, "measure": "每月开展组织生活", "responsible": staff.dave.pk,
        "responsible_name": "陈书记", "leader_name": "", "starts_on": "2026-11-22",
        "deadline": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    task = RectificationTask.objects.get()
    assert task.deadline == services.default_deadline(problems[1])
    assert task.created_by == staff.bob and task.organization_id == problems[1].organization_id


def test_add_a_task_refused_on_the_form(client_for, staff, problems, county):
    client = client_for(staff.bob)
    data = {"problem": problems[1].pk, "measure": "整改", "responsible_name": "陈书记",
            "starts_on": "2026-11-22", "deadline": "2026-11-01"}
    assert client.post(admin_url("rectificationtask", "add"), data).status_code == 200
    # A problem outside the scope, typed into the raw-id box.
    other = Problem.objects.create(organization=county.branch_b1, source="manual",
                                   description="B1 的问题")
    data.update(problem=other.pk, deadline="2026-12-31")
    assert client.post(admin_url("rectificationtask", "add"), data).status_code == 200
    assert not RectificationTask.objects.exists()


def test_edit_a_task_leaves_the_status_alone(client_for, staff, task):
    client = client_for(staff.bob)
    response = client.post(admin_url("rectificationtask", "change", task.pk), {
        "measure": "召开党员大会补选", "responsible": staff.dave.pk, "responsible_name": "陈书记",
        "leader_name": "李强", "starts_on": "2026-11-01", "deadline": "2027-01-31",
        "status": "closed", "progress": "100",
        "updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0",
        "checks-TOTAL_FORMS": "0", "checks-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    task.refresh_from_db()
    assert task.deadline == date(2027, 1, 31) and task.measure == "召开党员大会补选"
    assert task.status == TaskStatus.OPEN and task.progress == 0
    assert task.history.first().history_user == staff.bob


def test_a_closed_task_is_read_only(client_for, staff, task):
    services.task_report(task=task, by=staff.dave, text="完成", progress=100)
    services.task_request_close(task=task, by=staff.dave)
    services.task_check(task=task, by=staff.bob, accepted=True)
    page = client_for(staff.bob).get(admin_url("rectificationtask", "change", task.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    body = page.content.decode()
    assert "完成" in body  # the report inline


def test_pairings_are_the_county_staffs(client_for, staff, county, accepted_a1):
    assert client_for(staff.bob).get(admin_url("pairing", "add")).status_code == 403
    client = client_for(staff.alice)
    data = {
        "organization": county.branch_a1.pk, "county_leader": staff.victor.pk,
        "committee_secretary": staff.bob.pk, "cadre": staff.harry.pk,
        "baseline": accepted_a1.pk, "target_grade": "general", "target_date": "2027-06-30",
        "measures": "三定一帮",
    }
    # The same person twice is refused on the form, not with a 500.
    bad = {**data, "cadre": staff.bob.pk}
    assert client.post(admin_url("pairing", "add"), bad).status_code == 200
    assert not Pairing.objects.exists()
    response = client.post(admin_url("pairing", "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pairing = Pairing.objects.get()
    assert Assignment.objects.filter(user=staff.harry, organization=county.branch_a1,
                                     role=Role.HELPER).exists()
    # A second active pairing of the same organization is refused on the form.
    assert client.post(admin_url("pairing", "add"), data).status_code == 200
    # Milestones inline; the people and the outcome stay as they are.
    response = client.post(admin_url("pairing", "change", pairing.pk), {
        "target_grade": "advanced", "target_date": "2027-06-30", "measures": "三定一帮，加强培训",
        "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "0",
        "milestones-0-title": "完成班子调整", "milestones-0-due_on": "2027-01-31",
        "visits-TOTAL_FORMS": "0", "visits-INITIAL_FORMS": "0",
        "status": "upgraded", "cadre": staff.alice.pk,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    pairing.refresh_from_db()
    assert pairing.target_grade == "advanced" and pairing.status == "active"
    assert pairing.cadre == staff.harry and pairing.milestones.get().title == "完成班子调整"
    # bob sees it (town A) but cannot change it; charlie does not see it.
    page = client_for(staff.bob).get(admin_url("pairing", "change", pairing.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert shown(client_for(staff.charlie).get(admin_url("pairing"))) == []

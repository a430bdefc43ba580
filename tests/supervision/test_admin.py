"""The supervision admin: scoped like the pages (a committee's papers through its committee,
notifications their user's, job runs for county staff), nothing added by hand that the jobs
make, writes through the services, the beat schedule in django-celery-beat's admin."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Level, Role
from rectification.models import Problem, ProblemSource
from supervision import services
from supervision.models import (
    Dispatch,
    DispatchStatus,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    Job,
    JobRun,
    Notification,
    NotificationKind,
)

from ..assessments.campaign_builders import other_county
from ..factories import AssignmentFactory, OrganizationFactory, add_many_branches
from .conftest import DAY, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob, people.charlie, people.victor, people.dave):
        user.is_staff = True
        user.save()
    return people


@pytest.fixture
def jobs(county, staff, tasks):
    """October's dispatches, Q4's inspection plans and DAY's reminders for towns A and B."""
    for job in (Job.DISPATCH, Job.INSPECTION, Job.REMINDERS):
        services.run_job(job=job, run_for=DAY)
    return {
        "a": Dispatch.objects.get(committee=county.town_a),
        "b": Dispatch.objects.get(committee=county.town_b),
        "ia": Inspection.objects.get(committee=county.town_a),
        "ib": Inspection.objects.get(committee=county.town_b),
    }


def admin_url(model, action="changelist", *args, app="supervision"):
    return reverse(f"admin:{app}_{model}_{action}", args=args)


def shown(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


MODELS = ["dispatch", "inspection", "inspectionfinding", "notification", "jobrun"]


def test_every_page_loads_for_root(client_for, staff, jobs):
    client = client_for(staff.root)
    sample = jobs["ia"].samples.first()
    finding = services.inspections.finding_record(sample=sample, by=staff.alice,
                                                  description="党员活动室挂牌不规范", severity="low")
    objects = {"dispatch": jobs["a"], "inspection": jobs["ia"], "inspectionfinding": finding,
               "notification": Notification.objects.first(), "jobrun": JobRun.objects.first()}
    for model in MODELS:
        assert len(shown(client.get(admin_url(model)))) >= 1, model
        assert client.get(admin_url(model, "change", objects[model].pk)).status_code == 200, model
    for model in ("dispatch", "inspection"):
        assert client.get(admin_url(model, "history", objects[model].pk)).status_code == 200
    # A superuser may enter a finding at any open inspection's organization.
    form = client.get(admin_url("inspectionfinding", "add")).context["adminform"].form
    assert {s.inspection_id for s in form.fields["sample"].queryset} == {jobs["ia"].pk, jobs["ib"].pk}
    # The figures are a table of the dispatch's lines, money grouped with two places.
    figures = {**jobs["a"].figures, "funding": {"planned": "443200.00", "paid_month": "1234.56",
                                                "paid_year": "0.00"}, "later": {"x": 1}}
    Dispatch.objects.filter(pk=jobs["a"].pk).update(figures=figures)
    page = client.get(admin_url("dispatch", "change", jobs["a"].pk)).content.decode()
    assert "443,200.00" in page and "1,234.56" in page
    assert "&quot;later&quot;" in page  # a section the page does not know yet, as JSON
    # Filters and search, including garbage values.
    for model, params in [
        ("dispatch", {"period": "2026-10-01"}), ("dispatch", {"status__exact": "draft"}),
        ("dispatch", {"late": "yes"}), ("dispatch", {"committee": str(staff.bob.pk)}),
        ("dispatch", {"period": "garbage"}), ("dispatch", {"committee": "x"}),
        ("dispatch", {"q": "东坝"}), ("inspection", {"period": "2026-10-01"}),
        ("inspection", {"q": "东坝村"}), ("inspectionfinding", {"period": "2026-10-01"}),
        ("notification", {"read": "no"}), ("notification", {"kind__exact": "dispatch_due"}),
        ("jobrun", {"job__exact": "reminders"}), ("jobrun", {"status__exact": "succeeded"}),
    ]:
        assert client.get(admin_url(model), params).status_code == 200, (model, params)


def test_dispatch_filters(client_for, staff, jobs, county):
    client = client_for(staff.root)
    assert set(shown(client.get(admin_url("dispatch"), {"period": "2026-10-01"}))) == {
        jobs["a"], jobs["b"]}
    assert shown(client.get(admin_url("dispatch"), {"period": "2026-09-01"})) == []
    assert shown(client.get(admin_url("dispatch"), {"period": "garbage"})) == []
    assert shown(client.get(admin_url("dispatch"), {"committee": county.town_b.pk})) == [jobs["b"]]
    # Due on 10 November, not submitted on the 22nd: both late; A submitted on time is not.
    assert len(shown(client.get(admin_url("dispatch"), {"late": "yes"}))) == 2
    services.dispatch_submit(dispatch=jobs["a"], by=staff.bob, notes="十月情况")
    Dispatch.objects.filter(pk=jobs["a"].pk).update(submitted_at=moment(date(2026, 11, 5)))
    assert shown(client.get(admin_url("dispatch"), {"late": "yes"})) == [jobs["b"]]
    assert shown(client.get(admin_url("dispatch"), {"late": "no"})) == [jobs["a"]]


def test_bob_sees_town_a_only(client_for, staff, jobs):
    client = client_for(staff.bob)
    assert shown(client.get(admin_url("dispatch"))) == [jobs["a"]]
    assert shown(client.get(admin_url("inspection"))) == [jobs["ia"]]
    # The committee filter names his committee only.
    page = client.get(admin_url("dispatch"))
    committee_filter = next(f for f in page.context["cl"].filter_specs
                            if getattr(f, "parameter_name", "") == "committee")
    assert [name for _pk, name in committee_filter.lookup_choices] == ["东坝镇党委"]
    # Town B's rows: the admin's answer to a row outside the queryset is back to the index.
    for model, key in (("dispatch", "b"), ("inspection", "ib")):
        assert client.get(admin_url(model, "change", jobs[key].pk)).status_code == 302
        assert client.get(admin_url(model, "history", jobs[key].pk)).status_code == 404
        assert client.get(admin_url(model, "change", jobs[key.replace("b", "a")].pk)).status_code == 200
        assert client.get(admin_url(model, "history", jobs[key.replace("b", "a")].pk)).status_code == 200
    assert client_for(staff.charlie).get(admin_url("dispatch")).context["cl"].result_list[0] == jobs["b"]
    zoe = other_county().zoe
    assert shown(client_for(zoe).get(admin_url("dispatch"))) == []
    assert shown(client_for(zoe).get(admin_url("inspection"))) == []


def test_nothing_the_jobs_make_is_added_or_deleted_by_hand(client_for, staff, jobs):
    for user in (staff.root, staff.alice, staff.bob):
        client = client_for(user)
        for model in ("dispatch", "inspection", "notification", "jobrun"):
            assert client.get(admin_url(model, "add")).status_code == 403, (user, model)
    client = client_for(staff.root)
    assert client.post(admin_url("dispatch", "delete", jobs["a"].pk)).status_code == 403
    assert client.post(admin_url("jobrun", "delete", JobRun.objects.first().pk)).status_code == 403
    assert Dispatch.objects.count() == 2


def test_non_staff_and_roleless_staff_see_nothing(client_for, people, jobs):
    people.bob.is_staff = False
    people.bob.save()
    assert client_for(people.bob).get(admin_url("dispatch")).status_code == 302  # not is_staff
    people.nobody.is_staff = True
    people.nobody.save()
    for model in MODELS:
        assert client_for(people.nobody).get(admin_url(model)).status_code == 403


# ---------------------------------------------------------------- dispatch notes


def test_committee_staff_keep_a_drafts_notes_through_the_service(client_for, staff, jobs):
    client = client_for(staff.bob)
    url = admin_url("dispatch", "change", jobs["a"].pk)
    page = client.get(url)
    assert page.context["has_change_permission"]
    assert list(page.context["adminform"].form.fields) == ["notes"]
    response = client.post(url, {"notes": "十月份东坝镇整改推进情况", "status": "submitted"})
    assert response.status_code == 302
    a = Dispatch.objects.get(pk=jobs["a"].pk)
    assert a.notes == "十月份东坝镇整改推进情况" and a.status == DispatchStatus.DRAFT
    assert a.history.first().history_user == staff.bob
    # Once submitted it is a record: read-only here too.
    services.dispatch_submit(dispatch=a, by=staff.bob)
    assert not client.get(url).context["has_change_permission"]
    assert client.post(url, {"notes": "改"}).status_code == 403


def test_readers_cannot_write_notes(client_for, staff, jobs):
    for user in (staff.victor, staff.dave):
        client = client_for(user)
        url = admin_url("dispatch", "change", jobs["a"].pk)
        if user is staff.dave:  # a secretary's scope is the branch: the committee's paper is not his
            assert client.get(url).status_code == 302
            continue
        assert not client.get(url).context["has_change_permission"]
        assert client.post(url, {"notes": "改"}).status_code == 403
    assert Dispatch.objects.get(pk=jobs["a"].pk).notes == ""


# ---------------------------------------------------------------- inspections


def inspection_post(inspectors, notes=""):
    return {"inspectors": [u.pk for u in inspectors], "notes": notes,
            "samples-TOTAL_FORMS": "0", "samples-INITIAL_FORMS": "0"}


def test_county_staff_assign_inspectors(client_for, staff, jobs):
    zoe = other_county().zoe
    client = client_for(staff.alice)
    url = admin_url("inspection", "change", jobs["ia"].pk)
    page = client.get(url)
    assert page.context["has_change_permission"]
    choices = set(page.context["adminform"].form.fields["inspectors"].queryset)
    assert {staff.alice, staff.victor, staff.bob} <= choices and zoe not in choices
    assert staff.root not in choices  # no role in the county
    response = client.post(url, inspection_post([staff.alice, staff.victor], "第四季度督查"))
    assert response.status_code == 302, response.content.decode()[:3000]
    ia = Inspection.objects.get(pk=jobs["ia"].pk)
    assert set(ia.inspectors.all()) == {staff.alice, staff.victor} and ia.notes == "第四季度督查"
    assert ia.history.first().history_user == staff.alice
    # Someone from the next county is not a choice.
    assert client.post(url, inspection_post([zoe])).status_code == 200
    assert set(ia.inspectors.all()) == {staff.alice, staff.victor}
    # Committee staff read the plan; they do not assign.
    bob = client_for(staff.bob)
    assert not bob.get(url).context["has_change_permission"]
    assert bob.post(url, inspection_post([staff.bob])).status_code == 403
    # A finished inspection is a record, for county staff too; its sample takes no findings.
    Inspection.objects.filter(pk=ia.pk).update(status=InspectionStatus.DONE)
    client = client_for(staff.alice)
    assert not client.get(url).context["has_change_permission"]
    assert client.post(url, inspection_post([staff.alice])).status_code == 403
    form = client.get(admin_url("inspectionfinding", "add")).context["adminform"].form
    assert {s.inspection_id for s in form.fields["sample"].queryset} == {jobs["ib"].pk}


def test_a_finding_entered_here_becomes_a_problem(client_for, staff, jobs):
    sample = jobs["ia"].samples.select_related("organization").first()
    client = client_for(staff.alice)
    form = client.get(admin_url("inspectionfinding", "add")).context["adminform"].form
    assert {s.inspection_id for s in form.fields["sample"].queryset} == {jobs["ia"].pk, jobs["ib"].pk}
    response = client.post(admin_url("inspectionfinding", "add"), {
        "sample": sample.pk, "description": "三会一课记录不全", "severity": "high"})
    assert response.status_code == 302, response.content.decode()[:3000]
    finding = InspectionFinding.objects.get()
    assert finding.by == staff.alice and finding.sample == sample
    problem = Problem.objects.get(pk=finding.problem_id)
    assert problem.source == ProblemSource.INSPECTION and problem.organization == sample.organization
    assert problem.severity == "high"
    # A blank description is refused on the form.
    assert client.post(admin_url("inspectionfinding", "add"), {
        "sample": sample.pk, "description": "  ", "severity": "low"}).status_code == 200
    # Bob (committee staff, no inspector) adds none; as an inspector of A's he may, A's only.
    bob = client_for(staff.bob)
    assert bob.get(admin_url("inspectionfinding", "add")).status_code == 403
    jobs["ia"].inspectors.add(staff.bob)
    form = bob.get(admin_url("inspectionfinding", "add")).context["adminform"].form
    assert {s.inspection_id for s in form.fields["sample"].queryset} == {jobs["ia"].pk}
    other = jobs["ib"].samples.first()
    assert bob.post(admin_url("inspectionfinding", "add"), {
        "sample": other.pk, "description": "x", "severity": "low"}).status_code == 200
    # The finding list follows the inspection's committee.
    assert shown(bob.get(admin_url("inspectionfinding"))) == [finding]
    assert shown(client_for(staff.charlie).get(admin_url("inspectionfinding"))) == []
    assert InspectionFinding.objects.count() == 1


# ---------------------------------------------------------------- notifications and job runs


def test_a_user_sees_only_their_own_notifications(client_for, staff, jobs):
    mine = set(Notification.objects.filter(user=staff.bob))
    assert {n.kind for n in mine} == {NotificationKind.DISPATCH_DUE, NotificationKind.TASK_ESCALATED}
    client = client_for(staff.bob)
    assert set(shown(client.get(admin_url("notification")))) == mine
    someone_elses = Notification.objects.filter(user=staff.charlie).first()
    assert client.get(admin_url("notification", "change", someone_elses.pk)).status_code == 302
    assert len(shown(client_for(staff.root).get(admin_url("notification")))) == \
        Notification.objects.count()
    # Marking read marks only the viewer's own, even for a superuser selecting others'.
    client = client_for(staff.bob)  # the one test client, logged in again
    response = client.post(admin_url("notification"), {
        "action": "mark_read", "index": 0, "_selected_action": [n.pk for n in mine] + [someone_elses.pk]})
    assert response.status_code == 302
    assert not Notification.objects.filter(user=staff.bob, read_at=None).exists()
    assert shown(client.get(admin_url("notification"), {"read": "no"})) == []
    client_for(staff.root).post(admin_url("notification"), {
        "action": "mark_read", "index": 0, "_selected_action": [someone_elses.pk]})
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None


def test_job_runs_are_for_county_staff_and_read_only(client_for, staff, jobs):
    run = JobRun.objects.get(job=Job.DISPATCH)
    for user in (staff.bob, staff.victor, staff.dave):
        client = client_for(user)
        assert client.get(admin_url("jobrun")).status_code == 403
        assert client.get(admin_url("jobrun", "change", run.pk)).status_code == 403
        index = client.get(reverse("admin:index"))
        assert "jobrun" not in index.content.decode()
    for user in (staff.alice, staff.root):
        client = client_for(user)
        assert len(shown(client.get(admin_url("jobrun")))) == 3
        page = client.get(admin_url("jobrun", "change", run.pk))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        assert "&quot;created&quot;: 2" in page.content.decode() or '"created": 2' in page.content.decode()
        assert client.post(admin_url("jobrun", "change", run.pk), {"status": "failed"}).status_code == 403
    assert JobRun.objects.get(pk=run.pk).status == "succeeded"


def test_committee_staff_with_another_role_see_no_job_runs(client_for, staff, county, jobs):
    AssignmentFactory(user=staff.bob, organization=county.town_b, role=Role.VIEWER)
    assert client_for(staff.bob).get(admin_url("jobrun")).status_code == 403


def test_the_beat_schedule_stays_in_the_admin_for_superusers(client_for, staff):
    client = client_for(staff.root)
    tasks = shown(client.get(admin_url("periodictask", app="django_celery_beat")))
    assert {t.task for t in tasks} >= set(services.TASK_NAMES.values())
    task = next(t for t in tasks if t.task == services.TASK_NAMES[Job.REMINDERS])
    assert client.get(admin_url("periodictask", "change", task.pk,
                                app="django_celery_beat")).status_code == 200
    # County staff use the job page; the schedule's admin is the superuser's.
    assert client_for(staff.alice).get(admin_url("periodictask", app="django_celery_beat")) \
        .status_code == 403


def test_changelists_cost_the_same_whatever_the_number_of_committees(client_for, staff, county,
                                                                      django_assert_max_num_queries):
    def run_all():
        for job in (Job.DISPATCH, Job.INSPECTION):
            services.run_job(job=job, run_for=DAY)
        Inspection.objects.get(committee=county.town_a).inspectors.add(staff.alice, staff.victor)

    def cost(user):
        client = client_for(user)
        for model in MODELS:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(admin_url(model)).status_code == 200
            yield model, len(ctx.captured_queries)

    run_all()
    small = {user.username: dict(cost(user)) for user in (staff.root, staff.alice)}
    for i in range(6):
        committee = OrganizationFactory(parent=county.county, code=f"X{i}", level=Level.COMMITTEE,
                                        category=None)
        add_many_branches(committee, 5, prefix=f"X{i}-")
    Dispatch.objects.all().delete()
    Inspection.objects.all().delete()
    run_all()
    for user in (staff.root, staff.alice):
        big = dict(cost(user))
        assert Dispatch.objects.count() == 8
        assert big == small[user.username], user
        client = client_for(user)
        # Session, user, the filters' quarters and committees, two counts (filtered, all),
        # the page, its inspectors (one prefetch), the sidebar's may-add-a-finding, grants.
        with django_assert_max_num_queries(big["inspection"]):
            client.get(admin_url("inspection"))

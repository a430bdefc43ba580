"""The demo county's supervision (supervision/demo.py): two months of dispatches per
committee, three of last month's submitted (one late), 东坝镇's draft with notes, this
quarter's inspections with two under way and findings that became problems, reminders to
the right demo logins only; a rerun adds nothing."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orgs.models import Organization
from rectification.models import Problem, ProblemSource, RectificationTask
from supervision import services
from supervision.demo import load_demo_supervision, summary_rows
from supervision.models import (
    Dispatch,
    DispatchStatus,
    Inspection,
    InspectionFinding,
    InspectionSample,
    InspectionStatus,
    Job,
    JobRun,
    Notification,
    NotificationKind,
)
from supervision.rules import previous_month, quarter_start

pytestmark = pytest.mark.django_db
MODELS = (Dispatch, Dispatch.history.model, Inspection, InspectionSample, InspectionFinding,
          Problem, Notification, JobRun, Inspection.inspectors.through)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def demo(today=None):
    root = Organization.objects.get(code="QH")
    admin = get_user_model().objects.get(username="admin")
    return load_demo_supervision(root=root, by=admin, today=today)


def login(name):
    return get_user_model().objects.get(username=name)


def by_code(period):
    return {d.committee.code: d for d in Dispatch.objects.filter(period=period).select_related("committee")}


@pytest.fixture(autouse=True)
def load_demo_without_supervision(monkeypatch):
    """load_demo runs the supervision demo for today; these tests run it themselves."""
    from supervision.demo import DemoSupervision

    monkeypatch.setattr("demo.management.commands.load_demo.load_demo_supervision",
                        lambda **kwargs: DemoSupervision())


def test_the_demo_supervision(client):
    call_command("load_demo", verbosity=0)  # with the campaign: tasks and reviews to remind of
    today = timezone.localdate()
    result = demo()
    last, before = previous_month(today), previous_month(previous_month(today))
    committees = set(Organization.objects.filter(depth=2, is_active=True).values_list("code", flat=True))
    assert len(committees) == 15

    # Two months of dispatches, one per committee each.
    for period in (last, before):
        assert set(by_code(period)) == committees
    # The month before last: all submitted, with notes, compiled on the 1st of last month.
    for d in by_code(before).values():
        assert d.status == DispatchStatus.SUBMITTED and "一、基本情况" in d.notes
        assert timezone.localdate(d.compiled_at) == previous_month(today)
        assert timezone.localdate(d.compiled_at) <= timezone.localdate(d.submitted_at)
    # Last month: three submitted, 东坝镇's draft with its notes, the rest untouched.
    month = by_code(last)
    assert {c for c, d in month.items() if d.status == DispatchStatus.SUBMITTED} == {
        "QH01", "QH03", "QH04"}
    draft = month["QH02"]
    assert draft.status == DispatchStatus.DRAFT and "东坝镇党委" in draft.notes
    assert draft.history.first().history_user == login("committee")
    assert all(d.notes == "" for c, d in month.items() if c not in {"QH01", "QH02", "QH03", "QH04"})
    # One submitted late: last month's QH04 from the 12th on, the month before's earlier.
    late = [(d.period, d.committee.code) for d in Dispatch.objects.filter(
        status=DispatchStatus.SUBMITTED).select_related("committee") if services.is_late(d, today)]
    expect = last if today >= month["QH04"].due_on + timedelta(days=2) else before
    assert late == [(expect, "QH04")]
    assert all(d.submitted_at <= timezone.now() for d in Dispatch.objects.exclude(submitted_at=None))

    # This quarter: a plan with a sample for every committee; two with the demo inspectors.
    plans = {i.committee.code: i for i in Inspection.objects.filter(
        period=quarter_start(today)).select_related("committee")}
    assert set(plans) == committees
    assert all(i.samples.count() >= 2 for i in plans.values())
    inspectors = {login("county"), login("viewer")}
    assert {c for c, i in plans.items() if i.inspectors.exists()} == {"QH02", "QH03"}
    assert set(plans["QH02"].inspectors.all()) == inspectors == set(plans["QH03"].inspectors.all())
    assert plans["QH02"].status == InspectionStatus.IN_PROGRESS
    assert {i.status for c, i in plans.items() if c != "QH02"} == {InspectionStatus.PLANNED}
    assert plans["QH02"].samples.exclude(inspected_on=None).count() == 2
    # Two findings at one organization: problems from the inspection, for its committee.
    findings = InspectionFinding.objects.select_related("problem", "sample__inspection")
    assert findings.count() == 2 and {f.sample_id for f in findings} == {findings[0].sample_id}
    for f in findings:
        assert f.problem.source == ProblemSource.INSPECTION
        assert f.problem.organization_id == f.sample.organization_id
        assert f.sample.inspection == plans["QH02"] and f.by == login("county")
        assert f.problem.found_on == f.sample.inspected_on

    # The reminders: the committee login hears of its draft (from the 8th), its escalations;
    # the secretary only of its own branch.
    committee = Notification.objects.filter(user=login("committee"))
    assert committee.exists()
    if today.day >= 8:
        due = committee.get(kind=NotificationKind.DISPATCH_DUE)
        assert due.url == reverse("supervision:dispatch_detail", args=[draft.pk])
    assert not committee.filter(kind=NotificationKind.DISPATCH_DUE).exclude(
        url=reverse("supervision:dispatch_detail", args=[draft.pk])).exists()
    branch = Organization.objects.get(code="QH02-002")
    for n in Notification.objects.filter(user=login("secretary")):
        assert branch.name in f"{n.title} {n.body}", n.title
    assert not Notification.objects.exclude(user__email="").filter(email_pending=True).exists()
    assert all(u.email == "" for u in (login("committee"), login("secretary"), login("county")))

    # The summary for load_demo's table.
    rows = dict(summary_rows(result))
    assert len(rows) == 4 and result.created
    assert result.months[1][1:] == (15, 3, 1 if expect == last else 0, 12)

    # A rerun changes nothing.
    before_counts = counts()
    call_command("load_demo", verbosity=0)
    again = demo()
    assert counts() == before_counts and not again.created
    assert again.months == result.months and again.findings == 2

    # On the day the secretary's own task falls due in a week, they hear of it, and of
    # nothing outside their branch (a neighbour's tasks due that day go to the neighbour).
    task = RectificationTask.objects.filter(responsible=login("secretary")).order_by("deadline").first()
    services.run_job(job=Job.REMINDERS, run_for=task.deadline - timedelta(days=7))
    mine = Notification.objects.filter(user=login("secretary"))
    assert mine.filter(kind=NotificationKind.TASK_DUE).exists()
    for n in mine:
        assert branch.name in f"{n.title} {n.body}", n.title


def test_early_in_the_month_the_late_dispatch_is_the_month_before():
    """Loaded on 5 October: September's dispatches are not due until the 10th, so the late one
    is August's; visits are dated inside the quarter that began on the 1st."""
    call_command("load_demo", "--without-campaign", verbosity=0)
    today = date(2026, 10, 5)
    result = demo(today)
    september, august = by_code(date(2026, 9, 1)), by_code(date(2026, 8, 1))
    assert all(d.status == DispatchStatus.SUBMITTED for d in august.values())
    assert [c for c, d in august.items() if services.is_late(d, today)] == ["QH04"]
    submitted = [c for c, d in september.items() if d.status == DispatchStatus.SUBMITTED]
    assert sorted(submitted) == ["QH01", "QH03", "QH04"]
    assert not any(services.is_late(september[c], today) for c in submitted)
    assert all(date(2026, 10, 1) <= timezone.localdate(september[c].submitted_at) < today
               for c in submitted)
    visited = InspectionSample.objects.exclude(inspected_on=None).values_list("inspected_on", flat=True)
    assert sorted(visited) == [date(2026, 10, 1), date(2026, 10, 3)]
    # No dispatch reminders before the 8th.
    assert not Notification.objects.filter(kind=NotificationKind.DISPATCH_DUE).exists()
    assert result.months[0][1:] == (15, 15, 1, 0)
    before_counts = counts()
    demo(today)
    assert counts() == before_counts

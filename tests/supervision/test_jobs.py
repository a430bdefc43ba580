"""The supervision jobs run in-process (eager): what they make, that reruns make nothing
new, that a job failing part-way is finished by its retry, and what they cost."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from funding import services as money
from orgs.models import Level
from supervision import dispatch as dispatch_job
from supervision import reminders, services
from supervision.models import (
    Dispatch,
    Inspection,
    InspectionSample,
    Job,
    JobRun,
    Notification,
    NotificationKind,
    RunStatus,
    SampleReason,
)
from supervision.tasks import compile_dispatches, send_reminders

from ..factories import OrganizationFactory, add_many_branches
from .conftest import DAY, make_task

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- schedule


def test_the_default_schedule_is_in_the_database():
    tasks = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="supervision.")}
    assert set(tasks) == {"supervision.tasks.compile_dispatches", "supervision.tasks.plan_inspections",
                          "supervision.tasks.send_reminders"}
    reminder = tasks["supervision.tasks.send_reminders"].crontab
    assert (reminder.hour, reminder.minute, str(reminder.timezone)) == ("8", "0", "Asia/Shanghai")


# ---------------------------------------------------------------- dispatch


def test_dispatch_counts_the_month_before(county, people, tasks):
    money.load_policies(county=county.county, by=people.alice)
    money.generate_allocations(root=county.county, year=2026, by=people.alice)
    allocation = county.branch_a1.funding_allocations.get(policy__code="village-operating")
    money.disbursement_record(allocation=allocation, by=people.bob, paid_on=date(2026, 10, 9),
                              amount=Decimal("1234.56"), voucher_no="V-10")
    money.disbursement_record(allocation=allocation, by=people.bob, paid_on=date(2026, 3, 9),
                              amount=Decimal("100.00"), voucher_no="V-3")
    result = dispatch_job.compile_dispatches(DAY)
    assert result == {"period": "2026-10-01", "created": 2, "existing": 0}
    a = Dispatch.objects.get(committee=county.town_a)
    assert a.due_on == date(2026, 11, 10)
    assert a.figures["tasks"]["overdue"] == 0  # the overdue task fell due in November
    assert a.figures["problems"]["found"] == 3  # found 30 days before their deadlines
    assert a.figures["funding"] == {"planned": "443200.00", "paid_month": "1234.56",
                                    "paid_year": "1334.56"}
    b = Dispatch.objects.get(committee=county.town_b)
    assert b.figures["funding"]["paid_month"] == "0.00"


def test_dispatch_rerun_and_second_worker_add_nothing(county, people, tasks):
    dispatch_job.compile_dispatches(DAY)
    before = list(Dispatch.objects.values_list("pk", "figures", "compiled_at"))
    again = dispatch_job.compile_dispatches(DAY)
    assert again["created"] == 0
    assert list(Dispatch.objects.values_list("pk", "figures", "compiled_at")) == before


def test_a_dispatch_job_failing_part_way_is_finished_by_its_retry(county, people, monkeypatch):
    """The second committee's insert fails once (a lost connection): the task retries
    and ends with one dispatch per committee, the first one not doubled."""
    OrganizationFactory(parent=county.county, code="D", level=Level.COMMITTEE, category=None)
    real_create = Dispatch.objects.create
    calls = {"n": 0}

    def flaky_create(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_create(**kwargs)

    monkeypatch.setattr(Dispatch.objects, "create", flaky_create)
    compile_dispatches.apply(args=[DAY.isoformat()])
    assert sorted(Dispatch.objects.values_list("committee__code", flat=True)) == ["A", "B", "D"]
    runs = list(JobRun.objects.filter(job=Job.DISPATCH).order_by("pk"))
    assert [r.status for r in runs] == [RunStatus.FAILED, RunStatus.SUCCEEDED]
    assert "OperationalError" in runs[0].error
    assert runs[1].result["created"] == 2  # the retry made only what was missing


def test_dispatch_costs_a_fixed_number_of_queries_per_committee(county, people):
    def cost():
        Dispatch.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            dispatch_job.compile_dispatches(DAY)
        return len(ctx.captured_queries), Dispatch.objects.count()

    add_many_branches(county.town_a, 50)
    small, n_small = cost()
    for i in range(6):
        committee = OrganizationFactory(parent=county.county, code=f"X{i}", level=Level.COMMITTEE,
                                        category=None)
        add_many_branches(committee, 40, prefix=f"X{i}-")
    big, n_big = cost()
    # Per committee: savepoint, insert, its history row, release; the rest is fixed.
    assert n_big == n_small + 6
    assert big - small == 4 * (n_big - n_small)


def test_recompile_refreshes_a_draft(county, people, tasks):
    dispatch_job.compile_dispatches(DAY)
    a = Dispatch.objects.get(committee=county.town_a)
    make_task(county.branch_a2, people.bob, deadline=date(2026, 10, 20), created=date(2026, 10, 1))
    dispatch_job.recompile(a)
    a.refresh_from_db()
    assert a.figures["tasks"]["overdue"] == 1 and a.figures["problems"]["found"] == 4


# ---------------------------------------------------------------- inspections


def test_inspection_plan_samples_each_committee_weighted_to_lagging(county, people, tasks):
    add_many_branches(county.town_a, 20)
    result = services.run_job(job=Job.INSPECTION, run_for=DAY).result
    assert result["created"] == 2 and result["quarter"] == "2026Q4"
    a = Inspection.objects.get(committee=county.town_a)
    assert a.period == date(2026, 10, 1)
    samples = list(a.samples.select_related("organization"))
    assert 2 <= len(samples) <= 8
    assert all(s.organization.path.startswith(county.town_a.path) for s in samples)
    # A1 has overdue work: weight 2 and tagged, whenever it is drawn.
    reasons = {s.organization.code: s.reason for s in samples}
    if "A1" in reasons:
        assert reasons["A1"] == SampleReason.OVERDUE
    again = services.run_job(job=Job.INSPECTION, run_for=DAY + timedelta(days=3)).result
    assert again["created"] == 0
    assert InspectionSample.objects.filter(inspection=a).count() == len(samples)


def test_same_seed_same_sample(county, people):
    add_many_branches(county.town_a, 30)
    services.run_job(job=Job.INSPECTION, run_for=DAY)
    first = set(InspectionSample.objects.values_list("organization_id", flat=True))
    Inspection.objects.all().delete()
    services.run_job(job=Job.INSPECTION, run_for=DAY)
    assert set(InspectionSample.objects.values_list("organization_id", flat=True)) == first


# ---------------------------------------------------------------- reminders


def kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", "key"))


def test_reminders_go_to_the_people_responsible(county, people, tasks):
    people.dave.email = "dave@example.cn"
    people.dave.save()
    services.run_job(job=Job.REMINDERS, run_for=DAY)
    t = tasks
    assert kinds(people.dave) == sorted([
        (NotificationKind.TASK_OVERDUE, f"task_overdue:{t['overdue'].pk}"),
        (NotificationKind.TASK_DUE, f"task_due:{t['week'].pk}:7"),
    ])
    assert kinds(people.erin) == [(NotificationKind.TASK_DUE, f"task_due:{t['tomorrow'].pk}:1")]
    # Overdue 5 days > 3: bob (committee staff of town A) hears of it, charlie does not.
    assert kinds(people.bob) == [(NotificationKind.TASK_ESCALATED, f"task_escalated:{t['overdue'].pk}")]
    assert kinds(people.charlie) == [] and kinds(people.victor) == []
    assert [m.to for m in mail.outbox] == [["dave@example.cn"]] * 2
    assert "/rectification/tasks/" in mail.outbox[0].body


def test_a_reminder_is_sent_once_a_day_whatever_reruns(county, people, tasks):
    people.dave.email = "dave@example.cn"
    people.dave.save()
    send_reminders.apply(args=[DAY.isoformat()])
    send_reminders.apply(args=[DAY.isoformat()])
    call_command("supervise", "--date", DAY.isoformat(), "--job", "reminders", verbosity=0)
    assert Notification.objects.filter(user=people.dave).count() == 2
    assert len(mail.outbox) == 2
    # The next day the overdue task is still overdue: a new reminder for the new day.
    send_reminders.apply(args=[(DAY + timedelta(days=1)).isoformat()])
    assert Notification.objects.filter(user=people.dave, kind=NotificationKind.TASK_OVERDUE).count() == 2


def test_e_mail_failing_part_way_sends_the_rest_on_retry_and_none_twice(county, people, tasks,
                                                                          monkeypatch):
    for user in (people.dave, people.erin, people.bob):
        user.email = f"{user.username}@example.cn"
        user.save()
    real_send = reminders.send_mail
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("SMTP went away")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    send_reminders.apply(args=[DAY.isoformat()])  # autoretry_for ConnectionError
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["bob@example.cn", "dave@example.cn", "dave@example.cn", "erin@example.cn"]
    assert not Notification.objects.filter(email_pending=True).exists()


def test_self_check_and_review_reminders(county, people, campaign):
    campaign.self_check_deadline = DAY + timedelta(days=2)
    campaign.review_deadline = DAY - timedelta(days=1)
    campaign.save()
    a1 = campaign.assessments.get(organization=county.branch_a1)
    a1.status = "submitted"
    a1.save()
    services.run_job(job=Job.REMINDERS, run_for=DAY)
    assert [k for k, _ in kinds(people.erin)] == [NotificationKind.SELF_CHECK_DUE]
    assert kinds(people.dave) == []  # submitted
    assert [k for k, _ in kinds(people.bob)] == [NotificationKind.REVIEW_LATE]
    assert [k for k, _ in kinds(people.alice)] == []  # county staff are not chased for reviews


def test_dispatch_reminder_from_the_8th_until_submitted(county, people):
    dispatch_job.compile_dispatches(date(2026, 11, 1))
    services.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 7))
    assert kinds(people.bob) == []
    services.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 8))
    assert [k for k, _ in kinds(people.bob)] == [NotificationKind.DISPATCH_DUE]
    a = Dispatch.objects.get(committee=county.town_a)
    services.dispatch_submit(dispatch=a, by=people.bob, notes="本月完成整改3项。")
    services.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 12))
    assert len(kinds(people.bob)) == 1
    assert [k for k, _ in kinds(people.charlie)] == [NotificationKind.DISPATCH_DUE] * 2


def test_reminders_cost_a_fixed_number_of_queries(county, people, django_assert_max_num_queries):
    def run(n):
        Notification.objects.all().delete()
        for org in add_many_branches(county.town_b, n, prefix=f"R{n}-"):
            make_task(org, people.charlie, deadline=DAY - timedelta(days=4))
        with CaptureQueriesContext(connection) as ctx:
            reminders.send(DAY)
        return len(ctx.captured_queries)

    assert run(5) == run(40)


# ---------------------------------------------------------------- the command


def test_supervise_command_runs_every_job_for_a_day(county, people, tasks, capsys):
    call_command("supervise", "--date", "2026-11-22")
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if line.strip()]) == 3
    assert Dispatch.objects.count() == 2 and Inspection.objects.count() == 2
    assert JobRun.objects.filter(status=RunStatus.SUCCEEDED).count() == 3


def test_supervise_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("supervise", "--date", "2026-13-01")


def test_assigned_inspectors_are_told_once(county, people):
    from supervision.inspections import inspectors_set

    services.run_job(job=Job.INSPECTION, run_for=DAY)
    plan = Inspection.objects.get(committee=county.town_a)
    inspectors_set(inspection=plan, by=people.alice, users=[people.victor])
    inspectors_set(inspection=plan, by=people.alice, users=[people.victor, people.alice])
    told = Notification.objects.filter(kind=NotificationKind.INSPECTION)
    assert sorted(told.values_list("user__username", flat=True)) == ["alice", "victor"]
    assert all(n.url == f"/supervision/inspections/{plan.pk}/" for n in told)
    assert set(plan.inspectors.all()) == {people.victor, people.alice}

"""The job status page (county staff) and "run now": who may, what it shows, that a run is
queued (and, Celery being eager in tests, run) with its outcome, and what it costs."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from kombu.exceptions import OperationalError as BrokerError

from supervision import selectors_jobs as sel
from supervision import services
from supervision.models import Dispatch, Job, JobRun, RunStatus
from supervision.tasks import TASKS

from .conftest import DAY

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def levels(response):
    return [m.level_tag for m in get_messages(response.wsgi_request)]


def make_run(job=Job.DISPATCH, *, status=RunStatus.SUCCEEDED, hours_ago=0, result=None, error="", by=None):
    now = timezone.now() - timedelta(hours=hours_ago)
    run = JobRun.objects.create(job=job, run_for=DAY, status=status, result=result or {}, error=error,
                                requested_by=by, attempts=1)
    JobRun.objects.filter(pk=run.pk).update(
        created_at=now, started_at=None if status == RunStatus.QUEUED else now,
        finished_at=now if status in (RunStatus.SUCCEEDED, RunStatus.FAILED) else None,
    )
    run.refresh_from_db()
    return run


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who, status", [
    ("alice", 200), ("root", 200), ("bob", 403), ("charlie", 403), ("victor", 403), ("dave", 403),
    ("nobody", 403),
])
def test_job_page_permissions(client_for, people, who, status):
    assert client_for(getattr(people, who)).get(url("job_status")).status_code == status


def test_anonymous_goes_to_login(client, people):
    response = client.get(url("job_status"))
    assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(url("job_run", Job.DISPATCH), {"run_for": DAY.isoformat()})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not JobRun.objects.exists()


@pytest.mark.parametrize("who", ["bob", "victor", "dave", "nobody"])
def test_only_county_staff_run_a_job(client_for, people, who):
    response = client_for(getattr(people, who)).post(url("job_run", Job.DISPATCH),
                                                     {"run_for": DAY.isoformat()})
    assert response.status_code == 403
    assert not JobRun.objects.exists()


def test_job_page_is_get_only(client_for, people):
    assert client_for(people.alice).post(url("job_status")).status_code == 405


# ---------------------------------------------------------------- what it shows


def test_page_shows_each_job_with_its_schedule(client_for, people):
    task = PeriodicTask.objects.get(task=services.TASK_NAMES[Job.REMINDERS])
    task.last_run_at = timezone.now()
    task.save()
    response = client_for(people.alice).get(url("job_status"))
    rows = {row.job: row for row in response.context["rows"]}
    assert list(rows) == [Job.DISPATCH, Job.INSPECTION, Job.REMINDERS]
    reminders = rows[Job.REMINDERS].schedules
    assert [t.pk for t in reminders] == [task.pk] and reminders[0].enabled
    assert reminders[0].last_run_at is not None
    assert all(row.last_run is None for row in rows.values())
    html = response.content.decode()
    assert html.count('data-testid="job"') == 3 and html.count('data-testid="run-now"') == 3
    assert 'data-testid="never-run"' in html
    assert 'data-testid="stuck"' not in html
    # the admin's schedule is for staff users (alice is not one)
    assert 'data-testid="schedule-admin"' not in html


def test_superuser_gets_the_admin_link(client_for, people):
    task = PeriodicTask.objects.get(task=services.TASK_NAMES[Job.DISPATCH])
    html = client_for(people.root).get(url("job_status")).content.decode()
    assert reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]) in html
    assert client_for(people.root).get(
        reverse("admin:django_celery_beat_periodictask_changelist"), {"q": "supervision.tasks"}
    ).status_code == 200


def test_a_disabled_or_missing_schedule_shows(client_for, people):
    PeriodicTask.objects.filter(task=services.TASK_NAMES[Job.DISPATCH]).update(enabled=False)
    PeriodicTask.objects.filter(task=services.TASK_NAMES[Job.INSPECTION]).delete()
    response = client_for(people.alice).get(url("job_status"))
    rows = {row.job: row for row in response.context["rows"]}
    assert [t.enabled for t in rows[Job.DISPATCH].schedules] == [False]
    assert rows[Job.INSPECTION].schedules == []
    html = response.content.decode()
    assert 'data-enabled="0"' in html and 'data-testid="unscheduled"' in html


def test_schedule_in_words():
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("crontab")}
    with translation.override("en"):
        assert sel.schedule_text(tasks[services.TASK_NAMES[Job.REMINDERS]]) == "08:00 daily"
        assert sel.schedule_text(tasks[services.TASK_NAMES[Job.DISPATCH]]) == "01:10 daily"
        weekly = CrontabSchedule(minute="30", hour="7", day_of_week="1", timezone="Asia/Shanghai")
        assert sel.schedule_text(PeriodicTask(crontab=weekly)) == "cron 30 7 * * 1"
        monthly = CrontabSchedule(minute="0", hour="9", day_of_month="1", timezone="UTC")
        assert sel.schedule_text(PeriodicTask(crontab=monthly)) == "09:00 on day 1 of each month (UTC)"


def test_result_summary_and_error_excerpt():
    with translation.override("en"):
        assert sel.result_summary({"period": "2026-10-01", "created": 15, "existing": 0}) == \
            "month 2026-10 · created 15 · existing 0"
        assert sel.result_summary({"day": "2026-11-22", "reminders": 6, "created": 6, "emailed": 2}) == \
            "day 2026-11-22 · reminders due 6 · created 6 · e-mailed 2"
        assert sel.result_summary({}) == "" and sel.result_summary(None) == ""
        assert sel.result_summary({"odd": 1}) == "odd 1"
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: boom\n\n'
    assert sel.error_excerpt(trace) == "RuntimeError: boom"
    assert sel.error_excerpt("") == ""
    assert len(sel.error_excerpt("x" * 1000)) == 200


def test_page_shows_last_runs_and_recent_runs(client_for, people):
    old = make_run(Job.DISPATCH, hours_ago=30, result={"period": "2026-10-01", "created": 2, "existing": 0})
    last = make_run(Job.DISPATCH, hours_ago=2, result={"period": "2026-10-01", "created": 0, "existing": 2},
                    by=people.alice)
    failed = make_run(Job.REMINDERS, status=RunStatus.FAILED, hours_ago=1,
                      error="Traceback\nValueError: no such campaign")
    response = client_for(people.alice).get(url("job_status"))
    rows = {row.job: row for row in response.context["rows"]}
    assert rows[Job.DISPATCH].last_run.pk == last.pk
    assert rows[Job.REMINDERS].last_run.pk == failed.pk
    assert rows[Job.INSPECTION].last_run is None
    assert [r.pk for r in response.context["runs"]] == [failed.pk, last.pk, old.pk]
    html = response.content.decode()
    assert "新建 0" in html and "已有 2" in html  # the summary, in the zh_Hans labels
    assert "ValueError: no such campaign" in html
    assert 'data-status="failed"' in html
    assert people.alice.display_name in html


def test_recent_runs_are_the_last_twenty(client_for, people):
    runs = [make_run(Job.REMINDERS, hours_ago=i) for i in range(25)]
    response = client_for(people.alice).get(url("job_status"))
    assert [r.pk for r in response.context["runs"]] == [r.pk for r in runs[:20]]


def test_stuck_runs_are_flagged(client_for, people):
    stuck = make_run(Job.DISPATCH, status=RunStatus.RUNNING, hours_ago=2)
    waiting = make_run(Job.INSPECTION, status=RunStatus.QUEUED, hours_ago=3)
    busy = make_run(Job.REMINDERS, status=RunStatus.RUNNING)  # just started: fine
    response = client_for(people.alice).get(url("job_status"))
    assert {r.pk for r in response.context["stuck"]} == {stuck.pk, waiting.pk}
    html = response.content.decode()
    assert 'data-testid="stuck"' in html
    assert f'data-testid="stuck-run" data-pk="{stuck.pk}"' in html
    assert f'data-testid="stuck-run" data-pk="{busy.pk}"' not in html


# ---------------------------------------------------------------- run now


def test_run_now_queues_and_runs_the_job(client_for, people, county, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = client_for(people.alice).post(url("job_run", Job.DISPATCH), {"run_for": DAY.isoformat()})
    assert response.status_code == 302 and response["Location"] == url("job_status")
    assert levels(response) == ["success"]
    assert len(sent) == 1
    run = JobRun.objects.get()
    assert (run.job, run.run_for, run.requested_by) == (Job.DISPATCH, DAY, people.alice)
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1
    assert run.result == {"period": "2026-10-01", "created": 2, "existing": 0}
    assert Dispatch.objects.count() == 2
    page = client_for(people.alice).get(url("job_status"))
    assert page.context["rows"][0].last_run.pk == run.pk
    assert page.context["rows"][0].last_run.summary


def test_run_now_is_only_queued_in_the_request(client_for, people, county, django_capture_on_commit_callbacks):
    """Until the transaction commits nothing is sent: the job does not run in the view."""
    with django_capture_on_commit_callbacks(execute=False) as sent:
        client_for(people.alice).post(url("job_run", Job.INSPECTION), {"run_for": DAY.isoformat()})
    assert len(sent) == 1
    assert JobRun.objects.get().status == RunStatus.QUEUED


def test_run_now_defaults_to_today_in_the_form(client_for, people):
    html = client_for(people.alice).get(url("job_status")).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_a_failing_job_shows_failed_with_its_error(client_for, people, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def boom(day):
        raise RuntimeError("the reminder data is broken")

    monkeypatch.setitem(services.JOBS, Job.REMINDERS, boom)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people.alice).post(url("job_run", Job.REMINDERS), {"run_for": DAY.isoformat()})
    assert response.status_code == 302
    run = JobRun.objects.get()
    assert run.status == RunStatus.FAILED and "the reminder data is broken" in run.error
    assert run.requested_by == people.alice
    html = client_for(people.alice).get(url("job_status")).content.decode()
    assert "RuntimeError: the reminder data is broken" in html
    assert 'data-status="failed"' in html


@pytest.mark.parametrize("day", ["", "2026-13-45", "yesterday", "0000-01-01", "1999-12-31", "9" * 40])
def test_bad_date_queues_nothing(client_for, people, day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = client_for(people.alice).post(url("job_run", Job.DISPATCH), {"run_for": day})
    assert response.status_code == 302 and response["Location"] == url("job_status")
    assert levels(response) == ["error"]
    assert not sent and not JobRun.objects.exists()


def test_a_day_to_come_is_refused(client_for, people):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(people.alice).post(url("job_run", Job.REMINDERS), {"run_for": tomorrow.isoformat()})
    assert levels(response) == ["error"] and not JobRun.objects.exists()


def test_unknown_job_is_404(client_for, people):
    response = client_for(people.alice).post(url("job_run", "nonsense"), {"run_for": DAY.isoformat()})
    assert response.status_code == 404
    assert client_for(people.alice).post("/supervision/jobs/%00/run/", {"run_for": DAY.isoformat()}) \
        .status_code == 404
    assert not JobRun.objects.exists()


def test_run_is_post_only(client_for, people):
    assert client_for(people.alice).get(url("job_run", Job.DISPATCH)).status_code == 405
    assert not JobRun.objects.exists()


def test_run_now_twice_queues_once(client_for, people, django_capture_on_commit_callbacks):
    client = client_for(people.alice)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url("job_run", Job.DISPATCH), {"run_for": DAY.isoformat()})
        response = client.post(url("job_run", Job.DISPATCH), {"run_for": DAY.isoformat()})
    assert levels(response)[-1] == "info"
    assert JobRun.objects.count() == 1


def test_a_stuck_run_does_not_block_run_now(client_for, people, django_capture_on_commit_callbacks):
    stuck = make_run(Job.DISPATCH, status=RunStatus.RUNNING, hours_ago=2)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(people.alice).post(url("job_run", Job.DISPATCH), {"run_for": DAY.isoformat()})
    assert levels(response) == ["success"]
    assert JobRun.objects.exclude(pk=stuck.pk).get().status == RunStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_is_reported_not_a_500(client_for, people, monkeypatch):
    """Outside a test transaction the task is sent as the view's own transaction commits:
    a broker that cannot be reached gives a message and a failed run, not an error page."""

    def down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(TASKS[Job.REMINDERS], "delay", down)
    response = client_for(people.alice).post(url("job_run", Job.REMINDERS), {"run_for": DAY.isoformat()})
    assert response.status_code == 302
    assert levels(response) == ["error"]
    run = JobRun.objects.get()
    assert run.status == RunStatus.FAILED and "Connection refused" in run.error


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize("many", [3, 80])
def test_job_page_queries(client_for, people, many, django_assert_max_num_queries):
    for i in range(many):
        job = Job.values[i % 3]
        status = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.RUNNING, RunStatus.QUEUED][i % 4]
        make_run(job, status=status, hours_ago=i % 5, by=people.alice if i % 2 else None,
                 result={"created": i, "existing": 0}, error="Boom" if status == RunStatus.FAILED else "")
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4 the schedules with their crontabs; 5-7 each job's last
    # run with its requester; 8 the last 20 runs with theirs; 9 the stuck runs.
    with django_assert_max_num_queries(9):
        response = client.get(url("job_status"))
    assert response.status_code == 200
    assert len(response.context["runs"]) == min(many, 20)

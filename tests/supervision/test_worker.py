"""The dispatch and reminder jobs in a real Celery worker on the real Redis: running each
twice for the same day makes nothing new, and a worker killed in the middle of the
dispatch job leaves work that the redelivered task finishes, nothing lost or doubled.

Needs PostgreSQL and Redis (skips on a bare machine, fails in CI without them).
"""

import time

import psycopg2
import pytest
from django.db import connection

from supervision.models import Dispatch, Job, JobRun, Notification, RunStatus
from supervision.tasks import compile_dispatches, send_reminders

from ..conftest import need
from ..workers import new_queue, sending_to, start_worker, worker_database_url
from .conftest import DAY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


@pytest.fixture
def queue(transactional_db, require_redis):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    name = new_queue("test-supervision")
    with sending_to(name):
        yield name


def wait_for(predicate, worker, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        assert worker.process.poll() is None, worker.log()
        time.sleep(0.2)
    raise AssertionError(f"timed out; worker log:\n{worker.log()}")


def finished(job, n):
    return lambda: JobRun.objects.filter(job=job, status=RunStatus.SUCCEEDED).count() >= n


def test_jobs_in_a_real_worker_twice_make_nothing_new(queue, require_redis, tmp_path, county,
                                                       people, tasks):
    worker = start_worker(require_redis, tmp_path / "worker.log", queue)
    try:
        compile_dispatches.delay(DAY.isoformat())
        send_reminders.delay(DAY.isoformat())
        wait_for(finished(Job.DISPATCH, 1), worker)
        wait_for(finished(Job.REMINDERS, 1), worker)
        dispatches = list(Dispatch.objects.order_by("pk").values_list("pk", "committee_id", "figures"))
        notes = list(Notification.objects.order_by("pk").values_list("pk", "user_id", "key"))
        assert len(dispatches) == 2 and len(notes) == 6  # 4 task, 2 dispatch reminders

        compile_dispatches.delay(DAY.isoformat())
        send_reminders.delay(DAY.isoformat())
        wait_for(finished(Job.DISPATCH, 2), worker)
        wait_for(finished(Job.REMINDERS, 2), worker)
        assert list(Dispatch.objects.order_by("pk").values_list("pk", "committee_id", "figures")) \
            == dispatches
        assert list(Notification.objects.order_by("pk").values_list("pk", "user_id", "key")) == notes
        second = JobRun.objects.filter(job=Job.DISPATCH).order_by("-pk").first()
        assert second.result["created"] == 0 and second.result["existing"] == 2
    finally:
        worker.stop()


def test_a_worker_killed_mid_job_is_finished_by_the_redelivered_task(queue, require_redis,
                                                                      tmp_path, county, people):
    """Another session holds an uncommitted dispatch for town B, so the worker, having
    committed town A's, waits on B's unique key; we kill it there (SIGKILL: the task is
    never acknowledged), let B go, and a new worker gets the task again."""
    period = "2026-10-01"
    blocker = psycopg2.connect(worker_database_url())
    blocker.autocommit = False
    with blocker.cursor() as cur:
        cur.execute(
            "INSERT INTO supervision_dispatch (committee_id, period, due_on, figures, compiled_at,"
            " notes, status) VALUES (%s, %s, %s, '{}', now(), '', 'draft')",
            [county.town_b.pk, period, "2026-11-10"],
        )
    # A short visibility timeout, so the second worker takes back the unacknowledged task.
    env = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    first = start_worker(require_redis, tmp_path / "first.log", queue, **env)
    try:
        compile_dispatches.delay(DAY.isoformat())
        wait_for(lambda: Dispatch.objects.filter(committee=county.town_a).exists(), first)
        time.sleep(1.0)  # now blocked on town B's row
        assert Dispatch.objects.count() == 1
        first.stop(kill=True)
    finally:
        blocker.rollback()
        blocker.close()
        first.stop(kill=True)
    assert JobRun.objects.get(job=Job.DISPATCH).status == RunStatus.RUNNING  # died mid-way

    time.sleep(2.5)  # past the visibility timeout
    second = start_worker(require_redis, tmp_path / "second.log", queue, **env)
    try:
        wait_for(finished(Job.DISPATCH, 1), second, seconds=90)
    finally:
        second.stop()
    assert sorted(Dispatch.objects.values_list("committee__code", flat=True)) == ["A", "B"]
    done = JobRun.objects.get(job=Job.DISPATCH, status=RunStatus.SUCCEEDED)
    assert done.result == {"period": period, "created": 1, "existing": 1}

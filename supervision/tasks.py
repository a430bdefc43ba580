"""The supervision jobs as Celery tasks: thin, by date, calling services.run_job.

Beat (django-celery-beat's database schedule, created by migration 0002 and
editable in the admin) sends each task daily with no arguments: the job runs for
today and only adds what is missing, so a day the site was down is made up the
next day. Late acknowledgement: a task whose worker dies is delivered again; the
jobs' unique keys make the second delivery finish the work without doubling it.
Retries back off up to RETRY_BACKOFF_MAX, which must stay below the broker's
visibility timeout (checked at start-up, see checks.py).
"""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .models import Job

RETRY_BACKOFF_MAX = 600  # seconds; < CELERY_VISIBILITY_TIMEOUT (3600 by default)
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 5,
}


def _day(run_for) -> date:
    return date.fromisoformat(run_for) if run_for else timezone.localdate()


def _run(job, run_for, run_id):
    from .services import run_job

    return run_job(job=job, run_for=_day(run_for), run_id=run_id).result


@shared_task(name="supervision.tasks.compile_dispatches", **OPTIONS)
def compile_dispatches(self, run_for=None, run_id=None):
    return _run(Job.DISPATCH, run_for, run_id)


@shared_task(name="supervision.tasks.plan_inspections", **OPTIONS)
def plan_inspections(self, run_for=None, run_id=None):
    return _run(Job.INSPECTION, run_for, run_id)


@shared_task(name="supervision.tasks.send_reminders", **OPTIONS)
def send_reminders(self, run_for=None, run_id=None):
    return _run(Job.REMINDERS, run_for, run_id)


TASKS = {
    Job.DISPATCH: compile_dispatches,
    Job.INSPECTION: plan_inspections,
    Job.REMINDERS: send_reminders,
}

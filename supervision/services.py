"""Supervision as plain functions: running a job, writing a dispatch, reading notifications.

The jobs themselves live beside this file (dispatch.py, inspections.py,
reminders.py); `run_job` runs any of them for a day and keeps its `JobRun`, and is
what the Celery tasks, the `supervise` command, "run now" and tests all call.
"""

import logging
import traceback
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dispatch as dispatch_job
from . import inspections, reminders
from .models import Dispatch, DispatchStatus, Job, JobRun, Notification, RunStatus

log = logging.getLogger(__name__)

JOBS = {
    Job.DISPATCH: dispatch_job.compile_dispatches,
    Job.INSPECTION: inspections.plan_inspections,
    Job.REMINDERS: reminders.send,
}
# The Celery task of each job (see tasks.py and the schedule migration).
TASK_NAMES = {
    Job.DISPATCH: "supervision.tasks.compile_dispatches",
    Job.INSPECTION: "supervision.tasks.plan_inspections",
    Job.REMINDERS: "supervision.tasks.send_reminders",
}


def job_queue(*, job: str, run_for: date, by=None) -> JobRun:
    """A JobRun waiting for a worker ("run now"): the task is sent once the row is committed."""
    from .tasks import TASKS

    run = JobRun.objects.create(job=job, run_for=run_for, requested_by=by)

    def send():
        try:
            TASKS[job].delay(run_for.isoformat(), run.pk)
        except Exception as exc:  # the broker is down: say so on the run, not "queued" forever
            log.exception("could not queue %s for %s", job, run_for)
            JobRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, finished_at=timezone.now(),
                error=_("Could not reach the task queue: %(error)s") % {"error": exc},
            )

    transaction.on_commit(send)
    return run


def run_job(*, job: str, run_for: date, run_id: int | None = None) -> JobRun:
    """Run one job for one day, recording the attempt, the outcome and what it made.

    The job is idempotent, so running it again (a retry, a rerun, "run now" on a day
    the schedule already ran) only adds what is missing. An exception is recorded on
    the JobRun and raised again, for Celery to retry.
    """
    run = JobRun.objects.filter(pk=run_id).first() if run_id else None
    if run is None:
        run = JobRun.objects.create(job=job, run_for=run_for)
    run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
    run.attempts += 1
    run.save(update_fields=["status", "started_at", "error", "attempts"])
    try:
        result = JOBS[job](run_for)
    except Exception:
        run.status, run.finished_at = RunStatus.FAILED, timezone.now()
        run.error = traceback.format_exc(limit=5)[-4000:]
        run.save(update_fields=["status", "finished_at", "error"])
        log.exception("job %s for %s failed (attempt %s)", job, run_for, run.attempts)
        raise
    run.status, run.finished_at, run.result = RunStatus.SUCCEEDED, timezone.now(), result
    run.save(update_fields=["status", "finished_at", "result"])
    return run


# --------------------------------------------------------------------------- dispatches


@transaction.atomic
def dispatch_save_notes(*, dispatch: Dispatch, by, notes: str) -> Dispatch:
    if dispatch.status != DispatchStatus.DRAFT:
        raise ValidationError(_("A submitted dispatch cannot be changed."))
    dispatch.notes = notes
    dispatch._history_user = by
    dispatch.save(update_fields=["notes"])
    return dispatch


@transaction.atomic
def dispatch_submit(*, dispatch: Dispatch, by, notes: str | None = None) -> Dispatch:
    if dispatch.status != DispatchStatus.DRAFT:
        raise ValidationError(_("This dispatch has already been submitted."))
    if notes is not None:
        dispatch.notes = notes
    if not dispatch.notes.strip():
        raise ValidationError(_("Write the committee's notes before submitting."))
    dispatch.status = DispatchStatus.SUBMITTED
    dispatch.submitted_by, dispatch.submitted_at = by, timezone.now()
    dispatch._history_user = by
    dispatch.save()
    return dispatch


@transaction.atomic
def dispatch_reopen(*, dispatch: Dispatch, by, reason: str) -> Dispatch:
    """County staff send a submitted dispatch back for more work."""
    if dispatch.status != DispatchStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted dispatch can be sent back."))
    if not (reason or "").strip():
        raise ValidationError(_("Say why it is sent back."))
    dispatch.status = DispatchStatus.DRAFT
    dispatch.submitted_by = dispatch.submitted_at = None
    dispatch._history_user = by
    dispatch._change_reason = reason[:100]
    dispatch.save()
    return dispatch


def is_late(dispatch: Dispatch, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    if dispatch.submitted_at is not None:
        return timezone.localdate(dispatch.submitted_at) > dispatch.due_on
    return today > dispatch.due_on


# --------------------------------------------------------------------------- notifications


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications read (these ids, or all); others' are never touched."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())

"""Reads of the job status page and the notification list.

The job page shows, for each supervision job, its schedule as django-celery-beat keeps
it (the admin changes it there), its last run and what that run made; then the last
runs of all jobs, and the runs that look stuck. A fixed number of queries, however
many runs the table holds: one for the schedules, one per job (three) for its last
run, one for the recent runs and one for the stuck ones.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.models import PeriodicTask

from .models import Job, JobRun, Notification, RunStatus
from .services import TASK_NAMES

RECENT_RUNS = 20
# A run still running (or still waiting for a worker) after this long has most likely
# lost its worker: the page says so, and "run now" no longer counts it as under way.
STUCK_AFTER = timedelta(hours=1)

# What each job's result holds (services.run_job keeps the job function's dict).
RESULT_LABELS = {
    "period": gettext_lazy("month"),
    "quarter": gettext_lazy("quarter"),
    "day": gettext_lazy("day"),
    "created": gettext_lazy("created"),
    "existing": gettext_lazy("existing"),
    "sampled": gettext_lazy("organizations sampled"),
    "reminders": gettext_lazy("reminders due"),
    "emailed": gettext_lazy("e-mailed"),
}


def result_summary(result) -> str:
    """"month 2026-10 · created 15 · existing 0": the run's counts in words, in the order
    the job gave them (the period it covered first). The dot separates in any language."""
    if not isinstance(result, dict) or not result:
        return ""
    parts = []
    for key, value in result.items():
        label = RESULT_LABELS.get(key, key)
        if key == "period" and isinstance(value, str):
            value = value[:7]  # 2026-10-01 → 2026-10: a dispatch covers a month
        parts.append(f"{label} {value}")
    return " · ".join(parts)


def error_excerpt(error: str, limit: int = 200) -> str:
    """The last line of a traceback: the exception and its message."""
    lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
    if not lines:
        return ""
    last = lines[-1]
    return last if len(last) <= limit else last[: limit - 1] + "…"


def is_stuck(run: JobRun, now=None) -> bool:
    now = now or timezone.now()
    if run.status == RunStatus.RUNNING:
        return run.started_at is not None and run.started_at < now - STUCK_AFTER
    if run.status == RunStatus.QUEUED:
        return run.created_at < now - STUCK_AFTER
    return False


def _plain_number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def schedule_text(task: PeriodicTask) -> str:
    """A crontab in words: "08:00 daily", "00:10 on day 1 of each month"; anything less
    plain as its crontab fields (the admin shows the rest)."""
    c = task.crontab
    if c is not None:
        minute, hour, day = _plain_number(c.minute), _plain_number(c.hour), _plain_number(c.day_of_month)
        every_month = c.month_of_year == "*" and c.day_of_week == "*"
        zone = str(c.timezone)
        suffix = "" if zone == settings.TIME_ZONE else f" ({zone})"
        if minute is not None and hour is not None and every_month:
            at = f"{hour:02d}:{minute:02d}"
            if c.day_of_month == "*":
                return _("%(time)s daily") % {"time": at} + suffix
            if day is not None:
                return _("%(time)s on day %(day)s of each month") % {"time": at, "day": day} + suffix
        return f"cron {c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}{suffix}"
    for schedule in (task.interval, task.clocked, task.solar):
        if schedule is not None:
            return str(schedule)
    return _("no schedule")


@dataclass
class JobRow:
    job: str
    label: str
    schedules: list = field(default_factory=list)  # PeriodicTask, each with .schedule_text
    last_run: JobRun | None = None


def _annotate(run: JobRun, now) -> JobRun:
    run.summary = result_summary(run.result)
    run.error_line = error_excerpt(run.error)
    run.stuck = is_stuck(run, now)
    return run


def job_rows(*, now=None) -> list[JobRow]:
    now = now or timezone.now()
    rows = {job: JobRow(job=job, label=label) for job, label in Job.choices}
    by_task = {name: job for job, name in TASK_NAMES.items()}
    tasks = PeriodicTask.objects.filter(task__in=by_task) \
        .select_related("crontab", "interval", "clocked", "solar").order_by("name")
    for task in tasks:
        task.schedule_text = schedule_text(task)
        rows[by_task[task.task]].schedules.append(task)
    for job, row in rows.items():
        run = JobRun.objects.filter(job=job).select_related("requested_by").first()
        row.last_run = _annotate(run, now) if run else None
    return list(rows.values())


def recent_runs(*, now=None, limit: int = RECENT_RUNS) -> list[JobRun]:
    now = now or timezone.now()
    return [_annotate(run, now) for run in JobRun.objects.select_related("requested_by")[:limit]]


def stuck_runs(*, now=None, limit: int = RECENT_RUNS) -> list[JobRun]:
    now = now or timezone.now()
    since = now - STUCK_AFTER
    runs = JobRun.objects.filter(
        Q(status=RunStatus.RUNNING, started_at__lt=since) | Q(status=RunStatus.QUEUED, created_at__lt=since)
    ).select_related("requested_by")[:limit]
    return [_annotate(run, now) for run in runs]


def run_under_way(*, job: str, run_for, now=None) -> JobRun | None:
    """A run of the same job for the same day still queued or running (and not stuck):
    "run now" twice in a row queues one run."""
    now = now or timezone.now()
    for run in JobRun.objects.filter(job=job, run_for=run_for,
                                     status__in=[RunStatus.QUEUED, RunStatus.RUNNING])[:5]:
        if not is_stuck(run, now):
            return run
    return None


# --------------------------------------------------------------------------- notifications


def notifications_for(*, user, unread_only: bool = False, kind: str = ""):
    """The user's own notifications, newest first: nobody reads another's."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")

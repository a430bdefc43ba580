"""The job status page (county staff): each supervision job's schedule, its last run
and what it made, the last runs of all jobs, runs that look stuck; and "run now".

"Run now" only queues: services.job_queue records a queued JobRun and sends the task
once that row is committed; a worker runs it (in tests and with CELERY_TASK_ALWAYS_EAGER,
at once). The times of the schedule are changed in the admin (django-celery-beat).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import selectors_jobs as sel
from .. import services
from ..access import is_county_staff
from ..forms_jobs import RunNowForm
from ..models import Job, RunStatus


def _staff(request):
    if not is_county_staff(request.user):
        raise PermissionDenied
    return request.user


@login_required
@require_GET
def job_status(request):
    _staff(request)
    now = timezone.now()
    return render(request, "supervision/jobs/status.html", {
        "rows": sel.job_rows(now=now),
        "runs": sel.recent_runs(now=now),
        "stuck": sel.stuck_runs(now=now),
        "form": RunNowForm(),
        "today": timezone.localdate(),
        "limit": sel.RECENT_RUNS,
        "stuck_after_hours": int(sel.STUCK_AFTER.total_seconds() // 3600),
    })


@login_required
@require_POST
def job_run(request, job):
    user = _staff(request)
    if job not in Job.values:
        raise Http404("No such job")
    label = Job(job).label
    form = RunNowForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("run_for", []):
            messages.error(request, _("%(job)s was not queued: %(error)s") % {"job": label, "error": error})
        return redirect("supervision:job_status")
    run_for = form.cleaned_data["run_for"]
    if sel.run_under_way(job=job, run_for=run_for):
        messages.info(request, _("%(job)s for %(day)s is already queued or running; it was not queued "
                                 "again.") % {"job": label, "day": run_for.isoformat()})
        return redirect("supervision:job_status")
    # Its own transaction, so the task is sent (on commit) before the response; a broker
    # that cannot be reached marks the run failed (services.job_queue), reported here.
    with transaction.atomic():
        run = services.job_queue(job=job, run_for=run_for, by=user)
    run.refresh_from_db()
    if run.status == RunStatus.FAILED and run.started_at is None:
        messages.error(request, _("%(job)s could not be queued: the task queue cannot be reached. "
                                  "Try again later or tell the administrator.") % {"job": label})
        return redirect("supervision:job_status")
    messages.success(request, _("%(job)s for %(day)s was queued. It appears in the table below; "
                                "refresh the page to see its outcome once a worker has run it.") % {"job": label, "day": run_for.isoformat()})
    return redirect("supervision:job_status")

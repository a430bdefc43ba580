"""Answering an export: a download now, or a background job with progress.

`respond(request, build)` is what an export view returns. Small tables (up to
settings.EXPORT_SYNC_MAX_ROWS rows) are written during the request; larger ones
become an `ExportJob` that a Celery worker writes (openpyxl write-only mode, rows
read with a database iterator, so memory stays flat however long) while the
browser polls its progress.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone

from partybuild.xlsx import table_response, write_table

from .models import ExportJob, ExportStatus
from .registry import BadExport, builder

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 1000  # rows between two progress updates (one UPDATE each)


def bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def respond(request, build):
    """The export `build` (an @exporter function) for this request's user and GET."""
    try:
        table = build(request.user, request.GET)
    except BadExport as exc:
        return bad_request(exc.message)
    if table.count is None or table.count <= settings.EXPORT_SYNC_MAX_ROWS:
        return table_response(table)
    job = queue(user=request.user, build=build, query=request.GET.urlencode(), table=table)
    return redirect("exports:job_detail", pk=job.pk)


def queue(*, user, build, query, table) -> ExportJob:
    from .tasks import write_export

    job = ExportJob.objects.create(
        user=user, key=build.export_key, query=query, title=table.title,
        filename=table.filename, rows_total=table.count or 0,
    )
    transaction.on_commit(lambda: write_export.delay(job.pk))
    return job


def run(job: ExportJob) -> ExportJob:
    """Write the job's file (a worker calls this; running it again writes it again)."""
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), rows_done=0, error=""
    )
    try:
        table = builder(job.key)(job.user, job.params())
    except Exception as exc:  # the user's rights or the data changed since they asked
        return _fail(job, exc)

    def progress(done):
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    out = write_table(
        title=table.title, scope=table.scope, columns=table.columns, rows=table.rows,
        sheet_title=table.sheet_title, freeze_columns=table.freeze_columns,
        on_progress=progress, progress_every=PROGRESS_EVERY,
    )
    with out:
        job.refresh_from_db(fields=["rows_done"])
        if job.file:
            job.file.delete(save=False)
        job.file.save(job.filename, File(out), save=False)
    job.status, job.finished_at = ExportStatus.DONE, timezone.now()
    job.rows_total = max(job.rows_total, job.rows_done)
    job.save(update_fields=["file", "status", "finished_at", "rows_total"])
    return job


def _fail(job, exc):
    logger.warning("export %s failed: %s", job.pk, exc)
    message = getattr(exc, "message", "") or exc.__class__.__name__
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=str(message), finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def purge(*, older_than_days: int | None = None) -> int:
    """Delete finished jobs (and their files) older than the retention period."""
    days = older_than_days if older_than_days is not None else settings.EXPORT_KEEP_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)

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
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partybuild.xlsx import table_response, write_table

from .models import ExportJob, ExportStatus
from .registry import BadExport, builder

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 1000  # rows between two progress updates (one UPDATE each)
# Errors the task retries (the database went away for a moment); anything else fails the job.
TRANSIENT = (OperationalError, InterfaceError)


def bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def respond(request, build, **path_params):
    """The export `build` (an @exporter function) for this request's user and GET.

    `path_params` are the URL's own arguments (a campaign's pk): they join the
    query, so a worker replaying it builds the same table, and they override a
    query parameter of the same name.
    """
    params = request.GET.copy()
    for name, value in path_params.items():
        params[name] = str(value)
    try:
        table = build(request.user, params)
    except BadExport as exc:
        return bad_request(exc.message)
    if table.count is None or table.count <= settings.EXPORT_SYNC_MAX_ROWS:
        return table_response(table)
    job = queue(user=request.user, build=build, query=params.urlencode(), table=table,
                language=translation.get_language() or "")
    return redirect("exports:job_detail", pk=job.pk)


def queue(*, user, build, query, table, language="") -> ExportJob:
    from .tasks import write_export

    job = ExportJob.objects.create(
        user=user, key=build.export_key, query=query, title=table.title,
        filename=table.filename, rows_total=table.count or 0, language=language,
    )
    transaction.on_commit(lambda: write_export.delay(job.pk))
    return job


def run(job: ExportJob) -> ExportJob:
    """Write the job's file (a worker calls this; running it again writes it again).

    The table is built again here, as the user now stands: rights lost since the
    request make the job FAILED with a message, never a file. A transient database
    error is raised for the task to retry; any other error fails the job.
    """
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), rows_done=0, error=""
    )
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            out = _write(job)
        except TRANSIENT:
            raise
        except Exception as exc:
            return fail(job, exc)
    with out:
        job.refresh_from_db(fields=["rows_done"])
        if job.file:
            job.file.delete(save=False)
        job.file.save(job.filename, File(out), save=False)
    job.status, job.finished_at = ExportStatus.DONE, timezone.now()
    job.rows_total = max(job.rows_total, job.rows_done)
    job.save(update_fields=["file", "status", "finished_at", "rows_total"])
    return job


def _write(job):
    if not job.user.is_active:
        raise PermissionDenied
    table = builder(job.key)(job.user, job.params())

    def progress(done):
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    # Rows are read while writing: a generator's own access error surfaces here too.
    return write_table(
        title=table.title, scope=table.scope, columns=table.columns, rows=table.rows,
        sheet_title=table.sheet_title, freeze_columns=table.freeze_columns,
        on_progress=progress, progress_every=PROGRESS_EVERY,
    )


def failure_message(exc) -> str:
    """What the job page says about a failed export, in the language of the asker."""
    if isinstance(exc, BadExport):
        return exc.message
    if isinstance(exc, PermissionDenied):
        return _("You may no longer export these rows: your role has changed since you asked.")
    if isinstance(exc, Http404):
        return _("What you asked to export is no longer in your scope or no longer exists.")
    return _("The file could not be written. Try again; if it fails again, tell the "
             "administrator.")


def fail(job, exc):
    if isinstance(exc, (BadExport, PermissionDenied, Http404)):
        logger.warning("export %s failed: %r", job.pk, exc)
    else:
        logger.exception("export %s failed", job.pk, exc_info=exc)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=str(failure_message(exc)), finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def purge(*, older_than_days: int | None = None) -> int:
    """Delete jobs (and their files) older than the retention period."""
    days = older_than_days if older_than_days is not None else settings.EXPORT_KEEP_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)

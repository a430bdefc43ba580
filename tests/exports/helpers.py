"""Reading an export back, and the check every converted export shares: over the
threshold it becomes a job whose file holds the rows of the immediate download."""

import io
from dataclasses import dataclass

from django.urls import reverse
from openpyxl import load_workbook

from exports.models import ExportJob, ExportStatus
from partybuild.xlsx import EXPORTED_AT_LABEL, HEADER_ROWS


@dataclass
class Book:
    titles: list  # sheet titles
    title: str
    scope: str  # the scope line without its export time
    header: list
    rows: list  # the data rows of every sheet, in order


def content_of(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def read_book(content: bytes) -> Book:
    wb = load_workbook(io.BytesIO(content))
    rows, first = [], None
    for ws in wb.worksheets:
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        first = first or values
        rows.extend(values[HEADER_ROWS:])
    scope = first[1][0].split(EXPORTED_AT_LABEL)[0]
    return Book(titles=wb.sheetnames, title=first[0][0], scope=scope, header=first[2], rows=rows)


def direct_and_background(client, settings, capture, url, params=None):
    """(the immediate download, the background job's file) of one export, read back.

    `capture` is pytest-django's django_capture_on_commit_callbacks: the job is queued
    on commit, and test settings run Celery tasks eagerly.
    """
    settings.EXPORT_SYNC_MAX_ROWS = 10**9
    direct = client.get(url, params or {})
    assert direct.status_code == 200, content_of(direct)[:300]
    direct_book = read_book(content_of(direct))
    assert direct_book.rows, "the export must have rows for the comparison to mean anything"

    settings.EXPORT_SYNC_MAX_ROWS = 0
    before = set(ExportJob.objects.values_list("pk", flat=True))
    with capture(execute=True):
        queued = client.get(url, params or {})
    (job,) = ExportJob.objects.exclude(pk__in=before)
    assert queued.status_code == 302
    assert queued["Location"] == reverse("exports:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert job.rows_done == job.rows_total == len(direct_book.rows)
    download = client.get(reverse("exports:job_download", args=[job.pk]))
    assert download.status_code == 200
    return direct_book, read_book(content_of(download))


def assert_same_export(direct: Book, background: Book):
    assert background.title == direct.title
    assert background.scope == direct.scope
    assert background.header == direct.header
    assert background.rows == direct.rows

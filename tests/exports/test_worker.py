"""A 50,000-row export written by a real Celery worker (Redis broker, PostgreSQL), its
progress seen through the page's progress block, and the file read back."""

import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from exports.models import ExportJob, ExportStatus

from ..conftest import need
from ..workers import new_queue, sending_to, start_worker
from .helpers import content_of, read_book

ROWS = 50_000


@pytest.fixture
def worker(transactional_db, require_redis, tmp_path, settings):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    # The worker writes under the test settings' MEDIA_ROOT; this process reads it there.
    settings.MEDIA_ROOT = django_settings.BASE_DIR / "var" / "test-media"
    queue = new_queue("test-export")
    with sending_to(queue):
        w = start_worker(require_redis, tmp_path / "worker.log", queue)
        try:
            yield w
        finally:
            w.stop()


def percent_of(html: str) -> int:
    return int(html.split('aria-valuenow="')[1].split('"')[0])


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.urls("tests.exports.urls")
def test_a_50000_row_export_runs_in_a_worker_with_progress(worker, client_for, people):
    client = client_for(people.alice)
    response = client.get(reverse("test_numbers_export"), {"n": ROWS})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job_detail", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'role="progressbar"' in page.content.decode()

    progress_url = reverse("exports:job_progress", args=[job.pk])
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        html = client.get(progress_url).content.decode()
        seen.append(percent_of(html))
        if 'data-status="done"' in html or 'data-status="failed"' in html:
            break
        assert worker.process.poll() is None, worker.log()
        time.sleep(0.05)  # a short wait between two polls, as htmx's would be
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, (job.status, job.error, worker.log())
    assert any(0 < p < 100 for p in seen), seen  # the bar moved while the worker wrote
    assert seen == sorted(seen) and seen[-1] == 100
    assert (job.rows_done, job.rows_total) == (ROWS, ROWS)
    assert reverse("exports:job_download", args=[job.pk]) in html

    download = client.get(reverse("exports:job_download", args=[job.pk]))
    assert download.status_code == 200
    book = read_book(content_of(download))
    assert len(book.rows) == ROWS
    assert book.rows[0][:2] == [1, "第1行"] and book.rows[-1][:2] == [ROWS, f"第{ROWS}行"]
    job.file.delete(save=False)

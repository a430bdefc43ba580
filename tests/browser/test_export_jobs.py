"""A large export in a real browser, on a phone: the organization list's export button leads
to the job page, whose progress bar polls (htmx) until the file is written and then offers
the download; "My exports" lists the job."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from exports import services, tasks
from exports.models import ExportJob, ExportStatus

from .conftest import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_job_page_shows_progress_then_the_download(phone_page, login, live_server, people,
                                                       county, settings, monkeypatch):
    settings.EXPORT_SYNC_MAX_ROWS = 1  # bob's three organizations make a background job
    held = []
    # The worker: held back here, so the page is seen waiting before the file exists.
    monkeypatch.setattr(tasks.write_export, "delay", held.append)
    page = phone_page
    login(page, people.bob.username)
    page.goto(f"{live_server.url}/orgs/")
    page.get_by_test_id("export").click()
    expect(page).to_have_url(re.compile(r"/exports/\d+/$"))
    progress = page.get_by_test_id("export-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(progress.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_test_id("export-download")).to_have_count(0)
    assert_fits(page)
    page.shot("waiting")

    (job_id,) = held
    services.run(ExportJob.objects.select_related("user").get(pk=job_id))
    # No reload: the progress block polls every second and swaps in the download.
    download_link = page.get_by_test_id("export-download")
    expect(download_link).to_be_visible()
    expect(progress).to_have_attribute("data-status", "done")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    page.shot("ready")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.startswith("党组织架构_")
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[0]
    assert [r[0] for r in ws.iter_rows(min_row=4, values_only=True)] == ["A", "A1", "A2"]

    page.goto(f"{live_server.url}/exports/")
    expect(page.get_by_test_id("export-jobs")).to_contain_text("党组织架构")
    assert_fits(page)
    page.shot("my-exports")
    assert ExportJob.objects.get(pk=job_id).status == ExportStatus.DONE

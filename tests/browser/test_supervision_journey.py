"""Issue 7 in a real browser on the demo county, after `supervise` ran for today: the
committee hears from the bell that its dispatch is due, opens it on a phone, writes its
notes and submits; county staff see every committee's dispatch side by side, run the
reminders again from the job page (nothing new: once a day), read the inspection with its
findings and the bulletin; a branch secretary reaches none of it."""

import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from supervision.models import Dispatch, DispatchStatus, JobRun, Notification, NotificationKind
from supervision.rules import previous_month

from ..factories import SEEDED_CATEGORIES, category
from .conftest import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", "--without-campaign", verbosity=0)
    call_command("supervise", verbosity=0)  # today's jobs again: adds nothing


def test_dispatch_reminders_inspection_bulletin(demo, desktop_page, phone_page, login, live_server,
                                                tmp_path):
    from django.utils import timezone

    today = timezone.localdate()
    draft = Dispatch.objects.get(committee__code="QH02", period=previous_month(today))
    assert draft.status == DispatchStatus.DRAFT

    # The committee's phone: the bell counts the unread reminders, the list names the dispatch.
    phone = phone_page
    login(phone, "committee", "demo-committee-2026")
    phone.goto(f"{live_server.url}/")
    badge = phone.get_by_test_id("unread-count")
    unread = Notification.objects.filter(user__username="committee", read_at=None).count()
    assert unread > 0
    expect(badge).to_have_text(str(unread))
    phone.get_by_test_id("notifications").click()
    phone.wait_for_load_state("networkidle")
    phone.shot("notifications")
    if today.day >= 8:
        due = Notification.objects.get(user__username="committee", kind=NotificationKind.DISPATCH_DUE)
        phone.goto(f"{live_server.url}/supervision/notifications/{due.pk}/open/")
    else:
        phone.goto(f"{live_server.url}/supervision/dispatches/{draft.pk}/")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith(f"/supervision/dispatches/{draft.pk}/")
    expect(phone.get_by_test_id("sections")).to_be_visible()
    form = phone.get_by_test_id("notes-form")
    form.locator("textarea").fill("本月完成整改任务 3 项；河湾村帮扶走访 2 次；经费按月拨付到位。")
    phone.shot("dispatch-notes")
    phone.get_by_test_id("submit").click()
    phone.wait_for_load_state("networkidle")
    draft.refresh_from_db()
    assert draft.status == DispatchStatus.SUBMITTED and draft.notes.startswith("本月完成")
    assert_fits(phone)
    phone.shot("dispatch-submitted")

    # County staff: every committee side by side, 东坝镇 now submitted.
    staff = desktop_page
    login(staff, "county", "demo-county-2026")
    staff.goto(f"{live_server.url}/supervision/dispatches/?month={previous_month(today):%Y-%m}")
    rows = staff.get_by_test_id("board-row")
    expect(rows).to_have_count(15)
    expect(staff.get_by_test_id("n-submitted")).to_contain_text("4")
    staff.shot("board")
    with staff.expect_download() as download:
        staff.get_by_test_id("export").click()
    saved = tmp_path / "board.xlsx"
    download.value.save_as(saved)
    names = [r[0] for r in load_workbook(saved).worksheets[0].iter_rows(min_row=4, values_only=True)]
    assert "东坝镇党委" in names and names[-1] == "合计"

    # The job page: run today's reminders again; a queued run succeeds and adds nothing.
    before = Notification.objects.count()
    staff.goto(f"{live_server.url}/supervision/jobs/")
    staff.locator('[data-testid=job][data-job=reminders] [data-testid=run-now] button').click()
    staff.wait_for_load_state("networkidle")
    run = JobRun.objects.filter(job="reminders").order_by("-pk").first()
    assert run.status == "succeeded" and run.requested_by.username == "county"
    assert run.result["created"] == 0 and Notification.objects.count() == before
    staff.shot("jobs")

    # The inspection of 东坝镇 with its findings, and the quarter's bulletin.
    staff.goto(f"{live_server.url}/supervision/inspections/")
    staff.shot("inspections")
    staff.goto(f"{live_server.url}/supervision/bulletin/")
    findings = staff.get_by_test_id("finding-row")
    assert findings.count() >= 2
    expect(staff.get_by_test_id("summary")).to_contain_text("东坝镇党委")
    staff.shot("bulletin")

    # A branch secretary reaches none of it.
    login(phone, "secretary", "demo-secretary-2026")
    for path in ("/supervision/dispatches/", f"/supervision/dispatches/{draft.pk}/",
                 "/supervision/bulletin/", "/supervision/jobs/"):
        response = phone.goto(f"{live_server.url}{path}")
        assert response.status in (403, 404), path
    phone.goto(f"{live_server.url}/supervision/notifications/")
    for text in phone.get_by_test_id("notification").all_inner_texts():
        assert "东坝镇柳树村" in text or not re.search(r"村|社区", text), text

"""Issue 8 in a real browser on the demo county: the branch secretary logs today's 主题党日
with a photo on a phone, and the next self-check's 主题党日 item (五化 WH2-TY-05, bound to
the log) shows the new count with the record linked; the committee's compliance table
names the demo branch's one missing meeting."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services as cycle
from assessments.models import Assessment
from meetings.models import Meeting
from orgs.models import Organization, User
from standards.models import StandardSet

from ..factories import SEEDED_CATEGORIES, category
from .conftest import assert_fits
from .test_rectification_journey import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BRANCH = "QH02-002"


@pytest.fixture
def next_campaign(db):
    """The demo county, and a new self-check on 五化 due in three weeks."""
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", "--without-campaign", verbosity=0)
    today = timezone.localdate()
    county = User.objects.get(username="county")
    wuhua = StandardSet.objects.filter(code="wuhua", status="published").get()
    campaign = cycle.campaign_create(
        name="年终五化复查", year=today.year, standard_set=wuhua,
        organization=Organization.objects.get(code="QH02"), by=county,
        self_check_deadline=today + timedelta(days=21), review_deadline=today + timedelta(days=30),
    )
    cycle.campaign_launch(campaign=campaign, by=county)
    return Assessment.objects.get(campaign=campaign, organization__code=BRANCH)


def test_a_theme_day_logged_on_a_phone_answers_the_self_check(next_campaign, phone_page, desktop_page,
                                                               login, live_server, tmp_path):
    assessment = next_campaign
    theme_days = Meeting.objects.filter(organization__code=BRANCH, meeting_type__code="theme_day",
                                        held_on__year=timezone.localdate().year)
    before = theme_days.count()
    photo = tmp_path / "主题党日合影.png"
    photo.write_bytes(png_bytes())

    phone = phone_page
    login(phone, "secretary", "demo-secretary-2026")
    phone.goto(f"{live_server.url}/meetings/new/")
    form = phone.get_by_test_id("meeting-form")
    expect(form.locator("select[name=meeting_type] option:checked")).to_have_text("主题党日")
    form.locator("input[name=topic]").fill("重温入党誓词，学习党的二十届四中全会精神")
    form.locator("input[name=present]").fill("10")
    phone.get_by_test_id("files").set_input_files(str(photo))
    phone.shot("meeting-form")
    assert_fits(phone)
    phone.get_by_test_id("save").click()
    phone.wait_for_load_state("networkidle")
    meeting = theme_days.order_by("-pk").first()
    assert theme_days.count() == before + 1 and meeting.attachments.count() == 1
    expect(phone.get_by_test_id("attachment-image")).to_be_visible()
    assert_fits(phone)
    phone.shot("meeting-logged")

    # The next self-check reads the count from the log and links the record.
    phone.goto(f"{live_server.url}/assessments/a/{assessment.pk}/fill/")
    prefill = phone.get_by_test_id("prefill")
    expect(prefill.first).to_be_visible()
    expect(prefill.first.get_by_test_id("prefill-value")).to_contain_text(str(before + 1))
    links = prefill.first.get_by_test_id("prefill-link")
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert f"/meetings/{meeting.pk}/" in hrefs
    phone.shot("self-check-prefilled")

    # The committee's compliance table names the branch's missing meeting.
    staff = desktop_page
    login(staff, "committee", "demo-committee-2026")
    staff.goto(f"{live_server.url}/meetings/compliance/?only_missing=1")
    body = staff.locator("main").inner_text()
    assert "东坝镇柳树村党支部" in body and "7月" in body
    staff.shot("compliance")

"""The demo county in a real browser: every printed login lands on its own home page,
the tree shows the county, and an exported tree imports back through the page."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from orgs.demo.county import LOGINS
from orgs.models import Organization

from ..factories import SEEDED_CATEGORIES, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The section of the home page each role lands on.
HOME_SECTION = {
    "county_staff": "county-section",
    "committee_staff": "committee-section",
    "secretary": "secretary-section",
    "helper": "helper-section",
    "viewer": "viewer-section",
    None: "county-section",  # the superuser sees the whole county
}


@pytest.fixture
def demo(db):
    # A transactional test starts from an empty table: put the migration's categories back.
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", verbosity=0)


def test_each_demo_login_lands_on_its_home(demo, phone_page, login, live_server):
    page = phone_page
    for username, password, role, _code, _name in LOGINS:
        login(page, username, password)
        expect(page.locator(f"[data-testid={HOME_SECTION[role]}]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        page.shot(f"home-{username}")
        # Each login starts from a fresh session, as a different person would.
        page.context.clear_cookies()


def test_tree_shows_the_demo_county(demo, phone_page, login, live_server):
    page = phone_page
    login(page, "county", "demo-county-2026")
    page.goto(f"{live_server.url}/orgs/tree/")
    expect(page.locator("body")).to_contain_text("中共青禾县委")
    expect(page.locator("body")).to_contain_text("东坝镇党委")
    page.shot("tree")


def test_export_then_import_through_the_page(demo, desktop_page, login, live_server, tmp_path):
    page = desktop_page
    login(page, "committee", "demo-committee-2026")
    page.goto(f"{live_server.url}/orgs/import/")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-template").click()
    exported = tmp_path / "tree.xlsx"
    download_info.value.save_as(exported)
    before = Organization.history.count()

    page.goto(f"{live_server.url}/orgs/import/")
    page.locator("input[type=file]").set_input_files(str(exported))
    page.get_by_role("button", name=re.compile("导入")).click()
    page.wait_for_load_state("networkidle")
    page.shot("imported")
    expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    assert Organization.history.count() == before  # nothing changed, nothing recorded


def test_secretary_reads_own_checklist_on_a_phone(demo, phone_page, login, live_server):
    page = phone_page
    login(page, "secretary", "demo-secretary-2026")
    page.goto(f"{live_server.url}/standards/my-checklist/")
    expect(page.locator("body")).to_contain_text("五化")
    expect(page.locator("body")).to_contain_text("东坝镇柳树村党支部")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.shot("my-checklist")
    response = page.goto(f"{live_server.url}/standards/")
    assert response.status == 403  # whole sets are for staff and viewers

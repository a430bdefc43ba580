"""A real browser at phone width: log in as each role, land on the right home, read the tree."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_staff_on_a_phone(phone_page, login, live_server, people, county):
    page = phone_page
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.shot("login")

    login(page, "alice")
    expect(page.locator("body")).to_contain_text("青禾县委")
    page.shot("home")

    page.goto(f"{live_server.url}/orgs/tree/")
    expect(page.locator("body")).to_contain_text("东坝镇党委")
    expect(page.locator("body")).to_contain_text("西湖乡党委")
    page.shot("tree")
    # Nothing sticks out sideways on a 390px screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


def test_secretary_sees_only_own_branch(phone_page, login, live_server, people, county):
    page = phone_page
    login(page, "dave")
    expect(page.locator("body")).to_contain_text("东坝村党支部")
    page.shot("home")
    page.goto(f"{live_server.url}/orgs/tree/")
    expect(page.locator("body")).to_contain_text("东坝村党支部")
    expect(page.locator("body")).not_to_contain_text("柳树村党支部")
    response = page.goto(f"{live_server.url}/orgs/{county.branch_a2.pk}/")
    assert response.status == 404


def test_language_switch(desktop_page, login, live_server, people, county):
    page = desktop_page
    login(page, "bob")
    page.locator("[data-testid=language-switch] select").select_option("en")
    page.wait_for_load_state("networkidle")
    expect(page.locator("nav")).to_contain_text("Log out")
    page.shot("english")

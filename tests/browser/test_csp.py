"""The content security policy in a real Chromium, on the demo county: the main pages load
with no policy violation and no script error, and their scripts still work (the language
switch submits, the tree expands, a confirm question can stop a form) — the vendored
Bootstrap, htmx and ECharts run under `script-src 'self'` without eval or inline code."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Assessment, Campaign
from orgs.models import Organization
from partybuild.middleware import CONTENT_SECURITY_POLICY

from ..factories import SEEDED_CATEGORIES, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRANCH = "QH02-002"  # the demo secretary's branch

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def demo(db):
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", verbosity=0)


def watch(page):
    """Record violations (the event, added before any page script) and console errors."""
    page.add_init_script(WATCH)
    page.problems = []

    def on_console(message):
        # The browser's own request for /favicon.ico (the site has none) is not a page problem.
        if message.type in ("error", "warning") and "favicon.ico" not in message.location.get("url", ""):
            page.problems.append(f"console {message.type}: {message.text} {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    return page


def visit(page, url, step):
    response = page.goto(url)
    assert response.status == 200, url
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page.wait_for_load_state("networkidle")
    assert_clean(page, step)


def assert_clean(page, step):
    page.shot(step)
    violations = page.evaluate("window.__violations")
    assert violations == [], f"{step}: {violations}"
    assert page.problems == [], f"{step}: {page.problems}"


def test_the_main_pages_run_under_the_policy(demo, desktop_page, phone_page, login, live_server):
    base = live_server.url
    page = watch(desktop_page)
    login(page, "county", "demo-county-2026")
    assert_clean(page, "home")

    # The tree: expanding a committee loads its branches through htmx.
    visit(page, f"{base}{reverse('orgs:tree')}", "tree")
    town = Organization.objects.get(code="QH02")
    page.locator(f"button[data-bs-target='#tree-children-{town.pk}']").click()
    expect(page.locator(f"#tree-children-{town.pk}")).to_contain_text("柳树村")
    assert_clean(page, "tree-expanded")

    campaign = Campaign.objects.order_by("-year", "pk").first()
    for step, url in [
        ("campaign", reverse("assessments:campaign_detail", args=[campaign.pk])),
        ("tasks", reverse("rectification:task_list")),
        ("wall-chart", reverse("rectification:wall_chart")),
        ("ledger", reverse("funding:ledger")),
        ("calendar", reverse("meetings:org_log", args=[Organization.objects.get(code=BRANCH).pk])),
        ("audit-log", reverse("audit:log")),
    ]:
        visit(page, f"{base}{url}", step)
    # The dashboard draws ECharts charts (SVG/canvas, tooltips with style attributes).
    response = page.goto(f"{base}{reverse('reports:dashboard')}")
    if response.status == 200:
        page.wait_for_load_state("networkidle")
        assert_clean(page, "dashboard")

    # A confirm question answered "no" stops the form (static/js/app.js, data-confirm).
    org = Organization.objects.get(code=BRANCH)
    visit(page, f"{base}{reverse('orgs:detail', args=[org.pk])}", "organization")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("deactivate").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{org.pk}/$"))
    org.refresh_from_db()
    assert org.is_active
    assert_clean(page, "confirm-dismissed")

    # The language switch submits when the choice changes (data-autosubmit).
    with page.expect_navigation():
        page.get_by_test_id("language-switch").locator("select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_clean(page, "english")

    # The secretary's self-check on a phone, with its htmx autosave.
    phone = watch(phone_page)
    login(phone, "secretary", "demo-secretary-2026")
    assessment = Assessment.objects.get(campaign=campaign, organization=org)
    visit(phone, f"{base}{reverse('assessments:fill', args=[assessment.pk])}", "self-check")
    card = phone.locator("[data-testid=fill-item]:visible").filter(
        has=phone.locator("input[type=radio][value=true]")).first
    radio = card.locator("input[type=radio][value=true]")
    if radio.is_checked():  # the demo may have answered it already: change the answer
        radio = card.locator("input[type=radio][value=false]")
    with phone.expect_response(re.compile(r"/fill/")):
        card.locator(f"label[for={radio.get_attribute('id')}]").click()
    assert_clean(phone, "self-check-saved")
    expect(phone.get_by_test_id("save-failed")).to_be_hidden()

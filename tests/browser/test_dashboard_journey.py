"""Issue 9's dashboard in a real browser on the demo county: county staff see every chart
drawn with data, drill into 东坝镇 and every panel's figures change, turn a chart into its
table and back (the chart keeps its size), and open the print view; the committee's staff
on a phone see only 东坝镇 and the page fits. No content-security-policy complaint."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from orgs.models import Organization

from ..factories import SEEDED_CATEGORIES, category
from .conftest import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every chart: its canvas, and how many of its series' values are above zero.
CHARTS = """() => [...document.querySelectorAll('.dash-chart')].map(el => {
  const chart = echarts.getInstanceByDom(el);
  const series = chart ? chart.getOption().series : [];
  return {
    id: el.id,
    canvas: !!el.querySelector('canvas'),
    width: el.clientWidth,
    values: series.reduce((n, s) => n + s.data.filter(v => v > 0).length, 0),
  };
})"""
# Every panel's figures (those on top, and its first table, shown or not), by the panel.
FIGURES = """() => Object.fromEntries([...document.querySelectorAll('.dash-panel')].map(p =>
  [p.id, [...p.querySelectorAll('.dash-figure-value')].map(v => v.textContent.trim()).join('|')
         + '#' + (p.querySelector('table') ? p.querySelector('table').textContent : '')]))"""


@pytest.fixture
def demo(db):
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", verbosity=0)


def watch_console(page):
    problems = []
    # Errors, CSP refusals among them; the browser's own favicon request is not the page's.
    page.on("console", lambda m: m.type == "error" and "favicon" not in m.location.get("url", "")
            and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def drawn(page):
    page.wait_for_function("() => window.echarts && document.querySelector('.dash-chart canvas')")
    return page.evaluate(CHARTS)


def test_dashboard_from_the_county_down_to_a_town_and_on_a_phone(demo, desktop_page, phone_page,
                                                                   login, live_server):
    town = Organization.objects.get(code="QH02")  # 东坝镇党委, the demo committee's

    staff = desktop_page
    problems = watch_console(staff)
    login(staff, "county", "demo-county-2026")
    staff.get_by_test_id("nav-dashboard").click()
    staff.wait_for_load_state("networkidle")
    expect(staff.get_by_test_id("scope-name")).to_have_text("中共青禾县委")
    charts = drawn(staff)
    assert len(charts) >= 10
    for chart in charts:
        assert chart["canvas"] and chart["width"] > 300 and chart["values"] > 0, chart
    county_figures = staff.evaluate(FIGURES)
    staff.shot("county")

    # Drill into 东坝镇 with the scope picker: every panel's figures change.
    staff.get_by_test_id("pick-org").select_option(str(town.pk))
    staff.wait_for_url(re.compile(rf"org={town.pk}"))
    staff.wait_for_load_state("networkidle")
    expect(staff.get_by_test_id("scope-name")).to_have_text("东坝镇党委")
    expect(staff.get_by_test_id("trail")).to_contain_text("中共青禾县委")
    town_charts = drawn(staff)
    assert all(c["canvas"] and c["values"] > 0 for c in town_charts), town_charts
    town_figures = staff.evaluate(FIGURES)
    assert set(town_figures) == set(county_figures)
    for panel, figures in town_figures.items():
        assert figures != county_figures[panel], panel
    staff.shot("town")

    # A chart's table is one click away; back on the chart, it still has its width.
    staff.get_by_test_id("progress-table-toggle").click()
    table = staff.get_by_test_id("table-progress")
    expect(table).to_be_visible()
    expect(table).to_contain_text("东坝镇东坝村党总支")
    expect(staff.locator("#chart-progress")).to_be_hidden()
    staff.shot("progress-table")
    staff.set_viewport_size({"width": 900, "height": 900})  # resized while the chart is hidden
    staff.get_by_test_id("progress-chart-toggle").click()
    expect(staff.locator("#chart-progress")).to_be_visible()
    staff.wait_for_function("""() => {
      const el = document.getElementById('chart-progress');
      const canvas = el.querySelector('canvas');
      return canvas && Math.abs(canvas.clientWidth - el.clientWidth) < 2;
    }""")
    staff.set_viewport_size({"width": 1366, "height": 900})

    # A figure opens the list it counts: the campaign's self-checks of 东坝镇.
    figure = staff.get_by_test_id("progress-total").locator("a")
    href = figure.get_attribute("href")
    assert f"committee={town.pk}" in href
    figure.click()
    staff.wait_for_load_state("networkidle")
    assert "/assessments/" in staff.url and f"committee={town.pk}" in staff.url
    staff.go_back()
    staff.wait_for_load_state("networkidle")

    # The print view: no navigation, tables instead of charts, the scope in the header.
    staff.get_by_test_id("print-view").click()
    staff.wait_for_load_state("networkidle")
    expect(staff.get_by_test_id("print-scope")).to_contain_text("东坝镇党委")
    expect(staff.locator("nav")).to_have_count(0)
    expect(staff.locator(".dash-chart")).to_have_count(0)
    expect(staff.get_by_test_id("table-funding")).to_be_visible()
    staff.emulate_media(media="print")
    staff.shot("print")
    assert problems == [], problems

    # The committee on a phone: 东坝镇 only, and nothing sticks out sideways.
    phone = phone_page
    phone_problems = watch_console(phone)
    login(phone, "committee", "demo-committee-2026")
    phone.goto(f"{live_server.url}/reports/")
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_test_id("scope-name")).to_have_text("东坝镇党委")
    options = phone.get_by_test_id("pick-org").locator("option").all_inner_texts()
    assert not any("西湖乡" in o or "青禾县委" in o for o in options), options
    charts = drawn(phone)
    assert all(c["canvas"] and c["values"] > 0 and c["width"] <= 390 for c in charts), charts
    assert_fits(phone)
    phone.shot("committee-phone")
    phone.get_by_test_id("rectification-table-toggle").click()
    expect(phone.get_by_test_id("table-rectification")).to_be_visible()
    assert_fits(phone)
    phone.shot("committee-phone-table")
    assert "西湖乡" not in phone.content()
    assert phone_problems == [], phone_problems
    response = phone.goto(f"{live_server.url}/reports/?org={Organization.objects.get(code='QH03').pk}")
    assert response.status == 404

"""Issue 3's journey in a real browser, as county staff: import the 五化 Excel, see it by
category, publish it, fail to edit it, make a new version, change an item, compare, export."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from orgs.models import Level
from standards.excel import export_response
from standards.libraries.loader import build_library
from standards.models import SetStatus, StandardSet

from ..factories import SEEDED_CATEGORIES, OrganizationFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wuhua_file(county, people, tmp_path):
    """The shipped 五化 library as a county clerk would receive it: an Excel file."""
    for code in SEEDED_CATEGORIES:
        category(code)
    elsewhere = OrganizationFactory(code="SRC", name="样例县委", level=Level.COUNTY, category=None)
    source = build_library("wuhua", organization=elsewhere, by=people.root)
    response = export_response(standard_set=source)
    path = tmp_path / "五化标准.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return path, source.items.count()


def test_county_staff_run_a_library_through_its_life(
    desktop_page, login, live_server, people, county, wuhua_file, tmp_path
):
    page = desktop_page
    path, item_count = wuhua_file
    login(page, "alice")

    # Import the 五化 Excel as a new set.
    page.goto(f"{live_server.url}/standards/import/")
    page.locator("input[name=name]").fill("青禾县五化标准")
    page.locator("input[name=code]").fill("qh-wuhua")
    page.locator("input[type=file]").set_input_files(str(path))
    page.shot("import-form")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    page.shot("imported")
    imported = StandardSet.objects.get(code="qh-wuhua")
    assert imported.items.count() == item_count
    expect(page.get_by_test_id("item-row").first).to_be_visible()

    # See it by category: the 村 checklist hides items only for 社区.
    page.get_by_test_id("category-filter").get_by_role("link", name="村", exact=True).click()
    page.wait_for_load_state("networkidle")
    village_rows = page.get_by_test_id("item-row").count()
    assert 0 < village_rows < item_count
    page.shot("by-category")

    # Publish it (after the confirmation the page asks for).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("publish").click()
    page.wait_for_load_state("networkidle")
    imported.refresh_from_db()
    assert imported.status == SetStatus.PUBLISHED
    expect(page.get_by_test_id("edit-set")).to_have_count(0)

    # Fail to edit it: the edit page sends the user back with the reason.
    item = imported.items.order_by("pk").first()
    page.goto(f"{live_server.url}/standards/items/{item.pk}/edit/")
    expect(page.locator(".alert").first).to_contain_text("新建版本")
    page.shot("edit-refused")

    # Make a new version and change an item.
    page.goto(f"{live_server.url}/standards/{imported.pk}/")
    page.get_by_test_id("new-version").click()
    page.wait_for_load_state("networkidle")
    draft = StandardSet.objects.get(code="qh-wuhua", version=2)
    same_item = draft.items.get(code=item.code)
    page.goto(f"{live_server.url}/standards/items/{same_item.pk}/edit/")
    page.locator("[data-testid=item-form] textarea[name=requirement]").fill("修改后的标准内容")
    page.locator("[data-testid=item-form] input[name=max_score]").fill("9")
    page.locator("[data-testid=item-form] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    same_item.refresh_from_db()
    assert same_item.requirement == "修改后的标准内容"

    # Compare the two versions.
    page.goto(f"{live_server.url}/standards/{draft.pk}/")
    page.get_by_test_id("compare-previous").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("修改后的标准内容")
    expect(page.locator("body")).to_contain_text(item.code)
    page.shot("compare")

    # Export it and read it back.
    with page.expect_download() as download:
        page.goto(f"{live_server.url}/standards/{draft.pk}/")
        page.get_by_test_id("export").click()
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "修改后的标准内容" in texts
    assert re.search("五化", str(sheet.cell(row=1, column=1).value))

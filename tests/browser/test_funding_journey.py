"""Issue 6 in a real browser on the demo county: county staff plan next year from the
shipped policies, a bad payment file is refused row by row and changes nothing, the good
one is imported, and the compliance report names the two villages left short and by how
much, its totals equal to the sum of its rows to the fen; committee staff and a branch
secretary see only their own money on a phone."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from funding.models import Allocation, Disbursement

from ..factories import SEEDED_CATEGORIES, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHORT = {"QH01-001": Decimal("150000.00"), "QH03-001": Decimal("120000.00")}


@pytest.fixture
def demo(db):
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", "--without-campaign", verbosity=0)


def payment_file(path, year, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["组织代码", "经费标准代码", "拨付日期", "金额", "凭证号", "备注"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def money(text):
    return Decimal(re.sub(r"[^\d.\-]", "", text))


def test_plan_import_and_find_who_is_short(demo, desktop_page, phone_page, login, live_server,
                                          tmp_path):
    year = timezone.localdate().year + 1
    staff = desktop_page
    login(staff, "county", "demo-county-2026")

    # Plan next year for the whole county from the shipped policies.
    staff.goto(f"{live_server.url}/funding/generate/")
    form = staff.get_by_test_id("generate-form")
    form.locator("select[name=year]").select_option(str(year))
    staff.shot("generate")
    form.locator("button[type=submit]").click()
    staff.wait_for_load_state("networkidle")
    planned = Allocation.objects.filter(year=year)
    assert planned.count() > 200
    expect(staff.locator(".alert").first).to_contain_text(str(planned.count()))
    staff.shot("ledger-planned")

    operating = list(planned.filter(policy__code__in=("village-operating", "community-operating"))
                     .select_related("organization", "policy").order_by("organization__code"))
    rows = [
        [a.organization.code, a.policy.code, f"{year}-03-20",
         float(SHORT.get(a.organization.code, a.planned)), f"YS{year}-{n:04d}", "上半年拨付"]
        for n, a in enumerate(operating, start=1)
    ]
    assert set(SHORT) <= {a.organization.code for a in operating}

    # A file with a negative amount and a date in another year: refused, nothing written.
    bad = [list(r) for r in rows]
    bad[0][3] = -100
    bad[1][2] = f"{year - 1}-12-31"
    before = Disbursement.objects.count()
    staff.goto(f"{live_server.url}/funding/disbursements/import/")
    form = staff.get_by_test_id("import-form")
    form.locator("select[name=year]").select_option(str(year))
    form.locator("input[type=file]").set_input_files(str(payment_file(tmp_path / "坏文件.xlsx", year, bad)))
    form.locator("button[type=submit]").click()
    staff.wait_for_load_state("networkidle")
    expect(staff.get_by_test_id("import-errors-summary")).to_be_visible()
    errors = staff.get_by_test_id("import-error")
    named = {(errors.nth(i).get_attribute("data-row"), errors.nth(i).get_attribute("data-column"))
             for i in range(errors.count())}
    assert named == {("2", "金额"), ("3", "拨付日期")}  # the header is row 1
    assert Disbursement.objects.count() == before
    staff.shot("import-refused")

    # The good file goes in whole.
    form = staff.get_by_test_id("import-form")
    form.locator("select[name=year]").select_option(str(year))
    form.locator("input[type=file]").set_input_files(str(payment_file(tmp_path / "拨付.xlsx", year, rows)))
    form.locator("button[type=submit]").click()
    staff.wait_for_load_state("networkidle")
    assert Disbursement.objects.filter(allocation__year=year).count() == len(rows)
    staff.shot("imported")

    # The compliance report names the two villages left short of their operating funds.
    staff.goto(f"{live_server.url}/funding/compliance/?year={year}&kind=operating&short=paid")
    short = staff.get_by_test_id("short-row")
    assert sorted(short.evaluate_all("rows => rows.map(r => r.dataset.code)")) == sorted(SHORT)
    gaps = {short.nth(i).get_attribute("data-code"): money(short.nth(i).get_by_test_id("shortfall").inner_text())
            for i in range(short.count())}
    assert gaps == {code: Decimal("200000.00") - paid for code, paid in SHORT.items()}
    total = money(staff.get_by_test_id("short-total-gap").inner_text())
    assert total == sum(gaps.values()) == Decimal("130000.00")
    staff.shot("compliance")

    # Its export holds the same rows and a totals row equal to their sum, to the fen.
    with staff.expect_download() as download:
        staff.get_by_test_id("export").click()
        staff.get_by_test_id("export-short").click()
    saved = tmp_path / "short.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True) if any(r)]
    header = next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))
    gap_col = header.index("缺口")
    body_rows, totals = values[:-1], values[-1]
    assert "合计" in [str(v) for v in totals if v is not None][0]
    assert sum(Decimal(str(r[gap_col])) for r in body_rows) == Decimal(str(totals[gap_col])) == Decimal("130000")

    # Committee staff on a phone see their town's money only.
    phone = phone_page
    login(phone, "committee", "demo-committee-2026")
    phone.goto(f"{live_server.url}/funding/?year={year}")
    phone.wait_for_load_state("networkidle")
    text = phone.locator("body").inner_text()
    assert "东坝" in text and "城关镇城西村" not in text
    wide = phone.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1, wide
    phone.shot("committee-ledger")
    phone.goto(f"{live_server.url}/funding/compliance/?year={year}&kind=operating&short=paid")
    expect(phone.get_by_test_id("short-row")).to_have_count(0)
    phone.shot("committee-compliance")

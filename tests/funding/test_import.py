"""Importing payments from Excel (funding/importing.py, views/disbursements.py): every
bad file writes nothing and says which row and column; a good one writes every row in
one go, in a fixed number of queries; an export can be corrected and imported back."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from funding import selectors, services
from funding.importing import HEADERS, import_disbursements
from funding.models import Allocation, Disbursement
from funding.selectors import MoneyFilters
from tests.orgs.xlsx_files import upload, zip_bytes

from .conftest import YEAR, grow

pytestmark = pytest.mark.django_db

IMPORT = reverse("funding:disbursement_import")
TEMPLATE = reverse("funding:import_template")
EXPORT = reverse("funding:disbursement_export")
HEADER = list(HEADERS.values())


def row(org="A1", policy="village-operating", paid_on=date(YEAR, 3, 15), amount="50000.00",
        voucher="IMP-1", note="一季度"):
    return [org, policy, paid_on, amount, voucher, note]


def workbook_bytes(rows, *, header=HEADER, title_rows=True) -> bytes:
    """A normal workbook: a value starting with '=' becomes a formula cell."""
    wb = Workbook()
    ws = wb.active
    if title_rows:
        ws.append(["经费拨付导入"])
        ws.append(["范围：测试"])
    if header is not None:
        ws.append(header)
    for values in rows:
        ws.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def post_file(client, content, *, year=YEAR, name="拨付.xlsx"):
    return client.post(IMPORT, {"year": str(year), "file": upload(content, name)})


def snapshot():
    """Payments and allocations as they stand, history included."""
    return (
        sorted(Disbursement.objects.values_list("pk", "voucher_no", "amount")),
        Disbursement.history.count(),
        sorted(Allocation.objects.values_list("pk", "planned", "updated_at")),
    )


def problems(response):
    return {(e.row, e.column, e.code) for e in response.context["errors"]}


def paid_total(user):
    """What the ledger's totals say was paid in YEAR. Rounded to the fen: SQLite sums
    decimals as floats (300 × 100.10 comes back as 30029.9999999998); PostgreSQL is exact."""
    allocations = selectors.allocations_for_user(user=user, filters=MoneyFilters(year=YEAR))
    return services.yuan(selectors.money_totals(allocations)["paid"])


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", [IMPORT, TEMPLATE])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("persona", ["dave", "erin", "harry", "victor", "nobody"])
@pytest.mark.parametrize("url", [IMPORT, TEMPLATE])
def test_import_is_for_staff_who_manage_money(client_for, people, plan, persona, url):
    client = client_for(getattr(people, persona))
    assert client.get(url).status_code == 403
    if url == IMPORT:
        before = snapshot()
        assert post_file(client, workbook_bytes([row()])).status_code == 403
        assert snapshot() == before


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "root"])
def test_staff_get_the_form_and_the_template(client_for, people, plan, persona):
    client = client_for(getattr(people, persona))
    response = client.get(IMPORT)
    assert response.status_code == 200
    assert 'data-testid="import-form"' in response.content.decode()
    response = client.get(TEMPLATE, {"year": YEAR})
    assert response.status_code == 200
    rows = [list(r) for r in load_workbook(
        io.BytesIO(b"".join(response.streaming_content))).worksheets[0].iter_rows(values_only=True)]
    assert rows[0][0] == "经费拨付导入模板"
    assert rows[2] == ["组织代码*", "经费标准代码*", "拨付日期*", "金额*", "凭证号*", "备注"]
    assert len(rows) == 3
    # The example names one of the user's own allocations.
    example = {"alice": "A1", "bob": "A1", "charlie": "B1", "root": "A1"}[persona]
    assert f"示例：{example}，" in rows[1][0]


def test_template_with_a_bad_year_uses_this_year(client_for, people):
    assert client_for(people.alice).get(TEMPLATE, {"year": "garbage"}).status_code == 200


@pytest.mark.parametrize("url", [TEMPLATE])
def test_template_is_get_only(client_for, people, url):
    assert client_for(people.alice).post(url).status_code == 405


def test_import_refuses_other_methods(client_for, people):
    assert client_for(people.alice).put(IMPORT).status_code == 405


def test_import_checks_csrf(client, people, plan):
    client.handler.enforce_csrf_checks = True
    client.force_login(people.alice)
    before = snapshot()
    assert post_file(client, workbook_bytes([row()])).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("year", ["", "garbage", "1999", "3000"])
def test_bad_year_is_a_form_error(client_for, people, plan, year):
    before = snapshot()
    response = client_for(people.alice).post(
        IMPORT, {"year": year, "file": upload(workbook_bytes([row()]))}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert snapshot() == before


# ---------------------------------------------------------------- good files


def test_good_file_records_every_row(client_for, people, plan):
    alice = people.alice
    before_total, before_count = paid_total(alice), Disbursement.objects.count()
    rows = [
        row("A1", "village-operating", date(YEAR, 1, 10), 50000, "IMP-1", "一季度"),
        row("A2", "village-secretary-pay", "2026-02-01", "1800.50", "IMP-2", None),
        row("B1", "community-operating", datetime(YEAR, 12, 31), 1234.56, 1001, ""),
        row(" A1 ", "village-operating", "2026/6/30", "1,000.01", " IMP-4 ", "二季度"),
    ]
    response = post_file(client_for(alice), workbook_bytes(rows))
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:disbursement_list") + f"?year={YEAR}"
    file_sum = Decimal("50000") + Decimal("1800.50") + Decimal("1234.56") + Decimal("1000.01")
    assert Disbursement.objects.count() == before_count + 4
    assert paid_total(alice) - before_total == file_sum
    got = {d.voucher_no: d for d in Disbursement.objects.select_related("allocation__organization",
                                                                         "allocation__policy")}
    assert got["1001"].amount == Decimal("1234.56") and got["1001"].paid_on == date(YEAR, 12, 31)
    assert got["1001"].allocation == plan["B1", "community-operating"]
    assert got["IMP-4"].amount == Decimal("1000.01") and got["IMP-4"].note == "二季度"
    assert got["IMP-2"].note == "" and got["IMP-2"].paid_on == date(YEAR, 2, 1)
    assert {d.recorded_by for d in got.values()} == {alice}
    assert Disbursement.history.filter(history_user=alice).count() == 4
    # The list (of the year imported) shows them.
    page = client_for(alice).get(response["Location"])
    text = page.content.decode()
    assert file_sum == Decimal("54035.07")
    assert page.context["totals"] == {"n": 4, "amount": file_sum}
    assert 'data-value="54035.07"' in text


def test_committee_staff_import_in_their_subtree(client_for, people, plan):
    before = paid_total(people.bob)
    response = post_file(client_for(people.bob), workbook_bytes(
        [row("A1", voucher="B-1", amount="10.00"), row("A2", voucher="B-2", amount="20.00")]
    ))
    assert response.status_code == 302
    assert paid_total(people.bob) - before == Decimal("30.00")
    assert paid_total(people.charlie) == 0


def test_import_function_directly(people, plan):
    result = import_disbursements(
        workbook_file=upload(workbook_bytes([row(amount="99.99")])), year=YEAR, user=people.alice
    )
    assert result.ok and result.created == 1 and result.total == Decimal("99.99")


def test_header_may_be_the_first_row_and_marked(client_for, people, plan):
    header = ["组织代码*", "经费标准代码 *", "拨付日期＊", "金 额", "凭证号", "备注"]
    content = workbook_bytes([row()], header=header, title_rows=False)
    assert post_file(client_for(people.alice), content).status_code == 302
    assert Disbursement.objects.filter(voucher_no="IMP-1").exists()


def test_note_column_may_be_left_out(client_for, people, plan):
    content = workbook_bytes([row()[:5]], header=HEADER[:5])
    assert post_file(client_for(people.alice), content).status_code == 302


def test_export_round_trip(client_for, people, paid):
    """Export the year's payments, give them new voucher numbers, import them back."""
    client = client_for(people.alice)
    before = paid_total(people.alice)
    exported = b"".join(client.get(EXPORT, {"year": YEAR}).streaming_content)
    # Unchanged, every voucher is already recorded: all refused.
    response = post_file(client, exported)
    assert {code for _r, _c, code in problems(response)} == {"duplicate"}
    assert len(response.context["errors"]) == 4
    wb = load_workbook(io.BytesIO(exported))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[3]]
    voucher_col = header.index("凭证号") + 1
    for r in range(4, ws.max_row):  # the last row is 合计
        ws.cell(r, voucher_col).value = f"NEW-{ws.cell(r, voucher_col).value}"
    assert ws.cell(ws.max_row, 1).value == "合计"
    out = io.BytesIO()
    wb.save(out)
    response = post_file(client, out.getvalue())
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Disbursement.objects.filter(voucher_no__startswith="NEW-PZ-").count() == 4
    assert paid_total(people.alice) == 2 * before


# ---------------------------------------------------------------- bad rows


def _assert_rejected(client, content, expected, *, name="拨付.xlsx", year=YEAR):
    before = snapshot()
    response = post_file(client, content, name=name, year=year)
    assert response.status_code == 200
    assert snapshot() == before
    found = problems(response)
    html = response.content.decode()
    for row_no, column, code in expected:
        assert (row_no, column, code) in found, found
        if row_no is not None:
            assert f'data-row="{row_no}" data-column="{column}"' in html
    assert 'data-testid="import-form"' in html
    for error in response.context["errors"]:
        assert escape(error.message) in html
    return response


BAD_ROWS = {
    "unknown organization code": ([row("NOPE")], [(4, "组织代码", "unknown_org")]),
    "unknown policy code": ([row(policy="nope")], [(4, "经费标准代码", "unknown_policy")]),
    "no allocation for the year": (
        [row("A1", "community-operating")], [(4, "经费标准代码", "no_allocation")]
    ),
    "negative amount": ([row(amount=-5)], [(4, "金额", "amount")]),
    "zero amount": ([row(amount=0)], [(4, "金额", "amount")]),
    "three decimals": ([row(amount=1.005), row(amount="2.345", voucher="IMP-2")],
                       [(4, "金额", "amount"), (5, "金额", "amount")]),
    "non-numeric amount": ([row(amount="五万元")], [(4, "金额", "not_a_number")]),
    "amount too large": ([row(amount="1000000000000")], [(4, "金额", "too_large")]),
    "date in another year": (
        [row(paid_on=date(YEAR - 1, 12, 31)), row(paid_on="2027-01-01", voucher="IMP-2")],
        [(4, "拨付日期", "paid_on"), (5, "拨付日期", "paid_on")],
    ),
    "text that is not a date": (
        [row(paid_on="昨天"), row(paid_on="2026-02-30", voucher="IMP-2"),
         row(paid_on=45000, voucher="IMP-3")],
        [(4, "拨付日期", "not_a_date"), (5, "拨付日期", "not_a_date"), (6, "拨付日期", "not_a_date")],
    ),
    "duplicate voucher in the file": (
        [row(voucher="DUP"), row("A2", voucher="DUP")],
        [(4, "凭证号", "duplicate_in_file"), (5, "凭证号", "duplicate_in_file")],
    ),
    "empty voucher": ([row(voucher=None)], [(4, "凭证号", "required")]),
    "voucher too long": ([row(voucher="X" * 41)], [(4, "凭证号", "too_long")]),
    "missing required cells": (
        [row(org=None), row(policy=None, voucher="IMP-2"), row(paid_on=None, voucher="IMP-3"),
         row(amount=None, voucher="IMP-4")],
        [(4, "组织代码", "required"), (5, "经费标准代码", "required"), (6, "拨付日期", "required"),
         (7, "金额", "required")],
    ),
    "formula cell": (
        [row(amount="=1+2"), row(org='="A"&"1"', voucher="IMP-2")],
        [(4, "金额", "formula"), (5, "组织代码", "formula")],
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_rows_write_nothing(client_for, people, plan, case):
    rows, expected = BAD_ROWS[case]
    good = row("A2", voucher="GOOD-1")  # a good row is not written either
    _assert_rejected(client_for(people.alice), workbook_bytes([*rows, good]), expected)


def test_duplicate_voucher_names_both_rows(client_for, people, plan):
    response = _assert_rejected(
        client_for(people.alice), workbook_bytes([row(voucher="DUP"), row(), row(voucher="DUP")]),
        [(4, "凭证号", "duplicate_in_file"), (6, "凭证号", "duplicate_in_file")],
    )
    messages = [e.message for e in response.context["errors"]]
    assert all("4" in m and "6" in m for m in messages)


def test_voucher_already_recorded(client_for, people, paid):
    _assert_rejected(
        client_for(people.alice), workbook_bytes([row(voucher="PZ-A1-1"), row(voucher="IMP-2")]),
        [(4, "凭证号", "duplicate")],
    )


def test_org_of_another_town_reads_as_unknown(client_for, people, plan):
    """bob may not pay B1 (西湖乡): refused in the same words as a code that does not exist."""
    response = _assert_rejected(
        client_for(people.bob), workbook_bytes([row("B1", "community-operating"),
                                                row("NOPE", voucher="IMP-2")]),
        [(4, "组织代码", "unknown_org"), (5, "组织代码", "unknown_org")],
    )
    by_row = {e.row: e.message for e in response.context["errors"]}
    assert by_row[4].replace("B1", "?") == by_row[5].replace("NOPE", "?")
    assert len(response.context["errors"]) == 2  # nothing about B1's allocation


def test_every_problem_is_reported_at_once_in_column_order(client_for, people, plan):
    content = workbook_bytes([row("NOPE", "nope", "昨天", "x", None)])
    response = _assert_rejected(client_for(people.alice), content, [])
    assert [e.column for e in response.context["errors"]] == ["组织代码", "经费标准代码", "拨付日期",
                                                              "金额", "凭证号"]


def test_rows_for_another_year_are_refused(client_for, people, plan):
    """The form's year decides: 2026 rows imported as 2025 have neither allocation nor date."""
    _assert_rejected(
        client_for(people.alice), workbook_bytes([row()]),
        [(4, "经费标准代码", "no_allocation"), (4, "拨付日期", "paid_on")], year=YEAR - 1,
    )


# ---------------------------------------------------------------- bad files


def file_level_cases():
    return {
        "a .txt named .xlsx": ("组织代码,金额\nA1,5\n".encode("gbk"), "拨付.xlsx"),
        "wrong extension": (workbook_bytes([row()]), "拨付.txt"),
        "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "拨付.xls"),
        "zip without a workbook": (zip_bytes({"word/document.xml": "<w/>"}), "拨付.xlsx"),
        "empty sheet": (workbook_bytes([], header=None, title_rows=False), "拨付.xlsx"),
        "header only": (workbook_bytes([]), "拨付.xlsx"),
        "missing required column": (
            workbook_bytes([["A1", "village-operating", "2026-01-01", "IMP-1"]],
                           header=["组织代码", "经费标准代码", "拨付日期", "凭证号"]),
            "拨付.xlsx",
        ),
        "only a totals row": (workbook_bytes([["合计", None, None, 5, None, None]],
                                             header=["拨付日期", "组织代码", "经费标准代码", "金额",
                                                     "凭证号", "备注"]), "拨付.xlsx"),
    }


@pytest.mark.parametrize("case", list(file_level_cases()))
def test_bad_files_write_nothing(client_for, people, plan, case):
    content, name = file_level_cases()[case]
    response = _assert_rejected(client_for(people.alice), content, [], name=name)
    errors = response.context["errors"]
    assert len(errors) == 1 and errors[0].row is None
    if case == "missing required column":
        assert "金额" in errors[0].message


def test_oversize_upload_is_refused(client_for, people, plan, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 20_000
    content = workbook_bytes([row(voucher=f"V{i}", note="备注" * 40) for i in range(600)])
    assert len(content) > 20_000
    response = _assert_rejected(client_for(people.alice), content, [])
    assert "MB" in response.context["errors"][0].message


def test_too_many_rows(client_for, people, plan, monkeypatch):
    monkeypatch.setattr("funding.importing.MAX_ROWS", 3)
    content = workbook_bytes([row(voucher=f"V{i}") for i in range(4)])
    response = _assert_rejected(client_for(people.alice), content, [])
    assert "3" in response.context["errors"][0].message


def test_missing_file(client_for, people, plan):
    before = snapshot()
    response = client_for(people.alice).post(IMPORT, {"year": str(YEAR)})
    assert response.status_code == 200 and len(response.context["errors"]) == 1
    assert snapshot() == before


def test_garbage_request_body(client_for, people, plan):
    before = snapshot()
    response = client_for(people.alice).generic(
        "POST", IMPORT, b"\xff\xfe garbage \x00", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 200 and len(response.context["errors"]) == 1
    assert snapshot() == before


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("n", [10, 300])
def test_import_in_a_fixed_number_of_queries(
    client_for, people, county, plan, django_assert_max_num_queries, n
):
    grow(county, people, n)
    codes = sorted(
        Allocation.objects.filter(year=YEAR, policy__code="village-operating",
                                  organization__code__startswith=f"G{n}-")
        .values_list("organization__code", flat=True)
    )
    assert len(codes) == n
    content = workbook_bytes([row(code, amount="100.10", voucher=f"Q-{code}") for code in codes])
    client = client_for(people.alice)
    before = paid_total(people.alice)
    # session, user, grants; organizations, policies, allocations, vouchers already
    # recorded (one each); savepoint; the payments and their history in batches of 1,000
    # (PostgreSQL: one insert each; SQLite takes at most 999 parameters a statement, so 3
    # and 4 inserts at 300 rows); release. The success message goes in the session
    # cookie. 11 queries on PostgreSQL, 16 on SQLite; per-row queries would be over 300.
    with django_assert_max_num_queries(20):
        response = post_file(client, content)
    assert response.status_code == 302
    assert paid_total(people.alice) - before == Decimal("100.10") * n

"""The payment list and its export (views/disbursements.py): scoped, filtered like the
other funding pages plus a voucher search, totals of every filtered row, and a fixed
number of queries at any size."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funding import services
from funding.importing import HEADERS
from funding.models import Allocation, Disbursement

from .conftest import YEAR, grow, pay

pytestmark = pytest.mark.django_db

LIST = reverse("funding:disbursement_list")
EXPORT = reverse("funding:disbursement_export")
EXPORT_HEADER = ["拨付日期", "组织代码", "组织名称", "经费标准代码", "经费标准", "金额", "凭证号", "备注",
                 "录入人"]
ALL_VOUCHERS = {"PZ-A1-1", "PZ-A2-1", "PZ-A2-2", "PZ-B1-1"}


def vouchers(response):
    assert response.status_code == 200
    return {p.voucher_no for p in response.context["payments"]}


def read(response):
    """(title, scope line, header, data rows, totals row, the sheet) of the export."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A4"
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:-1], rows[-1], ws


def pay_many(county, n):
    """One payment on each grown branch's 运转经费 (bulk, as the importer writes)."""
    allocations = Allocation.objects.filter(
        year=YEAR, policy__code="village-operating", organization__code__startswith=f"G{n}-"
    )
    rows = [
        Disbursement(allocation=a, paid_on=date(YEAR, 5, 1), amount=Decimal("1000.01"),
                     voucher_no=f"M-{a.pk}", note="批量")
        for a in allocations
    ]
    services.disbursements_bulk_record(rows=rows, by=None)
    return len(rows)


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_nobody_gets_403(client_for, people, url):
    assert client_for(people.nobody).get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_get_only(client_for, people, url):
    client = client_for(people.alice)
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


@pytest.mark.parametrize("persona, expected", [
    ("alice", ALL_VOUCHERS),
    ("root", ALL_VOUCHERS),
    ("bob", {"PZ-A1-1", "PZ-A2-1", "PZ-A2-2"}),
    ("victor", {"PZ-A1-1", "PZ-A2-1", "PZ-A2-2"}),
    ("charlie", {"PZ-B1-1"}),
    ("dave", {"PZ-A1-1"}),
    ("erin", {"PZ-A2-1", "PZ-A2-2"}),
    ("harry", {"PZ-A2-1", "PZ-A2-2"}),
])
def test_list_and_export_are_scoped(client_for, people, paid, persona, expected):
    client = client_for(getattr(people, persona))
    assert vouchers(client.get(LIST)) == expected
    _t, _s, _h, rows, _total, _ws = read(client.get(EXPORT))
    assert {r[6] for r in rows} == expected


def test_import_button_for_staff_only(client_for, people, paid):
    for persona, shown in [("alice", True), ("bob", True), ("charlie", True), ("dave", False),
                           ("victor", False)]:
        html = client_for(getattr(people, persona)).get(LIST).content.decode()
        assert ('data-testid="import"' in html) is shown, persona


# ---------------------------------------------------------------- the list


def test_list_rows_links_and_totals(client_for, people, paid):
    response = client_for(people.alice).get(LIST)
    assert response.context["totals"] == {"n": 4, "amount": Decimal("620000.00")}
    assert response.context["year"] == YEAR
    html = response.content.decode()
    a1 = paid["A1", "village-operating"]
    assert reverse("funding:org_funding", args=[a1.organization_id]) in html
    assert reverse("funding:allocation_detail", args=[a1.pk]) in html
    assert 'data-value="620000.00"' in html
    assert people.bob.full_name in html  # recorded by
    # Newest first.
    assert [p.voucher_no for p in response.context["payments"]][0] == "PZ-B1-1"
    # The export button carries the filters.
    assert f'href="{EXPORT}?year={YEAR}"' in html


def test_totals_count_every_filtered_row_not_only_the_page(client_for, people, paid):
    allocation = paid["A1", "village-secretary-pay"]
    for i in range(55):
        pay(allocation, "10.05", f"S-{i:03d}", people.bob)
    response = client_for(people.bob).get(LIST)
    assert len(response.context["payments"]) == 50
    assert response.context["totals"] == {
        "n": 58, "amount": Decimal("350000.00") + Decimal("10.05") * 55
    }
    page2 = client_for(people.bob).get(LIST, {"page": 2})
    assert len(page2.context["payments"]) == 8
    assert page2.context["totals"]["n"] == 58
    assert "page=2" in response.content.decode()


@pytest.mark.parametrize("params, expected", [
    ({"committee": "town_b"}, {"PZ-B1-1"}),
    ({"q": "柳树"}, {"PZ-A2-1", "PZ-A2-2"}),
    ({"q": "B1"}, {"PZ-B1-1"}),
    ({"voucher": "a2-"}, {"PZ-A2-1", "PZ-A2-2"}),
    ({"voucher": " PZ-A1-1 "}, {"PZ-A1-1"}),
    ({"voucher": "NOPE"}, set()),
    ({"q": "东坝", "voucher": "PZ"}, {"PZ-A1-1"}),
    ({"kind": "operating"}, ALL_VOUCHERS),
    ({"kind": "secretary_pay"}, set()),
    ({"policy": "community-operating"}, {"PZ-B1-1"}),
    ({"category": "community"}, {"PZ-B1-1"}),
    ({"year": str(YEAR - 1)}, set()),
])
def test_filters(client_for, people, county, paid, params, expected):
    if params.get("committee") == "town_b":
        params = {**params, "committee": county.town_b.pk}
    if "policy" in params:
        params = {**params, "policy": paid["B1", params["policy"]].policy_id}
    if "category" in params:
        params = {**params, "category": county.branch_b1.category_id}
    client = client_for(people.alice)
    assert vouchers(client.get(LIST, params)) == expected
    _t, scope, _h, rows, total, _ws = read(client.get(EXPORT, params))
    assert {r[6] for r in rows} == expected
    assert total[5] == sum((Decimal(str(r[5])) for r in rows), Decimal(0))
    if "voucher" in params:
        assert f"凭证号 “{params['voucher'].strip()}”" in scope


@pytest.mark.parametrize("params", [
    {"year": "abc"}, {"year": "1900"}, {"committee": "999999"}, {"committee": "x"},
    {"page": "abc"}, {"page": "-1"}, {"page": "99999"}, {"policy": "x"}, {"kind": "nope"},
    {"voucher": "X" * 500}, {"category": "'; drop table"}, {"short": "bogus"},
])
def test_garbage_params_never_500(client_for, people, paid, params):
    client = client_for(people.alice)
    assert client.get(LIST, params).status_code == 200
    read(client.get(EXPORT, params))


def test_committee_outside_scope_does_not_widen(client_for, people, county, paid):
    """charlie asking for town A's committee: not a choice, so dropped: his own rows."""
    client = client_for(people.charlie)
    assert vouchers(client.get(LIST, {"committee": county.town_a.pk})) == {"PZ-B1-1"}
    _t, _s, _h, rows, _total, _ws = read(client.get(EXPORT, {"committee": county.town_a.pk}))
    assert {r[6] for r in rows} == {"PZ-B1-1"}


def test_shortfall_filter_is_not_offered(client_for, people, paid):
    response = client_for(people.alice).get(LIST)
    names = [f.name for f in response.context["filter_fields"]]
    assert "short" not in names and names[-1] == "voucher"


# ---------------------------------------------------------------- the export


def test_export_layout_and_totals(client_for, people, paid):
    title, scope, header, rows, total, ws = read(client_for(people.alice).get(EXPORT))
    assert title == "经费拨付明细"
    assert scope.startswith("范围：青禾县委") and f"年度 {YEAR}年" in scope and "导出时间" in scope
    assert header == EXPORT_HEADER
    b1 = rows[0]
    assert b1[0].date() == date(YEAR, 3, 15)
    assert b1[1:5] == ["B1", "西湖社区党支部", "community-operating", "社区运转经费"]
    assert Decimal(str(b1[5])) == Decimal("270000.00")
    assert b1[6:] == ["PZ-B1-1", None, people.charlie.full_name]
    assert total[0] == "合计" and total[2] == "共 4 笔"
    assert Decimal(str(total[5])) == Decimal("620000.00")
    assert total[5] == sum(r[5] for r in rows)
    # Money in yuan with separators, two places: every amount cell and the total.
    amounts = [ws.cell(r, 6) for r in range(4, ws.max_row + 1)]
    assert {c.number_format for c in amounts} == {"#,##0.00"}


def test_export_headers_are_the_importers(client_for, people, paid):
    """An export can be edited and imported back: the columns the importer reads carry
    its very headers."""
    _t, _s, header, *_ = read(client_for(people.alice).get(EXPORT))
    assert set(HEADERS.values()) <= set(header)


def test_export_empty_has_a_zero_total(client_for, people, plan):
    _t, _s, _h, rows, total, _ws = read(client_for(people.alice).get(EXPORT))
    assert rows == [] and total[0] == "合计" and total[5] == 0


def test_export_totals_match_the_rows_to_the_fen(client_for, people, paid):
    allocation = paid["A2", "village-secretary-pay"]
    for i, amount in enumerate(["0.01", "0.10", "1234.56", "99999.99", "0.33", "0.33", "0.34"]):
        pay(allocation, amount, f"F-{i}", people.bob)
    _t, _s, _h, rows, total, _ws = read(client_for(people.bob).get(EXPORT))
    cents = sum(round(Decimal(str(r[5])) * 100) for r in rows)
    assert round(Decimal(str(total[5])) * 100) == cents == 45_123_566


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("n", [10, 200])
def test_list_in_a_fixed_number_of_queries(
    client_for, people, county, paid, django_assert_max_num_queries, n
):
    grow(county, people, n)
    assert pay_many(county, n) == n
    client = client_for(people.alice)
    # session, user, grants; the filter form's committees, categories and policies; the
    # page's count and rows (organizations, policies and recorders joined); the totals;
    # base.html's unread notifications badge.
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.context["totals"]["n"] == n + 4
    assert len(response.context["payments"]) == min(n + 4, 50)


@pytest.mark.parametrize("n", [10, 200])
def test_export_in_a_fixed_number_of_queries(
    client_for, people, county, paid, django_assert_max_num_queries, n
):
    grow(county, people, n)
    pay_many(county, n)
    client = client_for(people.alice)
    # session, user, grants; the filter form's committees, categories and policies; the
    # scope's names; the count (download now or in the background: the exports app);
    # the rows (one, iterated).
    with django_assert_max_num_queries(9):
        response = client.get(EXPORT)
    _t, _s, _h, rows, total, _ws = read(response)
    assert len(rows) == n + 4
    assert Decimal(str(total[5])) == Decimal("620000.00") + Decimal("1000.01") * n

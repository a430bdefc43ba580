"""One organization's money (funding/views/allocations.py) and its panel on the
organization page: scope (404), read-only (403), forms that refuse bad money with
nothing saved, the export's 合计 row, and fixed query counts as the money grows."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from funding import services
from funding.models import Allocation, Disbursement
from tests.funding.conftest import YEAR

pytestmark = pytest.mark.django_db

READERS = ["alice", "bob", "dave", "victor", "root"]
MANAGERS = ["alice", "bob", "root"]
READ_ONLY = ["dave", "victor"]
OUTSIDERS = ["charlie", "erin", "harry", "nobody"]


def url(name, *args):
    return reverse(f"funding:{name}", args=args)


@pytest.fixture
def a1_operating(paid):
    return paid["A1", "village-operating"]


@pytest.fixture
def a1_payment(a1_operating):
    return Disbursement.objects.get(voucher_no="PZ-A1-1")


@pytest.fixture
def venue(policies):
    return policies["village-venue"]


def read_urls(county, allocation):
    return [
        url("org_funding", county.branch_a1.pk),
        url("org_funding_export", county.branch_a1.pk),
        url("allocation_detail", allocation.pk),
    ]


def write_urls(county, allocation):
    return [
        url("allocation_create", county.branch_a1.pk),
        url("allocation_edit", allocation.pk),
        url("disbursement_create", allocation.pk),
    ]


# ---------------------------------------------------------------- who gets in


@pytest.mark.parametrize("who", READERS)
def test_readers_read(client_for, people, county, a1_operating, who):
    client = client_for(getattr(people, who))
    for address in read_urls(county, a1_operating):
        assert client.get(address).status_code == 200, address


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_everywhere(client_for, people, county, a1_operating, a1_payment, who):
    client = client_for(getattr(people, who))
    for address in read_urls(county, a1_operating) + write_urls(county, a1_operating):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {}).status_code in (404, 405), address
    response = client.post(url("disbursement_delete", a1_payment.pk), {"reason": "x"})
    assert response.status_code == 404
    assert Disbursement.objects.filter(pk=a1_payment.pk).exists()


@pytest.mark.parametrize("who", MANAGERS)
def test_managers_open_the_forms(client_for, people, county, a1_operating, who):
    client = client_for(getattr(people, who))
    for address in write_urls(county, a1_operating):
        assert client.get(address).status_code == 200, address


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_gets_403_on_changes(client_for, people, county, a1_operating, a1_payment,
                                       venue, who):
    client = client_for(getattr(people, who))
    for address in write_urls(county, a1_operating):
        assert client.get(address).status_code == 403, address
    before = (Allocation.objects.count(), Disbursement.objects.count())
    assert client.post(url("allocation_create", county.branch_a1.pk) + f"?year={YEAR}", {
        "year": YEAR, "policy": venue.pk, "planned": "600000"}).status_code == 403
    assert client.post(url("allocation_edit", a1_operating.pk), {
        "planned": "1", "reason": "x"}).status_code == 403
    assert client.post(url("disbursement_create", a1_operating.pk), {
        "paid_on": f"{YEAR}-05-01", "amount": "10", "voucher_no": "RO-1"}).status_code == 403
    assert client.post(url("disbursement_delete", a1_payment.pk),
                       {"reason": "x"}).status_code == 403
    assert (Allocation.objects.count(), Disbursement.objects.count()) == before
    a1_operating.refresh_from_db()
    assert a1_operating.planned == Decimal("200000.00")


def test_read_only_page_has_no_buttons(client_for, people, county, a1_operating):
    body = client_for(people.dave).get(url("org_funding", county.branch_a1.pk)).content.decode()
    assert 'data-testid="read-only"' in body
    assert 'data-testid="pay"' not in body and 'data-testid="allocation-create"' not in body
    detail = client_for(people.dave).get(url("allocation_detail", a1_operating.pk))
    assert detail.context["pay_form"] is None and detail.context["edit_form"] is None
    assert 'data-testid="delete-form"' not in detail.content.decode()


def test_managers_see_buttons(client_for, people, county, a1_operating):
    body = client_for(people.bob).get(url("org_funding", county.branch_a1.pk)).content.decode()
    assert 'data-testid="allocation-create"' in body and 'data-testid="pay"' in body
    body = client_for(people.bob).get(url("allocation_detail", a1_operating.pk)).content.decode()
    assert 'data-testid="pay-form"' in body and 'data-testid="delete-form"' in body


def test_anonymous_goes_to_login(client, county, a1_operating, a1_payment):
    addresses = read_urls(county, a1_operating) + write_urls(county, a1_operating)
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(url("disbursement_delete", a1_payment.pk), {"reason": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Disbursement.objects.filter(pk=a1_payment.pk).exists()


def test_wrong_methods_get_405(client_for, people, county, a1_operating, a1_payment):
    client = client_for(people.bob)
    for address in read_urls(county, a1_operating):
        assert client.post(address, {}).status_code == 405, address
    for address in write_urls(county, a1_operating):
        assert client.delete(address).status_code == 405, address
    assert client.get(url("disbursement_delete", a1_payment.pk)).status_code == 405
    assert Disbursement.objects.filter(pk=a1_payment.pk).exists()


@pytest.mark.parametrize("address", [
    "/funding/orgs/abc/", "/funding/orgs/999999/", "/funding/orgs/99999999999999999999999/",
    "/funding/orgs/999999/export.xlsx", "/funding/orgs/x/allocations/new/",
    "/funding/orgs/999999/allocations/new/", "/funding/allocations/999999/",
    "/funding/allocations/-1/", "/funding/allocations/99999999999999999999/edit/",
    "/funding/allocations/999999/pay/",
])
def test_garbage_addresses_are_404(client_for, people, paid, address):
    assert client_for(people.alice).get(address).status_code == 404


def test_deleting_an_unknown_payment_is_404(client_for, people, paid):
    client = client_for(people.alice)
    assert client.post("/funding/disbursements/999999/delete/", {"reason": "x"}).status_code == 404
    assert client.post("/funding/disbursements/abc/delete/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("year", ["abc", "1899", "99999999999999999999", "2026.5", "-1"])
def test_a_bad_year_falls_back_with_a_message_and_the_export_refuses(
        client_for, people, county, paid, year):
    client = client_for(people.bob)
    response = client.get(url("org_funding", county.branch_a1.pk), {"year": year})
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    export = client.get(url("org_funding_export", county.branch_a1.pk), {"year": year})
    assert export.status_code == 404
    form = client.get(url("allocation_create", county.branch_a1.pk), {"year": year})
    assert form.status_code == 200


# ---------------------------------------------------------------- the organization's page


def test_org_funding_lists_the_year_with_payments_and_totals(client_for, people, county, paid):
    response = client_for(people.bob).get(url("org_funding", county.branch_a1.pk),
                                          {"year": YEAR})
    rows = response.context["allocations"]
    expected = {code for org, code in paid if org == "A1"}
    assert {a.policy.code for a in rows} == expected
    operating = next(a for a in rows if a.policy.code == "village-operating")
    assert (operating.paid, operating.pay_gap) == (Decimal("150000.00"), Decimal("50000.00"))
    assert [p.voucher_no for p in operating.payments] == ["PZ-A1-1"]
    totals = response.context["totals"]
    assert totals["paid"] == sum(a.paid for a in rows) == Decimal("150000.00")
    assert totals["planned"] == sum(a.planned for a in rows)
    assert totals["promised_min"] == sum(a.promised_min or 0 for a in rows)
    assert totals["pay_gap"] == sum(a.pay_gap for a in rows)
    body = response.content.decode()
    assert f'data-paid="{totals["paid"]}"' in body
    assert 'data-voucher="PZ-A1-1"' in body
    # A2's payments are not A1's.
    assert "PZ-A2-1" not in body


def test_year_picker_lists_years_with_allocations_and_this_year(client_for, people, county,
                                                                 paid):
    services.generate_allocations(root=county.county, year=2020, by=people.alice)
    response = client_for(people.bob).get(url("org_funding", county.branch_a1.pk),
                                          {"year": 2020})
    years = response.context["years"]
    assert 2020 in years and YEAR in years and years == sorted(years, reverse=True)
    assert all(a.year == 2020 for a in response.context["allocations"])
    assert response.context["totals"]["paid"] == 0


def test_an_empty_year_shows_an_empty_table(client_for, people, county, paid):
    response = client_for(people.bob).get(url("org_funding", county.branch_a1.pk),
                                          {"year": 2019})
    assert response.status_code == 200 and response.context["allocations"] == []
    assert 'data-testid="no-allocations"' in response.content.decode()


# ---------------------------------------------------------------- the export


def read_export(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    return rows[2], rows[3:-1], rows[-1]


def test_export_rows_and_totals(client_for, people, county, paid):
    services.allocation_update(allocation=paid["A1", "village-secretary-pay"], by=people.bob,
                               quantity=Decimal(12), planned=Decimal("21600.55"), note="含补发",
                               reason="补发")
    response = client_for(people.bob).get(url("org_funding_export", county.branch_a1.pk),
                                          {"year": YEAR})
    header, rows, total = read_export(response)
    assert header == ["年度", "经费标准", "经费类型", "计算基数", "标准下限", "标准上限", "计划金额",
                      "已拨付", "缺口", "备注"]
    assert len(rows) == len([k for k in paid if k[0] == "A1"])
    operating = next(r for r in rows if r[1] == "村级运转经费")
    assert operating[0] == YEAR and operating[2] == "运转经费" and operating[3] == "1 年"
    assert [Decimal(str(v)) for v in operating[4:9]] == [
        Decimal("200000"), Decimal("300000"), Decimal("200000"), Decimal("150000"),
        Decimal("50000")]
    pay_row = next(r for r in rows if r[1] == "村党组织书记基本报酬")
    assert pay_row[3] == "12 个月" and pay_row[9] == "含补发"
    assert total[0] == "合计"
    for col in (4, 6, 7, 8):
        assert Decimal(str(total[col])) == sum(Decimal(str(r[col] or 0)) for r in rows), col
    assert Decimal(str(total[6])) == Decimal("221600.55")


def test_export_of_an_empty_year_has_a_zero_total(client_for, people, county, paid):
    _header, rows, total = read_export(
        client_for(people.dave).get(url("org_funding_export", county.branch_a1.pk),
                                    {"year": 2019}))
    assert rows == [] and total[0] == "合计" and total[7] == 0


# ---------------------------------------------------------------- adding by hand


def test_add_a_venue_subsidy_by_hand(client_for, people, county, paid, venue):
    client = client_for(people.bob)
    address = url("allocation_create", county.branch_a1.pk) + f"?year={YEAR}"
    form = client.get(address).context["form"]
    offered = set(form.fields["policy"].queryset.values_list("code", flat=True))
    assert "village-venue" in offered
    assert "village-operating" not in offered  # already allocated
    assert "community-operating" not in offered  # does not cover a village
    response = client.post(address, {"year": YEAR, "policy": venue.pk, "planned": "600000",
                                     "note": "新建活动场所"})
    allocation = Allocation.objects.get(organization=county.branch_a1, policy=venue, year=YEAR)
    assert response.status_code == 302
    assert response["Location"] == url("allocation_detail", allocation.pk)
    assert allocation.planned == Decimal("600000.00") and allocation.created_by == people.bob
    assert allocation.promised_min == Decimal("600000.00")


@pytest.mark.parametrize("data", [
    {"policy": "village-operating"},  # already allocated: not a choice
    {"policy": "community-operating"},  # not for a village
    {"policy": "village-venue", "year": YEAR - 1},  # the year was tampered with
    {"policy": "village-venue", "planned": "-5"},
    {"policy": "village-venue", "planned": "abc"},
    {"policy": "village-venue", "planned": "1.234"},
    {"policy": "village-venue", "quantity": "-1"},
    {"policy": ""},
])
def test_add_by_hand_refuses_bad_input(client_for, people, county, paid, policies, data):
    before = Allocation.objects.count()
    post = {"year": YEAR, "note": "", **data}
    post["policy"] = policies[data["policy"]].pk if data["policy"] else ""
    response = client_for(people.bob).post(
        url("allocation_create", county.branch_a1.pk) + f"?year={YEAR}", post)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Allocation.objects.count() == before


def test_add_by_hand_shows_the_service_refusal(client_for, people, county, paid, venue,
                                               monkeypatch):
    """Say another user added it between the form and the save: the service's words show."""
    def refuse(**kwargs):
        raise ValidationError("已有同一经费标准的安排。", code="duplicate")

    monkeypatch.setattr(services, "allocation_create", refuse)
    response = client_for(people.bob).post(
        url("allocation_create", county.branch_a1.pk) + f"?year={YEAR}",
        {"year": YEAR, "policy": venue.pk})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["已有同一经费标准的安排。"]
    assert not Allocation.objects.filter(policy=venue).exists()


def test_no_policy_left_shows_a_message(client_for, people, county, paid, venue):
    client = client_for(people.bob)
    Allocation.objects.create(organization=county.branch_a1, policy=venue, year=YEAR)
    response = client.get(url("allocation_create", county.branch_a1.pk), {"year": YEAR})
    assert 'data-testid="no-policies"' in response.content.decode()


def test_charlie_cannot_add_to_a1(client_for, people, county, paid, venue):
    response = client_for(people.charlie).post(
        url("allocation_create", county.branch_a1.pk) + f"?year={YEAR}",
        {"year": YEAR, "policy": venue.pk})
    assert response.status_code == 404
    assert not Allocation.objects.filter(policy=venue).exists()


# ---------------------------------------------------------------- one allocation


def test_detail_shows_promise_payments_and_history(client_for, people, a1_operating):
    services.allocation_update(allocation=a1_operating, by=people.bob, quantity=Decimal(1),
                               planned=Decimal("250000"), note="追加", reason="镇里追加")
    response = client_for(people.dave).get(url("allocation_detail", a1_operating.pk))
    ctx = response.context
    assert (ctx["paid"], ctx["shortfall"]) == (Decimal("150000.00"), Decimal("50000.00"))
    assert [p.voucher_no for p in ctx["payments"]] == ["PZ-A1-1"]
    history = ctx["history"]
    assert [h.history_type for h in history] == ["~", "+"]
    assert history[0].history_user == people.bob
    assert history[0].history_change_reason == "镇里追加"
    changed = dict((str(label), value) for label, value in history[0].changed)
    assert set(changed.values()) == {"250,000.00", "追加"}
    body = response.content.decode()
    assert url("policy_detail", a1_operating.policy_id) in body


def test_edit_changes_the_plan_with_a_reason(client_for, people, a1_operating):
    response = client_for(people.bob).post(url("allocation_edit", a1_operating.pk), {
        "quantity": "1", "planned": "260000.50", "note": "追加", "reason": "镇里追加"})
    assert response.status_code == 302
    assert response["Location"] == url("allocation_detail", a1_operating.pk)
    a1_operating.refresh_from_db()
    assert a1_operating.planned == Decimal("260000.50") and a1_operating.note == "追加"
    latest = a1_operating.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (people.bob, "镇里追加")


def test_edit_of_the_basis_moves_the_promise(client_for, people, paid):
    heads = paid["A1", "village-sub-branch-members"]
    response = client_for(people.bob).post(url("allocation_edit", heads.pk), {
        "quantity": "5", "planned": "0", "note": ""})
    assert response.status_code == 302
    heads.refresh_from_db()
    assert heads.quantity == 5 and heads.promised_min == 5 * heads.policy.rate_min


def test_edit_form_explains_the_quantity(client_for, people, paid):
    form = client_for(people.bob).get(
        url("allocation_edit", paid["A1", "village-sub-branch-members"].pk)).context["form"]
    assert str(form.fields["quantity"].help_text)
    assert "（人）" in str(form.fields["quantity"].label)  # zh_Hans: persons


def test_edit_without_a_change_saves_nothing(client_for, people, a1_operating):
    count = a1_operating.history.count()
    response = client_for(people.bob).post(url("allocation_edit", a1_operating.pk), {
        "quantity": "1", "planned": "200000.00", "note": ""})
    assert response.status_code == 302
    assert a1_operating.history.count() == count


@pytest.mark.parametrize("data", [
    {"quantity": "1", "planned": "250000", "note": ""},  # planned changes, no reason
    {"quantity": "1", "planned": "-1", "note": "", "reason": "x"},
    {"quantity": "1", "planned": "1.234", "note": "", "reason": "x"},
    {"quantity": "1", "planned": "abc", "note": "", "reason": "x"},
    {"quantity": "abc", "planned": "200000", "note": ""},
    {"quantity": "-3", "planned": "200000", "note": ""},
    {"quantity": "1", "planned": "1e30", "note": "", "reason": "x"},
    {"quantity": "1", "planned": "", "note": ""},
])
def test_edit_refuses_bad_input(client_for, people, a1_operating, data):
    count = a1_operating.history.count()
    response = client_for(people.bob).post(url("allocation_edit", a1_operating.pk), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    a1_operating.refresh_from_db()
    assert a1_operating.planned == Decimal("200000.00") and a1_operating.quantity == 1
    assert a1_operating.history.count() == count


# ---------------------------------------------------------------- payments


def test_record_a_payment(client_for, people, a1_operating):
    response = client_for(people.bob).post(url("disbursement_create", a1_operating.pk), {
        "paid_on": f"{YEAR}-06-30", "amount": "50000.00", "voucher_no": " PZ-A1-2 ",
        "note": "二季度"})
    assert response.status_code == 302
    assert response["Location"] == url("allocation_detail", a1_operating.pk)
    payment = Disbursement.objects.get(voucher_no="PZ-A1-2")
    assert (payment.amount, payment.paid_on, payment.recorded_by) == (
        Decimal("50000.00"), date(YEAR, 6, 30), people.bob)
    detail = client_for(people.bob).get(url("allocation_detail", a1_operating.pk))
    assert detail.context["shortfall"] == 0


@pytest.mark.parametrize("data, field", [
    ({"amount": "-5"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "1.234"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": "1e20"}, "amount"),
    ({"paid_on": f"{YEAR - 1}-12-31"}, "paid_on"),
    ({"paid_on": "not a date"}, "paid_on"),
    ({"voucher_no": "PZ-A1-1"}, "voucher_no"),  # already recorded
    ({"voucher_no": "PZ-A2-1"}, "voucher_no"),  # recorded on another organization
    ({"voucher_no": ""}, "voucher_no"),
    ({"voucher_no": "   "}, "voucher_no"),
])
def test_bad_payments_are_refused_on_the_form(client_for, people, a1_operating, data, field):
    before = Disbursement.objects.count()
    post = {"paid_on": f"{YEAR}-07-01", "amount": "100", "voucher_no": "PZ-NEW", "note": "",
            **data}
    response = client_for(people.bob).post(url("disbursement_create", a1_operating.pk), post)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Disbursement.objects.count() == before


def test_delete_a_payment_with_a_reason(client_for, people, a1_operating, a1_payment):
    response = client_for(people.bob).post(url("disbursement_delete", a1_payment.pk),
                                           {"reason": "重复录入"})
    assert response.status_code == 302
    assert response["Location"] == url("allocation_detail", a1_operating.pk)
    assert not Disbursement.objects.filter(pk=a1_payment.pk).exists()
    gone = Disbursement.history.get(id=a1_payment.pk, history_type="-")
    assert (gone.history_user, gone.history_change_reason) == (people.bob, "重复录入")
    detail = client_for(people.dave).get(url("allocation_detail", a1_operating.pk))
    assert [h.voucher_no for h in detail.context["deleted"]] == ["PZ-A1-1"]
    assert detail.context["paid"] == 0


def test_delete_without_a_reason_deletes_nothing(client_for, people, a1_operating, a1_payment):
    response = client_for(people.bob).post(url("disbursement_delete", a1_payment.pk),
                                           {"reason": "  "})
    assert response.status_code == 302
    assert Disbursement.objects.filter(pk=a1_payment.pk).exists()


def test_charlie_cannot_pay_a1(client_for, people, a1_operating):
    response = client_for(people.charlie).post(url("disbursement_create", a1_operating.pk), {
        "paid_on": f"{YEAR}-06-30", "amount": "10", "voucher_no": "X-1"})
    assert response.status_code == 404
    assert not Disbursement.objects.filter(voucher_no="X-1").exists()


# ---------------------------------------------------------------- the organization page's panel


def panel_of(client, org):
    response = client.get(reverse("orgs:detail", args=[org.pk]))
    assert response.status_code == 200
    for template, panel in response.context["panels"]:
        if template == "funding/_org_panel.html":
            return panel, response.content.decode()
    return None, response.content.decode()


def test_panel_shows_the_year_figures(client_for, people, county, paid):
    panel, body = panel_of(client_for(people.dave), county.branch_a1)
    rows = [a for (org, _code), a in paid.items() if org == "A1"]
    totals = panel["totals"]
    assert panel["year"] == YEAR
    assert totals["promised_min"] == sum(a.promised_min or 0 for a in rows)
    assert totals["planned"] == sum(a.planned for a in rows)
    assert totals["paid"] == Decimal("150000.00")
    assert totals["pay_gap"] == Decimal("50000.00") + Decimal("21600.00")
    assert 'data-testid="funding-panel"' in body
    assert re.search(r'data-testid="panel-paid" data-value="150000(\.00)?"', body), body[body.find("funding-panel"):][:1500]
    assert url("org_funding", county.branch_a1.pk) in body


def test_panel_falls_back_to_the_latest_year(client_for, people, county, policies):
    services.generate_allocations(root=county.county, year=2021, by=people.alice)
    services.generate_allocations(root=county.county, year=2023, by=people.alice)
    panel, _body = panel_of(client_for(people.bob), county.branch_a1)
    assert panel["year"] == 2023


def test_panel_without_allocations(client_for, people, county, paid):
    # Town A's committee has no money of its own: staff get the link, a viewer nothing.
    panel, body = panel_of(client_for(people.bob), county.town_a)
    assert panel["totals"] is None and 'data-testid="panel-empty"' in body
    panel, body = panel_of(client_for(people.victor), county.town_a)
    assert panel is None and 'data-testid="funding-panel"' not in body


# ---------------------------------------------------------------- queries at two sizes


@pytest.fixture(params=[1, 40], ids=lambda n: f"size{n}")
def thick(request, paid, county, people):
    """More of A1's money: `n` earlier years planned and `n` more payments this year."""
    n = request.param
    for year in range(YEAR - min(n, 6), YEAR):
        services.generate_allocations(root=county.county, year=year, by=people.alice)
    operating = paid["A1", "village-operating"]
    services.disbursements_bulk_record(rows=[
        Disbursement(allocation=operating, paid_on=date(YEAR, 4, 1), amount=Decimal("10.01"),
                     voucher_no=f"BULK-{i}") for i in range(n)
    ], by=people.bob)
    return n


def test_org_funding_queries(client_for, people, county, thick, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the organization with its category (scope check);
    # 5 its years; 6 the year's allocations with paid and gaps; 7 their payments;
    # 8 the navigation's unread notifications (supervision).
    with django_assert_max_num_queries(8):
        response = client.get(url("org_funding", county.branch_a1.pk), {"year": YEAR})
    assert response.status_code == 200
    operating = next(a for a in response.context["allocations"]
                     if a.policy.code == "village-operating")
    assert len(operating.payments) == thick + 1


def test_allocation_detail_queries(client_for, people, paid, thick,
                                   django_assert_max_num_queries):
    allocation = paid["A1", "village-operating"]
    for i in range(thick):
        services.allocation_update(allocation=allocation, by=people.bob, quantity=Decimal(1),
                                   planned=Decimal(200000 + i), reason=f"第{i}次")
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the allocation with organization, category and policy
    # (scope check); 5 its payments with who recorded them; 6 its history with users;
    # 7 its deleted payments; 8 the navigation's unread notifications.
    with django_assert_max_num_queries(8):
        response = client.get(url("allocation_detail", allocation.pk))
    assert response.status_code == 200
    assert len(response.context["payments"]) == thick + 1


def test_export_queries(client_for, people, county, thick, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the organization (scope check); 5 the allocations.
    with django_assert_max_num_queries(5):
        response = client.get(url("org_funding_export", county.branch_a1.pk), {"year": YEAR})
    _header, rows, total = read_export(response)
    assert Decimal(str(total[7])) == Decimal("150000") + Decimal("10.01") * thick


def test_org_page_with_the_panel_queries(client_for, people, county, thick,
                                         django_assert_max_num_queries):
    client = client_for(people.bob)
    # The organization page's sixteen at most (tests/orgs/test_org_queries.py), the
    # navigation's unread notifications, and 18 the years with allocations, 19 the
    # year's totals (funding/panels.py).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("orgs:detail", args=[county.branch_a1.pk]))
    assert response.status_code == 200
    assert 'data-testid="funding-panel"' in response.content.decode()


def test_payment_form_page_queries(client_for, people, a1_operating, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the allocation (scope check); 5 the navigation's
    # unread notifications.
    with django_assert_max_num_queries(5):
        assert client.get(url("disbursement_create", a1_operating.pk)).status_code == 200


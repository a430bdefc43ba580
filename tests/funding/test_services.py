"""The money rules: who a policy covers, what it promises, planning and paying."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import selectors, services
from funding.models import Allocation, Disbursement, FundingPolicy
from orgs.models import Level
from tests.factories import OrganizationFactory, category

from .conftest import YEAR, pay

pytestmark = pytest.mark.django_db


def test_shipped_policies_carry_the_seed_figures(policies):
    assert len(policies) == 15
    assert policies["village-operating"].rate_min == Decimal("200000")
    assert policies["village-operating"].rate_max == Decimal("300000")
    assert policies["community-secretary-pay"].rate_min == Decimal("2500")
    assert policies["soe-activity"].rate_min == Decimal("0.5")
    assert {c.code for c in policies["two-new-startup"].categories.all()} == {
        "private_enterprise", "social_org"
    }


def test_loading_twice_adds_nothing(policies, county):
    result = services.load_policies(county=county.county)
    assert (result.created, result.existing) == (0, 15)


def test_generation_follows_category_and_year(plan):
    village = {code for org, code in plan if org == "A1"}
    assert village == {
        "village-operating", "village-secretary-pay", "village-sub-branch-members",
        "village-group-leaders",
    }
    assert {code for org, code in plan if org == "B1"} == {
        "community-operating", "community-secretary-pay", "community-party-work",
        "resident-group", "community-service",
    }
    # Committees without a category and the county get nothing; the venue subsidy is
    # only granted on application.
    assert not {org for org, _ in plan} & {"C", "A", "B"}
    assert not any(code == "village-venue" for _, code in plan)


def test_generated_amounts_are_the_policy_minimum(plan):
    operating = plan["A1", "village-operating"]
    assert (operating.promised_min, operating.promised_max, operating.planned) == (
        Decimal("200000.00"), Decimal("300000.00"), Decimal("200000.00")
    )
    pay = plan["A1", "village-secretary-pay"]
    assert (pay.quantity, pay.promised_min) == (Decimal(12), Decimal("21600.00"))
    heads = plan["A1", "village-sub-branch-members"]
    assert heads.quantity is None and heads.promised_min is None and heads.planned == 0


def test_rerun_keeps_edited_allocations(plan, county, people):
    operating = plan["A1", "village-operating"]
    services.allocation_update(allocation=operating, by=people.bob, quantity=Decimal(1),
                               planned=Decimal("250000"), note="追加")
    result = services.generate_allocations(root=county.county, year=YEAR, by=people.alice)
    assert result.created == 0 and result.existing == len(plan)
    operating.refresh_from_db()
    assert operating.planned == Decimal("250000.00")


def test_top_of_category_only_skips_branches_under_a_village(policies, county, people):
    general = OrganizationFactory(parent=county.town_b, code="B2", level=Level.GENERAL_BRANCH,
                                  category=category("village"))
    OrganizationFactory(parent=general, code="B2-1", category=category("village"))
    services.generate_allocations(root=county.county, year=YEAR, by=people.alice)
    codes = set(Allocation.objects.values_list("organization__code", flat=True))
    assert "B2" in codes and "B2-1" not in codes


def test_founding_year_counts_months_and_the_startup_grant(policies, county, people):
    OrganizationFactory(parent=county.town_b, code="NEW", category=category("private_enterprise"),
                        member_count=7, founded_on=date(YEAR, 10, 9))
    OrganizationFactory(parent=county.town_b, code="OLD", category=category("private_enterprise"),
                        member_count=7, founded_on=date(YEAR - 3, 1, 1))
    OrganizationFactory(parent=county.town_b, code="LATER", category=category("social_org"),
                        founded_on=date(YEAR + 1, 2, 1))
    services.generate_allocations(root=county.county, year=YEAR, by=people.alice)
    got = {(a.organization.code, a.policy.code): a for a in Allocation.objects.select_related(
        "organization", "policy")}
    assert got["NEW", "two-new-startup"].promised_min == Decimal("10000.00")
    assert ("OLD", "two-new-startup") not in got
    assert got["NEW", "two-new-secretary-allowance"].quantity == 3  # Oct, Nov, Dec
    assert got["NEW", "two-new-secretary-allowance"].promised_min == Decimal("900.00")
    assert got["OLD", "non-public-per-member"].promised_min == Decimal("350.00")
    assert not any(org == "LATER" for org, _ in got)


def test_payroll_share_is_a_percentage(policies, county, people):
    soe = OrganizationFactory(parent=county.town_b, code="SOE", category=category("soe"))
    services.generate_allocations(root=county.county, year=YEAR, by=people.alice)
    allocation = Allocation.objects.get(organization=soe)
    assert allocation.promised_min is None
    services.allocation_update(allocation=allocation, by=people.charlie,
                               quantity=Decimal("3456789.00"), planned=Decimal("20000"))
    assert allocation.promised_min == Decimal("17283.95")  # 0.5 %, rounded half up
    assert allocation.promised_max == Decimal("69135.78")


def test_hand_made_allocation_must_fit_the_policy(policies, county, people):
    venue = policies["village-venue"]
    made = services.allocation_create(organization=county.branch_a1, policy=venue, year=YEAR,
                                      by=people.bob)
    assert made.promised_min == Decimal("600000.00")
    with pytest.raises(ValidationError):
        services.allocation_create(organization=county.branch_b1, policy=venue, year=YEAR,
                                   by=people.bob)
    with pytest.raises(ValidationError):
        services.allocation_create(organization=county.branch_a1, policy=venue, year=YEAR,
                                   by=people.bob)


@pytest.mark.parametrize("amount, paid_on, voucher, field", [
    ("0", date(YEAR, 1, 1), "V1", "amount"),
    ("-5", date(YEAR, 1, 1), "V1", "amount"),
    ("1.005", date(YEAR, 1, 1), "V1", "amount"),
    ("10", date(YEAR - 1, 12, 31), "V1", "paid_on"),
    ("10", date(YEAR, 1, 1), "  ", "voucher_no"),
    ("10", date(YEAR, 1, 1), "PZ-A1-1", "voucher_no"),
])
def test_bad_payments_are_refused(paid, people, amount, paid_on, voucher, field):
    before = Disbursement.objects.count()
    with pytest.raises(ValidationError) as exc:
        pay(paid["A1", "village-operating"], amount, voucher, people.bob, paid_on=paid_on)
    assert field in exc.value.message_dict
    assert Disbursement.objects.count() == before


def test_compliance_figures_add_up_to_the_fen(paid, people):
    f = selectors.MoneyFilters(year=YEAR)
    rows = list(selectors.allocations_for_user(user=people.alice, filters=f))
    by_key = {(a.organization.code, a.policy.code): a for a in rows}
    assert by_key["A1", "village-operating"].paid == Decimal("150000.00")
    assert by_key["A1", "village-operating"].pay_gap == Decimal("50000.00")
    assert by_key["A2", "village-operating"].pay_gap == 0
    assert by_key["B1", "community-operating"].pay_gap == 0  # paid above the minimum
    totals = selectors.money_totals(selectors.allocations_for_user(user=people.alice, filters=f))
    for name in ("promised_min", "planned", "paid", "pay_gap", "plan_gap"):
        assert totals[name] == sum((getattr(a, name) or 0 for a in rows), Decimal(0)), name
    assert totals["paid"] == Decimal("620000.00")
    assert totals["n"] == len(rows)


def test_rollups_split_the_totals(paid, people):
    f = selectors.MoneyFilters(year=YEAR)
    totals = selectors.money_totals(selectors.allocations_for_user(user=people.alice, filters=f))
    for rollup in (selectors.rollup_by_committee, selectors.rollup_by_category):
        rows = rollup(user=people.alice, filters=f)
        for name in ("n", "promised_min", "planned", "paid", "pay_gap"):
            assert sum(r[name] for r in rows) == totals[name]
    committees = {r["name"]: r for r in selectors.rollup_by_committee(user=people.alice, filters=f)}
    assert committees["东坝镇党委"]["paid"] == Decimal("350000.00")


def test_short_filter_names_what_falls_short(paid, people):
    f = selectors.MoneyFilters(year=YEAR, short=selectors.SHORT_PAID, kind="operating")
    short = [(a.organization.code, a.pay_gap)
             for a in selectors.allocations_for_user(user=people.alice, filters=f)]
    assert short == [("A1", Decimal("50000.00"))]


def test_scope_limits_every_read(paid, people):
    f = selectors.MoneyFilters(year=YEAR)
    orgs = {a.organization.code for a in selectors.allocations_for_user(user=people.bob, filters=f)}
    assert orgs == {"A1", "A2"}
    mine = {a.organization.code for a in selectors.allocations_for_user(user=people.dave, filters=f)}
    assert mine == {"A1"}
    assert not list(selectors.allocations_for_user(user=people.nobody, filters=f))
    payments = selectors.disbursements_for_user(user=people.charlie, filters=f)
    assert [p.voucher_no for p in payments] == ["PZ-B1-1"]
    assert FundingPolicy.objects.visible_to(people.dave).count() == 15
    assert FundingPolicy.objects.visible_to(people.nobody).count() == 0


def test_history_records_who_changed_money(paid, people):
    allocation = paid["A1", "village-operating"]
    services.allocation_update(allocation=allocation, by=people.bob, quantity=Decimal(1),
                               planned=Decimal("210000"), reason="追加预算")
    latest = allocation.history.first()
    assert latest.history_user == people.bob and latest.history_change_reason == "追加预算"
    assert allocation.history.count() == 2  # generated, then edited
    payment = Disbursement.objects.get(voucher_no="PZ-A1-1")
    services.disbursement_delete(payment=payment, by=people.bob, reason="录入错误")
    assert Disbursement.history.filter(voucher_no="PZ-A1-1", history_type="-").exists()

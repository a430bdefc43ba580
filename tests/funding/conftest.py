"""The shipped policies loaded into the test county, the 2026 plan, and a few payments.

After `paid`: A1 (village) was paid 150,000.00 of its 200,000.00 运转经费 (short
50,000.00); A2 (village) got its full 200,000.00; B1 (community) 270,000.00 of
200,000.00. Nothing else is paid.
"""

from datetime import date
from decimal import Decimal

import pytest

from funding import services
from funding.models import Allocation, FundingPolicy
from tests.factories import add_many_branches

YEAR = 2026


@pytest.fixture
def policies(county, people):
    services.load_policies(county=county.county, by=people.alice)
    return {p.code: p for p in FundingPolicy.objects.filter(owner=county.county)}


@pytest.fixture
def plan(policies, county, people):
    services.generate_allocations(root=county.county, year=YEAR, by=people.alice)
    return {
        (a.organization.code, a.policy.code): a
        for a in Allocation.objects.filter(year=YEAR).select_related("organization", "policy")
    }


def pay(allocation, amount, voucher, by, paid_on=date(YEAR, 3, 15)):
    return services.disbursement_record(
        allocation=allocation, by=by, paid_on=paid_on, amount=Decimal(amount), voucher_no=voucher
    )


@pytest.fixture
def paid(plan, people):
    pay(plan["A1", "village-operating"], "150000.00", "PZ-A1-1", people.bob)
    pay(plan["A2", "village-operating"], "120000.00", "PZ-A2-1", people.bob)
    pay(plan["A2", "village-operating"], "80000.00", "PZ-A2-2", people.bob)
    pay(plan["B1", "community-operating"], "270000.00", "PZ-B1-1", people.charlie)
    return plan


def grow(county, people, n):
    """`n` more village branches under town A, planned for YEAR: for query counts at size."""
    add_many_branches(county.town_a, n, prefix=f"G{n}-")
    county.town_a.refresh_from_db()
    services.generate_allocations(root=county.county, year=YEAR, by=people.alice)

"""The demo county's money: the seeds' policies, last year's and this year's plans, and
payments that leave a few organizations short.

Last year is paid in full except for a handful of villages and communities whose
operating or service funds came in short (the compliance report has something to
name). This year is paid as a county pays: operating funds in two halves (the
second half still missing for some), base pay and allowances month by month up
to last month. The head counts and payrolls the tree does not know are filled in
from a fixed seed, and one lagging village has a venue subsidy granted on
application and half paid.

Idempotent: a year whose allocations have payments is left alone. One transaction.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orgs.demo.county import LAGGING_CODES
from orgs.models import Organization

from . import services
from .models import Allocation, Basis, Disbursement, FundingKind

SEED = "qinghe-funding"
# Codes of the organizations left short last year, and what share of the minimum they got.
SHORT_LAST_YEAR = {"QH01-003": Decimal("0.90"), "QH03-002": Decimal("0.75"),
                   "QH06-002": Decimal("0.80"), "QH08-001": Decimal("0.60")}
# Heads per village or community (sub-branch members, group leaders, resident groups).
HEADS = {"village-sub-branch-members": (4, 9), "village-group-leaders": (5, 12),
         "resident-group": (3, 8)}
PAYROLL = (1_800_000, 9_000_000)  # a county SOE's yearly payroll, yuan
VENUE_SUBSIDY = Decimal("650000")


@dataclass
class DemoFunding:
    policies: int = 0
    years: list = field(default_factory=list)
    allocations: int = 0
    payments: int = 0
    paid: Decimal = Decimal(0)
    short: int = 0

    @property
    def created(self):
        return bool(self.allocations or self.payments)


def _fill_quantities(allocations, rng, by):
    for a in allocations:
        if a.quantity is not None:
            continue
        if a.policy.basis == Basis.PER_HEAD:
            quantity = Decimal(rng.randint(*HEADS.get(a.policy.code, (3, 8))))
        elif a.policy.basis == Basis.PAYROLL_SHARE:
            quantity = Decimal(rng.randrange(*PAYROLL, 10_000))
        else:
            continue
        low, _high = services.promise(a.policy, quantity)
        services.allocation_update(allocation=a, by=by, quantity=quantity, planned=low,
                                   reason="演示数据：填报计算基数")


class _Vouchers:
    def __init__(self, year):
        self.year, self.n = year, 0

    def __call__(self):
        self.n += 1
        return f"QH{self.year}-{self.n:05d}"


def _payments_last_year(allocations, year, voucher):
    rows = []
    for a in allocations:
        if not a.planned:
            continue
        share = SHORT_LAST_YEAR.get(a.organization.code) if a.policy.kind in (
            FundingKind.OPERATING, FundingKind.SERVICE) else None
        amount = services.yuan(a.planned * share) if share else a.planned
        if a.policy.basis == Basis.PER_MONTH:
            months = int(a.quantity)
            monthly = services.yuan(amount / months)
            last = amount - monthly * (months - 1)  # the last month takes the rounding
            for i in range(months):
                month = 12 - months + 1 + i
                rows.append(Disbursement(allocation=a, paid_on=date(year, month, 10),
                                         amount=last if i == months - 1 else monthly,
                                         voucher_no=voucher(), note="按月发放"))
        else:
            rows.append(Disbursement(allocation=a, paid_on=date(year, 4, 20), amount=amount,
                                     voucher_no=voucher(), note="年度拨付"))
    return rows


def _payments_this_year(allocations, today, rng, voucher):
    year = today.year
    rows = []
    for a in allocations:
        if not a.planned:
            continue
        if a.policy.basis == Basis.PER_MONTH:
            first = 12 - int(a.quantity) + 1
            monthly = services.yuan(a.planned / a.quantity)
            for month in range(first, today.month):  # up to last month
                rows.append(Disbursement(allocation=a, paid_on=date(year, month, 10),
                                         amount=monthly, voucher_no=voucher(), note="按月发放"))
        elif a.policy.kind in (FundingKind.OPERATING, FundingKind.SERVICE, FundingKind.PARTY_WORK):
            half = services.yuan(a.planned / 2)
            rows.append(Disbursement(allocation=a, paid_on=date(year, 3, 25), amount=half,
                                     voucher_no=voucher(), note="上半年拨付"))
            if today.month > 9 and rng.random() < 0.8:  # a fifth still wait for the second half
                rows.append(Disbursement(allocation=a, paid_on=date(year, 9, 25),
                                         amount=a.planned - half, voucher_no=voucher(),
                                         note="下半年拨付"))
        elif a.policy.kind == FundingKind.STARTUP:
            rows.append(Disbursement(allocation=a, paid_on=max(date(year, 1, 1), min(
                today, a.organization.founded_on or today)), amount=a.planned,
                voucher_no=voucher(), note="启动资金"))
        elif today.month > 6:  # per-head allowances, SOE funds: once a year, mid-year
            rows.append(Disbursement(allocation=a, paid_on=date(year, 6, 30), amount=a.planned,
                                     voucher_no=voucher(), note="年度拨付"))
    return rows


def _year(root, year, by, rng, today) -> tuple[int, list]:
    if Disbursement.objects.filter(allocation__year=year,
                                   allocation__organization__path__startswith=root.path).exists():
        return 0, []
    result = services.generate_allocations(root=root, year=year, by=by)
    allocations = list(
        Allocation.objects.filter(year=year, organization__path__startswith=root.path)
        .select_related("policy", "organization").order_by("organization__path", "policy__code")
    )
    _fill_quantities(allocations, rng, by)
    voucher = _Vouchers(year)
    if year < today.year:
        rows = _payments_last_year(allocations, year, voucher)
    else:
        venue = _venue_subsidy(root, year, by)
        if venue is not None:
            allocations.append(venue)
        rows = _payments_this_year(allocations, today, rng, voucher)
    services.disbursements_bulk_record(rows=rows, by=by)
    return result.created, rows


def _venue_subsidy(root, year, by):
    """A lagging village's new activity room, granted on application, half paid."""
    org = Organization.objects.filter(code=LAGGING_CODES[0], path__startswith=root.path).first()
    policy = services.policies_over(root).filter(code="village-venue").first()
    if org is None or policy is None:
        return None
    allocation = services.allocation_create(organization=org, policy=policy, year=year, by=by,
                                            planned=VENUE_SUBSIDY, note="帮扶转化：新建党群服务中心")
    return Allocation.objects.select_related("policy", "organization").get(pk=allocation.pk)


@transaction.atomic
def load_demo_funding(*, root: Organization, by, today=None) -> DemoFunding:
    today = today or timezone.localdate()
    out = DemoFunding(policies=services.load_policies(county=root, by=by).created)
    rng = random.Random(SEED)
    for year in (today.year - 1, today.year):
        created, rows = _year(root, year, by, rng, today)
        if created or rows:
            out.years.append(year)
        out.allocations += created
        out.payments += len(rows)
        out.paid += sum((r.amount for r in rows), Decimal(0))
    return out

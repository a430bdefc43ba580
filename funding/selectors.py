"""Reads for the funding pages: the ledger, compliance and its roll-ups, payments.

Every function takes the user and scopes its rows itself (`visible_to`); each
costs a fixed number of queries whatever the size of the scope. What was paid
on an allocation is a correlated subquery (`paid`), not a join, so sums over
allocations are not multiplied by their number of payments.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from orgs.models import Organization
from orgs.selectors.committees import COMMITTEE_PREFIX, committee_names

from .models import MONEY, ZERO, Allocation, Disbursement

NO_CATEGORY = "none"
CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(**MONEY)
# The report's "short" filter: below the policy minimum in what was paid, or in the plan.
SHORT_PAID, SHORT_PLANNED = "paid", "planned"


@dataclass
class MoneyFilters:
    year: int
    committee: Organization | None = None  # a committee's subtree
    organization: Organization | None = None  # exactly this organization
    category: str = ""  # a category pk, NO_CATEGORY or ""
    kind: str = ""
    policy_id: int | None = None
    q: str = ""  # organization name or code
    short: str = ""  # "", SHORT_PAID or SHORT_PLANNED


def _paid_subquery():
    return Coalesce(
        Subquery(
            Disbursement.objects.filter(allocation=OuterRef("pk")).order_by()
            .values("allocation").annotate(total=Sum("amount")).values("total")[:1],
            output_field=MONEY_FIELD,
        ),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )


def _gap(minimum, amount):
    """max(minimum - amount, 0); 0 where the minimum is unknown (basis not entered)."""
    return Case(
        When(**{f"{minimum}__gt": F(amount)},
             then=ExpressionWrapper(F(minimum) - F(amount), output_field=MONEY_FIELD)),
        default=Value(ZERO),
        output_field=MONEY_FIELD,
    )


def _filter_q(f: MoneyFilters) -> Q:
    q = Q(year=f.year)
    if f.committee is not None:
        q &= Q(organization__path__startswith=f.committee.path)
    if f.organization is not None:
        q &= Q(organization=f.organization)
    if f.category == NO_CATEGORY:
        q &= Q(organization__category__isnull=True)
    elif f.category:
        q &= Q(organization__category_id=f.category)
    if f.kind:
        q &= Q(policy__kind=f.kind)
    if f.policy_id:
        q &= Q(policy_id=f.policy_id)
    if f.q:
        q &= Q(organization__name__icontains=f.q) | Q(organization__code__icontains=f.q)
    return q


def allocations_for_user(*, user, filters: MoneyFilters, order=("organization__path", "policy__kind", "policy__code")):
    """Allocations in scope with `paid`, `pay_gap` (minimum − paid, ≥ 0) and `plan_gap`
    (minimum − planned, ≥ 0); `short` keeps those below the minimum."""
    qs = (
        Allocation.objects.visible_to(user)
        .filter(_filter_q(filters))
        .annotate(paid=_paid_subquery())
        .annotate(pay_gap=_gap("promised_min", "paid"), plan_gap=_gap("promised_min", "planned"))
    )
    if filters.short == SHORT_PAID:
        qs = qs.filter(pay_gap__gt=0)
    elif filters.short == SHORT_PLANNED:
        qs = qs.filter(plan_gap__gt=0)
    return qs.select_related("organization__category", "policy").order_by(*order)


TOTAL_FIELDS = ("promised_min", "planned", "paid", "pay_gap", "plan_gap")


def _sums():
    return {
        "n": Count("pk"),
        "n_orgs": Count("organization", distinct=True),
        "n_short": Count("pk", filter=Q(pay_gap__gt=0)),
        **{name: Coalesce(Sum(name), Value(ZERO), output_field=MONEY_FIELD) for name in TOTAL_FIELDS},
    }


def money_totals(queryset) -> dict:
    """The totals row of a filtered allocation queryset: one query.

    Grouped on a constant rather than `aggregate()`: Django 5.2's aggregate() over
    these annotations drops them from its inner query (SQLite then sums a string).
    """
    rows = list(
        queryset.order_by().annotate(_all=Value(1)).values("_all").annotate(**_sums())
    )
    if not rows:
        return {"n": 0, "n_orgs": 0, "n_short": 0, **dict.fromkeys(TOTAL_FIELDS, ZERO)}
    row = rows[0]
    row.pop("_all")
    return _to_fen(row)


def _to_fen(row: dict) -> dict:
    """SQLite adds decimals as floats (300 × 100.10 = 30029.9999999998): round each sum
    to the fen. PostgreSQL's numeric sums are exact and unchanged by this."""
    for name in TOTAL_FIELDS:
        if row.get(name) is not None:
            row[name] = Decimal(row[name]).quantize(CENT, rounding=ROUND_HALF_UP)
    return row


def rollup_by_prefix(queryset, length: int) -> dict:
    """{path prefix: totals} of an allocation queryset grouped on the first `length`
    characters of the organization's path (a committee, or any level's children). One query."""
    rows = (
        queryset.order_by()
        .annotate(group_path=Substr("organization__path", 1, length))
        .values("group_path")
        .annotate(**_sums())
        .order_by("group_path")
    )
    return {row.pop("group_path"): _to_fen(row) for row in rows}


def rollup_by_committee(*, user, filters: MoneyFilters) -> list[dict]:
    """One row per committee: totals and how many allocations fall short. Two queries."""
    grouped = rollup_by_prefix(allocations_for_user(user=user, filters=filters, order=()),
                               COMMITTEE_PREFIX)
    names = committee_names()
    return [{"committee_path": path, **row, "name": names.get(path, "")}
            for path, row in grouped.items()]


def rollup_by_category(*, user, filters: MoneyFilters) -> list[dict]:
    """One row per category (None for committees without one). One query."""
    return [_to_fen(row) for row in (
        allocations_for_user(user=user, filters=filters, order=())
        .order_by()
        .values("organization__category_id", "organization__category__name",
                "organization__category__ordering")
        .annotate(**_sums())
        .order_by("organization__category__ordering", "organization__category_id")
    )]


def disbursements_for_user(*, user, filters: MoneyFilters):
    """Payments in scope for the filters' year and organizations, newest first."""
    allocations = Allocation.objects.filter(_filter_q(filters)).values("pk")
    qs = Disbursement.objects.visible_to(user).filter(allocation__in=allocations)
    return qs.select_related(
        "allocation__organization", "allocation__policy", "recorded_by"
    ).order_by("-paid_on", "-pk")


def organization_years(org) -> list[int]:
    """The years an organization has allocations for, newest first (one query)."""
    return list(
        Allocation.objects.filter(organization=org).order_by("-year")
        .values_list("year", flat=True).distinct()
    )

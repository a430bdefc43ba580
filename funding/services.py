"""Funding rules as plain functions: which policy applies, what it promises, planning, paying.

Called by views, the admin, the importer, the demo and tests alike (STYLE.md).
"""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from orgs.models import Category, Organization

from .models import ZERO, Allocation, AppliesWhen, Basis, Disbursement, FundingPolicy

CENT = Decimal("0.01")
LIBRARY = Path(__file__).resolve().parent / "data" / "policies.json"
POLICY_KEYS = {
    "code", "name", "kind", "basis", "rate_min", "rate_max", "categories", "levels",
    "top_of_category_only", "applies_when", "valid_from", "valid_to", "source_document",
    "source_text",
}


def yuan(value) -> Decimal:
    """Round to the fen, half up, as a cashier does."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class OrgFacts:
    """What a policy looks at, read once per organization (a dict row is enough)."""

    pk: int
    path: str
    level: str
    category_id: int | None
    parent_category_id: int | None
    founded_on: object
    member_count: int


def facts_of(org: Organization, parent_category_id=None) -> OrgFacts:
    return OrgFacts(
        pk=org.pk, path=org.path, level=org.level, category_id=org.category_id,
        parent_category_id=parent_category_id, founded_on=org.founded_on,
        member_count=org.member_count,
    )


def parent_category_id(org: Organization):
    parent = Organization.objects.get_parent(org)
    return parent.category_id if parent is not None else None


def existed_in(facts: OrgFacts, year: int) -> bool:
    return facts.founded_on is None or facts.founded_on.year <= year


def applies(policy: FundingPolicy, facts: OrgFacts, year: int, category_ids=None) -> bool:
    """Does the policy promise this organization anything in this year?

    `category_ids` is the policy's category set (pass it in when checking many
    organizations; otherwise it is read from the policy's prefetched categories).
    On-application policies never apply by themselves: staff add them by hand.
    """
    if policy.applies_when == AppliesWhen.ON_APPLICATION:
        return False
    return fits(policy, facts, year, category_ids) and (
        policy.applies_when != AppliesWhen.FOUNDED_IN_YEAR
        or (facts.founded_on is not None and facts.founded_on.year == year)
    )


def fits(policy: FundingPolicy, facts: OrgFacts, year: int, category_ids=None) -> bool:
    """The policy's "to whom" (categories, levels, one per village) and years, whatever
    its `applies_when`: what a hand-made allocation must also satisfy."""
    if category_ids is None:
        category_ids = {c.pk for c in policy.categories.all()}
    if category_ids and facts.category_id not in category_ids:
        return False
    if policy.levels and facts.level not in policy.levels:
        return False
    if policy.top_of_category_only and facts.parent_category_id == facts.category_id:
        return False
    if year < policy.valid_from or (policy.valid_to is not None and year > policy.valid_to):
        return False
    return existed_in(facts, year)


def default_quantity(policy: FundingPolicy, facts: OrgFacts, year: int) -> Decimal | None:
    """The basis the tree already knows; None where staff must enter it (payroll, heads)."""
    if policy.basis == Basis.PER_MONTH:
        if facts.founded_on is not None and facts.founded_on.year == year:
            return Decimal(13 - facts.founded_on.month)  # the founding month counts
        return Decimal(12)
    if policy.basis == Basis.PER_MEMBER:
        return Decimal(facts.member_count)
    if policy.basis in (Basis.PER_YEAR, Basis.ONE_OFF):
        return Decimal(1)
    return None


def promise(policy: FundingPolicy, quantity) -> tuple[Decimal | None, Decimal | None]:
    """(minimum, maximum) the policy promises for this quantity; (None, None) if unknown."""
    if quantity is None:
        return None, None
    factor = Decimal(quantity) / 100 if policy.basis == Basis.PAYROLL_SHARE else Decimal(quantity)
    low = yuan(policy.rate_min * factor)
    high = yuan(policy.rate_max * factor) if policy.rate_max is not None else None
    return low, high


# --------------------------------------------------------------------------- policies


def policies_over(org: Organization):
    """Policies issued at or above the organization: what its subtree is promised."""
    paths = [*org.ancestor_paths(), org.path]
    return FundingPolicy.objects.filter(owner__path__in=paths)


@dataclass
class LoadResult:
    created: int
    existing: int


def read_library() -> list[dict]:
    data = json.loads(LIBRARY.read_text(encoding="utf-8"))
    specs = []
    for raw in data["policies"]:
        unknown = set(raw) - POLICY_KEYS
        if unknown:
            raise ValueError(f"policies.json {raw.get('code')}: unknown keys {sorted(unknown)}")
        specs.append({"valid_from": data["valid_from"], **raw})
    return specs


@transaction.atomic
def load_policies(*, county: Organization, by=None) -> LoadResult:
    """Ship the seeds' policies to a county; a code it already has is left alone."""
    have = set(FundingPolicy.objects.filter(owner=county).values_list("code", flat=True))
    categories = dict(Category.objects.values_list("code", "pk"))
    created = existing = 0
    for spec in read_library():
        if spec["code"] in have:
            existing += 1
            continue
        codes = spec.pop("categories", [])
        missing = [c for c in codes if c not in categories]
        if missing:
            raise ValueError(f"policies.json {spec['code']}: unknown categories {missing}")
        policy = FundingPolicy(
            owner=county,
            **{k: v for k, v in spec.items() if k not in ("rate_min", "rate_max")},
            rate_min=Decimal(spec["rate_min"]),
            rate_max=Decimal(spec["rate_max"]) if spec.get("rate_max") else None,
        )
        policy.full_clean()
        policy._history_user = by
        policy.save()
        policy.categories.set([categories[c] for c in codes])
        created += 1
    return LoadResult(created=created, existing=existing)


# --------------------------------------------------------------------------- allocations


@dataclass
class GenerateResult:
    created: int
    existing: int
    organizations: int
    policies: int


def _subtree_facts(root: Organization) -> list[OrgFacts]:
    """Every active organization under `root` with its parent's category: two queries."""
    rows = list(
        Organization.objects.filter(path__startswith=root.path, is_active=True)
        .values("pk", "path", "level", "category_id", "founded_on", "member_count")
    )
    category_by_path = {r["path"]: r["category_id"] for r in rows}
    step = Organization.steplen
    if len(root.path) > step:
        category_by_path[root.path[:-step]] = parent_category_id(root)
    return [
        OrgFacts(parent_category_id=category_by_path.get(r["path"][:-step]), **r) for r in rows
    ]


@transaction.atomic
def generate_allocations(*, root: Organization, year: int, by) -> GenerateResult:
    """Plan the year for a whole subtree from the policies in force: one allocation per
    organization and applicable policy, planned at the policy minimum.

    Safe to rerun: what exists (perhaps edited since) is left as it is. A fixed number
    of queries whatever the size of the subtree.
    """
    policies = list(policies_over(root).in_force(year).prefetch_related("categories"))
    facts = _subtree_facts(root)
    existing = set(
        Allocation.objects.filter(year=year, organization__path__startswith=root.path)
        .values_list("organization_id", "policy_id")
    )
    new, already = [], 0
    for policy in policies:
        category_ids = {c.pk for c in policy.categories.all()}
        for f in facts:
            if not applies(policy, f, year, category_ids):
                continue
            if (f.pk, policy.pk) in existing:
                already += 1
                continue
            quantity = default_quantity(policy, f, year)
            low, high = promise(policy, quantity)
            new.append(Allocation(
                organization_id=f.pk, policy=policy, year=year, quantity=quantity,
                promised_min=low, promised_max=high, planned=low or ZERO, created_by=by,
            ))
    bulk_create_with_history(new, Allocation, batch_size=1000, default_user=by)
    return GenerateResult(
        created=len(new), existing=already, organizations=len(facts), policies=len(policies)
    )


@transaction.atomic
def allocation_create(*, organization: Organization, policy: FundingPolicy, year: int, by,
                      quantity=None, planned=None, note: str = "") -> Allocation:
    """An allocation added by hand, such as a venue subsidy granted on application."""
    facts = facts_of(organization, parent_category_id(organization))
    if not fits(policy, facts, year):
        raise ValidationError(
            _("This policy does not cover this organization in %(year)s.") % {"year": year},
            code="not_covered",
        )
    if Allocation.objects.filter(organization=organization, policy=policy, year=year).exists():
        raise ValidationError(
            _("This organization already has an allocation under this policy for %(year)s.")
            % {"year": year},
            code="duplicate",
        )
    if quantity is None:
        quantity = default_quantity(policy, facts, year)
    low, high = promise(policy, quantity)
    allocation = Allocation(
        organization=organization, policy=policy, year=year, quantity=quantity,
        promised_min=low, promised_max=high,
        planned=planned if planned is not None else (low or ZERO), note=note, created_by=by,
    )
    allocation.full_clean()
    allocation._history_user = by
    allocation.save()
    return allocation


@transaction.atomic
def allocation_update(*, allocation: Allocation, by, quantity, planned, note="",
                      reason: str = "") -> Allocation:
    """Change the basis or the plan; the promise follows the basis."""
    allocation.quantity = quantity
    allocation.promised_min, allocation.promised_max = promise(allocation.policy, quantity)
    allocation.planned = planned
    allocation.note = note
    allocation.full_clean()
    allocation._history_user = by
    allocation._change_reason = reason[:100]
    allocation.save()
    return allocation


# --------------------------------------------------------------------------- payments


def check_payment(*, allocation: Allocation, paid_on, amount: Decimal, voucher_no: str,
                  exclude_pk=None) -> dict:
    """Field errors of a payment ({} if none): the importer and the form share them."""
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter an amount greater than zero.")
    elif amount != amount.quantize(CENT):
        errors["amount"] = _("Amounts are in yuan with at most two decimal places.")
    if paid_on is not None and paid_on.year != allocation.year:
        errors["paid_on"] = _("The payment date must be in %(year)s, the allocation's year.") % {
            "year": allocation.year
        }
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        errors["voucher_no"] = _("Enter the voucher number.")
    else:
        taken = Disbursement.objects.filter(voucher_no=voucher_no)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors["voucher_no"] = _("Voucher number %(voucher)s is already recorded.") % {
                "voucher": voucher_no
            }
    return errors


@transaction.atomic
def disbursement_record(*, allocation: Allocation, by, paid_on, amount, voucher_no: str,
                        note: str = "") -> Disbursement:
    errors = check_payment(
        allocation=allocation, paid_on=paid_on, amount=amount, voucher_no=voucher_no
    )
    if errors:
        raise ValidationError(errors)
    payment = Disbursement(
        allocation=allocation, paid_on=paid_on, amount=amount, voucher_no=voucher_no.strip(),
        note=note, recorded_by=by,
    )
    payment._history_user = by
    payment.save()
    return payment


@transaction.atomic
def disbursements_bulk_record(*, rows: list[Disbursement], by) -> int:
    """Payments already checked row by row (the importer): written in one go, with history."""
    for row in rows:
        row.recorded_by = by
    bulk_create_with_history(rows, Disbursement, batch_size=1000, default_user=by)
    return len(rows)


@transaction.atomic
def disbursement_delete(*, payment: Disbursement, by, reason: str = ""):
    """A payment entered by mistake: removed, and the history keeps what it was."""
    payment._history_user = by
    payment._change_reason = reason[:100]
    payment.delete()

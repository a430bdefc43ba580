"""Reads for the policy pages: the filtered list and a policy's change history.

Policies are read down the tree (`FundingPolicy.objects.visible_to`: a branch
reads its county's rules, never a neighbour county's). Each function costs a
fixed number of queries, whatever the number of policies or history records.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from orgs.models import Category, Level, Organization, Role
from orgs.scoping import grants, is_unrestricted

from .display import percent_text, yuan_text
from .forms_policies import ACTIVE, INACTIVE
from .models import AppliesWhen, Basis, FundingKind, FundingPolicy


def policy_owners(user) -> list[Organization]:
    """The counties the user issues policies for: where they are county staff (one
    query; a superuser: every active county)."""
    if is_unrestricted(user):
        qs = Organization.objects.filter(level=Level.COUNTY, is_active=True)
    else:
        ids = [g.org_id for g in grants(user) if g.role == Role.COUNTY_STAFF]
        if not ids:
            return []
        qs = Organization.objects.filter(pk__in=ids)
    return list(qs.order_by("path").only("pk", "name", "path"))


def policies_for_user(*, user, filters: dict):
    """The policies the user reads, narrowed by the list's valid filters
    (q, kind, basis, active, year in force); categories prefetched (one query)."""
    qs = FundingPolicy.objects.visible_to(user)
    q = filters.get("q")
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(source_document__icontains=q)
        )
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("basis"):
        qs = qs.filter(basis=filters["basis"])
    if filters.get("active") == ACTIVE:
        qs = qs.filter(is_active=True)
    elif filters.get("active") == INACTIVE:
        qs = qs.filter(is_active=False)
    if filters.get("year"):
        qs = qs.in_force(filters["year"])
    return (
        qs.select_related("owner")
        .prefetch_related("categories")
        .order_by("owner__path", "kind", "code", "pk")
    )


# ---------------------------------------------------------------- history

HISTORY_LIMIT = 50
DIFF_FIELDS = (
    "code", "name", "kind", "basis", "rate_min", "rate_max", "levels", "top_of_category_only",
    "applies_when", "valid_from", "valid_to", "source_document", "source_text", "is_active",
)
# A new policy is saved, then given its categories: simple-history writes a second
# record for the categories. Shown as one creation when it follows this closely.
FOLD_SECONDS = 60


@dataclass
class HistoryEntry:
    record: object
    kind: str  # "created", "changed", "deleted"
    changes: list = field(default_factory=list)  # (field label, old, new)
    reason: str = ""


def _value(name, value, basis):
    if value is None or value == "" or value == []:
        return "—"
    if name == "kind":
        return FundingKind(value).label if value in FundingKind.values else value
    if name == "basis":
        return Basis(value).label if value in Basis.values else value
    if name == "applies_when":
        return AppliesWhen(value).label if value in AppliesWhen.values else value
    if name == "levels":
        return "、".join(str(Level(v).label) if v in Level.values else v for v in value)
    if name in ("rate_min", "rate_max"):
        return percent_text(value) if basis == Basis.PAYROLL_SHARE else yuan_text(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "source_text" and len(value) > 60:
        return value[:60] + "…"
    return str(value)


def policy_audit_trail(*, policy) -> list[HistoryEntry]:
    """The policy's history, newest first, each record diffed against the one before it,
    categories included. Three queries: the records (with their users), the categories
    each record held, and those categories' names."""
    records = list(
        policy.history.select_related("history_user")
        .order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1]
    )
    through = apps.get_model("funding", "HistoricalFundingPolicy_categories")
    held = {r.history_id: set() for r in records}
    if records:
        for history_id, category_id in through.objects.filter(
            history_id__in=list(held)
        ).values_list("history_id", "category_id"):
            held[history_id].add(category_id)
    wanted = set().union(*held.values()) if held else set()
    names = (
        dict(Category.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    )

    def category_text(ids):
        return "、".join(sorted(names.get(pk, str(pk)) for pk in ids)) or _("Every category")

    meta = FundingPolicy._meta
    labels = {name: meta.get_field(name).verbose_name for name in DIFF_FIELDS}
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    entries = []
    for index, record in enumerate(records[:HISTORY_LIMIT]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if record.history_type == "~" and older is not None:
            for name in DIFF_FIELDS:
                old, new = getattr(older, name), getattr(record, name)
                if old != new:
                    changes.append(
                        (labels[name], _value(name, old, older.basis), _value(name, new, record.basis))
                    )
            before, after = held[older.history_id], held[record.history_id]
            if before != after:
                changes.append(
                    (meta.get_field("categories").verbose_name, category_text(before),
                     category_text(after))
                )
        reason = record.history_change_reason or ""
        if record.history_type == "~" and older is not None and not reason:
            if not changes:
                continue  # saved without a change
            if (
                older.history_type == "+" and len(changes) == 1
                and older.history_user_id == record.history_user_id
                and (record.history_date - older.history_date).total_seconds() < FOLD_SECONDS
                and held[older.history_id] == set()
                and changes[0][0] == meta.get_field("categories").verbose_name
            ):
                continue  # the new policy's categories: part of its creation
        entries.append(HistoryEntry(record, kinds.get(record.history_type, "changed"), changes, reason))
    return entries

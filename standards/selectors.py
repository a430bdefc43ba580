"""Reads of the standard library for the pages: each a fixed number of queries.

Sets come through `StandardSet.objects.visible_to` (the county's library, seen by
the people of that county); items are loaded with their categories prefetched and
grouped in Python, so a page costs the same for 30 items and for 300.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from orgs.models import Level, Organization, Role
from orgs.scoping import grants, scope_q

from .conditions import format_conditions, item_applies
from .models import Dimension, SetStatus, StandardItem, StandardSet

# A person may hold roles on many organizations (a helper on several branches);
# "my checklist" shows the first few, not a county's worth.
MY_CHECKLIST_ORGS = 5


# ---------------------------------------------------------------- set list


def _count_of(model, **filters):
    """Coalesce(subquery count, 0): counts without joining the rows into the list query."""
    counts = (
        model.objects.filter(standard_set=OuterRef("pk"), **filters)
        .order_by()
        .values("standard_set")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def sets_for_user(*, user, q="", status="", year=None, issuer=None):
    """The sets the user may see, newest version first, with item and dimension counts."""
    qs = (
        StandardSet.objects.visible_to(user)
        .select_related("organization")
        .annotate(item_count=_count_of(StandardItem), dimension_count=_count_of(Dimension))
        .order_by("organization__path", "code", "-version")
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if issuer is not None:
        qs = qs.filter(organization=issuer)
    return qs


def issuers_for_user(*, user):
    """Organizations that issued a set the user can see (the list's issuer filter)."""
    return Organization.objects.filter(
        pk__in=StandardSet.objects.visible_to(user).values("organization")
    ).order_by("path")


def set_issuers_for_creator(*, user):
    """Where the user may issue a new set: county-level organizations under their
    county-staff role (a superuser: every county)."""
    own = [g.org_id for g in grants(user) if g.role == Role.COUNTY_STAFF]
    return (
        Organization.objects.filter(is_active=True)
        .filter(scope_q(user, roles={Role.COUNTY_STAFF}))
        .filter(Q(level=Level.COUNTY) | Q(pk__in=own))
        .order_by("path")
    )


def version_history(standard_set):
    """Every version of this library, newest first (one query)."""
    return list(
        StandardSet.objects.filter(
            organization=standard_set.organization_id, code=standard_set.code
        ).order_by("-version")
    )


# ---------------------------------------------------------------- one set


def set_items(standard_set):
    """The set's items in order, with their categories (two queries)."""
    return list(
        standard_set.items.prefetch_related("categories").order_by(
            "dimension__ordering", "dimension_id", "ordering", "pk"
        )
    )


@dataclass
class DimensionGroup:
    dimension: Dimension
    items: list = field(default_factory=list)

    @property
    def item_count(self):
        return len(self.items)

    @property
    def score_total(self):
        return sum((item.max_score for item in self.items), Decimal("0"))


def applies_to_category(item, category_id):
    """No categories listed means every category."""
    ids = {c.pk for c in item.categories.all()}
    return not ids or category_id in ids


def items_by_dimension(standard_set, *, category=None, dimension_id=None, keep_empty=True):
    """[DimensionGroup] in the set's order (three queries).

    `category`: only items that apply to it; `dimension_id`: only that dimension.
    Dimensions left without items are kept (an editor must see them) unless
    `keep_empty` is false, as on the printed checklist.
    """
    dimensions = list(standard_set.dimensions.all())
    groups = {d.pk: DimensionGroup(d) for d in dimensions}
    for item in set_items(standard_set):
        if category is not None and not applies_to_category(item, category.pk):
            continue
        group = groups.get(item.dimension_id)
        if group is not None:
            item.conditions_text = format_conditions(item.conditions)
            group.items.append(item)
    result = [g for g in groups.values() if dimension_id is None or g.dimension.pk == dimension_id]
    if not keep_empty:
        result = [g for g in result if g.items]
    return result


def categories_with_items(groups, categories):
    """The categories at least one of these items applies to, in the categories' order."""
    items = [item for group in groups for item in group.items]
    return [c for c in categories if any(applies_to_category(item, c.pk) for item in items)]


# ---------------------------------------------------------------- item search


def search_items(*, user, q="", kind="", veto=None, category=None, status=SetStatus.PUBLISHED):
    """Items of the visible sets. `category`: items that apply to it (none listed = all)."""
    qs = StandardItem.objects.filter(
        standard_set__in=StandardSet.objects.visible_to(user)
    ).select_related("standard_set", "dimension")
    if status:
        qs = qs.filter(standard_set__status=status)
    if q:
        qs = qs.filter(
            Q(requirement__icontains=q) | Q(code__icontains=q) | Q(guidance__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if veto is not None:
        qs = qs.filter(is_veto=veto)
    if category is not None:
        links = StandardItem.categories.through.objects
        qs = qs.filter(
            Exists(links.filter(standarditem_id=OuterRef("pk"), category_id=category.pk))
            | ~Exists(links.filter(standarditem_id=OuterRef("pk")))
        )
    return qs.prefetch_related("categories").order_by(
        "standard_set__code", "-standard_set__version", "standard_set_id",
        "dimension__ordering", "ordering", "pk",
    )


# ---------------------------------------------------------------- compare


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    code: str
    old: StandardItem
    new: StandardItem
    fields: list


@dataclass
class Comparison:
    old: StandardSet
    new: StandardSet
    added: list
    removed: list
    changed: list
    unchanged: int
    dimensions_added: list
    dimensions_removed: list

    @property
    def has_changes(self):
        return bool(
            self.added or self.removed or self.changed
            or self.dimensions_added or self.dimensions_removed
        )


def _yes_no(value):
    return _("Yes") if value else _("No")


def _threshold_text(item):
    line = item.requirement_line
    if line and item.proportional:
        line = _("%(line)s (partial score below it)") % {"line": line}
    return line or "—"


def _number(value):
    if value is None:
        return "—"
    value = value.normalize()
    return str(value.quantize(Decimal(1)) if value == value.to_integral() else value)


def _compared_fields():
    """(label, item -> display text) for every field a change is reported on."""
    return [
        (_("Requirement"), lambda i: i.requirement),
        (_("Kind"), lambda i: i.get_kind_display()),
        (_("Threshold"), _threshold_text),
        (_("Score"), lambda i: _number(i.max_score)),
        (_("Veto"), lambda i: _yes_no(i.is_veto)),
        (_("Evidence required"), lambda i: _yes_no(i.evidence_required)),
        (_("Applicable categories"),
         lambda i: "、".join(c.name for c in i.categories.all()) or _("All categories")),
        (_("Conditions"), lambda i: format_conditions(i.conditions) or "—"),
        (_("Dimension"), lambda i: i.dimension.name),
        (_("Scoring guidance"), lambda i: i.guidance or "—"),
    ]


def _items_by_code(standard_set):
    return {
        item.code: item
        for item in standard_set.items.select_related("dimension")
        .prefetch_related("categories")
        .order_by("dimension__ordering", "ordering", "pk")
    }


def compare_sets(old, new) -> Comparison:
    """What changed from `old` to `new`, items matched by their number (编号).

    Six queries: each set's items (with dimension) and their categories, and each
    set's dimension names (a dimension may be empty, so items alone do not tell).
    """
    old_items, new_items = _items_by_code(old), _items_by_code(new)
    fields = _compared_fields()
    changed, unchanged = [], 0
    for code, new_item in new_items.items():
        old_item = old_items.get(code)
        if old_item is None:
            continue
        diffs = [
            FieldChange(label, before, after)
            for label, show in fields
            if (before := show(old_item)) != (after := show(new_item))
        ]
        if diffs:
            changed.append(ItemChange(code, old_item, new_item, diffs))
        else:
            unchanged += 1
    old_dims = list(old.dimensions.values_list("name", flat=True))
    new_dims = list(new.dimensions.values_list("name", flat=True))
    return Comparison(
        old=old,
        new=new,
        added=[item for code, item in new_items.items() if code not in old_items],
        removed=[item for code, item in old_items.items() if code not in new_items],
        changed=changed,
        unchanged=unchanged,
        dimensions_added=[name for name in new_dims if name not in old_dims],
        dimensions_removed=[name for name in old_dims if name not in new_dims],
    )


def compare_choices(standard_set):
    """Other versions of the same library, for the compare page's picker."""
    return [s for s in version_history(standard_set) if s.pk != standard_set.pk]


# ---------------------------------------------------------------- my checklist


@dataclass
class SetChecklist:
    standard_set: StandardSet
    groups: list

    @property
    def item_count(self):
        return sum(len(g.items) for g in self.groups)

    @property
    def score_total(self):
        return sum((g.score_total for g in self.groups), Decimal("0"))


@dataclass
class OrgChecklist:
    organization: Organization
    sets: list


def own_organizations(*, user, limit=MY_CHECKLIST_ORGS):
    """(first `limit` organizations the user holds a role on, how many there are)."""
    org_ids = list(dict.fromkeys(g.org_id for g in grants(user)))
    orgs = Organization.objects.filter(pk__in=org_ids[:limit], is_active=True).select_related(
        "category"
    )
    return sorted(orgs, key=lambda o: o.path), len(org_ids)


def checklists_for_user(*, user, limit=MY_CHECKLIST_ORGS):
    """For each organization the user holds a role on: the published sets handed
    down to it (issued by it or above it) and, in each, the items that apply to
    it — its category and its facts (item_applies). Five queries at most, plus the
    grants: the organizations, the sets, their dimensions, the items and their
    categories.
    """
    orgs, total = own_organizations(user=user, limit=limit)
    if not orgs:
        return [], total
    sets = list(
        StandardSet.objects.published()
        .visible_to(user)
        .select_related("organization")
        .order_by("organization__path", "code")
    )
    dimensions = {
        d.pk: d
        for d in Dimension.objects.filter(standard_set__in=[s.pk for s in sets]).order_by(
            "standard_set_id", "ordering", "pk"
        )
    }
    items_of = {s.pk: [] for s in sets}
    for item in (
        StandardItem.objects.filter(standard_set__in=[s.pk for s in sets])
        .prefetch_related("categories")
        .order_by("ordering", "pk")
    ):
        items_of[item.standard_set_id].append(item)
    result = []
    for org in orgs:
        org_sets = []
        for standard_set in sets:
            if not org.path.startswith(standard_set.organization.path):
                continue  # issued by another branch of the tree: not handed down to this one
            groups = {}
            for item in items_of[standard_set.pk]:
                if not item_applies(item, org):
                    continue
                dimension = dimensions[item.dimension_id]
                item.conditions_text = format_conditions(item.conditions)
                groups.setdefault(dimension.pk, DimensionGroup(dimension)).items.append(item)
            ordered = sorted(groups.values(), key=lambda g: (g.dimension.ordering, g.dimension.pk))
            org_sets.append(SetChecklist(standard_set, ordered))
        result.append(OrgChecklist(org, org_sets))
    return result, total

"""Reads for the organization pages: tree, list, detail, audit trail."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Length, RowNumber, Substr
from django.utils.translation import gettext as _

from ..models import (
    BRANCH_LEVELS,
    COMMITTEE_LEVELS,
    MEMBER_HOLDERS,
    Assignment,
    Category,
    Level,
    Organization,
)
from ..scoping import (
    manageable_orgs,
    scope_paths,
    subtrees_q,
)

STEP = Organization.steplen
# Rows a tree node shows before a "load more" button: a committee of 3,000
# branches must not render them all at once on a phone.
TREE_CHUNK = 100


def orgs_for_user(
    *, user, q="", category=None, level="", committee=None, demonstration=None,
    active=None, search_secretary=False, order=("path",),
):
    """The organizations a user may see, filtered; category and its name already joined."""
    qs = Organization.objects.visible_to(user).select_related("category")
    if q:
        cond = Q(name__icontains=q) | Q(code__icontains=q)
        if search_secretary:
            cond |= Q(secretary_name__icontains=q)
        qs = qs.filter(cond)
    if category is not None:
        qs = qs.filter(category=category)
    if level:
        qs = qs.filter(level=level)
    if committee is not None:
        qs = qs.filter(path__startswith=committee.path)
    if demonstration is not None:
        qs = qs.filter(is_demonstration=demonstration)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by(*order)


def committees_for_user(*, user):
    """Party (work) committees in the user's scope, for the list's committee filter."""
    return (
        Organization.objects.visible_to(user)
        .filter(level__in=COMMITTEE_LEVELS)
        .only("pk", "name", "code", "path", "depth", "level")
    )


def tree_top(*, user, include_inactive=False):
    """The top of the user's scope with its first TREE_CHUNK children each: one query.

    The scope's root paths are known from the grants (cached), and a node's depth
    is its path's length, so roots and children come from one statement; a
    ROW_NUMBER per parent keeps a big committee from loading every branch.
    Returns the roots, each with `expanded` and `loaded_children` set.
    """
    paths = scope_paths(user)
    if paths is None:
        cond = Q(depth__in=[1, 2])
        root_paths = None
    else:
        cond = Q(pk__in=[])
        for path in paths:
            cond |= Q(path=path) | Q(path__startswith=path, depth=len(path) // STEP + 1)
        root_paths = set(paths)
    qs = Organization.objects.filter(cond).select_related("category")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    qs = qs.annotate(
        sibling_no=Window(
            RowNumber(),
            partition_by=[Substr("path", 1, Length("path") - STEP)],
            order_by=F("path").asc(),
        )
    ).filter(sibling_no__lte=TREE_CHUNK)
    roots, by_path = [], {}
    for org in qs.order_by("path"):
        by_path[org.path] = org
        is_root = org.depth == 1 if root_paths is None else org.path in root_paths
        if is_root:
            org.expanded, org.loaded_children = True, []
            roots.append(org)
        elif org.parent_path in by_path:
            by_path[org.parent_path].loaded_children.append(org)
    return roots


def tree_children_of(*, org, include_inactive=False):
    """Direct children of a node the caller has already checked is in scope."""
    qs = Organization.objects.filter(
        path__startswith=org.path, depth=org.depth + 1
    ).select_related("category")
    return qs if include_inactive else qs.filter(is_active=True)


def attach_subtree_counts(nodes, *, include_inactive=False):
    """Set `subtree_orgs` and `subtree_members` on each node: ONE query for any set of nodes.

    Rows are grouped by their path cut at a node's depth; nodes at different depths
    give one grouped SELECT each, sent as one UNION ALL statement. A node in scope
    has its whole subtree in scope (a scope is a union of subtrees), so no scope
    filter is needed. Many siblings (a node's children) are reached through their
    parent's prefix rather than an OR of thousands of prefixes.
    """
    by_depth = {}
    for node in nodes:
        by_depth.setdefault(node.depth, set()).add(node.path)
    parts = []
    for depth, paths in sorted(by_depth.items()):
        parents = {path[:-STEP] for path in paths}
        anchors = parents if depth > 1 and len(parents) < len(paths) else paths
        rows = Organization.objects.order_by().filter(subtrees_q(anchors), depth__gte=depth)
        if not include_inactive:
            rows = rows.filter(is_active=True)
        parts.append(
            rows.annotate(prefix=Substr("path", 1, depth * STEP))
            .values("prefix")
            .annotate(orgs=Count("pk"), members=Sum("member_count", filter=MEMBER_HOLDERS))
            .values_list("prefix", "orgs", "members")
        )
    counts = {}
    if parts:
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        counts = {prefix: (n, members or 0) for prefix, n, members in query}
    for node in nodes:
        node.subtree_orgs, node.subtree_members = counts.get(node.path, (0, 0))
    return nodes


def attach_ancestors(*, user, orgs):
    """Set `ancestors` (root first) and `parent_org` on each org: one query for all of them.

    Only ancestors inside the user's scope are named, so a branch secretary sees
    their own branch and nothing above it, as everywhere else.
    """
    paths = {path for org in orgs for path in org.ancestor_paths()}
    found = {}
    if paths:
        found = {
            o.path: o
            for o in Organization.objects.visible_to(user)
            .filter(path__in=paths)
            .only("pk", "name", "path", "depth", "is_active")
        }
    for org in orgs:
        org.ancestors = [found[p] for p in org.ancestor_paths() if p in found]
        org.parent_org = found.get(org.parent_path) if org.depth > 1 else None
    return orgs


def org_role_holders(*, org):
    """Who holds a role on this organization, with the users: one query."""
    return (
        Assignment.objects.filter(organization=org)
        .select_related("user")
        .order_by("role", "user__full_name", "user__username")
    )


ORG_HISTORY_LIMIT = 50
# Tree bookkeeping and timestamps change on every save or move; a move shows
# through its change reason instead.
ORG_DIFF_FIELDS = (
    "code", "name", "level", "category", "secretary_name", "secretary_phone",
    "member_count", "founded_on", "venue_area", "is_demonstration", "is_active",
)


@dataclass
class OrgHistoryEntry:
    record: object
    kind: str  # "created", "changed", "deleted"
    changes: list = field(default_factory=list)  # (field label, old, new)
    reason: str = ""


def _plain_reasons():
    """The services' default reasons, which only repeat the entry's kind: not shown.
    They are stored translated in the writer's language, so both forms are matched."""
    return {"Created", "Edited", _("Created"), _("Edited")}


def _org_value(name, value, category_names):
    if value is None or value == "":
        return "—"
    if name == "level":
        return Level(value).label if value in Level.values else value
    if name == "category":
        return category_names.get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def org_audit_trail(*, org):
    """The organization's history, newest first, each record diffed against the one before.

    Two queries: the last ORG_HISTORY_LIMIT + 1 records (the extra one is what the
    oldest shown record is compared with) and the names of the categories they name.
    """
    records = list(
        org.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : ORG_HISTORY_LIMIT + 1
        ]
    )
    category_ids = {r.category_id for r in records if r.category_id is not None}
    category_names = (
        dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "name"))
        if category_ids
        else {}
    )
    labels = {name: Organization._meta.get_field(name).verbose_name for name in ORG_DIFF_FIELDS}
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    plain = _plain_reasons()
    entries = []
    for index, record in enumerate(records[:ORG_HISTORY_LIMIT]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if record.history_type == "~" and older is not None:
            for name in ORG_DIFF_FIELDS:
                attname = Organization._meta.get_field(name).attname
                old, new = getattr(older, attname), getattr(record, attname)
                if old != new:
                    changes.append(
                        (
                            labels[name],
                            _org_value(name, old, category_names),
                            _org_value(name, new, category_names),
                        )
                    )
        reason = record.history_change_reason or ""
        entries.append(
            OrgHistoryEntry(
                record,
                kinds.get(record.history_type, "changed"),
                changes,
                "" if reason in plain else reason,
            )
        )
    return entries


def org_assignment_history(*, org):
    """Roles given, changed or taken away on this organization, newest first: one query."""
    return (
        Assignment.history.filter(organization_id=org.pk)
        .select_related("history_user", "user")
        .order_by("-history_date", "-history_id")[:ORG_HISTORY_LIMIT]
    )


def move_targets(*, user, org):
    """Where a manager may move `org`: active non-branch organizations in their manage scope,
    outside the org's own subtree and other than its current parent."""
    return (
        manageable_orgs(user)
        .exclude(level__in=BRANCH_LEVELS)
        .exclude(path__startswith=org.path)
        .exclude(path=org.parent_path)
    )

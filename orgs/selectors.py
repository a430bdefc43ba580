"""Reads: querysets with their joins applied, already scoped to the user."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from .models import BRANCH_LEVELS, Assignment, Level, Organization, Role, User
from .scoping import grants, is_unrestricted, path_in_scope, scope_q

# For the organization pages (tree, list, detail).
from django.db.models import F, Window
from django.db.models.functions import Length, RowNumber, Substr

from .models import COMMITTEE_LEVELS, Category
from .scoping import manageable_orgs, scope_paths


# --- Home page (owned by the users/home work) ---------------------------------


@dataclass
class Figures:
    """Counts over one scope for the home page, from one grouped query."""

    org_total: int = 0
    inactive: int = 0
    members: int = 0
    demonstration: int = 0
    branches: int = 0
    by_level: list = field(default_factory=list)
    by_category: list = field(default_factory=list)


def _paths_q(paths) -> Q:
    """Organizations inside any of these subtrees; None means everything."""
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def _figures(paths) -> Figures:
    """One GROUP BY query: a county has a few hundred (level, category, flags) groups at most,
    so the totals, the breakdowns and the inactive count all come from the same rows."""
    rows = (
        Organization.objects.filter(_paths_q(paths))
        .order_by()
        .values("level", "category__name", "category__ordering", "is_active", "is_demonstration")
        .annotate(n=Count("pk"), members=Sum("member_count"))
    )
    figures = Figures()
    levels, categories = {}, {}
    for row in rows:
        if not row["is_active"]:
            figures.inactive += row["n"]
            continue
        figures.org_total += row["n"]
        if row["is_demonstration"]:
            figures.demonstration += row["n"]
        if row["level"] in BRANCH_LEVELS:
            # Members are registered in branches; a committee's own figure repeats
            # its branches', so adding it too would count people twice.
            figures.branches += row["n"]
            figures.members += row["members"] or 0
        levels[row["level"]] = levels.get(row["level"], 0) + row["n"]
        if row["category__name"]:
            key = (row["category__ordering"], row["category__name"])
            categories[key] = categories.get(key, 0) + row["n"]
    figures.by_level = [
        (level.label, levels[level]) for level in Level if levels.get(level)
    ]
    figures.by_category = [(name, n) for (_, name), n in sorted(categories.items())]
    return figures


HOME_BRANCH_ROWS = 20


def home_summary(*, user):
    """What the home page shows, one section per role the user holds.

    Queries: one for the organizations the user's roles sit on, one grouped count
    per county/committee/viewer role, one for the first branches of each committee
    and one for the parents of the branch cards. The number depends on how many
    roles a user holds (a handful), never on the size of the tree.
    """
    user_grants = grants(user)
    by_role = {}
    for grant in user_grants:
        by_role.setdefault(grant.role, []).append(grant)
    org_ids = {grant.org_id for grant in user_grants}
    orgs = (
        {o.pk: o for o in Organization.objects.filter(pk__in=org_ids).select_related("category")}
        if org_ids
        else {}
    )

    county = None
    if is_unrestricted(user):
        county = {"orgs": [], "figures": _figures(None)}
    elif Role.COUNTY_STAFF in by_role:
        county_grants = by_role[Role.COUNTY_STAFF]
        county = {
            "orgs": [orgs[g.org_id] for g in county_grants],
            "figures": _figures([g.path for g in county_grants]),
        }

    committees = []
    for grant in by_role.get(Role.COMMITTEE_STAFF, []):
        branches = list(
            Organization.objects.filter(
                path__startswith=grant.path, level__in=BRANCH_LEVELS, is_active=True
            ).select_related("category")[:HOME_BRANCH_ROWS]
        )
        figures = _figures([grant.path])
        committees.append(
            {
                "org": orgs[grant.org_id],
                "figures": figures,
                "branches": branches,
                "more_branches": max(figures.branches - len(branches), 0),
            }
        )

    viewer = [
        {"org": orgs[g.org_id], "figures": _figures([g.path])}
        for g in by_role.get(Role.VIEWER, [])
    ]
    own_branches = [orgs[g.org_id] for g in by_role.get(Role.SECRETARY, [])]
    paired = [orgs[g.org_id] for g in by_role.get(Role.HELPER, [])]
    _attach_parents(own_branches + paired)

    return {
        "county": county,
        "committees": committees,
        "viewer_sections": viewer,
        "own_branches": own_branches,
        "paired": paired,
        "has_role": bool(user_grants) or is_unrestricted(user),
    }


def _attach_parents(orgs):
    """Set `parent_org` on each card's organization with one query for all of them."""
    parent_paths = {o.parent_path for o in orgs if o.depth > 1}
    parents = (
        {p.path: p for p in Organization.objects.filter(path__in=parent_paths)}
        if parent_paths
        else {}
    )
    for org in orgs:
        org.parent_org = parents.get(org.parent_path)


# --- Organization pages: tree, list, detail (owned by the org pages work) -----

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
        rows = Organization.objects.order_by().filter(_paths_q(anchors), depth__gte=depth)
        if not include_inactive:
            rows = rows.filter(is_active=True)
        parts.append(
            rows.annotate(prefix=Substr("path", 1, depth * STEP))
            .values("prefix")
            .annotate(orgs=Count("pk"), members=Sum("member_count"))
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


# --- Users and assignments, for county staff (owned by the users work) --------

USER_LIST_LEVELS = (Level.COUNTY, Level.COMMITTEE, Level.WORK_COMMITTEE)


def staff_scope_q(actor, prefix: str = "") -> Q:
    """Where the actor manages users: the subtrees of their county-staff roles only.

    Narrower than `scope_q`, which also counts the actor's other roles: a county
    staff member who is also a viewer of the next county must not set passwords
    there. `prefix` as for `scope_q`.
    """
    return scope_q(actor, prefix, roles={Role.COUNTY_STAFF})


def in_staff_scope(actor, path: str) -> bool:
    return path_in_scope(actor, path, {Role.COUNTY_STAFF})


def scoped_assignments_prefetch(actor, to_attr="scoped_assignments"):
    """A user's assignments on organizations inside the actor's scope, with the organization."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(staff_scope_q(actor, "organization__"))
        .select_related("organization")
        .order_by("organization__path", "role"),
        to_attr=to_attr,
    )


def users_for_staff(*, actor, search="", role="", org=None, active=None):
    """Users holding an assignment inside the actor's scope, each with those assignments.

    The role and organization filters go into the same `filter()` as the scope so
    they apply to one assignment row: "secretaries under town A", not "a secretary
    somewhere and something under town A".
    """
    cond = staff_scope_q(actor, "assignments__organization__")
    if role:
        cond &= Q(assignments__role=role)
    if org is not None:
        cond &= Q(assignments__organization__path__startswith=org.path)
    qs = User.objects.filter(cond)
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(full_name__icontains=search)
            | Q(phone__icontains=search)
        )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.distinct().order_by("username").prefetch_related(scoped_assignments_prefetch(actor))


def user_filter_orgs(*, actor):
    """The county and committees in the actor's scope, for the list's organization filter."""
    return (
        Organization.objects.filter(staff_scope_q(actor))
        .filter(level__in=USER_LIST_LEVELS)
        .only("pk", "name", "path", "depth", "level")
    )


def split_assignments(*, actor, target):
    """(assignments inside the actor's scope, how many lie outside), one query."""
    rows = list(
        Assignment.objects.filter(user=target)
        .select_related("organization")
        .order_by("organization__path", "role")
    )
    inside = [a for a in rows if in_staff_scope(actor, a.organization.path)]
    return inside, len(rows) - len(inside)


USER_HISTORY_FIELDS = (
    "username", "full_name", "phone", "email", "is_active", "is_staff", "is_superuser"
)
# Every login saves last_login and so writes a history row with no visible change;
# read this many rows to find the real edits among them.
USER_HISTORY_SCAN = 200
HISTORY_LIMIT = 50


@dataclass
class HistoryEvent:
    when: object
    who: object
    kind: str  # "created", "edited", "note", "assigned", "unassigned", "assignment_changed"
    text: str = ""
    changes: list = field(default_factory=list)  # (field label, old, new)
    assignment: object = None


def _show(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value if value not in ("", None) else "—"


def user_history(*, actor, target):
    """Edits of the user and the assignments given or removed inside the actor's scope,
    newest first. Two queries."""
    labels = {name: User._meta.get_field(name).verbose_name for name in USER_HISTORY_FIELDS}
    rows = list(
        User.history.filter(id=target.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:USER_HISTORY_SCAN]
    )
    events = []
    for index, row in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        reason = row.history_change_reason or ""
        if row.history_type == "+":
            events.append(HistoryEvent(row.history_date, row.history_user, "created", reason))
            continue
        if older is None:
            continue  # the row before it is past the scan window: its change is unknown
        changes = [
            (labels[name], _show(getattr(older, name)), _show(getattr(row, name)))
            for name in USER_HISTORY_FIELDS
            if getattr(older, name) != getattr(row, name)
        ]
        if changes:
            events.append(
                HistoryEvent(row.history_date, row.history_user, "edited", reason, changes)
            )
        elif reason:
            events.append(HistoryEvent(row.history_date, row.history_user, "note", reason))
    kinds = {"+": "assigned", "-": "unassigned", "~": "assignment_changed"}
    for row in (
        Assignment.history.filter(user_id=target.pk)
        .filter(staff_scope_q(actor, "organization__"))
        .select_related("organization", "history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    ):
        events.append(
            HistoryEvent(
                row.history_date, row.history_user, kinds[row.history_type], assignment=row
            )
        )
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:HISTORY_LIMIT]

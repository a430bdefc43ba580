"""Reads for the home page: figures over a user's scope."""

from dataclasses import dataclass, field

from django.db.models import Count, Sum

from ..models import (
    BRANCH_LEVELS,
    Level,
    Organization,
    Role,
)
from ..scoping import (
    grants,
    is_unrestricted,
    subtrees_q,
)


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


def _figures(paths) -> Figures:
    """One GROUP BY query: a county has a few hundred (level, category, flags) groups at most,
    so the totals, the breakdowns and the inactive count all come from the same rows."""
    rows = (
        Organization.objects.filter(subtrees_q(paths))
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

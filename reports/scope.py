"""The dashboard's scope: the user's scope, narrowed down the tree to one organization.

A reader picks an organization inside their scope (county → committee →
organization, `?org=<pk>`); every panel then reads that organization's subtree,
still through the one scope mechanism (orgs.scoping), and breaks its figures
down by the organization's children (a county by committee, a committee by
branch) with a path prefix grouped in the database.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from orgs.models import Organization, Role
from orgs.scoping import has_role, is_unrestricted, scope_paths, scope_q, subtrees_q

STEP = Organization.steplen
READER_ROLES = (Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER)


def can_read_dashboard(user) -> bool:
    return is_unrestricted(user) or has_role(user, *READER_ROLES)


@dataclass
class DashboardScope:
    user: object
    root: Organization | None  # None: all of an unrestricted user's tree
    trail: list = field(default_factory=list)  # from the user's scope root down to `root`
    groups: dict = field(default_factory=dict)  # path prefix -> child Organization

    def q(self, prefix: str = "") -> Q:
        """Rows of the chosen subtree that the user may see."""
        q = scope_q(self.user, prefix, roles=READER_ROLES)
        if self.root is not None:
            q &= subtrees_q([self.root.path], prefix)
        return q

    @property
    def group_length(self) -> int:
        """The length of the path prefix that names a row's group (a child of the root)."""
        return (self.root.depth + 1) * STEP if self.root is not None else STEP

    @property
    def label(self) -> str:
        return self.root.name if self.root is not None else ""

    def params(self) -> dict:
        return {"org": self.root.pk} if self.root is not None else {}


def _default_root(user):
    paths = scope_paths(user, roles=READER_ROLES)
    if paths is None:
        roots = list(Organization.objects.get_root_nodes()[:2])
        return roots[0] if len(roots) == 1 else None
    if not paths:
        raise PermissionDenied
    # A reader with several subtrees starts at the first; the picker lists the others.
    return Organization.objects.get(path=sorted(paths)[0])


def resolve_scope(request) -> DashboardScope:
    """The scope of `?org=`; 404 for an organization outside the user's scope, 403 for
    a user who reads no dashboard. Queries: the root (one), its trail and its
    children (one)."""
    user = request.user
    if not can_read_dashboard(user):
        raise PermissionDenied
    raw = request.GET.get("org", "")
    if raw:
        if not raw.isdigit():
            raise Http404("No such organization")
        root = (
            Organization.objects.filter(scope_q(user, roles=READER_ROLES), pk=int(raw)).first()
        )
        if root is None:
            raise Http404("No such organization")
    else:
        root = _default_root(user)
    scope = DashboardScope(user=user, root=root)
    if root is None:
        scope.groups = {
            org.path: org for org in Organization.objects.filter(depth=1).order_by("path")
        }
        return scope
    # One query: the root's ancestors (for the trail) and its children (the groups).
    ancestors = [root.path[:i] for i in range(STEP, len(root.path), STEP)]
    rows = Organization.objects.filter(
        Q(path__in=ancestors) | Q(path__startswith=root.path, depth=root.depth + 1)
    ).filter(scope_q(user, roles=READER_ROLES) | Q(path__in=ancestors)).select_related(
        "category"
    ).order_by("path")
    readable = scope_paths(user, roles=READER_ROLES)
    for org in rows:
        if org.depth == root.depth + 1:
            scope.groups[org.path] = org
        elif readable is None or any(org.path.startswith(p) for p in readable):
            scope.trail.append(org)  # an ancestor the user may open (not above their scope)
    scope.trail.append(root)
    return scope

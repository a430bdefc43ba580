"""Who may see and change what: the one scope mechanism.

A user's scope is the union of the subtrees of the organizations they hold a
role on. Every queryset that reaches a user is filtered with `scope_q`, on the
tree's materialized path, whichever model it is: an organization is filtered on
`path`, anything that belongs to one on `<field>__path`.

The user's assignments are read once per request and cached on the user object.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from .models import MANAGING_ROLES, Assignment, Organization, Role

_CACHE_ATTR = "_partybuild_grants"


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    path: str


def grants(user) -> list[Grant]:
    """The user's (role, organization path) pairs; one query, cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        rows = (
            Assignment.objects.filter(user=user, organization__is_active=True)
            .values_list("role", "organization_id", "organization__path")
            .order_by("organization__path")
        )
        cached = [Grant(role, org_id, path) for role, org_id, path in rows]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user):
    """Call after changing a user's assignments within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_unrestricted(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def _collapse(paths):
    """Drop paths inside another one: ['0001', '00010002'] -> ['0001']."""
    kept = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def scope_paths(user, roles=None):
    """Root paths of the user's scope; None means everything (superuser).

    With `roles`, only the subtrees where the user holds one of those roles:
    where they may manage, as opposed to where they may look.
    """
    if is_unrestricted(user):
        return None
    return _collapse(g.path for g in grants(user) if roles is None or g.role in roles)


def scope_q(user, prefix: str = "", roles=None) -> Q:
    """A Q limiting a queryset to the user's scope (or, with `roles`, part of it).

    `prefix` names the way to the organization: "" for Organization itself,
    "organization__" for a model with an `organization` foreign key.
    """
    return subtrees_q(scope_paths(user, roles), prefix)


def lineage_q(user, prefix: str = "", roles=None) -> Q:
    """The scope plus the organizations above it.

    For what an organization hands down to its subtree, such as the county's
    standard library: a branch secretary reads the county's set, not a neighbour
    county's.
    """
    paths = scope_paths(user, roles)
    if paths is None:
        return Q()
    step = Organization.steplen
    above = {path[:i] for path in paths for i in range(step, len(path), step)}
    return subtrees_q(paths, prefix) | Q(**{f"{prefix}path__in": sorted(above)})


def subtrees_q(paths, prefix: str = "") -> Q:
    """Rows inside any of these subtrees; None means everything, [] nothing."""
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def path_in_scope(user, path: str, roles=None) -> bool:
    if is_unrestricted(user):
        return True
    return any(
        path.startswith(g.path) for g in grants(user) if roles is None or g.role in roles
    )


def roles_of(user) -> set[str]:
    return {g.role for g in grants(user)}


def has_role(user, *roles) -> bool:
    return is_unrestricted(user) or bool(roles_of(user) & set(roles))


def is_county_staff(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF)


def can_manage(user, org: Organization) -> bool:
    """Create children, edit every field, move and deactivate: staff over the org's subtree."""
    return path_in_scope(user, org.path, MANAGING_ROLES)


def can_edit_details(user, org: Organization) -> bool:
    """A secretary may keep their own branch's contact details and figures up to date."""
    return can_manage(user, org) or path_in_scope(user, org.path, {Role.SECRETARY})


def is_scope_root(user, org: Organization) -> bool:
    """The organization a (non-superuser) user's role sits on: they may not remove it."""
    return any(g.org_id == org.pk for g in grants(user))


def manageable_orgs(user):
    """Active organizations the user may put things under or move things to."""
    return Organization.objects.filter(is_active=True).filter(scope_q(user, roles=MANAGING_ROLES))


@dataclass(frozen=True)
class OrgAccess:
    can_edit_details: bool
    can_manage: bool


def get_org_for_user(request, pk, *, queryset=None):
    """The access helper every organization view uses.

    Returns (organization, access). An organization outside the user's scope is a
    404, so nobody learns whether it exists; views that change it raise 403 when
    `access` does not allow the change.
    """
    qs = queryset if queryset is not None else Organization.objects.all()
    try:
        org = qs.visible_to(request.user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("No such organization") from None
    return org, OrgAccess(
        can_edit_details=can_edit_details(request.user, org),
        can_manage=can_manage(request.user, org),
    )

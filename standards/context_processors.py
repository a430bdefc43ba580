from orgs.models import Role
from orgs.scoping import roles_of

from .access import can_browse_sets


def standards_nav(request):
    """The header's 标准体系 entries; reads the grants the request has already cached."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_browse_sets": can_browse_sets(user),
        "has_own_checklist": bool(roles_of(user) & {Role.SECRETARY, Role.HELPER}),
    }

from orgs.models import Role
from orgs.scoping import has_role


def supervision_nav(request):
    """The header's 督查 entry: read from the grants the request has cached (no query).
    The unread count is fetched by htmx (views/badge.py), not here."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_read_supervision": has_role(user, Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER),
    }

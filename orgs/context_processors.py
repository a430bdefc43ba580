from .models import Role
from .scoping import grants, is_county_staff, is_unrestricted


def roles(request):
    """What the header needs to show the right menu; one cached query per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_grants = grants(user)
    role_set = {g.role for g in user_grants}
    return {
        "user_roles": role_set,
        "is_county_staff": is_county_staff(user),
        "is_superuser_user": is_unrestricted(user),
        "can_manage_orgs": is_unrestricted(user)
        or bool(role_set & {Role.COUNTY_STAFF, Role.COMMITTEE_STAFF}),
        "can_read_dashboard": _can_read_dashboard(user),
    }


def _can_read_dashboard(user) -> bool:
    # Imported here: reports depends on orgs, not the other way round.
    from reports.scope import can_read_dashboard

    return can_read_dashboard(user)

from orgs.models import Role
from orgs.scoping import has_role, roles_of

from .selectors_campaigns import can_browse_campaigns


def assessments_nav(request):
    """The header's 评定活动 / 我的自查 / 审核 entries; reads the grants the request has cached."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_browse_campaigns": can_browse_campaigns(user),
        "has_my_tasks": Role.SECRETARY in roles_of(user),
        "can_review_assessments": has_role(user, Role.COMMITTEE_STAFF, Role.COUNTY_STAFF),
    }

"""Reads every app's reports share: the committees of a scope, its names, the categories.

The committee level is the county's children (县委 → 党委/党工委): a committee's
subtree is the first two steps of a path, so reports group on that prefix in the
database and look the committee's name up afterwards (a few rows per county).
"""

from ..models import Category, Organization
from ..scoping import scope_paths, scope_q

STEP = Organization.steplen
COMMITTEE_DEPTH = 2
COMMITTEE_PREFIX = COMMITTEE_DEPTH * STEP


def committee_choices(user):
    """The committee-level organizations in the user's scope (one query); empty for a
    user whose scope lies below that level."""
    return list(
        Organization.objects.filter(depth=COMMITTEE_DEPTH, is_active=True)
        .filter(scope_q(user))
        .only("pk", "name", "code", "path", "depth")
        .order_by("path")
    )


def category_choices():
    return list(Category.objects.order_by("ordering", "pk").only("pk", "name", "code"))


def scope_names(user) -> list[str]:
    """The names of the organizations the user's scope starts from, for an export's
    范围 (one query; [] means everything)."""
    paths = scope_paths(user)
    if paths is None:
        return []
    return list(
        Organization.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    )


def committee_names() -> dict:
    """path -> name of the organizations down to the committee level (one query)."""
    return dict(
        Organization.objects.filter(depth__lte=COMMITTEE_DEPTH).order_by().values_list("path", "name")
    )


def committee_of(path: str, names: dict) -> str:
    """The name of the committee an organization belongs to ('' above the committees)."""
    if len(path) < COMMITTEE_PREFIX:
        return ""
    return names.get(path[:COMMITTEE_PREFIX], "")

"""Who may read and change a standard set.

A set belongs to the organization that issued it (the county). It is read by the
people of that county: everyone whose scope lies inside or above the issuer
(`StandardSet.objects.visible_to`). Whole sets are browsed by staff and viewers;
a branch secretary or helper reads only the checklist of their own organization.
Only county staff over the issuer change it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from orgs.models import Organization, Role
from orgs.scoping import grants, has_role, path_in_scope

from .models import StandardItem, StandardSet

BROWSING_ROLES = (Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER)


def can_browse_sets(user) -> bool:
    return has_role(user, *BROWSING_ROLES)


def can_edit_set(user, standard_set) -> bool:
    return path_in_scope(user, standard_set.organization.path, {Role.COUNTY_STAFF})


def can_create_sets(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF)


def get_set_for_user(request, pk, *, queryset=None, browse=True):
    """(standard_set, can_edit): 404 when the set is not the user's county's,
    403 when the user may not browse whole sets.

    `browse=False` is for the checklist, which a secretary may read for their own
    category (see checklist_category_ids): it skips the 403, and such a reader
    never sees a draft.
    """
    qs = queryset if queryset is not None else StandardSet.objects.all()
    try:
        standard_set = qs.select_related("organization").visible_to(request.user).get(pk=pk)
    except (StandardSet.DoesNotExist, ValueError, TypeError):
        raise Http404("No such standard set") from None
    if not can_browse_sets(request.user):
        if browse:
            raise PermissionDenied
        if standard_set.is_draft:
            raise Http404("No such standard set")
    return standard_set, can_edit_set(request.user, standard_set)


def checklist_category_ids(user):
    """The categories whose checklist the user may print: None means every one
    (people who browse sets); otherwise those of the organizations they hold a
    role on (a secretary's own branch), one query."""
    if can_browse_sets(user):
        return None
    org_ids = {g.org_id for g in grants(user)}
    return set(
        Organization.objects.filter(pk__in=org_ids, category__isnull=False).values_list(
            "category_id", flat=True
        )
    )


def get_item_for_user(request, pk):
    """(item, can_edit) through the item's set, with the same rules."""
    try:
        item = StandardItem.objects.select_related(
            "standard_set__organization", "dimension"
        ).get(pk=pk, standard_set__in=StandardSet.objects.visible_to(request.user))
    except (StandardItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item") from None
    if not can_browse_sets(request.user):
        raise PermissionDenied
    return item, can_edit_set(request.user, item.standard_set)

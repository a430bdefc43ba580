"""Who may see and do what in supervision.

A committee's dispatch and inspection are read by whoever's scope covers the
committee (county and committee staff, viewers); the committee's own staff (and
county staff) write and submit its dispatch; county staff send one back, assign
inspectors and close an inspection; the assigned inspectors and county staff record
visits and findings. Notifications are their user's alone. The job page is for
county staff.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from orgs.models import MANAGING_ROLES, Role
from orgs.scoping import has_role, is_unrestricted, path_in_scope, scope_q

from .models import Dispatch, DispatchStatus, Inspection, InspectionSample, Notification


def can_read(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER) or \
        Inspection.inspectors.through.objects.filter(user_id=user.pk).exists()


def is_county_staff(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF)


@dataclass(frozen=True)
class DispatchAccess:
    can_write: bool
    can_reopen: bool


def get_dispatch_for_user(request, pk):
    try:
        dispatch = Dispatch.objects.select_related("committee", "submitted_by") \
            .visible_to(request.user).get(pk=pk)
    except (Dispatch.DoesNotExist, ValueError, TypeError):
        raise Http404("No such dispatch") from None
    user, path = request.user, dispatch.committee.path
    return dispatch, DispatchAccess(
        can_write=dispatch.status == DispatchStatus.DRAFT and path_in_scope(user, path, MANAGING_ROLES),
        can_reopen=dispatch.status == DispatchStatus.SUBMITTED
        and path_in_scope(user, path, {Role.COUNTY_STAFF}),
    )


def inspections_visible_to(user):
    """The committee's inspections in scope, and those the user inspects."""
    if is_unrestricted(user):  # Q() | Q(inspectors=user) would keep only the second part
        return Inspection.objects.all()
    return Inspection.objects.filter(scope_q(user, "committee__") | Q(inspectors=user)).distinct()


@dataclass(frozen=True)
class InspectionAccess:
    can_manage: bool  # assign inspectors, finish
    can_record: bool  # visits and findings


def inspection_access(user, inspection) -> InspectionAccess:
    manage = path_in_scope(user, inspection.committee.path, {Role.COUNTY_STAFF})
    inspector = inspection.inspectors.filter(pk=user.pk).exists()
    return InspectionAccess(can_manage=manage, can_record=manage or inspector)


def get_inspection_for_user(request, pk):
    try:
        inspection = inspections_visible_to(request.user).select_related("committee").get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404("No such inspection") from None
    return inspection, inspection_access(request.user, inspection)


def get_sample_for_user(request, pk):
    try:
        sample = InspectionSample.objects.select_related("inspection__committee", "organization") \
            .filter(inspection__in=inspections_visible_to(request.user)).get(pk=pk)
    except (InspectionSample.DoesNotExist, ValueError, TypeError):
        raise Http404("No such organization in the sample") from None
    return sample, inspection_access(request.user, sample.inspection)


def get_notification_for_user(request, pk):
    try:
        return Notification.objects.get(pk=pk, user=request.user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notification") from None

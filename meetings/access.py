"""Who may see and write the meeting log.

Everyone with a role reads the log of their scope (scope_q on the meeting's
organization). A branch secretary logs and edits their own branch's meetings;
committee and county staff those of their subtree. County staff over a county
bind standard items to its meeting types.
"""

from django.http import Http404

from orgs.models import MANAGING_ROLES, Role
from orgs.scoping import grants, has_role, is_unrestricted, path_in_scope

from .models import Meeting, MeetingAttachment

WRITERS = {Role.SECRETARY, *MANAGING_ROLES}


def can_read(user) -> bool:
    return is_unrestricted(user) or bool(grants(user))


def can_log(user, org) -> bool:
    """Record, edit and delete meetings of this organization."""
    return path_in_scope(user, org.path, WRITERS)


def can_log_any(user) -> bool:
    return has_role(user, *WRITERS)


def can_bind(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF)


def get_meeting_for_user(request, pk):
    """(meeting, can_write); out of scope → 404."""
    try:
        meeting = Meeting.objects.select_related("organization", "meeting_type", "recorded_by") \
            .visible_to(request.user).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting") from None
    return meeting, can_log(request.user, meeting.organization)


def get_attachment_for_user(request, pk):
    """A meeting's file, served to whoever may see the meeting and to no one else."""
    try:
        attachment = MeetingAttachment.objects.select_related("meeting__organization").filter(
            meeting__in=Meeting.objects.visible_to(request.user)).get(pk=pk)
    except (MeetingAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None
    return attachment, can_log(request.user, attachment.meeting.organization)

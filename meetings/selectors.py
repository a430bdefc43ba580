"""Reads of the meeting log: the list and export rows, an organization's year, the organizations
a user logs for, and what the tabs offer. Every queryset starts from `visible_to(user)` or
from an organization the view has scope-checked."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from orgs.models import BRANCH_LEVELS, Level, Organization
from orgs.scoping import scope_q

from . import access
from .models import Meeting, MeetingType

# The organizations that hold 三会一课: branches, and general branches for their own meetings.
LOGGING_LEVELS = sorted({*BRANCH_LEVELS, Level.GENERAL_BRANCH})
LATEST = 3


@dataclass(frozen=True)
class LogFilters:
    committee: Organization | None = None
    q: str = ""
    meeting_type_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    year: int | None = None


def meetings_for_user(*, user, filters: LogFilters):
    """The meetings in scope matching the filters, newest first, with what a row shows
    joined and its number of files annotated (one query per page)."""
    qs = Meeting.objects.visible_to(user)
    f = filters
    if f.committee is not None:
        qs = qs.filter(organization__path__startswith=f.committee.path)
    if f.q:
        qs = qs.filter(Q(organization__name__icontains=f.q) | Q(organization__code__iexact=f.q))
    if f.meeting_type_id:
        qs = qs.filter(meeting_type_id=f.meeting_type_id)
    if f.date_from:
        qs = qs.filter(held_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(held_on__lte=f.date_to)
    if f.year:
        qs = qs.filter(held_on__year=f.year)
    return qs.order_by("-held_on", "-pk")


def list_rows(queryset):
    return queryset.select_related("organization", "meeting_type", "recorded_by").annotate(
        n_files=Count("attachments")
    )


def type_choices(user):
    """The meeting types a user may filter on: their county's, active or retired (one query)."""
    return list(MeetingType.objects.visible_to(user).only("pk", "name").order_by("ordering", "pk"))


def loggable_orgs(user):
    """The active branches the user may log meetings for (a queryset, ordered by the tree)."""
    return (
        Organization.objects.filter(is_active=True, level__in=LOGGING_LEVELS)
        .filter(scope_q(user, roles=access.WRITERS))
        .order_by("path")
    )


def org_year(org, year: int):
    """The organization's meetings of a year, oldest first, with their type and file count
    (one query)."""
    return list(
        Meeting.objects.filter(organization=org, held_on__year=year)
        .select_related("meeting_type")
        .annotate(n_files=Count("attachments"))
        .order_by("held_on", "pk")
    )


def held_by_type(org, year: int) -> list[dict]:
    """[{meeting_type_id, name, days: [held_on, …]}] of the organization's year, in the types'
    order (one query)."""
    rows = (
        Meeting.objects.filter(organization=org, held_on__year=year)
        .order_by("meeting_type__ordering", "meeting_type_id", "held_on")
        .values("meeting_type_id", "meeting_type__name", "held_on")
        .annotate(n=Count("pk"))
    )
    out = {}
    for r in rows:
        entry = out.setdefault(r["meeting_type_id"], {
            "meeting_type_id": r["meeting_type_id"], "name": r["meeting_type__name"], "days": []})
        entry["days"].extend([r["held_on"]] * r["n"])
    return list(out.values())


def latest_meetings(org, n=LATEST):
    return list(
        Meeting.objects.filter(organization=org).select_related("meeting_type")
        .order_by("-held_on", "-pk")[:n]
    )


def tabs_context(user) -> dict:
    """What the meetings tabs offer this user (no query: the grants are cached). A page
    including templates/meetings/_tabs.html passes this as `meetings_tabs`."""
    return {"can_import": access.can_log_any(user), "can_bind": access.can_bind(user)}

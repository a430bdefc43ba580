"""Reads for user and assignment management by county staff."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from ..models import (
    Assignment,
    Level,
    Organization,
    Role,
    User,
)
from ..scoping import (
    path_in_scope,
    scope_q,
)

USER_LIST_LEVELS = (Level.COUNTY, Level.COMMITTEE, Level.WORK_COMMITTEE)


def staff_scope_q(actor, prefix: str = "") -> Q:
    """Where the actor manages users: the subtrees of their county-staff roles only.

    Narrower than `scope_q`, which also counts the actor's other roles: a county
    staff member who is also a viewer of the next county must not set passwords
    there. `prefix` as for `scope_q`.
    """
    return scope_q(actor, prefix, roles={Role.COUNTY_STAFF})


def in_staff_scope(actor, path: str) -> bool:
    return path_in_scope(actor, path, {Role.COUNTY_STAFF})


def scoped_assignments_prefetch(actor, to_attr="scoped_assignments"):
    """A user's assignments on organizations inside the actor's scope, with the organization."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(staff_scope_q(actor, "organization__"))
        .select_related("organization")
        .order_by("organization__path", "role"),
        to_attr=to_attr,
    )


def users_for_staff(*, actor, search="", role="", org=None, active=None):
    """Users holding an assignment inside the actor's scope, each with those assignments.

    The role and organization filters go into the same `filter()` as the scope so
    they apply to one assignment row: "secretaries under town A", not "a secretary
    somewhere and something under town A".
    """
    cond = staff_scope_q(actor, "assignments__organization__")
    if role:
        cond &= Q(assignments__role=role)
    if org is not None:
        cond &= Q(assignments__organization__path__startswith=org.path)
    qs = User.objects.filter(cond)
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(full_name__icontains=search)
            | Q(phone__icontains=search)
        )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.distinct().order_by("username").prefetch_related(scoped_assignments_prefetch(actor))


def user_filter_orgs(*, actor):
    """The county and committees in the actor's scope, for the list's organization filter."""
    return (
        Organization.objects.filter(staff_scope_q(actor))
        .filter(level__in=USER_LIST_LEVELS)
        .only("pk", "name", "path", "depth", "level")
    )


def split_assignments(*, actor, target):
    """(assignments inside the actor's scope, how many lie outside), one query."""
    rows = list(
        Assignment.objects.filter(user=target)
        .select_related("organization")
        .order_by("organization__path", "role")
    )
    inside = [a for a in rows if in_staff_scope(actor, a.organization.path)]
    return inside, len(rows) - len(inside)


USER_HISTORY_FIELDS = (
    "username", "full_name", "phone", "email", "is_active", "is_staff", "is_superuser"
)
# Every login saves last_login and so writes a history row with no visible change;
# read this many rows to find the real edits among them.
USER_HISTORY_SCAN = 200
HISTORY_LIMIT = 50


@dataclass
class HistoryEvent:
    when: object
    who: object
    kind: str  # "created", "edited", "note", "assigned", "unassigned", "assignment_changed"
    text: str = ""
    changes: list = field(default_factory=list)  # (field label, old, new)
    assignment: object = None


def _show(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value if value not in ("", None) else "—"


def user_history(*, actor, target):
    """Edits of the user and the assignments given or removed inside the actor's scope,
    newest first. Two queries."""
    labels = {name: User._meta.get_field(name).verbose_name for name in USER_HISTORY_FIELDS}
    rows = list(
        User.history.filter(id=target.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:USER_HISTORY_SCAN]
    )
    events = []
    for index, row in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        reason = row.history_change_reason or ""
        if row.history_type == "+":
            events.append(HistoryEvent(row.history_date, row.history_user, "created", reason))
            continue
        if older is None:
            continue  # the row before it is past the scan window: its change is unknown
        changes = [
            (labels[name], _show(getattr(older, name)), _show(getattr(row, name)))
            for name in USER_HISTORY_FIELDS
            if getattr(older, name) != getattr(row, name)
        ]
        if changes:
            events.append(
                HistoryEvent(row.history_date, row.history_user, "edited", reason, changes)
            )
        elif reason:
            events.append(HistoryEvent(row.history_date, row.history_user, "note", reason))
    kinds = {"+": "assigned", "-": "unassigned", "~": "assignment_changed"}
    for row in (
        Assignment.history.filter(user_id=target.pk)
        .filter(staff_scope_q(actor, "organization__"))
        .select_related("organization", "history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    ):
        events.append(
            HistoryEvent(
                row.history_date, row.history_user, kinds[row.history_type], assignment=row
            )
        )
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:HISTORY_LIMIT]

"""Reads for the 3+1 pairing pages: each a fixed number of queries, whatever the scope.

A pairing is "upgraded" (晋位升级) as soon as a better accepted assessment of its
organization exists after the pairing began — the rule of services.better_assessment,
written here as SQL (`upgraded_q`) so the list, the per-committee rates and the export
show it at once, without waiting for the hourly job that stores it (pairing_refresh).
Reads never write: a GET must not change a pairing.

Per committee, pairings are grouped on the committee's prefix of their organization's
path (the committee is the second level of the tree, under the county).
"""

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus, Grade
from orgs.models import Assignment, Organization, Role
from orgs.scoping import scope_paths, scope_q
from orgs.selectors.committees import scope_names  # noqa: F401 (the pairing export's 范围)

from . import services
from .models import Milestone, Pairing, PairingStatus, RectificationTask, TaskStatus, Visit

STEP = Organization.steplen
# The county is depth 1, its 党委/党工委 depth 2: the rows of the conversion-rate table.
COMMITTEE_DEPTH = 2
OPEN_TASKS_SHOWN = 10

# What the list's status filter and badge show: the stored status, except that an
# active pairing with a better accepted assessment already counts as upgraded.
ACTIVE, UPGRADED, ENDED = PairingStatus.ACTIVE, PairingStatus.UPGRADED, PairingStatus.ENDED


# ---------------------------------------------------------------- upgraded, in SQL


def _accepted_after_start(grades):
    """An accepted assessment of the pairing's organization, with one of `grades`,
    accepted since the pairing began (as services.better_assessment asks)."""
    return Exists(
        Assessment.objects.filter(
            organization_id=OuterRef("organization_id"), status=AssessmentStatus.ACCEPTED,
            accepted_at__gte=OuterRef("created_at"), grade__in=grades,
        )
    )


def better_exists_q() -> Q:
    """A better accepted assessment exists: one EXISTS per baseline grade (two, for
    three grades), so no rank arithmetic in SQL."""
    parts = []
    for base, rank in services.GRADE_RANK.items():
        better = [g for g, r in services.GRADE_RANK.items() if r > rank]
        if better:
            parts.append(Q(baseline_grade=base) & Q(_accepted_after_start(better)))
    return reduce(or_, parts)


def upgraded_q() -> Q:
    """Upgraded: stored so by the job, or active with a better assessment already there.
    An ended pairing stays ended (pairing_refresh leaves it alone too)."""
    return Q(status=UPGRADED) | (Q(status=ACTIVE) & better_exists_q())


def shown_status_q(status) -> Q:
    if status == UPGRADED:
        return upgraded_q()
    if status == ACTIVE:
        return Q(status=ACTIVE) & ~better_exists_q()
    return Q(status=status)


def _shown_status():
    return Case(
        When(upgraded_q(), then=Value(UPGRADED)),
        default="status",
    )


# ---------------------------------------------------------------- the list


def _count(queryset):
    """COUNT(*) of a pairing's rows as a correlated subquery (no join fan-out when
    two counts sit on one row)."""
    return Coalesce(
        Subquery(
            queryset.filter(pairing=OuterRef("pk")).order_by().values("pairing")
            .annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def month_start(today=None) -> date:
    today = today or timezone.localdate()
    return today.replace(day=1)


def _progress_annotations(today=None):
    today = today or timezone.localdate()
    return {
        "milestones_total": _count(Milestone.objects.all()),
        "milestones_done": _count(Milestone.objects.exclude(done_on=None)),
        "milestones_overdue": _count(Milestone.objects.filter(done_on=None, due_on__lt=today)),
        "visits_month": _count(Visit.objects.filter(visited_on__gte=month_start(today))),
        "last_visit": Subquery(
            Visit.objects.filter(pairing=OuterRef("pk")).order_by("-visited_on", "-pk")
            .values("visited_on")[:1]
        ),
        "shown_status": _shown_status(),
    }


def pairings_for_user(*, user, committee=None, status="", helper=None):
    """The pairings the user sees (helpers: their own, through the helper role), with
    their progress and shown status — one query for a page, every figure a subquery.

    `committee` is an Organization (its subtree), `helper` a user id."""
    qs = (
        Pairing.objects.visible_to(user)
        .select_related("organization", "county_leader", "committee_secretary", "cadre")
        .annotate(**_progress_annotations())
        .order_by("organization__path", "pk")
    )
    if committee is not None:
        qs = qs.filter(organization__path__startswith=committee.path)
    if status:
        qs = qs.filter(shown_status_q(status))
    if helper:
        qs = qs.filter(Q(county_leader_id=helper) | Q(committee_secretary_id=helper)
                       | Q(cadre_id=helper))
    return qs


@dataclass
class RateRow:
    """One committee's pairings and 转化率 (upgraded / all)."""

    key: str  # the committee filter's value (the committee's pk), "" if it has none
    name: str
    total: int = 0
    upgraded: int = 0

    @property
    def rate(self):
        return round(100 * self.upgraded / self.total) if self.total else None


def rates_by_committee(*, user):
    """(rows, totals): per committee, how many pairings and how many upgraded.

    Queries: one grouped over the pairings in scope (the upgraded count is a
    COUNT FILTER on the EXISTS of a better assessment), one for the committees' names.
    The rates are over the whole scope, not the list's filters: the table is the
    county's score, the filters only pick rows.
    """
    prefix_len = COMMITTEE_DEPTH * STEP
    grouped = (
        Pairing.objects.visible_to(user)
        .annotate(prefix=Substr("organization__path", 1, prefix_len))
        .values("prefix")
        .annotate(total=Count("pk"), upgraded=Count("pk", filter=upgraded_q()))
        .order_by("prefix")
    )
    grouped = list(grouped)
    names = {
        org.path: org
        for org in Organization.objects.filter(path__in=[g["prefix"] for g in grouped])
        .only("pk", "name", "path")
    } if grouped else {}
    rows = []
    for g in grouped:
        org = names.get(g["prefix"])
        rows.append(RateRow(key=str(org.pk) if org else "", name=org.name if org else g["prefix"],
                            total=g["total"], upgraded=g["upgraded"]))
    totals = RateRow(key="", name="", total=sum(r.total for r in rows),
                     upgraded=sum(r.upgraded for r in rows))
    return rows, totals


def helper_filter_choices(*, user):
    """The people helping in the pairings the user sees, for the helper filter (one query)."""
    visible = Pairing.objects.visible_to(user).order_by()
    return list(
        get_user_model().objects.filter(
            Q(pk__in=visible.values("county_leader_id"))
            | Q(pk__in=visible.values("committee_secretary_id"))
            | Q(pk__in=visible.values("cadre_id"))
        ).only("pk", "username", "full_name").order_by("full_name", "username")
    )


def export_rows(queryset):
    """The list's rows for the export, with the committee's name: one query for the names
    of the committees, one for the rows (iterated)."""
    prefix_len = COMMITTEE_DEPTH * STEP
    rows = list(queryset)
    prefixes = {p.organization.path[:prefix_len] for p in rows}
    names = dict(
        Organization.objects.filter(path__in=prefixes).values_list("path", "name")
    ) if prefixes else {}
    for p in rows:
        prefix = p.organization.path[:prefix_len]
        p.committee_name = names.get(prefix, "") if prefix != p.organization.path else ""
    return rows


# ---------------------------------------------------------------- one pairing


def pairing_outcome(pairing):
    """The assessment that upgraded it: stored by the job, or found now (not stored:
    a page view never writes; the hourly pairings_sync stores it)."""
    if pairing.outcome_id:
        return Assessment.objects.select_related("campaign").get(pk=pairing.outcome_id)
    if pairing.status == ACTIVE:
        return services.better_assessment(pairing)
    return None


def shown_status(pairing, outcome) -> str:
    if pairing.status == ACTIVE and outcome is not None:
        return UPGRADED
    return pairing.status


def baseline_of(pairing):
    if not pairing.baseline_id:
        return None
    return Assessment.objects.select_related("campaign").get(pk=pairing.baseline_id)


def open_tasks(*, user, organization):
    """(the first open tasks by deadline, how many are open) of the organization."""
    qs = RectificationTask.objects.visible_to(user).filter(organization=organization).exclude(
        status=TaskStatus.CLOSED
    )
    return list(qs.order_by("deadline", "pk")[:OPEN_TASKS_SHOWN]), qs.count()


def milestones_of(pairing, today=None):
    today = today or timezone.localdate()
    rows = list(pairing.milestones.all())
    for m in rows:
        m.is_overdue = m.done_on is None and m.due_on < today
    return rows


# ---------------------------------------------------------------- creating one


def lagging_orgs(*, user):
    """Active organizations under the user's county-staff role whose latest accepted
    assessment is 后进, with that assessment's id (`baseline_id`) and whether a pairing
    is active already (`paired`): one query."""
    latest = Assessment.objects.filter(
        organization_id=OuterRef("pk"), status=AssessmentStatus.ACCEPTED
    ).order_by("-accepted_at", "-pk")
    return (
        Organization.objects.filter(is_active=True)
        .filter(scope_q(user, roles={Role.COUNTY_STAFF}))
        .annotate(
            latest_grade=Subquery(latest.values("grade")[:1]),
            baseline_id=Subquery(latest.values("pk")[:1]),
            paired=Exists(Pairing.objects.filter(organization_id=OuterRef("pk"), status=ACTIVE)),
        )
        .filter(latest_grade=Grade.LAGGING)
        .order_by("path")
    )


def county_paths_of(user):
    """The counties (root paths) under the user's county-staff role; None: every one."""
    paths = scope_paths(user, {Role.COUNTY_STAFF})
    if paths is None:
        return None
    return sorted({p[:STEP] for p in paths})


def helper_candidates(*, county_paths):
    """Active users holding any role in these counties (None: any role anywhere)."""
    roles = Assignment.objects.filter(organization__is_active=True)
    if county_paths is not None:
        roles = roles.filter(reduce(
            or_, [Q(organization__path__startswith=p) for p in county_paths], Q(pk__in=[])
        ))
    return (
        get_user_model().objects.filter(is_active=True, pk__in=roles.values("user_id"))
        .only("pk", "username", "full_name").order_by("full_name", "username")
    )


def has_role_in_county(users, organization) -> set:
    """The ids among `users` holding a role in the organization's county (one query)."""
    return set(
        Assignment.objects.filter(
            user__in=users, organization__path__startswith=organization.path[:STEP]
        ).values_list("user_id", flat=True)
    )


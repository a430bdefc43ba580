"""Reads for the campaign pages and the campaign export: each a fixed number of queries.

A campaign is seen by everyone whose scope overlaps it (Campaign.objects.visible_to),
but its figures are always counted over the assessments inside the user's own scope
(scope_q on the assessment's organization): bob, committee staff of town A, sees the
county's campaign with town A's rows and numbers only.

Progress is grouped in the database, never counted row by row: by committee, the
assessments are grouped on the committee's prefix of their organization's path
(the tree is a materialized path, so a committee's subtree is one prefix).
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from orgs.models import COMMITTEE_LEVELS, Category, Level, Organization, Role
from orgs.scoping import has_role, scope_q

from .models import Assessment, AssessmentStatus, Campaign, Grade
from .services import overdue_q

STEP = Organization.steplen
# Who reads campaign pages: the people who supervise (a secretary works in "my tasks").
BROWSING_ROLES = (Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER)
SCOPE_LEVELS = (Level.COUNTY, *sorted(COMMITTEE_LEVELS))
# The category filter's value for organizations without a category (committees).
NO_CATEGORY = "none"


def can_browse_campaigns(user) -> bool:
    return has_role(user, *BROWSING_ROLES)


def can_create_campaigns(user) -> bool:
    return has_role(user, Role.COUNTY_STAFF)


def _status_counts(prefix=""):
    """Count aggregates per status and per grade, plus total and overdue.

    `prefix` is the way from the aggregated model to the assessment ("" when
    grouping assessments themselves, "assessments__" from a campaign).
    """
    counts = {"total": Count(f"{prefix}pk")}
    for status in AssessmentStatus.values:
        counts[f"n_{status}"] = Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": status}))
    return counts


def _grade_counts():
    return {f"g_{grade}": Count("pk", filter=Q(grade=grade)) for grade in Grade.values}


# ---------------------------------------------------------------- the list


def campaigns_for_user(*, user, q="", year=None, status=""):
    """The campaigns the user may see, newest first, with the number of assessments per
    status counted over the user's own scope (one query for a page, joins, no per-row count)."""
    in_scope = scope_q(user, "assessments__organization__")
    counts = {"total": Count("assessments", filter=in_scope)}
    for value in AssessmentStatus.values:
        counts[f"n_{value}"] = Count(
            "assessments", filter=Q(assessments__status=value) & in_scope
        )
    qs = (
        Campaign.objects.visible_to(user)
        .select_related("organization", "standard_set")
        .annotate(**counts)
        .order_by("-year", "-created_at", "-pk")
    )
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(organization__name__icontains=q)
            | Q(standard_set__name__icontains=q)
        )
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


def campaign_years(*, user):
    """The years of the user's campaigns, newest first, for the year filter."""
    return list(
        Campaign.objects.visible_to(user).order_by("-year").values_list("year", flat=True).distinct()
    )


# ---------------------------------------------------------------- one campaign


def committee_depth(campaign) -> int:
    """The depth of the rows of the progress table: the committees under a county
    scope, or the scope itself when the campaign runs over one committee."""
    scope = campaign.organization
    return scope.depth + 1 if scope.level == Level.COUNTY else scope.depth


def committee_choices(*, campaign, user):
    """The committee-level organizations under the campaign's scope that the user
    sees: the rows of the progress table and the choices of the committee filter."""
    return list(
        Organization.objects.filter(
            path__startswith=campaign.organization.path, depth=committee_depth(campaign)
        )
        .filter(scope_q(user))
        .only("pk", "name", "code", "path", "depth", "level")
        .order_by("path")
    )


@dataclass
class ProgressRow:
    """One row of a progress table: a committee or a category, and its figures."""

    key: str  # the filter value that lists these assessments (a pk or NO_CATEGORY)
    name: str
    counts: dict = field(default_factory=dict)  # n_<status>, g_<grade>, total, overdue
    linked: bool = True  # whether the committee filter can list these assessments


FIGURES = (
    "total", "overdue", *(f"n_{s}" for s in AssessmentStatus.values),
    *(f"g_{g}" for g in Grade.values),
)


def _row_counts(values=None):
    return {key: (values or {}).get(key, 0) for key in FIGURES}


def _progress_aggregates():
    return {**_status_counts(), **_grade_counts(), "overdue": Count("pk", filter=overdue_q())}


def progress_by_committee(*, campaign, user, committees):
    """One row per committee under the scope that the user sees (`committees`, from
    committee_choices) plus any other prefix the user's assessments fall under.

    One grouped query over the assessments, grouped by the committee's prefix of the
    organization's path, each group with its organization's name (a subquery per
    group): a prefix that is not among `committees` (a user whose scope lies below
    the committee level, an assessed organization above it) costs no further query,
    so the page's count is the same at every scope.
    """
    depth = committee_depth(campaign)
    grouped = (
        Assessment.objects.filter(campaign=campaign)
        .filter(scope_q(user, "organization__"))
        .annotate(prefix=Substr("organization__path", 1, depth * STEP))
        .values("prefix")
        .annotate(**_progress_aggregates(), prefix_name=_name_of("prefix"))
        .order_by("prefix")
    )
    by_prefix = {row["prefix"]: row for row in grouped}
    known = {org.path: org for org in committees}
    rows = []
    for path in sorted(set(known) | set(by_prefix)):
        org = known.get(path)
        values = by_prefix.get(path)
        row = ProgressRow(
            key=str(org.pk) if org else "",
            name=org.name if org else (values["prefix_name"] or path),
            counts=_row_counts(values),
            linked=path in known,
        )
        rows.append(row)
    return rows


def _name_of(prefix):
    """The name of the organization whose path is the annotation `prefix`."""
    return Subquery(Organization.objects.filter(path=OuterRef(prefix)).values("name")[:1])


def progress_by_category(*, campaign, user):
    """One row per organization category among the user's assessments: one grouped query."""
    grouped = (
        Assessment.objects.filter(campaign=campaign)
        .filter(scope_q(user, "organization__"))
        .values(
            cat_id=F("organization__category_id"),
            cat_name=F("organization__category__name"),
            cat_order=F("organization__category__ordering"),
        )
        .annotate(**_progress_aggregates())
        .order_by()
    )
    rows = []
    # Sorted here: databases disagree on where NULL (no category) goes.
    for values in sorted(grouped, key=lambda v: (v["cat_order"] is None, v["cat_order"] or 0,
                                                 v["cat_id"] or 0)):
        cat_id = values["cat_id"]
        rows.append(
            ProgressRow(
                key=str(cat_id) if cat_id is not None else NO_CATEGORY,
                name=values["cat_name"] or "",
                counts=_row_counts(values),
            )
        )
    return rows


def totals(rows):
    """The sum of a progress table's rows (no query)."""
    total = ProgressRow(key="", name="", counts=_row_counts())
    for row in rows:
        for key in FIGURES:
            total.counts[key] += row.counts[key]
    return total


# ---------------------------------------------------------------- the assessments


SORTS = {
    "": ("organization__path",),
    "score": (F("final_score").asc(nulls_last=True), "organization__path"),
    "-score": (F("final_score").desc(nulls_last=True), "organization__path"),
    "self": (F("self_score").asc(nulls_last=True), "organization__path"),
    "-self": (F("self_score").desc(nulls_last=True), "organization__path"),
}


def campaign_assessments(
    *, campaign, user, status="", grade="", committee=None, category="", overdue=False, q="",
    sort="",
):
    """The campaign's assessments inside the user's scope, filtered and sorted.

    `committee` is an Organization (its subtree); `category` a Category pk as text
    or NO_CATEGORY; `grade` a Grade value or "none" (not graded yet).
    """
    qs = (
        Assessment.objects.filter(campaign=campaign)
        .filter(scope_q(user, "organization__"))
        .select_related("organization__category")
    )
    if status:
        qs = qs.filter(status=status)
    if grade == "none":
        qs = qs.filter(grade="")
    elif grade:
        qs = qs.filter(grade=grade)
    if committee is not None:
        qs = qs.filter(organization__path__startswith=committee.path)
    if category == NO_CATEGORY:
        qs = qs.filter(organization__category__isnull=True)
    elif category:
        qs = qs.filter(organization__category_id=category)
    if overdue:
        qs = qs.filter(overdue_q())
    if q:
        qs = qs.filter(
            Q(organization__name__icontains=q) | Q(organization__code__icontains=q)
            | Q(organization__secretary_name__icontains=q)
        )
    return qs.order_by(*SORTS.get(sort, SORTS[""]))


def attach_committees(*, campaign, assessments, committees=()):
    """Set `committee_name` on each assessment: the name of its committee-level
    ancestor (or itself). Names already loaded in `committees` cost nothing; the
    rest come in one query."""
    depth = committee_depth(campaign)
    names = {org.path: org.name for org in committees}
    prefixes = {a.organization.path[: depth * STEP] for a in assessments}
    missing = prefixes - names.keys()
    if missing:
        names.update(
            Organization.objects.filter(path__in=missing).order_by().values_list("path", "name")
        )
    for a in assessments:
        a.committee_name = names.get(a.organization.path[: depth * STEP], "")
    return assessments


def categories():
    return list(Category.objects.order_by("ordering", "pk").only("pk", "name"))


def campaign_spot_checks(campaign):
    """The campaign's spot checks with their sample and done counts (one query), for the
    card templates/assessments/spotchecks/_campaign_panel.html on the campaign page."""
    return campaign.spot_checks.annotate(
        samples_count=Count("samples"),
        done_count=Count("samples", filter=Q(samples__done_at__isnull=False)),
    ).order_by("-drawn_at", "-pk")


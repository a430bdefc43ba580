"""The dashboard's panels: each reads one subtree (a DashboardScope) in a fixed number
of grouped queries, whatever the number of organizations under it.

Every panel returns plain dicts: `rows` (one per group: a child of the scope's
root), `by_category` where the issue asks for it, and `totals`. A group's key is
its path prefix; `group` is the child Organization (None for rows whose child the
user may not open).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from assessments.models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    Grade,
    ItemResponse,
    StarAction,
    StarRating,
)
from funding import selectors as funding_selectors
from orgs.models import Organization
from rectification.models import (
    Pairing,
    PairingStatus,
    RectificationTask,
    TaskStatus,
    Visit,
    overdue_q,
)
from rectification.selectors_pairings import month_start, upgraded_q

from .scope import DashboardScope

CENT = Decimal("0.01")
TOP = 10  # rows in the "weakest", "largest gap" and "oldest overdue" tables
SCORE = DecimalField(max_digits=8, decimal_places=2)
GRADE_RANK = Case(
    When(grade=Grade.ADVANCED, then=Value(3)),
    When(grade=Grade.GENERAL, then=Value(2)),
    When(grade=Grade.LAGGING, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


# ---------------------------------------------------------------- choosing the campaign


@dataclass
class CampaignChoice:
    campaign: Campaign | None
    previous: Campaign | None
    campaigns: list  # the picker's campaigns, newest first
    year: int


def choose_campaign(scope: DashboardScope, *, campaign_id=None, year=None, today=None) -> CampaignChoice:
    """The campaign the panels read (`?campaign=`, else the newest of `?year=`, else the
    newest), and the one before it for year-over-year. One query."""
    campaigns = list(
        Campaign.objects.visible_to(scope.user)
        .exclude(status="draft")
        .only("pk", "name", "year", "status", "organization_id")
        .order_by("-year", "-pk")
    )
    chosen = None
    if campaign_id is not None:
        chosen = next((c for c in campaigns if c.pk == campaign_id), None)
    if chosen is None and year is not None:
        chosen = next((c for c in campaigns if c.year == year), None)
    if chosen is None and campaigns and campaign_id is None and year is None:
        chosen = campaigns[0]
    previous = None
    if chosen is not None:
        previous = next((c for c in campaigns if c.year < chosen.year), None)
    the_year = chosen.year if chosen else (year or (today or date.today()).year)
    return CampaignChoice(campaign=chosen, previous=previous, campaigns=campaigns, year=the_year)


# ---------------------------------------------------------------- helpers


def _grouped(queryset, scope, path_field, **aggregates):
    """{prefix: aggregates} of the queryset grouped on the children of the scope's root."""
    rows = (
        queryset.order_by()
        .annotate(_prefix=Substr(path_field, 1, scope.group_length))
        .values("_prefix")
        .annotate(**aggregates)
    )
    return {row.pop("_prefix"): row for row in rows}


def _with_groups(scope, grouped, empty):
    """One row per child of the root (zeros where it has none), in tree order, then any
    prefix that is not an openable child (kept so totals add up)."""
    out = []
    for prefix, org in scope.groups.items():
        values = grouped.get(prefix) or dict(empty)
        out.append({"key": prefix, "group": org, "name": org.name, **values})
    for prefix, values in grouped.items():
        if prefix not in scope.groups:
            out.append({"key": prefix, "group": None, "name": "", **values})
    return out


def _cents(value):
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _sum_rows(rows, keys):
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}


def _assessments(scope, campaign):
    return Assessment.objects.filter(scope.q("organization__"), campaign=campaign)


# ---------------------------------------------------------------- campaign progress

STATUSES = list(AssessmentStatus.values)


def _status_counts():
    return {
        "total": Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in STATUSES},
    }


def progress(scope, campaign) -> dict:
    """Self-checks by status per group and per category. Two queries."""
    keys = ["total", *STATUSES]
    if campaign is None:
        return {"rows": [], "by_category": [], "totals": dict.fromkeys(keys, 0), "statuses": STATUSES}
    qs = _assessments(scope, campaign)
    rows = _with_groups(
        scope, _grouped(qs, scope, "organization__path", **_status_counts()), dict.fromkeys(keys, 0)
    )
    by_category = list(
        qs.order_by().values("organization__category_id", "organization__category__name")
        .annotate(**_status_counts()).order_by("organization__category__name")
    )
    return {"rows": rows, "by_category": by_category, "totals": _sum_rows(rows, keys),
            "statuses": STATUSES}


# ---------------------------------------------------------------- grades, year over year

GRADES = list(Grade.values)


def _grade_counts():
    return {
        "graded": Count("pk", filter=~Q(grade="")),
        **{grade: Count("pk", filter=Q(grade=grade)) for grade in GRADES},
    }


def grades(scope, campaign, previous=None) -> dict:
    """先进 / 一般 / 后进 per group and category, the previous campaign's per group, and
    how many organizations rose, kept or fell a grade. Four queries (two without a
    previous campaign)."""
    keys = ["graded", *GRADES]
    empty = dict.fromkeys(keys, 0)
    if campaign is None:
        return {"rows": [], "by_category": [], "totals": empty, "grades": GRADES,
                "previous_totals": None, "change": None}
    qs = _assessments(scope, campaign)
    current = _grouped(qs, scope, "organization__path", **_grade_counts())
    by_category = list(
        qs.order_by().values("organization__category_id", "organization__category__name")
        .annotate(**_grade_counts()).order_by("organization__category__name")
    )
    rows = _with_groups(scope, current, empty)
    previous_totals = change = None
    if previous is not None:
        before = _grouped(_assessments(scope, previous), scope, "organization__path", **_grade_counts())
        for row in rows:
            row["previous"] = before.get(row["key"]) or dict(empty)
        previous_totals = _sum_rows([row["previous"] for row in rows], keys)
        earlier_rank = Subquery(
            Assessment.objects.filter(campaign=previous, organization_id=OuterRef("organization_id"))
            .exclude(grade="").annotate(rank=GRADE_RANK).values("rank")[:1],
            output_field=IntegerField(),
        )
        change = (
            qs.exclude(grade="").annotate(rank=GRADE_RANK, before=earlier_rank)
            .filter(before__isnull=False)
            .aggregate(
                rose=Count("pk", filter=Q(rank__gt=F("before"))),
                kept=Count("pk", filter=Q(rank=F("before"))),
                fell=Count("pk", filter=Q(rank__lt=F("before"))),
            )
        )
    return {"rows": rows, "by_category": by_category, "totals": _sum_rows(rows, keys),
            "grades": GRADES, "previous_totals": previous_totals, "change": change}


# ---------------------------------------------------------------- stars


def stars(scope, year) -> dict:
    """Current stars (the latest rating of each organization) and the year's awards,
    promotions and 摘牌降星. Three queries."""
    latest = StarRating.objects.filter(organization_id=OuterRef("pk")).order_by("-at", "-pk")
    distribution = {
        row["current"]: row["n"]
        for row in Organization.objects.filter(scope.q(), is_active=True)
        .annotate(current=Subquery(latest.values("stars")[:1]))
        .exclude(current=None).order_by().values("current").annotate(n=Count("pk"))
    }
    before = StarRating.objects.filter(
        organization_id=OuterRef("organization_id"), at__lt=OuterRef("at")
    ).order_by("-at", "-pk")
    year_rows = StarRating.objects.filter(scope.q("organization__"), at__year=year)
    counts = year_rows.annotate(before=Subquery(before.values("stars")[:1])).aggregate(
        awarded=Count("pk", filter=Q(action=StarAction.AWARDED)),
        promoted=Count("pk", filter=Q(action=StarAction.AWARDED, before__lt=F("stars"))
                       | Q(action=StarAction.AWARDED, before__isnull=True)),
        revoked=Count("pk", filter=Q(action=StarAction.REVOKED)),
    )
    revocations = list(
        year_rows.filter(action=StarAction.REVOKED).select_related("organization")
        .order_by("-at", "-pk")[:TOP]
    )
    return {"distribution": [{"stars": n, "count": distribution.get(n, 0)} for n in range(0, 6)],
            "rated": sum(distribution.values()), **counts, "revocations": revocations}


# ---------------------------------------------------------------- weakest items


def _scored_responses(scope, campaign):
    score = Coalesce("final_score", "self_score")
    return (
        ItemResponse.objects.filter(
            assessment__campaign=campaign, **{}
        ).filter(scope.q("assessment__organization__"))
        .annotate(score=score)
        .exclude(score=None)
    )


def weakest(scope, campaign) -> dict:
    """The items most often failed (scored below their maximum) and each dimension's
    share of its points won. Two queries."""
    if campaign is None:
        return {"items": [], "dimensions": []}
    responses = _scored_responses(scope, campaign)
    items = list(
        responses.order_by().values("item_id", "item__code", "item__requirement", "item__dimension__name")
        .annotate(
            answered=Count("pk"),
            failed=Count("pk", filter=Q(score__lt=F("item__max_score"))),
            lost=Sum(ExpressionWrapper(F("item__max_score") - F("score"), output_field=SCORE)),
        )
        .filter(failed__gt=0)
        .order_by("-failed", "-lost", "item__code")[:TOP]
    )
    dimensions = list(
        responses.order_by().values("item__dimension_id", "item__dimension__name",
                                    "item__dimension__ordering")
        .annotate(
            possible=Sum("item__max_score"), won=Sum("score"),
            failed=Count("pk", filter=Q(score__lt=F("item__max_score"))),
        )
        .order_by("item__dimension__ordering", "item__dimension_id")
    )
    for row in dimensions:
        row["rate"] = round(100 * row["won"] / row["possible"]) if row["possible"] else None
    for row in items:
        row["rate"] = round(100 * row["failed"] / row["answered"]) if row["answered"] else None
    return {"items": items, "dimensions": dimensions}


# ---------------------------------------------------------------- 自评虚高


def score_gap(scope, campaign) -> dict:
    """Self score minus final score, averaged per group (自评虚高 index), and the
    organizations with the largest gaps. Two queries."""
    if campaign is None:
        return {"rows": [], "top": [], "totals": None}
    qs = _assessments(scope, campaign).exclude(self_score=None).exclude(final_score=None).annotate(
        gap=ExpressionWrapper(F("self_score") - F("final_score"), output_field=SCORE)
    )
    aggregates = {
        "n": Count("pk"), "avg_gap": Avg("gap"),
        "inflated": Count("pk", filter=Q(gap__gt=0)),
    }
    rows = _with_groups(scope, _grouped(qs, scope, "organization__path", **aggregates),
                        {"n": 0, "avg_gap": None, "inflated": 0})
    rows = [row for row in rows if row["n"]]
    for row in rows:
        row["avg_gap"] = _cents(row["avg_gap"])
    top = list(qs.filter(gap__gt=0).select_related("organization").order_by("-gap", "organization__path")[:TOP])
    n = sum(row["n"] for row in rows)
    total_gap = sum((row["avg_gap"] or 0) * row["n"] for row in rows)
    totals = {"n": n, "avg_gap": _cents(total_gap / n) if n else None,
              "inflated": sum(row["inflated"] for row in rows)}
    return {"rows": rows, "top": top, "totals": totals}


# ---------------------------------------------------------------- rectification

TASK_KEYS = ["total", *TaskStatus.values, "overdue"]


def rectification(scope, today) -> dict:
    """Tasks by status per group, overdue, closing rate, the oldest overdue. Two queries."""
    tasks = RectificationTask.objects.filter(scope.q("organization__"))
    aggregates = {
        "total": Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in TaskStatus.values},
        "overdue": Count("pk", filter=overdue_q(today)),
    }
    rows = _with_groups(scope, _grouped(tasks, scope, "organization__path", **aggregates),
                        dict.fromkeys(TASK_KEYS, 0))
    for row in rows:
        row["rate"] = _rate(row[TaskStatus.CLOSED], row["total"])
    totals = _sum_rows(rows, TASK_KEYS)
    totals["rate"] = _rate(totals[TaskStatus.CLOSED], totals["total"])
    oldest = list(
        tasks.filter(overdue_q(today)).select_related("organization", "problem")
        .order_by("deadline", "pk")[:TOP]
    )
    return {"rows": rows, "totals": totals, "oldest": oldest}


def _rate(part, whole):
    return round(100 * part / whole) if whole else None


# ---------------------------------------------------------------- 3+1 pairings


def pairings(scope, today) -> dict:
    """Pairings per group: all, active, upgraded (转化率), visits this month. Two queries."""
    qs = Pairing.objects.filter(scope.q("organization__"))
    aggregates = {
        "total": Count("pk"),
        "active": Count("pk", filter=Q(status=PairingStatus.ACTIVE) & ~upgraded_q()),
        "upgraded": Count("pk", filter=upgraded_q()),
    }
    grouped = _grouped(qs, scope, "organization__path", **aggregates)
    visits = _grouped(
        Visit.objects.filter(scope.q("pairing__organization__"), visited_on__gte=month_start(today),
                             visited_on__lte=today),
        scope, "pairing__organization__path", visits=Count("pk"),
    )
    for prefix, row in visits.items():
        grouped.setdefault(prefix, {"total": 0, "active": 0, "upgraded": 0}).update(row)
    keys = ["total", "active", "upgraded", "visits"]
    rows = _with_groups(scope, grouped, dict.fromkeys(keys, 0))
    for row in rows:
        row.setdefault("visits", 0)
        row["rate"] = _rate(row["upgraded"], row["total"])
    totals = _sum_rows(rows, keys)
    totals["rate"] = _rate(totals["upgraded"], totals["total"])
    return {"rows": rows, "totals": totals}


# ---------------------------------------------------------------- funding


def funding(scope, year) -> dict:
    """Planned against paid per group for the year, and the allocations below their
    policy minimum. Two queries."""
    filters = funding_selectors.MoneyFilters(year=year, committee=scope.root)
    qs = funding_selectors.allocations_for_user(user=scope.user, filters=filters, order=()).filter(
        scope.q("organization__")
    )
    grouped = funding_selectors.rollup_by_prefix(qs, scope.group_length)
    keys = ["n", "n_short", "promised_min", "planned", "paid", "pay_gap"]
    rows = _with_groups(scope, grouped, dict.fromkeys(keys, 0))
    for row in rows:
        row["rate"] = _rate(row["paid"], row["planned"])
    totals = funding_selectors.money_totals(qs)
    totals["rate"] = _rate(totals["paid"], totals["planned"])
    return {"rows": rows, "totals": totals, "year": year}

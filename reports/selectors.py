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

from django.db import connection
from django.db.models import (
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
from django.utils import timezone

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
from funding.models import ZERO
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
from standards.models import StandardItem

from .scope import DashboardScope, resolve_scope

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


def _int(raw):
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def dashboard_frame(request):
    """(scope, campaign choice, today) of `?org=`, `?campaign=`, `?year=`: what the page
    and its exports both read. `request` needs only `user` and `GET` (an export job
    passes exports.registry.request_for). 403/404 as resolve_scope. Two or three queries."""
    scope = resolve_scope(request)
    today = timezone.localdate()
    choice = choose_campaign(
        scope, campaign_id=_int(request.GET.get("campaign")), year=_int(request.GET.get("year")),
        today=today,
    )
    return scope, choice, today


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
    root = scope.root
    for prefix, values in grouped.items():
        if prefix not in scope.groups:
            # The root's own rows (a 党总支 assessed itself) are named after it.
            own = root is not None and prefix == root.path
            out.append({"key": prefix, "group": None, "name": root.name if own else "",
                        "own": own, **values})
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


def revocations(scope, year):
    """The year's 摘牌降星 in the scope, newest first."""
    return (
        StarRating.objects.filter(scope.q("organization__"), at__year=year,
                                  action=StarAction.REVOKED)
        .select_related("organization").order_by("-at", "-pk")
    )


def stars(scope, year, limit=TOP) -> dict:
    """Current stars (the latest rating of each organization) and the year's awards,
    promotions and 摘牌降星 (the newest `limit`). Three queries."""
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
    return {"distribution": [{"stars": n, "count": distribution.get(n, 0)} for n in range(0, 6)],
            "rated": sum(distribution.values()), **counts,
            "revocations": list(revocations(scope, year)[:limit])}


# ---------------------------------------------------------------- weakest items


def _score_tally(scope, campaign):
    """(item, score, how many) of the campaign's scored answers in the scope: one
    grouped pass over the item responses, joined to nothing but the scope's
    assessments. An item is answered with a few distinct scores, so this is a few
    hundred rows however many organizations answered."""
    assessments = _assessments(scope, campaign).values("pk")
    return (
        ItemResponse.objects.filter(assessment__in=assessments)
        .annotate(score=Coalesce("final_score", "self_score"))
        .exclude(score=None)
        .order_by()
        .values_list("item_id", "score")
        .annotate(n=Count("pk"))
    )


def weakest(scope, campaign, limit=TOP) -> dict:
    """The `limit` items most often failed (scored below their maximum; None: all that
    were failed) and each dimension's share of its points won. Two queries: the
    answers counted per item and score (the only pass over the item responses; the
    city's are 1.2 million), then those items with their dimensions. Both tables are
    summed from that tally here, exactly (Decimal)."""
    if campaign is None:
        return {"items": [], "dimensions": []}
    tally = list(_score_tally(scope, campaign))
    items = StandardItem.objects.filter(pk__in={item_id for item_id, _s, _n in tally}).select_related(
        "dimension").only("pk", "code", "requirement", "max_score", "dimension__name",
                          "dimension__ordering")
    items = {item.pk: item for item in items}
    per_item, per_dimension = {}, {}
    for item_id, score, n in tally:
        item = items[item_id]
        row = per_item.get(item_id)
        if row is None:
            row = per_item[item_id] = {
                "item_id": item_id, "item__code": item.code, "item__requirement": item.requirement,
                "item__dimension__name": item.dimension.name, "answered": 0, "failed": 0,
                "lost": Decimal(0),
            }
        dim = per_dimension.get(item.dimension_id)
        if dim is None:
            dim = per_dimension[item.dimension_id] = {
                "item__dimension_id": item.dimension_id, "item__dimension__name": item.dimension.name,
                "item__dimension__ordering": item.dimension.ordering, "possible": Decimal(0),
                "won": Decimal(0), "failed": 0,
            }
        failed = n if score < item.max_score else 0
        row["answered"] += n
        row["failed"] += failed
        row["lost"] += (item.max_score - score) * n
        dim["possible"] += item.max_score * n
        dim["won"] += score * n
        dim["failed"] += failed
    failing = sorted((row for row in per_item.values() if row["failed"]),
                     key=lambda row: (-row["failed"], -row["lost"], row["item__code"]))
    failing = failing if limit is None else failing[:limit]
    for row in failing:
        row["rate"] = round(100 * row["failed"] / row["answered"]) if row["answered"] else None
    dimensions = sorted(per_dimension.values(),
                        key=lambda row: (row["item__dimension__ordering"], row["item__dimension_id"]))
    for row in dimensions:
        row["rate"] = round(100 * row["won"] / row["possible"]) if row["possible"] else None
    return {"items": failing, "dimensions": dimensions}


# ---------------------------------------------------------------- 自评虚高


def _gaps(scope, campaign):
    return _assessments(scope, campaign).exclude(self_score=None).exclude(final_score=None).annotate(
        gap=ExpressionWrapper(F("self_score") - F("final_score"), output_field=SCORE)
    )


def inflated(scope, campaign):
    """Assessments scored higher by themselves than by the review, the largest gap first."""
    return _gaps(scope, campaign).filter(gap__gt=0).select_related("organization").order_by(
        "-gap", "organization__path")


def score_gap(scope, campaign, limit=TOP) -> dict:
    """Self score minus final score, averaged per group (自评虚高 index), and the `limit`
    organizations with the largest gaps. Two queries."""
    if campaign is None:
        return {"rows": [], "top": [], "totals": None}
    aggregates = {
        # A sum, not Avg: the totals' average is then exact, not an average of averages.
        "n": Count("pk"), "sum_gap": Sum("gap"),
        "inflated": Count("pk", filter=Q(gap__gt=0)),
    }
    rows = _with_groups(scope, _grouped(_gaps(scope, campaign), scope, "organization__path",
                                        **aggregates),
                        {"n": 0, "sum_gap": None, "inflated": 0})
    rows = [row for row in rows if row["n"]]
    for row in rows:
        row["sum_gap"] = _cents(row["sum_gap"])
        row["avg_gap"] = _cents(row["sum_gap"] / row["n"])
    top = list(inflated(scope, campaign)[:limit])
    n = sum(row["n"] for row in rows)
    total_gap = sum((row["sum_gap"] for row in rows), Decimal(0))
    totals = {"n": n, "sum_gap": total_gap, "avg_gap": _cents(total_gap / n) if n else None,
              "inflated": sum(row["inflated"] for row in rows)}
    return {"rows": rows, "top": top, "totals": totals}


# ---------------------------------------------------------------- rectification

TASK_KEYS = ["total", *TaskStatus.values, "overdue"]


def overdue_tasks(scope, today):
    """The scope's overdue tasks, the oldest deadline first."""
    return (
        RectificationTask.objects.filter(scope.q("organization__")).filter(overdue_q(today))
        .select_related("organization", "problem").order_by("deadline", "pk")
    )


def rectification(scope, today, limit=TOP) -> dict:
    """Tasks by status per group, overdue, closing rate, the `limit` oldest overdue.
    Two queries."""
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
    oldest = list(overdue_tasks(scope, today)[:limit])
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


# Planned against paid per group, from one row per allocation: what was paid on it is
# summed once (a join to its payments, grouped on the allocation), where funding's
# `paid` annotation is a correlated subquery that its CASEs repeat up to five times.
_MONEY_ROLLUP = """
SELECT prefix, COUNT(*), COUNT(DISTINCT organization_id),
       SUM(CASE WHEN promised_min > paid THEN 1 ELSE 0 END),
       SUM(promised_min), SUM(planned), SUM(paid),
       SUM(CASE WHEN promised_min > paid THEN promised_min - paid ELSE 0 END),
       SUM(CASE WHEN promised_min > planned THEN promised_min - planned ELSE 0 END)
FROM ({allocations}) AS allocation
GROUP BY prefix ORDER BY prefix
"""
MONEY_KEYS = ["n", "n_orgs", "n_short", *funding_selectors.TOTAL_FIELDS]


def _money_rollup(allocations, group_length) -> dict:
    """{path prefix: funding_selectors' totals} of an allocation queryset: one query."""
    per_allocation = (
        allocations.order_by()
        .values("pk", "organization_id", "promised_min", "planned",
                prefix=Substr("organization__path", 1, group_length))
        .annotate(paid=Coalesce(Sum("disbursements__amount"), Value(ZERO),
                                output_field=funding_selectors.MONEY_FIELD))
    )
    sql, params = per_allocation.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_MONEY_ROLLUP.format(allocations=sql), params)
        rows = cursor.fetchall()
    out = {}
    for prefix, *values in rows:
        row = dict(zip(MONEY_KEYS, values, strict=True))
        for name in funding_selectors.TOTAL_FIELDS:
            # SQLite sums decimals as floats: to the fen, as funding's own sums.
            row[name] = _cents(row[name] if row[name] is not None else ZERO)
        out[prefix] = row
    return out


def funding(scope, year) -> dict:
    """Planned against paid per group for the year, and the allocations below their
    policy minimum. One query: the totals are the groups' sums (an organization is in
    one group, so its allocations and `n_orgs` add up)."""
    filters = funding_selectors.MoneyFilters(year=year, committee=scope.root)
    qs = funding_selectors.allocations_for_user(user=scope.user, filters=filters, order=()).filter(
        scope.q("organization__")
    )
    grouped = _money_rollup(qs, scope.group_length)
    keys = ["n", "n_short", "promised_min", "planned", "paid", "pay_gap"]
    rows = _with_groups(scope, grouped, dict.fromkeys(keys, 0))
    for row in rows:
        row["rate"] = _rate(row["paid"], row["planned"])
    totals = {key: sum((row[key] for row in grouped.values()),
                       ZERO if key in funding_selectors.TOTAL_FIELDS else 0)
              for key in MONEY_KEYS}
    totals["rate"] = _rate(totals["paid"], totals["planned"])
    return {"rows": rows, "totals": totals, "year": year}

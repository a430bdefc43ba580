"""月调度: compiling each committee's month from the data.

`compile_figures` counts, for every committee at once, what happened in the month:
one grouped query per source (self-checks, reviews, problems, tasks, pairings,
visits, stars, money), grouped on the committee's path prefix, so the cost is a
fixed number of queries whatever the number of committees and organizations.
Each committee's dispatch is then written in its own short transaction: a job
killed half-way leaves whole dispatches behind, and its retry adds the rest.
"""

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.models import Assessment, AssessmentStatus, StarAction, StarRating
from funding.models import Allocation, Disbursement
from orgs.models import Organization
from orgs.selectors.committees import COMMITTEE_DEPTH, COMMITTEE_PREFIX
from rectification.models import (
    Pairing,
    PairingStatus,
    Problem,
    RectificationTask,
    TaskStatus,
    Visit,
)

from .models import Dispatch, DispatchStatus
from .rules import dispatch_due, month_end, previous_month

log = logging.getLogger(__name__)
MONEY = DecimalField(max_digits=16, decimal_places=2)

# The dispatch's sections and lines, in the order pages and the Excel pack show them.
SECTIONS = [
    ("self_checks", _("Self-checks"), [
        ("due", _("Due this month")), ("done", _("Submitted of those due")),
    ]),
    ("reviews", _("Reviews"), [("pending", _("Waiting for review"))]),
    ("problems", _("Problems"), [("found", _("Found this month"))]),
    ("tasks", _("Rectification tasks"), [
        ("opened", _("Opened")), ("closed", pgettext_lazy("task status", "Closed")), ("overdue", _("Overdue at month end")),
    ]),
    ("pairings", _("3+1 pairings"), [
        ("active", _("Active")), ("visited", _("Visited this month")), ("visits", _("Visits")),
    ]),
    ("stars", _("Star ratings"), [("awarded", _("Stars awarded")), ("revoked", _("Stars taken away"))]),
    ("funding", _("Funding (yuan)"), [
        ("planned", _("Planned for the year")), ("paid_month", _("Paid this month")),
        ("paid_year", _("Paid this year to month end")),
    ]),
]
MONEY_LINES = {("funding", "planned"), ("funding", "paid_month"), ("funding", "paid_year")}

# Sections other apps add (the meeting log's 组织生活), by `register_section`: their
# figures come from their own compute(period, under) -> {committee prefix: {line: value}},
# counts only, in a fixed number of queries. REGISTERED_NAMES holds the fixed Chinese
# names the Excel files use for them (excel_dispatches.SECTION_NAMES' shape).
REGISTERED = {}
REGISTERED_NAMES = {}


def register_section(key, label, lines, compute, *, names=None):
    """Append a section to SECTIONS, counted by `compute`. Registering twice is harmless
    (AppConfig.ready may run more than once in tests)."""
    if key in REGISTERED or any(k == key for k, _label, _lines in SECTIONS):
        return
    SECTIONS.append((key, label, list(lines)))
    REGISTERED[key] = compute
    if names is not None:
        REGISTERED_NAMES[key] = names


def committees_qs():
    """The committees a dispatch or an inspection is made for: the county's children."""
    return Organization.objects.filter(depth=COMMITTEE_DEPTH, is_active=True)


def _aware(day: date, end=False):
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


def _grouped(qs, path_field, **aggregates):
    """{committee prefix: {name: value}} for a queryset, grouped in the database."""
    rows = (
        qs.order_by()
        .annotate(_committee=Substr(path_field, 1, COMMITTEE_PREFIX))
        .values("_committee")
        .annotate(**aggregates)
    )
    return {row.pop("_committee"): row for row in rows}


def compile_figures(period: date, *, under: str = "") -> dict[str, dict]:
    """Every committee's figures for the month starting `period`, keyed by committee path.

    `under` limits the counting to one committee's subtree (a recompile). Nine queries, and
    those of the registered sections.
    """
    start, end = period, month_end(period)
    since, until = _aware(start), _aware(end, end=True)
    scope = Q(organization__path__startswith=under) if under else Q()

    def money_sum(field, **filters):
        return Coalesce(Sum(field, filter=Q(**filters) if filters else None), Value(Decimal(0)),
                        output_field=MONEY)

    sources = {
        "self_checks": _grouped(
            Assessment.objects.filter(scope, campaign__self_check_deadline__range=(start, end)),
            "organization__path",
            due=Count("pk"),
            done=Count("pk", filter=~Q(status__in=(
                AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED))),
        ),
        "reviews": _grouped(
            Assessment.objects.filter(scope, status=AssessmentStatus.SUBMITTED),
            "organization__path", pending=Count("pk"),
        ),
        "problems": _grouped(
            Problem.objects.filter(scope, found_on__range=(start, end)),
            "organization__path", found=Count("pk"),
        ),
        "tasks": _grouped(
            RectificationTask.objects.filter(scope).filter(
                Q(created_at__range=(since, until)) | Q(closed_at__range=(since, until))
                | (~Q(status=TaskStatus.CLOSED) & Q(deadline__lte=end))
            ),
            "organization__path",
            opened=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
            closed=Count("pk", filter=Q(closed_at__gte=since, closed_at__lt=until)),
            overdue=Count("pk", filter=~Q(status=TaskStatus.CLOSED) & Q(deadline__lte=end)),
        ),
        "pairings": _grouped(
            Pairing.objects.filter(scope, status=PairingStatus.ACTIVE),
            "organization__path", active=Count("pk"),
        ),
        "visits": _grouped(
            Visit.objects.filter(
                Q(pairing__organization__path__startswith=under) if under else Q(),
                visited_on__range=(start, end),
            ),
            "pairing__organization__path",
            visited=Count("pairing", distinct=True), visits=Count("pk"),
        ),
        "stars": _grouped(
            StarRating.objects.filter(scope, at__gte=since, at__lt=until),
            "organization__path",
            awarded=Count("pk", filter=Q(action=StarAction.AWARDED)),
            revoked=Count("pk", filter=Q(action=StarAction.REVOKED)),
        ),
        "planned": _grouped(
            Allocation.objects.filter(scope, year=start.year),
            "organization__path", planned=money_sum("planned"),
        ),
        "paid": _grouped(
            Disbursement.objects.filter(
                Q(allocation__organization__path__startswith=under) if under else Q(),
                allocation__year=start.year, paid_on__lte=end,
            ),
            "allocation__organization__path",
            paid_year=money_sum("amount"),
            paid_month=money_sum("amount", paid_on__gte=start),
        ),
    }
    extra = {key: compute(period, under) for key, compute in REGISTERED.items()}
    prefixes = set()
    for rows in [*sources.values(), *extra.values()]:
        prefixes |= set(rows)

    def pick(source, name, prefix, zero=0):
        return sources[source].get(prefix, {}).get(name, zero)

    figures = {}
    for prefix in prefixes:
        figures[prefix] = {
            "self_checks": {"due": pick("self_checks", "due", prefix),
                            "done": pick("self_checks", "done", prefix)},
            "reviews": {"pending": pick("reviews", "pending", prefix)},
            "problems": {"found": pick("problems", "found", prefix)},
            "tasks": {k: pick("tasks", k, prefix) for k in ("opened", "closed", "overdue")},
            "pairings": {"active": pick("pairings", "active", prefix),
                         "visited": pick("visits", "visited", prefix),
                         "visits": pick("visits", "visits", prefix)},
            "stars": {k: pick("stars", k, prefix) for k in ("awarded", "revoked")},
            "funding": {
                "planned": _yuan(pick("planned", "planned", prefix, Decimal(0))),
                "paid_month": _yuan(pick("paid", "paid_month", prefix, Decimal(0))),
                "paid_year": _yuan(pick("paid", "paid_year", prefix, Decimal(0))),
            },
        }
        for key, _label, lines in SECTIONS:
            if key in extra:
                mine = extra[key].get(prefix, {})
                figures[prefix][key] = {line: mine.get(line, 0) for line, _line_label in lines}
    return figures


def _yuan(value) -> str:
    """Money in the JSON figures: a string with two places, never a float."""
    return f"{Decimal(value):.2f}"


def empty_figures() -> dict:
    return {
        key: {line: ("0.00" if (key, line) in MONEY_LINES else 0) for line, _label in lines}
        for key, _label, lines in SECTIONS
    }


def compile_dispatches(run_for: date) -> dict:
    """One dispatch per committee for the month before `run_for`; what exists stays.

    Idempotent through the unique (committee, period): a rerun, a retry or a second
    worker creates nothing new.
    """
    period = previous_month(run_for)
    committees = list(committees_qs().order_by("path").values_list("pk", "path"))
    have = set(Dispatch.objects.filter(period=period).values_list("committee_id", flat=True))
    todo = [(pk, path) for pk, path in committees if pk not in have]
    created = 0
    if todo:
        figures = compile_figures(period)
        now = timezone.now()
        for pk, path in todo:
            try:
                with transaction.atomic():
                    Dispatch.objects.create(
                        committee_id=pk, period=period, due_on=dispatch_due(period),
                        figures=figures.get(path[:COMMITTEE_PREFIX]) or empty_figures(),
                        compiled_at=now,
                    )
                created += 1
            except IntegrityError:  # made meanwhile by another run
                continue
    result = {"period": period.isoformat(), "created": created,
              "existing": len(committees) - created}
    log.info("dispatch for %s: %s created, %s existing", period, created, result["existing"])
    return result


def recompile(dispatch: Dispatch) -> Dispatch:
    """A draft's figures again from today's data (staff ask for it after late entries)."""
    if dispatch.status != DispatchStatus.DRAFT:
        return dispatch
    path = dispatch.committee.path
    dispatch.figures = compile_figures(dispatch.period, under=path).get(path) or empty_figures()
    dispatch.compiled_at = timezone.now()
    dispatch.save(update_fields=["figures", "compiled_at"])
    return dispatch

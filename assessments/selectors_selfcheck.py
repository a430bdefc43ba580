"""Reads for the secretary's pages: the task list and the self-check form.

Both cost a fixed number of queries whatever the number of items or
assessments: counts come from one grouped query per page, evidence is
prefetched, and the items of a self-check are grouped in Python.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Prefetch, Q, Value, When
from django.utils import timezone

from orgs.models import Role
from orgs.scoping import scope_q
from standards.conditions import item_applies
from standards.models import ItemKind, StandardItem

from .models import Assessment, CampaignStatus, Evidence, ItemResponse
from .services import FILLABLE, overdue_q

# An item counts as answered as missing_for_submit sees it: a written answer by its
# text, every other kind by its value.
ANSWERED_Q = (Q(item__kind=ItemKind.TEXT) & ~Q(self_text="")) | (
    ~Q(item__kind=ItemKind.TEXT) & ~Q(self_value="")
)


def is_answered(response):
    if response.item.kind == ItemKind.TEXT:
        return bool(response.self_text.strip())
    return response.self_value != ""


# ---------------------------------------------------------------- my tasks


def my_tasks_queryset(user, today=None):
    """Assessments in active campaigns of the organizations the user is secretary of,
    returned ones first (`was_returned`), then by deadline (`is_overdue` is
    services.overdue_q's)."""
    today = today or timezone.localdate()
    return (
        Assessment.objects.filter(
            scope_q(user, "organization__", roles={Role.SECRETARY}),
            campaign__status=CampaignStatus.ACTIVE,
        )
        .select_related("organization", "campaign")
        .annotate(
            # Returned, and still being put right (a returned one saved again is a draft
            # that keeps its reason until it is submitted).
            was_returned=Case(
                When(
                    Q(status__in=list(FILLABLE)) & ~Q(return_reason=""), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-was_returned", "campaign__self_check_deadline", "organization__path", "pk")
    )


@dataclass
class Progress:
    answered: int = 0
    applicable: int = 0
    evidence_missing: int = 0
    # Not opened yet: `applicable` is what opening it would create.
    opened: bool = True

    @property
    def percent(self):
        if not self.applicable:
            return 0
        return round(self.answered * 100 / self.applicable)

    @property
    def complete(self):
        return self.applicable and self.answered == self.applicable and not self.evidence_missing


def attach_progress(assessments):
    """Set `.progress` on each assessment of a page: two grouped queries, and two more
    (the sets' items and their categories) when some assessment was never opened."""
    assessments = list(assessments)
    ids = [a.pk for a in assessments]
    counts = {
        row["assessment_id"]: row
        for row in ItemResponse.objects.filter(assessment_id__in=ids)
        .values("assessment_id")
        .annotate(applicable=Count("pk"), answered=Count("pk", filter=ANSWERED_Q))
        .order_by()
    }
    missing = dict(
        ItemResponse.objects.filter(
            assessment_id__in=ids, item__evidence_required=True, evidence__isnull=True
        )
        .values("assessment_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("assessment_id", "n")
    )
    unopened = [a for a in assessments if a.pk not in counts]
    items_by_set = {}
    if unopened:
        set_ids = {a.campaign.standard_set_id for a in unopened}
        for item in StandardItem.objects.filter(standard_set_id__in=set_ids).prefetch_related(
            "categories"
        ):
            items_by_set.setdefault(item.standard_set_id, []).append(item)
    for a in assessments:
        row = counts.get(a.pk)
        if row is not None:
            a.progress = Progress(row["answered"], row["applicable"], missing.get(a.pk, 0))
        else:
            items = items_by_set.get(a.campaign.standard_set_id, [])
            applicable = [i for i in items if item_applies(i, a.organization)]
            a.progress = Progress(
                0, len(applicable), sum(1 for i in applicable if i.evidence_required), opened=False
            )
    return assessments


# ---------------------------------------------------------------- the self-check form


@dataclass
class DimensionGroup:
    dimension: object
    responses: list = field(default_factory=list)

    @property
    def answered(self):
        return sum(1 for r in self.responses if r.answered)


def fill_responses(assessment):
    """The assessment's responses with item, dimension and evidence: two queries."""
    responses = list(
        assessment.responses.select_related("item__dimension")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.only(
                    "pk", "response_id", "original_name", "content_type", "size", "uploaded_at"
                ).order_by("uploaded_at", "pk"),
            )
        )
        .order_by("item__dimension__ordering", "item__dimension_id", "item__ordering", "item__pk")
    )
    for r in responses:
        r.answered = is_answered(r)
        r.evidence_list = list(r.evidence.all())
        r.evidence_missing = r.item.evidence_required and not r.evidence_list
    return responses


def group_by_dimension(responses):
    groups = []
    for r in responses:
        if not groups or groups[-1].dimension.pk != r.item.dimension_id:
            groups.append(DimensionGroup(r.item.dimension))
        groups[-1].responses.append(r)
    return groups


def progress_of(responses):
    return Progress(
        answered=sum(1 for r in responses if r.answered),
        applicable=len(responses),
        evidence_missing=sum(1 for r in responses if r.evidence_missing),
    )

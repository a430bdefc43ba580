"""Reads for the assessment page, the review page, the review queue and the organization panel.

Each function loads what its page shows in a fixed number of queries, whatever
the number of items or organizations: responses with their items and
dimensions in one query, their evidence in one, the spot-check findings in one,
the transitions with their users in one.
"""

from dataclasses import dataclass, field

from django.db.models import Case, F, Prefetch, Q, When
from django.utils.translation import gettext as _

from orgs.models import Role
from orgs.scoping import scope_q
from standards.models import ItemKind

from . import services
from .access import REVIEWING_ROLES
from .models import (
    Assessment,
    AssessmentStatus,
    Evidence,
    Finding,
    ItemResponse,
    StarRating,
)

MAX_STARS = 5
PANEL_HISTORY = 20  # star rows shown on the organization page
PANEL_CAMPAIGNS = 10  # campaigns shown on the organization page


def star_text(stars):
    """★★★☆☆ for 3; '' when the organization has no rating."""
    if stars is None:
        return ""
    return "★" * stars + "☆" * max(0, MAX_STARS - stars)


def display_value(item, raw, *, text=""):
    """A stored value as people read it: 是/否, '80 ㎡', the level's label, a hand score."""
    if item.kind == ItemKind.TEXT:
        # The secretary's written answer; the reviewer's value of a text item is a score.
        return text or (_("%(score)s points") % {"score": raw} if raw != "" else "")
    if raw == "":
        return ""
    if item.kind == ItemKind.CHECK:
        return _("Yes") if raw == "true" else _("No")
    if item.kind == ItemKind.NUMBER:
        return f"{raw} {item.unit}".strip()
    return raw


@dataclass
class Row:
    """One item of an assessment as the pages and the export show it."""

    response: ItemResponse
    item: object
    evidence: list
    self_display: str
    reviewer_display: str
    finding: Finding | None
    finding_display: str
    self_score: object
    final_score: object
    value_field: object = None  # the review form's bound fields, set by the review view
    note_field: object = None


@dataclass
class DimensionGroup:
    name: str
    rows: list = field(default_factory=list)


@dataclass
class AssessmentPage:
    groups: list
    rows: list
    transitions: list
    dimension_table: list  # [(name, score, max, percent)]
    dimension_stage: str  # "final" when stored at review, "self" when computed now
    findings_count: int
    star_text: str


def responses_for_page(assessment):
    """The assessment's responses with item, dimension and evidence: two queries."""
    return list(
        assessment.responses.select_related("item__dimension")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
        .order_by("item__dimension__ordering", "item__ordering", "item__pk")
    )


def findings_by_item(assessment):
    """The latest spot-check finding per item (the one that counts): one query."""
    found = {}
    for finding in Finding.objects.filter(sample__assessment=assessment).order_by("at", "pk"):
        found[finding.item_id] = finding
    return found


def assessment_page(assessment, *, responses=None):
    """Everything the assessment page and the review page show: five queries.

    Per-item scores are the stored ones (written at submission and at review); a
    draft has none yet, so its self scores are computed here from the loaded
    rows, without a query. The dimension table is the one stored at review, or
    else the self-check's, computed the same way.
    """
    if responses is None:
        responses = responses_for_page(assessment)
    findings = findings_by_item(assessment)
    self_result = services.compute(assessment=assessment, stage="self", responses=responses)
    computed_self = {r.item.pk: r.score for r in self_result.items}
    groups, rows = [], []
    for response in responses:
        item = response.item
        finding = findings.get(item.pk)
        row = Row(
            response=response,
            item=item,
            evidence=list(response.evidence.all()),
            self_display=display_value(item, response.self_value, text=response.self_text),
            reviewer_display=display_value(item, response.reviewer_value),
            finding=finding,
            finding_display=display_value(item, finding.found_value) if finding else "",
            self_score=(
                response.self_score if response.self_score is not None
                else computed_self.get(item.pk)
            ),
            final_score=response.final_score,
        )
        if not groups or groups[-1].name != item.dimension.name:
            groups.append(DimensionGroup(item.dimension.name))
        groups[-1].rows.append(row)
        rows.append(row)

    if assessment.dimension_scores:
        stage = "final"
        table = [
            (name, d.get("score"), d.get("max"), d.get("percent"))
            for name, d in assessment.dimension_scores.items()
        ]
    else:
        stage = "self"
        table = [
            (d.name, d.score, d.max_score, d.percent) for d in self_result.dimensions.values()
        ]
    transitions = list(assessment.transitions.select_related("by").order_by("at", "pk"))
    return AssessmentPage(
        groups=groups, rows=rows, transitions=transitions, dimension_table=table,
        dimension_stage=stage, findings_count=len(findings),
        star_text=star_text(assessment.stars),
    )


# ---------------------------------------------------------------- the review queue


def waiting_q(user):
    """What waits for this user: submitted self-checks where they review (committee or
    county staff), and reviewed ones where they accept (county staff)."""
    reviewer = scope_q(user, "organization__", roles=REVIEWING_ROLES)
    county = scope_q(user, "organization__", roles={Role.COUNTY_STAFF})
    return (Q(status=AssessmentStatus.SUBMITTED) & reviewer) | (
        Q(status=AssessmentStatus.REVIEWED) & county
    )


def review_queue(*, user, campaign=None, committee=None, category=None, status="", q=""):
    """The queue, oldest wait first: joins done, ready to paginate."""
    qs = (
        Assessment.objects.filter(waiting_q(user))
        .select_related("organization__category", "campaign")
        .annotate(
            waiting_since=Case(
                When(status=AssessmentStatus.REVIEWED, then=F("reviewed_at")),
                default=F("submitted_at"),
            )
        )
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if committee is not None:
        qs = qs.filter(organization__path__startswith=committee.path)
    if category is not None:
        qs = qs.filter(organization__category=category)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(organization__name__icontains=q)
    return qs.order_by(F("waiting_since").asc(nulls_first=True), "pk")


# ---------------------------------------------------------------- the organization panel


def org_star_history(org, limit=PANEL_HISTORY):
    """The organization's star rows, newest first, with who and which assessment: one query."""
    rows = list(
        StarRating.objects.filter(organization=org)
        .select_related("by", "assessment__campaign")
        .order_by("-at", "-pk")[:limit]
    )
    for row in rows:
        row.star_text = star_text(row.stars)
    return rows


def org_latest_assessments(org, limit=PANEL_CAMPAIGNS):
    """The organization's assessment in each of its latest campaigns: one query.

    There is one assessment per organization and campaign, so "the latest per
    campaign" is simply the organization's rows, newest campaign first.
    """
    return list(
        Assessment.objects.filter(organization=org)
        .select_related("campaign")
        .order_by("-campaign__year", "-campaign__created_at", "-pk")[:limit]
    )

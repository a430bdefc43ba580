"""Reads for the 季督查 pages and the 通报 (STYLE.md: writes in inspections.py, reads here).

Every function starts from `access.inspections_visible_to(user)`: the inspections of
the committees in the user's scope and those the user was made inspector of. Each
costs a fixed number of queries whatever the number of committees, samples and findings.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from orgs.models import Assignment, Organization, Role, User
from orgs.scoping import path_in_scope
from rectification.models import RectificationTask, Severity, TaskStatus, overdue_q
from rectification.selectors import ProblemState

from .access import inspections_visible_to
from .models import Inspection, InspectionFinding, InspectionSample
from .rules import quarter_start

# Who may be made an inspector: the county's staff, its committees' staff and its
# viewers (督查组, leaders), never a branch secretary or a helper.
INSPECTOR_ROLES = (Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER)
_QUARTER = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


# ---------------------------------------------------------------- quarters


def parse_quarter(text) -> date | None:
    """'2026Q4' -> date(2026, 10, 1); None for anything else (years 2000-2099)."""
    match = _QUARTER.match(text or "")
    if not match:
        return None
    year, quarter = int(match[1]), int(match[2])
    if not 2000 <= year <= 2099:
        return None
    return date(year, (quarter - 1) * 3 + 1, 1)


def quarter_code(period: date) -> str:
    return f"{period.year}Q{(period.month - 1) // 3 + 1}"


def quarter_number(period: date) -> int:
    return (period.month - 1) // 3 + 1


def quarters_for(user) -> list[date]:
    """The quarters that have an inspection the user may read, latest first (one query)."""
    return list(
        Inspection.objects.filter(pk__in=_visible_pks(user))
        .order_by("-period").values_list("period", flat=True).distinct()
    )


def _visible_pks(user):
    # A subquery: the scope's OR with the inspectors join stays out of the outer
    # query, so its counts are not multiplied by the inspectors.
    return inspections_visible_to(user).values("pk")


def choose_quarter(requested, quarters) -> tuple[date, bool]:
    """(the quarter to show, whether `requested` was unreadable). Without one, the latest
    quarter that has an inspection, else the current quarter."""
    default = quarters[0] if quarters else quarter_start(timezone.localdate())
    if not requested:
        return default, False
    period = parse_quarter(requested)
    if period is None:
        return default, True
    return period, False


# ---------------------------------------------------------------- the list


def _sample_counts():
    return {
        "n_sampled": Count("samples", distinct=True),
        "n_visited": Count("samples", filter=Q(samples__inspected_on__isnull=False), distinct=True),
        "n_findings": Count("samples__findings", distinct=True),
    }


def inspections_for_quarter(*, user, period: date):
    """One quarter's inspections with committee, inspectors and counts (two queries)."""
    return (
        Inspection.objects.filter(pk__in=_visible_pks(user), period=period)
        .select_related("committee")
        .prefetch_related(Prefetch("inspectors", queryset=User.objects.order_by("full_name", "pk")))
        .annotate(**_sample_counts())
        .order_by("committee__path")
    )


def list_totals(inspections) -> dict:
    return {
        key: sum(getattr(i, key) for i in inspections)
        for key in ("n_sampled", "n_visited", "n_findings")
    }


# ---------------------------------------------------------------- one inspection


def _findings():
    """Findings with their problem and its task figures (the prefetch's one grouped query)."""
    tasks = RectificationTask.objects.filter(problem=OuterRef("problem_id"))
    return (
        InspectionFinding.objects.select_related("problem", "by")
        .annotate(
            n_tasks=Count("problem__tasks", distinct=True),
            n_closed=Count("problem__tasks", distinct=True,
                           filter=Q(problem__tasks__status=TaskStatus.CLOSED)),
            has_overdue=Exists(tasks.filter(overdue_q())),
        )
    )


def _with_state(finding, user):
    """Where the finding's problem stands (from its tasks, as the 问题清单 reads it), and
    whether the user may open the problem (an inspector from outside the committee may not)."""
    if not finding.n_tasks:
        finding.state = ProblemState.NO_TASK
    elif finding.n_closed == finding.n_tasks:
        finding.state = ProblemState.DONE
    else:
        finding.state = ProblemState.RECTIFYING
    finding.state_label = ProblemState(finding.state).label
    finding.linked = path_in_scope(user, finding.sample.organization.path)
    return finding


def samples_of(*, user, inspection: Inspection) -> list[InspectionSample]:
    """The sample with organizations and findings (two queries); `linked` says whether
    the user may open the organization's page."""
    samples = list(
        InspectionSample.objects.filter(inspection=inspection)
        .select_related("organization")
        .prefetch_related(Prefetch("findings", queryset=_findings().order_by("at", "pk")))
        .order_by("organization__path")
    )
    for sample in samples:
        sample.inspection = inspection
        sample.linked = path_in_scope(user, sample.organization.path)
        for finding in sample.findings.all():
            finding.sample = sample
            _with_state(finding, user)
    return samples


def sample_totals(samples) -> dict:
    findings = [f for s in samples for f in s.findings.all()]
    return {
        "n_sampled": len(samples),
        "n_visited": sum(1 for s in samples if s.inspected_on),
        "n_findings": len(findings),
        "n_high": sum(1 for f in findings if f.problem.severity == Severity.HIGH),
    }


def inspector_candidates(committee: Organization):
    """Users holding a staff or viewer role anywhere in the committee's county (not across
    counties): the inspectors' choices (a queryset, read once by the form)."""
    county_path = committee.path[: Organization.steplen]
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(
            Assignment.objects.filter(
                user=OuterRef("pk"), role__in=INSPECTOR_ROLES, organization__is_active=True,
                organization__path__startswith=county_path,
            )
        ))
        .order_by("full_name", "username")
    )


# ---------------------------------------------------------------- 通报


@dataclass
class CommitteeBulletin:
    """One committee's part of the bulletin: its inspection, figures and findings."""

    inspection: Inspection
    findings: list = field(default_factory=list)

    @property
    def committee(self):
        return self.inspection.committee


def bulletin_inspections(*, user, period: date):
    """The quarter's inspections the user may read, with their figures (one query)."""
    return (
        Inspection.objects.filter(pk__in=_visible_pks(user), period=period)
        .select_related("committee")
        .annotate(
            **_sample_counts(),
            n_high=Count("samples__findings", distinct=True,
                         filter=Q(samples__findings__problem__severity=Severity.HIGH)),
        )
        .order_by("committee__path")
    )


def bulletin_findings(*, user, period: date):
    """Every finding of the quarter's readable inspections, with its organization, sample,
    problem and the problem's task figures (one grouped query)."""
    return (
        _findings()
        .filter(sample__inspection__in=Inspection.objects.filter(pk__in=_visible_pks(user),
                                                                   period=period))
        .select_related("sample__organization")
        .order_by("sample__inspection__committee__path", "sample__organization__path", "at", "pk")
    )


def bulletin(*, user, period: date) -> list[CommitteeBulletin]:
    """The 通报 grouped by committee (two queries). Committees without a finding stay:
    a clean visit is news too."""
    groups = {i.pk: CommitteeBulletin(i) for i in bulletin_inspections(user=user, period=period)}
    for finding in bulletin_findings(user=user, period=period):
        group = groups.get(finding.sample.inspection_id)
        if group is None:  # planned between the two queries; the next load has it
            continue
        finding.sample.inspection = group.inspection
        group.findings.append(_with_state(finding, user))
    return list(groups.values())


def bulletin_totals(groups) -> dict:
    return {
        key: sum(getattr(g.inspection, key) for g in groups)
        for key in ("n_sampled", "n_visited", "n_findings", "n_high")
    }

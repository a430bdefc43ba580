"""季督查: planning each committee's quarter and recording what inspectors find.

The sample leans toward the organizations that need a visit: a branch graded 后进
(or under an active 3+1 pairing) and a branch with overdue rectification weigh
more than the rest (weights in data/rules.json). The draw is weighted sampling
without replacement from a seed stored on the inspection, so a plan can be
reproduced and checked.
"""

import logging
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, AssessmentStatus, Grade
from orgs.models import BRANCH_LEVELS, Organization
from orgs.selectors.committees import COMMITTEE_PREFIX
from partybuild.sampling import weighted_sample
from rectification import services as rectification
from rectification.models import Pairing, PairingStatus, ProblemSource, RectificationTask, overdue_q

from .dispatch import committees_qs
from .models import (
    Inspection,
    InspectionFinding,
    InspectionSample,
    InspectionStatus,
    NotificationKind,
    SampleReason,
)
from .rules import INSPECTION, quarter_start

log = logging.getLogger(__name__)


def _sample_size(population: int) -> int:
    share = (Decimal(population) * INSPECTION["sample_share"]).quantize(Decimal(1), ROUND_HALF_UP)
    return min(population, max(INSPECTION["sample_min"], min(INSPECTION["sample_max"], int(share))))


def _flags(today):
    """Organizations graded 后进 or under an active pairing, and those with overdue work
    (three queries, for every committee at once)."""
    lagging = set(
        Assessment.objects.filter(grade=Grade.LAGGING, status=AssessmentStatus.ACCEPTED)
        .values_list("organization_id", flat=True)
    ) | set(Pairing.objects.filter(status=PairingStatus.ACTIVE).values_list("organization_id", flat=True))
    overdue = set(
        RectificationTask.objects.filter(overdue_q(today)).values_list("organization_id", flat=True)
    )
    return lagging, overdue


def draw(candidates, *, lagging, overdue, seed):
    """[(organization id, reason, weight)] for one committee's branches."""
    weighted = []
    for pk in candidates:
        if pk in lagging:
            weighted.append((pk, SampleReason.LAGGING, INSPECTION["weight_lagging"]))
        elif pk in overdue:
            weighted.append((pk, SampleReason.OVERDUE, INSPECTION["weight_overdue"]))
        else:
            weighted.append((pk, SampleReason.RANDOM, INSPECTION["weight_base"]))
    by_pk = {pk: (reason, weight) for pk, reason, weight in weighted}
    chosen = weighted_sample([(pk, w) for pk, _r, w in weighted], _sample_size(len(weighted)),
                             random.Random(seed))
    return [(pk, *by_pk[pk]) for pk in sorted(chosen)]


def plan_inspections(run_for: date) -> dict:
    """One inspection per committee for `run_for`'s quarter, with its sample; what exists
    stays (unique committee + quarter). Each committee's plan is one transaction."""
    period = quarter_start(run_for)
    committees = list(committees_qs().order_by("path").values_list("pk", "path"))
    have = set(Inspection.objects.filter(period=period).values_list("committee_id", flat=True))
    todo = [(pk, path) for pk, path in committees if pk not in have]
    created = sampled = 0
    if todo:
        lagging, overdue = _flags(run_for)
        branches = {}
        rows = Organization.objects.filter(
            Q(level__in=BRANCH_LEVELS), is_active=True, depth__gt=2,
        ).order_by("path").values_list("pk", "path")
        prefixes = {path for _pk, path in todo}
        for pk, path in rows:
            if path[:COMMITTEE_PREFIX] in prefixes:
                branches.setdefault(path[:COMMITTEE_PREFIX], []).append(pk)
        for pk, path in todo:
            seed = int(f"{period:%Y%m}") * 100_000 + pk
            picks = draw(branches.get(path, []), lagging=lagging, overdue=overdue, seed=seed)
            try:
                with transaction.atomic():
                    inspection = Inspection.objects.create(committee_id=pk, period=period, seed=seed)
                    InspectionSample.objects.bulk_create(
                        InspectionSample(inspection=inspection, organization_id=org, reason=reason,
                                         weight=weight)
                        for org, reason, weight in picks
                    )
            except IntegrityError:  # planned meanwhile by another run
                continue
            created += 1
            sampled += len(picks)
    result = {"quarter": f"{period.year}Q{(period.month - 1) // 3 + 1}", "created": created,
              "existing": len(committees) - created, "sampled": sampled}
    log.info("inspection plans for %s: %s", period, result)
    return result


@transaction.atomic
def finding_record(*, sample: InspectionSample, by, description: str, severity) -> InspectionFinding:
    """A finding at a sampled organization: a problem (source 督查) and its link here."""
    if not (description or "").strip():
        raise ValidationError(_("Describe what was found."))
    problem = rectification.problem_create(
        organization=sample.organization, description=description.strip(), by=by,
        severity=severity, source=ProblemSource.INSPECTION,
    )
    finding = InspectionFinding.objects.create(sample=sample, problem=problem, by=by)
    if sample.inspected_on is None:
        sample.inspected_on = timezone.localdate()
        sample.save(update_fields=["inspected_on"])
    inspection = sample.inspection
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status = InspectionStatus.IN_PROGRESS
        inspection._history_user = by
        inspection.save(update_fields=["status"])
    return finding


@transaction.atomic
def sample_visited(*, sample: InspectionSample, by, inspected_on, note=""):
    sample.inspected_on = inspected_on
    sample.note = note
    sample.save(update_fields=["inspected_on", "note"])
    inspection = sample.inspection
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status = InspectionStatus.IN_PROGRESS
        inspection._history_user = by
        inspection.save(update_fields=["status"])
    return sample


@transaction.atomic
def inspection_finish(*, inspection: Inspection, by, notes: str = ""):
    if inspection.samples.filter(inspected_on__isnull=True).exists():
        raise ValidationError(_("Record a visit to every sampled organization first."))
    inspection.status = InspectionStatus.DONE
    inspection.finished_at = timezone.now()
    inspection.notes = notes or inspection.notes
    inspection._history_user = by
    inspection.save()
    return inspection


@transaction.atomic
def inspectors_set(*, inspection: Inspection, by, users):
    """Assign the inspectors; each newly assigned one is told (a notification, once a day)."""
    before = set(inspection.inspectors.values_list("pk", flat=True))
    inspection._history_user = by
    inspection.inspectors.set(users)
    added = [u for u in users if u.pk not in before]
    if added:
        from .reminders import Reminder, notify

        url = reverse("supervision:inspection_detail", args=[inspection.pk])
        title = _("You inspect %(committee)s in %(quarter)s") % {
            "committee": inspection.committee.name,
            "quarter": f"{inspection.period.year}Q{inspection.quarter}",
        }
        body = _("%(n)d organizations are in the sample; record your visits and findings.") % {
            "n": inspection.samples.count()
        }
        notify([Reminder(u.pk, NotificationKind.INSPECTION, f"inspection:{inspection.pk}", title,
                         body, url) for u in added], timezone.localdate())
    return inspection

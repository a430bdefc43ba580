"""Turning what fell short into checked work, and 3+1 pairing. Plain functions (STYLE.md)."""

import json
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_history_manager_for_model

from assessments.evidence import FILE_TYPES, EvidenceRejected, validate_upload
from assessments.models import Assessment, AssessmentStatus, Grade
from orgs.models import Role
from orgs.services import assignment_add

from .models import (
    Milestone,
    Pairing,
    PairingStatus,
    Problem,
    ProblemSource,
    RectificationTask,
    Severity,
    TaskCheck,
    TaskStatus,
    TaskUpdate,
    Visit,
)

SCHEDULE = json.loads((Path(__file__).resolve().parent / "data" / "schedule.json").read_text())
GRADE_RANK = {Grade.LAGGING: 0, Grade.GENERAL: 1, Grade.ADVANCED: 2}
DONE_STATUSES = (AssessmentStatus.REVIEWED, AssessmentStatus.ACCEPTED)


# --------------------------------------------------------------------------- problems


def _severity(item, score):
    if item.is_veto:
        return Severity.HIGH
    return Severity.MEDIUM if not score else Severity.LOW


@transaction.atomic
def problems_generate(*, assessment, by=None):
    """One problem per item that fell short in a reviewed or accepted assessment.

    Safe to run any number of times: the unique (assessment, item) constraint and
    ignore_conflicts make a rerun create nothing. Returns how many were new.
    """
    if assessment.status not in DONE_STATUSES:
        return 0
    responses = assessment.responses.select_related("item").exclude(final_score=None)
    rows = []
    for r in responses:
        if r.final_score >= r.item.max_score:
            continue
        item = r.item
        rows.append(Problem(
            organization_id=assessment.organization_id, source=ProblemSource.ASSESSMENT,
            assessment=assessment, item=item, severity=_severity(item, r.final_score),
            found_by=by,
            description=_("%(code)s %(requirement)s — scored %(score)s of %(max)s")
            % {"code": item.code, "requirement": item.requirement,
               # format "f": Decimal("10.00").normalize() alone prints as "1E+1".
               "score": format(r.final_score.normalize(), "f"),
               "max": format(item.max_score.normalize(), "f")},
        ))
    had = set(
        Problem.objects.filter(assessment=assessment, source=ProblemSource.ASSESSMENT)
        .values_list("item_id", flat=True)
    )
    rows = [row for row in rows if row.item_id not in had]
    Problem.objects.bulk_create(rows, ignore_conflicts=True)
    # The audit trail's "+" rows; bulk_create gives no ids on SQLite, so read them back.
    made = list(Problem.objects.filter(
        assessment=assessment, source=ProblemSource.ASSESSMENT, item_id__in=[r.item_id for r in rows]
    ))
    get_history_manager_for_model(Problem).bulk_history_create(made, default_user=by)
    return len(made)


def problems_sync(*, by=None):
    """The job: every reviewed or accepted assessment without its problems yet."""
    created = 0
    pending = Assessment.objects.filter(status__in=DONE_STATUSES).exclude(
        pk__in=Problem.objects.filter(source=ProblemSource.ASSESSMENT).values("assessment_id")
    )
    for assessment in pending.iterator():
        created += problems_generate(assessment=assessment, by=by)
    return created


@transaction.atomic
def problem_from_finding(*, finding, by):
    """A spot-check finding becomes a problem once."""
    existing = Problem.objects.filter(finding=finding).first()
    if existing:
        return existing
    assessment = finding.sample.assessment
    return Problem.objects.create(
        organization_id=assessment.organization_id, source=ProblemSource.SPOT_CHECK,
        assessment=assessment, item=finding.item, finding=finding, severity=Severity.MEDIUM,
        description=finding.note, found_by=finding.by, found_on=finding.at.date(),
    )


def problem_create(*, organization, description, by, severity=Severity.MEDIUM,
                   source=ProblemSource.MANUAL, item=None, found_on=None):
    if not (description or "").strip():
        raise ValidationError(_("Describe the problem."))
    problem = Problem(
        organization=organization, description=description, severity=severity, source=source,
        item=item, found_by=by, found_on=found_on or timezone.localdate(),
    )
    problem._history_user = by
    problem.full_clean()
    problem.save()
    return problem


# --------------------------------------------------------------------------- tasks


def default_deadline(problem, today=None):
    """倒排: weeks before the campaign's last phase ends, by severity; else weeks from today."""
    today = today or timezone.localdate()
    end = None
    if problem.assessment_id:
        last = problem.assessment.campaign.phases.order_by("-ends_on").first()
        end = last.ends_on if last else problem.assessment.campaign.review_deadline
    if end:
        deadline = end - timedelta(weeks=SCHEDULE["weeks_before_end"][problem.severity])
        if deadline > today:
            return deadline
    return today + timedelta(weeks=SCHEDULE["fallback_weeks_from_today"])


@transaction.atomic
def task_create(*, problem, measure, responsible_name, by, responsible=None, leader_name="",
                deadline=None, starts_on=None):
    if not (measure or "").strip() or not (responsible_name or "").strip():
        raise ValidationError(_("A task needs a measure and a responsible person."))
    task = RectificationTask(
        problem=problem, organization_id=problem.organization_id, measure=measure,
        responsible=responsible, responsible_name=responsible_name, leader_name=leader_name,
        starts_on=starts_on or timezone.localdate(),
        deadline=deadline or default_deadline(problem), created_by=by,
    )
    if task.deadline < task.starts_on:
        raise ValidationError(_("The deadline cannot be before the start."))
    task._history_user = by
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_edit(*, task, by, measure, responsible_name, starts_on, deadline, responsible=None,
              leader_name=""):
    """Change what a task asks of whom and by when. Its status moves only by reports and
    checks; a closed task is a record and stays as it was checked."""
    task = RectificationTask.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.CLOSED:
        raise ValidationError(_("A closed task cannot be changed."))
    if not (measure or "").strip() or not (responsible_name or "").strip():
        raise ValidationError(_("A task needs a measure and a responsible person."))
    if deadline < starts_on:
        raise ValidationError(_("The deadline cannot be before the start."))
    task.measure, task.responsible, task.responsible_name = measure, responsible, responsible_name
    task.leader_name, task.starts_on, task.deadline = leader_name, starts_on, deadline
    task._history_user = by
    task._change_reason = _("Task edited")
    task.full_clean()
    task.save()
    return task


def _set_status(task, status, by, reason=""):
    task.status = status
    task._history_user = by
    task._change_reason = reason
    task.save()


@transaction.atomic
def task_report(*, task, by, text, progress, upload=None):
    """A progress report (with an optional checked file). Starts an open task."""
    task = RectificationTask.objects.select_for_update().get(pk=task.pk)
    if task.status in (TaskStatus.CLOSED, TaskStatus.AWAITING_CHECK):
        raise ValidationError(_("This task is waiting for its check or closed."))
    if not (text or "").strip():
        raise ValidationError(_("Say what was done."))
    if not 0 <= int(progress) <= 100:
        raise ValidationError(_("Progress is a percentage from 0 to 100."))
    update = TaskUpdate(task=task, text=text, progress=progress, by=by)
    if upload is not None:
        # The same content checks as assessment evidence (a photo must really be one).
        try:
            kind, name = validate_upload(upload)
        except EvidenceRejected as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        update.file = upload
        update.original_name = name[:200]
        update.content_type = FILE_TYPES[kind].content_type
    update.save()
    task.progress = progress
    _set_status(task, TaskStatus.IN_PROGRESS, by, _("Progress reported"))
    return update


@transaction.atomic
def task_request_close(*, task, by, text=""):
    task = RectificationTask.objects.select_for_update().get(pk=task.pk)
    if task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS):
        raise ValidationError(_("Only an open task can be put forward for closing."))
    if not task.updates.exists():
        raise ValidationError(_("Report what was done before asking to close the task."))
    task.progress = 100
    _set_status(task, TaskStatus.AWAITING_CHECK, by, text or _("Closing requested"))
    return task


@transaction.atomic
def task_check(*, task, by, accepted, comment=""):
    """对账销号. The checker may not be the responsible person; a rejection needs a reason
    and sends the task back to work."""
    task = RectificationTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.AWAITING_CHECK:
        raise ValidationError(_("This task is not waiting for a check."))
    if task.responsible_id and task.responsible_id == by.pk:
        raise ValidationError(_("The responsible person cannot check their own task."))
    if not accepted and not (comment or "").strip():
        raise ValidationError(_("Say why the closing is rejected."))
    TaskCheck.objects.create(task=task, accepted=accepted, comment=comment, by=by)
    if accepted:
        task.closed_at = timezone.now()
        _set_status(task, TaskStatus.CLOSED, by, _("Checked and closed"))
    else:
        _set_status(task, TaskStatus.IN_PROGRESS, by, _("Closing rejected: %(why)s") % {"why": comment[:60]})
    return task


# --------------------------------------------------------------------------- 3+1 pairing


@transaction.atomic
def pairing_create(*, organization, county_leader, committee_secretary, cadre, target_date,
                   measures, by, target_grade=Grade.GENERAL, baseline=None, milestones=()):
    """Pair three helpers with a lagging organization; each gets the helper role on it,
    which is what lets them see it (the one scope mechanism)."""
    if len({county_leader.pk, committee_secretary.pk, cadre.pk}) < 3:
        raise ValidationError(_("The three helpers must be three different people."))
    if Pairing.objects.filter(organization=organization, status=PairingStatus.ACTIVE).exists():
        raise ValidationError(_("This organization already has an active pairing."))
    baseline_grade = baseline.grade if baseline is not None and baseline.grade else Grade.LAGGING
    if GRADE_RANK[target_grade] <= GRADE_RANK[baseline_grade]:
        raise ValidationError(_("The target grade must be better than the present one."))
    pairing = Pairing(
        organization=organization, county_leader=county_leader,
        committee_secretary=committee_secretary, cadre=cadre, target_date=target_date,
        measures=measures, target_grade=target_grade, baseline=baseline,
        baseline_grade=baseline_grade, created_by=by,
    )
    pairing._history_user = by
    pairing.full_clean()
    pairing.save()
    for helper in pairing.helpers:
        assignment_add(user=helper, organization=organization, role=Role.HELPER, by=by,
                       note=_("3+1 pairing"))
    Milestone.objects.bulk_create(
        Milestone(pairing=pairing, title=title, due_on=due_on) for title, due_on in milestones
    )
    return pairing


def visit_log(*, pairing, by, visited_on, found, solved=""):
    if not (found or "").strip():
        raise ValidationError(_("Say what was found on the visit."))
    return Visit.objects.create(pairing=pairing, by=by, visited_on=visited_on, found=found,
                                solved=solved)


def better_assessment(pairing):
    """The first accepted assessment after the pairing began with a better grade, if any."""
    candidates = Assessment.objects.filter(
        organization_id=pairing.organization_id, status=AssessmentStatus.ACCEPTED,
        accepted_at__gte=pairing.created_at,
    ).order_by("accepted_at")
    for assessment in candidates:
        if GRADE_RANK.get(assessment.grade, -1) > GRADE_RANK[pairing.baseline_grade]:
            return assessment
    return None


@transaction.atomic
def pairing_refresh(*, pairing):
    """晋位升级: mark an active pairing upgraded once a later accepted assessment is better."""
    if pairing.status != PairingStatus.ACTIVE:
        return pairing
    outcome = better_assessment(pairing)
    if outcome is not None:
        pairing.status = PairingStatus.UPGRADED
        pairing.outcome = outcome
        pairing.upgraded_at = outcome.accepted_at
        pairing.save()
    return pairing


def pairings_sync():
    """The job: refresh every active pairing (few: tens per county)."""
    upgraded = 0
    for pairing in Pairing.objects.filter(status=PairingStatus.ACTIVE):
        if pairing_refresh(pairing=pairing).status == PairingStatus.UPGRADED:
            upgraded += 1
    return upgraded



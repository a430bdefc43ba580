"""The yearly cycle as plain functions: create and launch a campaign, fill, submit,
return, review, accept, award and take away stars, draw spot checks, record findings.

Views, admin actions, Celery tasks and tests all call these. Every status change
goes through `_move`, which checks the transition is allowed and records it.
"""

import json
import logging
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history, get_history_manager_for_model

from orgs.models import BRANCH_LEVELS, Level, Organization, Role
from partybuild.sampling import weighted_sample
from standards.conditions import item_applies
from standards.models import ItemKind, SetStatus, StandardItem

from . import scoring
from .models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    CampaignStatus,
    Finding,
    Grade,
    ItemResponse,
    Phase,
    SpotCheck,
    SpotCheckSample,
    StarAction,
    StarRating,
    Transition,
)

log = logging.getLogger(__name__)
DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "campaign_defaults.json"
LAUNCH_BATCH = 1000
# Above this many organizations a launch runs in the background and shows progress.
LAUNCH_INLINE_MAX = 300

S = AssessmentStatus
ALLOWED = {
    (S.NOT_STARTED, S.DRAFT),
    (S.RETURNED, S.DRAFT),
    (S.NOT_STARTED, S.SUBMITTED),
    (S.DRAFT, S.SUBMITTED),
    (S.RETURNED, S.SUBMITTED),
    (S.SUBMITTED, S.RETURNED),
    (S.REVIEWED, S.RETURNED),
    (S.SUBMITTED, S.REVIEWED),
    (S.REVIEWED, S.ACCEPTED),
}
FILLABLE = {S.NOT_STARTED, S.DRAFT, S.RETURNED}
NUMBER_LIMIT = 10**12


def campaign_defaults():
    return json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))


def _on(year, month_day):
    month, day = (int(part) for part in month_day.split("-"))
    return date(year, month, day)


# --------------------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(*, name, year, standard_set, organization, by, categories=(), **fields):
    """A draft campaign with the default phases and grading rule unless given."""
    if standard_set.status != SetStatus.PUBLISHED:
        raise ValidationError(_("A campaign needs a published standard set."))
    defaults = campaign_defaults()
    values = {
        "self_check_deadline": _on(year, defaults["self_check_deadline"]),
        "review_deadline": _on(year, defaults["review_deadline"]),
        "advanced_min": defaults["advanced_min"],
        "general_min": defaults["general_min"],
        "veto_forces_lagging": defaults["veto_forces_lagging"],
        "star_thresholds": defaults["star_thresholds"],
    }
    values.update(fields)
    campaign = Campaign(
        name=name, year=year, standard_set=standard_set, organization=organization,
        created_by=by, **values,
    )
    campaign.full_clean()
    if campaign.general_min > campaign.advanced_min:
        raise ValidationError(_("The lowest score for general cannot be above the one for advanced."))
    campaign._history_user = by
    campaign.save()
    if categories:
        campaign.categories.set(categories)
    Phase.objects.bulk_create(
        Phase(campaign=campaign, name=p["name"], starts_on=_on(year, p["starts"]),
              ends_on=_on(year, p["ends"]), ordering=i)
        for i, p in enumerate(defaults["phases"], start=1)
    )
    return campaign


def campaign_organizations(campaign):
    """The active organizations a campaign assesses: its subtree, its categories, and
    branch levels (committees too if asked)."""
    qs = Organization.objects.filter(
        path__startswith=campaign.organization.path, is_active=True
    ).order_by()
    if not campaign.include_committees:
        qs = qs.filter(level__in=[*BRANCH_LEVELS, Level.GENERAL_BRANCH])
    category_ids = list(campaign.categories.values_list("pk", flat=True))
    if category_ids:
        qs = qs.filter(category_id__in=category_ids)
    return qs


def campaign_launch(*, campaign, by):
    """Create one assessment per organization in scope. Launching again adds only
    organizations that have none yet. Large scopes go to a Celery task; the page
    shows `launch_done / launch_total` meanwhile. Returns "done" or "queued"."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == CampaignStatus.LAUNCHING:
            return "queued"
        if campaign.status == CampaignStatus.CLOSED:
            raise ValidationError(_("A closed campaign cannot be launched."))
        total = campaign_organizations(campaign).count()
        campaign.launch_total, campaign.launch_done, campaign.launch_error = total, 0, ""
        campaign.status = CampaignStatus.LAUNCHING
        campaign._history_user = by
        campaign.save()
    if total <= LAUNCH_INLINE_MAX:
        launch_run(campaign_id=campaign.pk)
        return "done"
    from .tasks import launch_campaign

    def queue():
        try:
            launch_campaign.delay(campaign.pk)
        except Exception as exc:  # no broker: say so on the page, never stay "launching"
            log.exception("campaign %s: the launch could not be queued", campaign.pk)
            Campaign.objects.filter(pk=campaign.pk).update(
                launch_error=str(exc)[:500], status=_status_before_launch(campaign)
            )

    transaction.on_commit(queue)
    return "queued"


def _status_before_launch(campaign):
    # A campaign launched before keeps its assessments and stays open; a first launch
    # that failed goes back to draft.
    return CampaignStatus.ACTIVE if campaign.launched_at else CampaignStatus.DRAFT


def launch_run(*, campaign_id):
    """The launch's work, in batches, counting progress; safe to run twice."""
    campaign = Campaign.objects.select_related("organization").get(pk=campaign_id)
    done = 0
    try:
        org_ids = list(campaign_organizations(campaign).values_list("pk", flat=True))
        for start in range(0, len(org_ids), LAUNCH_BATCH):
            batch = org_ids[start : start + LAUNCH_BATCH]
            with transaction.atomic():
                had = set(
                    Assessment.objects.filter(campaign=campaign, organization_id__in=batch)
                    .values_list("organization_id", flat=True)
                )
                new = [pk for pk in batch if pk not in had]
                Assessment.objects.bulk_create(
                    [Assessment(campaign=campaign, organization_id=pk) for pk in new],
                    ignore_conflicts=True,  # the unique (campaign, organization) makes reruns harmless
                )
                # The audit trail's "+" rows; bulk_create gives no ids on SQLite, so read them back.
                get_history_manager_for_model(Assessment).bulk_history_create(
                    list(Assessment.objects.filter(campaign=campaign, organization_id__in=new)),
                    default_user=campaign.created_by,
                )
                done += len(batch)
                Campaign.objects.filter(pk=campaign_id).update(launch_done=done)
    except Exception as exc:
        Campaign.objects.filter(pk=campaign_id).update(
            launch_error=str(exc)[:500], status=_status_before_launch(campaign)
        )
        raise
    # A save, not an update: the audit trail shows the campaign becoming active.
    campaign.refresh_from_db()
    campaign.status, campaign.launched_at, campaign.launch_done = (
        CampaignStatus.ACTIVE, timezone.now(), done
    )
    campaign.save(update_fields=["status", "launched_at", "launch_done"])


# --------------------------------------------------------------------------- self-check


def applicable_items(assessment):
    """The campaign set's items that apply to this organization now."""
    items = (
        StandardItem.objects.filter(standard_set=assessment.campaign.standard_set_id)
        .select_related("dimension")
        .prefetch_related("categories")
        .order_by("dimension__ordering", "ordering", "pk")
    )
    return [item for item in items if item_applies(item, assessment.organization)]


@transaction.atomic
def assessment_open(*, assessment, by=None):
    """Make the assessment's responses on first opening (a few queries, whatever the size)."""
    if assessment.responses.exists():
        return
    ItemResponse.objects.bulk_create(
        [ItemResponse(assessment=assessment, item=item) for item in applicable_items(assessment)],
        ignore_conflicts=True,
    )


def _move(assessment, to, *, by, comment=""):
    if (assessment.status, to) not in ALLOWED:
        raise ValidationError(
            _("An assessment that is %(from)s cannot become %(to)s.")
            % {"from": AssessmentStatus(assessment.status).label, "to": AssessmentStatus(to).label}
        )
    Transition.objects.create(
        assessment=assessment, from_status=assessment.status, to_status=to, by=by, comment=comment
    )
    assessment.status = to
    assessment._history_user = by


def _values(responses, stage):
    """{item_id: stored text} of the given stage; a finding overrides the final value."""
    values = {}
    findings = {}
    if stage == "final":
        for finding in Finding.objects.filter(
            sample__assessment_id__in={r.assessment_id for r in responses}
        ).exclude(found_value="").order_by("at", "pk"):
            # A finding without a value is a note only: it must not blank the item.
            findings[finding.item_id] = finding.found_value
    for r in responses:
        if stage == "self":
            values[r.item_id] = r.self_value
        elif r.item_id in findings:
            values[r.item_id] = findings[r.item_id]
        elif r.item.kind == ItemKind.TEXT:
            values[r.item_id] = r.reviewer_value
        else:
            values[r.item_id] = r.reviewer_value or r.self_value
    return values


def compute(*, assessment, stage, responses=None):
    """The scoring.Result of an assessment at a stage ("self" or "final")."""
    if responses is None:
        responses = list(
            assessment.responses.select_related("item__dimension").order_by(
                "item__dimension__ordering", "item__ordering", "item__pk"
            )
        )
    return scoring.score(
        items=[r.item for r in responses],
        values=_values(responses, stage),
        rule=assessment.campaign,
        grade_shares=assessment.campaign.standard_set.grade_shares(),
        stage=stage,
    )


def _refresh_self(assessment, responses=None):
    result = compute(assessment=assessment, stage="self", responses=responses)
    assessment.self_score = result.total
    assessment.self_grade = result.grade
    return result


def _store_item_scores(assessment, stage, by=None):
    responses = list(assessment.responses.select_related("item__dimension"))
    result = compute(assessment=assessment, stage=stage, responses=responses)
    by_item = {r.item.pk: r.score for r in result.items}
    field_name = "self_score" if stage == "self" else "final_score"
    changed = []
    for response in responses:
        score = by_item.get(response.item_id)
        if getattr(response, field_name) != score:
            setattr(response, field_name, score)
            changed.append(response)
    # Only the scores that moved, each with a row in the audit trail.
    bulk_update_with_history(changed, ItemResponse, [field_name], default_user=by)
    return result


def check_fillable(assessment):
    if assessment.status not in FILLABLE:
        raise ValidationError(_("This self-check has been submitted and can no longer be changed."))
    if assessment.campaign.status != CampaignStatus.ACTIVE:
        raise ValidationError(_("The campaign is not open."))


@transaction.atomic
def assessment_save(*, assessment, by, answers):
    """Save the secretary's draft answers: {item_id: {"value", "text", "note"}}.

    Values are checked against the item's kind; unknown items are refused.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    check_fillable(assessment)
    assessment_open(assessment=assessment, by=by)
    responses = {
        r.item_id: r for r in assessment.responses.select_related("item__dimension", "item__standard_set")
    }
    errors = {}
    changed = []
    for item_id, answer in answers.items():
        response = responses.get(item_id)
        if response is None:
            errors[item_id] = _("This item does not apply to this organization.")
            continue
        value = str(answer.get("value", response.self_value) or "").strip()
        try:
            value = clean_value(response.item, value)
        except ValidationError as exc:
            errors[item_id] = exc.messages[0]
            continue
        response.self_value = value
        response.self_text = answer.get("text", response.self_text) or ""
        response.self_note = answer.get("note", response.self_note) or ""
        changed.append(response)
    if errors:
        raise ValidationError(errors)
    bulk_update_with_history(
        changed, ItemResponse, ["self_value", "self_text", "self_note", "updated_at"], default_user=by
    )
    if assessment.status == S.NOT_STARTED or assessment.status == S.RETURNED:
        _move(assessment, S.DRAFT, by=by)
        assessment.started_at = assessment.started_at or timezone.now()
    _refresh_self(assessment, list(responses.values()))
    assessment._history_user = by
    assessment.save()
    return assessment


def clean_value(item, value):
    """The stored text of an answer, or a ValidationError in Chinese."""
    if value == "":
        return ""
    if item.kind == ItemKind.CHECK:
        if value not in ("true", "false"):
            raise ValidationError(_("Choose yes or no."))
        return value
    if item.kind == ItemKind.NUMBER:
        parsed = scoring.parse_value(item, value)
        if parsed is None or parsed < 0:
            raise ValidationError(_("Enter a number of 0 or more."))
        # The stored text has 50 characters: "1e60" or 60 decimals would not fit (a 500 on
        # PostgreSQL) and no figure of a branch needs them.
        exponent = parsed.as_tuple().exponent
        if parsed >= NUMBER_LIMIT or exponent < -4:
            raise ValidationError(_("Enter a number below 1,000,000,000,000 with at most 4 decimals."))
        return str(parsed)
    if item.kind == ItemKind.GRADED:
        if value not in item.standard_set.grade_shares():
            raise ValidationError(_("Choose one of the levels."))
        return value
    # text items carry their answer in self_text; a value here is a reviewer's score
    parsed = scoring.parse_value(item, value)
    if parsed is None or parsed < 0 or parsed > item.max_score:
        raise ValidationError(
            _("Enter a score from 0 to %(max)s.") % {"max": item.max_score.normalize()}
        )
    return str(parsed)


def missing_for_submit(assessment):
    """What still stops a submission: unanswered items and required evidence, by item code."""
    missing = []
    for r in assessment.responses.select_related("item").annotate(evidence_count=Count("evidence")):
        answered = bool(r.self_text.strip()) if r.item.kind == ItemKind.TEXT else r.self_value != ""
        if not answered:
            missing.append(_("%(code)s: not answered") % {"code": r.item.code})
        if r.item.evidence_required and not r.evidence_count:
            missing.append(_("%(code)s: evidence required") % {"code": r.item.code})
    return missing


@transaction.atomic
def assessment_submit(*, assessment, by):
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    check_fillable(assessment)
    assessment_open(assessment=assessment, by=by)
    missing = missing_for_submit(assessment)
    if missing:
        raise ValidationError(missing)
    _move(assessment, S.SUBMITTED, by=by)
    _store_item_scores(assessment, "self", by=by)
    _refresh_self(assessment)
    assessment.submitted_at = timezone.now()
    assessment.return_reason = ""
    assessment.save()
    return assessment


# --------------------------------------------------------------------------- review and acceptance


@transaction.atomic
def assessment_return(*, assessment, by, reason):
    if not (reason or "").strip():
        raise ValidationError(_("Say why the self-check is returned."))
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _move(assessment, S.RETURNED, by=by, comment=reason)
    assessment.return_reason = reason
    assessment.save()
    return assessment


@transaction.atomic
def reviewer_save(*, assessment, by, values):
    """The reviewer's values per item: {item_id: {"value", "note"}} (only while submitted)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != S.SUBMITTED:
        raise ValidationError(_("Only a submitted self-check can be reviewed."))
    responses = {
        r.item_id: r for r in assessment.responses.select_related("item__standard_set")
    }
    errors, changed = {}, []
    for item_id, entry in values.items():
        response = responses.get(item_id)
        if response is None:
            errors[item_id] = _("This item does not apply to this organization.")
            continue
        try:
            response.reviewer_value = clean_value(response.item, str(entry.get("value", "")).strip())
        except ValidationError as exc:
            errors[item_id] = exc.messages[0]
            continue
        response.reviewer_note = entry.get("note", response.reviewer_note) or ""
        changed.append(response)
    if errors:
        raise ValidationError(errors)
    bulk_update_with_history(
        changed, ItemResponse, ["reviewer_value", "reviewer_note", "updated_at"], default_user=by
    )
    return assessment


def _refresh_final(assessment, by=None):
    result = _store_item_scores(assessment, "final", by=by)
    assessment.final_score = result.total
    assessment.grade = result.grade
    assessment.stars = result.stars
    assessment.veto_failed = result.veto_failed
    assessment.dimension_scores = result.dimension_scores()
    return result


@transaction.atomic
def assessment_approve(*, assessment, by, comment=""):
    """审核 passed: the final score is computed from the reviewer's values."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    unscored = assessment.responses.filter(item__kind=ItemKind.TEXT, reviewer_value="")
    if unscored.exists():
        raise ValidationError(
            [_("%(code)s: give the written answer a score") % {"code": code}
             for code in unscored.values_list("item__code", flat=True)]
        )
    _move(assessment, S.REVIEWED, by=by, comment=comment)
    _refresh_final(assessment, by=by)
    assessment.reviewed_at = timezone.now()
    assessment.save()
    return assessment


@transaction.atomic
def assessment_accept(*, assessment, by, comment=""):
    """验收 by county staff: the grade stands and the stars are awarded."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _move(assessment, S.ACCEPTED, by=by, comment=comment)
    _refresh_final(assessment, by=by)
    assessment.accepted_at = timezone.now()
    assessment.save()
    if assessment.stars is not None:
        StarRating.objects.create(
            organization_id=assessment.organization_id, stars=assessment.stars,
            action=StarAction.AWARDED, assessment=assessment, by=by,
            reason=_("Accepted in %(campaign)s") % {"campaign": assessment.campaign},
        )
    return assessment


def current_stars(organization):
    latest = StarRating.objects.filter(organization=organization).order_by("-at", "-pk").first()
    return latest.stars if latest else None


@transaction.atomic
def star_revoke(*, organization, by, reason, stars=None, assessment=None):
    """摘牌降星: lower (default: by one) or remove an organization's stars, with the reason."""
    if not (reason or "").strip():
        raise ValidationError(_("Say why the stars are taken away."))
    now = current_stars(organization)
    if not now:
        raise ValidationError(_("This organization has no stars to take away."))
    new = now - 1 if stars is None else stars
    if not 0 <= new < now:
        raise ValidationError(_("The new rating must be below the current one."))
    return StarRating.objects.create(
        organization=organization, stars=new, action=StarAction.REVOKED, reason=reason, by=by,
        assessment=assessment,
    )


# --------------------------------------------------------------------------- spot checks


@transaction.atomic
def spot_check_draw(*, campaign, by, name, share, weight_lagging=1, seed=None):
    """Draw a reproducible sample: the same seed over the same assessments draws the same
    organizations. Lagging ones can weigh more (weighted sampling without replacement)."""
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    share = Decimal(str(share))
    if not (0 < share <= 100) or int(weight_lagging) < 1 or not 0 <= int(seed) < 2**63:
        raise ValidationError(_("Give a share from 0.01 to 100 %, a weight of 1 or more and a seed of 0 or more."))
    candidates = list(
        campaign.assessments.order_by("organization__path").values_list("pk", "grade")
    )
    if not candidates:
        raise ValidationError(_("The campaign has no assessments to draw from: launch it first."))
    # Rounded half up (四舍五入), as people count, and never an empty sample.
    count = max(1, int((len(candidates) * share / 100).quantize(Decimal("1"), ROUND_HALF_UP)))
    chosen = weighted_sample(
        [(pk, weight_lagging if grade == Grade.LAGGING else 1) for pk, grade in candidates],
        count, random.Random(seed),
    )
    spot_check = SpotCheck.objects.create(
        campaign=campaign, name=name, share=share, weight_lagging=weight_lagging, seed=seed,
        drawn_by=by,
    )
    SpotCheckSample.objects.bulk_create(
        SpotCheckSample(spot_check=spot_check, assessment_id=pk) for pk in sorted(chosen)
    )
    return spot_check


@transaction.atomic
def finding_record(*, sample, item, found_value, note, by, revoke_stars=False, revoke_reason=""):
    """An inspector's finding on one item. On an accepted or reviewed assessment the final
    score is recomputed at once; optionally the organization loses a star."""
    assessment = Assessment.objects.select_for_update().get(pk=sample.assessment_id)
    if not assessment.responses.filter(item=item).exists():
        raise ValidationError(_("This item does not apply to this organization."))
    value = clean_value(item, (found_value or "").strip())
    if not (note or "").strip():
        raise ValidationError(_("Describe what was found."))
    finding = Finding.objects.create(sample=sample, item=item, found_value=value, note=note, by=by)
    if assessment.status in (S.REVIEWED, S.ACCEPTED):
        _refresh_final(assessment, by=by)
        assessment._history_user = by
        assessment.save()
    if revoke_stars:
        star_revoke(organization=assessment.organization, by=by, assessment=assessment,
                    reason=revoke_reason or note)
    SpotCheckSample.objects.filter(pk=sample.pk, done_at__isnull=True).update(done_at=timezone.now())
    return finding


@transaction.atomic
def sample_assign(*, sample, inspector, by):
    """Name (or clear, with None) the inspector of one sampled organization. The
    organization's own secretary may not inspect it."""
    if inspector is not None and inspector.assignments.filter(
        role=Role.SECRETARY, organization_id=sample.assessment.organization_id
    ).exists():
        raise ValidationError(_("An organization's own secretary cannot inspect it."))
    SpotCheckSample.objects.filter(pk=sample.pk).update(inspector=inspector)
    sample.inspector = inspector
    return sample


@transaction.atomic
def sample_done(*, sample, by, summary):
    """The inspector closes a sample with a summary (also when nothing was found)."""
    if not (summary or "").strip():
        raise ValidationError(_("Write a short summary of the inspection."))
    sample.summary = summary.strip()
    sample.done_at = sample.done_at or timezone.now()
    sample.save(update_fields=["summary", "done_at"])
    return sample


def overdue_q(today=None):
    """Assessments not yet submitted after their campaign's self-check deadline."""
    today = today or timezone.localdate()
    return Q(status__in=list(FILLABLE), campaign__self_check_deadline__lt=today)


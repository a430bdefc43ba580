"""Who may see and do what with a campaign, an assessment, a piece of evidence.

Assessments are scoped by their organization (scope_q); a campaign is seen by
everyone whose scope overlaps it. The helpers return 404 outside the scope and
say, for the rest, which actions the user may take now.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from orgs.models import Role
from orgs.scoping import grants, is_unrestricted, path_in_scope, scope_q

from .models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    CampaignStatus,
    Evidence,
    ItemResponse,
    SpotCheck,
    SpotCheckSample,
)

REVIEWING_ROLES = {Role.COMMITTEE_STAFF, Role.COUNTY_STAFF}


@dataclass(frozen=True)
class AssessmentAccess:
    can_fill: bool
    can_review: bool
    can_return: bool
    can_accept: bool


def assessment_access(user, assessment) -> AssessmentAccess:
    path = assessment.organization.path
    status = assessment.status
    open_campaign = assessment.campaign.status == CampaignStatus.ACTIVE
    secretary = path_in_scope(user, path, {Role.SECRETARY})
    reviewer = path_in_scope(user, path, REVIEWING_ROLES)
    county = path_in_scope(user, path, {Role.COUNTY_STAFF})
    fillable = status in (
        AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED
    )
    return AssessmentAccess(
        can_fill=secretary and fillable and open_campaign,
        can_review=reviewer and status == AssessmentStatus.SUBMITTED,
        can_return=(reviewer and status == AssessmentStatus.SUBMITTED)
        or (county and status == AssessmentStatus.REVIEWED),
        can_accept=county and status == AssessmentStatus.REVIEWED,
    )


def get_assessment_for_user(request, pk, *, queryset=None):
    qs = queryset if queryset is not None else Assessment.objects.all()
    try:
        assessment = (
            qs.select_related("organization__category", "campaign__standard_set")
            .visible_to(request.user)
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment") from None
    return assessment, assessment_access(request.user, assessment)


def can_manage_campaign(user, campaign) -> bool:
    return path_in_scope(user, campaign.organization.path, {Role.COUNTY_STAFF})


def get_campaign_for_user(request, pk):
    """(campaign, can_manage): 404 when the campaign does not touch the user's scope."""
    try:
        campaign = (
            Campaign.objects.select_related("organization", "standard_set")
            .visible_to(request.user)
            .get(pk=pk)
        )
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("No such campaign") from None
    return campaign, can_manage_campaign(request.user, campaign)


def get_evidence_for_user(request, pk):
    """Evidence is served to whoever may see its assessment, and to no one else."""
    try:
        return Evidence.objects.select_related("response__assessment__organization").get(
            pk=pk, response__assessment__in=Assessment.objects.visible_to(request.user)
        )
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None


def get_response_for_user(request, pk):
    """(item response, access to its assessment): 404 when the assessment is out of scope."""
    try:
        response = ItemResponse.objects.select_related(
            "item", "assessment__organization__category", "assessment__campaign__standard_set"
        ).get(pk=pk, assessment__in=Assessment.objects.visible_to(request.user))
    except (ItemResponse.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item") from None
    return response, assessment_access(request.user, response.assessment)


# Spot checks (随机抽查): county staff over the campaign manage them; county and
# committee staff and viewers read the samples in their own scope; the inspector
# named on a sample may read it and record findings on it, wherever they sit.
SPOT_CHECK_READERS = {Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER}


def spot_check_samples_q(user, *, can_manage):
    """The samples of a spot check this user may see (a Q over SpotCheckSample)."""
    if can_manage:
        return Q()
    return scope_q(user, "assessment__organization__", roles=SPOT_CHECK_READERS) | Q(inspector=user)


def get_spot_check_for_user(request, pk):
    """(spot check, can_manage): 404 unless the user manages its campaign, reads part of
    the campaign's scope, or inspects one of its samples."""
    user = request.user
    try:
        spot_check = SpotCheck.objects.select_related(
            "campaign__organization", "campaign__standard_set", "drawn_by"
        ).get(pk=pk)
    except (SpotCheck.DoesNotExist, ValueError, TypeError):
        raise Http404("No such spot check") from None
    if can_manage_campaign(user, spot_check.campaign):
        return spot_check, True
    root = spot_check.campaign.organization.path
    reads = is_unrestricted(user) or any(
        g.role in SPOT_CHECK_READERS and (g.path.startswith(root) or root.startswith(g.path))
        for g in grants(user)
    )
    if not reads and not spot_check.samples.filter(inspector=user).exists():
        raise Http404("No such spot check")
    return spot_check, False


def get_sample_for_user(request, pk):
    """(sample, can_record): the inspector and county staff over the campaign record
    findings; readers in scope see it; everyone else gets a 404."""
    user = request.user
    try:
        sample = SpotCheckSample.objects.select_related(
            "spot_check__campaign__organization", "spot_check__campaign__standard_set",
            "assessment__organization__category", "inspector",
        ).get(pk=pk)
    except (SpotCheckSample.DoesNotExist, ValueError, TypeError):
        raise Http404("No such sample") from None
    # The sample's assessment belongs to the same campaign: share the loaded one.
    sample.assessment.campaign = sample.spot_check.campaign
    can_record = sample.inspector_id == user.pk or can_manage_campaign(
        user, sample.spot_check.campaign
    )
    if not can_record and not path_in_scope(
        user, sample.assessment.organization.path, SPOT_CHECK_READERS
    ):
        raise Http404("No such sample")
    return sample, can_record


__all__ = [
    "AssessmentAccess", "CampaignStatus", "assessment_access", "can_manage_campaign",
    "get_assessment_for_user", "get_campaign_for_user", "get_evidence_for_user",
    "get_response_for_user", "get_sample_for_user", "get_spot_check_for_user",
    "spot_check_samples_q",
]

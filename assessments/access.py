"""Who may see and do what with a campaign, an assessment, a piece of evidence.

Assessments are scoped by their organization (scope_q); a campaign is seen by
everyone whose scope overlaps it. The helpers return 404 outside the scope and
say, for the rest, which actions the user may take now.
"""

from dataclasses import dataclass

from django.http import Http404

from orgs.models import Role
from orgs.scoping import path_in_scope

from .models import Assessment, AssessmentStatus, Campaign, CampaignStatus, Evidence

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


__all__ = [
    "AssessmentAccess", "CampaignStatus", "assessment_access", "can_manage_campaign",
    "get_assessment_for_user", "get_campaign_for_user", "get_evidence_for_user",
]

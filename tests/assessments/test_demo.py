"""The demo campaign load_demo makes: every status, the lagging branches graded 后进, stars
awarded and one taken away, a spot check with a finding; the same on every run."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from assessments.demo import NAME, RETURNED, SECRETARY_BRANCH, SPOT_CHECK_SEED
from assessments.models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    CampaignStatus,
    Evidence,
    Finding,
    Grade,
    ItemResponse,
    SpotCheck,
    SpotCheckSample,
    StarAction,
    StarRating,
    Transition,
)
from orgs.demo.county import LAGGING_CODES
from rectification.models import Pairing, Problem, RectificationTask
from supervision.models import InspectionFinding

pytestmark = pytest.mark.django_db
S = AssessmentStatus


def load(**options):
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the evidence PDFs go to a folder of this test's own
    load(verbosity=0)
    return Campaign.objects.select_related("organization", "standard_set").get(name=NAME)


def by_status(campaign):
    out = {}
    for a in campaign.assessments.select_related("organization"):
        out.setdefault(a.status, []).append(a)
    return out


def check_every_state(demo):
    assert demo.status == CampaignStatus.ACTIVE and demo.year == 2026
    assert demo.organization.code == "QH" and demo.standard_set.code == "wuhua"
    groups = by_status(demo)
    total = sum(len(v) for v in groups.values())
    assert total >= 100
    assert set(groups) == set(S.values)
    for status in (S.ACCEPTED, S.REVIEWED, S.SUBMITTED):
        assert 0.10 <= len(groups[status]) / total <= 0.20, status
    assert 0.20 <= len(groups[S.DRAFT]) / total <= 0.30
    assert 1 <= len(groups[S.RETURNED]) <= 2
    assert all(a.return_reason for a in groups[S.RETURNED])
    assert {a.organization.code for a in groups[S.RETURNED]} == set(RETURNED)

    # Accepted: grades across the three, the lagging branches 后进, stars awarded.
    accepted = {a.organization.code: a for a in groups[S.ACCEPTED]}
    assert {a.grade for a in accepted.values()} == {Grade.ADVANCED, Grade.GENERAL, Grade.LAGGING}
    for code in LAGGING_CODES:
        assert accepted[code].grade == Grade.LAGGING and accepted[code].veto_failed
    awarded = StarRating.objects.filter(action=StarAction.AWARDED)
    assert awarded.count() == len(accepted)
    assert all(a.final_score is not None and a.dimension_scores for a in accepted.values())
    assert all(a.final_score is not None and a.grade for a in groups[S.REVIEWED])

    # One 摘牌降星, on an accepted 先进 branch, with a reason.
    revoked = StarRating.objects.select_related("organization").get(action=StarAction.REVOKED)
    assert revoked.reason and accepted[revoked.organization.code].grade == Grade.ADVANCED
    assert revoked.stars == accepted[revoked.organization.code].stars - 1

    # Drafts are partly filled; the not started have no answers.
    drafts = groups[S.DRAFT]
    answered = {a.pk: a.responses.exclude(self_value="", self_text="").count() for a in drafts}
    sizes = {a.pk: a.responses.count() for a in drafts}
    assert all(0 < answered[pk] < sizes[pk] for pk in sizes)
    assert not ItemResponse.objects.filter(assessment__in=groups[S.NOT_STARTED]).exists()


def check_the_logins_have_work_to_do(demo):
    secretary = get_user_model().objects.get(username="secretary")
    mine = demo.assessments.get(organization__code=SECRETARY_BRANCH)
    assert mine.status == S.DRAFT
    assert Transition.objects.get(assessment=mine).by == secretary
    assert Evidence.objects.filter(response__assessment=mine, uploaded_by=secretary).exists()
    # Some of 东坝镇's self-checks wait for the committee login, who reviewed others there.
    town = demo.assessments.filter(organization__code__startswith="QH02-")
    assert town.filter(status=S.SUBMITTED).count() >= 2
    committee = get_user_model().objects.get(username="committee")
    assert Transition.objects.filter(by=committee, assessment__in=town).exists()
    county = get_user_model().objects.get(username="county")
    assert set(Transition.objects.filter(to_status=S.ACCEPTED).values_list("by", flat=True)) == {
        county.pk}


def check_evidence_is_real_pdf_files(demo):
    submitted = Assessment.objects.filter(
        campaign=demo, status__in=[S.SUBMITTED, S.RETURNED, S.REVIEWED, S.ACCEPTED])
    required = ItemResponse.objects.filter(assessment__in=submitted, item__evidence_required=True)
    assert required.exists() and not required.filter(evidence__isnull=True).exists()
    evidence = Evidence.objects.filter(response__assessment__campaign=demo)
    sample = evidence.first()
    with sample.file.open("rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert len(content) == sample.size and sample.content_type == "application/pdf"
    assert sample.original_name.endswith(".pdf")


def check_the_spot_check_and_its_finding(demo):
    spot_check = SpotCheck.objects.get(campaign=demo)
    assert spot_check.seed == SPOT_CHECK_SEED and spot_check.weight_lagging > 1
    samples = spot_check.samples.count()
    assert samples == round(demo.assessments.count() * spot_check.share / 100)
    viewer = get_user_model().objects.get(username="viewer")
    assert set(spot_check.samples.values_list("inspector", flat=True)) == {viewer.pk}
    finding = Finding.objects.select_related("sample__assessment").get(sample__spot_check=spot_check)
    assert finding.note and finding.found_value and finding.by == viewer
    response = ItemResponse.objects.get(assessment=finding.sample.assessment, item=finding.item)
    assert response.final_score < finding.item.max_score  # the finding counts in the score


def test_the_demo_campaign(demo):
    # One load (~5 s) for all the checks on what it made.
    check_every_state(demo)
    check_the_logins_have_work_to_do(demo)
    check_evidence_is_real_pdf_files(demo)
    check_the_spot_check_and_its_finding(demo)


def _state():
    """Every row the campaign made, with the values that matter, keyed by organization."""
    return {
        "assessments": sorted(Assessment.objects.values_list(
            "organization__code", "status", "self_score", "final_score", "grade", "stars",
            "veto_failed")),
        "responses": sorted(ItemResponse.objects.values_list(
            "assessment__organization__code", "item__code", "self_value", "self_text",
            "reviewer_value", "self_score", "final_score")),
        "stars": sorted(StarRating.objects.values_list("organization__code", "stars", "action",
                                                       "reason")),
        "samples": sorted(SpotCheckSample.objects.values_list(
            "assessment__organization__code", "inspector__username")),
        "findings": sorted(Finding.objects.values_list("item__code", "found_value", "note")),
        "counts": [Transition.objects.count(), Evidence.objects.count(), SpotCheck.objects.count(),
                   Campaign.objects.count(), Campaign.history.count()],
    }


def test_a_second_run_changes_nothing_and_the_values_are_always_the_same(demo):
    before = _state()
    out = load()
    assert _state() == before
    with translation.override("zh-hans"):
        assert gettext("The demo county already exists; nothing was changed.") in out
    assert NAME in out and str(SPOT_CHECK_SEED) in out

    # Made again from nothing, the campaign has the same values: they are seeded.
    # (The demo's rectification rows point at its assessments, PROTECT: they go first.)
    Pairing.objects.all().delete()
    RectificationTask.objects.all().delete()
    InspectionFinding.objects.all().delete()  # supervision's findings protect their problems
    Problem.objects.all().delete()
    Campaign.objects.all().delete()
    StarRating.objects.all().delete()
    out = load()
    with translation.override("zh-hans"):
        assert gettext("The demo county already exists; the demo campaign was added.") in out
    again = _state()
    again["counts"][-1] = before["counts"][-1]  # the history has the first campaign's rows too
    assert again == before


def test_the_campaign_can_be_left_out(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load(verbosity=0, without_campaign=True)
    assert not Campaign.objects.exists()

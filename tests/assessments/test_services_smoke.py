"""The cycle end to end through the services (the pages' tests go deeper)."""

import pytest
from django.core.files.base import ContentFile

from assessments import services
from assessments.models import AssessmentStatus, Evidence, Grade, StarRating

from .conftest import answers_for

pytestmark = pytest.mark.django_db


def test_cycle(campaign, a1, people, county):
    assert campaign.assessments.count() == 3  # the three branches, not the committees
    services.campaign_launch(campaign=campaign, by=people.alice)
    assert campaign.assessments.count() == 3  # launching again adds nothing

    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
        ZD_02={"text": "我们的做法……"},
    ))
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.DRAFT and a1.self_score == 100
    response = a1.responses.get(item__code="ZS-02")
    Evidence.objects.create(response=response, file=ContentFile(b"%PDF-1.4", name="x.pdf"),
                            original_name="x.pdf", content_type="application/pdf", size=8,
                            sha256="0" * 64, uploaded_by=people.dave)
    services.assessment_submit(assessment=a1, by=people.dave)
    services.assessment_return(assessment=a1, by=people.bob, reason="佐证不清楚")
    services.assessment_submit(assessment=a1, by=people.dave)
    services.reviewer_save(assessment=a1, by=people.bob, values=answers_for(
        a1, ZS_01="6", ZD_02="5"))
    services.assessment_approve(assessment=a1, by=people.bob)
    services.assessment_accept(assessment=a1, by=people.alice)
    a1.refresh_from_db()
    # Applicable to A1 (a village with 12 members): everything but the community item,
    # 80 points. 10 + 10 + 20*6/12 + 10 + 20 + 5 = 65 -> 81.25: general, 3 stars (60/70/80).
    assert str(a1.final_score) == "81.25"
    assert a1.grade == Grade.GENERAL and a1.stars == 3
    assert StarRating.objects.get(organization=county.branch_a1).stars == 3
    assert [t.to_status for t in a1.transitions.all()] == [
        "draft", "submitted", "returned", "submitted", "reviewed", "accepted"]

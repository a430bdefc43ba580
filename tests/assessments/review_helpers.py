"""Helpers for the review, star and export tests: bring an assessment to a stage,
and a campaign whose set has many items (for query counts at two sizes)."""

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from assessments import services
from assessments.models import Assessment, Evidence
from standards import services as std

from .conftest import answers_for

FULL_ANSWERS = {
    "ZB_01": "true", "ZB_02": "好", "ZS_01": "12", "ZS_02": "true", "ZD_01": "80",
    "ZD_02": {"text": "我们的做法……", "note": "见附件"},
}


def add_evidence(response, by, name="证明.pdf"):
    return Evidence.objects.create(
        response=response, file=ContentFile(b"%PDF-1.4", name="x.pdf"), original_name=name,
        content_type="application/pdf", size=8, sha256="0" * 64, uploaded_by=by,
    )


def submit(assessment, by, **overrides):
    """Fill every item (evidence where required) and submit; returns the fresh row."""
    answers = dict(FULL_ANSWERS, **overrides)
    if assessment.organization.category and assessment.organization.category.code == "community":
        answers.setdefault("GF_01", "true")
    services.assessment_save(assessment=assessment, by=by, answers=answers_for(assessment, **answers))
    for response in assessment.responses.select_related("item").filter(item__evidence_required=True):
        if not response.evidence.exists():
            add_evidence(response, by)
    services.assessment_submit(assessment=assessment, by=by)
    return Assessment.objects.get(pk=assessment.pk)


def approve(assessment, people, reviewer=None, **values):
    """Submit (if needed), score the written answer, approve."""
    if assessment.status != "submitted":
        assessment = submit(assessment, people.dave)
    values = {"ZD_02": "8", **values}
    services.reviewer_save(assessment=assessment, by=reviewer or people.bob,
                           values=answers_for(assessment, **values))
    services.assessment_approve(assessment=assessment, by=reviewer or people.bob)
    return Assessment.objects.get(pk=assessment.pk)


def accept(assessment, people, **values):
    assessment = approve(assessment, people, **values)
    services.assessment_accept(assessment=assessment, by=people.alice)
    return Assessment.objects.get(pk=assessment.pk)


def campaign_with_items(county, people, n_items, *, code="big"):
    """A published set of `n_items` yes/no items over five dimensions, launched over the
    county; returns A1's assessment, submitted, every item with one evidence file."""
    dimensions = ["支部建设标准化", "组织生活正常化", "管理服务精细化", "工作制度体系化", "阵地建设规范化"]
    specs = [
        std.ItemSpec(dimension=dimensions[i % 5], code=f"X-{i:03d}", requirement=f"第{i}项要求",
                     kind="check", max_score=Decimal("2"))
        for i in range(n_items)
    ]
    standard_set = std.set_create(organization=county.county, code=code, name=f"{code}体系",
                                  year=2026, by=people.alice)
    std.set_fill(standard_set=standard_set, items=specs, by=people.alice)
    std.set_publish(standard_set=standard_set, by=people.alice)
    standard_set.refresh_from_db()
    campaign = services.campaign_create(
        name=f"{code}评定", year=2026, standard_set=standard_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2026, 4, 20), review_deadline=date(2026, 4, 30),
    )
    services.campaign_launch(campaign=campaign, by=people.alice)
    a1 = campaign.assessments.get(organization=county.branch_a1)
    services.assessment_save(
        assessment=a1, by=people.dave,
        answers={item.pk: {"value": "true", "note": "说明"} for item in standard_set.items.all()},
    )
    for response in a1.responses.all():
        add_evidence(response, people.dave)
    services.assessment_submit(assessment=a1, by=people.dave)
    return Assessment.objects.get(pk=a1.pk)

"""An accepted assessment of A1 with failed items, and the problems made from it."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from assessments import services as cycle
from assessments.models import Evidence
from rectification import services

from ..assessments.conftest import a1, answers_for, campaign, small_set  # noqa: F401 (fixtures)


def accept(assessment, people, **values):
    """Fill, submit, review and accept an assessment through the services."""
    cycle.assessment_save(assessment=assessment, by=people.dave, answers=answers_for(assessment, **values))
    for response in assessment.responses.filter(item__evidence_required=True):
        Evidence.objects.create(response=response, file=ContentFile(b"%PDF-1.4", name="x.pdf"),
                                original_name="x.pdf", content_type="application/pdf", size=8,
                                sha256="0" * 64, uploaded_by=people.dave)
    cycle.assessment_submit(assessment=assessment, by=people.dave)
    text_items = assessment.responses.filter(item__kind="text").values_list("item_id", flat=True)
    cycle.reviewer_save(assessment=assessment, by=people.bob,
                        values={pk: {"value": "5"} for pk in text_items})
    cycle.assessment_approve(assessment=assessment, by=people.bob)
    cycle.assessment_accept(assessment=assessment, by=people.alice)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def accepted_a1(a1, people):  # noqa: F811
    """A1 accepted with three shortfalls: the veto check, a short number, a half text."""
    return accept(a1, people, ZB_01="false", ZB_02="好", ZS_01="6", ZS_02="true", ZD_01="80",
                  ZD_02={"text": "做法"})


@pytest.fixture
def problems(accepted_a1, people):
    services.problems_generate(assessment=accepted_a1, by=people.alice)
    return list(accepted_a1.problems.order_by("item__code"))


@pytest.fixture
def task(problems, people):
    return services.task_create(problem=problems[0], measure="补选支部书记", responsible_name="陈书记",
                                responsible=people.dave, leader_name="李强", by=people.bob,
                                deadline=date(2026, 12, 31), starts_on=date(2026, 11, 1))

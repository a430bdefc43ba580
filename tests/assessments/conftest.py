"""A small published set and a launched campaign over the test county (tests/conftest.py).

Items of every kind: a veto check, a number with a condition (the 70 ㎡ rule only
where members >= 10), a proportional number, a graded item, a written answer, an
item with required evidence, and one for communities only (B1 is a community).
"""

from datetime import date
from decimal import Decimal

import pytest

from assessments import services
from standards import services as std
from standards.models import StandardSet

from ..factories import category


def item(dimension, code, kind, score, **extra):
    return std.ItemSpec(dimension=dimension, code=code, requirement=f"{code} 的要求", kind=kind,
                        max_score=Decimal(score), **extra)


SMALL_SET_ITEMS = [
    item("支部建设标准化", "ZB-01", "check", "10", is_veto=True),
    item("支部建设标准化", "ZB-02", "graded", "10"),
    item("组织生活正常化", "ZS-01", "number", "20", comparator=">=", threshold=Decimal("12"),
         unit="次/年", proportional=True),
    item("组织生活正常化", "ZS-02", "check", "10", evidence_required=True),
    item("阵地建设规范化", "ZD-01", "number", "20", comparator=">=", threshold=Decimal("70"),
         unit="㎡", conditions=[{"field": "member_count", "op": ">=", "value": "10"}]),
    item("阵地建设规范化", "ZD-02", "text", "10"),
    item("管理服务精细化", "GF-01", "check", "20"),  # community only: categories set below
]


@pytest.fixture
def small_set(county, people):
    standard_set = std.set_create(organization=county.county, code="small", name="测试五化",
                                  year=2026, by=people.alice)
    specs = [std.ItemSpec(**vars(spec)) for spec in SMALL_SET_ITEMS]
    specs[-1].category_ids = [category("community").pk]
    std.set_fill(standard_set=standard_set, items=specs, by=people.alice)
    std.set_publish(standard_set=standard_set, by=people.alice)
    return StandardSet.objects.get(pk=standard_set.pk)


@pytest.fixture
def campaign(small_set, county, people):
    campaign = services.campaign_create(
        name="基层组织建设年", year=2026, standard_set=small_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2026, 4, 20), review_deadline=date(2026, 4, 30),
    )
    services.campaign_launch(campaign=campaign, by=people.alice)
    campaign.refresh_from_db()
    return campaign


def answers_for(assessment, **by_code):
    """{item_id: {"value": ..., "text": ...}} from item codes: answers_for(a, ZB_01="true")."""
    from standards.models import StandardItem

    items = {i.code: i.pk for i in StandardItem.objects.filter(standard_set=assessment.campaign.standard_set)}
    out = {}
    for code, value in by_code.items():
        code = code.replace("_", "-")
        if isinstance(value, dict):
            out[items[code]] = value
        else:
            out[items[code]] = {"value": value}
    return out


@pytest.fixture
def a1(campaign, county):
    """Branch A1's assessment (dave is its secretary)."""
    return campaign.assessments.get(organization=county.branch_a1)

"""The campaign results export (assessments/excel.py): scoped, filtered, fixed Chinese
vocabulary, one row per organization, a fixed number of queries whatever the size."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services
from assessments.models import Assessment, AssessmentStatus, CampaignStatus, Grade

from .campaign_builders import grow, other_county, spread_statuses, town_campaign

pytestmark = pytest.mark.django_db

HEADER = ["代码", "名称", "上级组织", "类别", "状态", "自评分", "最终得分", "等级", "星级", "一票否决"]
# small_set's dimensions, in their order.
DIMENSIONS = ["支部建设标准化", "组织生活正常化", "阵地建设规范化", "管理服务精细化"]


def export_url(campaign):
    return reverse("assessments:campaign_export", args=[campaign.pk])


def read(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:]


def test_export_rows_and_columns(client_for, people, campaign, county):
    a2 = campaign.assessments.get(organization=county.branch_a2)
    submitted = timezone.make_aware(datetime(2026, 4, 18, 9, 30))
    Assessment.objects.filter(pk=a2.pk).update(
        status=AssessmentStatus.ACCEPTED, self_score=Decimal("93.00"),
        final_score=Decimal("91.25"), grade=Grade.ADVANCED, stars=4, veto_failed=False,
        submitted_at=submitted, accepted_at=submitted,
        dimension_scores={"支部建设标准化": {"score": "18", "max": "20", "percent": "90.00"},
                          "组织生活正常化": {"score": "30", "max": "30", "percent": "100.00"},
                          "阵地建设规范化": {"score": "20", "max": "30", "percent": None}},
    )
    title, scope, header, rows = read(client_for(people.alice).get(export_url(campaign)))
    assert title == "2026年基层组织建设年结果"
    assert scope.startswith("范围：青禾县委（全部）") and "导出时间" in scope
    assert header == HEADER + DIMENSIONS + ["提交时间", "验收时间"]
    assert [r[0] for r in rows] == ["A1", "A2", "B1"]
    a1_row, a2_row, b1_row = rows
    assert a1_row[2:10] == ["东坝镇党委", "村", "未开始", None, None, None, None, None]
    assert a2_row[4:10] == ["已验收", 93, 91.25, "先进", 4, "否"]
    assert a2_row[10:14] == [90, 100, None, None]
    assert a2_row[14] == datetime(2026, 4, 18, 9, 30)  # local, naive
    assert b1_row[2:4] == ["西湖乡党委", "社区"]


def test_export_is_scoped_for_bob(client_for, people, campaign):
    _title, scope, _header, rows = read(client_for(people.bob).get(export_url(campaign)))
    assert [r[0] for r in rows] == ["A1", "A2"]
    assert scope.startswith("范围：青禾县委（东坝镇党委）")
    _title, _scope, _header, rows = read(client_for(people.victor).get(export_url(campaign)))
    assert [r[0] for r in rows] == ["A1", "A2"]


def test_export_follows_the_list_filters(client_for, people, campaign, county):
    spread_statuses(campaign)  # A1 draft, A2 submitted, B1 returned
    client = client_for(people.alice)
    _t, scope, _h, rows = read(client.get(export_url(campaign), {"status": "returned"}))
    assert [r[0] for r in rows] == ["B1"] and "筛选：状态 已退回" in scope
    _t, scope, _h, rows = read(client.get(export_url(campaign), {"committee": county.town_a.pk}))
    assert [r[0] for r in rows] == ["A1", "A2"] and "所属 东坝镇党委" in scope
    # Filters bob may not use are ignored, not widened.
    _t, _s, _h, rows = read(client_for(people.bob).get(export_url(campaign),
                                                       {"committee": county.town_b.pk}))
    assert [r[0] for r in rows] == ["A1", "A2"]


def test_export_is_the_same_in_english(client_for, people, campaign):
    client = client_for(people.alice)
    client.cookies["django_language"] = "en"
    _t, _s, header, rows = read(client.get(export_url(campaign)))
    assert header[:10] == HEADER and rows[0][4] == "未开始"


def test_export_scoping(client, client_for, people, campaign, small_set, county):
    response = client.get(export_url(campaign))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    other = other_county()
    assert client_for(people.alice).get(export_url(other.campaign)).status_code == 404
    town = town_campaign(small_set, county, people.alice)
    assert client_for(people.charlie).get(export_url(town)).status_code == 404
    assert client_for(people.dave).get(export_url(campaign)).status_code == 403


@pytest.fixture(params=[20, 300], ids=lambda n: f"{n}orgs")
def big(request, campaign, county, django_capture_on_commit_callbacks):
    grow(county, request.param)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(campaign=campaign, by=campaign.created_by)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    spread_statuses(campaign)
    return campaign


@pytest.mark.parametrize("who", ["alice", "bob", "root"])
def test_export_queries(client_for, people, big, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 the campaign; 5 the committees (filter choices);
    # 6 categories (filter choices); 7 the set's dimension names; 8 the names of the
    # user's scope roots (bob only); 9 the committee names; 10 the count (background or
    # not: the exports app); 11 the rows (one iterated query).
    with django_assert_max_num_queries(11):
        response = client.get(export_url(big))
        _t, _s, _h, rows = read(response)
    expected = big.assessments.visible_to(getattr(people, who)).count()
    assert len(rows) == expected

"""The export of one assessment: one row per item and the totals, scope-checked, in a
fixed number of queries."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments import services

from .conftest import answers_for
from .review_helpers import approve, campaign_with_items, submit

pytestmark = pytest.mark.django_db

HEADERS = ["方面", "编号", "标准内容", "分值", "自评值", "自评得分", "审核值", "最终得分", "说明",
           "审核意见", "佐证数量"]


def export_url(assessment):
    return reverse("assessments:assessment_export", args=[assessment.pk])


def read(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]


def test_export_rows(client_for, a1, people, county):
    a1 = submit(a1, people.dave)
    services.reviewer_save(assessment=a1, by=people.bob, values=answers_for(
        a1, ZS_01={"value": "6", "note": "台账只有6次"}, ZD_02="5"))
    a1 = approve(a1, people, ZS_01="6", ZD_02="5")
    response = client_for(people.victor).get(export_url(a1))
    assert "attachment" in response["Content-Disposition"]
    rows = read(response)
    assert rows[0][0] == f"{county.branch_a1.name} · {a1.campaign}"
    assert rows[1][0].startswith("范围：")
    assert rows[2] == HEADERS
    body = {row[1]: dict(zip(HEADERS, row, strict=True)) for row in rows[3:-1]}
    assert list(body) == ["ZB-01", "ZB-02", "ZS-01", "ZS-02", "ZD-01", "ZD-02"]
    zs01 = body["ZS-01"]
    assert (zs01["方面"], zs01["分值"], zs01["自评值"], zs01["审核值"]) == (
        "组织生活正常化", 20, "12 次/年", "6 次/年")
    assert (zs01["自评得分"], zs01["最终得分"]) == (20, 10)
    assert zs01["审核意见"] == "台账只有6次"
    assert body["ZB-01"]["自评值"] == "是" and body["ZB-02"]["自评值"] == "好"
    assert body["ZS-02"]["佐证数量"] == 1 and body["ZB-01"]["佐证数量"] == 0
    assert body["ZD-02"]["自评值"] == "我们的做法……" and body["ZD-02"]["审核值"] == 5
    assert body["ZD-02"]["说明"] == "见附件"
    totals = dict(zip(HEADERS, rows[-1], strict=True))
    assert totals["方面"] == "合计" and totals["分值"] == 80
    assert totals["自评得分"] == 100 and totals["最终得分"] == 81.25
    assert "已审核" in totals["说明"] and "一般" in totals["说明"]


def test_export_of_a_not_started_assessment(client_for, a1, people):
    rows = read(client_for(people.dave).get(export_url(a1)))
    assert rows[2] == HEADERS and rows[3][0] == "合计" and len(rows) == 4


def test_export_is_scope_checked(client, client_for, a1, people):
    response = client.get(export_url(a1))
    assert response.status_code == 302 and "/login/" in response["Location"]
    for who in ("charlie", "erin", "nobody"):
        assert client_for(getattr(people, who)).get(export_url(a1)).status_code == 404
    assert client_for(people.dave).post(export_url(a1)).status_code == 405


@pytest.fixture(params=[5, 60], ids=lambda n: f"{n}items")
def many_items(request, county, people):
    return campaign_with_items(county, people, request.param)


def test_export_queries(client_for, many_items, people, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the assessment with organization, campaign and set
    # (scope check); 5 the responses with items, dimensions and evidence counts.
    with django_assert_max_num_queries(5):
        response = client.get(export_url(many_items))
        rows = read(response)
    assert len(rows) == 3 + many_items.responses.count() + 1

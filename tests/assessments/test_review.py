"""审核 and 验收 through the pages: the assessment page, the review page, approve,
return, accept, and the review queue; who may do what; query counts at two sizes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, AssessmentStatus, Grade, ItemResponse, StarRating
from orgs.models import Level, Role

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches
from .conftest import answers_for
from .review_helpers import approve, campaign_with_items, submit

pytestmark = pytest.mark.django_db


def url(name, obj):
    return reverse(f"assessments:{name}", args=[obj.pk])


def field(assessment, code, prefix="value"):
    item_id = assessment.responses.get(item__code=code).item_id
    return f"{prefix}_{item_id}"


def review_post(assessment, **by_code):
    """The review form's POST: every item's value and note, as the page sends them."""
    data = {}
    for r in assessment.responses.select_related("item"):
        data[f"value_{r.item_id}"] = r.reviewer_value
        data[f"note_{r.item_id}"] = r.reviewer_note
    for code, value in by_code.items():
        data[field(assessment, code.replace("_", "-"))] = value
    return data


def texts(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def other_county_staff(db):
    """County staff of another county root: sees none of this county."""
    root = OrganizationFactory(code="Z", name="邻县县委", level=Level.COUNTY, category=None)
    user = UserFactory(username="zed", full_name="邻县 组织部")
    AssignmentFactory(user=user, organization=root, role=Role.COUNTY_STAFF)
    return user


# ---------------------------------------------------------------- the whole flow


def test_full_flow_through_the_pages(client_for, campaign, a1, people, county):
    a1 = submit(a1, people.dave)
    client = client_for(people.bob)

    # The assessment page offers bob the review; the review page shows the items.
    page = client.get(url("assessment_detail", a1))
    assert page.status_code == 200
    assert page.context["access"].can_review and not page.context["access"].can_accept
    assert 'data-testid="review"' in page.content.decode()
    page = client.get(url("review", a1))
    assert page.status_code == 200
    codes = [row.item.code for row in page.context["page"].rows]
    assert codes == ["ZB-01", "ZB-02", "ZS-01", "ZS-02", "ZD-01", "ZD-02"]

    # Return without a reason: refused, nothing changes.
    response = client.post(url("return", a1), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["return_form"].errors
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED

    # Return with a reason: the branch sees it on the page.
    response = client.post(url("return", a1), {"reason": "佐证不清楚"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.RETURNED and a1.return_reason == "佐证不清楚"
    page = client_for(people.dave).get(url("assessment_detail", a1))
    body = page.content.decode()
    assert "佐证不清楚" in body and 'data-testid="return-reason"' in body
    assert page.context["access"].can_fill

    # Resubmitted; bob enters his values and a note, then approves.
    services.assessment_submit(assessment=a1, by=people.dave)
    client = client_for(people.bob)
    data = review_post(a1, ZS_01="6", ZD_02="5")
    data[field(a1, "ZS-01", "note")] = "台账只有6次"
    response = client.post(url("review", a1), data)
    assert response.status_code == 302
    zs01 = a1.responses.get(item__code="ZS-01")
    assert (zs01.reviewer_value, zs01.reviewer_note) == ("6", "台账只有6次")

    page = client.get(url("review", a1))
    assert page.context["form"][field(a1, "ZS-01")].value() == "6"  # pre-filled with his value

    response = client.post(url("approve", a1), {"comment": "同意"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.REVIEWED and str(a1.final_score) == "81.25"

    # bob cannot accept; alice can.
    assert client.post(url("accept", a1), {}).status_code == 403
    client = client_for(people.alice)
    page = client.get(url("assessment_detail", a1))
    assert page.context["access"].can_accept
    response = client.post(url("accept", a1), {"comment": "验收合格"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.ACCEPTED
    assert a1.grade == Grade.GENERAL and a1.stars == 3
    assert StarRating.objects.get(organization=county.branch_a1).stars == 3

    # Every transition is on the assessment page, with who and the comments.
    page = client.get(url("assessment_detail", a1))
    body = page.content.decode()
    assert [t.to_status for t in page.context["page"].transitions] == [
        "draft", "submitted", "returned", "submitted", "reviewed", "accepted"]
    for text in ("佐证不清楚", "同意", "验收合格", people.bob.full_name, "台账只有6次"):
        assert text in body
    assert "81.25" in body and "★★★☆☆" in body
    assert page.context["page"].dimension_stage == "final"

    # The organization page shows the grade and the stars through the panel.
    body = client.get(reverse("orgs:detail", args=[county.branch_a1.pk])).content.decode()
    assert 'data-testid="assessment-panel"' in body
    assert 'data-stars="3"' in body and "81.25" in body and 'data-grade="general"' in body


def test_detail_page_shows_items_side_by_side(client_for, a1, people):
    a1 = approve(a1, people, ZS_01="6")
    page = client_for(people.victor).get(url("assessment_detail", a1))
    assert page.status_code == 200
    rows = {row.item.code: row for row in page.context["page"].rows}
    assert rows["ZB-01"].self_display == "是"
    assert rows["ZS-01"].self_display == "12 次/年" and rows["ZS-01"].reviewer_display == "6 次/年"
    assert str(rows["ZS-01"].final_score) == "10.00"
    assert rows["ZD-02"].self_display == "我们的做法……"
    assert len(rows["ZS-02"].evidence) == 1
    body = page.content.decode()
    assert reverse("assessments:evidence_download", args=[rows["ZS-02"].evidence[0].pk]) in body
    assert [g.name for g in page.context["page"].groups] == [
        "支部建设标准化", "组织生活正常化", "阵地建设规范化"]
    # victor only reads: no action but the export.
    access = page.context["access"]
    assert not (access.can_review or access.can_return or access.can_accept or access.can_fill)
    assert 'data-testid="export"' in body and 'data-testid="review"' not in body


def test_draft_page_computes_self_scores(client_for, a1, people):
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="false", ZS_01="6"))
    page = client_for(people.dave).get(url("assessment_detail", a1))
    assert page.status_code == 200
    rows = {row.item.code: row for row in page.context["page"].rows}
    assert str(rows["ZS-01"].self_score) == "10.00" and str(rows["ZB-01"].self_score) == "0.00"
    assert page.context["page"].dimension_stage == "self"
    assert page.context["access"].can_fill
    assert reverse("assessments:fill", args=[a1.pk]) in page.content.decode()


def test_not_started_page(client_for, a1, people):
    page = client_for(people.bob).get(url("assessment_detail", a1))
    assert page.status_code == 200 and 'data-testid="not-started"' in page.content.decode()


# ---------------------------------------------------------------- bad input


def test_bad_reviewer_values_are_refused_and_nothing_saved(client_for, a1, people):
    a1 = submit(a1, people.dave)
    client = client_for(people.bob)
    data = review_post(a1, ZB_01="false", ZS_01="-3", ZD_02="99")
    response = client.post(url("review", a1), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field(a1, "ZS-01") in form.errors
    assert field(a1, "ZD-02") in form.errors and field(a1, "ZB-01") not in form.errors
    assert response.context["messages"]
    # The typed values come back; nothing reached the database.
    assert form[field(a1, "ZS-01")].value() == "-3"
    assert not ItemResponse.objects.filter(assessment=a1).exclude(reviewer_value="").exists()
    assert 'data-testid="value-error"' in response.content.decode()


def test_a_value_outside_the_choices_is_refused(client_for, a1, people):
    a1 = submit(a1, people.dave)
    response = client_for(people.bob).post(url("review", a1), review_post(a1, ZB_02="棒", ZS_01="6"))
    assert response.status_code == 400
    assert field(a1, "ZB-02") in response.context["form"].errors
    assert not ItemResponse.objects.filter(assessment=a1).exclude(reviewer_value="").exists()


def test_approve_without_scoring_the_written_answer_is_refused(client_for, a1, people):
    a1 = submit(a1, people.dave)
    client = client_for(people.bob)
    response = client.post(url("approve", a1), {})
    assert response.status_code == 400
    assert any("ZD-02" in m for m in texts(response))
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED
    assert not a1.transitions.filter(to_status=AssessmentStatus.REVIEWED).exists()


def test_approve_from_the_review_form_saves_and_approves_together(client_for, a1, people):
    a1 = submit(a1, people.dave)
    client = client_for(people.bob)
    # A bad value: neither the values nor the approval are kept.
    response = client.post(url("approve", a1), review_post(a1, ZS_01="6", ZD_02="abc"))
    assert response.status_code == 400
    assert field(a1, "ZD-02") in response.context["form"].errors
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED
    assert a1.responses.get(item__code="ZS-01").reviewer_value == ""
    # The written answer unscored: refused, the other value not kept either.
    response = client.post(url("approve", a1), review_post(a1, ZS_01="6"))
    assert response.status_code == 400
    assert a1.responses.get(item__code="ZS-01").reviewer_value == ""
    # Scored: saved and approved in one go.
    response = client.post(url("approve", a1), review_post(a1, ZS_01="6", ZD_02="5"))
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.REVIEWED and str(a1.final_score) == "81.25"


def test_county_staff_return_a_reviewed_one(client_for, a1, people):
    a1 = approve(a1, people)
    assert client_for(people.bob).post(url("return", a1), {"reason": "x"}).status_code == 403
    client = client_for(people.alice)
    page = client.get(url("assessment_detail", a1))
    assert 'data-testid="return-form"' in page.content.decode()
    response = client.post(url("return", a1), {"reason": ""})
    assert response.status_code == 400 and response.context["return_form"].errors
    response = client.post(url("return", a1), {"reason": "数据有误，重新自查"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.RETURNED and a1.return_reason == "数据有误，重新自查"


def test_accept_comment_too_long(client_for, a1, people):
    a1 = approve(a1, people)
    response = client_for(people.alice).post(url("accept", a1), {"comment": "长" * 2001})
    assert response.status_code == 400
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.REVIEWED


# ---------------------------------------------------------------- who may do what


ASSESSMENT_URLS = ["assessment_detail", "review", "approve", "return", "accept", "assessment_export"]
POST_ONLY = ["approve", "return", "accept"]


def _hit(client, name, a):
    return client.post(url(name, a), {"reason": "x"}) if name in POST_ONLY else client.get(url(name, a))


@pytest.mark.parametrize("name", ASSESSMENT_URLS)
def test_anonymous_goes_to_login(client, a1, people, name):
    response = _hit(client, name, a1)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ASSESSMENT_URLS)
@pytest.mark.parametrize("who", ["charlie", "erin", "harry", "nobody", "zed"])
def test_outside_the_scope_is_404(client_for, a1, people, other_county_staff, name, who):
    submit(a1, people.dave)
    user = other_county_staff if who == "zed" else getattr(people, who)
    assert _hit(client_for(user), name, a1).status_code == 404


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_endpoints_answer_get_with_405(client_for, a1, people, name):
    submit(a1, people.dave)
    assert client_for(people.bob).get(url(name, a1)).status_code == 405


@pytest.mark.parametrize("who", ["victor", "dave"])
@pytest.mark.parametrize("name", ["review", "approve", "return", "accept"])
def test_readers_and_the_secretary_get_403(client_for, a1, people, who, name):
    a1 = submit(a1, people.dave)
    client = client_for(getattr(people, who))
    assert client.get(url("assessment_detail", a1)).status_code == 200
    assert client.get(url("assessment_export", a1)).status_code == 200
    assert _hit(client, name, a1).status_code == 403
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED


def test_bob_reviews_but_does_not_accept(client_for, a1, people):
    a1 = submit(a1, people.dave)
    client = client_for(people.bob)
    assert client.get(url("review", a1)).status_code == 200
    assert client.post(url("accept", a1), {}).status_code == 403  # submitted: nothing to accept
    a1 = approve(a1, people)
    assert client.get(url("review", a1)).status_code == 403  # reviewed: no longer his
    assert client.post(url("accept", a1), {}).status_code == 403
    assert client_for(people.alice).post(url("accept", a1), {}).status_code == 302


def test_alice_may_review_too(client_for, a1, people):
    a1 = submit(a1, people.dave)
    assert client_for(people.alice).get(url("review", a1)).status_code == 200


# ---------------------------------------------------------------- the queue


def test_queue_access(client, client_for, people):
    response = client.get(reverse("assessments:review_queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    for who in ("dave", "victor", "harry", "nobody"):
        assert client_for(getattr(people, who)).get(
            reverse("assessments:review_queue")).status_code == 403


def _queue_codes(client, **params):
    response = client.get(reverse("assessments:review_queue"), params)
    assert response.status_code == 200
    return [a.organization.code for a in response.context["rows"]]


def test_queue_shows_what_waits_for_each(client_for, campaign, people, county):
    a1, a2, b1 = (campaign.assessments.get(organization=o)
                  for o in (county.branch_a1, county.branch_a2, county.branch_b1))
    submit(b1, people.dave)  # services do not check who fills; the pages do
    submit(a2, people.erin)
    approve(a1, people)
    assert _queue_codes(client_for(people.bob)) == ["A2"]  # A1 is reviewed: alice's now
    assert _queue_codes(client_for(people.charlie)) == ["B1"]
    alice = client_for(people.alice)
    # Oldest wait first: B1 and A2 submitted before A1 was reviewed.
    assert _queue_codes(alice) == ["B1", "A2", "A1"]
    assert _queue_codes(alice, status="reviewed") == ["A1"]
    assert _queue_codes(alice, status="submitted") == ["B1", "A2"]
    assert _queue_codes(alice, committee=county.town_a.pk) == ["A2", "A1"]
    assert _queue_codes(alice, category=b1.organization.category_id) == ["B1"]
    assert _queue_codes(alice, q="柳树") == ["A2"]
    assert _queue_codes(alice, campaign=campaign.pk) == ["B1", "A2", "A1"]
    # A bad filter is dropped, never an error page.
    assert _queue_codes(alice, campaign="nope", status="bogus") == ["B1", "A2", "A1"]
    # Accepted ones leave the queue.
    services.assessment_accept(assessment=Assessment.objects.get(pk=a1.pk), by=people.alice)
    assert _queue_codes(alice) == ["B1", "A2"]


@pytest.fixture(params=[20, 200], ids=lambda n: f"{n}orgs")
def big_queue(request, campaign, county, people):
    """`n` more branches under town A, all submitted, plus a reviewed A1."""
    add_many_branches(county.town_a, request.param)
    services.campaign_launch(campaign=campaign, by=people.alice)
    Assessment.objects.filter(campaign=campaign).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now())
    return campaign


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_queue_queries(client_for, big_queue, people, county, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    params = {"campaign": big_queue.pk, "committee": county.town_a.pk, "q": "党支部", "page": "2"}
    # 1-3 session, user, grants; 4 the campaign and 5 the committee named in the
    # filters; 6 count; 7 the page with organizations, categories and campaigns;
    # 8 the campaigns, 9 the committees and 10 the categories of the filter form.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("assessments:review_queue"), params)
    assert response.status_code == 200
    assert len(response.context["rows"]) > 0


# ---------------------------------------------------------------- query counts


@pytest.fixture(params=[5, 60], ids=lambda n: f"{n}items")
def many_items(request, county, people):
    return campaign_with_items(county, people, request.param)


def test_assessment_page_queries(client_for, many_items, people, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the assessment with organization, category,
    # campaign and set (scope check); 5 the responses with items and dimensions;
    # 6 their evidence; 7 the spot-check findings; 8 the transitions with users.
    with django_assert_max_num_queries(8):
        response = client.get(url("assessment_detail", many_items))
    assert response.status_code == 200
    assert len(response.context["page"].rows) == many_items.responses.count()


def test_review_page_queries(client_for, many_items, people, django_assert_max_num_queries):
    client = client_for(people.bob)
    # The same eight as the assessment page: the form is built from the loaded rows.
    with django_assert_max_num_queries(8):
        response = client.get(url("review", many_items))
    assert response.status_code == 200


def test_review_save_queries(client_for, many_items, people, django_assert_max_num_queries):
    client = client_for(people.bob)
    data = review_post(many_items)
    # 1-3 session, user, grants; 4 the assessment; 5 the responses for the form;
    # in reviewer_save: 6 savepoint, 7 the row locked, 8 the responses, 9 one bulk
    # update of them all, 10 their audit-trail rows in one insert, 11 release.
    with django_assert_max_num_queries(11):
        response = client.post(url("review", many_items), data)
    assert response.status_code == 302

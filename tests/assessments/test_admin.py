"""The assessments admin: scoped like the pages, writes only for county staff and only
through the services; the rows the services own are read-only for everyone."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from assessments import services
from assessments.models import (
    Assessment,
    Campaign,
    CampaignStatus,
    Evidence,
    Finding,
    SpotCheck,
    StarAction,
    StarRating,
)

from .campaign_builders import other_county
from .conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob, people.charlie, people.victor):
        user.is_staff = True
        user.save()
    return people


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:assessments_{model}_{action}", args=args)


def shown(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def add_data(small_set, county, **over):
    data = {
        "name": "后台新建活动", "year": "2027", "standard_set": small_set.pk,
        "organization": county.county.pk, "self_check_deadline": "2027-04-20",
        "review_deadline": "2027-04-30", "advanced_min": "90", "general_min": "70",
        "veto_forces_lagging": "on", "star_thresholds": "60, 70, 80, 90, 95",
    }
    data.update(over)
    return data


# ---------------------------------------------------------------- campaigns


def test_campaigns_are_scoped(client_for, staff, campaign):
    other = other_county()
    assert {c.pk for c in shown(client_for(staff.bob).get(admin_url("campaign")))} == {campaign.pk}
    assert {c.pk for c in shown(client_for(other.zoe).get(admin_url("campaign")))} == {
        other.campaign.pk}
    client = client_for(other.zoe)
    assert client.get(admin_url("campaign", "change", campaign.pk)).status_code == 302
    assert client.get(admin_url("campaign", "history", campaign.pk)).status_code == 404
    assert client_for(staff.alice).get(
        admin_url("campaign", "history", campaign.pk)).status_code == 200


def test_create_through_the_service(client_for, staff, small_set, county):
    client = client_for(staff.alice)
    assert client.get(admin_url("campaign", "add")).status_code == 200
    response = client.post(admin_url("campaign", "add"),
                           add_data(small_set, county, categories=[county.branch_a1.category_id]))
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert campaign.created_by == staff.alice and campaign.phases.count() == 5
    assert campaign.star_thresholds == ["60", "70", "80", "90", "95"]
    assert list(campaign.categories.all()) == [county.branch_a1.category]
    assert campaign.history.first().history_user == staff.alice


def test_create_validates_the_rule(client_for, staff, small_set, county):
    client = client_for(staff.alice)
    for bad in ({"star_thresholds": "90, 80, 70, 60, 50"}, {"general_min": "95"}):
        response = client.post(admin_url("campaign", "add"), add_data(small_set, county, **bad))
        assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Campaign.objects.exists()


def test_only_county_staff_write(client_for, staff, campaign, small_set, county):
    for user in (staff.bob, staff.victor):
        client = client_for(user)
        assert client.get(admin_url("campaign", "change", campaign.pk)).status_code == 200
        assert client.post(admin_url("campaign", "change", campaign.pk),
                           {"name": "改名"}).status_code == 403
        assert client.post(admin_url("campaign", "add"),
                           add_data(small_set, county)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "基层组织建设年" and Campaign.objects.count() == 1


def test_a_launched_campaigns_rule_is_read_only(client_for, staff, campaign):
    client = client_for(staff.alice)
    response = client.get(admin_url("campaign", "change", campaign.pk))
    form = response.context["adminform"].form
    assert "advanced_min" not in form.fields and "organization" not in form.fields
    assert "name" in form.fields


def test_launch_action(client_for, staff, small_set, county):
    draft = services.campaign_create(name="草稿活动", year=2026, standard_set=small_set,
                                     organization=county.county, by=staff.alice)
    data = {"action": "launch", "_selected_action": [draft.pk]}
    # bob may not change campaigns: the action is not his to run.
    client_for(staff.bob).post(admin_url("campaign"), data)
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT
    response = client_for(staff.alice).post(admin_url("campaign"), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE and draft.assessments.count() == 3
    client_for(staff.alice).post(admin_url("campaign"), data)
    assert draft.assessments.count() == 3  # launching again adds nothing


# ---------------------------------------------------------------- assessments and the rest


def test_assessments_are_scoped_and_read_only(client_for, staff, campaign, county):
    other = other_county()
    client = client_for(staff.bob)
    assert {a.organization.code for a in shown(client.get(admin_url("assessment")))} == {
        "A1", "A2"}
    b1 = campaign.assessments.get(organization=county.branch_b1)
    assert client.get(admin_url("assessment", "change", b1.pk)).status_code == 302
    a1 = campaign.assessments.get(organization=county.branch_a1)
    assert client.get(admin_url("assessment", "change", a1.pk)).status_code == 200
    # Even the county's staff and a superuser change an assessment only on its pages.
    for user in (staff.alice, staff.root):
        response = client_for(user).post(admin_url("assessment", "change", a1.pk),
                                         {"status": "accepted"})
        assert response.status_code == 403
    assert Assessment.objects.get(pk=a1.pk).status == "not_started"
    # The campaign filter names visible campaigns only.
    page = client_for(staff.alice).get(admin_url("assessment")).content.decode()
    assert "基层组织建设年" in page and other.campaign.name not in page
    rows = shown(client_for(staff.alice).get(admin_url("assessment"),
                                             {"campaign": other.campaign.pk}))
    assert rows == []


def test_transitions_inline(client_for, staff, a1):
    services.assessment_save(assessment=a1, by=staff.dave, answers=answers_for(a1, ZB_01="true"))
    response = client_for(staff.bob).get(admin_url("assessment", "change", a1.pk))
    assert response.status_code == 200
    assert "东坝村 陈书记" in response.content.decode()  # who made the transition


def _evidence(a1, by):
    services.assessment_open(assessment=a1)
    response = a1.responses.get(item__code="ZS-02")
    return Evidence.objects.create(response=response, file=ContentFile(b"%PDF-1.4", name="x.pdf"),
                                   original_name="会议记录.pdf", content_type="application/pdf",
                                   size=8, sha256="0" * 64, uploaded_by=by)


def test_evidence_links_to_the_scoped_download_only(client_for, staff, a1):
    evidence = _evidence(a1, staff.dave)
    download = reverse("assessments:evidence_download", args=[evidence.pk])
    response = client_for(staff.bob).get(admin_url("evidence"))
    assert [e.pk for e in shown(response)] == [evidence.pk]
    page = client_for(staff.bob).get(admin_url("evidence", "change", evidence.pk)).content.decode()
    assert download in page and evidence.file.url not in page
    assert shown(client_for(staff.charlie).get(admin_url("evidence"))) == []
    assert client_for(staff.charlie).get(
        admin_url("evidence", "change", evidence.pk)).status_code == 302
    # Item responses: bob sees A1's, charlie none.
    assert {r.assessment_id for r in shown(client_for(staff.bob).get(admin_url("itemresponse")))} \
        == {a1.pk}
    assert shown(client_for(staff.charlie).get(admin_url("itemresponse"))) == []
    assert client_for(staff.alice).post(
        admin_url("evidence", "change", evidence.pk), {"original_name": "x"}).status_code == 403


def test_star_ratings_are_scoped(client_for, staff, county):
    StarRating.objects.create(organization=county.branch_a1, stars=3, action=StarAction.AWARDED,
                              by=staff.alice)
    StarRating.objects.create(organization=county.branch_b1, stars=2, action=StarAction.AWARDED,
                              by=staff.alice)
    assert {s.organization.code for s in shown(client_for(staff.bob).get(
        admin_url("starrating")))} == {"A1"}
    assert len(shown(client_for(staff.alice).get(admin_url("starrating")))) == 2


# ---------------------------------------------------------------- spot checks


def test_spot_check_drawn_through_the_service_and_scoped(client_for, staff, campaign):
    client = client_for(staff.alice)
    response = client.post(admin_url("spotcheck", "add"), {
        "campaign": campaign.pk, "name": "第一次抽查", "share": "100", "weight_lagging": "1",
        "seed": "42",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    spot = SpotCheck.objects.get()
    assert spot.drawn_by == staff.alice and spot.seed == 42 and spot.samples.count() == 3
    # bob sees the county's spot check with town A's samples only.
    response = client_for(staff.bob).get(admin_url("spotcheck", "change", spot.pk))
    assert response.status_code == 200
    inline = [f for f in response.context["inline_admin_formsets"]][0]
    assert {f.original.assessment.organization.code for f in inline} == {"A1", "A2"}
    assert shown(client_for(staff.bob).get(admin_url("spotcheck")))[0].in_scope == 2
    # bob may not change it, nor draw one.
    assert client_for(staff.bob).post(admin_url("spotcheck", "change", spot.pk),
                                      {"name": "x"}).status_code == 403
    assert client_for(staff.bob).post(admin_url("spotcheck", "add"), {
        "campaign": campaign.pk, "name": "x", "share": "50", "weight_lagging": "1",
    }).status_code == 403
    assert SpotCheck.objects.count() == 1


def test_findings_are_scoped(client_for, staff, campaign, a1):
    services.assessment_open(assessment=a1)
    spot = services.spot_check_draw(campaign=campaign, by=staff.alice, name="抽查", share=100,
                                    seed=1)
    sample = spot.samples.get(assessment=a1)
    item = a1.responses.get(item__code="ZB-01").item
    services.finding_record(sample=sample, item=item, found_value="false", note="未落实",
                            by=staff.alice)
    assert [f.pk for f in shown(client_for(staff.bob).get(admin_url("finding")))] == [
        Finding.objects.get().pk]
    assert shown(client_for(staff.charlie).get(admin_url("finding"))) == []


def test_spot_check_on_an_empty_campaign_is_refused(client_for, staff, small_set, county):
    from ..factories import category

    empty = services.campaign_create(name="学校专项", year=2026, standard_set=small_set,
                                     organization=county.county, by=staff.alice,
                                     categories=[category("school")])
    services.campaign_launch(campaign=empty, by=staff.alice)
    empty.refresh_from_db()
    assert empty.status == CampaignStatus.ACTIVE and not empty.assessments.exists()
    response = client_for(staff.alice).post(admin_url("spotcheck", "add"), {
        "campaign": empty.pk, "name": "抽查", "share": "50", "weight_lagging": "0",
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "campaign" in errors and "weight_lagging" in errors
    assert not SpotCheck.objects.exists()

"""随机抽查: the reproducible, weighted draw; findings changing scores and stars; the three
pages and who may see and do what on them; query counts at two sizes."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse

from assessments import services
from assessments.models import (
    Assessment,
    Evidence,
    Finding,
    Grade,
    ItemResponse,
    SpotCheck,
    SpotCheckSample,
    StarAction,
    StarRating,
)
from assessments.selectors_campaigns import campaign_spot_checks
from standards import services as std

from ..factories import add_many_branches
from ..standards.set_builders import other_county_with_set
from .conftest import answers_for

pytestmark = pytest.mark.django_db

FULL = dict(ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
            ZD_02={"text": "我们的做法……"})


# ---------------------------------------------------------------- helpers


def accepted(assessment, people, **answers):
    """Fill everything (full marks unless told), submit, review, approve and accept."""
    services.assessment_save(assessment=assessment, by=people.alice,
                             answers=answers_for(assessment, **{**FULL, **answers}))
    for response in assessment.responses.filter(item__evidence_required=True):
        Evidence.objects.create(
            response=response, file=ContentFile(b"%PDF-1.4 demo", name="x.pdf"),
            original_name="证明.pdf", content_type="application/pdf", size=13,
            sha256="0" * 64, uploaded_by=people.alice,
        )
    services.assessment_submit(assessment=assessment, by=people.alice)
    services.reviewer_save(assessment=assessment, by=people.alice,
                           values=answers_for(assessment, ZD_02="10"))
    services.assessment_approve(assessment=assessment, by=people.alice)
    services.assessment_accept(assessment=assessment, by=people.alice)
    return Assessment.objects.get(pk=assessment.pk)


def draw(campaign, people, share="100", seed=1, weight=1):
    return services.spot_check_draw(campaign=campaign, by=people.alice, name="抽查",
                                    share=Decimal(share), weight_lagging=weight, seed=seed)


def drawn_codes(spot_check):
    return sorted(spot_check.samples.values_list("assessment__organization__code", flat=True))


def sample_of(spot_check, org):
    return spot_check.samples.get(assessment__organization=org)


@pytest.fixture
def big_campaign(campaign, county, people):
    """The campaign relaunched over 40 more branches of town A (43 assessments)."""
    add_many_branches(county.town_a, 40, prefix="AX")
    services.campaign_launch(campaign=campaign, by=people.alice)
    assert campaign.assessments.count() == 43
    return campaign


# ---------------------------------------------------------------- the draw


def test_the_same_seed_draws_the_same_sample(big_campaign, people):
    first = drawn_codes(draw(big_campaign, people, share="20", seed=12345))
    again = drawn_codes(draw(big_campaign, people, share="20", seed=12345))
    assert len(first) == 9  # 43 × 20 % = 8.6 → 9
    assert first == again
    others = [drawn_codes(draw(big_campaign, people, share="20", seed=s)) for s in range(1, 11)]
    assert sum(sample != first for sample in others) >= 9  # a different seed: usually different
    assert SpotCheck.objects.filter(seed=12345).count() == 2


def test_a_seed_is_chosen_and_stored_when_none_is_given(campaign, people):
    spot_check = services.spot_check_draw(campaign=campaign, by=people.alice, name="抽查",
                                          share=Decimal("50"))
    assert spot_check.seed > 0
    redrawn = draw(campaign, people, share="50", seed=spot_check.seed)
    assert drawn_codes(redrawn) == drawn_codes(spot_check)


def test_lagging_organizations_weigh_more(big_campaign, county, people):
    lagging = big_campaign.assessments.get(organization=county.branch_b1)
    Assessment.objects.filter(pk=lagging.pk).update(grade=Grade.LAGGING)

    def times_drawn(weight):
        return sum(
            SpotCheckSample.objects.filter(
                spot_check=draw(big_campaign, people, share="5", seed=seed, weight=weight),
                assessment=lagging,
            ).exists()
            for seed in range(1, 101)
        )

    # 43 × 5 % → 2 drawn. Uniform: about 2/43 of the seeds; weight 50: most of them.
    assert times_drawn(50) >= 70
    assert times_drawn(1) <= 20


@pytest.mark.parametrize("share, expected", [("1", 1), ("0.01", 1), ("50", 2), ("34", 1),
                                             ("100", 3)])
def test_share_rounds_half_up_and_draws_at_least_one(campaign, people, share, expected):
    # 3 assessments: 50 % is 1.5 → 2 (四舍五入), 34 % is 1.02 → 1, 1 % is 0.03 → 1.
    assert draw(campaign, people, share=share).samples.count() == expected


@pytest.mark.parametrize("share, weight, seed", [("0", 1, 1), ("100.01", 1, 1), ("10", 0, 1),
                                                 ("10", 1, -1)])
def test_a_bad_draw_is_refused_and_stores_nothing(campaign, people, share, weight, seed):
    with pytest.raises(ValidationError):
        draw(campaign, people, share=share, weight=weight, seed=seed)
    assert not SpotCheck.objects.exists()


def test_nothing_to_draw_before_the_launch(small_set, county, people):
    campaign = services.campaign_create(
        name="未发起", year=2026, standard_set=small_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2026, 4, 20), review_deadline=date(2026, 4, 30),
    )
    with pytest.raises(ValidationError):
        draw(campaign, people)
    assert not SpotCheck.objects.exists()


# ---------------------------------------------------------------- findings


def test_a_finding_changes_the_final_score_and_grade_of_an_accepted_assessment(
    campaign, a1, people
):
    a1 = accepted(a1, people)
    assert a1.final_score == Decimal("100.00") and a1.grade == Grade.ADVANCED and a1.stars == 5
    sample = sample_of(draw(campaign, people), a1.organization)
    zd01 = a1.responses.get(item__code="ZD-01").item
    services.finding_record(sample=sample, item=zd01, found_value="40", note="实测只有40平方米",
                            by=people.alice)
    a1.refresh_from_db()
    # ZD-01 (20 of 80 points) is now unmet: 60 / 80 = 75 → 一般, 2 stars by the score.
    assert a1.final_score == Decimal("75.00") and a1.grade == Grade.GENERAL and a1.stars == 2
    assert ItemResponse.objects.get(assessment=a1, item=zd01).final_score == Decimal("0")
    # The stars already awarded stay until someone takes them away.
    assert services.current_stars(a1.organization) == 5
    sample.refresh_from_db()
    assert sample.done_at is not None


def test_a_finding_with_star_revocation_adds_a_revoked_row(campaign, a1, people):
    a1 = accepted(a1, people)
    sample = sample_of(draw(campaign, people), a1.organization)
    zb01 = a1.responses.get(item__code="ZB-01").item
    services.finding_record(sample=sample, item=zb01, found_value="false", note="主题党日未开展",
                            by=people.alice, revoke_stars=True, revoke_reason="抽查发现弄虚作假")
    latest = StarRating.objects.filter(organization=a1.organization).first()
    assert latest.action == StarAction.REVOKED and latest.stars == 4
    assert latest.reason == "抽查发现弄虚作假" and latest.assessment_id == a1.pk
    a1.refresh_from_db()
    assert a1.veto_failed and a1.grade == Grade.LAGGING  # ZB-01 is a veto item


def test_taking_away_stars_an_organization_lacks_records_nothing(campaign, a1, people):
    sample = sample_of(draw(campaign, people), a1.organization)
    services.assessment_open(assessment=a1)
    item = a1.responses.get(item__code="ZB-01").item
    with pytest.raises(ValidationError):
        services.finding_record(sample=sample, item=item, found_value="false", note="未开展",
                                by=people.alice, revoke_stars=True, revoke_reason="弄虚作假")
    assert not Finding.objects.exists() and not StarRating.objects.exists()


def test_a_finding_without_a_value_is_a_note_and_keeps_the_score(campaign, a1, people):
    a1 = accepted(a1, people)
    sample = sample_of(draw(campaign, people), a1.organization)
    item = a1.responses.get(item__code="ZD-01").item
    services.finding_record(sample=sample, item=item, found_value="", note="台账较乱，但面积达标",
                            by=people.alice)
    a1.refresh_from_db()
    assert a1.final_score == Decimal("100.00")


def test_a_finding_on_a_submitted_assessment_counts_at_approval(campaign, a1, people):
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(a1, **FULL))
    Evidence.objects.create(
        response=a1.responses.get(item__code="ZS-02"), file=ContentFile(b"%PDF-1.4", name="x.pdf"),
        original_name="x.pdf", content_type="application/pdf", size=8, sha256="0" * 64,
        uploaded_by=people.dave,
    )
    services.assessment_submit(assessment=a1, by=people.dave)
    sample = sample_of(draw(campaign, people), a1.organization)
    item = a1.responses.get(item__code="ZD-01").item
    services.finding_record(sample=sample, item=item, found_value="40", note="实测", by=people.bob)
    services.reviewer_save(assessment=a1, by=people.bob, values=answers_for(a1, ZD_02="10"))
    services.assessment_approve(assessment=a1, by=people.bob)
    a1.refresh_from_db()
    assert a1.final_score == Decimal("75.00")


def test_the_organizations_own_secretary_cannot_inspect_it(campaign, a1, people):
    sample = sample_of(draw(campaign, people), a1.organization)
    with pytest.raises(ValidationError):
        services.sample_assign(sample=sample, inspector=people.dave, by=people.alice)
    services.sample_assign(sample=sample, inspector=people.erin, by=people.alice)  # 互查
    sample.refresh_from_db()
    assert sample.inspector == people.erin


# ---------------------------------------------------------------- the draw page


def create_url(campaign):
    return reverse("assessments:spot_check_create", args=[campaign.pk])


def test_county_staff_draw_from_the_page(campaign, people, client_for):
    client = client_for(people.alice)
    page = client.get(create_url(campaign))
    assert page.status_code == 200
    assert 'name="seed"' in page.text and 'name="weight_lagging"' in page.text
    response = client.post(create_url(campaign), {"name": "第一季度抽查", "share": "50",
                                                  "weight_lagging": "3", "seed": "2026"})
    spot_check = SpotCheck.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("assessments:spot_check_detail", args=[spot_check.pk])
    assert (spot_check.seed, spot_check.weight_lagging, spot_check.share) == (2026, 3, Decimal("50"))
    assert spot_check.drawn_by == people.alice and spot_check.samples.count() == 2


@pytest.mark.parametrize("data", [
    {"name": "抽查", "share": "0", "weight_lagging": "1"},
    {"name": "抽查", "share": "101", "weight_lagging": "1"},
    {"name": "抽查", "share": "abc", "weight_lagging": "1"},
    {"name": "抽查", "share": "10", "weight_lagging": "0"},
    {"name": "抽查", "share": "10", "weight_lagging": "1", "seed": "-5"},
    {"name": "抽查", "share": "10", "weight_lagging": "1", "seed": str(2**64)},
    {"name": "", "share": "10", "weight_lagging": "1"},
])
def test_bad_input_on_the_draw_page_is_a_400_and_draws_nothing(campaign, people, client_for, data):
    response = client_for(people.alice).post(create_url(campaign), data)
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.text or "alert" in response.text
    assert not SpotCheck.objects.exists()


def test_a_campaign_not_launched_cannot_be_drawn_from(small_set, county, people, client_for):
    campaign = services.campaign_create(
        name="未发起", year=2026, standard_set=small_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2026, 4, 20), review_deadline=date(2026, 4, 30),
    )
    response = client_for(people.alice).post(
        create_url(campaign), {"name": "抽查", "share": "10", "weight_lagging": "1"})
    assert response.status_code == 400 and not SpotCheck.objects.exists()


def test_who_may_draw(campaign, people, client, client_for):
    url = create_url(campaign)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    for user in (people.bob, people.victor, people.dave):  # they see the campaign, may not draw
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, {"name": "x", "share": "10",
                                           "weight_lagging": "1"}).status_code == 403
    _root, _branch, zoe, _set = other_county_with_set()
    for user in (zoe, people.nobody):
        assert client_for(user).get(url).status_code == 404
    assert client_for(people.root).get(url).status_code == 200
    assert client_for(people.alice).put(url).status_code == 405
    assert not SpotCheck.objects.exists()


# ---------------------------------------------------------------- the sample list


def detail_url(spot_check):
    return reverse("assessments:spot_check_detail", args=[spot_check.pk])


def shown_codes(response):
    return sorted(re.findall(r'data-testid="sample" data-org="([^"]+)"', response.text))


def test_the_sample_list_for_county_staff(campaign, people, client_for, county):
    spot_check = draw(campaign, people, seed=424242)
    response = client_for(people.alice).get(detail_url(spot_check))
    assert response.status_code == 200
    assert shown_codes(response) == ["A1", "A2", "B1"]
    assert "424242" in response.text and 'data-testid="seed"' in response.text
    assert response.text.count('data-testid="assign-form"') == 3
    assert 'data-status="pending"' in response.text


def test_committee_staff_and_viewers_read_their_own_scope(campaign, people, client_for):
    spot_check = draw(campaign, people)
    for user, codes in ((people.bob, ["A1", "A2"]), (people.victor, ["A1", "A2"]),
                        (people.charlie, ["B1"])):
        response = client_for(user).get(detail_url(spot_check))
        assert response.status_code == 200
        assert shown_codes(response) == codes
        assert 'data-testid="assign-form"' not in response.text


def test_an_inspector_sees_their_sample_and_no_one_else_sees_anything(
    campaign, people, client, client_for, county
):
    spot_check = draw(campaign, people)
    url = detail_url(spot_check)
    for user in (people.dave, people.erin, people.harry, people.nobody):
        assert client_for(user).get(url).status_code == 404
    services.sample_assign(sample=sample_of(spot_check, county.branch_a2), inspector=people.dave,
                           by=people.alice)
    response = client_for(people.dave).get(url)
    assert response.status_code == 200 and shown_codes(response) == ["A2"]
    _root, _branch, zoe, _set = other_county_with_set()
    assert client_for(zoe).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    assert client_for(people.root).get(url).status_code == 200


def test_county_staff_assign_inspectors(campaign, people, client_for, county):
    spot_check = draw(campaign, people)
    sample = sample_of(spot_check, county.branch_a1)
    client = client_for(people.alice)
    page = client.get(detail_url(spot_check))
    # The select offers staff and viewers in scope, not the secretaries.
    assert "西湖乡 赵刚" in page.text and "督查组 周丽" in page.text
    assert "东坝村 陈书记" not in page.text
    response = client.post(detail_url(spot_check), {"sample": sample.pk,
                                                    "inspector": people.charlie.pk})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.inspector == people.charlie
    response = client.post(detail_url(spot_check), {"sample": sample.pk, "inspector": ""})
    sample.refresh_from_db()
    assert response.status_code == 302 and sample.inspector is None


@pytest.mark.parametrize("bad", ["secretary", "unknown_user", "other_spot_check", "no_sample"])
def test_a_bad_assignment_is_a_400_and_changes_nothing(campaign, people, client_for, county, bad):
    spot_check = draw(campaign, people)
    other = draw(campaign, people, seed=2)
    sample = sample_of(spot_check, county.branch_a1)
    data = {
        "secretary": {"sample": sample.pk, "inspector": people.dave.pk},
        "unknown_user": {"sample": sample.pk, "inspector": "999999"},
        "other_spot_check": {"sample": sample_of(other, county.branch_a1).pk,
                             "inspector": people.bob.pk},
        "no_sample": {"sample": "x", "inspector": people.bob.pk},
    }[bad]
    response = client_for(people.alice).post(detail_url(spot_check), data)
    assert response.status_code == 400 and 'data-testid="assign-error"' in response.text
    assert not SpotCheckSample.objects.filter(inspector__isnull=False).exists()


def test_only_county_staff_assign(campaign, people, client_for, county):
    spot_check = draw(campaign, people)
    sample = sample_of(spot_check, county.branch_a1)
    for user in (people.bob, people.victor):
        response = client_for(user).post(detail_url(spot_check), {"sample": sample.pk,
                                                                  "inspector": user.pk})
        assert response.status_code == 403
    # An inspector records findings; naming inspectors stays with the county.
    services.sample_assign(sample=sample, inspector=people.charlie, by=people.alice)
    response = client_for(people.charlie).post(detail_url(spot_check),
                                               {"sample": sample.pk, "inspector": ""})
    assert response.status_code == 403
    sample.refresh_from_db()
    assert sample.inspector == people.charlie


# ---------------------------------------------------------------- one sample


def sample_url(sample):
    return reverse("assessments:sample_detail", args=[sample.pk])


def finding(item_pk, value, note="实地查看发现", **extra):
    return {"item": item_pk, "found_value": value, "note": note, **extra}


def test_the_sample_page_shows_values_and_records_a_finding(campaign, a1, people, client_for):
    a1 = accepted(a1, people)
    sample = sample_of(draw(campaign, people), a1.organization)
    client = client_for(people.alice)
    page = client.get(sample_url(sample))
    assert page.status_code == 200
    assert page.text.count('data-testid="item"') == 6  # the village's applicable items
    assert page.text.count('data-testid="finding-form"') == 6
    assert "80 ㎡" in page.text
    zd01 = a1.responses.get(item__code="ZD-01").item
    response = client.post(sample_url(sample), finding(zd01.pk, "40"))
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.final_score == Decimal("75.00") and a1.grade == Grade.GENERAL
    page = client.get(sample_url(sample))
    assert page.text.count('data-testid="finding"') == 1 and "40 ㎡" in page.text
    assert 'data-status="done"' in page.text


def test_a_finding_with_star_revocation_from_the_page(campaign, a1, people, client_for):
    a1 = accepted(a1, people)
    sample = sample_of(draw(campaign, people), a1.organization)
    zs02 = a1.responses.get(item__code="ZS-02").item
    client = client_for(people.alice)
    refused = client.post(sample_url(sample), finding(zs02.pk, "false", revoke_stars="on"))
    assert refused.status_code == 400 and not Finding.objects.exists()
    response = client.post(sample_url(sample), finding(zs02.pk, "false", revoke_stars="on",
                                                       revoke_reason="佐证材料系补做"))
    assert response.status_code == 302
    latest = StarRating.objects.filter(organization=a1.organization).first()
    assert latest.action == StarAction.REVOKED and latest.stars == 4
    assert latest.reason == "佐证材料系补做"


@pytest.mark.parametrize("code, value, note", [
    ("ZD-01", "abc", "实测"), ("ZD-01", "-1", "实测"), ("ZB-01", "maybe", "实测"),
    ("ZB-02", "优秀", "实测"), ("ZD-02", "11", "实测"), ("ZD-01", "40", ""),
    ("GF-01", "true", "实测"),  # the community item does not apply to A1
    ("", "true", "实测"),
])
def test_a_bad_finding_is_a_400_with_a_message_and_stores_nothing(
    campaign, a1, people, client_for, code, value, note
):
    a1 = accepted(a1, people)
    sample = sample_of(draw(campaign, people), a1.organization)
    pk = (campaign.standard_set.items.get(code=code).pk if code else "")
    response = client_for(people.alice).post(sample_url(sample), finding(pk, value, note=note))
    assert response.status_code == 400 and 'data-testid="errors"' in response.text
    assert not Finding.objects.exists()
    a1.refresh_from_db()
    assert a1.final_score == Decimal("100.00")


def test_the_inspector_records_findings_and_closes_the_sample(campaign, a1, people, client_for):
    a1 = accepted(a1, people)
    sample = sample_of(draw(campaign, people), a1.organization)
    services.sample_assign(sample=sample, inspector=people.charlie, by=people.alice)
    client = client_for(people.charlie)  # town B's staff inspecting town A: 交叉检查
    assert client.get(sample_url(sample)).status_code == 200
    zb02 = a1.responses.get(item__code="ZB-02").item
    assert client.post(sample_url(sample), finding(zb02.pk, "一般")).status_code == 302
    refused = client.post(sample_url(sample), {"action": "done", "summary": "  "})
    assert refused.status_code == 400
    done = client.post(sample_url(sample), {"action": "done", "summary": "班子建设一般，其余属实"})
    assert done.status_code == 302
    sample.refresh_from_db()
    assert sample.summary == "班子建设一般，其余属实" and sample.done_at is not None
    a1.refresh_from_db()
    assert a1.final_score == Decimal("95.00")  # ZB-02 一般: 6 of 10


def test_who_may_see_and_record_on_a_sample(campaign, a1, people, client, client_for, county):
    a1 = accepted(a1, people)
    spot_check = draw(campaign, people)
    sample = sample_of(spot_check, county.branch_a1)
    url = sample_url(sample)
    item = a1.responses.get(item__code="ZD-01").item
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    # Outside the scope (or no reading role on it): 404, the sampled branch's own secretary too.
    _root, _branch, zoe, _set = other_county_with_set()
    for user in (people.charlie, people.erin, people.dave, people.harry, people.nobody, zoe):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, finding(item.pk, "40")).status_code == 404
    # Readers in scope: the page without forms; posting is refused.
    for user in (people.bob, people.victor):
        page = client_for(user).get(url)
        assert page.status_code == 200 and 'data-testid="finding-form"' not in page.text
        assert client_for(user).post(url, finding(item.pk, "40")).status_code == 403
        assert client_for(user).post(url, {"action": "done", "summary": "x"}).status_code == 403
    assert not Finding.objects.exists()
    assert client_for(people.alice).put(url).status_code == 405
    assert client_for(people.root).get(url).status_code == 200


def test_a_sample_not_started_says_so(campaign, people, client_for, county):
    sample = sample_of(draw(campaign, people), county.branch_a2)
    page = client_for(people.alice).get(sample_url(sample))
    assert page.status_code == 200 and 'data-testid="not-started"' in page.text
    assert 'data-testid="finding-form"' not in page.text


# ---------------------------------------------------------------- query counts


def test_the_sample_list_costs_the_same_for_3_and_43_samples(
    campaign, people, client_for, county, django_assert_max_num_queries
):
    small = draw(campaign, people)
    add_many_branches(county.town_a, 40, prefix="AX")
    services.campaign_launch(campaign=campaign, by=people.alice)
    large = draw(campaign, people)
    assert large.samples.count() == 43
    for s in large.samples.all()[:20]:
        services.sample_assign(sample=s, inspector=people.bob, by=people.alice)
    client = client_for(people.alice)
    for spot_check in (small, large):
        # session, user, spot check with its campaign, the user's grants, the totals,
        # the page of samples (with organizations and inspectors), the inspector choices.
        with django_assert_max_num_queries(7):
            assert client.get(detail_url(spot_check)).status_code == 200
    client = client_for(people.bob)
    for spot_check in (small, large):
        # session, user, spot check, grants, totals, the page of samples (no choices).
        with django_assert_max_num_queries(6):
            assert client.get(detail_url(spot_check)).status_code == 200


def test_the_draw_page_costs_the_same_for_3_and_43_assessments(
    campaign, people, client_for, county, django_assert_max_num_queries
):
    client = client_for(people.alice)
    # session, user, campaign (with scope and set), grants.
    with django_assert_max_num_queries(4):
        assert client.get(create_url(campaign)).status_code == 200
    add_many_branches(county.town_a, 40, prefix="AX")
    services.campaign_launch(campaign=campaign, by=people.alice)
    with django_assert_max_num_queries(4):
        assert client.get(create_url(campaign)).status_code == 200


def test_the_campaign_card_lists_spot_checks_with_their_progress(campaign, people, county):
    spot_check = draw(campaign, people)
    services.sample_done(sample=sample_of(spot_check, county.branch_a1), by=people.alice,
                         summary="属实")
    html = render_to_string("assessments/spotchecks/_campaign_panel.html", {
        "campaign": campaign, "spot_checks": campaign_spot_checks(campaign), "can_manage": True})
    assert detail_url(spot_check) in html and "1/3" in html
    assert create_url(campaign) in html


def _big_set_campaign(county, people, n):
    specs = [std.ItemSpec(dimension=f"方面{i % 5}", code=f"Y-{i:03d}", requirement=f"第{i}条",
                          kind="check", max_score=Decimal("1")) for i in range(n)]
    standard_set = std.set_create(organization=county.county, code=f"big{n}", name="大标准",
                                  year=2026, by=people.alice)
    std.set_fill(standard_set=standard_set, items=specs, by=people.alice)
    std.set_publish(standard_set=standard_set, by=people.alice)
    standard_set.refresh_from_db()
    campaign = services.campaign_create(
        name=f"大活动{n}", year=2026, standard_set=standard_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2026, 4, 20), review_deadline=date(2026, 4, 30),
    )
    services.campaign_launch(campaign=campaign, by=people.alice)
    a1 = campaign.assessments.get(organization=county.branch_a1)
    services.assessment_save(assessment=a1, by=people.dave, answers={
        i.pk: {"value": "true"} for i in standard_set.items.all()})
    sample = sample_of(draw(campaign, people), county.branch_a1)
    for response in a1.responses.select_related("item")[: n // 2]:
        services.finding_record(sample=sample, item=response.item, found_value="false",
                                note="不符", by=people.alice)
    return sample


def test_the_sample_page_costs_the_same_for_5_and_60_items(
    county, people, client_for, django_assert_max_num_queries
):
    small, large = _big_set_campaign(county, people, 5), _big_set_campaign(county, people, 60)
    client = client_for(people.alice)
    for sample in (small, large):
        # session, user, the sample (spot check, campaign, set, assessment, organization,
        # inspector), grants, responses with items and dimensions, findings (item, author,
        # spot check), current stars.
        with django_assert_max_num_queries(7):
            page = client.get(sample_url(sample))
        assert page.status_code == 200

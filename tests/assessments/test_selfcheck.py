"""The secretary's self-check pages: my tasks, the form (full POST and htmx), submit.

Personas (tests/conftest.py): dave is secretary of A1, erin of A2 (the sibling),
bob committee staff of town A, charlie of town B next door, victor a viewer on
town A, alice county staff. The campaign covers A1, A2 and B1 (conftest.py).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, AssessmentStatus, Campaign, Evidence, ItemResponse
from orgs.models import Level, Role
from standards import services as std
from standards.models import StandardItem

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches
from .conftest import answers_for

pytestmark = pytest.mark.django_db


def url(name, pk):
    return reverse(f"assessments:{name}", args=[pk])


def ids(assessment):
    """{code: item pk} of the assessment's set."""
    return dict(
        StandardItem.objects.filter(standard_set=assessment.campaign.standard_set_id)
        .values_list("code", "pk")
    )


def htmx(client, path, data):
    return client.post(path, data, HTTP_HX_REQUEST="true")


def add_evidence(assessment, code, user):
    response = assessment.responses.get(item__code=code)
    return Evidence.objects.create(
        response=response, file=ContentFile(b"%PDF-1.4 x", name="x.pdf"), original_name="x.pdf",
        content_type="application/pdf", size=10, sha256="0" * 64, uploaded_by=user,
    )


def complete(assessment, user):
    """Every item of A1 answered and the required evidence there."""
    services.assessment_save(assessment=assessment, by=user, answers=answers_for(
        assessment, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
        ZD_02={"text": "我们的做法"},
    ))
    add_evidence(assessment, "ZS-02", user)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence written by these tests goes to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def a2(campaign, county):
    return campaign.assessments.get(organization=county.branch_a2)


@pytest.fixture
def outsider(db):
    """Staff of another county root: sees nothing of ours."""
    root = OrganizationFactory(code="X", name="别的县委", level=Level.COUNTY, category=None)
    user = UserFactory(username="xavier", full_name="外县 员工")
    AssignmentFactory(user=user, organization=root, role=Role.COUNTY_STAFF)
    return user


# ---------------------------------------------------------------- anonymous, methods


def test_anonymous_goes_to_login(client, a1):
    for path in (reverse("assessments:my_tasks"), url("fill", a1.pk)):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(url("submit", a1.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.NOT_STARTED


def test_submit_is_post_only(client_for, people, a1):
    assert client_for(people.dave).get(url("submit", a1.pk)).status_code == 405


# ---------------------------------------------------------------- who may fill


@pytest.mark.parametrize("who", ["erin", "charlie", "outsider"])
def test_fill_outside_scope_is_404(client_for, people, a1, outsider, who):
    user = outsider if who == "outsider" else getattr(people, who)
    client = client_for(user)
    assert client.get(url("fill", a1.pk)).status_code == 404
    ZB01 = ids(a1)["ZB-01"]
    assert client.post(url("fill", a1.pk), {f"v-{ZB01}": "true"}).status_code == 404
    assert client.post(url("submit", a1.pk)).status_code == 404
    assert not a1.responses.exists()  # not even opened


def test_dave_cannot_fill_erins(client_for, people, a2):
    client = client_for(people.dave)
    assert client.get(url("fill", a2.pk)).status_code == 404
    ZB01 = ids(a2)["ZB-01"]
    assert client.post(url("fill", a2.pk), {f"v-{ZB01}": "true"}).status_code == 404
    assert htmx(client, url("fill", a2.pk), {"item": ZB01, f"v-{ZB01}": "true"}).status_code == 404
    assert client.post(url("submit", a2.pk)).status_code == 404
    assert not a2.responses.exists()


@pytest.mark.parametrize("who", ["bob", "victor", "alice"])
def test_others_in_scope_are_sent_to_the_detail_page_and_refused_writes(
    client_for, people, a1, who
):
    """Decision: a GET by someone who may see but not fill redirects to the detail page
    (a link from a list should land somewhere useful); a POST is 403."""
    client = client_for(getattr(people, who))
    response = client.get(url("fill", a1.pk))
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", a1.pk)
    ZB01 = ids(a1)["ZB-01"]
    assert client.post(url("fill", a1.pk), {f"v-{ZB01}": "true"}).status_code == 403
    assert htmx(client, url("fill", a1.pk), {"item": ZB01, f"v-{ZB01}": "true"}).status_code == 403
    assert client.post(url("submit", a1.pk)).status_code == 403
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.NOT_STARTED and not a1.responses.exists()


def test_submitted_assessment_is_no_longer_fillable(client_for, people, a1):
    complete(a1, people.dave)
    services.assessment_submit(assessment=a1, by=people.dave)
    client = client_for(people.dave)
    response = client.get(url("fill", a1.pk))
    assert response["Location"] == url("assessment_detail", a1.pk)
    ZB01 = ids(a1)["ZB-01"]
    assert client.post(url("fill", a1.pk), {f"v-{ZB01}": "false"}).status_code == 403
    assert client.post(url("submit", a1.pk)).status_code == 403
    assert a1.responses.get(item_id=ZB01).self_value == "true"


# ---------------------------------------------------------------- the form


def test_fill_page_shows_the_applicable_items_with_the_right_inputs(client_for, people, a1):
    response = client_for(people.dave).get(url("fill", a1.pk))
    assert response.status_code == 200
    html = response.content.decode()
    i = ids(a1)
    # A1 is a village: the community item does not apply.
    assert 'data-code="GF-01"' not in html
    for code in ("ZB-01", "ZB-02", "ZS-01", "ZS-02", "ZD-01", "ZD-02"):
        assert f'data-code="{code}"' in html
    assert f'name="v-{i["ZB-01"]}" id="v-{i["ZB-01"]}-yes" value="true"' in html
    assert f'name="v-{i["ZB-01"]}" id="v-{i["ZB-01"]}-no" value="false"' in html
    for label in ("好", "较好", "一般", "差"):
        assert f'value="{label}"' in html
    assert f'type="number" inputmode="decimal" step="any" min="0" class="form-control form-control-lg" name="v-{i["ZD-01"]}"' in html
    assert "≥ 70 ㎡" in html
    assert f'name="t-{i["ZD-02"]}"' in html
    assert f'name="n-{i["ZB-01"]}"' in html
    veto_card = html.split('data-code="ZB-01"', 1)[1].split('data-testid="fill-item"', 1)[0]
    assert 'data-testid="veto"' in veto_card
    evidence_card = html.split('data-code="ZS-02"', 1)[1].split('data-testid="fill-item"', 1)[0]
    assert 'data-testid="needs-evidence"' in evidence_card
    assert 'accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx"' in html
    assert f'hx-post="{url("fill", a1.pk)}"' in html
    assert 'data-answered="0" data-applicable="6" data-evidence-missing="1"' in html
    assert a1.responses.count() == 6  # opened on first view


def test_full_form_save_stores_every_kind_and_shows_it_again(client_for, people, a1):
    client = client_for(people.dave)
    i = ids(a1)
    response = client.post(url("fill", a1.pk), {
        f"v-{i['ZB-01']}": "true", f"n-{i['ZB-01']}": "有会议记录",
        f"v-{i['ZB-02']}": "较好",
        f"v-{i['ZS-01']}": "12",
        f"v-{i['ZD-01']}": "80.5",
        f"t-{i['ZD-02']}": "  我们的做法  ",
    })
    assert response.status_code == 302 and response["Location"] == url("fill", a1.pk)
    stored = {r.item.code: r for r in a1.responses.select_related("item")}
    assert stored["ZB-01"].self_value == "true" and stored["ZB-01"].self_note == "有会议记录"
    assert stored["ZB-02"].self_value == "较好"
    assert stored["ZS-01"].self_value == "12"
    assert stored["ZD-01"].self_value == "80.5"
    assert stored["ZD-02"].self_text == "我们的做法"
    assert stored["ZS-02"].self_value == ""  # not posted: untouched
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.DRAFT and a1.self_score is not None

    html = client.get(url("fill", a1.pk)).content.decode()
    assert f'id="v-{i["ZB-01"]}-yes" value="true" autocomplete="off" checked' in html
    assert 'value="较好" autocomplete="off" checked' in html
    assert f'name="v-{i["ZD-01"]}" id="v-{i["ZD-01"]}" value="80.5"' in html
    assert "我们的做法</textarea>" in html and "有会议记录</textarea>" in html
    assert 'data-answered="5" data-applicable="6"' in html
    assert f"{a1.self_score:.2f}".rstrip("0").rstrip(".") in html


def test_check_can_be_changed_to_no(client_for, people, a1):
    client = client_for(people.dave)
    i = ids(a1)
    client.post(url("fill", a1.pk), {f"v-{i['ZB-01']}": "true"})
    client.post(url("fill", a1.pk), {f"v-{i['ZB-01']}": "false"})
    assert a1.responses.get(item_id=i["ZB-01"]).self_value == "false"


@pytest.mark.parametrize("code, value, shown_again", [
    ("ZD-01", "七十", True),           # letters in a number: the input shows them again
    ("ZS-01", "12abc", True),
    ("ZD-01", "-3", True),
    ("ZB-02", "优秀", False),          # not one of the set's levels (no radio to check)
    ("ZB-01", "maybe", False),        # a check is true or false
])
def test_invalid_value_is_shown_on_its_item_and_nothing_is_saved(
    client_for, people, a1, code, value, shown_again
):
    client = client_for(people.dave)
    i = ids(a1)
    other = "ZS-01" if code == "ZB-01" else "ZB-01"
    valid = "10" if other == "ZS-01" else "true"
    data = {f"v-{i[other]}": valid, f"n-{i[other]}": "说明", f"v-{i[code]}": value}
    response = client.post(url("fill", a1.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    # The message sits inside that item's card, and the typed value is shown again.
    card = html.split(f'id="item-{i[code]}"', 1)[1].split('class="evidence', 1)[0]
    assert 'data-testid="item-error"' in card
    assert html.count('data-testid="item-error"') == 1
    assert (f'value="{value}"' in card) is shown_again
    # All or nothing: the valid answers of the same request are not stored either.
    assert not a1.responses.exclude(self_value="").exists()
    assert not a1.responses.exclude(self_note="").exists()
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.NOT_STARTED


def test_item_that_does_not_apply_cannot_be_saved_through_htmx(client_for, people, a1):
    i = ids(a1)
    response = htmx(client_for(people.dave), url("fill", a1.pk),
                    {"item": i["GF-01"], f"v-{i['GF-01']}": "true"})
    assert response.status_code == 400
    response = htmx(client_for(people.dave), url("fill", a1.pk), {"item": "abc"})
    assert response.status_code == 400
    assert not a1.responses.exclude(self_value="").exists()


def test_htmx_save_returns_the_item_and_the_progress(client_for, people, a1):
    client = client_for(people.dave)
    client.get(url("fill", a1.pk))
    i = ids(a1)
    # The whole form is posted (htmx includes the enclosing form); only `item` is saved.
    response = htmx(client, url("fill", a1.pk), {
        "item": i["ZB-01"], f"v-{i['ZB-01']}": "true", f"v-{i['ZD-01']}": "90",
    })
    assert response.status_code == 200
    html = response.content.decode()
    # The item's state (never its inputs, which the secretary may be typing in), the
    # progress bar and the dimension's count out of band.
    assert html.lstrip().startswith(f'<div id="state-{i["ZB-01"]}"')
    assert 'data-testid="item-state" data-answered="1"' in html
    assert f'id="state-{i["ZD-01"]}"' not in html and f'name="v-{i["ZB-01"]}"' not in html
    assert 'data-testid="saved"' in html
    assert '<div id="fill-progress" class="sticky-top bg-body border-bottom py-2 mb-2" hx-swap-oob="true"' in html
    assert 'data-answered="1" data-applicable="6"' in html
    dimension = StandardItem.objects.get(pk=i["ZB-01"]).dimension_id
    assert f'id="dimcount-{dimension}"' in html and "1 / 2</span>" in html
    assert "<html" not in html
    assert a1.responses.get(item_id=i["ZB-01"]).self_value == "true"
    assert a1.responses.get(item_id=i["ZD-01"]).self_value == ""


def test_htmx_invalid_value_returns_422_with_the_message(client_for, people, a1):
    client = client_for(people.dave)
    i = ids(a1)
    response = htmx(client, url("fill", a1.pk), {"item": i["ZD-01"], f"v-{i['ZD-01']}": "abc"})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<div id="state-{i["ZD-01"]}"' in html and 'data-testid="item-error"' in html
    assert 'data-testid="saved"' not in html
    assert 'data-answered="0" data-applicable="6"' in html
    assert not a1.responses.exclude(self_value="").exists()


def test_htmx_note_only_save(client_for, people, a1):
    client = client_for(people.dave)
    i = ids(a1)
    response = htmx(client, url("fill", a1.pk), {"item": i["ZD-02"], f"t-{i['ZD-02']}": "文字",
                                                  f"n-{i['ZD-02']}": "备注"})
    assert response.status_code == 200
    r = a1.responses.get(item_id=i["ZD-02"])
    assert (r.self_text, r.self_note) == ("文字", "备注")


# ---------------------------------------------------------------- submit


def test_submit_with_missing_answers_and_evidence_lists_them(client_for, people, a1):
    client = client_for(people.dave)
    client.post(url("fill", a1.pk), {f"v-{ids(a1)['ZB-01']}": "true"})
    response = client.post(url("submit", a1.pk))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="missing"' in html
    missing = html.split('data-testid="missing"', 1)[1].split("</ul>", 1)[0]
    for code in ("ZB-02", "ZS-01", "ZS-02", "ZD-01", "ZD-02"):
        assert code in missing
    assert "ZB-01" not in missing
    assert "ZS-02：缺少佐证材料" in missing or "ZS-02: evidence required" in missing
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.DRAFT and a1.submitted_at is None
    assert not a1.transitions.filter(to_status=AssessmentStatus.SUBMITTED).exists()


def test_submit_without_evidence_only(client_for, people, a1):
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
        ZD_02={"text": "做法"}))
    response = client_for(people.dave).post(url("submit", a1.pk))
    assert response.status_code == 400
    missing = response.content.decode().split('data-testid="missing"', 1)[1].split("</ul>", 1)[0]
    assert missing.count("<li>") == 1 and "ZS-02" in missing


def test_submit_succeeds(client_for, people, a1):
    complete(a1, people.dave)
    response = client_for(people.dave).post(url("submit", a1.pk), follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:my_tasks")
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED
    assert "alert-success" in response.content.decode()


def test_returned_assessment_can_be_refilled_and_resubmitted(client_for, people, a1):
    complete(a1, people.dave)
    services.assessment_submit(assessment=a1, by=people.dave)
    services.assessment_return(assessment=a1, by=people.bob, reason="活动场所面积请核实")
    client = client_for(people.dave)
    tasks = client.get(reverse("assessments:my_tasks")).content.decode()
    assert "活动场所面积请核实" in tasks
    html = client.get(url("fill", a1.pk)).content.decode()
    assert 'data-testid="return-reason"' in html and "活动场所面积请核实" in html
    i = ids(a1)
    assert client.post(url("fill", a1.pk), {f"v-{i['ZD-01']}": "75"}).status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.DRAFT
    # Saved again it is a draft, but the reason stays in sight until it is resubmitted.
    assert "活动场所面积请核实" in client.get(url("fill", a1.pk)).content.decode()
    tasks = client.get(reverse("assessments:my_tasks")).content.decode()
    assert 'data-testid="return-reason"' in tasks and "活动场所面积请核实" in tasks
    assert client.post(url("submit", a1.pk)).status_code == 302
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED and a1.return_reason == ""
    assert a1.responses.get(item_id=i["ZD-01"]).self_value == "75"


# ---------------------------------------------------------------- my tasks


def test_my_tasks_lists_own_assessments_returned_first_overdue_in_red(
    client_for, people, a1, campaign, small_set, county
):
    later = services.campaign_create(
        name="复查", year=2026, standard_set=small_set, organization=county.county,
        by=people.alice, self_check_deadline=timezone.localdate() + timedelta(days=30),
        review_deadline=timezone.localdate() + timedelta(days=40),
    )
    services.campaign_launch(campaign=later, by=people.alice)
    Campaign.objects.filter(pk=campaign.pk).update(
        self_check_deadline=timezone.localdate() - timedelta(days=1)
    )
    later_a1 = later.assessments.get(organization=county.branch_a1)
    complete(later_a1, people.dave)
    services.assessment_submit(assessment=later_a1, by=people.dave)
    services.assessment_return(assessment=later_a1, by=people.bob, reason="请补充照片")

    # Saved again after the return: a draft, still on top with its reason.
    services.assessment_save(assessment=later_a1, by=people.dave,
                             answers=answers_for(later_a1, ZD_01="75"))

    html = client_for(people.dave).get(reverse("assessments:my_tasks")).content.decode()
    tasks = html.split('data-testid="task"')[1:]
    assert len(tasks) == 2
    assert 'data-status="draft"' in tasks[0] and "请补充照片" in tasks[0]
    assert url("fill", later_a1.pk) in tasks[0]
    # The first campaign's deadline has passed.
    assert 'data-testid="overdue"' in tasks[1] and "text-danger" in tasks[1]
    assert 'data-testid="overdue"' not in tasks[0]
    assert 'data-status="not_started"' in tasks[1]
    assert 'data-answered="0" data-applicable="6"' in tasks[1]  # counted before opening
    assert url("fill", a1.pk) in tasks[1]
    # Only dave's own branch.
    assert 'data-org="A2"' not in html and 'data-org="B1"' not in html


def test_my_tasks_submitted_shows_view(client_for, people, a1):
    complete(a1, people.dave)
    services.assessment_submit(assessment=a1, by=people.dave)
    html = client_for(people.dave).get(reverse("assessments:my_tasks")).content.decode()
    assert url("assessment_detail", a1.pk) in html and url("fill", a1.pk) not in html


@pytest.mark.parametrize("who", ["bob", "victor", "charlie", "nobody"])
def test_my_tasks_for_people_who_fill_nothing(client_for, people, campaign, who):
    html = client_for(getattr(people, who)).get(reverse("assessments:my_tasks")).content.decode()
    assert 'data-testid="no-tasks"' in html


def test_my_tasks_progress_counts(client_for, people, a1):
    client = client_for(people.dave)
    i = ids(a1)
    client.post(url("fill", a1.pk), {f"v-{i['ZB-01']}": "true", f"t-{i['ZD-02']}": "写了"})
    html = client.get(reverse("assessments:my_tasks")).content.decode()
    assert 'data-answered="2" data-applicable="6" data-evidence-missing="1"' in html


def _tasks_user_on_town_a(count, county, people, campaign):
    """A secretary over town A (a 联合 secretary of many branches): `count` more branches."""
    add_many_branches(county.town_a, count, prefix="Q")
    services.campaign_launch(campaign=campaign, by=people.alice)
    user = UserFactory(username=f"sec{count}", full_name="片区书记")
    AssignmentFactory(user=user, organization=county.town_a, role=Role.SECRETARY)
    # Half of them opened and partly answered, half never opened.
    for i, a in enumerate(campaign.assessments.filter(organization__path__startswith=county.town_a.path)):
        if i % 2:
            services.assessment_save(assessment=a, by=user, answers=answers_for(a, ZB_01="true"))
    return user


@pytest.mark.parametrize("count", [1, 20])
def test_my_tasks_query_count_does_not_grow(
    client_for, people, county, campaign, django_assert_max_num_queries, count
):
    user = _tasks_user_on_town_a(count, county, people, campaign)
    client = client_for(user)
    # session, user, grants (reused by the header), paginator count, the page of
    # assessments (with organization and campaign), answered/applicable counts, missing
    # evidence counts, the sets' items and their categories (for never-opened ones): 9.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("assessments:my_tasks"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="task"') == min(count + 2, 25)


# ---------------------------------------------------------------- fill page size


def _big_campaign(people, county, n):
    kinds = ["check", "number", "graded", "text"]
    specs = []
    for k in range(n):
        kind = kinds[k % 4]
        extra = {"comparator": ">=", "threshold": Decimal("5"), "unit": "次"} if kind == "number" else {}
        specs.append(std.ItemSpec(
            dimension=f"方面{k % 5}", code=f"K-{k:03d}", requirement=f"要求{k}", kind=kind,
            max_score=Decimal("2"), evidence_required=k % 7 == 0, is_veto=k == 0, **extra))
    standard_set = std.set_create(organization=county.county, code=f"big{n}", name="大体系",
                                  year=2026, by=people.alice)
    std.set_fill(standard_set=standard_set, items=specs, by=people.alice)
    std.set_publish(standard_set=standard_set, by=people.alice)
    standard_set.refresh_from_db()
    campaign = services.campaign_create(
        name=f"大{n}", year=2026, standard_set=standard_set, organization=county.county,
        by=people.alice, self_check_deadline=date(2026, 12, 31), review_deadline=date(2027, 1, 31),
    )
    services.campaign_launch(campaign=campaign, by=people.alice)
    a = campaign.assessments.get(organization=county.branch_a1)
    services.assessment_open(assessment=a, by=people.dave)
    for r in a.responses.all()[:5]:
        add_evidence(a, r.item.code, people.dave)
    return a


@pytest.mark.parametrize("n", [4, 60])
def test_fill_query_count_does_not_grow(
    client_for, people, county, django_assert_max_num_queries, n
):
    a = _big_campaign(people, county, n)
    client = client_for(people.dave)
    # session, user, grants (the header's checks reuse them), the assessment (organization,
    # category, campaign, set), "already opened?" inside assessment_open's savepoint (3),
    # the responses (item, dimension), their evidence: 9.
    with django_assert_max_num_queries(10):  # +1: the prefill providers (meetings: item bindings)
        response = client.get(url("fill", a.pk))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="fill-item"') == n
    i = dict(a.responses.values_list("item__code", "item_id"))
    # An htmx save of one item: the 9 above, then assessment_save (savepoint, the locked
    # assessment, its campaign, "already opened?" in a savepoint (3), the responses, the
    # bulk update, the transition, the set's grade levels for the score, the assessment
    # update, release: 12), then the responses and their evidence read back for the
    # fragment and the progress (2): 23, the same for 4 or 60 items. +2 for the audit trail:
    # the changed answers' history rows (one insert) and the assessment's.
    with django_assert_max_num_queries(26):  # +1: the prefill providers
        response = htmx(client, url("fill", a.pk), {"item": i["K-000"], f"v-{i['K-000']}": "true"})
    assert response.status_code == 200


def test_fill_large_set_saves_all_in_one_post(client_for, people, county):
    a = _big_campaign(people, county, 60)
    data = {}
    for r in a.responses.select_related("item"):
        kind = r.item.kind
        key = f"t-{r.item_id}" if kind == "text" else f"v-{r.item_id}"
        data[key] = {"check": "true", "number": "6", "graded": "好", "text": "答"}[kind]
    response = client_for(people.dave).post(url("fill", a.pk), data)
    assert response.status_code == 302
    assert not ItemResponse.objects.filter(assessment=a, self_value="", item__kind__in=["check", "number", "graded"]).exists()
    a.refresh_from_db()
    assert a.self_score == Decimal("100.00")
    assert Assessment.objects.get(pk=a.pk).status == AssessmentStatus.DRAFT

"""The audit log (/audit/): county staff read who changed what, before → after, in their county.

Scope: county staff see their subtree's records (another county's staff see none of them),
superusers everything; committee staff, secretaries, helpers, viewers and users without a
role get 403, anonymous users the login page.
"""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments import services
from assessments.models import AssessmentStatus, ItemResponse
from orgs.models import Level, Role

from ..assessments.conftest import a1, answers_for, campaign, small_set  # noqa: F401 (fixtures)
from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches

pytestmark = pytest.mark.django_db

LOG, EXPORT = reverse("audit:log"), reverse("audit:export")


@pytest.fixture
def answered(a1, people):  # noqa: F811
    """Dave answers ZB-01 through the service: a bulk update of the answers and a status change."""
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(a1, ZB_01="true"))
    return a1


def _rows(response):
    assert response.status_code == 200
    return response.context["rows"]


def test_a_change_through_a_service_shows_before_and_after(client_for, people, answered):
    rows = _rows(client_for(people.alice).get(LOG, {"model": "assessments.itemresponse"}))
    assert len(rows) == 1  # only the answer that changed, not the blank rows made on opening
    entry = rows[0]
    response = ItemResponse.objects.get(assessment=answered, item__code="ZB-01")
    assert (entry.model_label, entry.object_id, entry.action) == ("assessments.itemresponse", response.pk, "~")
    assert entry.who == people.dave.display_name
    assert entry.org_code == "A1"
    with translation.override("zh-hans"):
        self_value = str(ItemResponse._meta.get_field("self_value").verbose_name)
    assert [(c.field, c.before, c.after) for c in entry.changes] == [(self_value, "—", "true")]

    rows = _rows(client_for(people.alice).get(LOG, {"model": "assessments.assessment"}))
    # Newest first: dave's change, then the "+" the launch recorded for alice.
    assert [(e.action, e.who) for e in rows if e.object_id == answered.pk] == [
        ("~", people.dave.display_name), ("+", people.alice.display_name)]
    with translation.override("zh-hans"):
        status = (str(AssessmentStatus.NOT_STARTED.label), str(AssessmentStatus.DRAFT.label))
    change = {c.field: (c.before, c.after) for c in rows[0].changes}
    assert status in change.values()


def test_the_reviewer_bulk_path_is_recorded_with_the_reviewer(client_for, people, answered):
    answers = answers_for(answered, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true",
                          ZD_01="80", ZD_02={"text": "有制度"})
    services.assessment_save(assessment=answered, by=people.dave, answers=answers)
    response = ItemResponse.objects.get(assessment=answered, item__code="ZS-02")
    from assessments.models import Evidence

    Evidence.objects.create(response=response, file="evidence/x", original_name="x.pdf",
                            content_type="application/pdf", size=1, sha256="0" * 64,
                            uploaded_by=people.dave)
    services.assessment_submit(assessment=answered, by=people.dave)
    services.reviewer_save(assessment=answered, by=people.bob,
                           values=answers_for(answered, ZB_01={"value": "false", "note": "无记录"}))
    rows = _rows(client_for(people.alice).get(LOG, {"model": "assessments.itemresponse", "user": "bob"}))
    assert len(rows) == 1 and rows[0].who == people.bob.display_name
    changes = {c.before + "→" + c.after for c in rows[0].changes}
    assert "—→false" in changes and "—→无记录" in changes


def test_filters_by_organization_date_and_user(client_for, people, answered, county):
    client = client_for(people.alice)
    everything = client.get(LOG).context["page_obj"].paginator.count
    in_a1 = client.get(LOG, {"org": "A1"}).context["page_obj"].paginator.count
    in_b = client.get(LOG, {"org": "B"}).context["page_obj"].paginator.count
    assert 0 < in_a1 < everything and 0 < in_b < everything
    assert client.get(LOG, {"date_from": "2000-01-01", "date_to": "2000-01-02"}).context[
        "page_obj"].paginator.count == 0
    # A bad value is named next to the form and ignored, never a 500.
    response = client.get(LOG, {"org": "NOPE", "user": "ghost", "date_from": "2026-13-45"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="filter-errors"' in content
    assert response.context["page_obj"].paginator.count == everything


@pytest.mark.parametrize("persona", ["bob", "dave", "harry", "victor", "nobody"])
def test_other_roles_are_refused(client_for, people, persona):
    client = client_for(getattr(people, persona))
    assert client.get(LOG).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_anonymous_users_go_to_the_login_page(client):
    for url in (LOG, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_county_staff_of_another_county_see_none_of_ours(client, people, answered):
    other = OrganizationFactory(code="X", name="外县县委", level=Level.COUNTY, category=None)
    outsider = UserFactory(username="xavier", full_name="外县 组织部")
    AssignmentFactory(user=outsider, organization=other, role=Role.COUNTY_STAFF)
    client.force_login(outsider)
    codes = {e.org_code for e in _rows(client.get(LOG))}
    assert codes <= {"X"}  # their own county's records only (its creation and the role)
    # Our branch is "not found" for them, as one that does not exist: the filter is ignored.
    response = client.get(LOG, {"org": "A1"})
    assert "filter-errors" in response.content.decode()
    assert {e.org_code for e in _rows(response)} <= {"X"}
    # The superuser sees both counties.
    client.force_login(people.root)
    assert _rows(client.get(LOG, {"org": "A1"}))
    assert _rows(client.get(LOG, {"org": "X"}))


def test_the_export_reads_back(client_for, people, answered):
    response = client_for(people.alice).get(EXPORT, {"model": "assessments.itemresponse"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "操作日志"
    assert rows[2] == ["时间", "操作人", "对象", "编号", "党组织代码", "党组织", "操作", "字段", "修改前", "修改后"]
    assert [r[1:5] + r[6:] for r in rows[3:]] == [
        [people.dave.display_name, rows[3][2], rows[3][3], "A1", "修改", rows[3][7], "—", "true"]]


@pytest.mark.parametrize("n", [3, 80])
def test_query_count_is_flat(client_for, people, county, small_set, n, django_assert_max_num_queries):  # noqa: F811
    add_many_branches(county.town_a, n)
    campaign = services.campaign_create(  # noqa: F811
        name="大", year=2026, standard_set=small_set, organization=county.county, by=people.alice)
    services.campaign_launch(campaign=campaign, by=people.alice)
    for a in campaign.assessments.all()[:3]:
        services.assessment_save(assessment=a, by=people.alice, answers=answers_for(a, ZB_01="true"))
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4 the count, 5 the page (one UNION each); per model on the
    # page 2 (its records with the previous one's id, the previous records); 2 the names of
    # the people and organizations in the changes. Bounded by the number of audited models,
    # never by the rows: 14 at n=3 (organizations, roles, campaign, assessments, answers
    # on the page), 11 at n=80 (fewer models on the newest page); 19 allows 6 models.
    with django_assert_max_num_queries(19):
        response = client.get(LOG)
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(50, response.context["page_obj"].paginator.count)
    with django_assert_max_num_queries(19):
        assert client.get(LOG, {"page": 2}).status_code == 200

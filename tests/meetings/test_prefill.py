"""A number item bound to a meeting type is answered from the log in the self-check.

The small set of tests/assessments/conftest.py (ZS-01: a number item, ≥ 12 次/年), its
campaign (year 2026, self-check deadline 2026-04-20), ZS-01 bound to 主题党日, and
meetings logged for A1 (dave's branch) with tests/meetings/conftest.log.
"""

from datetime import date

import pytest
from django.urls import reverse

from assessments import prefill
from assessments import services as assessments
from meetings.models import ItemBinding
from meetings.prefill import log_counts

from ..assessments import conftest as assessment_fixtures
from ..assessments.conftest import answers_for
from ..assessments.review_helpers import submit
from .conftest import log

pytestmark = pytest.mark.django_db

# The fixtures of tests/assessments/conftest.py: the small set and its launched campaign.
small_set = assessment_fixtures.small_set
campaign = assessment_fixtures.campaign


@pytest.fixture(autouse=True)
def provider():
    """The meeting log's provider, as MeetingsConfig.ready() registers it; removed after
    unless it was registered before."""
    had = log_counts in prefill._PROVIDERS
    prefill.register(log_counts)
    yield log_counts
    if not had:
        prefill.unregister(log_counts)


@pytest.fixture
def a1(campaign, county):
    return campaign.assessments.get(organization=county.branch_a1)


@pytest.fixture
def bound(small_set, library):
    item = small_set.items.get(code="ZS-01")
    return ItemBinding.objects.create(item=item, meeting_type=library["theme_day"])


@pytest.fixture
def meetings(bound, library, county, people):
    """Three 主题党日 of A1 that count, and five meetings that must not."""
    theme = library["theme_day"]
    counted = [
        log(county.branch_a1, theme, date(2026, 1, 15), people.dave, topic="一月主题党日"),
        log(county.branch_a1, theme, date(2026, 3, 10), people.dave, topic="三月主题党日"),
        log(county.branch_a1, theme, date(2026, 4, 20), people.dave, topic="四月主题党日"),
    ]
    log(county.branch_b1, theme, date(2026, 2, 10), people.alice)  # another branch
    log(county.branch_a2, theme, date(2026, 2, 10), people.erin)  # the sibling branch
    log(county.branch_a1, theme, date(2025, 12, 20), people.dave)  # last year
    log(county.branch_a1, theme, date(2026, 4, 21), people.dave)  # after the deadline
    log(county.branch_a1, library["branch_committee"], date(2026, 2, 3), people.dave)  # other type
    return counted


def fill_url(assessment):
    return reverse("assessments:fill", args=[assessment.pk])


def row(response, code):
    return next(r for r in response.context["responses"] if r.item.code == code)


def detail_urls(meetings):
    return [reverse("meetings:meeting_detail", args=[m.pk]) for m in meetings]


# ---------------------------------------------------------------- the provider


def test_the_count_covers_the_campaign_year_up_to_the_deadline(a1, meetings, bound):
    found = prefill.values_for(a1, list(a1.campaign.standard_set.items.all()))
    assert set(found) == {bound.item_id}
    answer = found[bound.item_id]
    assert answer.value == "3"
    assert [url for _, url in answer.links] == detail_urls(meetings)
    assert answer.links[0][0] == "2026-01-15 一月主题党日"
    assert "2026-01-01" in answer.note and "2026-04-20" in answer.note


def test_no_meeting_yet_is_a_count_of_zero(a1, bound):
    found = prefill.values_for(a1, [bound.item])
    assert found[bound.item_id].value == "0" and found[bound.item_id].links == []


def test_unbound_and_other_kinds_of_items_get_nothing(a1, small_set, library, django_assert_num_queries):
    items = list(small_set.items.all())
    a1 = type(a1).objects.select_related("organization", "campaign").get(pk=a1.pk)
    with django_assert_num_queries(1):  # the bindings: none
        assert prefill.values_for(a1, items) == {}
    checks = [i for i in items if i.kind != "number"]
    with django_assert_num_queries(0):  # no number item: nothing asked
        assert prefill.values_for(a1, checks) == {}


def test_without_a_provider_nothing_is_prefilled(a1, meetings, bound, provider):
    prefill.unregister(provider)
    try:
        assert prefill.values_for(a1, [bound.item]) == {}
    finally:
        prefill.register(provider)


def test_differs_compares_numbers():
    answer = prefill.Prefill(value="3")
    assert not prefill.differs(answer, "3.0")
    assert not prefill.differs(answer, "")
    assert prefill.differs(answer, "4")
    assert not prefill.differs(None, "4")


# ---------------------------------------------------------------- the fill page


def test_fill_page_shows_the_count_prefilled_with_links(client_for, a1, meetings, people):
    response = client_for(people.dave).get(fill_url(a1))
    assert response.status_code == 200
    r = row(response, "ZS-01")
    assert r.prefill.value == "3" and r.prefilled and r.shown_value == "3"
    html = response.content.decode()
    assert f'name="v-{r.item_id}" id="v-{r.item_id}" value="3"' in html
    for url in detail_urls(meetings):
        assert f'href="{url}" data-testid="prefill-link"' in html
    assert 'data-testid="prefilled"' in html  # shown, not yet saved
    # Nothing is stored by looking at the page.
    assert a1.responses.get(item_id=r.item_id).self_value == ""
    # The item that is not bound is left empty.
    assert row(response, "ZD-01").prefill is None and row(response, "ZD-01").shown_value == ""


def test_saving_the_draft_keeps_the_prefilled_count(client_for, a1, meetings, people):
    client = client_for(people.dave)
    r = row(client.get(fill_url(a1)), "ZS-01")
    response = client.post(fill_url(a1), {f"v-{r.item_id}": "3", f"n-{r.item_id}": ""})
    assert response.status_code == 302
    assert a1.responses.get(item_id=r.item_id).self_value == "3"
    page = client.get(fill_url(a1))
    assert not row(page, "ZS-01").prefilled and 'data-testid="log-differences"' not in page.content.decode()


def test_a_saved_value_is_never_overwritten(client_for, a1, meetings, people):
    assessments.assessment_save(assessment=a1, by=people.dave, answers=answers_for(a1, ZS_01="5"))
    response = client_for(people.dave).get(fill_url(a1))
    r = row(response, "ZS-01")
    assert r.shown_value == "5" and not r.prefilled and r.prefill.value == "3"
    html = response.content.decode()
    assert f'id="v-{r.item_id}" value="5"' in html
    # 5 is not what the log says and there is no note: a warning, not a refusal.
    assert r.prefill_differs
    assert 'data-testid="log-differences"' in html and 'data-testid="prefill-differs"' in html
    assert a1.responses.get(item_id=r.item_id).self_value == "5"


def test_a_note_explaining_the_difference_clears_the_warning(client_for, a1, meetings, people):
    item_id = a1.campaign.standard_set.items.get(code="ZS-01").pk
    assessments.assessment_save(assessment=a1, by=people.dave, answers={
        item_id: {"value": "4", "note": "4月23日补开一次，会议记录在镇党委"}})
    response = client_for(people.dave).get(fill_url(a1))
    assert not row(response, "ZS-01").prefill_differs
    assert 'data-testid="log-differences"' not in response.content.decode()


def test_an_htmx_save_of_another_number_warns_in_the_item(client_for, a1, meetings, people):
    client = client_for(people.dave)
    item_id = a1.campaign.standard_set.items.get(code="ZS-01").pk
    response = client.post(fill_url(a1), {"item": item_id, f"v-{item_id}": "7", f"n-{item_id}": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="prefill-differs"' in html and 'data-testid="saved"' in html
    assert a1.responses.get(item_id=item_id).self_value == "7"


def test_a_refused_save_shows_what_was_typed_not_the_count(client_for, a1, meetings, people):
    client = client_for(people.dave)
    items = {i.code: i.pk for i in a1.campaign.standard_set.items.all()}
    response = client.post(fill_url(a1), {f"v-{items['ZS-01']}": "", f"v-{items['ZD-01']}": "abc"})
    assert response.status_code == 400
    r = row(response, "ZS-01")
    assert r.shown_value == "" and not r.prefilled


def test_submit_is_not_refused_for_a_difference(a1, meetings, people):
    a1 = submit(a1, people.dave, ZS_01="6")  # review_helpers fills every item; no note
    assert a1.status == "submitted"


def test_other_branches_see_their_own_count(client_for, campaign, meetings, people, county):
    a2 = campaign.assessments.get(organization=county.branch_a2)
    response = client_for(people.erin).get(fill_url(a2))
    r = row(response, "ZS-01")
    assert r.prefill.value == "1" and r.shown_value == "1"


# ---------------------------------------------------------------- the review page


def test_the_review_page_shows_both_values(client_for, a1, meetings, people):
    a1 = submit(a1, people.dave, ZS_01="6")
    response = client_for(people.bob).get(reverse("assessments:review", args=[a1.pk]))
    assert response.status_code == 200
    zs = next(r for r in response.context["page"].rows if r.item.code == "ZS-01")
    assert zs.response.self_value == "6" and zs.prefill.value == "3" and zs.prefill_differs
    html = response.content.decode()
    assert 'data-testid="prefill-value">3<' in html
    for url in detail_urls(meetings):
        assert f'href="{url}"' in html
    others = [r for r in response.context["page"].rows if r.item.code != "ZS-01"]
    assert all(r.prefill is None for r in others)


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize("n", [5, 60])
def test_fill_page_queries_do_not_grow_with_the_log(client_for, a1, bound, library, people, county,
                                                     django_assert_max_num_queries, n):
    theme = library["theme_day"]
    for k in range(n):
        log(county.branch_a1, theme, date(2026, 1 + k % 4, 1 + k % 20), people.dave)
    assessments.assessment_open(assessment=a1, by=people.dave)
    client = client_for(people.dave)
    # session, user, grants, the assessment (organization, category, campaign, set),
    # "already opened?" in assessment_open's savepoint (3), the responses (item,
    # dimension), their evidence: the 9 of the page without a log; then the log's
    # provider, called once: the bindings (with their types), the meetings: 11.
    with django_assert_max_num_queries(11):
        response = client.get(fill_url(a1))
    assert response.status_code == 200
    assert row(response, "ZS-01").prefill.value == str(n)


@pytest.mark.parametrize("n", [5, 60])
def test_review_page_queries_do_not_grow_with_the_log(client_for, a1, bound, library, people, county,
                                                       django_assert_max_num_queries, n):
    theme = library["theme_day"]
    for k in range(n):
        log(county.branch_a1, theme, date(2026, 1 + k % 4, 1 + k % 20), people.dave)
    a1 = submit(a1, people.dave)
    client = client_for(people.bob)
    # The review page's 8 (tests/assessments/test_review.py), then the bindings and the
    # meetings: 10.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("assessments:review", args=[a1.pk]))
    assert response.status_code == 200

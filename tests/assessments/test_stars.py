"""摘牌降星 and the organization page's panel of grades and stars."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import StarAction, StarRating
from assessments.panels import assessment_panel
from orgs.models import Level, Role

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory
from .review_helpers import accept, campaign_with_items

pytestmark = pytest.mark.django_db


def revoke_url(org):
    return reverse("assessments:star_revoke", args=[org.pk])


@pytest.fixture
def starred(a1, people):
    """A1 accepted with 3 stars (see test_services_smoke for the arithmetic)."""
    return accept(a1, people, ZS_01="6", ZD_02="5")


def test_revoke_takes_stars_away_with_a_reason(client_for, starred, people, county):
    assert starred.stars == 3
    client = client_for(people.alice)
    page = client.get(revoke_url(county.branch_a1))
    assert page.status_code == 200
    assert page.context["form"]["stars"].value() == 2  # one less by default
    assert [value for value, _label in page.context["form"].fields["stars"].choices] == [2, 1, 0]

    # No reason: refused, nothing recorded.
    response = client.post(revoke_url(county.branch_a1), {"stars": "2", "reason": "  "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    # Not below the current rating: refused.
    response = client.post(revoke_url(county.branch_a1), {"stars": "3", "reason": "暗访发现问题"})
    assert response.status_code == 400 and "stars" in response.context["form"].errors
    assert StarRating.objects.filter(organization=county.branch_a1).count() == 1

    response = client.post(revoke_url(county.branch_a1), {"stars": "1", "reason": "暗访发现问题"})
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[county.branch_a1.pk])
    latest = StarRating.objects.filter(organization=county.branch_a1).first()
    assert (latest.stars, latest.action, latest.reason, latest.by) == (
        1, StarAction.REVOKED, "暗访发现问题", people.alice)
    assert services.current_stars(county.branch_a1) == 1

    # The organization page shows the history: awarded, then taken away, by whom, why.
    body = client.get(reverse("orgs:detail", args=[county.branch_a1.pk])).content.decode()
    assert 'data-stars="1"' in body and "★☆☆☆☆" in body
    assert body.count('data-testid="star-row"') == 2
    assert 'data-action="revoked"' in body and 'data-action="awarded"' in body
    assert "暗访发现问题" in body and people.alice.full_name in body
    assert reverse("assessments:assessment_detail", args=[starred.pk]) in body

    # Down to none is allowed too; then there is nothing left to take.
    assert client.post(revoke_url(county.branch_a1), {"stars": "0", "reason": "整改不力"}).status_code == 302
    assert services.current_stars(county.branch_a1) == 0
    page = client.get(revoke_url(county.branch_a1))
    assert page.status_code == 200 and 'data-testid="no-stars"' in page.content.decode()
    response = client.post(revoke_url(county.branch_a1), {"stars": "0", "reason": "再降"})
    assert response.status_code == 400
    assert StarRating.objects.filter(organization=county.branch_a1).count() == 3


def test_no_stars_to_take(client_for, campaign, people, county):
    client = client_for(people.alice)
    page = client.get(revoke_url(county.branch_a2))
    assert page.status_code == 200 and 'data-testid="no-stars"' in page.content.decode()
    assert client.post(revoke_url(county.branch_a2), {"stars": "0", "reason": "x"}).status_code == 400
    assert not StarRating.objects.exists()


def test_revoke_anonymous_goes_to_login(client, county):
    response = client.get(revoke_url(county.branch_a1))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["charlie", "erin", "harry", "nobody", "zed"])
def test_revoke_outside_the_scope_is_404(client_for, starred, people, county, who):
    if who == "zed":
        root = OrganizationFactory(code="Z", name="邻县县委", level=Level.COUNTY, category=None)
        user = UserFactory(username="zed")
        AssignmentFactory(user=user, organization=root, role=Role.COUNTY_STAFF)
    else:
        user = getattr(people, who)
    client = client_for(user)
    assert client.get(revoke_url(county.branch_a1)).status_code == 404
    assert client.post(revoke_url(county.branch_a1), {"stars": "1", "reason": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["bob", "victor", "dave"])
def test_only_county_staff_may_revoke(client_for, starred, people, county, who):
    client = client_for(getattr(people, who))
    assert client.get(revoke_url(county.branch_a1)).status_code == 403
    assert client.post(revoke_url(county.branch_a1), {"stars": "1", "reason": "x"}).status_code == 403
    assert services.current_stars(county.branch_a1) == 3
    # ...and the organization page offers them no button.
    body = client.get(reverse("orgs:detail", args=[county.branch_a1.pk])).content.decode()
    assert 'data-testid="assessment-panel"' in body and 'data-testid="star-revoke"' not in body


def test_county_staff_see_the_button(client_for, starred, people, county):
    body = client_for(people.alice).get(reverse("orgs:detail", args=[county.branch_a1.pk])).content.decode()
    assert revoke_url(county.branch_a1) in body


def test_panel_lists_assessments_per_campaign(client_for, campaign, a1, people, county):
    page = client_for(people.dave).get(reverse("orgs:detail", args=[county.branch_a1.pk]))
    body = page.content.decode()
    # Launched, not started: the campaign is listed; no rating yet.
    assert body.count('data-testid="panel-assessment"') == 1 and 'data-stars=""' in body
    assert reverse("assessments:assessment_detail", args=[a1.pk]) in body
    # The county committee itself is not assessed and has no stars: no panel.
    body = client_for(people.alice).get(reverse("orgs:detail", args=[county.county.pk])).content.decode()
    assert 'data-testid="assessment-panel"' not in body


@pytest.fixture(params=[1, 30], ids=lambda n: f"{n}ratings")
def history(request, starred, people, county):
    """A1 with `n` rows of star history and two campaigns."""
    campaign_with_items(county, people, 3, code="second")
    for i in range(request.param - 1):
        StarRating.objects.create(organization=county.branch_a1, stars=i % 6, by=people.alice,
                                  action=StarAction.REVOKED, reason=f"第{i}次", assessment=starred)
    return county


def test_panel_queries(rf, history, people, django_assert_max_num_queries):
    request = rf.get("/")
    request.user = people.alice
    # 1 the star history with users and assessments' campaigns; 2 the latest
    # assessments with their campaigns; 3 the user's grants (cached on a real request).
    with django_assert_max_num_queries(3):
        template, context = assessment_panel(request, history.branch_a1)
    assert len(context["assessments"]) == 2 and context["history"]


def test_org_page_with_panel_queries(client_for, history, people, django_assert_max_num_queries):
    client = client_for(people.alice)
    # The organization page's twelve (tests/orgs/test_org_queries.py) and the panel's
    # two: 13 the star history with users and assessments, 14 the latest assessments;
    # 15-16 the rectification panel's open tasks and latest problems; 17-18 the meeting
    # log panel's rules and counts (funding's costs nothing here: no allocations).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("orgs:detail", args=[history.branch_a1.pk]))
    assert response.status_code == 200
    assert 'data-testid="assessment-panel"' in response.content.decode()

"""The campaign page and its results export cost the same number of queries whoever
reads them (issue 10): a reader whose scope lies below the committee level gets the
progress table's row names from the grouped query itself, and the export always
reads the reader's scope roots in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import CampaignStatus
from orgs.models import Role

from ..factories import AssignmentFactory, UserFactory
from .campaign_builders import grow, spread_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(people, county):
    """County staff, a committee's staff, and a viewer of one branch: a scope below the
    committee level, as a committee's is in a city's tree (city → county → committee)."""
    branch_viewer = UserFactory(username="branch_viewer")
    AssignmentFactory(user=branch_viewer, organization=county.branch_a1, role=Role.VIEWER)
    return {"alice": people.alice, "bob": people.bob, "branch_viewer": branch_viewer}


@pytest.fixture(params=[20, 300], ids=lambda n: f"{n}orgs")
def big(request, campaign, county, django_capture_on_commit_callbacks):
    grow(county, request.param)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(campaign=campaign, by=campaign.created_by)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    spread_statuses(campaign)
    return campaign


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["campaign_detail", "campaign_export"])
def test_the_same_queries_at_every_scope(client_for, readers, big, name):
    url = reverse(f"assessments:{name}", args=[big.pk])
    counts = {who: queries(client_for(user), url) for who, user in readers.items()}
    assert len(set(counts.values())) == 1, counts


def test_a_branch_readers_progress_row_is_named_after_the_committee(client_for, readers, big,
                                                                    county):
    response = client_for(readers["branch_viewer"]).get(reverse("assessments:campaign_detail", args=[big.pk]))
    rows = response.context["by_committee"]
    assert [(row.name, row.linked, row.key) for row in rows] == [(county.town_a.name, False, "")]

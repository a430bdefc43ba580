"""Over settings.EXPORT_SYNC_MAX_ROWS the campaign results export is a background job (the
exports app) whose file holds the rows of the immediate download."""

import pytest
from django.urls import reverse

from tests.exports.helpers import assert_same_export, direct_and_background

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, params", [("alice", {}), ("bob", {"status": "not_started"})])
def test_background_file_holds_the_same_rows(client_for, people, campaign, settings,
                                             django_capture_on_commit_callbacks, who, params):
    direct, background = direct_and_background(
        client_for(getattr(people, who)), settings, django_capture_on_commit_callbacks,
        reverse("assessments:campaign_export", args=[campaign.pk]), params,
    )
    assert_same_export(direct, background)
    assert [r[0] for r in direct.rows] == (["A1", "A2", "B1"] if who == "alice" else ["A1", "A2"])


def test_another_campaign_pk_in_the_query_changes_nothing(client_for, people, campaign, settings,
                                                          django_capture_on_commit_callbacks):
    from exports.models import ExportJob

    settings.EXPORT_SYNC_MAX_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        client_for(people.alice).get(
            reverse("assessments:campaign_export", args=[campaign.pk]), {"campaign": "999999"})
    assert ExportJob.objects.get().params()["campaign"] == str(campaign.pk)

"""Over settings.EXPORT_SYNC_MAX_ROWS the organization export is a background job (the
exports app) whose file holds the rows of the immediate download."""

import pytest
from django.urls import reverse

from tests.exports.helpers import assert_same_export, direct_and_background

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params", [{}, {"level": "branch"}])
def test_background_file_holds_the_same_rows(client_for, people, county, settings,
                                             django_capture_on_commit_callbacks, params):
    direct, background = direct_and_background(
        client_for(people.bob), settings, django_capture_on_commit_callbacks,
        reverse("orgs:export"), params,
    )
    assert_same_export(direct, background)
    assert [r[0] for r in direct.rows] == (["A", "A1", "A2"] if not params else ["A1", "A2"])
    # The parent outside the export (the county; town A, filtered out) is still named.
    assert direct.rows[0][2] == ("C" if not params else "A")


def test_a_root_that_left_the_scope_fails_the_job(client_for, people, county, settings,
                                                  django_capture_on_commit_callbacks):
    from exports.models import ExportJob, ExportStatus
    from orgs.models import Assignment

    settings.EXPORT_SYNC_MAX_ROWS = 0
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(people.bob).get(reverse("orgs:export"),
                                              {"root": county.branch_a1.pk})
    assert response.status_code == 302
    Assignment.objects.filter(user=people.bob).delete()
    callbacks[0]()
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED and job.error and not job.file

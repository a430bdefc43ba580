"""Over settings.EXPORT_SYNC_MAX_ROWS the problem, task and responsibility lists are
background jobs (the exports app) whose files hold the rows of the immediate download."""

import pytest
from django.urls import reverse

from exports.models import ExportJob, ExportStatus
from orgs.models import Assignment
from tests.exports.helpers import assert_same_export, direct_and_background

from .lists_data import board_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, params", [
    ("problem_export", {}),
    ("problem_export", {"severity": "high"}),
    ("task_export", {"view": "tasks", "sort": "org"}),
    ("task_export", {"view": "person"}),
])
def test_background_file_holds_the_same_rows(client_for, people, board, settings,
                                             django_capture_on_commit_callbacks, name, params):
    direct, background = direct_and_background(
        client_for(people.alice), settings, django_capture_on_commit_callbacks,
        reverse(f"rectification:{name}"), params,
    )
    assert_same_export(direct, background)


def test_a_bad_view_is_a_400_not_a_job(client_for, people, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    response = client_for(people.alice).get(reverse("rectification:task_export"), {"view": "x"})
    assert response.status_code == 400
    assert not ExportJob.objects.exists()


def test_a_user_who_lost_their_role_before_the_worker_ran(client_for, people, board, settings,
                                                           django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(people.bob).get(reverse("rectification:problem_export"))
    assert response.status_code == 302
    Assignment.objects.filter(user=people.bob).delete()
    callbacks[0]()
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED and not job.file
    assert "role" in job.error or "角色" in job.error

"""Over settings.EXPORT_SYNC_MAX_ROWS the meeting log export is a background job (the
exports app) whose file holds the rows of the immediate download."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.exports.helpers import assert_same_export, direct_and_background

from .conftest import log

pytestmark = pytest.mark.django_db


def test_background_file_holds_the_same_rows(client_for, people, county, library, settings,
                                             django_capture_on_commit_callbacks):
    today = timezone.localdate()
    for i in range(1, 6):
        log(county.branch_a1, library["theme_day"], today - timedelta(days=i), people.dave,
            topic=f"第{i}次主题党日")
    log(county.branch_b1, library["branch_committee"], today - timedelta(days=2), people.alice)
    direct, background = direct_and_background(
        client_for(people.bob), settings, django_capture_on_commit_callbacks,
        reverse("meetings:meeting_export"), {},
    )
    assert_same_export(direct, background)
    assert len(direct.rows) == 5  # bob's scope: town A only

"""Over settings.EXPORT_SYNC_MAX_ROWS the ledger and payment exports are background jobs
(the exports app) whose files hold the rows, and the 合计 row, of the immediate download."""

import pytest
from django.urls import reverse

from tests.exports.helpers import assert_same_export, direct_and_background

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["ledger_export", "disbursement_export"])
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_background_file_holds_the_same_rows(client_for, people, paid, settings,
                                             django_capture_on_commit_callbacks, name, who):
    direct, background = direct_and_background(
        client_for(getattr(people, who)), settings, django_capture_on_commit_callbacks,
        reverse(f"funding:{name}"), {"year": YEAR},
    )
    assert_same_export(direct, background)
    assert direct.rows[-1][0] == "合计"

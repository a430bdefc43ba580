"""The shipped meeting library on the test county, and a helper to log meetings."""

from datetime import date

import pytest

from meetings import services
from meetings.models import MeetingType


@pytest.fixture
def library(county, people):
    services.load_library(county=county.county, by=people.alice)
    return {t.code: t for t in MeetingType.objects.filter(owner=county.county)}


def log(org, meeting_type, held_on, by, **extra):
    return services.meeting_record(organization=org, by=by, meeting_type=meeting_type,
                                   held_on=held_on, topic=extra.pop("topic", "学习贯彻"),
                                   due=extra.pop("due", 12), present=extra.pop("present", 11),
                                   **extra)


TODAY = date(2026, 11, 22)

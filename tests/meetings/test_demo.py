"""The demo county's meeting log: loaded fast, named gaps, nothing added twice."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from meetings.compliance import compliance
from meetings.demo import load_demo_meetings
from meetings.models import ItemBinding, Meeting, MeetingRule, MeetingType
from meetings.reminders import overdue_branches
from orgs.models import BRANCH_LEVELS, Organization
from standards.models import StandardItem

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def load_demo_without_meetings(monkeypatch):
    """load_demo logs the demo meetings itself; these tests run the loader themselves."""
    from meetings.demo import DemoMeetings

    monkeypatch.setattr("demo.management.commands.load_demo.load_demo_meetings",
                        lambda **kwargs: DemoMeetings())


@pytest.fixture
def demo():
    call_command("load_demo", "--without-campaign", verbosity=0)
    admin = get_user_model().objects.get(username="admin")
    root = Organization.objects.get(code="QH")
    started = time.monotonic()
    result = load_demo_meetings(root=root, by=admin, today=TODAY)
    return root, admin, result, time.monotonic() - started


def test_the_demo_log(demo):
    root, admin, result, seconds = demo
    assert seconds < 5
    assert (result.types, result.rules, result.committees) == (7, 7, 4)
    assert result.meetings == Meeting.objects.count() > 1000
    assert result.gap == "2026年7月 支部委员会"
    assert MeetingType.objects.filter(owner=root).count() == 7 == MeetingRule.objects.count()
    # Nothing in the future, nothing before a branch was founded, present never above due.
    assert not Meeting.objects.filter(held_on__gt=TODAY).exists()
    for m in Meeting.objects.select_related("organization").iterator():
        assert m.present <= m.due
        assert m.organization.founded_on is None or m.held_on >= m.organization.founded_on
    # The demo secretary's branch is missing exactly last July's 支委会, and records its own log.
    secretary = get_user_model().objects.get(username="secretary")
    mine = Organization.objects.get(code="QH02-002")
    statuses = compliance([mine], 2026, TODAY)[mine.pk]
    missing = [(s.rule.meeting_type.code, p.period.label) for s in statuses for p in s.missing]
    assert missing == [("branch_committee", "2026年7月")]
    assert set(Meeting.objects.filter(organization=mine).values_list("recorded_by", flat=True)) \
        == {secretary.pk}
    assert Meeting.objects.filter(organization=mine).first().history.first().history_user == secretary
    # 东坝镇 keeps every rule elsewhere; the other committees have gaps.
    dongba = Organization.objects.get(code="QH02")
    branches = list(Organization.objects.filter(path__startswith=dongba.path, level__in=BRANCH_LEVELS,
                                                is_active=True))
    table = compliance(branches, 2026, TODAY)
    assert all(not s.missing for b in branches if b != mine for s in table[b.pk])
    others = list(Organization.objects.filter(level__in=BRANCH_LEVELS, is_active=True,
                                              code__regex=r"^QH0[138]-"))
    table = compliance(others, 2026, TODAY)
    assert sum(len(s.missing) for statuses in table.values() for s in statuses) > 10
    assert Meeting.objects.filter(organization__code__startswith="QH05").count() == 0
    # Some branches have not held November's 主题党日 yet (the reminder's work), none in 东坝镇.
    late = [b.code for b, _minimum, _held in overdue_branches(TODAY)]
    assert late and not any(code.startswith("QH02") for code in late)
    # The 五化 set's 主题党日 item is answered from the log.
    item = StandardItem.objects.get(standard_set__code="wuhua", code="WH2-TY-05")
    assert ItemBinding.objects.get(item=item).meeting_type.code == "theme_day"


def test_a_rerun_adds_nothing(demo):
    root, admin, result, _seconds = demo
    before = (Meeting.objects.count(), ItemBinding.objects.count(), MeetingRule.objects.count(),
              Meeting.history.count())
    again = load_demo_meetings(root=root, by=admin, today=TODAY)
    assert (again.types, again.rules, again.meetings, again.bindings) == (0, 0, 0, 0)
    assert not again.created and result.created
    assert (Meeting.objects.count(), ItemBinding.objects.count(), MeetingRule.objects.count(),
            Meeting.history.count()) == before
    assert again.gap == result.gap

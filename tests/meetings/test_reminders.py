"""The meeting log in supervision's jobs: the 主题党日 reminder from the 20th (the branches
that have not held this month's), and the 组织生活 section of the monthly dispatch."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import dispatch as meeting_dispatch
from meetings import reminders as meeting_reminders
from meetings.models import MeetingRule
from supervision import dispatch, reminders
from supervision import services as jobs
from supervision.models import Dispatch, Job, Notification, NotificationKind
from tests.factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches

from .conftest import log

pytestmark = pytest.mark.django_db
NOV = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def collector(monkeypatch):
    # As MeetingsConfig.ready() does; on a copy, so no other test sees it twice.
    monkeypatch.setattr(reminders, "COLLECTORS", list(reminders.COLLECTORS))
    meeting_reminders.register()
    meeting_reminders.register()  # twice is once
    assert reminders.COLLECTORS.count(meeting_reminders.theme_day_reminders) == 1


def theme_day(day):
    return [r for r in reminders.collect(day) if r.kind == NotificationKind.MEETING_DUE]


def test_nothing_before_the_20th(library, people):
    assert theme_day(date(2026, 11, 19)) == []
    jobs.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 19))
    assert not Notification.objects.filter(kind=NotificationKind.MEETING_DUE).exists()


def test_from_the_20th_the_branches_without_one(library, county, people):
    log(county.branch_a1, library["theme_day"], date(2026, 11, 6), people.dave)
    log(county.branch_a2, library["branch_committee"], date(2026, 11, 6), people.erin)  # not one
    log(county.branch_a2, library["theme_day"], date(2026, 10, 30), people.erin)  # last month's
    found = theme_day(date(2026, 11, 20))
    assert [(r.user_id, r.key) for r in found] == [
        (people.erin.pk, f"meeting_due:theme_day:{county.branch_a2.pk}:2026-11")]
    reminder = found[0]
    assert reminder.url == f"{reverse('meetings:meeting_create')}?org={county.branch_a2.pk}"
    assert county.branch_a2.name in reminder.title and reminder.body
    # B1 has no secretary login: it is late too, but nobody hears of it.
    assert [b.code for b, _minimum, _held in meeting_reminders.overdue_branches(date(2026, 11, 20))] \
        == ["A2", "B1"]
    assert theme_day(date(2026, 11, 30))  # until the month's end
    assert theme_day(date(2026, 12, 19)) == []  # December starts again on the 20th


def test_once_a_day_through_the_job(library, county, people):
    jobs.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 20))
    jobs.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 20))  # a rerun sends nothing new

    def mine(user):
        return list(Notification.objects.filter(user=user, kind=NotificationKind.MEETING_DUE)
                    .values_list("key", "sent_on"))

    assert mine(people.dave) == [(f"meeting_due:theme_day:{county.branch_a1.pk}:2026-11",
                                  date(2026, 11, 20))]
    assert len(mine(people.erin)) == 1
    assert mine(people.bob) == mine(people.alice) == []  # secretaries only
    log(county.branch_a1, library["theme_day"], date(2026, 11, 20), people.dave)
    jobs.run_job(job=Job.REMINDERS, run_for=date(2026, 11, 21))
    assert len(mine(people.dave)) == 1  # held now: no second one
    assert len(mine(people.erin)) == 2  # one a day


def test_only_branches_that_owe_one(library, county, people):
    new = OrganizationFactory(parent=county.town_a, code="A9", founded_on=date(2026, 11, 3))
    gone = OrganizationFactory(parent=county.town_a, code="A8", is_active=False)
    for org in (new, gone):
        AssignmentFactory(user=UserFactory(), organization=org, role="secretary")
    late = [b.code for b, _m, _h in meeting_reminders.overdue_branches(date(2026, 11, 25))]
    assert late == ["A1", "A2", "B1"]  # founded this month, inactive, committees: not owing
    MeetingRule.objects.filter(meeting_type=library["theme_day"]).update(is_active=False)
    assert theme_day(date(2026, 11, 25)) == []


def test_a_county_without_the_library_is_not_reminded(county, people):
    assert theme_day(date(2026, 11, 25)) == []


def test_a_fixed_number_of_queries(library, county, people):
    def run(n):
        add_many_branches(county.town_b, n, prefix=f"T{n}-")
        with CaptureQueriesContext(connection) as ctx:
            found = meeting_reminders.theme_day_reminders(date(2026, 11, 20), reminders.Recipients())
        return len(ctx.captured_queries), len(found)

    small, big = run(3), run(30)
    assert small[0] == big[0] <= 4  # recipients, rules, branches, meetings


# ---------------------------------------------------------------- the monthly dispatch


@pytest.fixture
def section(monkeypatch):
    # As MeetingsConfig.ready() does; on copies, so the other tests' SECTIONS stay as they are.
    monkeypatch.setattr(dispatch, "SECTIONS", list(dispatch.SECTIONS))
    monkeypatch.setattr(dispatch, "REGISTERED", dict(dispatch.REGISTERED))
    monkeypatch.setattr(dispatch, "REGISTERED_NAMES", dict(dispatch.REGISTERED_NAMES))
    meeting_dispatch.register()
    meeting_dispatch.register()
    assert [k for k, _l, _lines in dispatch.SECTIONS].count("meetings") == 1
    return dispatch


@pytest.fixture
def october(library, county, people):
    monthly = [library[c] for c in ("branch_committee", "group_meeting", "theme_day")]
    for mtype in monthly:
        log(county.branch_a1, mtype, date(2026, 10, 9), people.dave)
    log(county.branch_a1, library["branch_assembly"], date(2026, 10, 31), people.dave)
    log(county.branch_a2, library["theme_day"], date(2026, 10, 1), people.erin)
    log(county.branch_a2, library["theme_day"], date(2026, 9, 30), people.erin)  # September's
    log(county.branch_b1, library["theme_day"], date(2026, 11, 2), people.charlie)  # November's
    # Founded during October: owes nothing for it, its meeting counts as held.
    new = OrganizationFactory(parent=county.town_a, code="A9", founded_on=date(2026, 10, 5))
    log(new, library["theme_day"], date(2026, 10, 20), people.bob)
    OrganizationFactory(parent=county.town_a, code="A8", is_active=False)
    return county


def test_the_dispatch_counts_meetings_held_and_due(section, october, library, people):
    dispatch.compile_dispatches(date(2026, 11, 3))
    a = Dispatch.objects.get(committee=october.town_a, period=date(2026, 10, 1))
    b = Dispatch.objects.get(committee=october.town_b, period=date(2026, 10, 1))
    # A: A1 held four, A2 one, A9 one; A1 and A2 owe three monthly meetings; A2 fell short.
    assert a.figures["meetings"] == {"held": 6, "due": 6, "branches_missing": 1}
    assert b.figures["meetings"] == {"held": 0, "due": 3, "branches_missing": 1}
    assert {"meetings", "funding", "self_checks"} <= set(a.figures)  # added, nothing lost
    # A recompile counts the committee's subtree alone, the same way.
    log(october.branch_a2, library["group_meeting"], date(2026, 10, 15), people.erin)
    log(october.branch_a2, library["branch_committee"], date(2026, 10, 15), people.erin)
    dispatch.recompile(a)
    assert a.figures["meetings"] == {"held": 8, "due": 6, "branches_missing": 0}


def test_without_rules_or_meetings_the_section_is_zero(section, county, people):
    dispatch.compile_dispatches(date(2026, 11, 3))
    assert {d.figures["meetings"]["due"] for d in Dispatch.objects.all()} == {0}
    assert dispatch.empty_figures()["meetings"] == {"held": 0, "due": 0, "branches_missing": 0}


def test_the_section_costs_a_fixed_number_of_queries(section, october, county):
    def run(n):
        add_many_branches(county.town_b, n, prefix=f"D{n}-")
        OrganizationFactory(parent=county.county, code=f"K{n}", level="committee", category=None)
        with CaptureQueriesContext(connection) as ctx:
            figures = meeting_dispatch.compute(date(2026, 10, 1))
        return len(ctx.captured_queries), figures

    (small, _f), (big, figures) = run(3), run(30)
    assert small == big == 3  # the monthly rules, the organizations, the month's meetings
    assert figures[county.town_b.path]["due"] == 3 * (1 + 3 + 30)

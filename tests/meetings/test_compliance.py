"""Which meetings were due and which are missing, at period edges."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.compliance import compliance, period_of, periods_of
from meetings.models import Meeting, MeetingRule, Rhythm
from tests.factories import OrganizationFactory, add_many_branches

from .conftest import TODAY, log

pytestmark = pytest.mark.django_db


def missing(statuses, code):
    rule = next(s for s in statuses if s.rule.meeting_type.code == code)
    return [p.period.label for p in rule.missing]


def test_the_library_loads_once(library, county):
    assert set(library) == {"branch_assembly", "branch_committee", "group_meeting", "party_lecture",
                            "theme_day", "life_meeting", "member_review"}
    again = services.load_library(county=county.county)
    assert (again.types, again.rules) == (0, 0)
    assert MeetingRule.objects.get(meeting_type=library["branch_committee"]).rhythm == Rhythm.MONTH


def test_periods_and_their_labels():
    quarters = periods_of(Rhythm.QUARTER, 2026)
    assert [(q.start, q.end) for q in quarters][0] == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarters[3].label == "2026年第四季度"
    assert period_of(Rhythm.MONTH, date(2024, 2, 29)).end == date(2024, 2, 29)
    assert period_of(Rhythm.QUARTER, date(2026, 3, 31)).label == "2026年第一季度"
    assert period_of(Rhythm.QUARTER, date(2026, 4, 1)).label == "2026年第二季度"


def test_missing_meetings_are_named(library, county, people):
    a1 = county.branch_a1
    for month in range(1, 11):
        if month != 7:  # July's 支委会 was not held
            log(a1, library["branch_committee"], date(2026, month, 5), people.dave)
    log(a1, library["branch_assembly"], date(2026, 3, 31), people.dave)  # last day of Q1
    log(a1, library["branch_assembly"], date(2026, 4, 1), people.dave)  # first day of Q2
    result = compliance([a1], 2026, TODAY)[a1.pk]
    assert missing(result, "branch_committee") == ["2026年7月"]  # November is still open
    assert missing(result, "branch_assembly") == ["2026年第三季度"]  # Q4 is open
    assert missing(result, "life_meeting") == []  # the year is open
    committee = next(s for s in result if s.rule.meeting_type.code == "branch_committee")
    assert (committee.due, committee.met) == (10, 9)
    assert committee.periods[-1].is_open and committee.periods[-1].period.label == "2026年11月"


def test_a_branch_founded_mid_year_owes_from_its_first_whole_period(library, county, people):
    new = OrganizationFactory(parent=county.town_a, code="A9", founded_on=date(2026, 5, 20))
    result = compliance([new], 2026, TODAY)[new.pk]
    assert missing(result, "branch_committee") == [f"2026年{m}月" for m in range(6, 11)]
    assert missing(result, "branch_assembly") == ["2026年第三季度"]
    past_year = compliance([new], 2027, date(2028, 1, 10))[new.pk]
    assert "2027年" in missing(past_year, "life_meeting")


def test_committees_owe_nothing_and_the_year_closes(library, county, people):
    result = compliance([county.town_a, county.branch_b1], 2025, date(2026, 1, 2))
    assert result[county.town_a.pk] == []  # rules are for branches
    assert len(missing(result[county.branch_b1.pk], "theme_day")) == 12


def test_bad_meetings_are_refused(library, county, people):
    with pytest.raises(ValidationError) as err:
        log(county.branch_a1, library["theme_day"], date(2099, 1, 1), people.dave, due=3, present=5)
    assert set(err.value.message_dict) == {"held_on", "present"}
    assert not Meeting.objects.exists()


def test_compliance_costs_fixed_queries(library, county, people, django_assert_max_num_queries):
    def run(n):
        orgs = add_many_branches(county.town_b, n, prefix=f"M{n}-")
        for org in orgs[:5]:
            log(org, library["theme_day"], date(2026, 3, 1), people.charlie)
        with django_assert_max_num_queries(2):
            result = compliance(orgs, 2026, TODAY)
        return result

    assert len(run(5)) == 5
    assert len(run(200)) == 200

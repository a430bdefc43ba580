"""A small dashboard world over the test county (tests/conftest.py), with every panel's
figures known, and a bulk one at size for query counts.

    2026 campaign (tests/assessments/conftest.py `campaign`):
      A1  accepted through the services, 后进 (its veto item failed), three items short
      A2  reviewed, 一般, self 88.00 / final 80.00
      B1  submitted, self 90.00
    2025 campaign: A1 一般 (so it fell), A2 后进 (so it rose), B1 先进
    stars: A1 awarded 0 (2026, on acceptance); A2 4 in 2025, 3 in 2026 (awarded, not
      promoted); B1 4 awarded then revoked to 3 (2026)
    tasks (today = TODAY, the real date): A1 open, deadline after today; A1 closed; B1 in progress, overdue
    pairing on A1 with one visit this month; funding: tests/funding/conftest.py `paid`
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from assessments import services as cycle
from assessments.models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    Grade,
    StarAction,
    StarRating,
)
from exports.registry import request_for
from orgs.models import Organization
from rectification import services as fix
from rectification.models import RectificationTask, TaskStatus
from reports.scope import resolve_scope
from tests.factories import UserFactory, add_many_branches

S = AssessmentStatus
TODAY = timezone.localdate()  # what the dashboard and its exports read as today


def at(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def scope_for(user, query=""):
    return resolve_scope(request_for(user, QueryDict(query)))


def rate(user, org, stars, day, action=StarAction.AWARDED, by=None):
    rating = StarRating.objects.create(organization=org, stars=stars, action=action, by=by or user,
                                       reason="测试")
    StarRating.objects.filter(pk=rating.pk).update(at=at(day))


def previous_campaign(campaign, people, grades):
    """A 2025 campaign on the same set and county; `grades` {organization: grade}."""
    before = cycle.campaign_create(
        name="上年分类定级", year=2025, standard_set=campaign.standard_set,
        organization=campaign.organization, by=people.alice,
    )
    cycle.campaign_launch(campaign=before, by=people.alice)
    for org, grade in grades.items():
        Assessment.objects.filter(campaign=before, organization=org).update(
            status=S.ACCEPTED, grade=grade, final_score=Decimal("80"), self_score=Decimal("82"))
    return before


@pytest.fixture
def world(accepted_a1, campaign, county, people):
    """The figures in the module docstring (needs the fixtures of tests/funding too for
    `paid`, which a test asks for itself)."""
    a2 = campaign.assessments.get(organization=county.branch_a2)
    Assessment.objects.filter(pk=a2.pk).update(
        status=S.REVIEWED, grade=Grade.GENERAL, self_score=Decimal("88.00"),
        final_score=Decimal("80.00"))
    Assessment.objects.filter(campaign=campaign, organization=county.branch_b1).update(
        status=S.SUBMITTED, self_score=Decimal("90.00"))
    previous_campaign(campaign, people, {county.branch_a1: Grade.GENERAL,
                                         county.branch_a2: Grade.LAGGING,
                                         county.branch_b1: Grade.ADVANCED})
    # Stars: A1's 0 came with its acceptance (dated now: moved into the campaign's year).
    StarRating.objects.filter(organization=county.branch_a1).update(at=at(date(2026, 5, 20)))
    rate(people.alice, county.branch_a2, 4, date(2025, 5, 20))
    rate(people.alice, county.branch_a2, 3, date(2026, 5, 20))
    rate(people.alice, county.branch_b1, 4, date(2026, 5, 20))
    rate(people.alice, county.branch_b1, 3, date(2026, 6, 1), action=StarAction.REVOKED)

    problems = _problems(accepted_a1, people)
    open_a1 = fix.task_create(problem=problems[0], measure="补选支部书记", responsible_name="陈书记",
                              leader_name="李强", by=people.bob, deadline=TODAY + timedelta(days=30),
                              starts_on=TODAY - timedelta(days=30))
    closed_a1 = fix.task_create(problem=problems[1], measure="补开组织生活会", responsible_name="陈书记",
                                by=people.bob, deadline=TODAY - timedelta(days=30),
                                starts_on=TODAY - timedelta(days=60))
    RectificationTask.objects.filter(pk=closed_a1.pk).update(status=TaskStatus.CLOSED)
    b1_problem = fix.problem_create(organization=county.branch_b1, description="活动室被占用",
                                    by=people.charlie)
    late_b1 = fix.task_create(problem=b1_problem, measure="腾退活动室", responsible_name="西湖书记",
                              by=people.charlie, deadline=TODAY - timedelta(days=10),
                              starts_on=TODAY - timedelta(days=60))
    RectificationTask.objects.filter(pk=late_b1.pk).update(status=TaskStatus.IN_PROGRESS)

    helpers = [UserFactory(username=f"helper{i}") for i in range(3)]
    pairing = fix.pairing_create(
        organization=county.branch_a1, county_leader=helpers[0], committee_secretary=helpers[1],
        cadre=helpers[2], target_date=TODAY + timedelta(days=180), measures="三定一帮", by=people.alice,
        baseline=accepted_a1)
    fix.visit_log(pairing=pairing, by=helpers[0], visited_on=TODAY, found="台账不全")
    fix.visit_log(pairing=pairing, by=helpers[0], visited_on=TODAY - timedelta(days=40),
                  found="上月走访")
    return {"open_a1": open_a1, "closed_a1": closed_a1, "late_b1": late_b1, "pairing": pairing}


def _problems(assessment, people):
    fix.problems_generate(assessment=assessment, by=people.alice)
    return list(assessment.problems.order_by("item__code"))


# ---------------------------------------------------------------- at size

SIZES = [100, 5000]


def grow(county, people, n):
    """`n` branches under town A (in bulk), each with a 2026 and a 2025 assessment in
    every status and grade, a star rating and a revoked one now and then."""
    orgs = add_many_branches(county.town_a, n, prefix=f"Z{n}-")
    now, before = _bulk_campaign(county, people, 2026), _bulk_campaign(county, people, 2025)
    statuses, grades = list(S.values), list(Grade.values)
    rows = []
    for i, org in enumerate(orgs):
        status = statuses[i % len(statuses)]
        graded = status in (S.REVIEWED, S.ACCEPTED)
        rows.append(Assessment(
            campaign=now, organization=org, status=status,
            grade=grades[i % 3] if graded else "",
            self_score=Decimal(70 + i % 30) if status != S.NOT_STARTED else None,
            final_score=Decimal(68 + i % 30) if graded else None))
        rows.append(Assessment(campaign=before, organization=org, status=S.ACCEPTED,
                               grade=grades[(i + 1) % 3], self_score=Decimal(80),
                               final_score=Decimal(78)))
    Assessment.objects.bulk_create(rows, batch_size=1000)
    StarRating.objects.bulk_create(
        [StarRating(organization=org, stars=i % 6, action=StarAction.AWARDED, by=people.alice)
         for i, org in enumerate(orgs)]
        + [StarRating(organization=org, stars=1, action=StarAction.REVOKED, by=people.alice,
                      reason="测试") for org in orgs[::7]],
        batch_size=1000)
    return Organization.objects.filter(path__startswith=county.county.path).count()


def _bulk_campaign(county, people, year):
    """A campaign made by the service, its assessments left to the caller (bulk)."""
    existing = Campaign.objects.filter(organization=county.county, year=year).first()
    if existing:
        return existing
    from standards.models import StandardSet

    standard_set = StandardSet.objects.filter(organization=county.county).first()
    campaign = cycle.campaign_create(name=f"{year}年分类定级", year=year, standard_set=standard_set,
                                     organization=county.county, by=people.alice)
    Campaign.objects.filter(pk=campaign.pk).update(status="active")
    return campaign

"""Data the supervision jobs read, on the test county (tests/conftest.py), around DAY.

- A1 has a task overdue by 5 days (responsible: dave) and a task due in 7 days
  (responsible by name only: its secretary dave hears of it); A2 a task due tomorrow
  (erin's branch, nobody named as user).
- The campaign (tests/assessments/conftest.py) has its self-check deadline set to
  DAY + 2: every branch still in draft is reminded; B1 has submitted and waits for
  review past the review deadline... set per test where needed.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rectification import services as rect

from ..assessments.conftest import campaign, small_set  # noqa: F401 (fixtures)

DAY = date(2026, 11, 22)


def make_task(org, by, *, deadline, responsible=None, name="陈书记", created=None):
    problem = rect.problem_create(organization=org, description=f"{org.name}的问题", by=by,
                                  found_on=created or deadline - timedelta(days=30))
    task = rect.task_create(problem=problem, measure=f"整改{org.name}的问题", responsible_name=name,
                            responsible=responsible, by=by, deadline=deadline,
                            starts_on=min(deadline, created or deadline - timedelta(days=30)))
    return task


@pytest.fixture
def tasks(county, people):
    return {
        "overdue": make_task(county.branch_a1, people.bob, deadline=DAY - timedelta(days=5),
                             responsible=people.dave),
        "week": make_task(county.branch_a1, people.bob, deadline=DAY + timedelta(days=7)),
        "tomorrow": make_task(county.branch_a2, people.bob, deadline=DAY + timedelta(days=1),
                              name="刘书记"),
        "later": make_task(county.branch_b1, people.charlie, deadline=DAY + timedelta(days=20)),
    }


def moment(day, hour=10):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())
                               .replace(hour=hour))

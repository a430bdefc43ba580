"""Data for the four lists' tests: a small board of problems and tasks over the county,
another county, and the same at size (bulk-created, not through the services)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from orgs.models import Level, Role
from rectification.models import (
    Problem,
    ProblemSource,
    RectificationTask,
    Severity,
    TaskStatus,
)

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches


def days(n):
    return timezone.localdate() + timedelta(days=n)


def problem(org, description, *, severity=Severity.MEDIUM, source=ProblemSource.MANUAL,
            by=None, found_on=None):
    return Problem.objects.create(
        organization=org, description=description, severity=severity, source=source,
        found_by=by, found_on=found_on or days(-30),
    )


def task(p, measure, *, responsible_name, by, responsible=None, leader_name="",
         deadline=None, status=TaskStatus.OPEN, progress=0, starts_on=None):
    return RectificationTask.objects.create(
        problem=p, organization=p.organization, measure=measure,
        responsible_name=responsible_name, responsible=responsible, leader_name=leader_name,
        starts_on=starts_on or days(-20), deadline=deadline or days(30), status=status,
        progress=progress, created_by=by,
        closed_at=timezone.now() if status == TaskStatus.CLOSED else None,
    )


@pytest.fixture(name="board")
def board_fixture(county, people):
    """Problems and tasks over A1, A2 and B1:

    A1  p_vacant (high, manual)       t_elect   陈书记(dave) open, overdue
                                      t_ledger  陈书记(dave) in progress
        p_files  (low, manual)        t_files   陈书记(dave) closed            -> all closed
    A2  p_venue  (medium, spot check) t_venue   刘书记        awaiting check
                                      t_kit     刘书记        closed
        p_books  (low, manual)        (no task)
    B1  p_day    (high, inspection)   t_day     王书记        open, overdue
    """
    bob, charlie = people.bob, people.charlie
    p_vacant = problem(county.branch_a1, "村党支部书记长期空缺", severity=Severity.HIGH, by=bob,
                       found_on=days(-40))
    p_files = problem(county.branch_a1, "党员档案不全", severity=Severity.LOW, by=bob,
                      found_on=days(-35))
    p_venue = problem(county.branch_a2, "活动场所面积不足", source=ProblemSource.SPOT_CHECK,
                      by=bob, found_on=days(-30))
    p_books = problem(county.branch_a2, "三会一课记录缺失", severity=Severity.LOW, by=bob,
                      found_on=days(-20))
    p_day = problem(county.branch_b1, "主题党日未按月开展", severity=Severity.HIGH,
                    source=ProblemSource.INSPECTION, by=charlie, found_on=days(-10))
    t_elect = task(p_vacant, "补选支部书记", responsible_name="陈书记", responsible=people.dave,
                   leader_name="李强", by=bob, deadline=days(-5))
    t_ledger = task(p_vacant, "建立三会一课台账", responsible_name="陈书记",
                    responsible=people.dave, leader_name="李强", by=bob, deadline=days(20),
                    status=TaskStatus.IN_PROGRESS, progress=40)
    t_files = task(p_files, "补齐党员档案", responsible_name="陈书记", responsible=people.dave,
                   by=bob, deadline=days(-3), status=TaskStatus.CLOSED, progress=100)
    t_venue = task(p_venue, "扩建活动场所", responsible_name="刘书记", leader_name="李强", by=bob,
                   deadline=days(40), status=TaskStatus.AWAITING_CHECK, progress=100)
    t_kit = task(p_venue, "补充党建阵地设施", responsible_name="刘书记", by=bob, deadline=days(10),
                 status=TaskStatus.CLOSED, progress=100)
    t_day = task(p_day, "制定主题党日计划", responsible_name="王书记", leader_name="赵刚",
                 by=charlie, deadline=days(-1))
    return SimpleNamespace(
        p_vacant=p_vacant, p_files=p_files, p_venue=p_venue, p_books=p_books, p_day=p_day,
        t_elect=t_elect, t_ledger=t_ledger, t_files=t_files, t_venue=t_venue, t_kit=t_kit,
        t_day=t_day,
    )


@pytest.fixture(name="elsewhere")
def elsewhere_fixture(db):
    """邻县: its own county staff (zoe) and one problem with a task."""
    root = OrganizationFactory(code="OC", name="邻县县委", level=Level.COUNTY, category=None)
    town = OrganizationFactory(parent=root, code="OCT", name="邻县某镇党委",
                               level=Level.COMMITTEE, category=None)
    branch = OrganizationFactory(parent=town, code="OC1", name="邻县某村党支部")
    zoe = UserFactory(username="zoe", full_name="邻县 周")
    AssignmentFactory(user=zoe, organization=root, role=Role.COUNTY_STAFF)
    branch.refresh_from_db()
    p = problem(branch, "邻县的问题", by=zoe)
    t = task(p, "邻县的措施", responsible_name="邻县书记", by=zoe)
    return SimpleNamespace(root=root, town=town, branch=branch, zoe=zoe, problem=p, task=t)


STATUS_CYCLE = [TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.AWAITING_CHECK,
                TaskStatus.CLOSED]
TASKS_PER_PROBLEM = 5


def bulk_board(county, people, n_tasks, n_orgs=40):
    """`n_tasks` tasks over `n_orgs` new branches split between town A and town B, five
    per problem, with statuses, deadlines and people spread (bulk_create, no services)."""
    half = n_orgs // 2
    in_a = add_many_branches(county.town_a, half, prefix="GA")
    in_b = add_many_branches(county.town_b, n_orgs - half, prefix="GB", category_code="community")
    orgs = [org for pair in zip(in_a, in_b, strict=True) for org in pair]  # A, B, A, B …
    n_problems = n_tasks // TASKS_PER_PROBLEM
    severities = list(Severity.values)
    problems = Problem.objects.bulk_create(
        [
            Problem(organization=orgs[i % len(orgs)], source=ProblemSource.MANUAL,
                    description=f"问题{i}", severity=severities[i % 3], found_on=days(-(i % 90)),
                    found_by=people.bob)
            for i in range(n_problems)
        ],
        batch_size=1000,
    )
    today = timezone.localdate()
    RectificationTask.objects.bulk_create(
        [
            RectificationTask(
                problem=problems[i // TASKS_PER_PROBLEM],
                organization_id=problems[i // TASKS_PER_PROBLEM].organization_id,
                measure=f"措施{i}", responsible_name=f"责任人{i % 37}",
                responsible=people.dave if i % 37 == 0 else None, leader_name="李强",
                starts_on=today - timedelta(days=30), deadline=today + timedelta(days=i % 60 - 20),
                status=STATUS_CYCLE[i % 4], progress=(i * 7) % 101, created_by=people.bob,
            )
            for i in range(n_tasks)
        ],
        batch_size=1000,
    )
    return orgs

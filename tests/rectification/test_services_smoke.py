import pytest
from django.core.exceptions import ValidationError

from assessments.models import Grade
from rectification import services
from rectification.models import PairingStatus, Problem, TaskStatus

pytestmark = pytest.mark.django_db


def test_problems_are_made_once(accepted_a1, people):
    assert services.problems_generate(assessment=accepted_a1, by=people.alice) == 3
    assert services.problems_generate(assessment=accepted_a1, by=people.alice) == 0
    assert services.problems_sync() == 0
    codes = sorted(Problem.objects.values_list("item__code", flat=True))
    assert codes == ["ZB-01", "ZD-02", "ZS-01"]
    assert Problem.objects.get(item__code="ZB-01").severity == "high"  # the veto item


def test_a_task_closes_only_after_a_check(task, people):
    with pytest.raises(ValidationError):
        services.task_request_close(task=task, by=people.dave)  # nothing reported yet
    services.task_report(task=task, by=people.dave, text="已召开党员大会补选", progress=80)
    services.task_request_close(task=task, by=people.dave)
    with pytest.raises(ValidationError):
        services.task_check(task=task, by=people.dave, accepted=True)  # not one's own task
    services.task_check(task=task, by=people.bob, accepted=False, comment="缺少会议记录")
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    services.task_request_close(task=task, by=people.dave)
    services.task_check(task=task, by=people.bob, accepted=True, comment="资料齐全")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.closed_at
    assert [c.accepted for c in task.checks.all()] == [False, True]


def test_pairing_gives_helpers_the_organization_and_upgrades(accepted_a1, people, county):
    from datetime import date

    from orgs.models import Organization

    assert accepted_a1.grade  # the veto failed: lagging
    assert accepted_a1.grade == Grade.LAGGING
    pairing = services.pairing_create(
        organization=county.branch_a1, county_leader=people.victor, committee_secretary=people.bob,
        cadre=people.harry, target_date=date(2026, 12, 31), measures="三定一帮", by=people.alice,
        baseline=accepted_a1,
    )
    harry_sees = set(Organization.objects.visible_to(people.harry).values_list("code", flat=True))
    assert "A1" in harry_sees
    services.pairing_refresh(pairing=pairing)
    assert pairing.status == PairingStatus.ACTIVE

"""The demo county's rectification that load_demo makes: problems from the demo campaign,
tasks in every state, a 3+1 pairing per lagging branch; the same after a rerun; the demo
helper sees the branch they are paired with and nothing else."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from orgs.demo.county import LAGGING_CODES
from orgs.models import Assignment, Organization, Role
from rectification.access import can_report
from rectification.demo import SECRETARY_BRANCH
from rectification.models import (
    Milestone,
    Pairing,
    PairingStatus,
    Problem,
    ProblemSource,
    RectificationTask,
    TaskCheck,
    TaskStatus,
    TaskUpdate,
    Visit,
    overdue_q,
)

pytestmark = pytest.mark.django_db


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in (
        Problem, RectificationTask, TaskUpdate, TaskCheck, Pairing, Milestone, Visit, Assignment,
        get_user_model(),
    )}


def test_the_demo_rectification(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    output = load()
    before = counts()

    # Problems from the campaign, and tasks for about ten organizations in every state.
    assert Problem.objects.filter(source=ProblemSource.ASSESSMENT).exists()
    tasks = RectificationTask.objects.select_related("organization")
    assert set(tasks.values_list("status", flat=True)) == set(TaskStatus.values)
    assert 8 <= tasks.values("organization").distinct().count() <= 12
    assert tasks.filter(overdue_q()).count() >= 2
    assert all(t.responsible_name == t.organization.secretary_name
               for t in tasks.exclude(organization__code=SECRETARY_BRANCH))
    assert all(t.leader_name for t in tasks)
    for task in tasks.filter(status=TaskStatus.CLOSED):
        assert task.checks.filter(accepted=True).exists() and task.closed_at
    # One closing rejected, the task back at work and reported on again.
    rejected = TaskCheck.objects.get(accepted=False).task
    assert rejected.status == TaskStatus.IN_PROGRESS
    assert rejected.updates.order_by("at", "pk").last().at > rejected.checks.get().at
    assert tasks.filter(status=TaskStatus.IN_PROGRESS, updates__isnull=False).exists()
    # The demo secretary has tasks of their own to report on.
    secretary = get_user_model().objects.get(username="secretary")
    mine = tasks.filter(responsible=secretary)
    assert mine.count() == 2 and any(can_report(secretary, t) for t in mine)

    # A pairing per lagging branch, three different helpers each, the demo helper on 东坝镇's.
    pairings = Pairing.objects.select_related("organization", "cadre")
    assert sorted(p.organization.code for p in pairings) == sorted(LAGGING_CODES)
    for p in pairings:
        assert len({p.county_leader_id, p.committee_secretary_id, p.cadre_id}) == 3
        assert p.status == PairingStatus.ACTIVE and p.baseline is not None
        assert p.milestones.count() == 4 and p.milestones.exclude(done_on=None).exists()
        assert "【定目标】" in p.measures and "【帮转化】" in p.measures
    helper = get_user_model().objects.get(username="helper")
    mine = pairings.get(organization__code=LAGGING_CODES[0])
    assert helper.pk in {mine.county_leader_id, mine.committee_secretary_id, mine.cadre_id}
    assert mine.visits.count() == 2
    today = timezone.localdate()
    assert mine.milestones.filter(done_on=None, due_on__lt=today).exists()  # behind: overdue
    assert Visit.objects.count() >= 3
    # The other helpers are not printed as logins.
    assert "qh-leader-1" not in output and "helper" in output

    # The demo helper sees their branch and nothing else.
    assert list(Organization.objects.visible_to(helper).values_list("code", flat=True)) == [
        LAGGING_CODES[0]]
    assert [p.pk for p in Pairing.objects.visible_to(helper)] == [mine.pk]
    client.force_login(helper)
    response = client.get(reverse("rectification:pairing_list"))
    assert [p.pk for p in response.context["pairings"]] == [mine.pk]
    assert client.get(reverse("rectification:pairing_detail", args=[mine.pk])).status_code == 200
    other = pairings.exclude(pk=mine.pk).first()
    assert client.get(reverse("rectification:pairing_detail", args=[other.pk])).status_code == 404
    # The county sees all four, none upgraded yet.
    client.force_login(get_user_model().objects.get(username="county"))
    response = client.get(reverse("rectification:pairing_list"))
    assert len(response.context["pairings"]) == 4 and response.context["totals"].rate == 0
    assert Role.HELPER in set(Assignment.objects.filter(user=helper).values_list("role", flat=True))

    # A rerun changes nothing.
    again = load()
    assert counts() == before
    with translation.override(settings.LANGUAGE_CODE):
        assert gettext("The demo county already exists; nothing was changed.") in again

"""Who may see and do what with problems, tasks and pairings.

Everything is scoped by its organization (scope_q). Committee and county staff over
the organization create tasks and check closings; the task's organization's secretary
(and the responsible person) report progress; helpers see their paired organization
through the helper role that pairing_create gives them.
"""

from dataclasses import dataclass

from django.http import Http404

from orgs.models import Role
from orgs.scoping import path_in_scope, scope_q

from .models import Pairing, Problem, RectificationTask, TaskStatus, TaskUpdate

STAFF = {Role.COMMITTEE_STAFF, Role.COUNTY_STAFF}


def can_manage(user, org) -> bool:
    """Create problems and tasks, edit them, check closings."""
    return path_in_scope(user, org.path, STAFF)


def is_reporter(user, task) -> bool:
    """Who reports on a task whatever its status (the views answer 403 to anyone else,
    and leave a report on a task waiting for its check to the service's 400)."""
    return path_in_scope(user, task.organization.path, {Role.SECRETARY, *STAFF}) or (
        task.responsible_id is not None and task.responsible_id == user.pk
    )


def can_report(user, task) -> bool:
    return task.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS) and is_reporter(user, task)


@dataclass(frozen=True)
class TaskAccess:
    can_manage: bool
    can_report: bool
    can_check: bool


def get_problem_for_user(request, pk):
    try:
        problem = Problem.objects.select_related(
            "organization", "item", "assessment__campaign", "finding", "found_by"
        ).visible_to(request.user).get(pk=pk)
    except (Problem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such problem") from None
    return problem, can_manage(request.user, problem.organization)


def get_task_for_user(request, pk):
    try:
        task = RectificationTask.objects.select_related(
            "organization", "problem", "responsible"
        ).visible_to(request.user).get(pk=pk)
    except (RectificationTask.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task") from None
    manage = can_manage(request.user, task.organization)
    return task, TaskAccess(
        can_manage=manage,
        can_report=can_report(request.user, task),
        can_check=manage and task.status == TaskStatus.AWAITING_CHECK
        and task.responsible_id != request.user.pk,
    )


def get_update_for_user(request, pk):
    """A progress report's file is served to whoever may see its task, and to no one else."""
    try:
        return TaskUpdate.objects.select_related("task").filter(
            scope_q(request.user, "task__organization__")
        ).get(pk=pk)
    except (TaskUpdate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None


def can_manage_pairings(user, org) -> bool:
    """3+1 pairings are assigned by the organization department (county staff)."""
    return path_in_scope(user, org.path, {Role.COUNTY_STAFF})


def get_pairing_for_user(request, pk):
    """(pairing, can_manage, is_helper). Helpers see their pairing through their helper role."""
    try:
        pairing = Pairing.objects.select_related(
            "organization", "county_leader", "committee_secretary", "cadre"
        ).visible_to(request.user).get(pk=pk)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pairing") from None
    is_helper = request.user.pk in {pairing.county_leader_id, pairing.committee_secretary_id,
                                    pairing.cadre_id}
    return pairing, can_manage_pairings(request.user, pairing.organization), is_helper

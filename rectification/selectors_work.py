"""Reads for the problem and task pages and for the panels on the organization and
assessment pages. Each function is one query with its joins applied, so a page's
count stays fixed however many tasks, reports and checks there are."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from .models import Problem, RectificationTask, TaskCheck, TaskStatus, TaskUpdate

# Enough history to follow a task on a phone; the admin keeps all of it.
HISTORY_SHOWN = 50
# What a panel lists before it says "more in the lists".
PANEL_ROWS = 10


def with_task_counts(problems):
    """Problems with how many tasks they have, how many are closed and how many overdue."""
    today = timezone.localdate()
    return problems.annotate(
        task_count=Count("tasks"),
        closed_count=Count("tasks", filter=Q(tasks__status=TaskStatus.CLOSED)),
        overdue_count=Count(
            "tasks", filter=~Q(tasks__status=TaskStatus.CLOSED) & Q(tasks__deadline__lt=today)
        ),
    )


def problem_tasks(problem):
    return list(problem.tasks.select_related("responsible").order_by("deadline", "pk"))


def task_updates(task):
    return list(TaskUpdate.objects.filter(task=task).select_related("by").order_by("at", "pk"))


def task_checks(task):
    return list(TaskCheck.objects.filter(task=task).select_related("by").order_by("at", "pk"))


def task_history(task):
    """The latest simple-history records, newest first, with who made them."""
    return list(
        task.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :HISTORY_SHOWN
        ]
    )


def assessment_problems(assessment):
    """The problems found in one assessment (at most one per item), in item order."""
    return list(
        with_task_counts(
            Problem.objects.filter(assessment=assessment).select_related("item")
        ).order_by("item__code", "pk")
    )


def subtree_open_tasks(org, limit=PANEL_ROWS):
    """The open tasks in an organization's subtree, soonest deadline first (limit + 1
    rows, so the panel knows there are more)."""
    return list(
        RectificationTask.objects.filter(organization__path__startswith=org.path)
        .exclude(status=TaskStatus.CLOSED)
        .select_related("organization")
        .order_by("deadline", "pk")[: limit + 1]
    )


def subtree_problems(org, limit=PANEL_ROWS):
    """The latest problems in an organization's subtree (no task counts: on the county's
    page that would aggregate every task of the county on each visit)."""
    return list(
        Problem.objects.filter(organization__path__startswith=org.path)
        .select_related("organization")
        .order_by("-found_on", "-pk")[: limit + 1]
    )


def responsible_candidates(org):
    """Active users whose scope covers the organization (a role on it or above it), so
    the person named responsible can open the task and report on it."""
    paths = [*org.ancestor_paths(), org.path]
    return (
        get_user_model().objects.filter(
            is_active=True,
            assignments__organization__path__in=paths,
            assignments__organization__is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )

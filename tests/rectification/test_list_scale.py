"""The lists at scale (issue 10): a page of the 问题清单 is read on its keys and counts
the tasks of its own rows only, its summary is one pass, and the 整改清单 costs the
same number of queries whoever reads it — with the figures of the straightforward
grouped queries they replaced."""

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectification import selectors as sel
from rectification.models import Problem, RectificationTask, Severity, TaskStatus

from .lists_data import board_fixture, bulk_board  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def url(name):
    return reverse(f"rectification:{name}")


@pytest.fixture(params=[100, 2000], ids=lambda n: f"{n}tasks")
def big(request, county, people):
    bulk_board(county, people, request.param)
    return request.param


@pytest.mark.parametrize("sort", list(sel.PROBLEM_SORTS))
def test_a_page_of_problems_is_the_sorted_lists_slice_with_its_task_counts(big, people, sort):
    user = people.alice
    paged = sel.problems_for_user(user=user, sort=sort)
    reference = list(
        sel._problems(user, sel.NO_FILTERS)
        .annotate(n_tasks=Count("tasks"),
                  n_closed=Count("tasks", filter=Q(tasks__status=TaskStatus.CLOSED)))
        .order_by(*sel.PROBLEM_SORTS[sort])
    )
    assert paged.count() == len(reference)
    for start in (0, 50, len(reference) - 7):
        page = list(paged[start:start + 50])
        expected = reference[start:start + 50]
        assert [p.pk for p in page] == [p.pk for p in expected]
        assert [(p.n_tasks, p.n_closed) for p in page] == [(p.n_tasks, p.n_closed)
                                                           for p in expected]
        assert all(p.organization.name and p.found_by for p in page)  # read with the page


def test_the_problem_summary_matches_the_exists_per_problem_figures(big, people, board):
    # Some problems without a task, one all closed: every state has members.
    for problem in Problem.objects.all()[:3]:
        Problem.objects.create(organization=problem.organization, source=problem.source,
                               description="无任务", severity=Severity.HIGH,
                               found_on=problem.found_on, found_by=people.bob)
    done = Problem.objects.filter(tasks__isnull=False).first()
    done.tasks.update(status=TaskStatus.CLOSED)
    for who in ("alice", "bob", "dave"):
        user = getattr(people, who)
        tasks = RectificationTask.objects.filter(problem=OuterRef("pk"))
        expected = sel._problems(user, sel.NO_FILTERS).aggregate(
            total=Count("pk"),
            no_task=Count("pk", filter=~Exists(tasks)),
            rectifying=Count("pk", filter=Exists(tasks.exclude(status=TaskStatus.CLOSED))),
            high=Count("pk", filter=Q(severity=Severity.HIGH)),
        )
        expected["done"] = expected["total"] - expected["no_task"] - expected["rectifying"]
        summary = sel.problem_summary(user=user)
        assert summary == expected, who
        assert all(summary[key] for key in ("no_task", "rectifying", "done")) or who == "dave"


def queries(client, name):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(name))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["status_list", "problem_list", "responsibility_list"])
def test_a_list_costs_the_same_queries_whoever_reads_it(client_for, people, big, board, name):
    """A county reader, a committee's and a branch secretary's (whose scope lies below
    the committee level: the 整改清单 names its rows without a further query), each
    with rows to show (an empty page is a query fewer)."""
    counts = {who: queries(client_for(getattr(people, who)), name)
              for who in ("alice", "bob", "dave")}
    assert len(set(counts.values())) == 1, counts


def test_the_matrix_names_rows_outside_the_readers_committees(client_for, people, big, board,
                                                              county):
    response = client_for(people.dave).get(url("status_list"))
    rows = {row.name: row for row in response.context["rows"]}
    # Dave reads A1 only: his row is town A's, named, and not a committee filter link.
    assert set(rows) == {county.town_a.name}
    assert rows[county.town_a.name].linked is False and rows[county.town_a.name].key == ""

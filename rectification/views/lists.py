"""The four lists — 问题清单, 任务清单, 责任清单, 整改清单 — and their exports.

Everyone with a role reads the lists of their own scope (a secretary their branch's,
a helper their paired organization's, a viewer their committee's); the selectors
scope every row, so a view only picks the filters. The exports take the same filter
form as their page and hold exactly its rows.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from exports.registry import BadExport, exporter, request_for
from exports.services import respond

from .. import excel
from .. import selectors as sel
from ..forms_lists import PERSONS, PROBLEMS, STATUSES, TASKS, ListFilterForm
from ..models import TaskStatus

PAGE_SIZE = 50
TASK_EXPORT_VIEWS = {"tasks": TASKS, "person": PERSONS, "status": STATUSES}
# The figures of a group of tasks: (key in the counts, the task list filter, label).
TASK_FIGURES = [
    ("total", "", gettext_lazy("All tasks")),
    *((f"n_{value}", f"status={value}", label) for value, label in TaskStatus.choices),
    ("n_overdue", "overdue=1", gettext_lazy("Overdue")),
]
PROBLEM_FIGURES = [
    ("total", "", gettext_lazy("All problems")),
    *((value, f"status={value}", label) for value, label in sel.ProblemState.choices),
    ("high", "severity=high", gettext_lazy("Severe")),
]


def _cells(counts, base, specs=TASK_FIGURES):
    """A row's figures in order, each with the link that lists what it counts (`base`
    from _link_base; empty: not linked). Templates cannot look keys up in a dict."""
    return [
        {"key": key, "n": counts[key], "label": label,
         "href": (base + q if q else base.rstrip("?&")) if base else ""}
        for key, q, label in specs
    ]


def _reader(request):
    if not sel.can_read_lists(request.user):
        raise PermissionDenied
    return request.user


def _form(request, kind):
    """The filter form with its choices: the committees in scope (one query) and the
    categories (one query)."""
    return ListFilterForm(
        request.GET, kind=kind, committees=sel.committee_choices(request.user),
        categories=sel.categories(),
    )


def _query_without_page(request) -> str:
    """The current GET parameters less `page`, ready to take `page=N` (pagination.html)."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _context(request, form, tab, **extra):
    return {
        "form": form,
        "tab": tab,
        "export_query": urlencode(form.params()),
        "querystring_without_page": _query_without_page(request),
        **extra,
    }


def _link_base(url, params) -> str:
    """`url?params&`, ready to take one more filter such as `status=open` (_figure.html)."""
    query = urlencode(params)
    return f"{url}?{query}&" if query else f"{url}?"


def _scope(request, form):
    return excel.scope_text(
        scope_names=sel.scope_names(request.user), filters=excel.filter_labels(form)
    )


# ---------------------------------------------------------------- 问题清单


@login_required
@require_GET
def problem_list(request):
    user = _reader(request)
    form = _form(request, PROBLEMS)
    f = form.filters()
    page = _page(request, sel.problems_for_user(user=user, filters=f, sort=form.chosen_sort))
    return render(request, "rectification/lists/problems.html", _context(
        request, form, "problems",
        page_obj=page,
        problems=list(page.object_list),
        summary=_cells(
            sel.problem_summary(user=user, filters=f),
            _link_base(reverse("rectification:problem_list"),
                       form.params(without=("status", "sort"))),
            PROBLEM_FIGURES,
        ),
        can_create=sel.can_create_problems(user),
    ))


@login_required
@require_GET
def problem_export(request):
    return respond(request, problem_export_table)


@exporter
def problem_export_table(user, params):
    request = request_for(user, params)
    _reader(request)
    form = _form(request, PROBLEMS)
    return excel.problem_export(
        user=user, filters=form.filters(), sort=form.chosen_sort, scope=_scope(request, form)
    )


# ---------------------------------------------------------------- 任务清单


@login_required
@require_GET
def task_list(request):
    """The task list; asked by htmx (the 责任清单 opening a person's row) only its table."""
    user = _reader(request)
    form = _form(request, TASKS)
    f = form.filters()
    page = _page(request, sel.tasks_for_user(user=user, filters=f, sort=form.chosen_sort))
    context = _context(
        request, form, "tasks",
        page_obj=page,
        tasks=list(page.object_list),
        person=f.person,
    )
    if request.headers.get("HX-Request"):
        return render(request, "rectification/lists/_task_table.html", {**context, "compact": True})
    url = reverse("rectification:task_list")
    context["summary"] = _cells(
        sel.task_summary(user=user, filters=f),
        _link_base(url, form.params(without=("status", "overdue", "sort"))),
    )
    context["everyone_url"] = _link_base(url, form.params(without=("person",))).rstrip("?&")
    return render(request, "rectification/lists/tasks.html", context)


# ---------------------------------------------------------------- 责任清单


@login_required
@require_GET
def responsibility_list(request):
    user = _reader(request)
    form = _form(request, PERSONS)
    f = form.filters()
    page = _page(request, sel.tasks_by_person(user=user, filters=f, sort=form.chosen_sort))
    rows = sel.person_rows(page.object_list)
    # A person's figures link to the task list with this page's filters and the person.
    url, carried = reverse("rectification:task_list"), form.params(without=("sort",))
    for row in rows:
        base = _link_base(url, {**carried, "person": row.key})
        row.url, row.cells = base.rstrip("?&"), _cells(row.counts, base)
    return render(request, "rectification/lists/persons.html", _context(
        request, form, "persons",
        page_obj=page,
        rows=rows,
        summary=_cells(sel.task_summary(user=user, filters=f), _link_base(url, carried)),
        headers=TASK_FIGURES,
    ))


# ---------------------------------------------------------------- 整改清单


@login_required
@require_GET
def status_list(request):
    user = _reader(request)
    form = _form(request, STATUSES)
    f = form.filters()
    rows = sel.tasks_by_committee(user=user, committees=list(form.committees.values()), filters=f)
    totals = sel.matrix_totals(rows)
    previews = sel.status_previews(user=user, filters=f)
    # Figures link to the task list with the page's filters and the row's committee.
    url, carried = reverse("rectification:task_list"), form.params(without=("committee",))
    for row in rows:
        base = _link_base(url, {**carried, "committee": row.key}) if row.linked else ""
        row.cells = _cells(row.counts, base)
    totals_cells = _cells(totals, _link_base(url, form.params()))
    groups = totals_cells[1:]
    for group in groups:
        group["tasks"] = previews.get(group["key"].removeprefix("n_"))
    return render(request, "rectification/lists/statuses.html", _context(
        request, form, "statuses",
        rows=rows,
        totals=totals_cells,
        groups=groups,
        headers=TASK_FIGURES,
    ))


# ---------------------------------------------------------------- exports


@login_required
@require_GET
def task_export(request):
    """?view=tasks (任务清单), person (责任清单) or status (整改清单), with the page's filters."""
    return respond(request, task_export_table)


@exporter
def task_export_table(user, params):
    request = request_for(user, params)
    _reader(request)
    kind = TASK_EXPORT_VIEWS.get(params.get("view") or "tasks")
    if kind is None:
        raise BadExport(_("Unknown export view; use tasks, person or status."))
    form = _form(request, kind)
    f = form.filters()
    scope = _scope(request, form)
    if kind == TASKS:
        return excel.task_export(
            user=user, filters=f, sort=form.chosen_sort, scope=scope, today=timezone.localdate()
        )
    if kind == PERSONS:
        return excel.person_export(user=user, filters=f, sort=form.chosen_sort, scope=scope)
    rows = sel.tasks_by_committee(user=user, committees=list(form.committees.values()), filters=f)
    return excel.status_export(rows=rows, totals=sel.matrix_totals(rows), scope=scope)

"""Reads for the rectification pages (STYLE.md: writes in services.py, reads here).

Every function takes the user and applies the one scope mechanism (`visible_to`)
itself, so no page can forget it; each costs a fixed number of queries whatever
the size of the scope.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber, Substr
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, Role
from orgs.scoping import grants, has_role, is_unrestricted
from orgs.selectors.committees import (  # noqa: F401 (the lists' reads, re-exported)
    COMMITTEE_DEPTH,
    COMMITTEE_PREFIX,
    category_choices,
    committee_choices,
    committee_names,
    committee_of,
    scope_names,
)

from .models import Problem, RectificationTask, Severity, TaskStatus, overdue_q

# ====================================================================== lists
# 问题清单, 任务清单, 责任清单 and 整改清单 are four views of the same rows with one set
# of filters: problems, tasks, tasks grouped by responsible person, tasks grouped by
# status and committee. The exports (excel.py) read through the same functions.

STEP = Organization.steplen
# The committee level is the county's children (县委 → 党委/党工委): a committee's
# subtree is the first two steps of a path, so the status matrix groups on that
# prefix in the database (as assessments/selectors_campaigns.py does).
# The category filter's value for organizations without a category (committees).
NO_CATEGORY = "none"
# The groups of the 整改清单: the four statuses, and overdue across the unclosed ones
# (an overdue task also counts in its status, so task_list?status=X lists what X counts).
OVERDUE = "overdue"
GROUPS = (*TaskStatus.values, OVERDUE)
UNCLOSED = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.AWAITING_CHECK)
# How many tasks each group of the 整改清单 shows before "all N".
PREVIEW = 10


def can_read_lists(user) -> bool:
    """Anyone holding a role reads the lists of their scope (a secretary their branch's,
    a helper their paired organization's); a user without one has nothing to read."""
    return is_unrestricted(user) or bool(grants(user))


def can_create_problems(user) -> bool:
    return has_role(user, Role.COMMITTEE_STAFF, Role.COUNTY_STAFF)


class ProblemState(TextChoices):
    """Where a problem stands, read from its tasks (a problem has no status of its own)."""

    NO_TASK = "no_task", _("No task yet")
    RECTIFYING = "rectifying", _("Being rectified")
    DONE = "done", _("All tasks closed")


@dataclass(frozen=True)
class Person:
    """A responsible person as the 责任清单 groups them: the name typed on the task and,
    when set, the user it names. `key` is the task list's `person` filter value."""

    user_id: int | None
    name: str

    @property
    def key(self) -> str:
        return f"{self.user_id or ''}:{self.name}"

    @classmethod
    def parse(cls, key: str) -> "Person":
        """'12:陈书记' or ':陈书记'; ValueError for anything else."""
        user_id, sep, name = (key or "").partition(":")
        if not sep or not name.strip():
            raise ValueError(key)
        return cls(int(user_id) if user_id else None, name)


@dataclass(frozen=True)
class ListFilters:
    """The filters of the four lists and their exports (forms_lists.ListFilterForm)."""

    q: str = ""
    committee: Organization | None = None  # its subtree
    category: str = ""  # a Category pk as text, or NO_CATEGORY
    status: str = ""  # a TaskStatus (tasks) or a ProblemState (problems)
    overdue: bool = False
    deadline_from: date | None = None
    deadline_to: date | None = None
    person: Person | None = None  # tasks
    severity: str = ""  # problems
    source: str = ""  # problems


NO_FILTERS = ListFilters()


# The committees of a scope, its names, the categories: shared with funding and supervision.
categories = category_choices


def _org_q(f: ListFilters) -> Q:
    q = Q()
    if f.committee is not None:
        q &= Q(organization__path__startswith=f.committee.path)
    if f.category == NO_CATEGORY:
        q &= Q(organization__category__isnull=True)
    elif f.category:
        q &= Q(organization__category_id=f.category)
    return q


def _deadline_q(f: ListFilters) -> Q:
    q = Q()
    if f.deadline_from:
        q &= Q(deadline__gte=f.deadline_from)
    if f.deadline_to:
        q &= Q(deadline__lte=f.deadline_to)
    return q


# ---------------------------------------------------------------- 任务清单


def _tasks(user, f: ListFilters):
    qs = RectificationTask.objects.visible_to(user).filter(_org_q(f), _deadline_q(f))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.filter(overdue_q())
    if f.person is not None:
        qs = qs.filter(responsible_name=f.person.name, responsible_id=f.person.user_id)
    if f.q:
        qs = qs.filter(
            Q(organization__name__icontains=f.q) | Q(organization__code__icontains=f.q)
            | Q(measure__icontains=f.q) | Q(problem__description__icontains=f.q)
            | Q(responsible_name__icontains=f.q) | Q(leader_name__icontains=f.q)
        )
    return qs


TASK_SORTS = {
    "": ("deadline", "pk"),
    "-deadline": ("-deadline", "-pk"),
    "org": ("organization__path", "deadline", "pk"),
    "progress": ("progress", "deadline", "pk"),
    "-progress": ("-progress", "deadline", "pk"),
    "-starts": ("-starts_on", "-pk"),
}


def tasks_for_user(*, user, filters=NO_FILTERS, sort=""):
    """The 任务清单: the tasks in scope with their organization, problem and user."""
    return (
        _tasks(user, filters)
        .select_related("organization", "problem", "responsible")
        .order_by(*TASK_SORTS.get(sort, TASK_SORTS[""]))
    )


def _status_counts():
    counts = {"total": Count("pk")}
    for status in TaskStatus.values:
        counts[f"n_{status}"] = Count("pk", filter=Q(status=status))
    counts["n_overdue"] = Count("pk", filter=overdue_q())
    return counts


FIGURES = ("total", *(f"n_{group}" for group in GROUPS))


def _figures(values=None):
    return {key: (values or {}).get(key) or 0 for key in FIGURES}


def task_summary(*, user, filters=NO_FILTERS) -> dict:
    """total, n_<status> and n_overdue of the filtered tasks: one aggregate query."""
    return _figures(_tasks(user, filters).aggregate(**_status_counts()))


def task_rows(*, user, filters=NO_FILTERS, sort=""):
    """The export's rows as tuples, read in chunks (a server-side cursor on PostgreSQL)."""
    return (
        _tasks(user, filters)
        .order_by(*TASK_SORTS.get(sort, TASK_SORTS[""]))
        .values_list(
            "organization__path", "organization__code", "organization__name",
            "organization__category__name", "problem__description", "measure",
            "responsible_name", "leader_name", "starts_on", "deadline", "status", "progress",
            "closed_at",
        )
    )


# ---------------------------------------------------------------- 问题清单


def _problems(user, f: ListFilters):
    qs = Problem.objects.visible_to(user).filter(_org_q(f))
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.source:
        qs = qs.filter(source=f.source)
    # What is asked of the tasks is asked of one of them: Exists, never a join, so a
    # problem is one row however many tasks it has.
    tasks = RectificationTask.objects.filter(problem=OuterRef("pk"))
    if f.overdue:
        qs = qs.filter(Exists(tasks.filter(overdue_q())))
    if f.deadline_from or f.deadline_to:
        qs = qs.filter(Exists(tasks.filter(_deadline_q(f))))
    if f.status == ProblemState.NO_TASK:
        qs = qs.filter(~Exists(tasks))
    elif f.status == ProblemState.RECTIFYING:
        qs = qs.filter(Exists(tasks.exclude(status=TaskStatus.CLOSED)))
    elif f.status == ProblemState.DONE:
        qs = qs.filter(Exists(tasks), ~Exists(tasks.exclude(status=TaskStatus.CLOSED)))
    if f.q:
        qs = qs.filter(
            Q(organization__name__icontains=f.q) | Q(organization__code__icontains=f.q)
            | Q(description__icontains=f.q) | Q(item__code__icontains=f.q)
            | Exists(tasks.filter(
                Q(responsible_name__icontains=f.q) | Q(leader_name__icontains=f.q)
                | Q(measure__icontains=f.q)
            ))
        )
    return qs


SEVERITY_RANK = Case(
    When(severity=Severity.HIGH, then=Value(0)),
    When(severity=Severity.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
PROBLEM_SORTS = {
    "": ("-found_on", "-pk"),
    "found_on": ("found_on", "pk"),
    "org": ("organization__path", "-found_on", "-pk"),
    "severity": (SEVERITY_RANK, "-found_on", "-pk"),
}


def _task_counts():
    """The grouped join the export reads all problems through (one pass for all rows)."""
    return {
        "n_tasks": Count("tasks"),
        "n_closed": Count("tasks", filter=Q(tasks__status=TaskStatus.CLOSED)),
    }


def _tasks_counted(tasks):
    return Coalesce(Subquery(
        tasks.order_by().values("problem").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    ), 0)


class PagedOnKeys:
    """What a Paginator slices when the rows it shows cost more than the rows it
    sorts: the count and the page's keys read only the filtered, sorted table; the
    page's rows (`rows(keys)`: joins, per-row figures) are read for those keys only,
    in the same query as the keys (`pk IN (… LIMIT 50 OFFSET n)`)."""

    ordered = True  # the Paginator's check: the keys are read in `queryset`'s order

    def __init__(self, queryset, rows):
        self.queryset, self.rows = queryset, rows

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("a page is a slice")
        return self.rows(self.queryset.values("pk")[index])


def problems_for_user(*, user, filters=NO_FILTERS, sort=""):
    """The 问题清单 to page through (PagedOnKeys): problems in scope with their
    organization, item, finder, and how many tasks they have and how many of those
    are closed — counted for the page's rows only, so a page costs the same in a
    committee and in a city."""
    order = PROBLEM_SORTS.get(sort, PROBLEM_SORTS[""])
    tasks = RectificationTask.objects.filter(problem=OuterRef("pk"))

    def rows(keys):
        return (
            Problem.objects.filter(pk__in=keys)
            .select_related("organization", "item", "found_by")
            .annotate(n_tasks=_tasks_counted(tasks),
                      n_closed=_tasks_counted(tasks.filter(status=TaskStatus.CLOSED)))
            .order_by(*order)
        )

    return PagedOnKeys(_problems(user, filters).order_by(*order), rows)


def problem_summary(*, user, filters=NO_FILTERS) -> dict:
    """total, per ProblemState and high-severity counts of the filtered problems: one
    pass over the problems joined to their tasks (distinct problems counted), not two
    EXISTS probes per problem."""
    counts = _problems(user, filters).aggregate(
        total=Count("pk", distinct=True),
        with_task=Count("pk", distinct=True, filter=Q(tasks__isnull=False)),
        rectifying=Count("pk", distinct=True, filter=Q(tasks__status__in=UNCLOSED)),
        high=Count("pk", distinct=True, filter=Q(severity=Severity.HIGH)),
    )
    counts = {key: value or 0 for key, value in counts.items()}
    counts["no_task"] = counts["total"] - counts.pop("with_task")
    counts["done"] = counts["total"] - counts["no_task"] - counts["rectifying"]
    return counts


def problem_rows(*, user, filters=NO_FILTERS, sort=""):
    """The export's rows as tuples (one grouped query, read in chunks)."""
    return (
        _problems(user, filters)
        .annotate(**_task_counts())
        .order_by(*PROBLEM_SORTS.get(sort, PROBLEM_SORTS[""]))
        .values_list(
            "organization__path", "organization__code", "organization__name",
            "organization__category__name", "source", "item__code", "description", "severity",
            "found_by__full_name", "found_by__username", "found_on", "n_tasks", "n_closed",
        )
    )


# ---------------------------------------------------------------- 责任清单

PERSON_SORTS = {
    "": ("responsible_name", "responsible_id"),
    "-overdue": ("-n_overdue", "-n_unclosed", "responsible_name", "responsible_id"),
    "-unclosed": ("-n_unclosed", "-n_overdue", "responsible_name", "responsible_id"),
    "-total": ("-total", "responsible_name", "responsible_id"),
}


def tasks_by_person(*, user, filters=NO_FILTERS, sort=""):
    """The 责任清单: one row per responsible person (the name on the task and, when set,
    the user) with their tasks counted per status and overdue: one grouped query (a
    page of it, and its count, under a Paginator)."""
    return (
        _tasks(user, filters)
        .values(
            "responsible_name", "responsible_id", "responsible__full_name",
            "responsible__username",
        )
        .annotate(
            **_status_counts(), n_unclosed=Count("pk", filter=Q(status__in=UNCLOSED))
        )
        .order_by(*PERSON_SORTS.get(sort, PERSON_SORTS[""]))
    )


def person_rows(values):
    """Give each grouped row its Person and figures (no query)."""
    rows = []
    for v in values:
        person = Person(v["responsible_id"], v["responsible_name"])
        user_name = v["responsible__full_name"] or v["responsible__username"] or ""
        rows.append(PersonRow(
            person=person, key=person.key, name=person.name,
            user_name=user_name if user_name != person.name else "",
            username=v["responsible__username"] or "", counts=_figures(v),
        ))
    return rows


@dataclass
class PersonRow:
    person: Person
    key: str
    name: str
    user_name: str  # the user's own name when it differs from the one typed on the task
    username: str
    counts: dict
    url: str = ""  # the task list of this person's tasks (set by the view)
    cells: list = field(default_factory=list)  # the figures in column order (set by the view)


# ---------------------------------------------------------------- 整改清单


@dataclass
class MatrixRow:
    """One committee of the status matrix and its figures (FIGURES)."""

    key: str  # the committee filter value ('' when the row cannot be filtered on)
    name: str
    counts: dict = field(default_factory=dict)
    linked: bool = True  # whether the committee filter can list these tasks
    cells: list = field(default_factory=list)  # the figures in column order (set by the view)


def tasks_by_committee(*, user, committees, filters=NO_FILTERS):
    """The 整改清单's matrix: committees × statuses (and overdue).

    One grouped query on the committee's prefix of the organization's path, each
    group with its organization's name (a subquery per group), so the names of
    prefixes that are not among `committees` (committee_choices: a user whose scope
    lies below the committee level, a task above it) cost no further query.
    """
    grouped = (
        _tasks(user, filters)
        .annotate(prefix=Substr("organization__path", 1, COMMITTEE_PREFIX))
        .values("prefix")
        .annotate(**_status_counts(), prefix_name=Subquery(
            Organization.objects.filter(path=OuterRef("prefix")).values("name")[:1]))
        .order_by("prefix")
    )
    by_prefix = {row["prefix"]: row for row in grouped}
    # Every committee in scope is a row, even with nothing left by the filters; once
    # one committee is picked, only that one.
    if filters.committee is not None:
        committees = [org for org in committees if org.path.startswith(filters.committee.path)]
    known = {org.path: org for org in committees}
    rows = []
    for path in sorted(set(known) | set(by_prefix)):
        org = known.get(path)
        rows.append(MatrixRow(
            key=str(org.pk) if org else "",
            name=org.name if org else (by_prefix[path]["prefix_name"] or path),
            counts=_figures(by_prefix.get(path)),
            linked=org is not None,
        ))
    return rows


def matrix_totals(rows) -> dict:
    totals = _figures()
    for row in rows:
        for key in FIGURES:
            totals[key] += row.counts[key]
    return totals


def status_previews(*, user, filters=NO_FILTERS, size=PREVIEW) -> dict:
    """group -> the first `size` tasks by deadline of each unclosed status and of
    overdue; two queries (a window over the statuses, and the overdue ones). Closed
    tasks are a record, not work: their group shows its figure only."""
    ranked = (
        _tasks(user, filters)
        .filter(status__in=UNCLOSED)
        .annotate(rank=Window(
            RowNumber(), partition_by=[F("status")], order_by=[F("deadline").asc(), F("pk").asc()]
        ))
        .filter(rank__lte=size)
        .select_related("organization")
        .order_by("deadline", "pk")
    )
    previews = {group: [] for group in GROUPS if group != TaskStatus.CLOSED}
    for task in ranked:
        previews[task.status].append(task)
    previews[OVERDUE] = list(
        _tasks(user, filters).filter(overdue_q()).select_related("organization")
        .order_by("deadline", "pk")[:size]
    )
    return previews

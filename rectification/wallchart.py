"""挂图作战: the wall chart's filters, its reads and its layout (weeks, bars, colours).

The layout is plain arithmetic on dates (`timeline`, `bar`, `tone`), kept apart from
the database so it can be tested without one. The reads cost a fixed number of
queries whatever the number of tasks: one aggregate for the week range and the totals,
a count and a page of organizations (grouped from the tasks), the page's tasks, and
the names of the page's committees. The page is paginated by organization, not by
task, so an organization's bars never straddle two pages; an organization with very
many tasks shows the first MAX_TASKS_PER_ORG (by deadline) and says how many more.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber, Substr
from django.utils.translation import gettext_lazy as _

from orgs.models import COMMITTEE_LEVELS, Category, Organization
from orgs.scoping import scope_paths

from .models import RectificationTask, TaskStatus, overdue_q

WEEK = timedelta(days=7)
MAX_WEEKS = 52
WEEKS_BEFORE = 4  # the range when nothing is on the chart: four weeks back ...
WEEKS_AFTER = 8  # ... and eight ahead
ORGS_PER_PAGE = 40
MAX_TASKS_PER_ORG = 30
STEP = Organization.steplen
# Rows are grouped under the organization at this depth: the 党委/党工委 under the county
# (县委 is the root at depth 1). The county's own tasks group under the county.
COMMITTEE_DEPTH = 2
NO_CATEGORY = "none"  # the category filter's value for organizations without one
ALL_STATUSES = "all"  # the status filter's value that shows closed tasks too

# One colour per tone, shared by the page's CSS (static/css/wallchart.css) and the export.
TONE_COLORS = {
    "open": "ADB5BD",  # grey
    "in_progress": "0D6EFD",  # blue
    "awaiting_check": "FFC107",  # amber
    "closed": "198754",  # green
    "overdue": "DC3545",  # red: not closed and past its deadline
}
TONE_LABELS = {
    "open": TaskStatus.OPEN.label,
    "in_progress": TaskStatus.IN_PROGRESS.label,
    "awaiting_check": TaskStatus.AWAITING_CHECK.label,
    "closed": TaskStatus.CLOSED.label,
    "overdue": _("Overdue"),
}


# ---------------------------------------------------------------- layout (no database)


def monday(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def week_label(start: date) -> str:
    """11/17: month/day of the week's Monday, the way a wall chart is labelled."""
    return f"{start.month}/{start.day}"


@dataclass(frozen=True)
class Week:
    index: int
    start: date
    label: str
    is_current: bool
    new_month: bool  # the first week starting in its month: the header shows the month


@dataclass(frozen=True)
class Timeline:
    """The chart's weeks: `count` weeks from the Monday `first`.

    `wanted_first`/`wanted_last` are the Mondays the tasks asked for; when they span
    more than MAX_WEEKS the chart shows a window of them (`capped`).
    """

    first: date
    count: int
    today: date
    capped: bool = False
    wanted_first: date | None = None
    wanted_last: date | None = None

    @property
    def last(self) -> date:
        return self.first + (self.count - 1) * WEEK

    def column(self, day: date) -> int:
        """The week column of `day`, 0 first; negative before the chart, ≥ count after."""
        return (monday(day) - self.first).days // 7

    @property
    def today_column(self) -> int | None:
        column = self.column(self.today)
        return column if 0 <= column < self.count else None

    @property
    def today_percent(self) -> int:
        """Where today's line stands inside its week column: the middle of its day."""
        return round((self.today.weekday() + 0.5) * 100 / 7)

    @property
    def weeks(self) -> list[Week]:
        current = self.today_column
        weeks = []
        for index in range(self.count):
            start = self.first + index * WEEK
            weeks.append(Week(
                index=index, start=start, label=week_label(start), is_current=index == current,
                new_month=index == 0 or start.day <= 7,
            ))
        return weeks


def timeline(*, earliest_start: date | None, latest_deadline: date | None, today: date,
             max_weeks: int = MAX_WEEKS) -> Timeline:
    """The weeks from the earliest task's start to the latest deadline.

    Without tasks: four weeks back and eight ahead. Today is always on the chart (a
    wall chart without its today line cannot be read). Past `max_weeks`, the window
    starts four weeks before today, moved back if that would run past the last
    deadline, so what is due now and next is what is shown.
    """
    this_week = monday(today)
    first = monday(earliest_start) if earliest_start else this_week - WEEKS_BEFORE * WEEK
    last = monday(latest_deadline) if latest_deadline else this_week + WEEKS_AFTER * WEEK
    first, last = min(first, this_week), max(last, this_week)
    count = (last - first).days // 7 + 1
    if count <= max_weeks:
        return Timeline(first=first, count=count, today=today, wanted_first=first,
                        wanted_last=last)
    start = max(first, this_week - WEEKS_BEFORE * WEEK)
    if start + (max_weeks - 1) * WEEK > last:
        start = last - (max_weeks - 1) * WEEK
    return Timeline(first=start, count=max_weeks, today=today, capped=True,
                    wanted_first=first, wanted_last=last)


@dataclass(frozen=True)
class Bar:
    """A task's bar in week columns (0-based, `end` included). A bar running past an
    edge of the chart is cut there and says so; one wholly outside is not `visible`."""

    start: int
    end: int
    visible: bool = True
    cut_before: bool = False
    cut_after: bool = False

    @property
    def grid_column(self) -> str:
        # CSS grid lines: line 1 is before the label column, week 0 starts on line 2.
        return f"{self.start + 2} / {self.end + 3}"

    def covers(self, column: int) -> bool:
        return self.visible and self.start <= column <= self.end


def bar(line: Timeline, starts_on: date, deadline: date) -> Bar:
    """From the start's week to the deadline's week; a start after the deadline (typed
    the wrong way round) is a one-week bar on the deadline."""
    start, end = line.column(min(starts_on, deadline)), line.column(deadline)
    if end < 0 or start >= line.count:
        return Bar(start=0, end=0, visible=False, cut_before=end < 0, cut_after=start >= line.count)
    return Bar(
        start=max(start, 0), end=min(end, line.count - 1),
        cut_before=start < 0, cut_after=end >= line.count,
    )


def tone(status: str, deadline: date, today: date) -> str:
    """The bar's colour: its status, or overdue (red) when not closed and past the deadline."""
    if status != TaskStatus.CLOSED and deadline < today:
        return "overdue"
    return status


def legend() -> list[tuple[str, str, str]]:
    """(tone, label, colour) for the legend, in the order work goes."""
    return [(key, TONE_LABELS[key], TONE_COLORS[key]) for key in TONE_COLORS]


# ---------------------------------------------------------------- filters


STATUS_CHOICES = [
    ("", _("Not closed")),
    *TaskStatus.choices,
    (ALL_STATUSES, _("All, closed included")),
]


class WallChartFilterForm(forms.Form):
    """GET filters. An invalid value is dropped and shown beside the form, never an
    error page (as on every list): the chart still shows what the rest asks for."""

    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    deadline_from = forms.DateField(
        label=_("Deadline from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline_to = forms.DateField(
        label=_("Deadline to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, data=None, *, committees, categories):
        super().__init__(data)
        self.committees = {str(org.pk): org for org in committees}
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees
        ]
        self.category_names = {str(c.pk): c.name for c in categories}
        self.fields["category"].choices = (
            [("", _("All categories"))]
            + list(self.category_names.items())
            + [(NO_CATEGORY, _("No category"))]
        )
        self.fields["q"].widget.attrs["placeholder"] = _("Measure, person or organization")
        for bound in self:
            widget = bound.field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("deadline_from"), cleaned.get("deadline_to")
        if start and end and start > end:
            self.add_error("deadline_to", _("The end of the range is before its start."))
        return cleaned

    def filters(self) -> "Filters":
        """The valid filters; an invalid one is left out (its error shows on the form)."""
        self.is_valid()
        f = self.cleaned_data
        return Filters(
            committee=self.committees.get(f.get("committee") or ""),
            category=f.get("category") or "",
            status=f.get("status") or "",
            overdue=bool(f.get("overdue")),
            deadline_from=f.get("deadline_from"),
            deadline_to=f.get("deadline_to"),
            q=(f.get("q") or "").strip(),
        )

    def query(self) -> dict:
        """The valid filters as GET parameters, for the export link."""
        self.is_valid()
        params = {}
        for name, value in self.cleaned_data.items():
            if value in ("", None, False):
                continue
            params[name] = "1" if value is True else (
                value.isoformat() if isinstance(value, date) else value
            )
        return params


@dataclass(frozen=True)
class Filters:
    committee: Organization | None = None
    category: str = ""
    status: str = ""
    overdue: bool = False
    deadline_from: date | None = None
    deadline_to: date | None = None
    q: str = ""


def committee_choices(user):
    """The committee-level organizations in the user's scope, for the committee filter."""
    return list(
        Organization.objects.visible_to(user)
        .filter(level__in=COMMITTEE_LEVELS, is_active=True)
        .only("pk", "name", "path")
    )


def category_choices():
    return list(Category.objects.filter(is_active=True).only("pk", "name"))


# ---------------------------------------------------------------- reads


def chart_tasks(*, user, filters: Filters, today: date):
    """The tasks in the user's scope that the filters keep (unordered, not yet read).
    By default the tasks not yet closed; closed ones when the status filter asks."""
    qs = RectificationTask.objects.visible_to(user)
    if filters.status == ALL_STATUSES:
        pass
    elif filters.status:
        qs = qs.filter(status=filters.status)
    else:
        qs = qs.exclude(status=TaskStatus.CLOSED)
    if filters.committee is not None:
        qs = qs.filter(organization__path__startswith=filters.committee.path)
    if filters.category == NO_CATEGORY:
        qs = qs.filter(organization__category__isnull=True)
    elif filters.category:
        qs = qs.filter(organization__category_id=filters.category)
    if filters.overdue:
        qs = qs.filter(overdue_q(today))
    if filters.deadline_from:
        qs = qs.filter(deadline__gte=filters.deadline_from)
    if filters.deadline_to:
        qs = qs.filter(deadline__lte=filters.deadline_to)
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(measure__icontains=q) | Q(responsible_name__icontains=q)
            | Q(leader_name__icontains=q) | Q(organization__name__icontains=q)
            | Q(organization__code__iexact=q)
        )
    return qs.order_by()


@dataclass(frozen=True)
class Summary:
    tasks: int
    organizations: int
    overdue: int
    earliest_start: date | None
    latest_deadline: date | None


def summary(tasks, *, today: date) -> Summary:
    """Totals and the dates that set the week range: one aggregate query."""
    values = tasks.aggregate(
        n=Count("pk"), orgs=Count("organization_id", distinct=True),
        overdue=Count("pk", filter=overdue_q(today)),
        earliest=Min("starts_on"), latest=Max("deadline"),
    )
    return Summary(
        tasks=values["n"], organizations=values["orgs"], overdue=values["overdue"],
        earliest_start=values["earliest"], latest_deadline=values["latest"],
    )


def chart_timeline(info: Summary, *, today: date) -> Timeline:
    # A start after the deadline draws on the deadline (see `bar`), so the earliest
    # start cannot ask for weeks after the latest deadline that nothing would fill.
    return timeline(earliest_start=info.earliest_start, latest_deadline=info.latest_deadline,
                    today=today)


def organizations(tasks):
    """The organizations holding the tasks, by path, with their number of tasks: a
    grouped query for the paginator to count and slice."""
    return (
        tasks.values(
            "organization_id", path=F("organization__path"), name=F("organization__name"),
            code=F("organization__code"),
        )
        .annotate(n=Count("pk"))
        .order_by("path", "organization_id")
    )


def committee_names(tasks) -> dict:
    """{committee path: name} for the committees the tasks fall under: one query."""
    prefixes = tasks.annotate(
        prefix=Substr("organization__path", 1, COMMITTEE_DEPTH * STEP)
    ).values("prefix")
    return dict(
        Organization.objects.filter(path__in=prefixes).order_by().values_list("path", "name")
    )


@dataclass
class TaskRow:
    pk: int
    measure: str
    responsible: str
    leader: str
    starts_on: date
    deadline: date
    status: str
    status_label: str
    progress: int
    tone: str
    bar: Bar

    @property
    def overdue(self) -> bool:
        return self.tone == "overdue"

    @property
    def tone_label(self):
        return TONE_LABELS[self.tone]


@dataclass
class OrgBlock:
    pk: int
    name: str
    code: str
    path: str
    n_tasks: int
    tasks: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.n_tasks - len(self.tasks)


@dataclass
class Group:
    path: str
    name: str
    orgs: list = field(default_factory=list)


TASK_FIELDS = (
    "pk", "organization_id", "measure", "responsible_name", "leader_name", "starts_on",
    "deadline", "status", "progress",
)


def page_rows(tasks, *, org_rows, line: Timeline, today: date) -> list[Group]:
    """The page's organizations (rows of `organizations`) with their tasks and bars,
    grouped by committee. Two queries: the tasks (at most MAX_TASKS_PER_ORG per
    organization, ranked in the database) and the names of the page's committees."""
    blocks = {
        row["organization_id"]: OrgBlock(
            pk=row["organization_id"], name=row["name"], code=row["code"], path=row["path"],
            n_tasks=row["n"],
        )
        for row in org_rows
    }
    if not blocks:
        return []
    page_tasks = (
        tasks.filter(organization_id__in=list(blocks))
        .annotate(rank=Window(
            RowNumber(), partition_by=[F("organization_id")],
            order_by=[F("deadline").asc(), F("pk").asc()],
        ))
        .filter(rank__lte=MAX_TASKS_PER_ORG)
        .values(*TASK_FIELDS)
        .order_by("deadline", "pk")
    )
    labels = dict(TaskStatus.choices)
    for t in page_tasks:
        blocks[t["organization_id"]].tasks.append(TaskRow(
            pk=t["pk"], measure=t["measure"], responsible=t["responsible_name"],
            leader=t["leader_name"], starts_on=t["starts_on"], deadline=t["deadline"],
            status=t["status"], status_label=labels.get(t["status"], t["status"]),
            progress=t["progress"], tone=tone(t["status"], t["deadline"], today),
            bar=bar(line, t["starts_on"], t["deadline"]),
        ))
    prefixes = {block.path[: COMMITTEE_DEPTH * STEP] for block in blocks.values()}
    names = dict(
        Organization.objects.filter(path__in=prefixes).order_by().values_list("path", "name")
    )
    groups: list[Group] = []
    for block in blocks.values():  # by path, so a committee's organizations are together
        prefix = block.path[: COMMITTEE_DEPTH * STEP]
        if not groups or groups[-1].path != prefix:
            groups.append(Group(path=prefix, name=names.get(prefix, block.name)))
        groups[-1].orgs.append(block)
    return groups


def scope_names(user) -> list[str]:
    """The names of the user's scope roots; [] for everything (a superuser). One query."""
    paths = scope_paths(user)
    if paths is None:
        return []
    if not paths:
        return ["—"]
    return list(
        Organization.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    )

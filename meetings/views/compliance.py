"""达标情况 of organizational life: the compliance table and its export, and who met.

The table has one row per branch-level organization in the user's scope and one
column per rule in force (支部委员会 every month …): held against due, the missing
meetings named by their periods, the running period shown as in progress. It is
computed with `meetings.compliance.compliance` on the page's organizations only;
"only those missing something" and the export need every organization, so they
walk the filtered organizations a chunk at a time (three queries a chunk).

Who met is the committee's month (or quarter) at a glance: per branch, per type
whose rule asks for it every month (quarter), held or not yet, rolled up per
committee ("主题党日: 23 of 30 branches").
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from orgs.models import BRANCH_LEVELS, Organization
from orgs.scoping import scope_q
from orgs.selectors.committees import (
    COMMITTEE_PREFIX,
    committee_choices,
    committee_names,
    committee_of,
    scope_names,
)

from .. import access, selectors
from .. import excel_compliance as excel
from ..compliance import compliance, period_of
from ..forms_compliance import ComplianceFilterForm, WhoMetForm
from ..models import Meeting, MeetingRule, MeetingType, Rhythm

PAGE_SIZE = 50
CHUNK = 500
ORG_FIELDS = ("pk", "path", "depth", "code", "name", "level", "founded_on")
FILTER_NAMES = {"year": "年度", "committee": "党(工)委", "q": "搜索", "type": "会议类型",
                "only_missing": "筛选"}


def _reader(request):
    """Anyone with a role reads their scope's log; anyone else gets 403."""
    if not access.can_read(request.user):
        raise PermissionDenied
    return request.user


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _branches(user, *, committee=None, q=""):
    """The active branch-level organizations in scope, in tree order."""
    orgs = (Organization.objects.filter(scope_q(user))
            .filter(is_active=True, level__in=BRANCH_LEVELS).only(*ORG_FIELDS).order_by("path"))
    if committee is not None:
        orgs = orgs.filter(path__startswith=committee.path)
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return orgs


def _rules(user, *, year, committee=None, meeting_type=None, rhythm=None):
    """The rules in force in `year` that can apply to the branches shown (one query):
    the county's and those of any issuer in or above the scope, in the county's order."""
    rules = (MeetingRule.objects.visible_to(user).filter(is_active=True, valid_from__lte=year)
             .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year))
             .select_related("meeting_type", "owner")
             .order_by("meeting_type__ordering", "meeting_type_id", "rhythm", "owner__path"))
    if committee is not None:
        above = [*committee.ancestor_paths(), committee.path]
        rules = rules.filter(Q(owner__path__in=above) | Q(owner__path__startswith=committee.path))
    if meeting_type is not None:
        rules = rules.filter(meeting_type=meeting_type)
    if rhythm is not None:
        rules = rules.filter(rhythm=rhythm)
    return [r for r in rules if not r.levels or set(r.levels) & BRANCH_LEVELS]


def _applies(rule, org) -> bool:
    return org.path.startswith(rule.owner.path) and (not rule.levels or org.level in rule.levels)


# ---------------------------------------------------------------- the compliance table


@dataclass
class RuleColumn:
    rule: MeetingRule
    header: str


def _columns(rules) -> list[RuleColumn]:
    """One column per rule; a type with two rules (two rhythms, or two issuers) says which."""
    names = [r.meeting_type.name for r in rules]
    columns = []
    for rule in rules:
        header = rule.meeting_type.name
        if names.count(header) > 1:
            header = f"{header}（{rule.get_rhythm_display()}）"
        columns.append(RuleColumn(rule, header))
    headers = [c.header for c in columns]
    for column in columns:
        if headers.count(column.header) > 1:
            column.header = f"{column.header}·{column.rule.owner.name}"
    return columns


@dataclass
class Cell:
    met: int
    due: int
    missing: list  # period labels
    open_label: str = ""  # the running period, if any
    open_held: int = 0


@dataclass
class OrgRow:
    org: Organization
    committee: str
    cells: list = field(default_factory=list)  # Cell or None (the rule does not apply)
    missing: list = field(default_factory=list)  # [(header, [labels])]

    @property
    def has_missing(self) -> bool:
        return bool(self.missing)


def _row(org, statuses, columns, names) -> OrgRow:
    by_rule = {s.rule.pk: s for s in statuses}
    row = OrgRow(org, committee_of(org.path, names))
    for column in columns:
        status = by_rule.get(column.rule.pk)
        if status is None:
            row.cells.append(None)
            continue
        labels = [p.period.label for p in status.missing]
        running = next((p for p in status.periods if p.is_open), None)
        row.cells.append(Cell(status.met, status.due, labels,
                              running.period.label if running else "", running.held if running else 0))
        if labels:
            row.missing.append((column.header, labels))
    return row


def _chunks(orgs):
    """The organizations CHUNK at a time, by path (keyset: no OFFSET, bounded memory)."""
    last = ""
    while True:
        chunk = list(orgs.filter(path__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].path
        if len(chunk) < CHUNK:
            return


def _all_rows(orgs, columns, year, today, names):
    for chunk in _chunks(orgs):
        result = compliance(chunk, year, today)
        for org in chunk:
            yield _row(org, result[org.pk], columns, names)


def _form(request):
    types = list(MeetingType.objects.visible_to(request.user).filter(is_active=True)
                 .only("pk", "name", "ordering", "owner_id").order_by("ordering", "pk"))
    return ComplianceFilterForm(request.GET, committees=committee_choices(request.user), types=types)


def _scope_text(request, form) -> str:
    names = scope_names(request.user)
    text = "、".join(names) if names else "全部"
    parts = [f"{FILTER_NAMES[k]} {v}" for k, v in form.labels().items()]
    return text + "；筛选：" + "，".join(parts)


@login_required
@require_GET
def compliance_table(request):
    user = _reader(request)
    form = _form(request)  # committees and types: two queries
    f = form.filters()
    today = timezone.localdate()
    columns = _columns(_rules(user, year=f.year, committee=f.committee, meeting_type=f.meeting_type))
    names = committee_names()
    orgs = _branches(user, committee=f.committee, q=f.q)
    if f.only_missing:
        # Which organizations miss something is known only once computed: walk them all,
        # keep the ids, and page through those.
        ids = [row.org.pk for row in _all_rows(orgs, columns, f.year, today, names) if row.has_missing]
        page_obj = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        page_orgs = list(orgs.filter(pk__in=list(page_obj.object_list)))
    else:
        page_obj = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
        page_orgs = list(page_obj.object_list)
    result = compliance(page_orgs, f.year, today)
    rows = [_row(org, result[org.pk], columns, names) for org in page_orgs]
    return render(request, "meetings/compliance/table.html", {
        "tab": "compliance",
        "meetings_tabs": selectors.tabs_context(user),
        "form": form,
        "year": f.year,
        "today": today,
        "columns": columns,
        "rows": rows,
        "page_obj": page_obj,
        "export_query": urlencode({"year": str(f.year), **form.params(without=("year",))}),
        "querystring_without_page": _query_without_page(request),
    })


@login_required
@require_GET
def compliance_export(request):
    """Every organization of the filters, a chunk at a time. Queries: the filter form's
    two, the rules, the committee names and the scope's names, then three a chunk."""
    user = _reader(request)
    form = _form(request)
    f = form.filters()
    today = timezone.localdate()
    columns = _columns(_rules(user, year=f.year, committee=f.committee, meeting_type=f.meeting_type))
    names = committee_names()
    scope = _scope_text(request, form)
    orgs = _branches(user, committee=f.committee, q=f.q)

    def rows():
        for row in _all_rows(orgs, columns, f.year, today, names):
            if f.only_missing and not row.has_missing:
                continue
            yield (row.committee, row.org.code, row.org.name,
                   [None if c is None else (c.met, c.due) for c in row.cells], row.missing)

    return excel.compliance_export(year=f.year, scope=scope, headers=[c.header for c in columns],
                                   rows=rows())


# ---------------------------------------------------------------- who met


@dataclass
class TypeColumn:
    meeting_type: MeetingType
    held: int = 0  # branches that met the rule
    owing: int = 0  # branches the rule applies to for the whole period


@dataclass
class Mark:
    held: int
    minimum: int

    @property
    def met(self) -> bool:
        return self.held >= self.minimum


@dataclass
class Group:
    name: str
    path: str
    branches: int = 0
    columns: list = field(default_factory=list)  # TypeColumn per type


def _shift(period, rhythm, step):
    """The period before (step -1) or after (+1) this one."""
    day = period.start - timedelta(days=1) if step < 0 else period.end + timedelta(days=1)
    return period_of(rhythm, day)


@login_required
@require_GET
def who_met(request):
    user = _reader(request)
    form = WhoMetForm(request.GET, committees=committee_choices(user))  # one query
    rhythm, day, committee, not_yet = form.values()
    period = period_of(rhythm, day)
    today = timezone.localdate()
    is_open = period.end >= today
    rules = _rules(user, year=period.start.year, committee=committee, rhythm=rhythm)
    types = []
    for rule in rules:
        if rule.meeting_type not in types:
            types.append(rule.meeting_type)
    orgs = list(_branches(user, committee=committee))
    held = {}
    if orgs and types and period.start <= today:
        meetings = (
            Meeting.objects.filter(scope_q(user, "organization__"))
            .filter(organization__is_active=True, organization__level__in=BRANCH_LEVELS,
                    meeting_type__in=types, held_on__gte=period.start,
                    held_on__lte=min(period.end, today))
        )
        if committee is not None:
            meetings = meetings.filter(organization__path__startswith=committee.path)
        for r in meetings.order_by().values("organization_id", "meeting_type_id").annotate(n=Count("pk")):
            held[r["organization_id"], r["meeting_type_id"]] = r["n"]

    names = committee_names()
    groups: dict[str, Group] = {}
    total = Group("", "", columns=[TypeColumn(t) for t in types])
    rows = []
    for org in orgs:
        prefix = org.path[:COMMITTEE_PREFIX]
        group = groups.get(prefix)
        if group is None:
            group = groups[prefix] = Group(committee_of(org.path, names) or "", prefix,
                                           columns=[TypeColumn(t) for t in types])
        group.branches += 1
        total.branches += 1
        marks = []
        for i, t in enumerate(types):
            minimum = max((r.minimum for r in rules if r.meeting_type_id == t.pk and _applies(r, org)),
                          default=None)
            owes = minimum is not None and (org.founded_on is None or org.founded_on <= period.start)
            if not owes:
                marks.append(None)
                continue
            mark = Mark(held.get((org.pk, t.pk), 0), minimum)
            marks.append(mark)
            for g in (group, total):
                g.columns[i].owing += 1
                g.columns[i].held += mark.met
        rows.append((org, group.name, marks))
    if not_yet:
        rows = [r for r in rows if any(m is not None and not m.met for m in r[2])]
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    base = {k: v for k, v in request.GET.items() if k in ("committee", "not_yet") and v}
    nav = {}
    for key, step in (("previous", -1), ("next", 1)):
        other = _shift(period, rhythm, step)
        if other.start <= today:
            nav[key] = urlencode({**base, "period": rhythm, "date": other.start.isoformat()})
    return render(request, "meetings/compliance/who_met.html", {
        "tab": "who_met",
        "meetings_tabs": selectors.tabs_context(user),
        "form": form,
        "rhythm": rhythm,
        "is_month": rhythm == Rhythm.MONTH,
        "period": period,
        "is_open": is_open,
        "types": types,
        "groups": list(groups.values()),
        "total": total,
        "rows": [{"org": o, "committee": c, "marks": m} for o, c, m in page_obj.object_list],
        "page_obj": page_obj,
        "nav": nav,
        "switch_query": urlencode({**base, "period": Rhythm.QUARTER if rhythm == Rhythm.MONTH
                                   else Rhythm.MONTH, "date": day.isoformat()}),
        "querystring_without_page": _query_without_page(request),
    })

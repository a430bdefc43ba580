"""What the dashboard page adds to the panels' figures: where each figure links to, and
the data of its charts. No queries: everything comes from the scope and the panels.

Links. The project's lists filter on a committee (a county's child) and search an
organization's name or code. A group at the committee level is exactly
`?committee=<pk>`; a group below it (a branch, a 党总支) is its committee and
`?q=<its code>`, which matches the group's subtree where codes grow down the tree (the
demo's QH02-001 → QH02-001-01) and the group itself otherwise. A row outside the
groups the user may open gets no link (`q` is None).

Charts. Each chart is a plain dict that static/js/dashboard.js turns into an ECharts
option: category labels, series (name, values, stack), and per category the drill-down
link of the group it names.
"""

from urllib.parse import urlencode

from django.utils.translation import gettext as _

from assessments.models import AssessmentStatus, Grade
from assessments.selectors_campaigns import NO_CATEGORY
from orgs.selectors.committees import COMMITTEE_DEPTH, COMMITTEE_PREFIX
from rectification.models import TaskStatus

# Colours people read without a legend: greens for done, amber for waiting, red for trouble.
STATUS_COLOURS = {
    AssessmentStatus.NOT_STARTED: "#adb5bd",
    AssessmentStatus.DRAFT: "#ffc107",
    AssessmentStatus.SUBMITTED: "#0dcaf0",
    AssessmentStatus.RETURNED: "#dc3545",
    AssessmentStatus.REVIEWED: "#0d6efd",
    AssessmentStatus.ACCEPTED: "#198754",
}
GRADE_COLOURS = {Grade.ADVANCED: "#198754", Grade.GENERAL: "#0d6efd", Grade.LAGGING: "#dc3545"}
PREVIOUS_GRADE_COLOURS = {Grade.ADVANCED: "#a3cfbb", Grade.GENERAL: "#9ec5fe", Grade.LAGGING: "#f1aeb5"}
TASK_COLOURS = {
    TaskStatus.OPEN: "#adb5bd",
    TaskStatus.IN_PROGRESS: "#0d6efd",
    TaskStatus.AWAITING_CHECK: "#ffc107",
    TaskStatus.CLOSED: "#198754",
}


class ListLinks:
    """Query strings narrowing the project's lists to one organization's subtree."""

    def __init__(self, scope):
        known = [*scope.trail, *scope.groups.values()]
        self.committees = {org.path: org for org in known if org.depth == COMMITTEE_DEPTH}

    def params(self, org) -> dict:
        if org is None or org.depth < COMMITTEE_DEPTH:
            return {}  # the whole of the user's scope: the lists' default
        out = {}
        committee = self.committees.get(org.path[:COMMITTEE_PREFIX])
        if committee is not None:
            out["committee"] = committee.pk
        if org.depth > COMMITTEE_DEPTH and org.code:
            out["q"] = org.code
        return out

    def query(self, org) -> str:
        return urlencode(self.params(org))


def scope_query(scope, choice, **more) -> str:
    """The dashboard's own parameters (scope and campaign), for its links and exports."""
    params = dict(scope.params())
    if choice.campaign is not None:
        params["campaign"] = choice.campaign.pk
    else:
        params["year"] = choice.year
    params.update(more)
    return urlencode(params)


def drill_query(org, choice) -> str:
    params = {"org": org.pk}
    if choice.campaign is not None:
        params["campaign"] = choice.campaign.pk
    else:
        params["year"] = choice.year
    return urlencode(params)


GROUPED_PANELS = ("progress", "grades", "gap", "rectification", "pairings", "funding")


def _cells(row, choices):
    """A row's figures in the columns' order (a template cannot index a dict by a variable)."""
    return [{"key": key, "label": label, "n": row.get(key) or 0} for key, label in choices]


def add_links(data: dict) -> None:
    """Set on every group row `q` (the lists' filter; None: no list narrows to it),
    `cq` (the committee alone, for the lists that do not search) and `drill` (the
    dashboard opened on that group); the same for the root; and each row's `cells`."""
    scope, choice = data["scope"], data["choice"]
    links = ListLinks(scope)
    data["scope_query"] = scope_query(scope, choice)
    root = links.params(scope.root)
    data["root_q"] = urlencode(root)
    data["root_cq"] = urlencode({k: v for k, v in root.items() if k == "committee"})
    for key in GROUPED_PANELS:
        for row in data[key]["rows"]:
            org = row["group"]
            if org is None:
                row["q"] = row["cq"] = row["drill"] = None
                continue
            params = links.params(org)
            row["q"] = urlencode(params)
            row["cq"] = urlencode({k: v for k, v in params.items() if k == "committee"})
            row["drill"] = drill_query(org, choice)
    # A failed item's problems (the problem list searches item codes too).
    for row in data["weakest"]["items"]:
        row["q"] = urlencode({k: v for k, v in root.items() if k == "committee"} | {"q": row["item__code"]})
    progress, grades, rect = data["progress"], data["grades"], data["rectification"]
    for row in [*progress["by_category"], *grades["by_category"]]:
        row["q"] = urlencode({**root, "category": row["organization__category_id"] or NO_CATEGORY})
    statuses, grade_choices = AssessmentStatus.choices, Grade.choices
    for row in [*progress["rows"], *progress["by_category"]]:
        row["cells"] = _cells(row, statuses)
    progress["total_cells"] = _cells(progress["totals"], statuses)
    for row in [*grades["rows"], *grades["by_category"]]:
        row["cells"] = _cells(row, grade_choices)
        if "previous" in row:
            row["previous_cells"] = _cells(row["previous"], grade_choices)
    grades["total_cells"] = _cells(grades["totals"], grade_choices)
    if grades["previous_totals"] is not None:
        grades["previous_total_cells"] = _cells(grades["previous_totals"], grade_choices)
    for row in rect["rows"]:
        row["cells"] = _cells(row, TaskStatus.choices)
    rect["total_cells"] = _cells(rect["totals"], TaskStatus.choices)
    data["funding"]["year_q"] = urlencode({"year": data["funding"]["year"]})
    for task in rect["oldest"]:
        task.days_overdue = (data["today"] - task.deadline).days
    data["status_choices"] = statuses
    data["grade_choices"] = grade_choices
    data["task_choices"] = TaskStatus.choices
    data["empty"] = {
        "progress": not progress["totals"]["total"],
        "grades": not grades["totals"]["graded"],
        "stars": not data["stars"]["rated"] and not data["stars"]["revocations"],
        "weakest": not data["weakest"]["items"] and not data["weakest"]["dimensions"],
        "gap": not data["gap"]["rows"],
        "rectification": not rect["totals"]["total"],
        "pairings": not data["pairings"]["totals"]["total"],
        "funding": not data["funding"]["totals"]["n"],
    }


def _label(row):
    return row["name"] or _("Other organizations")


def _drills(rows):
    return [f"?{row['drill']}" if row.get("drill") else None for row in rows]


def _number(value):
    return None if value is None else float(value)


def charts(data: dict) -> dict:
    """The data of every chart, keyed by the id of the element that shows it."""
    out = {}
    progress, grades = data["progress"], data["grades"]
    status_labels = dict(AssessmentStatus.choices)
    grade_labels = dict(Grade.choices)
    if progress["totals"]["total"]:
        out["chart-progress"] = {
            "horizontal": True,
            "categories": [_label(r) for r in progress["rows"]],
            "links": _drills(progress["rows"]),
            "series": [
                {"name": str(status_labels[s]), "stack": "all", "color": STATUS_COLOURS[s],
                 "data": [r[s] for r in progress["rows"]]}
                for s in progress["statuses"]
            ],
        }
        out["chart-progress-category"] = {
            "horizontal": True,
            "categories": [r["organization__category__name"] or _("No category")
                           for r in progress["by_category"]],
            "series": [
                {"name": str(status_labels[s]), "stack": "all", "color": STATUS_COLOURS[s],
                 "data": [r[s] for r in progress["by_category"]]}
                for s in progress["statuses"]
            ],
        }
    if grades["totals"]["graded"]:
        series = [
            {"name": str(grade_labels[g]), "stack": "now", "color": GRADE_COLOURS[g],
             "data": [r[g] for r in grades["rows"]]}
            for g in grades["grades"]
        ]
        if grades["previous_totals"] is not None:
            series += [
                {"name": _("%(grade)s (previous)") % {"grade": grade_labels[g]}, "stack": "before",
                 "color": PREVIOUS_GRADE_COLOURS[g], "data": [r["previous"][g] for r in grades["rows"]]}
                for g in grades["grades"]
            ]
        out["chart-grades"] = {
            "horizontal": True,
            "categories": [_label(r) for r in grades["rows"]],
            "links": _drills(grades["rows"]),
            "series": series,
        }
        out["chart-grades-category"] = {
            "horizontal": True,
            "categories": [r["organization__category__name"] or _("No category")
                           for r in grades["by_category"]],
            "series": [
                {"name": str(grade_labels[g]), "stack": "now", "color": GRADE_COLOURS[g],
                 "data": [r[g] for r in grades["by_category"]]}
                for g in grades["grades"]
            ],
        }
    stars = data["stars"]
    if stars["rated"]:
        out["chart-stars"] = {
            "categories": [f"{r['stars']}★" if r["stars"] else _("No star")
                           for r in stars["distribution"]],
            "series": [{"name": _("Organizations"), "color": "#b71c1c",
                        "data": [r["count"] for r in stars["distribution"]]}],
        }
    weakest = data["weakest"]
    if weakest["items"]:
        out["chart-weakest"] = {
            "horizontal": True,
            "categories": [r["item__code"] for r in weakest["items"]],
            "details": [r["item__requirement"][:60] for r in weakest["items"]],
            "series": [{"name": _("Times failed"), "color": "#dc3545",
                        "data": [r["failed"] for r in weakest["items"]]}],
        }
    if weakest["dimensions"]:
        out["chart-dimensions"] = {
            "horizontal": True,
            "categories": [r["item__dimension__name"] for r in weakest["dimensions"]],
            "max": 100,
            "unit": "%",
            "series": [{"name": _("Points won"), "color": "#0d6efd",
                        "data": [r["rate"] for r in weakest["dimensions"]]}],
        }
    gap = data["gap"]
    if gap["rows"]:
        out["chart-gap"] = {
            "horizontal": True,
            "categories": [_label(r) for r in gap["rows"]],
            "links": _drills(gap["rows"]),
            "series": [{"name": _("Average gap"), "color": "#fd7e14",
                        "data": [_number(r["avg_gap"]) for r in gap["rows"]]}],
        }
    rect = data["rectification"]
    task_labels = dict(TaskStatus.choices)
    if rect["totals"]["total"]:
        rows = [r for r in rect["rows"] if r["total"]]  # the table lists the others
        out["chart-rectification"] = {
            "horizontal": True,
            "categories": [_label(r) for r in rows],
            "links": _drills(rows),
            "series": [
                {"name": str(task_labels[s]), "stack": "all", "color": TASK_COLOURS[s],
                 "data": [r[s] for r in rows]}
                for s in TaskStatus.values
            ] + [{"name": _("Overdue"), "stack": "overdue", "color": "#dc3545",
                  "data": [r["overdue"] for r in rows]}],
        }
    pairings = data["pairings"]
    if pairings["totals"]["total"]:
        rows = [r for r in pairings["rows"] if r["total"] or r["visits"]]
        out["chart-pairings"] = {
            "horizontal": True,
            "categories": [_label(r) for r in rows],
            "links": _drills(rows),
            "series": [
                {"name": _("Active pairing"), "color": "#0d6efd", "data": [r["active"] for r in rows]},
                {"name": _("Upgraded"), "color": "#198754", "data": [r["upgraded"] for r in rows]},
                {"name": _("Visits this month"), "color": "#ffc107",
                 "data": [r["visits"] for r in rows]},
            ],
        }
    funding = data["funding"]
    if funding["totals"]["n"]:
        rows = [r for r in funding["rows"] if r["n"]]
        out["chart-funding"] = {
            "horizontal": True,
            "categories": [_label(r) for r in rows],
            "links": _drills(rows),
            "unit": _("yuan"),
            "series": [
                {"name": _("Planned"), "color": "#adb5bd",
                 "data": [_number(r["planned"]) for r in rows]},
                {"name": _("Paid"), "color": "#198754",
                 "data": [_number(r["paid"]) for r in rows]},
            ],
        }
    return out

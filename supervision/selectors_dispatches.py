"""Reads of the monthly dispatch (月调度) pages and exports.

A dispatch keeps its figures as JSON ({section: {line: value}}, money as a string
with two places); these functions turn them into rows the board, the detail page and
the Excel files show, in `dispatch.SECTIONS` order, with money as Decimal. Every
query goes through `Dispatch.objects.visible_to(user)`.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.urls import reverse

from orgs.models import Role
from orgs.scoping import has_role

from . import services
from .dispatch import MONEY_LINES, SECTIONS
from .models import Dispatch, DispatchStatus

# The figures the board shows per committee (all of them are in the board's export).
BOARD_LINES = [
    ("self_checks", "due"), ("self_checks", "done"), ("reviews", "pending"), ("problems", "found"),
    ("tasks", "opened"), ("tasks", "closed"), ("tasks", "overdue"), ("pairings", "visits"),
    ("stars", "awarded"), ("stars", "revoked"), ("funding", "paid_month"),
]
ALL_LINES = [(key, line) for key, _label, lines in SECTIONS for line, _line_label in lines]
HISTORY_SHOWN = 20
# What a history record may change that the page names (figures are not kept in history).
HISTORY_FIELDS = ("status", "notes", "submitted_by", "compiled_at")
MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


# ---------------------------------------------------------------- months


def parse_month(text) -> date | None:
    """'2026-10' -> date(2026, 10, 1); None for anything else (never an exception)."""
    match = MONTH_RE.match(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def dispatch_months(user) -> list[date]:
    """The months having a dispatch the user may read, newest first (one query)."""
    return list(
        Dispatch.objects.visible_to(user).order_by("-period").values_list("period", flat=True).distinct()
    )


@dataclass
class MonthChoice:
    """The month a board shows: `period` None when the scope has no dispatch at all;
    `asked` is the ?month= text when it was refused (malformed or without dispatches)."""

    period: date | None
    months: list
    asked: str = ""
    malformed: bool = False


def choose_month(user, asked) -> MonthChoice:
    months = dispatch_months(user)
    default = months[0] if months else None
    if not asked:
        return MonthChoice(default, months)
    period = parse_month(asked)
    if period is None:
        shown = "".join(ch for ch in str(asked)[:20] if ch.isprintable())
        return MonthChoice(default, months, asked=shown, malformed=True)
    if period not in months:
        return MonthChoice(default, months, asked=f"{period:%Y-%m}")
    return MonthChoice(period, months)


# ---------------------------------------------------------------- figures


def figure(dispatch: Dispatch, key: str, line: str):
    """One figure: an int, or a Decimal for money (a missing or damaged value is 0)."""
    figures = dispatch.figures if isinstance(dispatch.figures, dict) else {}
    section = figures.get(key)
    value = section.get(line) if isinstance(section, dict) else None
    if (key, line) in MONEY_LINES:
        try:
            number = Decimal(str(value)) if value is not None else Decimal("0.00")
        except InvalidOperation:
            number = Decimal("0.00")
        return number if number.is_finite() else Decimal("0.00")
    try:
        return int(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def totals(dispatches) -> dict:
    """{(section, line): the sum over the dispatches}, money to the fen as Decimal."""
    sums = {pair: (Decimal("0.00") if pair in MONEY_LINES else 0) for pair in ALL_LINES}
    for dispatch in dispatches:
        for key, line in ALL_LINES:
            sums[(key, line)] += figure(dispatch, key, line)
    return sums


def dispatches_of_month(user, period):
    """The month's dispatches in the user's scope, committee order, with committee and
    submitter (one query)."""
    if period is None:
        return []
    return list(
        Dispatch.objects.visible_to(user).filter(period=period)
        .select_related("committee", "submitted_by").order_by("committee__path")
    )


def board_header():
    """[(section label, [line labels])] of the board's columns."""
    wanted = set(BOARD_LINES)
    return [
        (label, [line_label for line, line_label in lines if (key, line) in wanted])
        for key, label, lines in SECTIONS
        if any((key, line) in wanted for line, _l in lines)
    ]


@dataclass
class BoardRow:
    dispatch: Dispatch
    late: bool
    cells: list = field(default_factory=list)


def board_rows(dispatches, today: date) -> list[BoardRow]:
    return [
        BoardRow(
            dispatch=d, late=services.is_late(d, today),
            cells=[{"key": f"{k}.{line}", "value": figure(d, k, line),
                    "money": (k, line) in MONEY_LINES} for k, line in BOARD_LINES],
        )
        for d in dispatches
    ]


def board_summary(rows: list[BoardRow]) -> dict:
    submitted = sum(1 for r in rows if r.dispatch.status == DispatchStatus.SUBMITTED)
    return {
        "total": len(rows),
        "submitted": submitted,
        "draft": len(rows) - submitted,
        "late": sum(1 for r in rows if r.late),
        "late_drafts": sum(1 for r in rows if r.late and r.dispatch.status == DispatchStatus.DRAFT),
    }


def board_totals(dispatches) -> list[dict]:
    sums = totals(dispatches)
    return [{"key": f"{k}.{line}", "value": sums[(k, line)], "money": (k, line) in MONEY_LINES}
            for k, line in BOARD_LINES]


# ---------------------------------------------------------------- one dispatch


def _url(name, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def figure_links(user, dispatch: Dispatch) -> dict:
    """{(section, line): the list that shows what the figure counts}. The lists show the
    committee's rows today (they have no month filter): a way in, not the same count."""
    pk = dispatch.committee_id
    tasks = reverse("rectification:task_list")
    links = {
        ("problems", "found"): _url("rectification:problem_list", committee=pk),
        ("tasks", "opened"): f"{tasks}?{urlencode({'committee': pk})}",
        ("tasks", "closed"): f"{tasks}?{urlencode({'committee': pk, 'status': 'closed'})}",
        ("tasks", "overdue"): f"{tasks}?{urlencode({'committee': pk, 'overdue': 1})}",
        ("pairings", "active"): _url("rectification:pairing_list", committee=pk),
        ("pairings", "visited"): _url("rectification:pairing_list", committee=pk),
        ("pairings", "visits"): _url("rectification:pairing_list", committee=pk),
    }
    ledger = _url("funding:ledger", committee=pk, year=dispatch.period.year)
    for line in ("planned", "paid_month", "paid_year"):
        links[("funding", line)] = ledger
    if has_role(user, Role.COMMITTEE_STAFF, Role.COUNTY_STAFF):  # the review queue is theirs
        queue = reverse("assessments:review_queue")
        links[("self_checks", "due")] = f"{queue}?{urlencode({'committee': pk})}"
        links[("reviews", "pending")] = f"{queue}?{urlencode({'committee': pk, 'status': 'submitted'})}"
    return links


def dispatch_sections(dispatch: Dispatch, links: dict | None = None) -> list[dict]:
    """The figures by section for the detail page, in SECTIONS order."""
    links = links or {}
    return [
        {
            "key": key, "label": label,
            "lines": [
                {"key": line, "label": line_label, "value": figure(dispatch, key, line),
                 "money": (key, line) in MONEY_LINES, "href": links.get((key, line), "")}
                for line, line_label in lines
            ],
        }
        for key, label, lines in SECTIONS
    ]


@dataclass
class HistoryEntry:
    record: object
    changed: list  # names among HISTORY_FIELDS that differ from the record before


def dispatch_history(dispatch: Dispatch) -> list[HistoryEntry]:
    """The newest records first, each with what it changed (one query; one record more
    than shown, to compare the oldest shown with its predecessor)."""
    records = list(
        dispatch.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :HISTORY_SHOWN + 1
        ]
    )
    entries = []
    for i, record in enumerate(records[:HISTORY_SHOWN]):
        before = records[i + 1] if i + 1 < len(records) else None
        if before is None:
            changed = []
        else:
            changed = [name for name in HISTORY_FIELDS
                       if getattr(record, _attname(name)) != getattr(before, _attname(name))]
        entries.append(HistoryEntry(record, changed))
    return entries


def _attname(name):
    return "submitted_by_id" if name == "submitted_by" else name

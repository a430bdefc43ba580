"""The supervision rules (data/rules.json) and the calendar arithmetic the jobs share."""

import calendar
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

RULES = json.loads((Path(__file__).resolve().parent / "data" / "rules.json").read_text())
DISPATCH = RULES["dispatch"]
INSPECTION = {**RULES["inspection"], "sample_share": Decimal(RULES["inspection"]["sample_share"])}
REMINDERS = RULES["reminders"]


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return month_start(month_start(day) - timedelta(days=1))


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    return month_end(date(start.year, start.month + 2, 1))


def dispatch_due(period: date) -> date:
    """A month's dispatch is due on the `due_day` of the month after it."""
    following = month_end(period) + timedelta(days=1)
    return following.replace(day=DISPATCH["due_day"])

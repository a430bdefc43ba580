"""Which meetings were due and which are missing, per organization and period.

A period (month, quarter, year) is *due* once it has ended, and only if the
organization existed for the whole of it (founded on or before its first day):
a branch founded on 20 May owes nothing for May or the second quarter, and its
first 支委会 is June's. The period running today is shown as open, never missing.

`compliance(orgs, year, today)` costs three queries whatever the number of
organizations: the rules over them, and the year's meetings counted per
organization, type and day.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from orgs.models import Organization

from .models import Meeting, MeetingRule, Rhythm

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    rhythm: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """The period as a county writes it (the same in every language: files use it too)."""
        if self.rhythm == Rhythm.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.rhythm == Rhythm.QUARTER:
            return f"{self.start.year}年{QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}"
        return f"{self.start.year}年"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month(year, month) -> Period:
    return Period(Rhythm.MONTH, date(year, month, 1),
                  date(year, month, calendar.monthrange(year, month)[1]))


def periods_of(rhythm: str, year: int) -> list[Period]:
    if rhythm == Rhythm.MONTH:
        return [_month(year, m) for m in range(1, 13)]
    if rhythm == Rhythm.QUARTER:
        return [Period(Rhythm.QUARTER, date(year, q * 3 - 2, 1), _month(year, q * 3).end)
                for q in range(1, 5)]
    return [Period(Rhythm.YEAR, date(year, 1, 1), date(year, 12, 31))]


def period_of(rhythm: str, day: date) -> Period:
    return next(p for p in periods_of(rhythm, day.year) if p.contains(day))


@dataclass
class PeriodStatus:
    period: Period
    held: int
    minimum: int
    is_open: bool = False  # running today: not missing yet

    @property
    def missing(self) -> bool:
        return not self.is_open and self.held < self.minimum


@dataclass
class RuleStatus:
    rule: MeetingRule
    periods: list = field(default_factory=list)  # PeriodStatus, due or open

    @property
    def missing(self) -> list[PeriodStatus]:
        return [p for p in self.periods if p.missing]

    @property
    def due(self) -> int:
        return sum(1 for p in self.periods if not p.is_open)

    @property
    def met(self) -> int:
        return self.due - len(self.missing)


def rules_for(orgs, year):
    """The active rules in force in `year` issued at or above any of the organizations."""
    step = Organization.steplen
    paths = {o.path[:i] for o in orgs for i in range(step, len(o.path) + 1, step)}
    return list(
        MeetingRule.objects.filter(owner__path__in=paths, is_active=True, valid_from__lte=year)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year))
        .select_related("meeting_type", "owner")
        .order_by("meeting_type__ordering", "rhythm")
    )


def _applies(rule, org) -> bool:
    return org.path.startswith(rule.owner.path) and (not rule.levels or org.level in rule.levels)


def counts(orgs, year) -> dict:
    """{org id: {type id: [days]}} for the year's meetings of these organizations (one query)."""
    rows = (
        Meeting.objects.filter(organization__in=[o.pk for o in orgs], held_on__year=year)
        .order_by()
        .values("organization_id", "meeting_type_id", "held_on")
        .annotate(n=Count("pk"))
    )
    out = {}
    for r in rows:
        out.setdefault(r["organization_id"], {}).setdefault(r["meeting_type_id"], []).extend(
            [r["held_on"]] * r["n"])
    return out


def status_for(org, rule, year, today, days_by_type) -> RuleStatus:
    status = RuleStatus(rule)
    days = days_by_type.get(rule.meeting_type_id, [])
    for period in periods_of(rule.rhythm, year):
        if org.founded_on is not None and org.founded_on > period.start:
            continue  # not there for the whole period
        if period.start > today:
            break
        held = sum(1 for day in days if period.contains(day))
        status.periods.append(PeriodStatus(period, held, rule.minimum, is_open=period.end >= today))
    return status


def compliance(orgs, year: int, today: date) -> dict[int, list[RuleStatus]]:
    """{organization id: [RuleStatus per applicable rule]} for the year, as of `today`."""
    orgs = list(orgs)
    rules = rules_for(orgs, year)
    held = counts(orgs, year)
    by_org = {}
    for org in orgs:
        mine = held.get(org.pk, {})
        by_org[org.pk] = [status_for(org, rule, year, today, mine) for rule in rules
                          if _applies(rule, org)]
    return by_org

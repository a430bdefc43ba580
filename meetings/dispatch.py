"""组织生活 in the monthly dispatch (月调度): meetings held against meetings due.

Registered with `supervision.dispatch.register_section` (MeetingsConfig.ready), so a
committee's dispatch counts, for its subtree and the month:

- held: every meeting held in the month, whatever its type;
- due: the meetings the monthly rules ask for (支委会, 党小组会, 主题党日 …): one rule's
  minimum for every organization it applies to that existed for the whole month (founded
  on or before the 1st, as meetings.compliance has it);
- branches_missing: those organizations that fell short of at least one monthly rule.

Three queries whatever the number of committees and branches: the monthly rules, the
organizations they could apply to, and the month's meetings counted per organization and
type. Figures are grouped on the committee's path prefix, like every other section.
"""

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization
from orgs.selectors.committees import COMMITTEE_PREFIX
from supervision.rules import month_end

from .models import Meeting, MeetingRule, Rhythm

KEY = "meetings"
LABEL = _("Organizational life")
LINES = [
    ("held", _("Meetings held")),
    ("due", _("Meetings due under the monthly rules")),
    ("branches_missing", _("Branches short of a monthly meeting")),
]
# The fixed Chinese of the Excel files (supervision.excel_dispatches.SECTION_NAMES' shape).
NAMES = ("组织生活", {
    "held": ("本月召开会议", "本月召开的各类会议（三会一课、主题党日等）次数"),
    "due": ("按月应开会议", "按月召开的会议规定×月初已成立的支部，应开次数"),
    "branches_missing": ("未开齐支部", "按月规定的会议本月有未开齐的支部数"),
})


def _monthly_rules(year):
    return list(
        MeetingRule.objects.filter(rhythm=Rhythm.MONTH, is_active=True, valid_from__lte=year)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year))
        .values("owner__path", "meeting_type_id", "minimum", "levels")
    )


def compute(period: date, under: str = "") -> dict:
    """{committee prefix: {"held", "due", "branches_missing"}} for the month starting `period`."""
    start, end = period, month_end(period)
    scope = Q(path__startswith=under) if under else Q()
    rules = _monthly_rules(start.year)
    # The month's meetings per organization and type (held counts them all).
    held = {}
    counted = {}
    rows = (
        Meeting.objects.filter(held_on__range=(start, end))
        .filter(Q(organization__path__startswith=under) if under else Q())
        .order_by()
        .values("organization_id", "organization__path", "meeting_type_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        prefix = row["organization__path"][:COMMITTEE_PREFIX]
        if len(prefix) == COMMITTEE_PREFIX:
            held[prefix] = held.get(prefix, 0) + row["n"]
        counted[(row["organization_id"], row["meeting_type_id"])] = row["n"]
    out = {prefix: {"held": n, "due": 0, "branches_missing": 0} for prefix, n in held.items()}
    if not rules:
        return out
    levels = None if any(not r["levels"] for r in rules) else {lv for r in rules for lv in r["levels"]}
    orgs = (
        Organization.objects.filter(scope, is_active=True)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=start))
        .filter(depth__gt=COMMITTEE_PREFIX // Organization.steplen)
        .filter(Q(level__in=levels) if levels is not None else Q())
        .values_list("pk", "path", "level")
    )
    for pk, path, level in orgs:
        mine = [r for r in rules if path.startswith(r["owner__path"])
                and (not r["levels"] or level in r["levels"])]
        if not mine:
            continue
        figures = out.setdefault(path[:COMMITTEE_PREFIX], {"held": 0, "due": 0, "branches_missing": 0})
        figures["due"] += sum(r["minimum"] for r in mine)
        if any(counted.get((pk, r["meeting_type_id"]), 0) < r["minimum"] for r in mine):
            figures["branches_missing"] += 1
    return out


def register():
    from supervision.dispatch import register_section

    register_section(KEY, LABEL, LINES, compute, names=NAMES)

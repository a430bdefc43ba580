"""The 主题党日 reminder: a branch that has not held this month's by the 20th hears of it.

Registered with `supervision.reminders.register` (MeetingsConfig.ready), so it runs in
the daily reminders job: from the 20th to the month's end, every active branch under a
county whose rules ask for a monthly 主题党日 (the library's `theme_day` type), that
existed for the whole month and has not logged enough of them this month, reminds its
secretaries once a day — the notification key names the branch and the month, and
supervision.reminders.notify writes one per (user, key, day).

Three queries whatever the county's size: the monthly theme-day rules, the branches
under them, and the month's theme-day meetings counted per branch (the recipients are
supervision's, read once for every collector).
"""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import BRANCH_LEVELS, Organization
from orgs.scoping import subtrees_q
from supervision.models import NotificationKind
from supervision.reminders import Reminder
from supervision.rules import month_end, month_start

from .models import Meeting, MeetingRule, Rhythm

THEME_DAY = "theme_day"
REMIND_FROM_DAY = 20


def theme_day_rules(year):
    return list(
        MeetingRule.objects.filter(meeting_type__code=THEME_DAY, rhythm=Rhythm.MONTH,
                                   is_active=True, valid_from__lte=year)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year))
        .values("owner__path", "meeting_type_id", "minimum", "levels")
    )


def overdue_branches(day: date):
    """[(branch, minimum, held)] of the branches short of this month's 主题党日 on `day`
    (nothing before the 20th)."""
    if day.day < REMIND_FROM_DAY:
        return []
    start = month_start(day)
    rules = theme_day_rules(day.year)
    if not rules:
        return []
    branches = list(
        Organization.objects.filter(level__in=BRANCH_LEVELS, is_active=True)
        .filter(subtrees_q(sorted({r["owner__path"] for r in rules})))
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=start))
        .order_by("path")
        .only("pk", "name", "path", "level")
    )
    held = {
        (row["organization_id"], row["meeting_type_id"]): row["n"]
        for row in Meeting.objects.filter(
            held_on__range=(start, month_end(day)),
            meeting_type__in={r["meeting_type_id"] for r in rules},
        ).order_by().values("organization_id", "meeting_type_id").annotate(n=Count("pk"))
    }
    out = []
    for branch in branches:
        for rule in rules:
            if not branch.path.startswith(rule["owner__path"]):
                continue
            if rule["levels"] and branch.level not in rule["levels"]:
                continue
            n = held.get((branch.pk, rule["meeting_type_id"]), 0)
            if n < rule["minimum"]:
                out.append((branch, rule["minimum"], n))
                break
    return out


def theme_day_reminders(day: date, people) -> list[Reminder]:
    month = f"{day:%Y-%m}"
    create = reverse("meetings:meeting_create")
    out = []
    for branch, _minimum, _held in overdue_branches(day):
        title = _("Theme Party Day (主题党日) not held yet in %(month)s: %(org)s") % {
            "month": month, "org": branch.name}
        body = _("%(org)s has not logged this month's Theme Party Day. Hold it before the month "
                 "ends and log it with its photos and sign-in sheet.") % {"org": branch.name}
        for user_id in people.secretaries_of(branch.path):
            out.append(Reminder(
                user_id, NotificationKind.MEETING_DUE, f"meeting_due:{THEME_DAY}:{branch.pk}:{month}",
                title, body, f"{create}?org={branch.pk}",
            ))
    return out


def register():
    from supervision.reminders import register as add

    add(theme_day_reminders)

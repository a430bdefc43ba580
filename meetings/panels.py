"""The organization page's 组织生活 panel: this year's meetings by type, how they stand against
the county's rules, and the latest three.

Registered with orgs.panels in MeetingsConfig.ready(), since orgs may not import meetings.
The page has scope-checked the organization, and its meetings are read by whoever reads
it. Three queries whatever the number of meetings: the rules over the organization, the
year's meetings per type and day, and the latest three.
"""

from django.urls import reverse
from django.utils import timezone

from . import access, selectors
from .compliance import _applies, rules_for, status_for

TEMPLATE = "meetings/_org_panel.html"


def org_panel(request, org):
    today = timezone.localdate()
    year = today.year
    rules = [rule for rule in rules_for([org], year) if _applies(rule, org)]
    held = selectors.held_by_type(org, year)
    latest = selectors.latest_meetings(org)
    if not rules and not latest:
        return None  # a committee, say: no rule asks it for meetings and it logged none
    days_by_type = {row["meeting_type_id"]: row["days"] for row in held}
    rows = [
        {"name": rule.meeting_type.name, "held": len(days_by_type.get(rule.meeting_type_id, [])),
         "rule": rule, "status": status_for(org, rule, year, today, days_by_type)}
        for rule in rules
    ]
    # Types held without a rule (a county's own kinds): counted, nothing asked of them.
    ruled = {rule.meeting_type_id for rule in rules}
    rows += [{"name": row["name"], "held": len(row["days"]), "rule": None, "status": None}
             for row in held if row["meeting_type_id"] not in ruled]
    can_log = (org.is_active and org.level in selectors.LOGGING_LEVELS
               and access.can_log(request.user, org))
    return TEMPLATE, {
        "org": org,
        "year": year,
        "rows": rows,
        "total": sum(len(row["days"]) for row in held),
        "latest": latest,
        "can_log": can_log,
        "log_url": f"{reverse('meetings:meeting_create')}?org={org.pk}",
    }

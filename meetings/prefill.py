"""The meeting log's answer to a bound number item (registered with assessments.prefill).

In MeetingsConfig.ready(): `assessments.prefill.register(meetings.prefill.log_counts)`.

For a self-check, each number item bound to a meeting type (`ItemBinding`) is
answered with the meetings of that type the organization held in the campaign's
year up to its self-check deadline: a meeting held after the deadline belongs to
next year's answer, not to this one. Two queries (the bindings, the meetings)
whatever the number of items or meetings; none when the page has no number item.
"""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.prefill import Prefill
from standards.models import ItemKind

from .services import counts_for_items


def meeting_label(meeting):
    return f"{meeting.held_on:%Y-%m-%d} {meeting.topic}"


def log_counts(assessment, items):
    numbers = [item for item in items if item.kind == ItemKind.NUMBER]
    if not numbers:
        return {}
    campaign = assessment.campaign
    counts = counts_for_items(organization=assessment.organization, items=numbers,
                              year=campaign.year, until=campaign.self_check_deadline)
    start, end = date(campaign.year, 1, 1), min(campaign.self_check_deadline,
                                                  date(campaign.year, 12, 31))
    out = {}
    for item_id, log in counts.items():
        note = ngettext(
            "%(n)d meeting of %(type)s held from %(start)s to %(end)s",
            "%(n)d meetings of %(type)s held from %(start)s to %(end)s",
            log.count,
        ) % {"n": log.count, "type": log.binding.meeting_type.name,
             "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
        out[item_id] = Prefill(
            value=str(log.count),
            source=_("From the meeting log"),
            note=note,
            links=[(meeting_label(m), reverse("meetings:meeting_detail", args=[m.pk]))
                   for m in log.meetings],
        )
    return out

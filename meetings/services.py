"""The meeting log as plain functions: the shipped library, recording a meeting, its files,
and the count a bound standard item reads from the log."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.evidence import FILE_TYPES, file_sha256, validate_upload
from orgs.models import BRANCH_LEVELS, Organization

from .models import ItemBinding, Meeting, MeetingAttachment, MeetingRule, MeetingType

LIBRARY = Path(__file__).resolve().parent / "data" / "library.json"
MAX_ATTACHMENTS = 10


@dataclass
class LoadResult:
    types: int
    rules: int


@transaction.atomic
def load_library(*, county: Organization, by=None) -> LoadResult:
    """The shipped meeting types and rules for a county; what it has is left alone."""
    data = json.loads(LIBRARY.read_text(encoding="utf-8"))
    types = {t.code: t for t in MeetingType.objects.filter(owner=county)}
    made_types = made_rules = 0
    for ordering, spec in enumerate(data["types"], start=1):
        if spec["code"] not in types:
            types[spec["code"]] = MeetingType.objects.create(
                owner=county, code=spec["code"], name=spec["name"], ordering=ordering)
            made_types += 1
    have = set(MeetingRule.objects.filter(owner=county).values_list("meeting_type__code", "rhythm"))
    for spec in data["rules"]:
        if (spec["type"], spec["rhythm"]) in have:
            continue
        rule = MeetingRule(owner=county, meeting_type=types[spec["type"]], rhythm=spec["rhythm"],
                           minimum=spec["minimum"], levels=sorted(BRANCH_LEVELS))
        rule._history_user = by
        rule.save()
        made_rules += 1
    return LoadResult(types=made_types, rules=made_rules)


def types_for(org: Organization):
    """The active meeting types of the organization's county (issued at or above it)."""
    return MeetingType.objects.filter(owner__path__in=[*org.ancestor_paths(), org.path],
                                      is_active=True)


def _check(org, meeting_type, held_on, due, present):
    errors = {}
    if not types_for(org).filter(pk=meeting_type.pk).exists():
        errors["meeting_type"] = _("This type of meeting is not one of this county's.")
    if held_on is not None:
        if held_on > timezone.localdate():
            errors["held_on"] = _("A meeting is logged once it has been held: the date cannot be "
                                  "in the future.")
        elif org.founded_on is not None and held_on < org.founded_on:
            errors["held_on"] = _("The organization was founded on %(date)s.") % {
                "date": org.founded_on.isoformat()}
    if due is not None and present is not None and present > due:
        errors["present"] = _("More members present than due.")
    return errors


@transaction.atomic
def meeting_record(*, organization: Organization, by, meeting_type, held_on, topic, due=0,
                   present=0, place="", host="", absences="", minutes="") -> Meeting:
    errors = _check(organization, meeting_type, held_on, due, present)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        organization=organization, meeting_type=meeting_type, held_on=held_on, topic=topic,
        due=due, present=present, place=place, host=host, absences=absences, minutes=minutes,
        recorded_by=by,
    )
    meeting.full_clean()
    meeting._history_user = by
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by, **fields) -> Meeting:
    for name, value in fields.items():
        setattr(meeting, name, value)
    errors = _check(meeting.organization, meeting.meeting_type, meeting.held_on, meeting.due,
                    meeting.present)
    if errors:
        raise ValidationError(errors)
    meeting.full_clean()
    meeting._history_user = by
    meeting.save()
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by, reason=""):
    meeting._history_user = by
    meeting._change_reason = reason[:100]
    for attachment in meeting.attachments.all():
        attachment.file.delete(save=False)
    meeting.delete()


def attachment_add(*, meeting: Meeting, uploaded_file, by) -> MeetingAttachment:
    """A photo or sign-in sheet, checked as evidence is; nothing stored unless it passes."""
    if meeting.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(_("A meeting holds at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    kind, name = validate_upload(uploaded_file)  # EvidenceRejected with a message otherwise
    return MeetingAttachment.objects.create(
        meeting=meeting, file=uploaded_file, original_name=name,
        content_type=FILE_TYPES[kind].content_type, size=uploaded_file.size,
        sha256=file_sha256(uploaded_file), uploaded_by=by,
    )


# --------------------------------------------------------------------------- standards


@dataclass
class LogCount:
    """What the log says for a bound item: the count and the meetings behind it."""

    binding: ItemBinding
    count: int
    meetings: list


def counts_for_items(*, organization: Organization, items, year: int, until):
    """{item id: LogCount} for the items bound to a meeting type: the meetings of that type
    held in `year` up to `until` (a self-check's deadline). Two queries."""
    bindings = list(ItemBinding.objects.filter(item__in=items).select_related("meeting_type"))
    if not bindings:
        return {}
    meetings = list(
        Meeting.objects.filter(
            organization=organization, held_on__year=year, held_on__lte=until,
            meeting_type__in=[b.meeting_type_id for b in bindings],
        ).order_by("held_on", "pk").only("pk", "held_on", "topic", "meeting_type_id")
    )
    out = {}
    for b in bindings:
        mine = [m for m in meetings if m.meeting_type_id == b.meeting_type_id]
        out[b.item_id] = LogCount(binding=b, count=len(mine), meetings=mine)
    return out

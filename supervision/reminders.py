"""提醒: the daily reminders, as notifications and e-mails.

`collect(day)` reads what the data calls for on a day — tasks due in 7 and 1 days,
overdue tasks (escalated to the committee after a few days), self-checks not
submitted as the deadline nears, reviews past their deadline, dispatches not
submitted as the 10th comes — and names who should hear of it. `send(day)` writes
one notification per (user, reminder, day); the unique key makes a rerun or a retry
write nothing new. E-mails go out afterwards from the notifications still marked
pending, so a job that dies between the two sends the rest on its retry, once.

A fixed number of queries whatever the county's size: the recipients are read in
two queries (secretaries and committee staff with their organizations' paths) and
matched in memory.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Assessment, AssessmentStatus, CampaignStatus
from orgs.models import Assignment, Organization, Role
from rectification.models import RectificationTask, TaskStatus

from .models import Dispatch, DispatchStatus, Notification, NotificationKind
from .rules import DISPATCH, REMINDERS

log = logging.getLogger(__name__)
STEP = Organization.steplen
EMAIL_BATCH = 200


@dataclass(frozen=True)
class Reminder:
    user_id: int
    kind: str
    key: str
    title: str
    body: str
    url: str


class Recipients:
    """Who hears about an organization: its secretaries, and the committee staff above it."""

    def __init__(self):
        rows = Assignment.objects.filter(
            role__in=(Role.SECRETARY, Role.COMMITTEE_STAFF), organization__is_active=True,
            user__is_active=True,
        ).values_list("user_id", "role", "organization__path")
        self.secretaries, self.staff = {}, {}
        for user_id, role, path in rows:
            target = self.secretaries if role == Role.SECRETARY else self.staff
            target.setdefault(path, set()).add(user_id)

    def secretaries_of(self, path) -> set:
        return set(self.secretaries.get(path, ()))

    def staff_over(self, path) -> set:
        """Committee staff on the organization or any organization above it."""
        found = set()
        for end in range(STEP, len(path) + 1, STEP):
            found |= self.staff.get(path[:end], set())
        return found


def _task_reminders(day, people):
    out = []
    soon = [day + timedelta(days=n) for n in REMINDERS["task_due_in_days"]]
    escalate_before = day - timedelta(days=REMINDERS["escalate_after_days"])
    tasks = (
        RectificationTask.objects.exclude(status=TaskStatus.CLOSED)
        .filter(Q(deadline__in=soon) | Q(deadline__lt=day))
        .select_related("organization")
        .only("pk", "measure", "deadline", "responsible_id", "responsible_name",
              "organization__name", "organization__path")
    )
    for task in tasks:
        owners = {task.responsible_id} if task.responsible_id else people.secretaries_of(
            task.organization.path)
        url = reverse("rectification:task_detail", args=[task.pk])
        what = task.measure[:60]
        if task.deadline >= day:
            days = (task.deadline - day).days
            for user_id in owners:
                out.append(Reminder(
                    user_id, NotificationKind.TASK_DUE, f"task_due:{task.pk}:{days}",
                    _("Rectification task due in %(days)d day(s): %(org)s")
                    % {"days": days, "org": task.organization.name},
                    _("%(measure)s — deadline %(deadline)s.")
                    % {"measure": what, "deadline": task.deadline.isoformat()},
                    url,
                ))
            continue
        late = (day - task.deadline).days
        for user_id in owners:
            out.append(Reminder(
                user_id, NotificationKind.TASK_OVERDUE, f"task_overdue:{task.pk}",
                _("Rectification task overdue by %(days)d day(s): %(org)s")
                % {"days": late, "org": task.organization.name},
                _("%(measure)s — deadline %(deadline)s. Report progress or ask for it to be "
                  "closed.") % {"measure": what, "deadline": task.deadline.isoformat()},
                url,
            ))
        if task.deadline < escalate_before:
            for user_id in people.staff_over(task.organization.path) - owners:
                out.append(Reminder(
                    user_id, NotificationKind.TASK_ESCALATED, f"task_escalated:{task.pk}",
                    _("Overdue %(days)d days, needs your attention: %(org)s")
                    % {"days": late, "org": task.organization.name},
                    _("%(measure)s — responsible: %(person)s; deadline %(deadline)s.")
                    % {"measure": what, "person": task.responsible_name,
                       "deadline": task.deadline.isoformat()},
                    url,
                ))
    return out


def _assessment_reminders(day, people):
    out = []
    horizon = day + timedelta(days=REMINDERS["self_check_due_in_days"])
    due = Assessment.objects.filter(
        campaign__status=CampaignStatus.ACTIVE,
        status__in=(AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED),
        campaign__self_check_deadline__range=(day, horizon),
    ).select_related("campaign", "organization").only(
        "pk", "campaign__name", "campaign__self_check_deadline", "organization__name",
        "organization__path")
    for a in due:
        url = reverse("assessments:fill", args=[a.pk])
        for user_id in people.secretaries_of(a.organization.path):
            out.append(Reminder(
                user_id, NotificationKind.SELF_CHECK_DUE, f"self_check_due:{a.pk}",
                _("Self-check due on %(deadline)s: %(campaign)s")
                % {"deadline": a.campaign.self_check_deadline.isoformat(), "campaign": a.campaign.name},
                _("%(org)s has not submitted its self-check yet.") % {"org": a.organization.name},
                url,
            ))
    late = Assessment.objects.filter(
        campaign__status=CampaignStatus.ACTIVE, status=AssessmentStatus.SUBMITTED,
        campaign__review_deadline__lt=day,
    ).select_related("campaign", "organization").only(
        "pk", "campaign__name", "campaign__review_deadline", "organization__name",
        "organization__path")
    for a in late:
        url = reverse("assessments:assessment_detail", args=[a.pk])
        for user_id in people.staff_over(a.organization.path):
            out.append(Reminder(
                user_id, NotificationKind.REVIEW_LATE, f"review_late:{a.pk}",
                _("Review overdue since %(deadline)s: %(org)s")
                % {"deadline": a.campaign.review_deadline.isoformat(), "org": a.organization.name},
                _("The self-check for %(campaign)s waits for your review.")
                % {"campaign": a.campaign.name},
                url,
            ))
    return out


def _dispatch_reminders(day, people):
    if day.day < DISPATCH["remind_from_day"]:
        return []
    out = []
    drafts = Dispatch.objects.filter(
        status=DispatchStatus.DRAFT, due_on__lte=day + timedelta(days=DISPATCH["due_day"]),
    ).select_related("committee").only("pk", "period", "due_on", "committee__name", "committee__path")
    for dispatch in drafts:
        url = reverse("supervision:dispatch_detail", args=[dispatch.pk])
        # Only the staff on the committee itself write its dispatch.
        for user_id in people.staff.get(dispatch.committee.path, ()):
            out.append(Reminder(
                user_id, NotificationKind.DISPATCH_DUE, f"dispatch_due:{dispatch.pk}",
                _("Monthly dispatch for %(month)s due on %(due)s")
                % {"month": f"{dispatch.period:%Y-%m}", "due": dispatch.due_on.isoformat()},
                _("%(committee)s has not submitted its dispatch yet.")
                % {"committee": dispatch.committee.name},
                url,
            ))
    return out


COLLECTORS = [_task_reminders, _assessment_reminders, _dispatch_reminders]


def collect(day: date) -> list[Reminder]:
    """Every reminder the data calls for on `day`, in the site's language."""
    people = Recipients()
    with translation.override(settings.LANGUAGE_CODE):
        found = []
        for collector in COLLECTORS:
            found += collector(day, people)
    # One per (user, key): a person who is both owner and staff hears once.
    unique = {}
    for reminder in found:
        unique.setdefault((reminder.user_id, reminder.key), reminder)
    return list(unique.values())


def register(collector):
    """Later apps add their own reminders (the meeting log's 主题党日 by the 20th)."""
    if collector not in COLLECTORS:
        COLLECTORS.append(collector)
    return collector


def notify(reminders, day: date) -> int:
    """Write the notifications not yet sent today; returns how many are new."""
    if not reminders:
        return 0
    from django.contrib.auth import get_user_model

    user_ids = {r.user_id for r in reminders}
    with_email = set(
        get_user_model().objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", flat=True)
    )
    sent = set(
        Notification.objects.filter(sent_on=day, user_id__in=user_ids)
        .values_list("user_id", "key")
    )
    new = [
        Notification(user_id=r.user_id, kind=r.kind, key=r.key, sent_on=day, title=r.title[:200],
                     body=r.body, url=r.url, email_pending=r.user_id in with_email)
        for r in reminders if (r.user_id, r.key) not in sent
    ]
    # ignore_conflicts: a second worker running at the same moment adds nothing twice.
    Notification.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


def send_pending_emails() -> int:
    """E-mail the notifications still pending, each marked sent in its own transaction,
    so a failure part-way loses nothing and a retry re-sends nothing already marked."""
    sent = 0
    while True:
        ids = list(
            Notification.objects.filter(email_pending=True).order_by("pk")
            .values_list("pk", flat=True)[:EMAIL_BATCH]
        )
        if not ids:
            return sent
        for pk in ids:
            with transaction.atomic():
                n = (Notification.objects.select_for_update(skip_locked=True)
                     .select_related("user").filter(pk=pk, email_pending=True).first())
                if n is None:  # sent meanwhile by another worker
                    continue
                if n.user.email:
                    link = f"{settings.SITE_URL}{n.url}" if n.url else ""
                    send_mail(n.title, f"{n.body}\n\n{link}".strip(), None, [n.user.email])
                    sent += 1
                n.email_pending = False
                n.emailed_at = timezone.now()
                n.save(update_fields=["email_pending", "emailed_at"])


def send(day: date) -> dict:
    reminders = collect(day)
    created = notify(reminders, day)
    emailed = send_pending_emails()
    log.info("reminders for %s: %s due, %s new, %s e-mailed", day, len(reminders), created, emailed)
    return {"day": day.isoformat(), "reminders": len(reminders), "created": created,
            "emailed": emailed}
